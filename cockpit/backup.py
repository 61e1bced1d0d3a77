"""Backups a city can restore: SQLite's online backup API, pg_dump for PostgreSQL.

Each backup has a manifest (row counts, each batch's id and status, and a checksum over the
batches) so a restore can prove it reproduced what was saved, and can say beforehand which
batches of the current store it would take away (`lost`).
"""
from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
from pathlib import Path

import pandas as pd
from sqlalchemy import func, select
from sqlalchemy.engine import URL, make_url

from . import schema as s, sessions
from .store import Store

COUNTED = ("upload_batches", "observations", "task_progress", "emergency_events", "hotline_tickets",
           "alerts", "annotations", "users", "audit_log")


def manifest(store: Store) -> dict:
    with store.engine.connect() as conn:
        counts = {t: int(conn.execute(select(func.count()).select_from(s.metadata.tables[t])).scalar())
                  for t in COUNTED}
        b = s.upload_batches.c
        rows = conn.execute(select(b.id, b.status, b.sha256, b.row_count).order_by(b.id)).all()
    batches = [f"{r.id}:{r.status}:{r.sha256 or ''}:{r.row_count}" for r in rows]
    return {"counts": counts, "batches_sha256": hashlib.sha256("\n".join(batches).encode()).hexdigest(),
            "schema": store.schema_revision(), "batches": [[r.id, r.status] for r in rows]}


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


def backup(store: Store, out: Path | None = None, name: str = "cockpit") -> Path:
    """Back the store up to `out` (default data/backups/<name>-<time>.db or .dump, never an
    earlier backup's name)."""
    sqlite = store.engine.dialect.name == "sqlite"
    claimed = out is None or Path(out).is_dir()  # --out a folder: a new file in it, named as in data/backups
    folder = store.cfg.data_dir / "backups" if out is None else Path(out)
    out = _new_file(folder, name, ".db" if sqlite else ".dump") if claimed else Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    try:
        if sqlite:
            src = sqlite3.connect(make_url(store.url).database)
            dst = sqlite3.connect(out)
            with dst:
                src.backup(dst)  # consistent even while the cockpit writes
            src.close()
            dst.close()
        else:
            address, env = _libpq(store.url)
            res = subprocess.run([_tool("pg_dump"), "--format=custom", "--no-owner", "-f", str(out), address],
                                 capture_output=True, text=True, env=env)
            if res.returncode != 0:  # its reason (authentication, version) was thrown away under a traceback
                raise OSError(f"备份失败：pg_dump 报告：{res.stderr.strip()[:500] or f'退出码 {res.returncode}'}")
        # The manifest too: a backup without one (a store with no tables) cannot be restored with checks.
        Path(f"{out}.manifest.json").write_text(json.dumps(manifest(store), ensure_ascii=False, indent=2),
                                               encoding="utf-8")
        # Readable by its owner only: it holds password hashes, sessions and the server's secrets
        # (created 0644, every account on the machine could copy them).
        for path in (out, Path(f"{out}.manifest.json")):
            path.chmod(0o600)
    except BaseException:
        if claimed:  # no empty or half-written file left behind under a backup's name
            out.unlink(missing_ok=True)
        raise
    return out


def _new_file(folder: Path, name: str, suffix: str) -> Path:
    """<name>-<time><suffix>, claimed before it is written: two backups within one second (a
    restore's safety copy taken right after another restore) must not write over each other, least
    of all over the very file being restored, which would leave nothing to undo it with."""
    folder.mkdir(parents=True, exist_ok=True)
    stem = f"{name}-{dt.datetime.now():%Y%m%d-%H%M%S}"
    for n in range(1, 1000):
        out = folder / (f"{stem}{suffix}" if n == 1 else f"{stem}-{n}{suffix}")
        try:
            out.open("xb").close()  # exclusive: another process taking the same name fails here
            return out
        except FileExistsError:
            continue
    raise OSError(f"备份目录 {folder} 中同一秒的备份文件过多")


def _saved(source: Path) -> dict | None:
    path = Path(f"{source}.manifest.json")
    return json.loads(path.read_text(encoding="utf-8")) if path.is_file() else None


def _saved_batches(source: Path) -> dict[int, str] | None:
    """id -> status of the batches in a backup: from its manifest, or read from a SQLite backup
    made before manifests listed them; None when neither can tell (an old PostgreSQL dump)."""
    saved = _saved(source) or {}
    if "batches" in saved:
        return {int(i): st for i, st in saved["batches"]}
    try:
        with contextlib.closing(sqlite3.connect(f"file:{source}?mode=ro", uri=True)) as conn:
            return dict(conn.execute("SELECT id, status FROM upload_batches").fetchall())
    except sqlite3.DatabaseError:
        return None


def lost(store: Store, source: Path) -> pd.DataFrame | None:
    """The current store's batches that restoring `source` would take away: committed after the
    backup, or rolled back or retired since (`change`: new | status). None when the backup does
    not say which batches it holds."""
    saved = _saved_batches(Path(source))
    if saved is None:
        return None
    b = s.upload_batches.c
    now_ = store.frame(select(b.id, b.dataset, b.source, b.file_name, b.created_by, b.created_at, b.status)
                       .order_by(b.id))
    change = ["new" if i not in saved else ("status" if saved[i] != st else None)
              for i, st in zip(now_.id, now_.status)]
    return (now_.assign(change=change, was=[saved.get(i) for i in now_.id])  # `was`: its status in the backup
            .dropna(subset=["change"]).reset_index(drop=True))


class Mismatch(OSError):
    """The restored store is not what the backup's manifest says it held."""


def check(store: Store, source: Path) -> None:
    """Refuse a backup that cannot be restored whole, before anything is copied or replaced: a
    SQLite file with a zeroed page passed the manifest's counts and left 12345's table unreadable;
    a truncated one or a text file failed half-way with a traceback."""
    source = Path(source)
    if not source.is_file():
        raise OSError(f"备份文件不存在：{source}")
    if store.engine.dialect.name == "sqlite":
        try:
            with contextlib.closing(sqlite3.connect(f"file:{source}?mode=ro", uri=True)) as conn:
                found = [r[0] for r in conn.execute("PRAGMA quick_check").fetchall()]
        except sqlite3.DatabaseError as exc:
            raise OSError(f"备份文件 {source} 不是完整的 SQLite 数据库（{_sqlite_words(exc)}），未恢复") from None
        if found != ["ok"]:
            raise OSError(f"备份文件 {source} 已损坏（数据库自检发现 {len(found)} 处错误，如：{found[0]}），未恢复")
    else:
        res = subprocess.run([_tool("pg_restore"), "--list", str(source)], capture_output=True, text=True)
        if res.returncode != 0:
            raise OSError(f"备份文件 {source} 不是完整的 pg_dump 备份（{res.stderr.strip()[:200]}），未恢复")
    try:
        _saved(source)
    except (ValueError, UnicodeDecodeError):
        raise OSError(f"备份清单 {source}.manifest.json 无法读取（不是有效的 JSON），未恢复") from None


def _sqlite_words(exc: sqlite3.DatabaseError) -> str:
    text = str(exc)
    return {"file is not a database": "不是数据库文件",
            "database disk image is malformed": "文件不完整或已损坏"}.get(text, text)


def restore(store: Store, source: Path, *, checked: bool = False) -> dict:
    """Replace the store's contents with the backup; returns the verified manifest. Every login
    ends (the restored sessions table would bring back sessions ended since). `checked`: the
    caller has run check() (it reads the whole file once, not twice)."""
    source = Path(source)
    if not checked:
        check(store, source)
    expected = _saved(source)
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
    if expected is not None and {k: got.get(k) for k in expected} != expected:  # older manifests list less
        raise Mismatch("；".join(_differences(expected, got)))
    store.migrate()  # a backup from an older version: bring it to this version's schema
    with store.begin() as conn:
        sessions.end_user(conn, None, "restore")
        store.audit(conn, "cli", "restore", source.name, f"批次 {got['counts']['upload_batches']} 个")
    return got


def _differences(expected: dict, got: dict) -> list[str]:
    """What the manifest and the restored store disagree on, one short line each (the whole of
    both manifests was a kilobyte of dictionary on the operator's screen)."""
    out = [f"{t} 表 {n} 行，实际 {got['counts'].get(t)} 行" for t, n in expected.get("counts", {}).items()
           if got["counts"].get(t) != n]
    if expected.get("batches_sha256") not in (None, got.get("batches_sha256")):
        out.append("批次校验值不同")
    if expected.get("schema") not in (None, got.get("schema")):
        out.append(f"结构版本 {expected['schema']}，实际 {got.get('schema')}")
    return out or ["批次列表不同"]
