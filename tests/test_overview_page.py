"""驾驶舱总览 in AppTest on the demo data: what a leader reads matches the store."""
from __future__ import annotations

import datetime as dt
import json

import pytest

from cockpit import alert_store, fmt, metrics
from tests.conftest import DEMO_END, metric as _metric, open_app


@pytest.fixture
def app(demo_db, monkeypatch):
    return open_app(monkeypatch, demo_db)


def _city(store, code, period, measure):
    obs = store.observations(indicators=[code], regions=["411400"], measures=[measure])
    return float(obs[obs.period == period].value.iloc[0])


def test_headline_tiles_show_the_stored_city_figures(app, demo_store):
    retail = _metric(app, "社会消费品零售总额")
    assert retail.label == "社会消费品零售总额（2026年1—10月累计）"
    assert retail.value == fmt.number(_city(demo_store, "RETAIL", DEMO_END, "ytd"), "亿元")
    assert retail.delta == fmt.pct_change(_city(demo_store, "RETAIL", DEMO_END, "ytd_yoy"))
    gdp = _metric(app, "地区生产总值")
    assert gdp.label == "地区生产总值（2026年前三季度累计）"
    assert gdp.value == fmt.number(_city(demo_store, "GDP", "2026-09", "ytd"), "亿元")
    industry = _metric(app, "规模以上工业增加值")
    assert industry.value == fmt.pct_change(_city(demo_store, "IND_VA", DEMO_END, "ytd_yoy"))


def test_unemployment_changes_in_percentage_points(app, demo_store):
    unemp = _metric(app, "城镇调查失业率")
    now, before = (_city(demo_store, "UNEMP", p, "month") for p in (DEMO_END, "2025-10"))
    assert unemp.value == fmt.number(now, "%")
    assert unemp.delta == fmt.pp(round(now - before, 1))


def test_plan_tiles_show_all_twelve_indicators_with_targets_and_after_the_period_the_assessment(app, demo_store):
    tiles = [m for m in app.metric if m.label == "最新值"]
    assert len(tiles) == 12
    obs = demo_store.observations(indicators=["PLAN01"], measures=["month"], until="2025-12")
    assert tiles[0].value == fmt.number(float(obs.sort_values("period").value.iloc[-1]), "%")  # the period's last
    text = " ".join(c.value for c in app.caption)
    assert "2025年目标 96%" in text  # 政务服务全程网办率
    status = metrics.plan_status(demo_store.indicators(), demo_store.observations(), dt.date.today())
    badges = " ".join(m.value for m in app.markdown)
    assert badges.count("已达标]") == (status.assessment == "met").sum() > 0
    assert badges.count("未达标]") == (status.assessment == "missed").sum() > 0
    assert "绿灯" not in badges and "较序时进度" not in text
    missed = status[status.assessment == "missed"].iloc[0]
    assert f"差 {missed.shortfall:.1f} 个百分点" in text


def test_plan_tiles_without_any_figure_say_so_instead_of_failing(demo_copy, monkeypatch):
    """A store whose demo figures were retired before the plan's indicators got real ones."""
    from sqlalchemy import delete

    from cockpit import schema as s
    from cockpit.store import Store
    store = Store(demo_copy)
    with store.engine.begin() as conn:
        conn.execute(delete(s.observations).where(s.observations.c.indicator_code.like("PLAN%")))
    at = open_app(monkeypatch, demo_copy)
    assert not [e for e in at.error if "暂时无法显示" in e.value], [e.value for e in at.error]
    assert len([m for m in at.metric if m.label == "最新值"]) == 12
    assert any("— · 规划期 2023—2025 年已结束" in c.value for c in at.caption), [c.value for c in at.caption]


def test_demo_data_is_labelled(app):
    assert any("演示数据" in w.value for w in app.warning)


def test_county_table_lists_every_unit_and_switches_to_growth(app, demo_store):
    table = app.table[0].value
    assert len(table) == 10 and "示范区" in set(table["县区"])
    app.radio(key="map_basis").set_value("yoy").run()
    table = app.table[0].value
    yoy = demo_store.observations(indicators=["RETAIL"], regions=["411481"], measures=["ytd_yoy"])
    expected = fmt.pct_change(float(yoy[yoy.period == DEMO_END].value.iloc[0]))
    assert table.set_index("县区").loc["永城市", "同比"] == expected


def test_a_rates_change_on_the_county_map_is_in_points_and_a_rate_only_indicator_says_it_shows_growth(app, demo_store):
    """优良天数比例 81.6 → 85.9 was shown as "+4.3%" (it is +4.3 个百分点); 规上工业 under 数值 showed
    its growth rates under the heading 数值."""
    app.selectbox(key="map_indicator").set_value("AQI_GOOD").run()
    app.radio(key="map_basis").set_value("yoy").run()
    row = app.table[0].value.set_index("县区").loc["梁园区"]
    obs = demo_store.observations(indicators=["AQI_GOOD"], regions=["411402"], measures=["ytd"])
    now, before = (float(obs[obs.period == p].value.iloc[0]) for p in (DEMO_END, "2025-10"))
    assert row["同比"] == fmt.pp(now - before) and row["同比"].endswith("个百分点")
    app.selectbox(key="map_indicator").set_value("IND_VA").run()
    app.radio(key="map_basis").set_value("value").run()
    assert "同比" in app.table[0].value.columns
    titles = [json.loads(c.proto.spec)["layout"]["title"]["text"] for c in app.get("plotly_chart")]
    assert any(t.startswith("各县区规模以上工业增加值同比") for t in titles), titles


def test_latest_warnings_list_firing_alerts(app, demo_store):
    firing = alert_store.alerts(demo_store, ["firing"])
    text = " ".join(m.value for m in app.markdown)
    assert firing.title.iloc[0].split("（")[0].replace(" ", "") in text.replace("\\", "").replace(" ", "")
    assert any(f"正在触发 {len(firing)} 条" in c.value for c in app.caption)
    # The demo surge in 虞城县 trips several rules on the same series: one entry, naming the others.
    same = firing[(firing.indicator_code == "FEVER_VISITS") & (firing.region_code == "411425")]
    fever = [m.value for m in app.markdown if "虞城县发热门诊" in m.value]
    assert len(same) >= 2 and len(fever) == 1
    named = fever[0].replace("\\", "").split("同时触发：")[1].split("、")
    assert len(named) == len(same) - 1


def test_operations_row_counts_tickets_and_open_events_from_the_store(app, demo_store):
    import datetime as dt

    from cockpit import schema as s
    tickets = demo_store.frame(s.hotline_tickets.select())
    end = dt.datetime.combine(tickets.created_at.max().date() + dt.timedelta(days=1), dt.time())
    week = tickets[tickets.created_at >= end - dt.timedelta(days=7)]
    assert _metric(app, "12345 近 7 日受理量").value == f"{len(week):,} 件"
    closed = round(100 * week.closed_at.notna().sum() / len(week), 1)
    assert _metric(app, "近 7 日办结率").value == fmt.number(closed, "%")
    events = demo_store.frame(s.emergency_events.select())
    assert _metric(app, "处置中的突发事件").value == f"{(events.status == '处置中').sum()} 起"


def test_the_warning_count_says_how_many_entries_the_merged_list_has(app, demo_store):
    """The overview counts 条 (26 on this store) and the wall 项 (22, one per indicator and
    region): the caption gives both, so the two screens can be read together."""
    from models import alerts
    firing = alert_store.alerts(demo_store, ["firing"])
    groups = alerts.group_by_series(firing)
    assert len(groups) < len(firing)
    assert any(f"正在触发 {len(firing)} 条（同一指标、地区合并为 {len(groups)} 项）" in c.value for c in app.caption)


def test_a_county_late_with_its_figures_is_shown_missing_not_with_an_earlier_month(demo_copy, monkeypatch):
    """睢县 had not sent 1—10月: the map shaded it with its 1—9月 beside the others' 1—10月."""
    from sqlalchemy import update
    from cockpit import schema as s
    from cockpit.store import Store
    from tests.conftest import tables
    store = Store(demo_copy)
    o = s.observations.c
    with store.begin() as conn:
        conn.execute(update(s.observations).where(o.indicator_code == "RETAIL", o.region_code == "411422",
                                                  o.period == DEMO_END).values(active=False))
    app = open_app(monkeypatch, demo_copy)
    table = next(t for t in tables(app) if "县区" in t and "时期" in t).set_index("县区")
    assert set(table["时期"]) == {"2026年1—10月"}
    assert table.loc["睢县", "数值"] == fmt.NA and table.loc["永城市", "数值"] != fmt.NA
