"""One writer per dataset at a time, with locks that cannot outlive the work they guard.

A lock row that a writer deletes when it is done survives the writer when the database goes away
mid-commit, when the process is killed, when a container restart reuses its process id, and in
every backup taken while it was held: every later upload is then refused for nothing. So:

- on PostgreSQL the lock is an advisory lock of the commit's own transaction
  (pg_try_advisory_xact_lock): it ends with the transaction, whatever ends the transaction;
- on SQLite (one machine by nature) it is an exclusive file lock beside the database file
  (flock): the kernel drops it when the holder's file closes or its process dies.

Who holds it is written where a waiting writer can read it: the PostgreSQL session's
application_name, or the lock file's contents.
"""
from __future__ import annotations

import contextlib
import datetime as dt
import fcntl
import os
import re
import zlib
from pathlib import Path
from urllib.parse import quote, unquote

from sqlalchemy import text
from sqlalchemy.engine import Connection, make_url

from .store import Store, now

NAMESPACE = 0x5151  # first half of the two-int advisory key: ours, apart from anything else's


class Busy(Exception):
    """Another writer of the same dataset is in the middle of its commit."""


def _message(who: str, since: str) -> str:
    return (f"{who or '另一位用户'} 正在写入同一类数据{f'（{since} 开始）' if since else ''}，为免混批，本次未写入；"
            "请稍候片刻再提交。")


def _key(dataset: str) -> int:
    return zlib.crc32(f"upload:{dataset}".encode()) & 0x7FFFFFFF


@contextlib.contextmanager
def transaction(store: Store, datasets: list[str], who: str):
    """A write transaction that holds the locks of `datasets` until it has committed or rolled
    back; Busy (before anything is written) when another writer holds one of them."""
    names = sorted(set(datasets))  # one order everywhere: two writers never wait on each other
    if store.engine.dialect.name == "postgresql":
        with store.begin() as conn:
            _advisory(conn, names, who)
            yield conn
        return
    with contextlib.ExitStack() as held:
        for name in names:
            held.enter_context(_file_lock(store, name, who))
        with store.begin() as conn:
            yield conn


def _advisory(conn: Connection, names: list[str], who: str) -> None:
    # application_name holds printable ASCII only (63 bytes): the name travels percent-encoded.
    label = re.sub(r"%[0-9A-F]?$", "", f"cockpit {now():%H:%M:%S} {quote(who)}"[:63])
    conn.execute(text("SELECT set_config('application_name', :label, true)"), {"label": label})
    for name in names:
        got = conn.execute(text("SELECT pg_try_advisory_xact_lock(:ns, :key)"),
                           {"ns": NAMESPACE, "key": _key(name)}).scalar()
        if not got:
            holder = conn.execute(text(
                "SELECT a.application_name FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid "
                "WHERE l.locktype = 'advisory' AND l.classid = :ns AND l.objid = :key AND l.granted "
                "AND l.pid <> pg_backend_pid() LIMIT 1"), {"ns": NAMESPACE, "key": _key(name)}).scalar() or ""
            parts = holder.split(" ", 2)
            raise Busy(_message(unquote(parts[2]) if len(parts) == 3 else "", parts[1] if len(parts) == 3 else ""))


def lock_path(store: Store, dataset: str) -> Path:
    database = make_url(store.url).database or ""
    base = Path(database) if database and database != ":memory:" else Path(store.cfg.data_dir) / "memory"
    return base.with_name(f"{base.name}.{dataset}.lock")


@contextlib.contextmanager
def _file_lock(store: Store, dataset: str, who: str):
    path = lock_path(store, dataset)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.pread(fd, 512, 0).decode("utf-8", "replace").split("\n", 1)
            raise Busy(_message(holder[-1] if len(holder) == 2 else "", holder[0] if len(holder) == 2 else ""))
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"{dt.datetime.now():%H:%M:%S}\n{who}".encode(), 0)
        try:
            yield
        finally:
            os.ftruncate(fd, 0)
            fcntl.flock(fd, fcntl.LOCK_UN)
    finally:
        os.close(fd)
