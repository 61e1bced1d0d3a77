"""The first run puts a page on screen before the warning rules have run: they run behind it."""
from __future__ import annotations

from cockpit import schema as s
from cockpit.config import Settings
from cockpit.store import Store
from service import bootstrap, warnings
from tests.conftest import open_app


def test_a_first_run_loads_the_demo_and_leaves_the_rules_to_the_background(tmp_path, monkeypatch):
    monkeypatch.setenv("COCKPIT_DEMO_TICKETS", "1500")
    started = []
    monkeypatch.setattr("service.warnings.refresh_in_background", lambda store, *a, **k: started.append(store.url))
    store = Store(f"sqlite:///{tmp_path / 'c.db'}", Settings(data_dir=tmp_path))
    assert bootstrap.prepare(store) is True
    assert store.count(s.alerts) == 0 and bootstrap.never_evaluated(store)  # nothing evaluated yet
    bootstrap.catch_up(store)  # what the web server does on its first look at the store
    assert started == [store.url]
    warnings.evaluate(store)  # what the background job does first
    assert store.count(s.alerts) > 0 and not bootstrap.never_evaluated(store)
    bootstrap.catch_up(store)
    assert started == [store.url]  # evaluated once: a later server start has nothing to catch up


def test_the_overview_says_the_rules_are_being_evaluated_rather_than_that_none_fire(demo_copy, monkeypatch):
    store = Store(demo_copy)
    with store.begin() as conn:  # as the first run leaves it
        conn.execute(s.alert_events.delete())
        conn.execute(s.alerts.delete())
    at = open_app(monkeypatch, demo_copy)
    assert any("正在后台首次评估" in i.value for i in at.info)
    assert not any("没有正在触发的预警" in x.value for x in at.success)
