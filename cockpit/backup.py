"""Backups a city can restore: SQLite's online backup API, pg_dump for PostgreSQL.

Each backup has a manifest (row counts, and each batch's id, status and sha256) so a
restore can prove it reproduced what was saved.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.engine import URL, make_url

from . import schema as s
from .store import Store

COUNTED = ("upload_batches", "observations", "task_progress", "emergency_events", "hotline_tickets",
           "alerts", "annotations", "users", "audit_log")


def manifest(store: Store) -> dict:
    with store.engine.connect() as conn:
        counts = {t: int(conn.execute(select(func.count()).select_from(s.metadata.tables[t])).scalar())
                  for t in COUNTED}
        b = s.upload_batches.c
        batches = [f"{r.id}:{r.status}:{r.sha256 or ''}:{r.row_count}"
                   for r in conn.execute(select(b.id, b.status, b.sha256, b.row_count).order_by(b.id))]
    return {"counts": counts, "batches_sha256": hashlib.sha256("\n".join(batches).encode()).hexdigest(),
            "schema": store.schema_revision()}


def _libpq(url: str) -> tuple[str, dict[str, str]]:
    """The libpq address without its password, and an environment that carries the password:
    a command line is readable by every user of the machine (ps), the environment is not."""
    u = make_url(url)
    env = {**os.environ}
    if u.password:
        env["PGPASSWORD"] = str(u.password)
    bare = URL.create("postgresql", u.username, None, u.host, u.port, u.database, u.query)
    return bare.render_as_string(hide_password=False), env


def _tool(name: str) -> str:
    path = shutil.which(name) or next(iter(sorted(Path("/usr/lib/postgresql").glob(f"*/bin/{name}"))), None)
    if not path:
        raise OSError(f"找不到 {name}，请安装 PostgreSQL 客户端（Debian 软件包 postgresql-client）")
    return str(path)


def backup(store: Store, out: Path | None = None) -> Path:
    stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
    folder = store.cfg.data_dir / "backups"
    if store.engine.dialect.name == "sqlite":
        out = Path(out or folder / f"cockpit-{stamp}.db")
        out.parent.mkdir(parents=True, exist_ok=True)
        src = sqlite3.connect(make_url(store.url).database)
        dst = sqlite3.connect(out)
        with dst:
            src.backup(dst)  # consistent even while the cockpit writes
        src.close()
        dst.close()
    else:
        out = Path(out or folder / f"cockpit-{stamp}.dump")
        out.parent.mkdir(parents=True, exist_ok=True)
        address, env = _libpq(store.url)
        subprocess.run([_tool("pg_dump"), "--format=custom", "--no-owner", "-f", str(out), address],
                       check=True, capture_output=True, text=True, env=env)
    Path(f"{out}.manifest.json").write_text(json.dumps(manifest(store), ensure_ascii=False, indent=2),
                                           encoding="utf-8")
    return out


def restore(store: Store, source: Path) -> dict:
    """Replace the store's contents with the backup; returns the verified manifest."""
    source = Path(source)
    if not source.is_file():
        raise OSError(f"备份文件不存在：{source}")
    expected_file = Path(f"{source}.manifest.json")
    expected = json.loads(expected_file.read_text(encoding="utf-8")) if expected_file.is_file() else None
    store.engine.dispose()
    if store.engine.dialect.name == "sqlite":
        src = sqlite3.connect(source)
        dst = sqlite3.connect(make_url(store.url).database)
        with dst:
            src.backup(dst)
        src.close()
        dst.close()
    else:
        address, env = _libpq(store.url)
        res = subprocess.run([_tool("pg_restore"), "--clean", "--if-exists", "--no-owner", "--single-transaction",
                              "-d", address, str(source)], capture_output=True, text=True, env=env)
        if res.returncode != 0:
            raise OSError(f"恢复失败：{res.stderr.strip()[:500]}")
    got = manifest(store)
    if expected is not None and got != expected:
        raise OSError(f"恢复后的数据与备份清单不一致：期望 {expected}，实际 {got}")
    return got
