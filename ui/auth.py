"""The login gate: who is looking, from a password, a trusted proxy header or a screen link.

A password login lasts beyond its tab: the login opens a server-side session (cockpit.sessions)
and sends the browser once through /_cockpit/login (ui/server.py), which sets the HttpOnly session
cookie and returns to the page the visitor asked for, with its filters. A reload or a new tab
reads that cookie here (st.context.cookies); every rerun checks the session is still open. A
logout closes the session on the server, so the cookie the browser keeps opens nothing; the next
login replaces it.
"""
from __future__ import annotations

import json
from urllib.parse import urlencode, urlsplit

import streamlit as st

from cockpit import auth, city, sessions
from cockpit.config import settings

from . import state
from .text import md

LOGIN_PATH = "/_cockpit/login"


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
    minutes = settings().session_minutes
    try:
        if "auth_session" in st.session_state:  # this tab's own login
            session = sessions.check(state.store(), st.session_state["auth_session"], minutes)
        elif (cookie := _cookie()) and cookie != st.session_state.get("auth_dead_cookie"):  # a reload, a new tab
            session = sessions.resume(state.store(), cookie, minutes)
        else:
            return None
        # Every request re-reads the account: disabled, demoted or moved since the login.
        user = auth.current(state.store(), auth.User(session.user_name, ""))
    except (sessions.Refused, auth.AuthError) as exc:
        logout(str(exc))
        return None
    st.session_state["auth_session"] = session.id
    return user


def _cookie() -> str | None:
    return st.context.cookies.get(sessions.COOKIE)


def logout(message: str | None = None) -> None:
    """Forget the login in this tab. The browser's cookie is not read again in this tab: after a
    logout it must not quietly log the tab in as whoever logged in last in another tab."""
    for key in ("auth_session", "user_name", "viewer", "scope", "screen_token"):
        st.session_state.pop(key, None)
    st.session_state["auth_dead_cookie"] = _cookie()
    if message:
        st.session_state["auth_message"] = message


def _here() -> str:
    """The path and query string the visitor asked for, where a login returns them."""
    path = urlsplit(st.context.url or "/").path or "/"
    query = urlencode(st.query_params.to_dict())
    return f"{path}?{query}" if query else path


def _go(url: str) -> None:
    """Send the browser to one of our own paths (the URL is built here, every part encoded)."""
    st.html(f"<script>window.location.replace({json.dumps(url)})</script>", unsafe_allow_javascript=True)


def login_form() -> None:
    st.title(city.TITLE)
    if msg := st.session_state.pop("auth_message", None):
        st.info(msg)
    with st.form("login", width=520):  # a name and a password, not a field across a wall screen
        # The browser's password manager fills a login, not a "new password" (Streamlit's default).
        name = st.text_input("用户名", key="login_name", autocomplete="username")
        password = st.text_input("密码", type="password", key="login_password", autocomplete="current-password")
        if st.form_submit_button("登录"):
            try:
                user = auth.authenticate(state.store(), name.strip(), password)
            except auth.AuthError as exc:
                st.error(str(exc))
            else:
                session, ticket = sessions.start(state.store(), user.name)
                # This tab is logged in at once; the browser then fetches its cookie and comes back
                # to the page it asked for.
                st.session_state.update(auth_session=session.id, user_name=user.name,
                                        auth_goto=f"{LOGIN_PATH}?{urlencode({'ticket': ticket, 'next': _here()})}")
                st.rerun()


def gate() -> auth.User:
    """Return the viewer, or show the login form and stop the run."""
    if goto := st.session_state.pop("auth_goto", None):  # just logged in: fetch the cookie
        _go(goto)
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
            st.caption(f"当前用户：{md(user.name)}（{user.role_name}）")
            if user.via == "password" and st.button("退出登录", key="logout"):
                sessions.end(state.store(), st.session_state["auth_session"], "logout", actor=user.name)
                logout(sessions.ENDED["logout"])
                st.rerun()
