"""/_cockpit/health, driven as the ASGI app it is: "ok" only while the database answers and holds
this code's schema (Streamlit's /_stcore/health says "ok" whatever the database does). The e2e
side, a PostgreSQL stopped under a running server, is in tests/e2e/test_wall.py."""
from __future__ import annotations

import socket

import pytest
from sqlalchemy import text

from cockpit.store import Store
from tests.test_sessions import _get
from ui.server import HEALTH_PATH, Health


def _health(store: Store, method: str = "GET", query: str = ""):
    async def streamlit(scope, receive, send):
        raise AssertionError("the health route passed a request on")
    return _get(Health(streamlit, store=store), query, method=method, path=HEALTH_PATH)


def test_a_migrated_store_is_healthy(store):
    status, headers, body = _health(store)
    assert (status, body) == (200, "ok")
    assert headers["cache-control"] == "no-store" and headers["content-type"].startswith("text/plain")


def test_a_database_that_does_not_answer_is_503_and_says_so_in_chinese(tmp_path):
    with socket.socket() as s:  # a port nothing listens on: the connection is refused at once
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    status, _, body = _health(Store(f"postgresql+psycopg://cockpit:secret@127.0.0.1:{port}/cockpit"))
    assert (status, body) == (503, "数据库无法连接")  # neither the address nor the password


def test_a_store_never_initialised_or_behind_this_code_is_503_naming_the_command(tmp_path, store):
    status, _, body = _health(Store(f"sqlite:///{tmp_path / 'new.db'}"))
    assert status == 503 and body == "数据库尚未初始化：请运行 python -m cockpit init"
    with store.engine.begin() as conn:  # an older release's schema
        conn.execute(text("UPDATE alembic_version SET version_num = '0001'"))
    status, _, body = _health(store)
    assert status == 503 and "数据库结构版本 0001 与本程序" in body and "python -m cockpit init" in body


@pytest.mark.parametrize("method, query", [("HEAD", ""), ("POST", ""), ("GET", "x=" + "%00" * 1000)])
def test_any_request_to_it_gets_the_status_and_nothing_more(store, method, query):
    status, _, body = _health(store, method, query)
    assert status == 200 and body in ("ok", "")  # a HEAD answer has no body


def test_every_other_path_goes_on_to_streamlit(store):
    passed = []

    async def streamlit(scope, receive, send):
        passed.append(scope["path"])
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b"streamlit"})
    for path in ("/_stcore/health", "/_cockpit/healthz", "/"):
        assert _get(Health(streamlit, store=store), "", path=path)[2] == "streamlit"
    assert passed == ["/_stcore/health", "/_cockpit/healthz", "/"]
