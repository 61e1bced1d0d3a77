"""月度简报: the monthly briefing pack (PPTX, PDF, XLSX) in one click."""
import streamlit as st

from ui import briefing_panels as panels, state
from ui.widgets import demo_banner

v = state.view()
st.title("月度简报")
demo_banner(state.demo_datasets(v), {"observations", "task_progress"})
choice = panels.request(v)
panels.make(v, choice)
panels.result(v, choice)
