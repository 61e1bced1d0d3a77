"""Who may do what: users, roles, passwords, lockout, row-level scope, screen links.

Passwords are hashed with Argon2 (argon2-cffi). Login is required as soon as one
user exists; with no users the cockpit runs open for a first look on demo data.
"""
from __future__ import annotations

import datetime as dt
import functools
import hashlib
import ipaddress
import secrets
from collections.abc import Iterable
from dataclasses import dataclass

import pandas as pd
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import func, insert, select, update

from . import schema as s, sessions
from .store import Store, now
from .uploads import aliases

ROLES = {"leader": "领导", "reporter": "部门填报员", "county": "县区用户", "admin": "管理员"}
USER_STATES = {"active": "正常", "locked": "锁定", "disabled": "停用"}
MAX_FAILURES = 5
LOCK_MINUTES = 15
MIN_PASSWORD = 10
_hasher = PasswordHasher()
# Verified against when the name does not exist, so that a refusal takes as long either way
# (otherwise the time of the answer tells an attacker which names are real). Made on first use:
# hashing at import cost every command and the web server's start 0.2 s (issue 14).
@functools.cache
def _dummy_hash() -> str:
    return _hasher.hash("no such user: timing equaliser")


# One answer for every refused login (no such user, wrong password, locked, disabled): a
# different message would tell an attacker which names exist. The audit log keeps the reason.
REFUSED = f"用户名或密码错误（连续 {MAX_FAILURES} 次错误将锁定 {LOCK_MINUTES} 分钟）；如仍无法登录请联系管理员"

# What each role may open or do. Row-level scope (a county user sees one county) is
# applied separately, in the queries, by Scope.
ALL = frozenset(ROLES)
PERMISSIONS: dict[str, frozenset[str]] = {
    "page:": ALL, "page:economy": ALL, "page:indicators": ALL, "page:hotline": ALL,
    "page:tasks": ALL, "page:emergency": frozenset({"leader", "county", "admin"}),
    "page:warnings": frozenset({"leader", "county", "admin"}),
    "page:upload": frozenset({"reporter", "admin"}),
    "page:briefing": frozenset({"leader", "county", "admin"}),  # a county's pack holds only its county
    "page:admin": frozenset({"admin"}),
    "page:sources": frozenset({"leader", "admin"}),
    "action:upload": frozenset({"reporter", "admin"}),
    "action:rollback": frozenset({"reporter", "admin"}),
    "action:annotate": frozenset({"leader", "reporter", "admin"}),
    "action:alert_ack": frozenset({"leader", "admin"}),
    "action:alert_assign": frozenset({"leader", "admin"}),
    "action:export": ALL,
    "action:users": frozenset({"admin"}),
    "action:rules": frozenset({"admin"}),
    "action:sources": frozenset({"admin"}),
    "action:catalog": frozenset({"admin"}),  # add an indicator to the catalogue (数据报送, a name not known)
    "action:screen_links": frozenset({"admin"}),
    "action:audit_view": frozenset({"admin"}),
}


class AuthError(Exception):
    """A refusal with a message that can be shown as it is."""


@dataclass(frozen=True)
class Scope:
    """The rows a viewer may see: None means every region. Held as a sorted tuple, so equal
    scopes are equal values and hash alike wherever they are part of a cache key."""
    codes: tuple[str, ...] | None = None

    @classmethod
    def of(cls, regions: Iterable[str] | None) -> Scope:
        return cls(None if regions is None else tuple(sorted(set(regions))))

    @property
    def regions(self) -> frozenset[str] | None:
        return None if self.codes is None else frozenset(self.codes)

    @property
    def key(self) -> str:
        return "all" if self.codes is None else ",".join(self.codes)

    def allows(self, region_code: str) -> bool:
        return self.codes is None or region_code in self.codes

    def within(self, region: str | None):
        """What a query filters on: the chosen region when the scope allows it, else the
        scope's own regions (None: every region)."""
        if self.codes is None:
            return region
        return region if region in self.codes else self.regions


EVERYTHING = Scope()


@dataclass(frozen=True)
class WriteScope:
    """What a user may write or roll back: figures of these regions and indicators (None = any),
    and task-progress batches of their own. Enforced by the core functions that write."""
    regions: frozenset[str] | None = None
    indicators: frozenset[str] | None = None
    user: str | None = None

    @property
    def unlimited(self) -> bool:
        return self.regions is None and self.indicators is None


ANYTHING = WriteScope()


@dataclass(frozen=True)
class View:
    """One data version seen through one viewer's scope: the first argument of every cached
    loader. A new upload changes the version, so caches refresh; the scope is part of the key
    by construction, so a cached frame never crosses from one scope to another."""
    version: str
    scope: Scope = EVERYTHING


@dataclass(frozen=True)
class User:
    name: str
    role: str
    region_code: str | None = None
    department: str | None = None
    via: str = "password"  # password | proxy | screen | open

    @property
    def scope(self) -> Scope:
        if self.role in ("county", "reporter") and self.region_code:
            return Scope.of([self.region_code])
        return EVERYTHING

    @property
    def role_name(self) -> str:
        return ROLES.get(self.role, self.role)


OPEN_USER = User("访客（开放模式）", "leader", via="open")


def allowed(user: User | None, what: str) -> bool:
    """`what` is 'page:<url_path>' or 'action:<name>'; anonymous gets nothing."""
    if user is None:
        return False
    if user.via == "open":
        return True  # no users yet: a first look on demo data, where admin creates the first user
    if user.via == "screen":
        return what.startswith("page:") and what != "page:admin" and what != "page:upload"
    return user.role in PERMISSIONS.get(what, frozenset())


def write_scope(store: Store, user: User | None) -> WriteScope:
    """A county's reporter writes its county's figures; a department's reporter its department's
    indicators (the catalogue's source_dept); admins, and open mode, anything."""
    if user is None or user.via == "open" or user.role == "admin":
        return ANYTHING
    indicators = None
    if user.department:
        ind = store.indicators()
        indicators = frozenset(ind[ind.source_dept == user.department].code)
    scope = WriteScope(user.scope.regions, indicators, user.name)
    return ANYTHING if scope.unlimited else scope


def departments(store: Store) -> list[str]:
    """Departments that report figures: the catalogue's source departments."""
    return sorted(set(store.indicators().source_dept.dropna()))


def role_code(text: str) -> str:
    for code, name in ROLES.items():
        if text in (code, name):
            return code
    raise AuthError(f"未知角色“{text}”，可选：{'、'.join(f'{n}({c})' for c, n in ROLES.items())}")


def has_users(store: Store) -> bool:
    return bool(store.count(s.users))


def _check_password(password: str) -> None:
    if len(password) < MIN_PASSWORD:
        raise AuthError(f"密码至少 {MIN_PASSWORD} 位")


def add_user(store: Store, name: str, role: str, password: str, *, region_code: str | None = None,
             department: str | None = None, actor: str = "system") -> None:
    role = role_code(role)
    name = name.strip()
    if not name or len(name) > s.users.c.name.type.length:  # the store's width: PostgreSQL refuses more at the write
        raise AuthError(f"用户名应为 1—{s.users.c.name.type.length} 个字，现为" + (f" {len(name)} 个字" if name else "空"))
    if role == "county" and not region_code:
        raise AuthError("县区用户须指定 --region 县区（名称或代码）")
    if region_code:  # as the importer reads it: 梁园区, 梁园, 411402, or a name staff mapped
        written, region_code = region_code, aliases.region_code(store, region_code)
        if region_code is None:
            raise AuthError(f"未知的县区“{written}”，可写名称或代码，如 梁园区、梁园、411402")
    if department and department not in departments(store):
        raise AuthError(f"未知的部门“{department}”，可选：{'、'.join(departments(store))}")
    _check_password(password)
    with store.begin() as conn:
        if conn.execute(select(s.users.c.id).where(s.users.c.name == name)).first():
            raise AuthError(f"用户“{name}”已存在")
        if not conn.execute(select(func.count()).select_from(s.users)).scalar():
            _end_open_mode_links(store, conn, actor)
        conn.execute(insert(s.users).values(name=name, role=role, region_code=region_code,
                                            department=department, password_hash=_hasher.hash(password),
                                            disabled=False, failed_logins=0, created_at=now()))
        store.audit(conn, actor, "user_add", f"user:{name}", f"角色 {ROLES[role]} {region_code or department or ''}".strip())


def _get(conn, name: str):
    row = conn.execute(select(s.users).where(s.users.c.name == name)).first()
    if row is None:
        raise AuthError(f"没有用户“{name}”")
    return row


def _verifies(password_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def authenticate(store: Store, name: str, password: str, *, at: dt.datetime | None = None) -> User:
    """Check a password; lock the account after repeated failures. Every refusal reads the same and
    costs the same time; only the audit log says why."""
    at = at or now()
    why = None
    # Failures are recorded in the transaction and raised after it commits: raising
    # inside would roll back the very failure count and audit row that must be kept.
    with store.begin() as conn:
        row = conn.execute(select(s.users).where(s.users.c.name == name)).first()
        dummy = _dummy_hash()  # made by the first login of any name, so never by one kind only
        good = _verifies(row.password_hash if row is not None else dummy, password)
        if row is None:
            why = "无此用户"
        elif row.disabled:
            why = "账号已停用"
        elif row.locked_until and row.locked_until > at:
            why = f"账号锁定中（至 {row.locked_until:%H:%M}）"
        elif not good:
            failures = row.failed_logins + 1
            locked = at + dt.timedelta(minutes=LOCK_MINUTES) if failures >= MAX_FAILURES else None
            conn.execute(update(s.users).where(s.users.c.id == row.id).values(
                failed_logins=0 if locked else failures, locked_until=locked))
            why = f"密码错误（第 {failures} 次）" + ("，已锁定" if locked else "")
        else:
            conn.execute(update(s.users).where(s.users.c.id == row.id).values(failed_logins=0, locked_until=None))
            store.audit(conn, name, "login", "", "")
        if why:
            store.audit(conn, name or "?", "login_failed", "", why)
    if why:
        raise AuthError(REFUSED)
    return User(row.name, row.role, row.region_code, row.department)


def current(store: Store, user: User) -> User:
    """The account as the store holds it now: every request re-reads it (one indexed lookup), so
    disabling, demoting or moving a user takes effect on their very next click."""
    with store.engine.connect() as conn:
        row = conn.execute(select(s.users.c.name, s.users.c.role, s.users.c.region_code,
                                  s.users.c.department, s.users.c.disabled)
                           .where(s.users.c.name == user.name)).first()
    if row is None or row.disabled:
        raise AuthError("您的账号已被停用或删除，请联系管理员。")
    return User(row.name, row.role, row.region_code, row.department, via=user.via)


def _address(text: str | None) -> str | None:
    """An address as one canonical string: ::ffff:10.0.0.5 (IPv4 seen through an IPv6 socket)
    is 10.0.0.5, so a configured IPv4 proxy address matches."""
    if not text:
        return None
    try:
        ip = ipaddress.ip_address(text.strip().split("%", 1)[0])
    except ValueError:
        return text.strip()
    mapped = getattr(ip, "ipv4_mapped", None)
    return str(mapped or ip)


def proxy_user(store: Store, headers, peer: str | None, header: str, trusted: tuple[str, ...]) -> User | None:
    """Single sign-on behind a reverse proxy: the header names the user, but it is believed
    only when the request came from one of the configured proxy addresses."""
    if not header or _address(peer) not in {_address(a) for a in trusted}:
        return None
    name = (headers.get(header) or "").strip()
    return user_for_proxy(store, name) if name else None


def user_for_proxy(store: Store, name: str) -> User:
    """The proxy vouches for the name; the user must exist in the cockpit and be enabled."""
    row = store.first(select(s.users).where(s.users.c.name == name))
    if row is None or row["disabled"]:
        raise AuthError("单点登录用户未在驾驶舱中开通或已停用，请联系管理员")
    return User(row["name"], row["role"], row["region_code"], row["department"], via="proxy")


def list_users(store: Store, at: dt.datetime | None = None) -> pd.DataFrame:
    """Every user with `state` (a key of USER_STATES): disabled, locked (until locked_until), or active."""
    u = s.users.c
    users = store.frame(select(u.name, u.role, u.region_code, u.department, u.disabled, u.failed_logins,
                               u.locked_until, u.created_at).order_by(u.name))
    at = at or now()
    locked = pd.to_datetime(users.locked_until) > at
    return users.assign(state=["disabled" if d else ("locked" if lk else "active")
                               for d, lk in zip(users.disabled, locked)])


def set_role(store: Store, name: str, role: str, actor: str = "system") -> None:
    role = role_code(role)
    with store.begin() as conn:
        row = _get(conn, name)
        conn.execute(update(s.users).where(s.users.c.id == row.id).values(role=role))
        store.audit(conn, actor, "user_role", f"user:{name}", f"{ROLES.get(row.role, row.role)} → {ROLES[role]}")


def reset_password(store: Store, name: str, password: str, actor: str = "system") -> None:
    _check_password(password)
    with store.begin() as conn:
        row = _get(conn, name)
        conn.execute(update(s.users).where(s.users.c.id == row.id).values(
            password_hash=_hasher.hash(password), failed_logins=0, locked_until=None))
        sessions.end_user(conn, name, "password")  # whoever knew the old password is logged out
        store.audit(conn, actor, "user_password", f"user:{name}", "")


def set_disabled(store: Store, name: str, disabled: bool, actor: str = "system") -> None:
    with store.begin() as conn:
        row = _get(conn, name)
        conn.execute(update(s.users).where(s.users.c.id == row.id).values(disabled=disabled))
        if disabled:
            sessions.end_user(conn, name, "disabled")
        store.audit(conn, actor, "user_disable" if disabled else "user_enable", f"user:{name}", "")


def _end_open_mode_links(store: Store, conn, actor: str) -> None:
    """Screen links made while the cockpit ran open (anyone could make them) end with open mode."""
    sl = s.screen_links.c
    names = list(conn.execute(select(sl.name).where(sl.revoked_at.is_(None))).scalars())
    if names:
        conn.execute(update(s.screen_links).where(sl.revoked_at.is_(None)).values(revoked_at=now()))
        store.audit(conn, actor, "screen_link_revoke", "", "开放模式结束（创建首个用户），收回大屏链接："
                    + "、".join(names))


# ---- read-only screen links for wall displays -------------------------------------------------
def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def create_screen_link(store: Store, name: str, actor: str, region_code: str | None = None) -> str:
    """Returns the token once; only its hash is kept."""
    token = secrets.token_urlsafe(24)
    with store.begin() as conn:
        conn.execute(insert(s.screen_links).values(name=name, token_hash=_token_hash(token), region_code=region_code,
                                                   created_by=actor, created_at=now()))
        store.audit(conn, actor, "screen_link_add", f"screen:{name}", region_code or "")
    return token


def screen_user(store: Store, token: str) -> User:
    sl = s.screen_links.c
    with store.begin() as conn:
        row = conn.execute(select(s.screen_links).where(sl.token_hash == _token_hash(token or ""))).first()
        if row is None or row.revoked_at is not None:
            raise AuthError("大屏链接无效或已被收回")
        conn.execute(update(s.screen_links).where(sl.id == row.id).values(last_used_at=now()))
    return User(f"大屏：{row.name}", "county" if row.region_code else "leader", row.region_code, via="screen")


def screen_links(store: Store) -> pd.DataFrame:
    """name, region_code, created_by, created_at, revoked_at (None while in force), last_used_at."""
    sl = s.screen_links.c
    return store.frame(select(sl.name, sl.region_code, sl.created_by, sl.created_at, sl.revoked_at,
                              sl.last_used_at).order_by(sl.id))


def revoke_screen_link(store: Store, name: str, actor: str) -> None:
    sl = s.screen_links.c
    with store.begin() as conn:
        res = conn.execute(update(s.screen_links).where(sl.name == name, sl.revoked_at.is_(None))
                           .values(revoked_at=now()))
        if not res.rowcount:
            raise AuthError(f"没有有效的大屏链接“{name}”")
        store.audit(conn, actor, "screen_link_revoke", f"screen:{name}", "")
