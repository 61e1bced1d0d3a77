"""The login cookie: signing, the one-time ticket, revocation, and the web server's exchange route
(ui/server.SessionCookie, driven as the ASGI app it is). Chromium's side is tests/e2e/test_login_cookie.py."""
from __future__ import annotations

import asyncio
import datetime as dt
from urllib.parse import urlencode

import pytest
from itsdangerous import URLSafeSerializer
from sqlalchemy import func, select

from cockpit import auth, schema as s, sessions
from cockpit.store import now
from ui.server import LOGIN_PATH, SessionCookie, safe_next

PW = "correct horse battery"
MINUTES = 480


@pytest.fixture
def db(store):
    auth.add_user(store, "领导甲", "leader", PW)
    return store


def _cookie(db, name="领导甲"):
    _, ticket = sessions.start(db, name)
    return sessions.redeem(db, ticket)


def test_a_redeemed_ticket_gives_a_signed_cookie_that_resumes_the_session(db):
    session, ticket = sessions.start(db, "领导甲")
    cookie = sessions.redeem(db, ticket)
    assert sessions.resume(db, cookie, MINUTES) == session
    assert ticket not in cookie
    stored = db.first(select(s.login_sessions))
    assert stored["sid_hash"] and stored["ticket_hash"] is None  # only hashes are kept


def test_a_ticket_opens_once_and_not_after_two_minutes(db):
    _, ticket = sessions.start(db, "领导甲")
    sessions.redeem(db, ticket)
    with pytest.raises(sessions.Refused, match="登录凭据无效"):
        sessions.redeem(db, ticket)  # replayed
    _, late = sessions.start(db, "领导甲", at=now() - dt.timedelta(seconds=sessions.TICKET_SECONDS + 1))
    with pytest.raises(sessions.Refused, match="登录凭据无效"):
        sessions.redeem(db, late)


@pytest.mark.parametrize("forge", [
    lambda good, db: "",
    lambda good, db: "x" * 5000,
    lambda good, db: good[:-6] + ("A" if good[-6] != "A" else "B") + good[-5:],  # the signature tampered
    lambda good, db: "Imd1ZXNzZWQi" + good[good.index("."):],  # another secret under the old signature
    lambda good, db: URLSafeSerializer("a key of our own", salt="cockpit-session").dumps("guessed"),
    lambda good, db: sessions._signer(db).dumps("a secret never issued"),
    lambda good, db: sessions._signer(db).dumps(["not", "a", "string"]),
])
def test_a_forged_or_tampered_cookie_is_refused(db, forge):
    good = _cookie(db)
    with pytest.raises(sessions.Refused, match="登录凭据无效"):
        sessions.resume(db, forge(good, db), MINUTES)
    assert sessions.resume(db, good, MINUTES).user_name == "领导甲"  # the real one still works


def test_an_idle_session_ends_and_stays_ended(db):
    session, ticket = sessions.start(db, "领导甲")
    cookie = sessions.redeem(db, ticket)
    later = now() + dt.timedelta(minutes=MINUTES + 1)
    with pytest.raises(sessions.Refused, match="登录已超时"):
        sessions.resume(db, cookie, MINUTES, at=later)
    with pytest.raises(sessions.Refused, match="登录已超时"):
        sessions.check(db, session.id, MINUTES)  # back inside the window: still ended


def test_activity_keeps_a_session_alive_past_session_minutes_since_the_login(db):
    session, ticket = sessions.start(db, "领导甲")
    cookie = sessions.redeem(db, ticket)
    for minutes in (300, 600, 900):  # a click every five hours, 480 minutes idle allowed
        assert sessions.resume(db, cookie, MINUTES, at=now() + dt.timedelta(minutes=minutes)) == session


@pytest.mark.parametrize("revoke,message", [
    (lambda db, sid: sessions.end(db, sid, "logout", actor="领导甲"), "已退出登录"),
    (lambda db, sid: auth.reset_password(db, "领导甲", "another long password", actor="管理员"), "密码已修改"),
    (lambda db, sid: auth.set_disabled(db, "领导甲", True, actor="管理员"), "已被停用"),
])
def test_logout_a_password_change_and_disabling_revoke_every_cookie_of_the_user(db, revoke, message):
    auth.add_user(db, "领导乙", "leader", PW)
    session, ticket = sessions.start(db, "领导甲")
    first, second, other = sessions.redeem(db, ticket), _cookie(db), _cookie(db, "领导乙")
    revoke(db, session.id)
    with pytest.raises(sessions.Refused, match=message):
        sessions.resume(db, first, MINUTES)  # replayed after the revocation
    if message != "已退出登录":  # a logout ends that login; the other two end all of the user's
        with pytest.raises(sessions.Refused, match=message):
            sessions.resume(db, second, MINUTES)
    else:
        assert sessions.resume(db, second, MINUTES).user_name == "领导甲"
    assert sessions.resume(db, other, MINUTES).user_name == "领导乙"


def test_a_logout_is_written_to_the_audit_log(db):
    session, _ = sessions.start(db, "领导甲")
    sessions.end(db, session.id, "logout", actor="领导甲")
    log = db.frame(select(s.audit_log.c.actor, s.audit_log.c.action))
    assert ("领导甲", "logout") in set(zip(log.actor, log.action))


def test_every_server_of_a_store_signs_with_the_same_key(db, tmp_path):
    from cockpit.store import Store
    cookie = _cookie(db)
    other = Store(db.url, db.cfg)  # a second web server process on the same database
    assert sessions.resume(other, cookie, MINUTES).user_name == "领导甲"
    assert db.scalar(select(func.count()).select_from(s.server_secrets)) == 1


# ---- the web server's exchange route, as an ASGI app ----------------------------------------------
def _get(app, query: str, method: str = "GET", headers=(), path: str = LOGIN_PATH):
    sent = []

    async def receive():
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message):
        sent.append(message)

    scope = {"type": "http", "method": method, "path": path, "query_string": query.encode(),
             "headers": [(k.encode(), v.encode()) for k, v in headers], "scheme": "http",
             "server": ("127.0.0.1", 8501), "client": ("127.0.0.1", 5000), "root_path": "", "http_version": "1.1"}
    asyncio.run(app(scope, receive, send))
    start = next(m for m in sent if m["type"] == "http.response.start")
    body = b"".join(m.get("body", b"") for m in sent if m["type"] == "http.response.body").decode()
    return start["status"], {k.decode(): v.decode() for k, v in start["headers"]}, body


def _app(db):
    async def streamlit(scope, receive, send):  # anything else goes on to Streamlit
        raise AssertionError("the exchange route passed a request on")
    return SessionCookie(streamlit, store=db)


def test_the_exchange_sets_an_httponly_samesite_cookie_and_returns_to_the_page_asked_for(db):
    session, ticket = sessions.start(db, "领导甲")
    status, headers, _ = _get(_app(db), urlencode({"ticket": ticket, "next": "/economy?region=411481&basis=ytd"}))
    assert status == 303 and headers["location"] == "/economy?region=411481&basis=ytd"
    cookie = headers["set-cookie"]
    assert cookie.startswith(f"{sessions.COOKIE}=") and "HttpOnly" in cookie and "SameSite=lax" in cookie
    assert "Path=/" in cookie and "Secure" not in cookie and "Max-Age" not in cookie
    value = cookie.split(";", 1)[0].split("=", 1)[1].strip('"')
    assert sessions.resume(db, value, MINUTES) == session


def test_behind_an_https_proxy_the_cookie_is_secure(db):
    _, ticket = sessions.start(db, "领导甲")
    _, headers, _ = _get(_app(db), urlencode({"ticket": ticket}), headers=[("x-forwarded-proto", "https")])
    assert "Secure" in headers["set-cookie"] and headers["location"] == "/"


@pytest.mark.parametrize("ticket", ["", "nonsense", "x" * 100_000, "票据", "'; DROP TABLE users; --", "%00"])
def test_a_bad_ticket_gets_a_chinese_page_and_no_cookie(db, ticket):
    before = db.frame(select(s.login_sessions))
    status, headers, body = _get(_app(db), urlencode({"ticket": ticket, "next": "/economy"}))
    assert status == 400 and "set-cookie" not in headers and "登录凭据无效或已失效" in body
    assert "Traceback" not in body and db.frame(select(s.login_sessions)).equals(before)


def test_a_replayed_ticket_sets_no_second_cookie(db):
    _, ticket = sessions.start(db, "领导甲")
    assert _get(_app(db), urlencode({"ticket": ticket}))[0] == 303
    status, headers, _ = _get(_app(db), urlencode({"ticket": ticket}))
    assert status == 400 and "set-cookie" not in headers


def test_the_route_answers_get_only(db):
    _, ticket = sessions.start(db, "领导甲")
    status, headers, body = _get(_app(db), urlencode({"ticket": ticket}), method="POST")
    assert status == 405 and "set-cookie" not in headers and "不支持" in body


@pytest.mark.parametrize("target,expected", [
    ("/economy?region=411481", "/economy?region=411481"),
    ("/", "/"), (None, "/"), ("", "/"),
    ("https://evil.example/", "/"), ("//evil.example/x", "/"), ("/\\evil.example", "/"),
    ("javascript:alert(1)", "/"), ("/economy\r\nSet-Cookie: x=1", "/"), ("/" + "a" * 3000, "/"),
    ("/tasks?t_unit=市发展改革委", "/tasks?t_unit=市发展改革委"),
])
def test_a_login_returns_only_to_a_path_of_this_site(target, expected):
    assert safe_next(target) == expected


def test_a_hostile_next_is_not_followed(db):
    _, ticket = sessions.start(db, "领导甲")
    status, headers, _ = _get(_app(db), urlencode({"ticket": ticket, "next": "//evil.example/steal"}))
    assert status == 303 and headers["location"] == "/"
