"""Surviving faults: PostgreSQL restarts, two cockpits on one database, safe web settings."""
from __future__ import annotations

import os
import shlex
import subprocess
import sys
import tomllib

import pandas as pd
import pytest
from sqlalchemy import text

from cockpit import ingest, schema as s
from cockpit.store import StoreUnavailable
from connectors.base import Dataset
from tests.conftest import ROOT, make_store

PG = os.environ.get("COCKPIT_TEST_PG_URL")
RESTART = os.environ.get("COCKPIT_TEST_PG_RESTART")
needs_pg = pytest.mark.skipif(not (PG and RESTART), reason="needs the throwaway PostgreSQL of scripts/test.sh")


def _obs(value):
    return Dataset("observations", pd.DataFrame([{"indicator_code": "RETAIL", "region_code": "411402",
                                                  "period": "2026-09", "measure": "month", "value": value}]))


@needs_pg
def test_postgres_restart_fails_the_action_in_flight_cleanly_and_the_next_one_works(tmp_path):
    store = make_store("postgresql", tmp_path)
    store.init()
    ingest.load(store, [_obs(1.0)], source="excel", created_by="甲")
    with pytest.raises(StoreUnavailable, match="数据库连接中断"):
        with store.begin() as conn:
            store.new_batch(conn, source="excel", dataset="observations", created_by="乙")
            subprocess.run(shlex.split(RESTART), check=True, capture_output=True, timeout=60)
            conn.execute(text("SELECT 1"))  # the connection died under us
    # Same Store, same pool: pre-ping replaces the dead connection; nothing half-written remains.
    assert store.count(s.upload_batches) == 1
    ingest.load(store, [_obs(2.0)], source="excel", created_by="丙")
    assert store.observations(regions=["411402"]).value.tolist() == [2.0]


@needs_pg
def test_a_postgres_restart_mid_commit_leaves_no_lock_behind(tmp_path):
    """The restart ends the committing transaction and, with it, its upload lock: the next upload
    is written at once instead of being told for 30 minutes that someone is writing."""
    from cockpit import locks
    store = make_store("postgresql", tmp_path)
    store.init()
    with pytest.raises(StoreUnavailable):
        with locks.transaction(store, ["observations"], "甲") as conn:
            store.new_batch(conn, source="excel", dataset="observations", created_by="甲")
            subprocess.run(shlex.split(RESTART), check=True, capture_output=True, timeout=60)
            conn.execute(text("SELECT 1"))
    with locks.transaction(store, ["observations"], "乙") as conn:  # not Busy
        ingest.load(store, [_obs(3.0)], source="excel", created_by="乙", conn=conn)
    assert store.count(s.upload_batches) == 1


@needs_pg
def test_two_writers_of_one_dataset_on_postgres_the_second_is_told_who_writes(tmp_path):
    from cockpit import locks
    store = make_store("postgresql", tmp_path)
    store.init()
    with locks.transaction(store, ["observations"], "张三"):
        with pytest.raises(locks.Busy, match="张三 正在写入同一类数据"):
            with locks.transaction(store, ["observations", "task_progress"], "李四"):
                pass
        with locks.transaction(store, ["task_progress"], "李四"):  # another dataset is free
            pass


@needs_pg
def test_two_cockpit_processes_on_one_postgres_see_each_others_uploads(tmp_path):
    store = make_store("postgresql", tmp_path)
    store.init()
    before = store.data_version()
    code = ("import pandas as pd; from cockpit import ingest; from cockpit.store import Store; "
            "from connectors.base import Dataset; "
            "ingest.load(Store(), [Dataset('observations', pd.DataFrame([{'indicator_code': 'RETAIL', "
            "'region_code': '411403', 'period': '2026-09', 'measure': 'month', 'value': 42.0}]))], "
            "source='excel', created_by='另一进程')")
    subprocess.run([sys.executable, "-c", code], cwd=ROOT, check=True, timeout=120,
                   env={**os.environ, "COCKPIT_DB_URL": PG, "COCKPIT_CONFIG": ""})
    assert store.data_version() != before  # caches keyed on it refresh in this process
    assert store.observations(regions=["411403"]).value.tolist() == [42.0]


def test_streamlit_settings_stay_safe_and_offline():
    cfg = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text(encoding="utf-8"))
    assert cfg["server"]["enableXsrfProtection"] is True
    assert 0 < cfg["server"]["maxUploadSize"] <= 20
    assert cfg["server"]["headless"] is True
    assert cfg["browser"]["gatherUsageStats"] is False
    assert cfg["client"]["showErrorDetails"] == "none"


def test_an_unreachable_database_shows_one_chinese_message_not_an_error_page(monkeypatch):
    from tests.conftest import open_app
    at = open_app(monkeypatch, "postgresql://cockpit:secret@127.0.0.1:1/cockpit")
    assert [e.value for e in at.error] == [
        "数据库暂时无法连接，驾驶舱无法显示数据。已记录错误日志；请稍后刷新，或请管理员检查数据库服务。"]
