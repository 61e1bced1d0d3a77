"""数据源: the sources of sources.toml, how fresh each is, the pulls; 立即拉取 for admins."""
import streamlit as st

from ui import sources_panels as sp, state

v = state.view()
st.title("数据源")
config = sp.sources_table(v)
sp.pull_now(v, config)
sp.runs_table(v)
