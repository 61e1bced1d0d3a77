"""/_cockpit/health, driven as the ASGI app it is: "ok" only while the database answers with a
schema this code can serve (Streamlit's /_stcore/health says "ok" whatever the database does). The e2e
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


def test_a_store_never_initialised_or_behind_is_healthy_and_one_ahead_is_not(tmp_path, store):
    # the first page this process serves migrates the first two; a balancer must let it come
    assert _health(Store(f"sqlite:///{tmp_path / 'new.db'}"))[:3:2] == (200, "ok")
    with store.engine.begin() as conn:  # an older release's schema
        conn.execute(text("UPDATE alembic_version SET version_num = '0001'"))
    assert _health(store)[:3:2] == (200, "ok")
    with store.engine.begin() as conn:  # a newer release migrated it: this process is the old one
        conn.execute(text("UPDATE alembic_version SET version_num = '9999'"))
    status, _, body = _health(store)
    assert status == 503 and body == f"数据库结构版本 9999 比本程序（{store.head_revision()}）新：请升级本程序"


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
