"""Is a web server using this store? Asked by `restore`, which must not overwrite the data under a
running cockpit.

Every web server holds a shared lock on its store for as long as it runs; a restore takes the same
lock exclusively, so it learns that a server is running, and no server starts while it restores.
Like the upload locks (cockpit.locks) the lock cannot outlive its holder: on SQLite a file lock
beside the database (flock: the kernel drops it with the process), on PostgreSQL a session
advisory lock (it ends with the connection). A row or file that a server deletes when it stops
would survive a killed server and refuse every later restore for nothing.
"""
from __future__ import annotations

import contextlib
import fcntl
import logging
import os
import socket
import threading
import zlib
from pathlib import Path
from typing import TYPE_CHECKING

from . import lockfile
from .lockfile import NAMESPACE

if TYPE_CHECKING:
    from .store import Store

log = logging.getLogger(__name__)
KEY = zlib.crc32(b"serving") & 0x7FFFFFFF
RECHECK_SECONDS = 60


class ServerRunning(Exception):
    """A web server holds the store; `who` says which, when it can be told."""

    def __init__(self, who: str):
        super().__init__(who)
        self.who = who


def _label() -> str:
    return f"cockpit-server {socket.gethostname()} pid {os.getpid()}"[:63]


class Held:
    """What a web server keeps for as long as it runs (see hold)."""

    def __init__(self, url: str, data_dir: Path | str):
        self.url, self.data_dir = url, data_dir
        self._engine = None
        self._fd: int | None = None
        self._conn = None
        self._stop = threading.Event()

    def acquire(self) -> None:
        if not self.url.startswith("sqlite"):
            from sqlalchemy import text  # here, not at import: an SQLite server starts without it

            from .store import make_engine
            self._engine = self._engine or make_engine(self.url)
            self._conn = self._engine.connect()
            self._conn.execute(text("SELECT set_config('application_name', :label, false)"), {"label": _label()})
            self._conn.execute(text("SELECT pg_advisory_lock_shared(:ns, :key)"), {"ns": NAMESPACE, "key": KEY})
            self._conn.commit()
            threading.Thread(target=self._keep, name="presence", daemon=True).start()
        else:
            self._fd = lockfile.open_fd(self.url, self.data_dir, "serving")
            fcntl.flock(self._fd, fcntl.LOCK_SH)  # waits while a restore holds it

    def _keep(self) -> None:
        """A restarted PostgreSQL drops the lock with the connection: take it again."""
        from sqlalchemy import text
        while not self._stop.wait(RECHECK_SECONDS):
            try:
                self._conn.execute(text("SELECT 1"))
            except Exception:  # noqa: BLE001 - any failure means the lock may be gone
                log.warning("presence lock lost with its connection; taking it again")
                with contextlib.suppress(Exception):
                    self._conn.close()
                with contextlib.suppress(Exception):
                    self.acquire()
                return  # acquire() started a new keeper

    def release(self) -> None:
        self._stop.set()
        if self._conn is not None:
            # Closing would hand the session, and its lock, back to the pool: end the session itself.
            with contextlib.suppress(Exception):
                self._conn.invalidate()
        if self._fd is not None:
            os.close(self._fd)


def hold(url: str, data_dir: Path | str) -> Held:
    """Mark the store at `url` as served by this process until it exits (or release())."""
    held = Held(url, data_dir)
    held.acquire()
    return held


@contextlib.contextmanager
def exclusive(store: Store):
    """Hold the store against every web server; ServerRunning when one is running."""
    from sqlalchemy import text
    if store.engine.dialect.name == "postgresql":
        with store.engine.connect() as conn:
            got = conn.execute(text("SELECT pg_try_advisory_lock(:ns, :key)"), {"ns": NAMESPACE, "key": KEY}).scalar()
            if not got:
                who = conn.execute(text(
                    "SELECT string_agg(DISTINCT a.application_name, '、') FROM pg_locks l "
                    "JOIN pg_stat_activity a ON a.pid = l.pid WHERE l.locktype = 'advisory' "
                    "AND l.classid = :ns AND l.objid = :key AND l.granted"), {"ns": NAMESPACE, "key": KEY}).scalar()
                raise ServerRunning(who or "另一台机器上的驾驶舱服务")
            conn.commit()
            try:
                yield
            finally:
                conn.execute(text("SELECT pg_advisory_unlock(:ns, :key)"), {"ns": NAMESPACE, "key": KEY})
                conn.commit()
        return
    fd = lockfile.open_fd(store.url, store.cfg.data_dir, "serving")
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise ServerRunning("本机上的驾驶舱服务") from None
        yield
    finally:
        os.close(fd)
