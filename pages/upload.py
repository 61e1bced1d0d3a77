"""数据报送: templates, upload with preview and confirm, 报送情况, history with rollback."""
import streamlit as st

from ui import state, upload_panels as up
from ui.widgets import demo_banner

v = state.view()
st.title("数据报送")
demo_banner(state.demo_datasets(v), {"observations", "task_progress"})
up.header(v)
upload, templates, status, history = st.tabs(["上传报表", "下载模板", "报送情况", "报送历史"])
with upload:
    up.upload_panel(v)
with templates:
    up.template_panel(v)
with status:
    up.status_panel(v)
with history:
    up.history_panel(v)
