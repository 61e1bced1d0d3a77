"""What only the browser knows: the screen's size (charts and maps are sized from it) and the
local time for the nightly reload. A small component that reports and schedules, nothing more."""
from __future__ import annotations

import streamlit as st

JS = """
export default function ({ data, setStateValue }) {
  const report = () => {
    const size = [window.innerWidth, window.innerHeight];
    const known = data.known || [];
    if (size[0] !== known[0] || size[1] !== known[1]) setStateValue("viewport", size);
  };
  let resizing, reload;
  const onResize = () => { clearTimeout(resizing); resizing = setTimeout(report, 400); };
  window.addEventListener("resize", onResize);
  report();
  const schedule = (at) => {
    window.__wallReloadAt = at.toISOString();
    reload = setTimeout(() => {
      // A wall keeping its last good figures through an outage keeps them: a reload now would
      // trade them for an error page. It tries again ten minutes later.
      if (document.querySelector(".wall-stale")) schedule(new Date(Date.now() + 600000));
      else window.location.reload();
    }, at - Date.now());
  };
  if (data.reload_at) {
    const [h, m] = data.reload_at.split(":").map(Number);
    const at = new Date();
    at.setHours(h, m, 0, 0);
    if (at <= new Date()) at.setDate(at.getDate() + 1);
    schedule(at);
  }
  return () => { window.removeEventListener("resize", onResize); clearTimeout(resizing); clearTimeout(reload); };
}
"""
DEFAULT = (1920, 1080)


@st.cache_resource(show_spinner=False)
def _component():
    # Registered once per process, from inside a run (registering at import has no runtime).
    return st.components.v2.component("cockpit_wall_probe", js=JS)


def viewport(reload_at: str) -> tuple[int, int]:
    """The browser window's size in CSS pixels (1920×1080 until the browser has said)."""
    known = st.session_state.get("wall_viewport")
    result = _component()(key="wall-probe", data={"known": known, "reload_at": reload_at},
                          default={"viewport": None}, on_viewport_change=lambda: None, height=0)
    size = result.viewport
    if isinstance(size, list) and len(size) == 2 and all(isinstance(x, int) and 200 <= x <= 20000 for x in size):
        st.session_state["wall_viewport"] = tuple(size)
    return st.session_state.get("wall_viewport", DEFAULT)
