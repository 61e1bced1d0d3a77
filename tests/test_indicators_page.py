"""建设指标 in AppTest: the 12 plan indicators, their lights and who answers for them."""
from __future__ import annotations

import datetime as dt

import pytest

from cockpit import fmt, metrics, periods
from cockpit.config import Settings
from tests.conftest import open_app


AFTER, DURING = dt.date(2026, 11, 26), dt.date(2025, 6, 30)  # the plan's period is 2023—2025


def _open(demo_db, monkeypatch, today):
    monkeypatch.setattr("ui.state.today", lambda: today)
    return open_app(monkeypatch, demo_db, "pages/indicators.py")


@pytest.fixture
def app(demo_db, monkeypatch):
    return _open(demo_db, monkeypatch, AFTER)


def _expected(store, today):
    ind = store.indicators()
    return metrics.plan_status(ind, store.observations(indicators=ind[ind.plan_target.notna()].code),
                               today, Settings())


def test_after_the_plan_period_the_table_shows_the_final_assessment_and_no_light(app, demo_store):
    expected = _expected(demo_store, AFTER)
    table = app.table[0].value
    assert len(table) == 12
    assert table["指标"].tolist() == expected.name.tolist()
    assert table["期末值"].tolist() == [fmt.number(x, "%") for x in expected.value]
    assert table["2025年目标"].tolist()[8] == "96%"
    assert table["状态"].tolist() == [{"met": "已达标", "missed": "未达标"}[x] for x in expected.assessment]
    assert not {"红灯", "黄灯", "绿灯"} & set(table["状态"]) and "较序时进度（百分点）" not in table.columns
    missed = expected[expected.assessment == "missed"]
    assert len(missed) >= 1  # the demo plants targets that were missed
    row = table.set_index("指标").loc[missed.name.iloc[0]]
    assert row["差距"] == f"差 {missed.shortfall.iloc[0]:.1f} 个百分点"
    assert table.set_index("指标").loc["网络安全等级测评覆盖率", "牵头单位"].startswith("市公安局")
    assert any("规划期 2023—2025 年已结束" in c.value for c in app.caption)


def test_after_the_plan_period_the_counts_are_met_and_missed(app, demo_store):
    expected = _expected(demo_store, AFTER).assessment.value_counts()
    values = {m.label: m.value for m in app.metric}
    assert values["主要指标"] == "12 项"
    assert values["已达标"] == f"{expected.get('met', 0)} 项" and values["未达标"] == f"{expected.get('missed', 0)} 项"
    assert not {"红灯", "黄灯", "绿灯"} & set(values)


def test_during_the_plan_period_the_lights_follow_序时进度(demo_db, monkeypatch, demo_store):
    at = _open(demo_db, monkeypatch, DURING)
    expected = _expected(demo_store, DURING)
    table = at.table[0].value
    lights = {"red": "红灯", "yellow": "黄灯", "green": "绿灯"}
    assert table["状态"].tolist() == [lights[x] for x in expected.light]
    assert table["较序时进度（百分点）"].tolist() == [f"{x:+.1f}" for x in expected.gap_pp]
    # progress from each indicator's base, and the one 序时进度 said once under the table
    assert table["进度"].tolist() == [fmt.number(x, "%") for x in expected.progress]
    # each base with its period: the demo's are its first figures inside the plan's period
    assert table["期初值"].iloc[0] == f"{fmt.number(expected.base.iloc[0], '%')}（{periods.label(expected.base_period.iloc[0], frequency='Q')}）"
    assert "序时进度" not in table.columns and expected.schedule.nunique() == 1
    assert any(f"序时进度 {fmt.number(expected.schedule.iloc[0], '%')}" in c.value for c in at.caption)
    values = {m.label: m.value for m in at.metric}
    assert sum(int(values[k].split()[0]) for k in ("红灯", "黄灯", "绿灯")) == 12


def test_choosing_an_indicator_shows_its_definition_and_units(app):
    app.selectbox(key="i_indicator").set_value("PLAN07").run()
    text = " ".join(m.value for m in app.markdown)
    assert "县级以上政府部门中市一体化协同办公平台覆盖的数量占比" in text
    assert "市政府办公室" in text and "158、159、163" in text


def test_the_trend_says_it_runs_to_its_last_figure(app, demo_store):
    """The chart ran to 2026年前三季度 while its caption said "数据截至：2025年全年" (the plan's last
    period, which the table's assessment reads, not the chart's)."""
    import base64
    import json

    import numpy as np

    app.selectbox(key="i_indicator").set_value("PLAN01").run()
    fig = json.loads(app.get("plotly_chart")[0].proto.spec)
    line = fig["data"][0]
    ys = line["y"]
    if isinstance(ys, dict):  # Plotly sends a numeric array as base64 ("bdata")
        ys = np.frombuffer(base64.b64decode(ys["bdata"]), dtype=ys["dtype"]).tolist()
    last = max(x for x, y in zip(line["x"], ys) if y is not None and y == y)[:7]
    stored = demo_store.observations(indicators=["PLAN01"], regions=["411400"]).period.max()
    assert last == stored == "2026-09"
    footer = next(a["text"] for a in fig["layout"]["annotations"] if "数据截至" in a["text"])
    assert footer.endswith(f"数据截至：{periods.label(stored, frequency='Q')}"), footer
    # The table beside it still assesses the plan at its end, and the page says why the two differ.
    assert any("规划期结束后" in c.value and "2025年全年" in c.value for c in app.caption)
    # The plan's target is the level to reach, named with its year ("目标 96" did not say which).
    assert any(a["text"].startswith("2025年目标 ") for a in fig["layout"]["annotations"])
