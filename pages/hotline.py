"""社情民意: 12345 volume, hot categories and where they surge, 办结率, 满意率, overdue tickets."""
import streamlit as st

from ui import hotline_panels as panels, state
from ui.filters import filter_bar
from ui.widgets import demo_banner

v = state.view()
st.title("社情民意 · 12345 热线")
demo_banner(state.demo_datasets(v), {"hotline_tickets"})
if panels.anchor(v) is None:
    st.info("尚无 12345 工单数据：请在“数据报送”中导入工单，或由管理员接入热线系统。")
    st.stop()
f = filter_bar(v, panels.months(v), show_basis=False)
panels.headline(v, f)
panels.surges(v, f)
panels.volume_chart(v, f)
left, right = st.container(key="split_hl_categories").columns([1, 1])  # stacked on a laptop (cockpit.css)
with left:
    panels.categories(v, f)
with right:
    panels.county_map(v, f)
panels.overdue(v, f)
