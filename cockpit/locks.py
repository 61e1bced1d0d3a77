"""Locks: one writer per upload dataset, one forecast refit per data folder.

Upload locks cannot outlive the work they guard.

A lock row that a writer deletes when it is done survives the writer when the database goes away
mid-commit, when the process is killed, when a container restart reuses its process id, and in
every backup taken while it was held: every later upload is then refused for nothing. So:

- on PostgreSQL the lock is an advisory lock of the commit's own transaction
  (pg_try_advisory_xact_lock): it ends with the transaction, whatever ends the transaction;
- on SQLite (one machine by nature) it is an exclusive file lock beside the database file
  (flock): the kernel drops it when the holder's file closes or its process dies.

Who holds it is written where a waiting writer can read it: the PostgreSQL session's
application_name, or the lock file's contents.

The forecast refit is not one transaction but minutes of work in a background process, so its
lock is a named row in the `locks` table (the same on both databases), taken over when its
holder's process is gone from this host or the row is older than `stale_after`.
"""
from __future__ import annotations

import contextlib
import datetime as dt
import fcntl
import logging
import os
import re
import socket
import zlib
from urllib.parse import quote, unquote

from sqlalchemy import delete, insert, select, text
from sqlalchemy.engine import Connection
from sqlalchemy.exc import IntegrityError

from . import lockfile, schema as s
from .lockfile import NAMESPACE
from .store import Store, now


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


def open_lock_file(store: Store, name: str) -> int:
    """The descriptor of the lock file beside an SQLite store, for flock (made on first use)."""
    return lockfile.open_fd(store.url, store.cfg.data_dir, name)


@contextlib.contextmanager
def _file_lock(store: Store, dataset: str, who: str):
    fd = open_lock_file(store, dataset)
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


# ---- named locks (table `locks`) for work longer than a transaction ----------------------------
log = logging.getLogger(__name__)
STALE_AFTER = dt.timedelta(minutes=30)
lk = s.locks.c


class Held(Exception):
    """Someone else holds the lock: who (the user part of the holder) and since when."""

    def __init__(self, who: str | None = None, since: dt.datetime | None = None):
        super().__init__(f"held by {who} since {since}")
        self.who, self.since = who, since


def holder_id(user: str) -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{user}"[:128]


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _stale(holder: str, acquired_at: dt.datetime, stale_after: dt.timedelta) -> bool:
    host, _, rest = holder.partition(":")
    pid = rest.partition(":")[0]
    if host == socket.gethostname() and pid.isdigit() and not _pid_alive(int(pid)):
        return True  # the process died: whatever it was doing was rolled back with it
    return now() - acquired_at > stale_after


def acquire(store: Store, name: str, user: str, stale_after: dt.timedelta = STALE_AFTER) -> str:
    """Take the lock or raise Held; returns the holder id to release it with."""
    me = holder_id(user)
    for _ in range(2):
        try:
            with store.begin() as conn:
                conn.execute(insert(s.locks).values(name=name, holder=me, acquired_at=now()))
            return me
        except IntegrityError:
            with store.begin() as conn:
                row = conn.execute(select(lk.holder, lk.acquired_at).where(lk.name == name)).first()
                if row is None:
                    continue  # released in between: try again
                if _stale(row.holder, row.acquired_at, stale_after):
                    log.warning("taking over stale lock %s from %s", name, row.holder)
                    conn.execute(delete(s.locks).where(lk.name == name, lk.holder == row.holder))
                    continue
                raise Held(row.holder.split(":", 2)[-1], row.acquired_at) from None
    raise Held()


def release(store: Store, name: str, holder: str) -> None:
    with store.begin() as conn:
        conn.execute(delete(s.locks).where(lk.name == name, lk.holder == holder))
