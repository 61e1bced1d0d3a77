"""系统管理 in AppTest: the first admin is created in open mode; from then on a login is required."""
from __future__ import annotations


import pytest
import streamlit as st

from cockpit import auth, schema as s
from cockpit.store import Store
from tests.conftest import open_app, point_app

PW = "correct horse battery"


@pytest.fixture
def db(demo_copy, monkeypatch):
    point_app(monkeypatch, demo_copy)
    return Store(demo_copy)


def _app(page=None):
    return open_app(page=page)


def test_first_admin_created_in_open_mode_then_login_is_required(db):
    at = _app("pages/admin.py")
    at.text_input(key="a_name").input("管理员甲")
    at.selectbox(key="a_role").set_value("admin")
    at.text_input(key="a_password").input(PW)
    next(b for b in at.button if b.label == "创建").click().run()
    assert any("已创建用户“管理员甲”" in x.value for x in at.success)
    assert auth.list_users(db).name.tolist() == ["管理员甲"]
    audit = db.frame(s.audit_log.select())
    assert ((audit.action == "user_add") & (audit.target == "user:管理员甲")).any()
    st.cache_data.clear()  # the gate rechecks "are there users" at most every 10 s
    again = _app()
    assert [t.label for t in again.text_input] == ["用户名", "密码"]


def test_a_leader_is_not_offered_the_admin_page(db):
    auth.add_user(db, "领导甲", "leader", PW)
    auth.add_user(db, "管理员乙", "admin", PW)
    at = _app()
    at.text_input(key="login_name").input("领导甲")
    at.text_input(key="login_password").input(PW)
    next(b for b in at.button if b.label == "登录").click().run()
    # The page is not registered for a leader at all, so neither a click nor its URL can run it.
    with pytest.raises(ValueError, match="Could not find a navigation page") as refused:
        at.switch_page("pages/admin.py").run()
    assert "pages/upload.py" not in str(refused.value) and "pages/economy.py" in str(refused.value)


def test_screen_link_is_shown_once_and_works_read_only(db):
    auth.add_user(db, "管理员乙", "admin", PW)
    at = _app()
    at.text_input(key="login_name").input("管理员乙")
    at.text_input(key="login_password").input(PW)
    next(b for b in at.button if b.label == "登录").click().run()
    at.switch_page("pages/admin.py").run()
    at.text_input(key="a_link_name").input("指挥中心大屏")
    next(b for b in at.button if b.label == "生成链接").click().run()
    link = at.code[0].value
    assert link.startswith("/?token=")
    viewer = auth.screen_user(db, link.split("=", 1)[1])
    assert viewer.via == "screen" and not auth.allowed(viewer, "page:admin")
