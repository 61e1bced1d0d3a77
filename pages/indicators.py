"""建设指标: the plan's main indicators against its targets: lights during its period, the final
assessment after it, trends."""
import streamlit as st

from ui import indicator_panels as panels, state
from ui.widgets import demo_banner

v = state.view()
st.title("数字政府建设主要指标")
demo_banner(state.demo_datasets(v), {"observations"})
if panels.city_wide_only(v):
    panels.summary(v)
    panels.table(v)
    panels.detail(v)
