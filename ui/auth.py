"""The login gate: who is looking, from a password, a trusted proxy header or a screen link."""
from __future__ import annotations

import datetime as dt

import streamlit as st

from cockpit import auth
from cockpit.auth import View
from cockpit.config import settings

from . import state


@st.cache_data(show_spinner=False, ttl=10)
def _has_users(v: View) -> bool:
    return auth.has_users(state.store())


def _proxy_user() -> auth.User | None:
    cfg = settings()
    if not cfg.proxy_header:
        return None
    return auth.proxy_user(state.store(), st.context.headers, st.context.ip_address,
                           cfg.proxy_header, cfg.proxy_addresses)


def current_user() -> auth.User | None:
    """The viewer, or None when a login is needed. OPEN_USER while no user exists."""
    if not _has_users(state.view()):
        return auth.OPEN_USER
    token = st.query_params.get("token")
    if token:
        return auth.screen_user(state.store(), token)
    proxied = _proxy_user()
    if proxied:
        return proxied
    user, seen = st.session_state.get("auth_user"), st.session_state.get("auth_seen")
    if user is None:
        return None
    if dt.datetime.now() - seen > dt.timedelta(minutes=settings().session_minutes):
        logout("登录已超时，请重新登录。")
        return None
    st.session_state["auth_seen"] = dt.datetime.now()
    return user


def logout(message: str | None = None) -> None:
    for key in ("auth_user", "auth_seen", "user_name", "viewer", "scope"):
        st.session_state.pop(key, None)
    if message:
        st.session_state["auth_message"] = message


def login_form() -> None:
    st.title("商丘市数字政府领导驾驶舱")
    if msg := st.session_state.pop("auth_message", None):
        st.info(msg)
    with st.form("login"):
        name = st.text_input("用户名", key="login_name")
        password = st.text_input("密码", type="password", key="login_password")
        if st.form_submit_button("登录"):
            try:
                user = auth.authenticate(state.store(), name.strip(), password)
            except auth.AuthError as exc:
                st.error(str(exc))
            else:
                st.session_state.update(auth_user=user, auth_seen=dt.datetime.now(), user_name=user.name)
                st.rerun()


def gate() -> auth.User:
    """Return the viewer, or show the login form and stop the run."""
    try:
        user = current_user()
    except auth.AuthError as exc:
        st.error(str(exc))
        st.stop()
    if user is None:
        login_form()
        st.stop()
    st.session_state["user_name"] = user.name
    st.session_state["scope"] = user.scope
    st.session_state["viewer"] = user
    return user


def can(what: str) -> bool:
    """May the current viewer do `what` ('action:...')? Pages hide what they may not do;
    the core refuses it too where the action writes."""
    return auth.allowed(st.session_state.get("viewer"), what)


def sidebar(user: auth.User) -> None:
    with st.sidebar:
        if user.via == "open":
            st.warning("尚未设置用户：驾驶舱处于开放模式，仅供演示。管理员可用 `python -m cockpit users add` 创建用户。")
        else:
            st.caption(f"当前用户：{user.name}（{user.role_name}）")
            if user.via == "password" and st.button("退出登录", key="logout"):
                logout("已退出登录。")
                st.rerun()
