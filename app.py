"""The cockpit's entry: page config, login gate, navigation, the wall-display switch. Nothing else."""
import streamlit as st

from cockpit import auth, city
from cockpit.config import setup_logging
from ui import auth as ui_auth, screen, state
from ui.nav import PAGES
from ui.widgets import ASSETS, apply_theme

setup_logging()
st.set_page_config(page_title=city.TITLE, page_icon=str(ASSETS / "favicon.png"),
                   layout="wide", initial_sidebar_state="expanded")
apply_theme()
try:
    state.store()  # migrate and, on a first run, load demo data with visible progress
    user = ui_auth.gate()  # shows the login form and stops when a login is needed
    ui_auth.sidebar(user)
    # A page the viewer may not open is not registered at all, so its URL cannot run it either.
    pages = [st.Page(p.script, title=p.title, icon=p.icon, url_path=p.url_path, default=not p.url_path)
             for p in PAGES if auth.allowed(user, f"page:{p.url_path}")]
    page = st.navigation(pages, position="sidebar")
    # Statements, not a conditional expression: Streamlit's magic would write its value (None) below.
    if screen.requested(page.url_path):  # ?screen=1: the wall
        screen.run(page.url_path)
    else:
        page.run()
except state.DATABASE_DOWN as exc:  # pages run inside this call: one message for all of them
    if screen.requested():
        screen.outage(exc)
    else:
        state.database_down(exc)
finally:  # also when the script stopped early (a login form) or failed: its first run is over
    state.FIRST_PAGE_DONE.set()
