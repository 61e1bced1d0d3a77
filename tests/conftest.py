"""Shared fixtures: real stores on real databases.

Store tests run on a fresh SQLite file, and also on PostgreSQL when
COCKPIT_TEST_PG_URL is set (make test starts a throwaway server and sets it).
"""
from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from cockpit.config import Settings  # noqa: E402
from cockpit.store import Store  # noqa: E402

DEMO_END = "2026-10"  # fixed so demo figures are the same on every run
DEMO_TICKETS = 4000


def _backends() -> list:
    out = ["sqlite"]
    if os.environ.get("COCKPIT_TEST_PG_URL"):
        out.append("postgresql")
    return out


def _reset_pg(url: str) -> None:
    engine = create_engine(url)
    with engine.begin() as conn:
        conn.execute(text("DROP SCHEMA IF EXISTS public CASCADE"))
        conn.execute(text("CREATE SCHEMA public"))
    engine.dispose()


def make_store(backend: str, tmp_path: Path) -> Store:
    if backend == "sqlite":
        url = f"sqlite:///{tmp_path / 'cockpit.db'}"
    else:
        url = os.environ["COCKPIT_TEST_PG_URL"]
        _reset_pg(url)
    return Store(url, Settings(data_dir=tmp_path, demo_on_empty=False))


@pytest.fixture(params=_backends())
def store(request, tmp_path) -> Store:
    """An initialised, empty store (plan and catalogue loaded, no figures)."""
    s = make_store(request.param, tmp_path)
    s.init()
    yield s
    s.engine.dispose()


@pytest.fixture(scope="session")
def demo_db(tmp_path_factory) -> str:
    """A SQLite file with the demo data, shared by page and browser tests (read-only use)."""
    from cockpit.bootstrap import load_demo
    path = tmp_path_factory.mktemp("demo") / "cockpit.db"
    s = Store(f"sqlite:///{path}", Settings(data_dir=path.parent, demo_on_empty=False))
    s.init()
    load_demo(s, tickets=DEMO_TICKETS, end=DEMO_END)
    s.engine.dispose()
    return f"sqlite:///{path}"


@pytest.fixture(scope="session")
def demo_store(demo_db) -> Store:
    return Store(demo_db, Settings(demo_on_empty=False))
