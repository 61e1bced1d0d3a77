"""商丘市数字政府领导驾驶舱: page config, login gate, navigation. Nothing else."""
import streamlit as st

from cockpit import auth
from cockpit.config import setup_logging
from ui import auth as ui_auth, state
from ui.nav import PAGES
from ui.widgets import ASSETS, apply_theme

setup_logging()
st.set_page_config(page_title="商丘市数字政府领导驾驶舱", page_icon=str(ASSETS / "favicon.png"),
                   layout="wide", initial_sidebar_state="expanded")
apply_theme()
try:
    state.store()  # migrate and, on a first run, load demo data with visible progress
    user = ui_auth.gate()  # shows the login form and stops when a login is needed
    ui_auth.sidebar(user)
    # A page the viewer may not open is not registered at all, so its URL cannot run it either.
    pages = [st.Page(p.script, title=p.title, icon=p.icon, url_path=p.url_path, default=not p.url_path)
             for p in PAGES if auth.allowed(user, f"page:{p.url_path}")]
    st.navigation(pages, position="sidebar").run()
except state.DATABASE_DOWN as exc:  # pages run inside this call: one message for all of them
    state.database_down(exc)
