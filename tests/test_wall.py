"""The wall display (?screen=1) in AppTest on real stores: what the wall shows, how the carousel
turns and pauses, what lights the banner, and what it does when the store fails."""
from __future__ import annotations

import datetime as dt
import json
import re
import shutil
from pathlib import Path

import pandas as pd
import pytest
from sqlalchemy import func, select, update
from streamlit.testing.v1 import AppTest

from cockpit import auth, charts, fmt, schema as s
from cockpit.store import Store
from tests.conftest import DEMO_END, ROOT, open_app, point_app
from ui.screen.boards import BOARDS
from ui.screen.carousel import Carousel
from ui.screen.render import ACCENT, dark, scale

PW = "correct horse battery"
STALE = "数据更新中断"


def html(at) -> str:
    """The wall's markup, without the app's style sheets and scripts (ui/zh_cn.py)."""
    return "".join(h.proto.body for h in at.get("html") if not h.proto.body.startswith(("<style>", "<script>")))


def text(at) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html(at)))


def board(at) -> str:
    return re.search(r"data-board='(\w+)'", html(at)).group(1)


def wall(token: str | None = None, **query) -> AppTest:
    """A new session on the wall (the app must already point at its store)."""
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
    at.query_params["screen"] = "1"
    if token:
        at.query_params["token"] = token
    for k, v in query.items():
        at.query_params[k] = v
    return at.run()


def click(at, label: str) -> AppTest:
    next(b for b in at.button if b.label.startswith(label)).click().run()
    return at


def _city(store, code, period, measure):
    obs = store.observations(indicators=[code], regions=["411400"], measures=[measure])
    return float(obs[obs.period == period].value.iloc[0])


@pytest.fixture
def db(demo_copy, monkeypatch) -> Store:
    point_app(monkeypatch, demo_copy)
    return Store(demo_copy)


# ---- what the wall shows -----------------------------------------------------------------------
def test_screen_1_opens_the_overview_board_with_the_stored_headline_figures(demo_db, demo_store, monkeypatch):
    at = open_app(monkeypatch, demo_db, query={"screen": "1"})
    shown = text(at)
    assert board(at) == "overview" and not at.title  # the wall, not the desktop page under it
    retail = fmt.number(_city(demo_store, "RETAIL", DEMO_END, "ytd"), "亿元").replace(" 亿元", "")
    assert f"社会消费品零售总额 {retail} 亿元 同比 {fmt.pct_change(_city(demo_store, 'RETAIL', DEMO_END, 'ytd_yoy'))}" \
        in shown
    assert "数据截至：2026年10月" in shown and "更新于" in shown and "演示数据" in shown
    assert "数字政府建设主要指标" in shown and "运行态势" in shown and "最新预警" in shown
    maps = [json.loads(c.proto.spec) for c in at.get("plotly_chart")]
    maps = [m for m in maps if m["layout"].get("meta") == "wall-map"]
    assert len(maps) == 1 and "永城市" in json.dumps(maps[0], ensure_ascii=False)  # the county map, no WebGL


@pytest.mark.parametrize("url_path", [spec.url_path for spec in BOARDS.values() if spec.url_path])
def test_each_decision_page_opens_its_own_board(demo_db, monkeypatch, url_path):
    script = f"pages/{url_path}.py"
    at = open_app(monkeypatch, demo_db, page=script, query={"screen": "1"})
    assert board(at) == url_path
    assert not at.title and "数据截至：" in text(at)
    assert not [e for e in at.error if "暂时无法" in e.value]


def test_a_page_without_a_board_ignores_screen_1(demo_db, monkeypatch):
    at = open_app(monkeypatch, demo_db, page="pages/indicators.py", query={"screen": "1"})
    assert [t.value for t in at.title] == ["数字政府建设主要指标"] and "data-board" not in html(at)


def test_an_empty_store_gives_every_board_a_reason_never_a_blank_panel(tmp_path, monkeypatch):
    monkeypatch.setenv("COCKPIT_DEMO_ON_EMPTY", "0")
    point_app(monkeypatch, f"sqlite:///{tmp_path / 'empty.db'}")
    at = wall()
    seen = set()
    for _ in BOARDS:
        seen.add(board(at))
        assert not at.exception, [e.message for e in at.exception]
        assert "暂时无法显示" not in text(at) and "Traceback" not in text(at)
        assert re.search(r"尚无|没有|暂无|不足", text(at)), board(at)
        click(at, "下一屏")
    assert seen == set(BOARDS)


@pytest.mark.parametrize("today,marks,never", [
    (dt.date(2026, 11, 26), {"达标", "未达"}, {"绿", "黄", "红灯"}),  # after the plan's period (2023—2025)
    (dt.date(2025, 6, 30), {"绿"}, {"达标", "未达"}),
], ids=["after", "during"])
def test_the_plan_panel_shows_the_final_assessment_after_the_plan_period_and_lights_during_it(
        demo_db, monkeypatch, today, marks, never):
    monkeypatch.setattr("ui.state.today", lambda: today)
    at = open_app(monkeypatch, demo_db, query={"screen": "1"})
    panel = re.search(r"数字政府建设主要指标.*?运行态势", html(at), re.S).group(0)
    shown = set(re.findall(r"class='wall-mark'[^>]*>([^<]+)<", panel))
    assert marks <= shown and not (never & shown), shown
    assert ("期末评估" in panel) == (today.year > 2025)


def test_after_the_plan_period_the_tasks_board_counts_the_long_overdue_and_names_the_plan(demo_db, monkeypatch):
    from cockpit import tasks
    from ui import task_panels
    today = dt.date(2026, 11, 26)
    monkeypatch.setattr("ui.state.today", lambda: today)
    at = open_app(monkeypatch, demo_db, page="pages/tasks.py", query={"screen": "1"})
    shown = text(at)
    n = tasks.counts(task_panels.board(None, today))
    assert board(at) == "tasks" and f"逾期一年以上 {n['overdue_year']} 项" in shown
    assert "日内到期" not in shown and "{}" not in shown
    assert "《商丘市加强数字政府建设实施方案(2023-2025年)》重点任务清单" in shown


def test_a_county_screen_link_shows_its_county_and_says_the_plan_is_city_wide(db):
    auth.add_user(db, "管理员乙", "admin", PW)
    token = auth.create_screen_link(db, "永城市大屏", actor="管理员乙", region_code="411481")
    at = wall(token)
    obs = db.observations(indicators=["RETAIL"], regions=["411481"], measures=["ytd"])
    county = fmt.number(float(obs[obs.period == DEMO_END].value.iloc[0]), "亿元").replace(" 亿元", "")
    assert f"社会消费品零售总额 {county} 亿元" in text(at)
    assert "规划主要指标为全市指标，不分县区" in text(at)
    assert not at.text_input  # no login form on a screen link


def test_a_revoked_screen_link_is_refused_in_chinese_and_shows_no_figures(db):
    auth.add_user(db, "管理员乙", "admin", PW)
    token = auth.create_screen_link(db, "指挥中心大屏", actor="管理员乙")
    auth.revoke_screen_link(db, "指挥中心大屏", actor="管理员乙")
    at = wall(token)
    assert [e.value for e in at.error] == ["大屏链接无效或已被收回"]
    assert "data-board" not in html(at)


# ---- the carousel ---------------------------------------------------------------------------------
def test_the_carousel_starts_on_the_opened_page_and_moves_on_when_its_time_is_up():
    car = Carousel.starting_at("hotline", ("overview", "economy", "hotline"), 30, now=1000)
    assert car.current == "hotline" and car.tick(1029) == "hotline"
    assert car.tick(1030) == "overview" and car.tick(1059) == "overview" and car.tick(1060) == "economy"


def test_a_wall_that_slept_for_an_hour_shows_the_next_board_not_the_hundred_and_twentieth():
    car = Carousel.starting_at("overview", ("overview", "economy", "hotline"), 30, now=0)
    assert car.tick(3600) == "economy" and car.tick(3601) == "economy"


def test_a_board_outside_the_configured_list_joins_the_rotation_in_front():
    car = Carousel.starting_at("tasks", ("overview", "economy"), 30, now=0)
    assert car.boards == ("tasks", "overview", "economy") and car.current == "tasks"


def test_carousel_interval_0_or_one_board_holds_the_board():
    assert Carousel.starting_at("economy", ("overview", "economy"), 0, now=0).tick(10**6) == "economy"
    assert Carousel.starting_at("economy", ("economy",), 30, now=0).tick(10**6) == "economy"


def test_a_paused_carousel_holds_and_resuming_gives_the_board_its_full_time():
    car = Carousel.starting_at("overview", ("overview", "economy"), 30, now=0)
    car.toggle(now=10)
    assert car.paused and car.tick(500) == "overview"
    car.toggle(now=500)
    assert car.tick(529) == "overview" and car.tick(530) == "economy"


def test_pause_and_turn_by_the_buttons_the_keys_name(demo_db, monkeypatch):
    at = open_app(monkeypatch, demo_db, query={"screen": "1"})
    assert "每 30 秒切换，按空格键或点“暂停”可暂停" in text(at)
    assert {b.label: b.proto.shortcut for b in at.button} == {"上一屏 ←": "left", "暂停 ❚❚": "space",
                                                              "下一屏 →": "right"}
    click(at, "暂停")
    assert "已暂停，按空格键或点“继续”恢复" in text(at)
    click(at, "下一屏")
    assert board(at) == "economy"
    at.session_state["wall_carousel"].due = 0  # its time is long up, but the carousel is paused
    at.run()
    assert board(at) == "economy"
    click(at, "继续")
    at.session_state["wall_carousel"].due = 0
    at.run()
    assert board(at) == "hotline"
    click(at, "上一屏")
    assert board(at) == "economy"


# ---- the banner ---------------------------------------------------------------------------------
def _alert(store: Store, level: int, title: str) -> None:
    now = dt.datetime.now()
    with store.begin() as conn:
        conn.execute(s.alerts.insert().values(rule="test", subject=title, level=level, state="firing", title=title,
                                              message="测试", started_at=now, updated_at=now))


def test_a_firing_red_or_orange_warning_lights_the_banner_and_the_figures_stay(db):
    with db.begin() as conn:
        conn.execute(update(s.alerts).values(state="resolved"))
    _alert(db, 3, "黄色的测试预警")
    at = wall()
    assert "wall-alarm" not in html(at)  # yellow does not light it
    _alert(db, 1, "红色的测试预警")
    at.run()
    banner = re.search(r"<div class='wall-alarm level-(\d)'.*?</div>", html(at)).group(0)
    assert "level-1" in banner and "Ⅰ级（红色）1 项" in banner and "红色的测试预警" in banner
    assert "黄色的测试预警" not in banner
    assert "社会消费品零售总额" in text(at)  # the tiles are still there, under it


def test_a_red_weather_warning_in_force_lights_the_banner(db):
    now = dt.datetime.now()
    batch = db.scalar(select(func.max(s.upload_batches.c.id)))
    with db.begin() as conn:
        conn.execute(s.weather_warnings.insert().values(kind="暴雨", level=1, region_code="411481", issued_at=now
                                                        - dt.timedelta(hours=1), expires_at=now + dt.timedelta(hours=6),
                                                        issuer="市气象台", text="测试", batch_id=batch))
    assert "暴雨Ⅰ级（红色）预警（1 个县区）" in text(wall())


def test_user_text_reaches_the_wall_as_text_never_as_markup(db):
    xss = "<img src=x onerror=\"window.__xss=1\"><script>window.__xss=2</script>"
    _alert(db, 1, xss)
    body = html(wall())
    assert "<img src=x" not in body and "<script>" not in body
    assert "&lt;img src=x onerror=&quot;window.__xss=1&quot;&gt;" in body


# ---- the store fails ---------------------------------------------------------------------------------
def _break(url: str) -> Path:
    """The database file gone (a directory in its place) and the pool's connections dropped: every
    query now fails as on a lost network disk."""
    from ui import state
    path = Path(url.split("///", 1)[1])
    shutil.move(path, path.with_suffix(".away"))
    path.mkdir()
    state.store().engine.dispose()
    return path


def _mend(path: Path) -> None:
    path.rmdir()
    shutil.move(path.with_suffix(".away"), path)


def test_when_the_store_fails_the_wall_keeps_its_figures_under_a_staleness_badge_and_never_asks_a_login(
        demo_copy, monkeypatch):
    point_app(monkeypatch, demo_copy)
    store = Store(demo_copy)
    auth.add_user(store, "管理员乙", "admin", PW)
    token = auth.create_screen_link(store, "指挥中心大屏", actor="管理员乙")
    at = wall(token)
    tiles = re.search(r"<div class='wall-tiles'>.*?</div></div></div>", html(at)).group(0)
    assert STALE not in text(at)
    path = _break(demo_copy)
    try:
        at.run()
        assert not at.exception and not at.text_input and not at.error
        assert STALE in text(at) and re.search(r"自 \d\d-\d\d \d\d:\d\d:\d\d 起，显示 \d\d:\d\d:\d\d 的数据", text(at))
        assert tiles in html(at)  # the same figures, not a blank panel
        fresh = wall(token)  # a new session (a reload) while the store is down: the calm message
        assert [e.value for e in fresh.error][0].startswith("数据库暂时无法连接") and not fresh.text_input
    finally:
        _mend(path)
    at.run()
    assert STALE not in text(at) and tiles in html(at) and not at.error


# ---- doors ------------------------------------------------------------------------------------------
@pytest.mark.parametrize("value", ["0", "true", "<script>alert(1)</script>", "1' onload='x", "1" * 5000])
def test_anything_but_screen_1_leaves_the_desktop_page(demo_db, monkeypatch, value):
    at = open_app(monkeypatch, demo_db, query={"screen": value})
    assert [t.value for t in at.title] == ["商丘市数字政府领导驾驶舱"] and "data-board" not in html(at)


@pytest.mark.parametrize("token", ["<img src=x onerror=alert(1)>", "' OR 1=1 --", "x" * 10_000, "%00", "1"])
def test_a_forged_screen_token_gets_the_chinese_refusal_and_changes_nothing(db, token):
    auth.add_user(db, "管理员乙", "admin", PW)
    auth.create_screen_link(db, "指挥中心大屏", actor="管理员乙")
    before = db.frame(select(s.screen_links)), db.count(s.audit_log)
    at = wall(token)
    assert "data-board" not in html(at) and not at.exception
    assert [e.value for e in at.error] == ["大屏链接无效或已被收回"]
    after = db.frame(select(s.screen_links)), db.count(s.audit_log)
    assert before[0].equals(after[0]) and before[1] == after[1]


def test_a_trend_on_the_wall_reads_from_afar_its_months_level_and_its_line_bright_and_thick():
    """At 3840×2160 the desk's slanted "2025年01月" labels ran into each other and its dark blue
    2 px line was a hairline on the wall's navy (ui/screen/render.dark)."""
    values = pd.DataFrame({"period": [f"{y}-{m:02d}" for y in (2025, 2026) for m in range(1, 13)],
                           "value": [float(i) for i in range(24)]})
    chart = charts.trend(values, title="规模以上工业增加值", unit="%", caliber="口径", source="市统计局", as_of="2026年12月")
    fig = dark(chart, scale((3840, 2160)))
    axis, line = fig.layout.xaxis, fig.data[0].line
    assert axis.tickangle == 0 and axis.tickformat == "%Y年<br>%-m月" and axis.nticks <= 5
    assert line.color == ACCENT and line.width == 2 * 1.3 * 2
    assert chart.figure.data[0].line.color == charts.BLUE  # the desk's figure is left as it was


# ---- lists that do not fit, counts that must agree, the event map (the reviewer's sweep) ------------
def _panel(at, title: str) -> str:
    """One panel's markup, from its title to the next panel's title."""
    return re.search(rf"<div class='wall-title'>{title}.*?(?=<div class='wall-title'>|$)", html(at), re.S).group(0)


def test_a_list_that_does_not_fit_says_how_many_it_leaves_out_under_whichever_row_ends_it():
    """The browser shows the rows that fit whole and hides the rest (assets/screen.css); the note
    under the last one shown says how many are left out, counting those a board never passed."""
    from ui.screen.model import Row
    from ui.screen.render import rows_html
    body = rows_html([Row("甲", light="missed"), Row("乙", light="met"), Row("丙", light="met")], total=5)
    notes = re.findall(r"<div class='wr-more'>([^<]+)</div>", body)
    assert notes == ["另有 4 项未列出", "另有 3 项未列出", "另有 2 项未列出"]
    complete = rows_html([Row("甲", light="missed"), Row("乙", light="met"), Row("丙", light="met")])
    assert re.findall(r"<div class='wr-more'>([^<]+)</div>", complete) == ["另有 2 项未列出，均已达标",
                                                                          "另有 1 项未列出，均已达标"]


def test_the_plan_panel_lists_every_indicator_the_missed_ones_first(demo_db, monkeypatch):
    """At 16:9 the twelfth row, 网络安全等级测评覆盖率 (未达), was hidden below the panel's edge
    without a word: the list now puts 未达 first, so what a short screen drops is only ever 达标."""
    monkeypatch.setattr("ui.state.today", lambda: dt.date(2026, 11, 26))
    at = open_app(monkeypatch, demo_db, query={"screen": "1"})
    panel = _panel(at, "数字政府建设主要指标")
    marks = re.findall(r"class='wall-mark'[^>]*>([^<]+)<", panel)
    assert len(marks) == 12 and "网络安全等级测评覆盖率" in panel
    assert marks == sorted(marks, key=lambda m: m != "未达"), marks  # every 未达 before any 达标
    assert f"另有 {len(marks) - 1} 项未列出" in panel


def test_banner_and_warning_panel_count_the_same_merged_alerts_and_say_so(demo_db, demo_store, monkeypatch):
    """The banner said "Ⅱ级（橙色）18 项" and the panel beside it "正在触发 22 项"; the desktop
    overview and 预警中心 count 条 before merging (26 on this store). Each count now says what it counts."""
    from models import alerts as alert_model
    firing = alert_store_firing(demo_store)
    groups = alert_model.group_by_series(firing)
    severe = sum(int(g["level"]) == 2 for g in groups)
    at = open_app(monkeypatch, demo_db, query={"screen": "1"})
    banner = re.search(r"<div class='wall-alarm.*?</span>", html(at)).group(0)
    assert f"Ⅱ级（橙色）{severe} 项" in banner and "同一指标、地区合并" in banner
    panel = re.sub(r"<[^>]+>", " ", _panel(at, "最新预警"))
    assert f"正在触发 {len(groups)} 项" in panel
    by_level = "、".join(f"{name}{n} 项" for name, n in (("Ⅱ级（橙色）", severe), ("Ⅲ级（黄色）", len(groups) - severe)))
    assert by_level in panel and f"合并前 {len(firing)} 条" in panel, panel


def alert_store_firing(store):
    from cockpit import alert_store
    return alert_store.alerts(store, ["firing"])


def test_the_emergency_map_names_its_counties_and_the_timeline_reads_on_a_4k_wall(tmp_path):
    """At 3840×2160 the event map had no county names, the timeline's points were 9 px and their
    "黑圈为处置中" ring was black on the wall's navy."""
    from cockpit import geo
    from cockpit.config import settings
    from ui.screen.boards import emergency
    from ui.screen.model import Board
    from ui.screen.render import prepare
    at = dt.datetime(2026, 11, 26, 9, 0)
    recent = pd.DataFrame({"occurred_at": [pd.Timestamp(at) - pd.Timedelta(days=d) for d in (1, 3)],
                           "event_type": ["火灾", "城市内涝"], "level": [3, 4], "is_open": [True, False],
                           "title": ["甲", "乙"], "status": ["处置中", "已结束"],
                           "lon": [115.65, 116.44], "lat": [34.45, 33.93], "region_code": ["411425", "411481"]})
    b = Board("emergency", "", [], {"main": emergency.event_map(recent, at), "right": emergency.timeline(recent, at)})
    prepare(b, (3840, 2160))
    names = {f["properties"]["name"] for f in geo.features_by_code(settings().geojson).values()}
    written = {t for tr in b.panels["main"].figure.data if tr.mode == "text" for t in tr.text}
    assert names <= {re.sub(r"<[^>]+>", "", t) for t in written}, written
    timeline = b.panels["right"].figure
    points = [tr for tr in timeline.data if tr.mode == "markers"]
    assert min(min([tr.marker.size] if isinstance(tr.marker.size, (int, float)) else tr.marker.size)
               for tr in points) >= 9 * 1.3 * 2
    rings = [c for tr in points for c in ([tr.marker.line.color] if isinstance(tr.marker.line.color, str)
                                          else tr.marker.line.color)]
    assert rings and all(c.lower() in ("#ffffff", "white") for c in rings), rings
    assert "白圈为处置中" in b.panels["right"].caption and "黑圈" not in b.panels["right"].caption
