"""County maps for the wall as plain SVG shapes (Plotly scatter polygons, cockpit.map_charts).

A wall redraws its boards for hours, and a WebGL map mounted again on every turn of the carousel
is what grows a browser's memory (bench/wall.md). Outlines drawn as filled polygons need no WebGL,
no tiles and no topojson: nothing is fetched, and the map scales with its panel like any chart.
"""
from __future__ import annotations

from pathlib import Path

import pandas as pd
import plotly.graph_objects as go

from cockpit import geo, map_charts
from cockpit.charts import Chart
from cockpit.signals import LEVELS

WALL_MAP = "wall-map"  # layout.meta: render.dark gives maps their own margins
FILL = "#16324f"
NAME_INK = "#9fbbd6"  # county names: read on FILL, quieter than the event points


def _frame(fig: go.Figure, chart: Chart) -> Chart:
    map_charts.map_axes(fig)
    fig.update_layout(meta=WALL_MAP)
    return chart


def county_map(path: Path, values: pd.DataFrame, *, title: str, caliber: str, source: str, as_of: str) -> Chart:
    """The desktop overview's county map (cockpit.map_charts), framed for the wall."""
    chart = map_charts.county_map(path, values, title=title, caliber=caliber, source=source, as_of=as_of)
    return _frame(chart.figure, chart)


def event_map(path: Path, events: pd.DataFrame, *, title: str, caliber: str, source: str, as_of: str) -> Chart:
    """events: lon, lat, level, is_open. Points in the 红橙黄蓝 of their level, larger when more
    severe (render.dark scales them with the screen), ringed white while in hand, over the outlines."""
    rings, k = geo.county_rings(path)
    fig = go.Figure()
    for xs, ys in rings.values():
        fig.add_trace(go.Scatter(x=xs, y=ys, fill="toself", mode="lines", fillcolor=FILL,
                                 line={"color": map_charts.MAP_OUTLINE, "width": 1.2}, hoverinfo="skip"))
    # County names under the points: without them a dot on a bare outline cannot be placed from afar
    # (the county map writes them the same way; the layout font, sized by render.dark, draws them).
    centres, names = geo.centroids(Path(path)), geo.features_by_code(Path(path))
    shown = [c for c in rings if c in centres]
    fig.add_trace(go.Scatter(x=[centres[c][0] * k for c in shown], y=[centres[c][1] for c in shown], mode="text",
                             text=[f"<b>{names[c]['properties'].get('name', '')}</b>" for c in shown],
                             textfont={"color": NAME_INK}, hoverinfo="skip"))
    for level in (4, 3, 2, 1):  # the severe ones on top
        part = events[events.level == level]
        if len(part):
            fig.add_trace(go.Scatter(
                x=part.lon * k, y=part.lat, mode="markers", hoverinfo="skip",
                marker={"color": LEVELS[level].colour, "size": {1: 26, 2: 22, 3: 18, 4: 15}[level], "opacity": 0.95,
                        "line": {"color": ["#ffffff" if o else "rgba(0,0,0,0)" for o in part.is_open], "width": 3.5}}))
    return _frame(fig, Chart(fig, title, "", caliber, source, as_of))
