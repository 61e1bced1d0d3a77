"""建设指标 in AppTest: the 12 plan indicators, their lights and who answers for them."""
from __future__ import annotations

import datetime as dt

import pytest

from cockpit import fmt, metrics
from cockpit.config import Settings
from tests.conftest import open_app


@pytest.fixture
def app(demo_db, monkeypatch):
    return open_app(monkeypatch, demo_db, "pages/indicators.py")


def _expected(store):
    ind = store.indicators()
    return metrics.plan_status(ind, store.observations(indicators=ind[ind.target_2025.notna()].code),
                               dt.date.today(), Settings())


def test_table_lists_all_twelve_with_values_targets_and_lights(app, demo_store):
    expected = _expected(demo_store)
    table = app.table[0].value
    assert len(table) == 12
    assert table["指标"].tolist() == expected.name.tolist()
    assert table["最新值"].tolist() == [fmt.number(x, "%") for x in expected.value]
    assert table["2025年目标"].tolist()[8] == "96%"
    lights = {"red": "红灯", "yellow": "黄灯", "green": "绿灯"}
    assert table["状态"].tolist() == [lights[x] for x in expected.light]
    assert table.set_index("指标").loc["网络安全等级测评覆盖率", "牵头单位"].startswith("市公安局")


def test_light_counts_add_up_to_twelve(app, demo_store):
    expected = _expected(demo_store).light.value_counts()
    values = {m.label: m.value for m in app.metric}
    assert values["主要指标"] == "12 项"
    assert values["黄灯"] == f"{expected.get('yellow', 0)} 项"
    assert values["绿灯"] == f"{expected.get('green', 0)} 项"
    assert sum(int(values[k].split()[0]) for k in ("红灯", "黄灯", "绿灯")) == 12


def test_choosing_an_indicator_shows_its_definition_and_units(app):
    app.selectbox(key="i_indicator").set_value("PLAN07").run()
    text = " ".join(m.value for m in app.markdown)
    assert "县级以上政府部门中市一体化协同办公平台覆盖的数量占比" in text
    assert "市政府办公室" in text and "158、159、163" in text
