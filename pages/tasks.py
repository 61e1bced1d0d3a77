"""督查督办: the plan's 172 key tasks — overdue and whose, due soon, the unit ranking, reports, export."""
import streamlit as st

from ui import state, task_panels as panels
from ui.widgets import demo_banner

v = state.view()
today = state.today()
st.title("督查督办")
demo_banner(state.demo_datasets(v), {"task_progress"})
panels.headline(v, today)
panels.overdue_and_soon(v, today)
panels.timeline(v, today)
panels.ranking(v, today)
panels.task_list(v, today)
panels.task_history(v, today)
