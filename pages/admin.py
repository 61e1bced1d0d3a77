"""系统管理: users, wall-display links, audit log (管理员 only; app.py does not register it for others)."""
import streamlit as st

from ui import admin_panels as panels, state

v = state.view()
st.title("系统管理")
panels.users_panel(v)
panels.screen_links_panel(v)
panels.audit_panel(v)
st.caption("数据截至：实时 · 口径：本系统用户与操作记录")
