"""python -m cockpit, as an operator or a cron job runs it."""
from __future__ import annotations

import os
import subprocess
import sys

import pytest

from tests.conftest import ROOT


def run(*args, db, **env_extra):
    env = {**os.environ, "COCKPIT_DB_URL": db, "COCKPIT_CONFIG": "/nonexistent.toml", **env_extra}
    return subprocess.run([sys.executable, "-m", "cockpit", *args], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=300)


def test_init_on_an_empty_store_loads_demo_once(tmp_path):
    db = f"sqlite:///{tmp_path / 'c.db'}"
    r = run("init", db=db, COCKPIT_DEMO_TICKETS="1500")
    assert r.returncode == 0, r.stderr
    assert "数据库已就绪" in r.stdout and "已载入演示数据" in r.stdout and "写入演示 12345 工单（1,5" in r.stdout
    r = run("init", db=db)
    assert r.returncode == 0 and "已载入演示数据" not in r.stdout
    r = run("demo", db=db)
    assert r.returncode == 0 and "已有演示数据" in r.stdout


def test_demo_on_request_when_automatic_demo_is_off(tmp_path):
    db = f"sqlite:///{tmp_path / 'c.db'}"
    r = run("init", db=db, COCKPIT_DEMO_ON_EMPTY="0")
    assert r.returncode == 0 and "已载入演示数据" not in r.stdout
    r = run("demo", "--tickets", "1200", "--end", "2025-12", db=db)
    assert r.returncode == 0, r.stderr
    assert "演示数据已加载" in r.stdout and "12345 工单 1,2" in r.stdout


def test_bad_month_exits_non_zero_with_a_chinese_message(tmp_path):
    r = run("demo", "--end", "2025-13", db=f"sqlite:///{tmp_path / 'c.db'}")
    assert r.returncode == 2 and "月份“2025-13”不存在" in r.stderr


def test_unknown_subcommand_is_refused(tmp_path):
    r = run("frobnicate", db=f"sqlite:///{tmp_path / 'c.db'}")
    assert r.returncode != 0


def test_warnings_fits_the_forecasts_and_evaluates_once(store, tmp_path):
    """What cron runs: the forecast cache is written and the surge in the store fires."""
    from cockpit import alert_store
    from service import warnings
    from tests.test_forecast import _load, _obs, _seasonal
    y = _seasonal(60, seed=4)
    y[-1] *= 1.8
    _load(store, _obs("FEVER_VISITS", [round(v) for v in y], region="411425"))
    r = run("warnings", "--workers", "1", db=store.url, COCKPIT_DATA_DIR=str(tmp_path))
    assert r.returncode == 0, r.stderr
    firing = alert_store.alerts(store, ["firing"])
    assert f"预警评估完成：正在触发 {len(firing)} 条" in r.stdout
    assert "FEVER_VISITS|411425" in set(firing[firing.rule == "forecast_interval"].subject)
    assert warnings.cached_forecasts(store) is not None


def test_an_unreachable_database_gets_a_message_not_a_traceback():
    r = run("warnings", db="postgresql://cockpit:secret@127.0.0.1:1/cockpit")
    assert r.returncode == 3
    assert "无法使用数据库 postgresql://cockpit:***@127.0.0.1:1/cockpit" in r.stderr and "COCKPIT_DB_URL" in r.stderr
    assert "Traceback" not in r.stderr and "secret" not in r.stderr


def test_every_without_minutes_runs_on_the_schedule_in_rules_toml(tmp_path):
    from cockpit.config import Settings
    from service import warnings
    cfg = Settings(data_dir=tmp_path)
    assert warnings.every_minutes(None, cfg) is None and warnings.every_minutes(15.0, cfg) == 15.0
    assert warnings.every_minutes(warnings.SCHEDULED, cfg) == 60.0  # rules.toml [schedule]
    (tmp_path / "rules.local.toml").write_text("[schedule]\ninterval_minutes = 20\n", encoding="utf-8")
    assert warnings.every_minutes(warnings.SCHEDULED, cfg) == 20.0
    (tmp_path / "rules.local.toml").write_text("[schedule]\ninterval_minute = 20\n", encoding="utf-8")
    with pytest.raises(ValueError, match="interval_minute"):
        warnings.every_minutes(warnings.SCHEDULED, cfg)
