"""County maps as shapes: filled Plotly polygons (SVG) framed like every other chart (cockpit.charts).

No WebGL, which a browser without a graphics card (many office PCs and virtual desktops) emulates at
seconds per map (bench/RESULTS.md, page load), no tiles, no topojson, nothing fetched. The wall
(ui/screen/maps.py) draws the same shapes on its dark canvas.
"""
from __future__ import annotations

from pathlib import Path

import pandas as pd
import plotly.graph_objects as go

from . import geo, maps
from .charts import Chart, framed

MAP_OUTLINE = "rgba(230,240,250,0.9)"


def _rgb(c: tuple[int, int, int]) -> str:
    return f"rgb({c[0]},{c[1]},{c[2]})"


def map_axes(fig: go.Figure) -> None:
    """No axes, no legend, one degree as long across as down (shapes keep their proportions)."""
    fig.update_xaxes(visible=False)
    fig.update_yaxes(visible=False, scaleanchor="x", scaleratio=1)
    fig.update_layout(showlegend=False)


def county_map(path: Path, values: pd.DataFrame, *, title: str, caliber: str, source: str, as_of: str,
               height: int | None = None, key: tuple[str, list] | None = None) -> Chart:
    """values: region_code, name, value, label. Darker is more; a county without a value is grey;
    each county is named on it. `height`: framed for a page (title, footer), the value shown on
    hover, as the page's table lists them; None for the wall (no mouse there: each value is written
    under its county's name), which frames its boards itself. `key`: (heading, maps.legend), drawn
    under the title, so that a downloaded picture is read on its own."""
    rings, k = geo.county_rings(path)
    by_code = values.set_index("region_code")
    colours = dict(zip(by_code.index, maps.shades(by_code["value"])))
    fig = go.Figure()
    for code, (xs, ys) in rings.items():
        fill = colours.get(code, maps.NO_DATA)
        hover = f"{by_code.at[code, 'name']}：{by_code.at[code, 'label']}" if code in by_code.index else ""
        fig.add_trace(go.Scatter(x=xs, y=ys, fill="toself", mode="lines", fillcolor=_rgb(fill),
                                 line={"color": MAP_OUTLINE, "width": 1.5}, hoveron="fills", text=hover,
                                 hoverinfo="text" if hover and height else "skip"))
    centres = geo.centroids(Path(path))
    shown = [c for c in by_code.index if c in centres]
    dark_fill = {c: sum(colours.get(c, maps.NO_DATA)) < 450 for c in shown}  # white on dark blues, dark on light
    for dark, ink in ((True, "#ffffff"), (False, "#06121f")):
        part = [c for c in shown if dark_fill[c] == dark]
        fig.add_trace(go.Scatter(
            x=[centres[c][0] * k for c in part], y=[centres[c][1] for c in part], mode="text",
            text=[f"<b>{by_code.at[c, 'name']}</b>" + ("" if height else f"<br>{by_code.at[c, 'label']}")
                  for c in part], textfont={"color": ink}, hoverinfo="skip"))
    chart = Chart(fig, title, "", caliber, source, as_of)
    if height is not None:
        framed(chart, height)
        rows = maps.key_rows(*key) if key else []
        fig.add_annotation(text="<br>".join(rows), xref="paper", yref="paper", x=0, y=1, yanchor="bottom", xanchor="left",
                           align="left", showarrow=False, font={"size": 12, "color": "#333"}, visible=bool(rows))
        fig.update_layout(margin={"l": 10, "r": 10, "t": 50 + 18 * len(rows), "b": 80}, dragmode=False,
                          title={"yref": "container", "y": 1, "yanchor": "top", "pad": {"t": 14}})  # above the key
    map_axes(fig)
    return chart
