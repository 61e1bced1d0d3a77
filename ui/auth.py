"""The login gate: who is looking, from a password, a trusted proxy header or a screen link."""
from __future__ import annotations

import datetime as dt

import streamlit as st

from cockpit import auth
from cockpit.config import settings

from . import state
from .text import md


def _proxy_user() -> auth.User | None:
    cfg = settings()
    if not cfg.proxy_header:
        return None
    return auth.proxy_user(state.store(), st.context.headers, st.context.ip_address,
                           cfg.proxy_header, cfg.proxy_addresses)


def current_user() -> auth.User | None:
    """The viewer, or None when a login is needed. OPEN_USER while no user exists."""
    # Not cached: the moment the first user exists, open mode ends for every session.
    if not auth.has_users(state.store()):
        return auth.OPEN_USER
    # A wall display keeps its link's token for the whole session: a click on a page link
    # (which drops the query string) must not turn it into a login form.
    token = st.query_params.get("token") or st.session_state.get("screen_token")
    if token:
        user = auth.screen_user(state.store(), token)
        st.session_state["screen_token"] = token
        return user
    proxied = _proxy_user()
    if proxied:
        return proxied
    user, seen = st.session_state.get("auth_user"), st.session_state.get("auth_seen")
    if user is None:
        return None
    if dt.datetime.now() - seen > dt.timedelta(minutes=settings().session_minutes):
        logout("登录已超时，请重新登录。")
        return None
    try:
        user = auth.current(state.store(), user)  # disabled, demoted or moved since the login
    except auth.AuthError as exc:
        logout(str(exc))
        return None
    st.session_state.update(auth_user=user, auth_seen=dt.datetime.now())
    return user


def logout(message: str | None = None) -> None:
    for key in ("auth_user", "auth_seen", "user_name", "viewer", "scope_key", "screen_token"):
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
    st.session_state["scope_key"] = user.scope.key
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
            st.caption(f"当前用户：{md(user.name)}（{user.role_name}）")
            if user.via == "password" and st.button("退出登录", key="logout"):
                logout("已退出登录。")
                st.rerun()
