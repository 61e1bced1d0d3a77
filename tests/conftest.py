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


def _navigation_only() -> None:
    """AppTest resets Streamlit's v1 "pages/ folder" mode before every run, and because our page
    scripts live in pages/, switch_page() would then run a page script without app.py: no login
    gate, no page config, no navigation. `python -m cockpit serve` switches that mode off; so do
    the tests, so that every AppTest run goes through app.py as a browser's would."""
    from streamlit.runtime.pages_manager import PagesManager
    if getattr(PagesManager.__init__, "navigation_only", False):
        return
    original = PagesManager.__init__

    def init(self, *args, **kwargs):
        original(self, *args, **kwargs)
        PagesManager.uses_pages_directory = False
    init.navigation_only = True
    PagesManager.__init__ = init


_navigation_only()

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


@pytest.fixture
def empty_db(tmp_path) -> str:
    """The URL of an initialised SQLite store with the plan and no figures, at tmp_path/c.db: the
    command line never begins a store on `import` or `pull` (a mistyped path filled a new one)."""
    s = Store(f"sqlite:///{tmp_path / 'c.db'}", Settings(data_dir=tmp_path, demo_on_empty=False))
    s.init()
    s.engine.dispose()
    return s.url


@pytest.fixture(scope="session")
def demo_db(tmp_path_factory) -> str:
    """A SQLite file with the demo data, shared by page and browser tests (read-only use)."""
    from service.bootstrap import load_demo
    path = tmp_path_factory.mktemp("demo") / "cockpit.db"
    s = Store(f"sqlite:///{path}", Settings(data_dir=path.parent, demo_on_empty=False))
    s.init()
    load_demo(s, tickets=DEMO_TICKETS, end=DEMO_END)
    s.engine.dispose()
    return f"sqlite:///{path}"


@pytest.fixture(scope="session")
def demo_store(demo_db) -> Store:
    return Store(demo_db, Settings(demo_on_empty=False))


@pytest.fixture(scope="session")
def renderer():
    """The picture renderer (kaleido + Chromium), started once for the session; only tests that
    draw pictures ask for it, the rest never start a browser."""
    from service import briefing_render
    briefing_render.start()


@pytest.fixture(autouse=True)
def _fresh_settings():
    """Settings are cached per process; tests that change COCKPIT_* see their own."""
    from cockpit import config
    config.settings.cache_clear()
    yield
    config.settings.cache_clear()


def copy_db(db_url: str, path: Path) -> str:
    """A private copy of a SQLite store: whatever writes to it (a test, a server's background
    refit) leaves the shared demo store as every other test expects it."""
    import shutil
    shutil.copy(db_url.split("///", 1)[1], path)
    return f"sqlite:///{path}"


@pytest.fixture
def demo_copy(demo_db, tmp_path) -> str:
    """A private copy of the demo store, for tests that write."""
    return copy_db(demo_db, tmp_path / "cockpit.db")


def point_app(monkeypatch, db_url: str) -> None:
    """Aim the app (and every cache) at db_url for this test."""
    import streamlit as st

    from cockpit import config
    monkeypatch.setenv("COCKPIT_DB_URL", db_url)
    monkeypatch.setenv("COCKPIT_CONFIG", "")
    # Page tests read what the page shows now; a forecast refit finishing in the background
    # mid-test would re-evaluate alerts under them. Refits have their own tests.
    monkeypatch.setattr("service.warnings.refresh_in_background", lambda *a, **k: False)
    config.settings.cache_clear()
    st.cache_data.clear()
    st.cache_resource.clear()


def open_app(monkeypatch=None, db_url: str | None = None, page: str | None = None, *,
             query: dict | None = None, login: tuple[str, str] | None = None, check: bool = True):
    """The whole app in AppTest, optionally logged in and on `page`.

    With monkeypatch and db_url: pointed at db_url with every cache cleared. Without: a
    second session on the same store, sharing the process's caches (as a second browser would).
    """
    from streamlit.testing.v1 import AppTest
    if monkeypatch is not None:
        point_app(monkeypatch, db_url)
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=90)
    for k, v in (query or {}).items():
        at.query_params[k] = v
    at.run()
    if login:
        at.text_input(key="login_name").input(login[0])
        at.text_input(key="login_password").input(login[1])
        next(b for b in at.button if b.label == "登录").click().run()
    if page:
        at.switch_page(page).run()
    if check:
        assert not at.exception, [e.message for e in at.exception]
    return at


def metric(at, label: str):
    """The one metric labelled `label`, or else the one whose label starts with it (labels
    often end with their period, e.g. 社会消费品零售总额（2026年1—10月累计）)."""
    hits = [m for m in at.metric if m.label == label] or [m for m in at.metric if m.label.startswith(label)]
    assert len(hits) == 1, [m.label for m in at.metric]
    return hits[0]


def tables(at, *columns: str) -> list:
    """The tables carrying all `columns`, in page order (every table is a ui.tables st.table)."""
    return [d.value for d in at.table if all(c in d.value.columns for c in columns)]


def table(at, *columns: str):
    """The first table carrying all `columns`."""
    hits = tables(at, *columns)
    assert hits, f"no table with {columns}: {[list(d.value.columns) for d in at.table]}"
    return hits[0]


def table_element(at, *columns: str):
    """The first table element carrying all `columns` (for its styles and shown text)."""
    return next(d for d in at.table if all(c in d.value.columns for c in columns))


def shown_cells(element):
    """What a reader sees in each cell of a ui.tables table, as a frame: the Styler's display text
    with its Markdown escapes read (as the browser renders them)."""
    import re

    from streamlit import dataframe_util
    shown = dataframe_util.convert_arrow_bytes_to_pandas_df(element.proto.arrow_data.styler.display_values)
    return shown.map(lambda x: re.sub(r"\\(.)", r"\1", x).replace("\u200b", "") if isinstance(x, str) else x)


def table_backgrounds(element) -> dict[tuple[int, int], str]:
    """(row, column) -> background colour of a styled AppTest table, read from the CSS the browser gets."""
    import re
    out = {}
    for selectors, body in re.findall(r"([^{}]+)\{([^}]*)\}", element.proto.arrow_data.styler.styles):
        colour = re.search(r"background-color:\s*(#[0-9a-fA-F]{6})", body)
        for row, col in re.findall(r"row(\d+)_col(\d+)", selectors):
            if colour:
                out[(int(row), int(col))] = colour.group(1).lower()
    return out
