"""Access control on a real store: hashing, lockout, roles, scope, screen links, audit."""
from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys

import pytest
from sqlalchemy import select

from cockpit import auth, schema as s
from tests.conftest import ROOT

PW = "correct horse battery"


def _audit(store):
    return store.frame(select(s.audit_log).order_by(s.audit_log.c.id))


def test_passwords_are_stored_as_argon2_hashes(store):
    auth.add_user(store, "张三", "leader", PW)
    stored = store.frame(select(s.users.c.password_hash)).password_hash.iloc[0]
    assert stored.startswith("$argon2") and PW not in stored


def test_right_password_logs_in_and_is_audited(store):
    auth.add_user(store, "李四", "领导", PW)
    user = auth.authenticate(store, "李四", PW)
    assert (user.name, user.role, user.scope) == ("李四", "leader", auth.EVERYTHING)
    assert _audit(store).action.tolist()[-1] == "login"


def test_unknown_user_and_wrong_password_get_the_same_message(store):
    auth.add_user(store, "王五", "leader", PW)
    with pytest.raises(auth.AuthError) as a:
        auth.authenticate(store, "王五", "wrong password!")
    with pytest.raises(auth.AuthError) as b:
        auth.authenticate(store, "无此人", PW)
    assert str(a.value) == str(b.value) == auth.REFUSED
    assert "用户名或密码错误" in auth.REFUSED
    assert _audit(store).action.tolist()[-2:] == ["login_failed", "login_failed"]


def test_five_wrong_passwords_lock_the_account_until_the_time_passes(store):
    auth.add_user(store, "赵六", "leader", PW)
    t0 = dt.datetime(2026, 11, 26, 9, 0)
    for _ in range(auth.MAX_FAILURES):
        with pytest.raises(auth.AuthError, match="用户名或密码错误"):
            auth.authenticate(store, "赵六", "nope nope nope", at=t0)
    # Locked: even the right password is refused, in the same words (no hint that the name exists).
    with pytest.raises(auth.AuthError) as locked:
        auth.authenticate(store, "赵六", PW, at=t0 + dt.timedelta(minutes=1))
    assert str(locked.value) == auth.REFUSED
    assert _audit(store).detail.tolist()[-2:] == ["密码错误（第 5 次），已锁定", "账号锁定中（至 09:15）"]
    assert auth.authenticate(store, "赵六", PW, at=t0 + dt.timedelta(minutes=auth.LOCK_MINUTES + 1)).name == "赵六"


def test_disabled_user_is_refused_in_the_words_of_a_wrong_password(store):
    auth.add_user(store, "钱七", "leader", PW)
    auth.set_disabled(store, "钱七", True)
    with pytest.raises(auth.AuthError) as refused:
        auth.authenticate(store, "钱七", PW)
    assert str(refused.value) == auth.REFUSED
    assert _audit(store).detail.tolist()[-1] == "账号已停用"


def test_an_unknown_name_costs_a_password_check_like_a_real_one(store, monkeypatch):
    """Timing must not tell real names from unknown ones: both verify one Argon2 hash."""
    auth.add_user(store, "吴十", "leader", PW)
    calls = []
    cls = type(auth._hasher)
    real = cls.verify
    monkeypatch.setattr(cls, "verify", lambda self, h, p: calls.append(h) or real(self, h, p))
    for name in ("吴十", "无此人"):
        with pytest.raises(auth.AuthError):
            auth.authenticate(store, name, "wrong password!")
    assert len(calls) == 2 and all(h.startswith("$argon2") for h in calls)


def test_every_request_sees_the_account_as_stored_now(store):
    auth.add_user(store, "郑一", "admin", PW)
    session = auth.authenticate(store, "郑一", PW)
    auth.set_role(store, "郑一", "leader")
    assert auth.current(store, session).role == "leader"
    assert not auth.allowed(auth.current(store, session), "action:users")
    auth.set_disabled(store, "郑一", True)
    with pytest.raises(auth.AuthError, match="已被停用"):
        auth.current(store, session)


def test_short_password_and_county_without_region_are_refused(store):
    with pytest.raises(auth.AuthError, match="至少"):
        auth.add_user(store, "甲", "leader", "short")
    with pytest.raises(auth.AuthError, match="--region"):
        auth.add_user(store, "乙", "county", PW)
    with pytest.raises(auth.AuthError, match="未知的县区“999999”，可写名称或代码"):
        auth.add_user(store, "丙", "county", PW, region_code="999999")


def test_county_user_scope_is_their_county(store):
    auth.add_user(store, "永城用户", "县区用户", PW, region_code="411481")
    user = auth.authenticate(store, "永城用户", PW)
    assert user.scope.regions == frozenset({"411481"}) and user.scope.key == "411481"
    assert user.scope.allows("411481") and not user.scope.allows("411402")


def test_role_change_and_password_reset_are_audited(store):
    auth.add_user(store, "孙八", "reporter", PW, region_code="411402")
    auth.set_role(store, "孙八", "admin", actor="管理员甲")
    auth.reset_password(store, "孙八", "another long password", actor="管理员甲")
    assert auth.authenticate(store, "孙八", "another long password").role == "admin"
    actions = _audit(store)
    assert {"user_role", "user_password"} <= set(actions.action)
    assert set(actions[actions.action == "user_role"].actor) == {"管理员甲"}


def test_screen_links_are_read_only_and_revocable(store):
    token = auth.create_screen_link(store, "指挥中心大屏", actor="admin")
    viewer = auth.screen_user(store, token)
    assert auth.allowed(viewer, "page:") and auth.allowed(viewer, "page:economy")
    assert not auth.allowed(viewer, "page:upload") and not auth.allowed(viewer, "action:upload")
    assert store.frame(select(s.screen_links.c.token_hash)).token_hash.iloc[0] != token
    auth.revoke_screen_link(store, "指挥中心大屏", actor="admin")
    with pytest.raises(auth.AuthError, match="已被收回"):
        auth.screen_user(store, token)


# The spec, in the spirit of Superset's test_views_are_secured: every page and action, every role.
ROLES = ["leader", "reporter", "county", "admin"]
EXPECTED = {
    "page:": "LRCA", "page:economy": "LRCA", "page:indicators": "LRCA", "page:hotline": "LRCA",
    "page:tasks": "LRCA", "page:emergency": "L.CA", "page:warnings": "L.CA", "page:upload": ".R.A",
    "page:briefing": "L.CA", "page:admin": "...A", "page:sources": "L..A",
    "action:upload": ".R.A", "action:rollback": ".R.A", "action:annotate": "LR.A", "action:alert_ack": "L..A",
    "action:alert_assign": "L..A", "action:export": "LRCA", "action:users": "...A", "action:rules": "...A",
    "action:sources": "...A", "action:screen_links": "...A", "action:audit_view": "...A", "action:catalog": "...A",
}


@pytest.mark.parametrize("what", sorted(EXPECTED))
def test_every_page_and_action_is_secured_as_the_table_says(what):
    got = "".join(r[0].upper() if auth.allowed(auth.User("x", r, "411402"), what) else "." for r in ROLES)
    assert got == EXPECTED[what]
    assert not auth.allowed(None, what)  # anonymous: nothing once users exist
    assert auth.allowed(auth.OPEN_USER, what)  # no users yet: open for a first look


def test_the_table_covers_every_permission():
    assert set(EXPECTED) == set(auth.PERMISSIONS)


def test_cli_adds_a_user_with_the_password_from_stdin(tmp_path):
    env = {**os.environ, "COCKPIT_DB_URL": f"sqlite:///{tmp_path / 'u.db'}", "COCKPIT_CONFIG": "",
           "COCKPIT_DEMO_ON_EMPTY": "0"}
    run = lambda *a, stdin="": subprocess.run([sys.executable, "-m", "cockpit", *a], cwd=ROOT, env=env,  # noqa: E731
                                              input=stdin, capture_output=True, text=True, timeout=120)
    r = run("users", "add", "周九", "--role", "县区用户", "--region", "411481", stdin=PW + "\n")
    assert r.returncode == 0, r.stderr
    assert "已创建用户“周九”（县区用户）" in r.stdout
    r = run("users", "list")
    assert "用户名\t角色\t范围\t状态\t创建时间\n" in r.stdout and "周九\t县区用户\t永城市\t正常" in r.stdout
    r = run("users", "add", "周九", "--role", "leader", stdin=PW + "\n")
    assert r.returncode == 2 and "已存在" in r.stderr


def test_proxy_header_is_believed_only_from_the_configured_proxy(store):
    auth.add_user(store, "单点用户", "leader", PW)
    headers = {"X-Remote-User": "单点用户"}
    trusted = ("10.0.0.5",)
    assert auth.proxy_user(store, headers, "10.0.0.5", "X-Remote-User", trusted).name == "单点用户"
    assert auth.proxy_user(store, headers, "10.0.0.9", "X-Remote-User", trusted) is None  # forged elsewhere
    assert auth.proxy_user(store, headers, "10.0.0.5", "", trusted) is None  # mode off
    with pytest.raises(auth.AuthError, match="未在驾驶舱中开通"):
        auth.proxy_user(store, {"X-Remote-User": "陌生人"}, "10.0.0.5", "X-Remote-User", trusted)


def test_an_ipv4_proxy_seen_through_an_ipv6_socket_is_still_the_configured_proxy(store):
    auth.add_user(store, "单点用户", "leader", PW)
    headers = {"X-Remote-User": "单点用户"}
    assert auth.proxy_user(store, headers, "::ffff:127.0.0.1", "X-Remote-User", ("127.0.0.1",)).name == "单点用户"
    assert auth.proxy_user(store, headers, "::ffff:127.0.0.2", "X-Remote-User", ("127.0.0.1",)) is None


def test_screen_links_made_in_open_mode_end_when_the_first_user_is_created(store):
    token = auth.create_screen_link(store, "开放模式大屏", actor=auth.OPEN_USER.name)
    assert auth.screen_user(store, token).role == "leader"
    auth.add_user(store, "首个管理员", "admin", PW)
    with pytest.raises(auth.AuthError, match="已被收回"):
        auth.screen_user(store, token)
    later = auth.create_screen_link(store, "管理员的大屏", actor="首个管理员")
    auth.add_user(store, "第二个用户", "leader", PW)  # only the first user ends open mode
    assert auth.screen_user(store, later).name == "大屏：管理员的大屏"


def test_a_user_name_too_long_for_the_store_is_refused_before_anything_is_written(store):
    """PostgreSQL refused a 70-character name at the write with a traceback that printed the hash."""
    with pytest.raises(auth.AuthError, match="用户名应为 1—64 个字，现为 70 个字"):
        auth.add_user(store, "甲" * 70, "leader", PW)
    with pytest.raises(auth.AuthError, match="用户名应为 1—64 个字，现为空"):
        auth.add_user(store, "  ", "leader", PW)
    assert store.frame(select(s.users)).empty and _audit(store).empty
