"""应急指挥 in AppTest on the demo data, with the command-room clock pinned to the demo's morning."""
from __future__ import annotations

import datetime as dt
import json

import pandas as pd
import pytest

from cockpit import schema as s, signals
from connectors.demo import DemoConnector
from tests.conftest import DEMO_END, open_app, table_backgrounds as _backgrounds
from tests.conftest import metric as _metric, tables as _frames

NOW = dt.datetime.combine(DemoConnector(end=DEMO_END).today, dt.time(10, 0))
LEVELS = {1: "Ⅰ级（红色）", 2: "Ⅱ级（橙色）", 3: "Ⅲ级（黄色）", 4: "Ⅳ级（蓝色）"}


@pytest.fixture
def app(demo_db, monkeypatch):
    monkeypatch.setattr("ui.emergency_panels.now", lambda: NOW)
    return open_app(monkeypatch, demo_db, "pages/emergency.py")


@pytest.fixture(scope="module")
def events(demo_store) -> pd.DataFrame:
    return demo_store.frame(s.emergency_events.select())


def test_open_events_are_counted_and_listed_first_most_severe_first(app, events):
    open_ = events[events.status == "处置中"].sort_values(["level", "occurred_at"], ascending=[True, False])
    assert len(open_) >= 1
    m = _metric(app, "处置中的突发事件")
    assert m.value == f"{len(open_)} 起" and m.delta == f"最高 {LEVELS[int(open_.level.min())]}"
    table = _frames(app, "已持续（小时）")[0]
    assert list(table["事件"]) == list(open_.title)
    assert list(table["级别"]) == [LEVELS[int(x)] for x in open_.level]
    assert set(table["状态"]) == {"处置中"}
    element = next(d for d in app.table if "已持续（小时）" in d.value.columns)
    colours = _backgrounds(element)
    for i, level in enumerate(open_.level):
        assert colours[(i, 0)] == "#%02x%02x%02x" % signals.LEVELS[int(level)].rgb  # 红橙黄蓝


def test_type_and_level_filters_narrow_the_event_list(app, events):
    app.selectbox(key="em_range").set_value(365).run()
    since = pd.Timestamp(NOW - dt.timedelta(days=365))
    pool = events[(events.occurred_at >= since) | (events.status == "处置中")]
    assert any(c.value.startswith(f"近一年共 {len(pool)} 起") for c in app.caption)
    app.multiselect(key="em_types").set_value(["火灾"]).run()
    fires = pool[pool.event_type == "火灾"]
    assert any(c.value.startswith(f"近一年共 {len(fires)} 起") for c in app.caption)
    app.multiselect(key="em_levels").set_value([3, 4]).run()
    mild = fires[fires.level.isin([3, 4])]
    assert any(c.value.startswith(f"近一年共 {len(mild)} 起") for c in app.caption)
    listed = _frames(app, "已持续（小时）")[-1]  # the full list, after the open ones, a page at a time
    assert len(listed) == min(len(mild), 20) and set(listed["类型"]) == {"火灾"}
    if len(mild) > 25:
        assert app.selectbox(key="em_list_page").options[0] == f"第 1—20 行（共 {len(mild)} 行）"


def test_map_points_carry_the_four_level_colours_and_text_tooltips(app, events):
    deck = json.loads(app.get("deck_gl_json_chart")[0].proto.json)
    points = next(layer for layer in deck["layers"] if layer["@@type"] == "ScatterplotLayer")["data"]
    since = pd.Timestamp(NOW - dt.timedelta(days=30))
    shown = events[(events.occurred_at >= since) | (events.status == "处置中")]
    assert len(points) == len(shown)
    for p in points:
        level = next(k for k, v in LEVELS.items() if v == p["level_name"])
        assert p["colour"][:3] == list(signals.LEVELS[level].rgb)
    tooltip = app.get("deck_gl_json_chart")[0].proto.tooltip
    assert '"text"' in tooltip and '"html"' not in tooltip
    assert "http" not in app.get("deck_gl_json_chart")[0].proto.json


def test_weather_warnings_in_force_at_this_moment(app, demo_store):
    ww = demo_store.frame(s.weather_warnings.select())
    live = ww[(ww.issued_at <= NOW) & (ww.expires_at.isna() | (ww.expires_at > NOW))]
    assert len(live) >= 1
    assert any(h.value == f"生效中的气象与自然灾害预警（{len(live)} 条）" for h in app.subheader)
    assert _metric(app, "生效中的预警信号").value == f"{len(live)} 条"
    text = " ".join(m.value for m in app.markdown)
    for kind in set(live.kind):
        assert f"{kind}预警" in text


def test_todays_duty_contacts(app, demo_store):
    duty = demo_store.frame(s.duty_roster.select())
    today = duty[duty.duty_date == NOW.date()]
    table = _frames(app, "电话")[0]
    assert len(table) == len(today) and table["岗位"].iloc[0] == "带班领导"
    leader = today[today.role == "带班领导"].name.iloc[0]
    assert _metric(app, "今日带班领导").value == leader


def test_fever_clinic_surge_in_yucheng_is_flagged(app, demo_store):
    obs = demo_store.observations(indicators=["FEVER_VISITS"], measures=["month", "month_yoy"])
    here = obs[(obs.region_code == "411425") & (obs.period == DEMO_END)].set_index("measure").value
    table = _frames(app, "发热门诊同比")[0].set_index("县区")
    assert table.loc["虞城县", "异常"] == "Ⅱ级（橙色）"  # both signals at once: 橙
    assert table.loc["虞城县", "发热门诊同比"] == here["month_yoy"]
    assert table.loc["虞城县", "发热门诊（人次）"] == here["month"]
    alarm = next(e.value for e in app.error if "疫情监测异常" in e.value)
    assert "虞城县" in alarm and ":orange-badge[Ⅱ级 橙色]" in alarm
    assert table.loc["梁园区", "异常"] == ""
    element = next(d for d in app.table if "发热门诊同比" in d.value.columns)
    row = list(table.index).index("虞城县")
    assert _backgrounds(element)[(row, len(table.columns))] == "#ff8000"  # 橙, the 异常 column


def test_drilling_to_a_county_shows_only_its_events(app, events):
    app.selectbox(key="f_region").set_value("411425").run()
    open_ = events[(events.status == "处置中") & (events.region_code == "411425")]
    assert _metric(app, "处置中的突发事件").value == f"{len(open_)} 起"
    since = pd.Timestamp(NOW - dt.timedelta(days=30))
    mine = events[(events.region_code == "411425") & ((events.occurred_at >= since) | (events.status == "处置中"))]
    assert any(c.value.startswith(f"近 30 日共 {len(mine)} 起") for c in app.caption)


def test_the_timeline_spans_the_chosen_range_with_chinese_date_labels_that_never_repeat(app):
    from tests.test_number_display import SPACINGS, _ticks, shown_format
    app.selectbox(key="f_region").set_value("411425").run()  # 虞城县: one event in 30 days
    spec = next(json.loads(p.proto.spec) for p in app.get("plotly_chart")
                if "突发事件时间轴" in json.loads(p.proto.spec)["layout"]["title"]["text"])
    axis = spec["layout"]["xaxis"]
    lo, hi = (pd.Timestamp(x) for x in axis["range"])
    assert lo <= pd.Timestamp(NOW - dt.timedelta(days=30)) and hi >= pd.Timestamp(NOW.replace(second=0))

    class Axis:  # the spec's axis read as the figure's
        tickformat = axis["tickformat"]
        tickformatstops = [type("Stop", (), {"enabled": s.get("enabled", True), "dtickrange": s["dtickrange"],
                                             "value": s["value"]}) for s in axis.get("tickformatstops", [])]
    for dtick in SPACINGS:
        labels = [t.strftime(shown_format(Axis, dtick)) for t in _ticks(dtick)]
        assert len(set(labels)) == len(labels), (dtick, labels)
