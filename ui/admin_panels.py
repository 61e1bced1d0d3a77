"""系统管理: users, read-only screen links, the audit log."""
from __future__ import annotations

import streamlit as st

from cockpit import audit, auth
from cockpit.auth import View

from . import labels, state, tables
from .text import md
from .widgets import guard


USER_COLUMNS = {"name": "用户名", "role": "角色", "region_code": "县区", "department": "部门", "state": "状态",
                "created_at": "创建时间"}
LINK_COLUMNS = {"name": "名称", "region_code": "县区", "created_by": "创建人", "created_at": "创建时间",
                "revoked_at": "收回时间", "last_used_at": "最近使用"}


def _actor() -> str:
    return st.session_state.get("user_name", "未登录用户")


def users_panel(v: View) -> None:
    with guard("用户管理"):
        st.subheader("用户")
        users = auth.list_users(state.store())
        if users.empty:
            st.caption("尚无用户：驾驶舱处于开放模式。创建第一个管理员后即需登录。")
        regions = state.regions(v)
        names = dict(zip(regions.code, regions.name))
        if len(users):
            shown = users.assign(role=users.role.map(auth.ROLES), state=users.state.map(auth.USER_STATES),
                                 region_code=users.region_code.map(lambda c: names.get(c, c)))
            tables.show(shown[list(USER_COLUMNS)].rename(columns=USER_COLUMNS), title="用户", key="a_users",
                        source="本系统", as_of="实时")
        with st.form("a_add_user", clear_on_submit=True):
            st.markdown("**新建用户**")
            c1, c2, c3, c4 = st.columns(4)
            name = c1.text_input("用户名", key="a_name")
            role = c2.selectbox("角色", list(auth.ROLES), format_func=auth.ROLES.get, key="a_role")
            region = c3.selectbox("县区（县区用户、填报员）", [""] + regions.code.tolist(), key="a_region",
                                  format_func=lambda c: dict(zip(regions.code, regions.name)).get(c, "全市/不限"))
            department = c4.selectbox("部门（部门填报员只报本部门指标）", ["", *auth.departments(state.store())],
                                      key="a_department", format_func=lambda d: d or "不限")
            password = st.text_input("初始密码（至少 10 位）", type="password", key="a_password")
            if st.form_submit_button("创建"):
                try:
                    auth.add_user(state.store(), name, role, password, region_code=region or None,
                                  department=department or None, actor=_actor())
                    st.success(f"已创建用户“{md(name)}”")
                except auth.AuthError as exc:
                    st.error(md(exc))
        if len(users):
            c1, c2, c3 = st.columns([2, 2, 1])
            who = c1.selectbox("选择用户", users.name.tolist(), key="a_who")
            action = c2.selectbox("操作", ["停用", "启用"] + [f"改为{n}" for n in auth.ROLES.values()], key="a_action")
            c3.write("")
            if c3.button("执行", key="a_do"):
                try:
                    if action in ("停用", "启用"):
                        auth.set_disabled(state.store(), who, action == "停用", actor=_actor())
                    else:
                        auth.set_role(state.store(), who, action[2:], actor=_actor())
                    st.success(f"已对“{md(who)}”执行：{action}")
                except auth.AuthError as exc:
                    st.error(md(exc))


def screen_links_panel(v: View) -> None:
    with guard("大屏链接"):
        st.subheader("大屏只读链接")
        links = auth.screen_links(state.store())
        if links.empty:
            st.caption("尚未生成大屏链接。")
        else:
            names = dict(zip(state.regions(v).code, state.regions(v).name))
            shown = links.assign(region_code=links.region_code.map(lambda c: names.get(c, c) if c else "全市"))
            tables.show(shown.rename(columns=LINK_COLUMNS), title="大屏只读链接", key="a_links", source="本系统",
                        as_of="实时")
        c1, c2 = st.columns(2)
        with c1, st.form("a_new_link", clear_on_submit=True):
            name = st.text_input("新链接名称（如：市指挥中心大屏）", key="a_link_name")
            if st.form_submit_button("生成链接") and name.strip():
                token = auth.create_screen_link(state.store(), name.strip(), actor=_actor())
                st.success("链接已生成，只显示这一次，请妥善保存：")
                st.code(f"/?token={token}", language=None)
        with c2:
            active = links[links.revoked_at.isna()].name.tolist() if len(links) else []
            if active:
                which = st.selectbox("收回链接", active, key="a_revoke_which")
                if st.button("收回", key="a_revoke"):
                    auth.revoke_screen_link(state.store(), which, actor=_actor())
                    st.success(f"已收回“{md(which)}”")


def audit_panel(v: View) -> None:
    with guard("审计日志"):
        st.subheader("审计日志")
        log = audit.recent(state.store())
        if log.empty:
            st.caption("审计日志暂无记录。")
            return
        indicators = dict(zip(state.indicators(v).code, state.indicators(v).name))
        tables.show(labels.audit_frame(log, indicators), title="审计日志", key="a_audit", source="本系统操作记录",
                    as_of=f"{log['at'].max():%Y-%m-%d %H:%M}", what="audit_log",
                    caliber=f"最近 {len(log):,} 条，新的在前")
