"""`python -m cockpit import` returns once the figures are stored; the warning rules are evaluated
afterwards in a low-priority background process, as after an upload on the page (issue 14)."""
from __future__ import annotations

import os
import subprocess
import sys
import time

from sqlalchemy import create_engine, func, select

from cockpit import schema as s
from tests.conftest import ROOT
from tests.fixtures.upload_files import GOOD, xlsx


def _cli(*args, db, data_dir):
    env = {**os.environ, "COCKPIT_DB_URL": db, "COCKPIT_DATA_DIR": str(data_dir), "COCKPIT_CONFIG": "",
           "COCKPIT_DEMO_ON_EMPTY": "0"}
    return subprocess.run([sys.executable, "-m", "cockpit", *args], cwd=ROOT, env=env, capture_output=True,
                          text=True, timeout=600)


def _evaluated(db: str) -> bool:
    engine = create_engine(db)
    try:
        with engine.connect() as conn:
            return conn.execute(select(func.count()).select_from(s.alert_events)).scalar() > 0 or \
                conn.execute(select(func.count()).select_from(s.alerts)).scalar() > 0
    finally:
        engine.dispose()


def test_cli_import_returns_when_stored_and_the_rules_are_evaluated_in_the_background(tmp_path, empty_db):
    db = empty_db
    good = tmp_path / "good.xlsx"
    good.write_bytes(xlsx(GOOD))
    r = _cli("import", str(good), "--user", "张三", db=db, data_dir=tmp_path)
    assert r.returncode == 0, r.stderr
    assert "已写入批次 #1" in r.stdout and "预警将在后台重新评估" in r.stdout
    assert "预警已重新评估" not in r.stdout  # not waited for in this process
    deadline = time.monotonic() + 300  # the background process is niced: slow on a loaded machine
    while not _evaluated(db) and time.monotonic() < deadline:
        time.sleep(2)
    assert _evaluated(db), (tmp_path / "logs" / "warnings-background.log").read_text(errors="replace")[-2000:]


def test_cli_import_with_evaluate_now_waits_for_the_rules(tmp_path, empty_db):
    db = empty_db
    good = tmp_path / "good.xlsx"
    good.write_bytes(xlsx(GOOD))
    r = _cli("import", str(good), "--evaluate-now", db=db, data_dir=tmp_path)
    assert r.returncode == 0, r.stderr
    assert "已写入批次 #1" in r.stdout and "预警已重新评估" in r.stdout and "条正在触发" in r.stdout
    assert _evaluated(db)


def test_cli_dry_run_starts_no_evaluation(tmp_path, empty_db):
    db = empty_db
    good = tmp_path / "good.xlsx"
    good.write_bytes(xlsx(GOOD))
    r = _cli("import", "--dry-run", str(good), db=db, data_dir=tmp_path)
    assert r.returncode == 0, r.stderr
    assert "预警" not in r.stdout and not (tmp_path / "logs" / "warnings-background.log").exists()
