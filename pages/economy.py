"""经济运行 and the other indicator domains: one page, one machinery."""
import streamlit as st

from ui import economy_panels as panels, state
from ui.filters import filter_bar, months_of
from ui.widgets import demo_banner

v = state.view()
st.title("经济运行")
demo_banner(state.demo_datasets(v), {"observations"})
domain = st.segmented_control("领域", panels.domains(v), default="宏观经济", key="e_domain") or "宏观经济"
_, obs = panels.domain_frame(v, domain)
f = filter_bar(v, months_of(obs))
panels.overview_table(v, domain, f)
panels.indicator_detail(v, domain, f)
