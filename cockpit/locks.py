"""Named locks in the database (table `locks`), the same on SQLite and PostgreSQL: one writer
per upload dataset, one forecast refit per data folder, across every process on the store.

A holder is "host:pid:user". A lock whose process died on this host (killed mid-import: its
transaction was rolled back) or that is older than `stale_after` is taken over.
"""
from __future__ import annotations

import datetime as dt
import logging
import os
import socket

from sqlalchemy import delete, insert, select
from sqlalchemy.exc import IntegrityError

from . import schema as s
from .store import Store, now

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
