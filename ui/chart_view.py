"""The one way a chart reaches the screen: the figure without Plotly's English toolbar, and our own
downloads (PNG for slides and for the wall, SVG, PDF) drawn on the server when clicked.

Plotly's modebar speaks English ("Download plot as a PNG"), and its Chinese locale file is not in
Streamlit's bundle, so the modebar is hidden; zoom and hover still work on the chart itself.
"""
from __future__ import annotations

import streamlit as st

from cockpit.auth import View
from cockpit.briefing.figure import FORMATS, LABELS, MIME, file_name
from cockpit.charts import Chart
from service import briefing_render

from . import state
from .auth import can
from .widgets import export_button

CONFIG = {"displayModeBar": False, "displaylogo": False, "scrollZoom": False}


def demo(v: View, *datasets: str) -> bool:
    """Are the figures of these datasets demo figures (the 演示数据 mark goes on the picture)?"""
    return bool(state.demo_datasets(v) & set(datasets))


def show(chart: Chart, key: str, *, demo: bool, **kwargs) -> None:
    """st.plotly_chart for every chart in ui/, followed by its download menu. kwargs go to
    st.plotly_chart (on_select, selection_mode)."""
    st.plotly_chart(chart.figure, config=CONFIG, key=key, **kwargs)
    downloads(chart, key, demo=demo)


def downloads(chart: Chart, key: str, *, demo: bool) -> None:
    """A popover of download buttons; each picture is rendered only when its button is clicked
    (Streamlit's deferred download), never on a rerun, and each taking is audited."""
    if not can("action:export"):  # a wall display's read-only link: no empty menu either
        return
    with st.popover("下载图片", icon=":material/download:"):
        st.caption("图片在服务器上生成，含标题、口径、来源、数据截至" + ("与“演示数据”标记" if demo else "")
                   + "；首次生成需数秒。")
        for fmt_key in FORMATS:
            fmt = FORMATS[fmt_key][0]
            export_button(LABELS[fmt_key], _renderer(chart, fmt_key, demo), file_name(chart.title, fmt_key),
                          what=f"chart:{key}", key=f"{key}_dl_{fmt_key}", mime=MIME[fmt])


def _renderer(chart: Chart, fmt_key: str, demo: bool):
    return lambda: briefing_render.chart(chart, fmt_key, demo=demo)
