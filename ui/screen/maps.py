"""County maps for the wall as plain SVG shapes (Plotly scatter polygons).

The desktop pages draw pydeck maps; a wall redraws its boards for hours, and a WebGL map mounted
again on every turn of the carousel is what grows a browser's memory (bench/wall.md). Outlines
drawn as filled polygons need no WebGL, no tiles and no topojson: nothing is fetched, and the map
scales with its panel like any chart. Colours are the desktop map's (cockpit.maps).
"""
from __future__ import annotations

import math
from pathlib import Path

import pandas as pd
import plotly.graph_objects as go

from cockpit import geo, maps
from cockpit.charts import Chart
from cockpit.signals import LEVELS

WALL_MAP = "wall-map"  # layout.meta: render.dark gives maps their own margins
OUTLINE, FILL = "rgba(230,240,250,0.9)", "#16324f"


def _rgb(c: tuple[int, int, int]) -> str:
    return f"rgb({c[0]},{c[1]},{c[2]})"


def _outer_rings(geometry: dict) -> list[list]:
    polygons = [geometry["coordinates"]] if geometry["type"] == "Polygon" else geometry["coordinates"]
    return [poly[0] for poly in polygons]


def _rings(path: Path) -> tuple[dict[str, tuple[list, list]], float]:
    """Each county's outer rings as x (longitude shrunk by cos(latitude), so that shapes keep their
    proportions on an equal-scale plot) and y, rings separated by None."""
    features = geo.features_by_code(Path(path))
    lats = [pt[1] for f in features.values() for ring in _outer_rings(f["geometry"]) for pt in ring]
    k = math.cos(math.radians((min(lats) + max(lats)) / 2))
    out = {}
    for code, f in features.items():
        xs, ys = [], []
        for ring in _outer_rings(f["geometry"]):
            xs += [pt[0] * k for pt in ring] + [None]
            ys += [pt[1] for pt in ring] + [None]
        out[code] = (xs, ys)
    return out, k


def _ramp(values: pd.Series) -> dict[str, tuple[int, int, int]]:
    """Each county's fill on the desktop map's light-to-dark blue (magnitude, never good or bad)."""
    known = values.dropna()
    span = known.max() - known.min() if len(known) else 0
    steps = ((known - known.min()) / span * (len(maps.RAMP) - 1)).round() if span else known * 0
    return {code: maps.RAMP[int(i)] for code, i in steps.items()}


def _frame(fig: go.Figure, chart: Chart) -> Chart:
    fig.update_xaxes(visible=False)
    fig.update_yaxes(visible=False, scaleanchor="x", scaleratio=1)
    fig.update_layout(showlegend=False, meta=WALL_MAP)
    return chart


def county_map(path: Path, values: pd.DataFrame, *, title: str, caliber: str, source: str, as_of: str) -> Chart:
    """values: region_code, name, value, label. Darker is more; a county without a value is grey;
    each county is named with its label on it."""
    rings, k = _rings(path)
    by_code = values.set_index("region_code")
    colours = _ramp(by_code["value"])
    fig = go.Figure()
    for code, (xs, ys) in rings.items():
        fill = colours.get(code, maps.NO_DATA)
        fig.add_trace(go.Scatter(x=xs, y=ys, fill="toself", mode="lines", fillcolor=_rgb(fill),
                                 line={"color": OUTLINE, "width": 1.5}, hoverinfo="skip"))
    centres = geo.centroids(Path(path))
    shown = [c for c in by_code.index if c in centres]
    dark_fill = {c: sum(colours.get(c, maps.NO_DATA)) < 450 for c in shown}  # white on dark blues, dark on light
    for dark, ink in ((True, "#ffffff"), (False, "#06121f")):
        part = [c for c in shown if dark_fill[c] == dark]
        fig.add_trace(go.Scatter(
            x=[centres[c][0] * k for c in part], y=[centres[c][1] for c in part], mode="text",
            text=[f"<b>{by_code.at[c, 'name']}</b><br>{by_code.at[c, 'label']}" for c in part],
            textfont={"color": ink}, hoverinfo="skip"))
    return _frame(fig, Chart(fig, title, "", caliber, source, as_of))


def event_map(path: Path, events: pd.DataFrame, *, title: str, caliber: str, source: str, as_of: str) -> Chart:
    """events: lon, lat, level, is_open. Points in the 红橙黄蓝 of their level, larger when more
    severe (render.dark scales them with the screen), ringed white while in hand, over the outlines."""
    rings, k = _rings(path)
    fig = go.Figure()
    for xs, ys in rings.values():
        fig.add_trace(go.Scatter(x=xs, y=ys, fill="toself", mode="lines", fillcolor=FILL,
                                 line={"color": OUTLINE, "width": 1.2}, hoverinfo="skip"))
    for level in (4, 3, 2, 1):  # the severe ones on top
        part = events[events.level == level]
        if len(part):
            fig.add_trace(go.Scatter(
                x=part.lon * k, y=part.lat, mode="markers", hoverinfo="skip",
                marker={"color": LEVELS[level].colour, "size": {1: 22, 2: 18, 3: 14, 4: 11}[level], "opacity": 0.95,
                        "line": {"color": ["#ffffff" if o else "rgba(0,0,0,0)" for o in part.is_open], "width": 3}}))
    return _frame(fig, Chart(fig, title, "", caliber, source, as_of))
