"""Where the locks of cockpit.locks and cockpit.presence live: files beside an SQLite store
(flock: the kernel drops a lock with its holder), advisory keys in NAMESPACE on PostgreSQL.

Standard library only: the web server takes its presence lock (cockpit.presence) before it
listens, and importing SQLAlchemy or pandas there would delay every start by half a second.
"""
from __future__ import annotations

import os
from pathlib import Path
from urllib.parse import unquote

NAMESPACE = 0x5151  # first half of the two-int advisory key: ours, apart from anything else's


def sqlite_database(url: str) -> str | None:
    """The database part of an SQLite URL, as SQLAlchemy's make_url reads it (tests/test_backup.py
    compares the two): `sqlite:////abs/c.db` → /abs/c.db, `sqlite:///rel.db` → rel.db, `sqlite://` → None."""
    rest = url.split("://", 1)[1] if "://" in url else ""
    if not rest.startswith("/"):
        return None
    return unquote(rest[1:].split("?", 1)[0]) or None


def path(url: str, data_dir: Path | str, name: str) -> Path:
    database = sqlite_database(url)
    base = Path(database) if database and database != ":memory:" else Path(data_dir) / "memory"
    return base.with_name(f"{base.name}.{name}.lock")


def open_fd(url: str, data_dir: Path | str, name: str) -> int:
    """The descriptor of the lock file `name` beside the store at `url` (made on first use)."""
    p = path(url, data_dir, name)
    p.parent.mkdir(parents=True, exist_ok=True)
    return os.open(p, os.O_RDWR | os.O_CREAT, 0o600)
