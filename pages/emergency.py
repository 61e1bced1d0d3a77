"""应急指挥: open emergencies first, the event map and timeline, warnings in force,
public-health surveillance and today's duty contacts."""
import streamlit as st

from ui import emergency_panels as panels, state
from ui.filters import filter_bar
from ui.widgets import demo_banner

v = state.view()
st.title("应急指挥")
demo_banner(state.demo_datasets(v), {"emergency_events", "weather_warnings", "duty_roster", "observations"})
f = filter_bar(v, panels.health_months(v), show_basis=False)
panels.headline(v, f)
panels.open_events(v, f)
panels.event_board(v, f)
left, right = st.container(key="split_em_duty").columns([3, 2])  # stacked on a laptop (cockpit.css)
with left:
    panels.weather_panel(v, f)
with right:
    panels.duty_panel(v)
panels.health_panel(v, f)
