"""Logins that survive a reload and a new tab, and end when they must.

A password login opens a record in `login_sessions` and hands out a one-time ticket. The browser
exchanges the ticket at the web server (ui/server.py) for a cookie that no script can read
(HttpOnly), that other sites' forms do not carry (SameSite=Lax), and that is signed
(itsdangerous) with a key every web server of the store shares (`server_secrets`). The cookie holds
a random secret; only its hash is stored. A cookie counts only while its record is open: logging
out, a password change and disabling the account close the user's records, and a record idle for
longer than `session_minutes` closes on its next use. So a forged, tampered, expired or
replayed-after-logout cookie is refused, whatever the browser still holds.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from dataclasses import dataclass

from itsdangerous import BadSignature, URLSafeSerializer
from sqlalchemy import insert, select, update
from sqlalchemy.engine import Connection
from sqlalchemy.exc import IntegrityError

from . import schema as s
from .store import Store, now

COOKIE = "cockpit_session"
TICKET_SECONDS = 120  # from a login to the browser's exchange of its ticket: one redirect
TOUCH_SECONDS = 60  # last_seen_at is written at most once a minute per session, not on every click
INVALID = "登录凭据无效或已失效，请重新登录。"
# Why a session ended, as the person whose session it was reads it on the login form.
ENDED = {"logout": "已退出登录。", "timeout": "登录已超时，请重新登录。", "password": "密码已修改，请重新登录。",
         "disabled": "您的账号已被停用，请联系管理员。", "restore": "数据已从备份恢复，请重新登录。"}


class Refused(Exception):
    """A ticket or cookie that opens nothing; the message can be shown as it is."""


@dataclass(frozen=True)
class Session:
    id: int
    user_name: str


def _hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def _signer(store: Store) -> URLSafeSerializer:
    sk = s.server_secrets.c
    key = store.scalar(select(sk.value).where(sk.name == "session"))
    if key is None:
        try:
            with store.begin() as conn:
                conn.execute(insert(s.server_secrets).values(name="session", value=secrets.token_hex(32),
                                                             created_at=now()))
        except IntegrityError:
            pass  # another server made it a moment ago: use theirs
        key = store.scalar(select(sk.value).where(sk.name == "session"))
    return URLSafeSerializer(key, salt="cockpit-session")


def start(store: Store, user_name: str, at: dt.datetime | None = None) -> tuple[Session, str]:
    """Open a session for a user who has just proved who they are; returns it and the ticket the
    browser exchanges for its cookie (once, within TICKET_SECONDS)."""
    at = at or now()
    ticket = secrets.token_urlsafe(32)
    with store.begin() as conn:
        sid = conn.execute(insert(s.login_sessions).values(
            user_name=user_name, ticket_hash=_hash(ticket), created_at=at, last_seen_at=at,
            ticket_expires_at=at + dt.timedelta(seconds=TICKET_SECONDS))).inserted_primary_key[0]
    return Session(int(sid), user_name), ticket


def redeem(store: Store, ticket: str, at: dt.datetime | None = None) -> str:
    """The cookie's value for a ticket, once: a used, expired or unknown ticket is refused."""
    at = at or now()
    if not ticket or len(ticket) > 128:
        raise Refused(INVALID)
    ls = s.login_sessions.c
    secret = secrets.token_urlsafe(32)
    with store.begin() as conn:
        # The ticket is spent by this UPDATE; of two racing exchanges, one matches and one does not.
        done = conn.execute(update(s.login_sessions)
                            .where(ls.ticket_hash == _hash(ticket), ls.ended_at.is_(None), ls.ticket_expires_at >= at)
                            .values(sid_hash=_hash(secret), ticket_hash=None, ticket_expires_at=None, last_seen_at=at))
    if done.rowcount != 1:
        raise Refused(INVALID)
    return _signer(store).dumps(secret)


def resume(store: Store, cookie: str, minutes: float, at: dt.datetime | None = None) -> Session:
    """The session a cookie stands for, if it is ours, untampered, and its record still open."""
    try:
        secret = _signer(store).loads(cookie or "")
    except BadSignature:
        raise Refused(INVALID) from None
    if not isinstance(secret, str):
        raise Refused(INVALID)
    return _open(store, s.login_sessions.c.sid_hash == _hash(secret), minutes, at)


def check(store: Store, session_id: int, minutes: float, at: dt.datetime | None = None) -> Session:
    """The tab's own session (by its id, which never leaves the server), if still open."""
    return _open(store, s.login_sessions.c.id == session_id, minutes, at)


def _open(store: Store, where, minutes: float, at: dt.datetime | None) -> Session:
    at = at or now()
    row = store.first(select(s.login_sessions).where(where))
    if row is None:
        raise Refused(INVALID)
    if row["ended_at"] is not None:
        raise Refused(ENDED.get(row["end_reason"], INVALID))
    idle = at - row["last_seen_at"]
    if idle > dt.timedelta(minutes=minutes):
        end(store, row["id"], "timeout")
        raise Refused(ENDED["timeout"])
    if idle > dt.timedelta(seconds=TOUCH_SECONDS):
        with store.begin() as conn:
            conn.execute(update(s.login_sessions).where(s.login_sessions.c.id == row["id"]).values(last_seen_at=at))
    return Session(row["id"], row["user_name"])


def end(store: Store, session_id: int, reason: str, actor: str | None = None) -> None:
    """Close one session; a logout is written to the audit log under `actor`."""
    ls = s.login_sessions.c
    with store.begin() as conn:
        conn.execute(update(s.login_sessions).where(ls.id == session_id, ls.ended_at.is_(None))
                     .values(ended_at=now(), end_reason=reason, ticket_hash=None))
        if reason == "logout" and actor:
            store.audit(conn, actor, "logout", "", "")


def end_user(conn: Connection, user_name: str | None, reason: str) -> int:
    """Close every open session of a user (of everyone when None), inside the caller's transaction:
    a password change or a disabled account ends the logins made before it on every browser."""
    ls = s.login_sessions.c
    stmt = update(s.login_sessions).where(ls.ended_at.is_(None))
    if user_name is not None:
        stmt = stmt.where(ls.user_name == user_name)
    return conn.execute(stmt.values(ended_at=now(), end_reason=reason, ticket_hash=None)).rowcount
