"""预警中心 in AppTest on a copy of the demo data: what a leader reads matches the store."""
from __future__ import annotations

import shutil

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from cockpit import alert_store, catalog, config
from cockpit.config import Settings
from cockpit.store import Store
from models import alerts as sm, projection, series as S
from service import warnings
from tests.conftest import ROOT, metric as _metric, table as _table


@pytest.fixture
def page_db(demo_db, tmp_path):
    """A private copy: this page writes (确认, 督办), the shared demo file stays read-only."""
    src = demo_db.split("///", 1)[1]
    dst = tmp_path / "cockpit.db"
    shutil.copy(src, dst)
    return f"sqlite:///{dst}"


def _open(page_db, tmp_path, monkeypatch):
    monkeypatch.setenv("COCKPIT_DB_URL", page_db)
    monkeypatch.setenv("COCKPIT_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("COCKPIT_CONFIG", "")
    monkeypatch.setattr("service.warnings.refresh_in_background", lambda *a, **k: False)  # no fitting in tests
    config.settings.cache_clear()
    st.cache_data.clear()
    st.cache_resource.clear()
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
    at.run()
    at.switch_page("pages/warnings.py")
    at.run()
    assert not at.exception, [e.message for e in at.exception]
    return at


@pytest.fixture
def app(page_db, tmp_path, monkeypatch):
    yield _open(page_db, tmp_path, monkeypatch)
    config.settings.cache_clear()


@pytest.fixture
def app_with_forecasts(page_db, page_store, tmp_path, monkeypatch):
    """The page after the background refit: the cache holds the forecast of 一般公共预算收入
    (only that series, fitted here, so the test takes seconds, not the full refit's minute)."""
    ind = page_store.indicators().set_index("code", drop=False).loc["REVENUE"]
    spec = S.series_of(page_store.observations(indicators=["REVENUE"]), ind, "411400")
    warnings.write_cache(page_store, {"REVENUE|411400": S.fit_series(spec)}, 0.0)
    yield _open(page_db, tmp_path, monkeypatch)
    config.settings.cache_clear()


@pytest.fixture
def page_store(page_db, tmp_path):
    return Store(page_db, Settings(data_dir=tmp_path, demo_on_empty=False))


def test_level_counts_match_firing_alerts_in_the_store(app, page_store):
    firing = alert_store.alerts(page_store, ["firing"])
    for lv, label in ((1, "Ⅰ级（红色）"), (2, "Ⅱ级（橙色）"), (3, "Ⅲ级（黄色）"), (4, "Ⅳ级（蓝色）")):
        assert _metric(app, label).value == f"{int((firing.level == lv).sum())} 条"


def test_list_shows_open_alerts_and_filters_by_rule(app, page_store):
    live = alert_store.alerts(page_store, sm.ACTIVE)
    assert any(c.value == f"共 {len(live)} 条" for c in app.caption)
    app.multiselect(key="w_rules").set_value(["hotline_surge"]).run()
    table = _table(app, "预警")
    expected = live[live.rule == "hotline_surge"]
    assert len(table) == len(expected) >= 1
    assert set(table["预警"]) == set(expected.title)


def test_detail_explains_the_alert_with_numbers_and_a_chart(app, page_store):
    app.multiselect(key="w_rules").set_value(["hotline_surge"]).run()
    row = alert_store.alerts(page_store, ["firing"]).query("rule == 'hotline_surge'").iloc[0]
    assert app.selectbox(key="w_pick").value == int(row.id)
    assert any(t.value == row.message for t in app.text)
    assert _metric(app, "近期工单").value == f"{int(row.value)} 件"
    assert len(app.get("plotly_chart")) >= 1


def test_acknowledge_and_assign_are_stored_and_shown(app, page_store):
    app.multiselect(key="w_rules").set_value(["yoy_swing"]).run()
    aid = app.selectbox(key="w_pick").value
    app.button(key="w_ack").click().run()
    assert any("请先填写经办人" in w.value for w in app.warning)
    app.text_input(key="w_actor").set_value("李处长")
    app.text_input(key="w_ack_note").set_value("已通知卫健委核实")
    app.button(key="w_ack").click().run()
    stored = alert_store.alert(page_store, aid)
    assert (stored["state"], stored["acknowledged_by"]) == ("acknowledged", "李处长")
    app.text_input(key="w_assignee").set_value("市卫生健康委")
    app.text_area(key="w_assign_note").set_value("三日内报送核查结果")
    app.button(key="w_assign").click().run()
    stored = alert_store.alert(page_store, aid)
    assert (stored["assignee"], stored["note"]) == ("市卫生健康委", "三日内报送核查结果")
    assert any(s.value == "已督办：市卫生健康委" for s in app.success)
    history = _table(app, "经办")
    # Both actions are in the history under the person who took them (a re-evaluation by
    # "system" may land between them).
    assert [a for a in history["经办"].tolist() if a != "system"][-2:] == ["李处长", "李处长"]


def test_targets_tab_states_completion_gap_and_projection(app_with_forecasts, page_store):
    table = _table(app_with_forecasts, "全年研判")
    targets = catalog.load_targets()
    assert len(table) == len(targets)
    revenue = table[table["指标"] == "一般公共预算收入"].iloc[0]
    obs = page_store.observations(indicators=["REVENUE"], regions=["411400"], measures=["ytd"])
    ytd = obs[obs.period.str.startswith("2026")].sort_values("period").value.iloc[-1]
    assert f"完成年度目标 270亿元 的 {100 * ytd / 270:.1f}%" in revenue["完成情况"]
    assert revenue["全年研判"].startswith("按当前趋势全年预计完成")
    assert "月均需达到" in revenue["全年研判"]


def test_the_level_counts_say_they_count_alerts_not_the_merged_entries_of_the_overview(app):
    assert any("按条计" in c.value and "合并为一项" in c.value for c in app.caption)


def test_forecasts_not_yet_fitted_say_so_instead_of_fitting_on_the_page(app):
    assert any("预测正在后台计算" in i.value for i in app.info)


def test_forecasts_fitted_after_the_page_opened_appear_on_its_next_run(app, page_store):
    """The page's loaders were keyed on the data version alone, which a fit does not change: a
    server that served the page before the fit ended said "正在后台计算" until it restarted."""
    assert _table(app, "全年研判").query("指标 == '一般公共预算收入'").iloc[0]["全年研判"] == projection.COMPUTING
    ind = page_store.indicators().set_index("code", drop=False).loc["REVENUE"]
    spec = S.series_of(page_store.observations(indicators=["REVENUE"]), ind, "411400")
    warnings.write_cache(page_store, {"REVENUE|411400": S.fit_series(spec)}, 0.0)
    app.run()
    assert not any("预测正在后台计算" in i.value for i in app.info)
    assert _table(app, "全年研判").query("指标 == '一般公共预算收入'").iloc[0]["全年研判"].startswith("按当前趋势全年预计完成")


def test_rule_settings_are_saved_locally_and_re_evaluated(app, page_store, tmp_path):
    assert len(alert_store.alerts(page_store, ["firing"]).query("rule == 'yoy_swing'")) == 2
    app.number_input(key="r_yoy_swing_points").set_value(100.0)
    app.button(key="r_save").click().run()
    assert "points = 100.0" in (tmp_path / "rules.local.toml").read_text(encoding="utf-8")
    assert alert_store.alerts(page_store, ["firing"]).query("rule == 'yoy_swing'").empty
    assert any("规则已保存" in s.value for s in app.success)


def test_a_failed_background_refit_is_said_not_hidden_behind_a_spinner(app, monkeypatch):
    assert any("预测正在后台计算" in i.value for i in app.info)  # no cache in this test's data folder
    monkeypatch.setattr("service.warnings.failed_recently", lambda: True)
    app.run()
    assert any("预测的后台计算刚刚失败" in w.value for w in app.warning)
    assert not any("预测正在后台计算" in i.value for i in app.info)


def test_without_forecasts_the_targets_tab_says_the_projection_is_being_computed(app):
    revenue = _table(app, "全年研判").query("指标 == '一般公共预算收入'").iloc[0]
    assert "完成年度目标 270亿元" in revenue["完成情况"]  # the status needs no forecast
    assert revenue["全年研判"] == projection.COMPUTING


def test_a_rerun_asks_the_store_for_its_figures_version_once(app_with_forecasts):
    """The forecasts' stamp is found from the view's data version: each loader used to ask the
    store again (four times a rerun, beside the data version's own asking)."""
    from sqlalchemy import Engine, event
    asked = []

    def _count(conn, cursor, statement, *_):  # noqa: ANN001
        if "upload_batches.dataset" in statement and "max(upload_batches.rolled_back_at)" in statement:
            asked.append(statement)
    event.listen(Engine, "before_cursor_execute", _count)
    try:
        app_with_forecasts.run()
    finally:
        event.remove(Engine, "before_cursor_execute", _count)
    assert not app_with_forecasts.exception
    assert not any("预测正在后台计算" in i.value for i in app_with_forecasts.info)
    assert len(asked) == 1
