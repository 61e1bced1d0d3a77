"""A login in real Chromium survives a reload and a new tab, returns to the page asked for with its
filters, and ends for good on logout, a password change, disabling, expiry; a forged or replayed
cookie opens nothing."""
from __future__ import annotations

import datetime as dt

import pytest
from itsdangerous import URLSafeSerializer

from cockpit import auth, schema as s, sessions
from cockpit.store import Store
from tests.conftest import copy_db
from tests.e2e.test_browser import OUT, serving

PW = "correct horse battery"
WAIT = 120_000  # ms: two cores shared with other test runs


@pytest.fixture(scope="module")
def served(demo_db, tmp_path_factory):
    db = copy_db(demo_db, tmp_path_factory.mktemp("login") / "cockpit.db")
    store = Store(db)
    for name in ("领导甲", "领导乙", "领导丙"):
        auth.add_user(store, name, "leader", PW)
    with serving(db, "login") as url:
        yield url, store


def _login(tab, name: str) -> None:
    tab.get_by_label("用户名").wait_for(timeout=WAIT)
    tab.get_by_label("用户名").fill(name)
    tab.get_by_label("密码", exact=True).fill(PW)
    tab.get_by_role("button", name="登录").click()
    tab.get_by_text("数据截至").first.wait_for(timeout=WAIT)


def _asks_for_login(tab, why: str) -> None:
    tab.get_by_label("用户名").wait_for(timeout=WAIT)
    tab.get_by_text(why).wait_for(timeout=WAIT)
    assert tab.get_by_text("数据截至").count() == 0


def _session_cookie(ctx) -> dict:
    return next(c for c in ctx.cookies() if c["name"] == sessions.COOKIE)


def test_a_login_lands_on_the_page_asked_for_and_survives_a_reload_and_a_new_tab(served, browser):
    url, _ = served
    ctx = browser.new_context(viewport={"width": 1920, "height": 1080}, locale="zh-CN")
    tab = ctx.new_page()
    tab.goto(f"{url}/economy?region=411481&basis=ytd")
    tab.get_by_label("用户名").wait_for(timeout=WAIT)
    tab.screenshot(path=str(OUT / "login-1920x1080.png"))
    _login(tab, "领导甲")
    tab.get_by_text("永城市主要指标").wait_for(timeout=WAIT)  # the filters came along
    assert "/economy?" in tab.url and "region=411481" in tab.url and "basis=ytd" in tab.url
    cookie = _session_cookie(ctx)
    assert cookie["httpOnly"] and cookie["sameSite"] == "Lax" and cookie["path"] == "/"
    assert sessions.COOKIE not in tab.evaluate("document.cookie")  # no script can read it
    tab.reload()
    tab.get_by_text("永城市主要指标").wait_for(timeout=WAIT)
    assert tab.get_by_label("用户名").count() == 0
    second = ctx.new_page()
    second.goto(f"{url}/tasks")
    second.get_by_text("数据截至").first.wait_for(timeout=WAIT)
    assert second.get_by_label("用户名").count() == 0 and "当前用户：领导甲" in second.inner_text("body")
    ctx.close()
    wall = browser.new_context(viewport={"width": 3840, "height": 2160}, locale="zh-CN")
    form = wall.new_page()
    form.goto(url)
    form.get_by_label("用户名").wait_for(timeout=WAIT)
    form.screenshot(path=str(OUT / "login-3840x2160.png"))
    wall.close()


def test_logout_ends_the_login_in_every_tab_and_the_old_cookie_replayed_opens_nothing(served, browser):
    url, _ = served
    ctx = browser.new_context(viewport={"width": 1920, "height": 1080}, locale="zh-CN")
    tab = ctx.new_page()
    tab.goto(f"{url}/indicators")
    _login(tab, "领导乙")
    stolen = _session_cookie(ctx)
    other = ctx.new_page()
    other.goto(f"{url}/indicators")
    other.get_by_text("数据截至").first.wait_for(timeout=WAIT)
    tab.get_by_role("button", name="退出登录").click()
    _asks_for_login(tab, "已退出登录")
    other.reload()
    _asks_for_login(other, "已退出登录")
    ctx.close()
    replay = browser.new_context(viewport={"width": 1920, "height": 1080}, locale="zh-CN")
    replay.add_cookies([{k: stolen[k] for k in ("name", "value", "domain", "path")}])
    tab = replay.new_page()
    tab.goto(f"{url}/indicators")
    _asks_for_login(tab, "已退出登录")
    replay.close()


@pytest.mark.parametrize("revoke,why", [
    (lambda store: auth.reset_password(store, "领导丙", "a brand new password", actor="管理员"), "密码已修改"),
    (lambda store: auth.set_disabled(store, "领导丙", True, actor="管理员"), "已被停用"),
    (lambda store: _age(store), "登录已超时"),
])
def test_a_password_change_disabling_or_idle_expiry_ends_the_cookie(served, browser, revoke, why):
    url, store = served
    auth.set_disabled(store, "领导丙", False, actor="测试")
    auth.reset_password(store, "领导丙", PW, actor="测试")
    ctx = browser.new_context(viewport={"width": 1920, "height": 1080}, locale="zh-CN")
    tab = ctx.new_page()
    tab.goto(f"{url}/indicators")
    _login(tab, "领导丙")
    revoke(store)
    tab.reload()
    _asks_for_login(tab, why)
    ctx.close()


def _age(store: Store) -> None:
    idle = dt.datetime.now() - dt.timedelta(minutes=481)  # session_minutes is 480
    with store.begin() as conn:
        conn.execute(s.login_sessions.update().where(s.login_sessions.c.user_name == "领导丙").values(last_seen_at=idle))


@pytest.mark.parametrize("forge", [
    lambda store: "IjEyMyI.notasignature",
    lambda store: URLSafeSerializer("our own key", salt="cockpit-session").dumps("guessed"),
    lambda store: sessions._signer(store).dumps("a secret never issued"),  # our key, a secret never issued
])
def test_a_forged_cookie_opens_nothing(served, browser, forge):
    url, store = served
    ctx = browser.new_context(viewport={"width": 1920, "height": 1080}, locale="zh-CN")
    host = url.split("//", 1)[1].split(":")[0]
    ctx.add_cookies([{"name": sessions.COOKIE, "value": forge(store), "domain": host, "path": "/"}])
    tab = ctx.new_page()
    tab.goto(f"{url}/indicators")
    _asks_for_login(tab, "登录凭据无效或已失效")
    ctx.close()
