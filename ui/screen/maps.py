"""County maps for the wall as plain SVG shapes (Plotly scatter polygons, cockpit.charts).

A wall redraws its boards for hours, and a WebGL map mounted again on every turn of the carousel
is what grows a browser's memory (bench/wall.md). Outlines drawn as filled polygons need no WebGL,
no tiles and no topojson: nothing is fetched, and the map scales with its panel like any chart.
"""
from __future__ import annotations

from pathlib import Path

import pandas as pd
import plotly.graph_objects as go

from cockpit import charts
from cockpit.charts import Chart
from cockpit.signals import LEVELS

WALL_MAP = "wall-map"  # layout.meta: render.dark gives maps their own margins
FILL = "#16324f"


def _frame(fig: go.Figure, chart: Chart) -> Chart:
    charts.map_axes(fig)
    fig.update_layout(meta=WALL_MAP)
    return chart


def county_map(path: Path, values: pd.DataFrame, *, title: str, caliber: str, source: str, as_of: str) -> Chart:
    """The desktop overview's county map (cockpit.charts), framed for the wall."""
    chart = charts.county_map(path, values, title=title, caliber=caliber, source=source, as_of=as_of)
    return _frame(chart.figure, chart)


def event_map(path: Path, events: pd.DataFrame, *, title: str, caliber: str, source: str, as_of: str) -> Chart:
    """events: lon, lat, level, is_open. Points in the 红橙黄蓝 of their level, larger when more
    severe (render.dark scales them with the screen), ringed white while in hand, over the outlines."""
    rings, k = charts.county_rings(path)
    fig = go.Figure()
    for xs, ys in rings.values():
        fig.add_trace(go.Scatter(x=xs, y=ys, fill="toself", mode="lines", fillcolor=FILL,
                                 line={"color": charts.MAP_OUTLINE, "width": 1.2}, hoverinfo="skip"))
    for level in (4, 3, 2, 1):  # the severe ones on top
        part = events[events.level == level]
        if len(part):
            fig.add_trace(go.Scatter(
                x=part.lon * k, y=part.lat, mode="markers", hoverinfo="skip",
                marker={"color": LEVELS[level].colour, "size": {1: 22, 2: 18, 3: 14, 4: 11}[level], "opacity": 0.95,
                        "line": {"color": ["#ffffff" if o else "rgba(0,0,0,0)" for o in part.is_open], "width": 3}}))
    return _frame(fig, Chart(fig, title, "", caliber, source, as_of))
