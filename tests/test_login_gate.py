"""The login gate in AppTest: open mode, login, navigation by role, scope through the cache."""
from __future__ import annotations


import pytest
from streamlit.testing.v1 import AppTest

from cockpit import auth, config
from cockpit.store import Store
from tests.conftest import ROOT, open_app, point_app

PW = "correct horse battery"


@pytest.fixture
def db(demo_copy, monkeypatch):
    point_app(monkeypatch, demo_copy)
    return Store(demo_copy)


def _app():
    return open_app()


def _login(at, name, password):
    at.text_input(key="login_name").input(name)
    at.text_input(key="login_password").input(password)
    next(b for b in at.button if b.label == "登录").click().run()
    return at


def test_without_users_the_cockpit_is_open_and_says_so(db):
    at = _app()
    assert any("开放模式" in w.value for w in at.sidebar.warning)
    assert len(at.metric) > 12


def test_with_a_user_the_cockpit_asks_for_a_login_and_shows_nothing_else(db):
    auth.add_user(db, "领导甲", "leader", PW)
    at = _app()
    assert [t.label for t in at.text_input] == ["用户名", "密码"]
    # a password manager offers the saved login (not a new password to generate)
    assert [t.proto.autocomplete for t in at.text_input] == ["username", "current-password"]
    assert len(at.metric) == 0
    _login(at, "领导甲", "wrong password!!")
    assert [e.value for e in at.error] == [auth.REFUSED] and len(at.metric) == 0
    _login(at, "领导甲", PW)
    assert not at.exception and len(at.metric) > 12
    assert any("当前用户：领导甲（领导）" in c.value for c in at.sidebar.caption)


def test_a_county_user_sees_only_their_county_even_after_a_leader_filled_the_cache(db):
    auth.add_user(db, "领导甲", "leader", PW)
    auth.add_user(db, "永城", "county", PW, region_code="411481")
    leader = _login(_app(), "领导甲", PW)
    leader.switch_page("pages/economy.py").run()
    assert len(leader.table[1].value) == 10  # all ten county-level units ranked
    county = _login(_app(), "永城", PW)
    county.switch_page("pages/economy.py").run()
    assert not county.exception
    assert county.selectbox(key="f_region").options == ["永城市"]
    ranked = county.table[1].value
    assert ranked["县区"].tolist() == ["永城市"]
    # at the county's own latest quarter (it sees no city figures to take the period from)
    assert ranked["同比"].notna().all() and not any("没有同比数据" in i.value for i in county.info)
    assert any(h.value.startswith("永城市主要指标") for h in county.subheader)


def _region_names(at) -> set[str]:
    names = set()
    for frame in at.table:
        for col in ("县区", "地区"):
            if col in frame.value.columns:
                names |= set(frame.value[col].dropna().astype(str))
    return names


def test_a_county_user_sees_only_their_countys_tickets_events_and_warnings(db):
    """Pages built on their own queries apply the scope too (hotline, emergency)."""
    auth.add_user(db, "领导甲", "leader", PW)
    auth.add_user(db, "睢阳", "county", PW, region_code="411403")
    leader = _login(_app(), "领导甲", PW)
    county = _login(_app(), "睢阳", PW)
    for page in ("pages/hotline.py", "pages/emergency.py"):
        leader.switch_page(page).run()  # fills the caches with the whole city first
        county.switch_page(page).run()
        assert not county.exception, [e.message for e in county.exception]
        assert len(_region_names(leader) - {"睢阳区"}) >= 3, page  # there was something to hide
        assert _region_names(county) <= {"睢阳区"}, (page, _region_names(county))


def test_an_idle_session_expires_and_asks_for_a_login_again(db):
    import datetime as dt

    from cockpit import schema as s
    auth.add_user(db, "领导甲", "leader", PW)
    at = _login(_app(), "领导甲", PW)
    assert len(at.metric) > 12
    idle = dt.datetime.now() - dt.timedelta(minutes=config.settings().session_minutes + 1)
    with db.begin() as conn:  # the session's record is what ages: every tab and cookie of it expires
        conn.execute(s.login_sessions.update().values(last_seen_at=idle))
    at.run()
    assert len(at.metric) == 0 and [t.label for t in at.text_input] == ["用户名", "密码"]
    assert any("登录已超时" in i.value for i in at.info)


def test_a_screen_link_opens_the_cockpit_read_only_without_a_login(db):
    auth.add_user(db, "管理员乙", "admin", PW)
    token = auth.create_screen_link(db, "指挥中心大屏", actor="管理员乙")
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    at.query_params["token"] = token
    at.run()
    assert not at.exception and len(at.metric) > 12
    with pytest.raises(ValueError, match="Could not find a navigation page"):
        at.switch_page("pages/upload.py").run()
    auth.revoke_screen_link(db, "指挥中心大屏", actor="管理员乙")
    again = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    again.query_params["token"] = token
    again.run()
    assert any("已被收回" in e.value for e in again.error) and len(again.metric) == 0


def test_a_disabled_admin_in_an_open_tab_can_create_nothing_on_the_next_click(db):
    auth.add_user(db, "管理员丙", "admin", PW)
    at = _login(_app(), "管理员丙", PW)
    at.switch_page("pages/admin.py").run()
    at.text_input(key="a_name").input("偷建的用户")
    at.text_input(key="a_password").input(PW)
    auth.set_disabled(db, "管理员丙", True)  # by another admin, while this tab stays open
    next(b for b in at.button if b.label == "创建").click().run()
    assert "偷建的用户" not in auth.list_users(db).name.tolist()
    assert [t.label for t in at.text_input] == ["用户名", "密码"]
    # a password manager offers the saved login (not a new password to generate)
    assert [t.proto.autocomplete for t in at.text_input] == ["username", "current-password"]
    assert any("已被停用" in i.value for i in at.info)


def test_a_demoted_user_loses_the_pages_of_the_old_role_on_the_next_rerun(db):
    auth.add_user(db, "管理员丁", "admin", PW)
    at = _login(_app(), "管理员丁", PW)
    at.switch_page("pages/admin.py").run()
    auth.set_role(db, "管理员丁", "leader")
    at.run()
    with pytest.raises(ValueError, match="Could not find a navigation page"):
        at.switch_page("pages/admin.py").run()


def test_a_screen_link_keeps_its_token_when_a_page_link_drops_the_query_string(db):
    auth.add_user(db, "管理员乙", "admin", PW)
    token = auth.create_screen_link(db, "指挥中心大屏", actor="管理员乙")
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    at.query_params["token"] = token
    at.run()
    at.query_params.clear()  # a sidebar link navigates without ?token=
    at.switch_page("pages/economy.py").run()
    assert not at.exception and [t.value for t in at.title] == ["经济运行"]
    assert any(h.value.startswith("商丘市主要指标") for h in at.subheader)
    assert "用户名" not in [t.label for t in at.text_input]


def test_a_screen_link_offers_no_export(db):
    auth.add_user(db, "管理员乙", "admin", PW)
    token = auth.create_screen_link(db, "指挥中心大屏", actor="管理员乙")
    leader_tasks = _login(_app(), "管理员乙", PW)
    leader_tasks.switch_page("pages/tasks.py").run()
    assert any(b.label.startswith("导出") for b in leader_tasks.get("download_button"))
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    at.query_params["token"] = token
    at.run()
    at.switch_page("pages/tasks.py").run()
    assert not at.exception and [t.value for t in at.title] == ["督查督办"]
    assert list(at.get("download_button")) == []


@pytest.mark.parametrize("code", ["411402", "411400-SFQ"])
def test_a_county_user_gets_every_panel_or_a_reason_never_a_broken_panel(db, code):
    """梁园区 has no recent emergency event in the demo data; the 示范区 has no figures of its own."""
    auth.add_user(db, "县区甲", "county", PW, region_code=code)
    at = _login(_app(), "县区甲", PW)
    for page in ("pages/overview.py", "pages/economy.py", "pages/indicators.py", "pages/tasks.py",
                 "pages/hotline.py", "pages/emergency.py", "pages/warnings.py"):
        at.switch_page(page).run()
        broken = [e.value for e in at.error if "暂时无法显示" in e.value]
        assert not at.exception and not broken, (page, broken)
    at.switch_page("pages/indicators.py").run()
    assert any("全市指标，不分县区" in i.value for i in at.info)
