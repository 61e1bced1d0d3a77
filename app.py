"""商丘市数字政府领导驾驶舱: page config, navigation. Nothing else."""
import streamlit as st

from cockpit.config import setup_logging
from ui import state
from ui.widgets import apply_theme

setup_logging()
st.set_page_config(page_title="商丘市数字政府领导驾驶舱", page_icon="🏛️", layout="wide",
                   initial_sidebar_state="expanded")
apply_theme()
state.store()  # migrate and, on a first run, load demo data with visible progress

# Stable URLs that wall displays and bookmarks rely on; pages not built yet are absent.
PAGES = [
    st.Page("pages/overview.py", title="驾驶舱总览", icon="🏛️", url_path="", default=True),
]
st.navigation(PAGES, position="sidebar").run()
