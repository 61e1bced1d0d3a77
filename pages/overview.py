"""驾驶舱总览: headline economy, the plan's indicators, the county map, latest warnings."""
import streamlit as st

from cockpit import city
from ui import panels, state
from ui.widgets import demo_banner

v = state.view()
st.title(city.TITLE)
demo_banner(state.demo_datasets(v), {"observations", "hotline_tickets", "emergency_events"})
panels.economy_tiles(v)
panels.operations(v)
panels.plan_tiles(v)
left, right = st.columns([3, 2])
with left:
    panels.county_map(v)
with right:
    panels.warnings_list(v)
