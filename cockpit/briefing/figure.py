"""A chart as a picture: the page's figure, sized for a slide or a wall, with everything a reader
of the picture alone needs drawn on it (the footer with 口径/来源/数据截至 is already part of the
figure, cockpit.charts.framed); the pinned notes written out, since a picture has no hover; and the
演示数据 mark when the figures are demo."""
from __future__ import annotations

from dataclasses import dataclass

import plotly.graph_objects as go

from .. import city
from ..charts import FONT, Chart

DEMO_MARK = f"演示数据 · 非{city.NAME}实际数据"
NOTE_TRACE = "批注"  # cockpit.charts.trend names its pinned-note markers so


@dataclass(frozen=True)
class Size:
    """Logical size in CSS pixels and the device scale; the picture is width*scale x height*scale."""
    name: str
    width: int
    height: int
    scale: float
    label: str


SLIDE = Size("slide", 1280, 720, 2, "PNG（幻灯片 2×，2560×1440）")
WALL = Size("wall", 1280, 720, 3, "PNG（大屏 3840×2160）")  # the slide layout, 3x: lettering readable across a room
PRINT = Size("print", 1280, 720, 1, "")
PACK = Size("pack", 880, 495, 2560 / 880, "")  # a slide's picture: 2560x1440; 880 wide, its lettering prints at 7 pt on A4, not 6
FORMATS = {"png-slide": ("png", SLIDE), "png-wall": ("png", WALL), "svg": ("svg", PRINT), "pdf": ("pdf", PRINT)}
LABELS = {"png-slide": SLIDE.label, "png-wall": WALL.label, "svg": "SVG（矢量）", "pdf": "PDF（矢量）"}
MIME = {"png": "image/png", "svg": "image/svg+xml", "pdf": "application/pdf"}


def printable(chart: Chart, *, demo: bool, size: Size = SLIDE) -> go.Figure:
    """A copy of the chart's figure for export; the page's figure is left as it is. The briefing's
    pages (PACK) head the picture with the chart's title in their own type, so the picture keeps
    only its unit there: the title printed twice, one above the other."""
    fig = go.Figure(chart.figure)
    fig.update_layout(width=size.width, height=size.height, paper_bgcolor="white",
                      font={"family": FONT}, margin={"l": 70, "r": 40, "t": 80, "b": 100},
                      # hover-only decorations are useless on paper; selection state is the page's
                      hovermode=False, dragmode=False)
    if size is PACK:
        fig.update_layout(title={"text": f"单位：{chart.unit}" if chart.unit else "",
                                 "font": {"size": 13, "color": "#555"}})
    for trace in fig.data:
        if trace.name == NOTE_TRACE and trace.text is not None:
            for x, y, text in zip(trace.x, trace.y, trace.text):
                if y is None or y != y:  # a note on a month without a figure: beside the axis
                    continue
                fig.add_annotation(x=x, y=y, text=f"批注：{text}", showarrow=True, arrowhead=2, ax=0, ay=-40,
                                   bgcolor="rgba(255,243,224,0.9)", bordercolor="#e65100",
                                   font={"size": 12, "color": "#333"})
    if demo:
        fig.add_annotation(text=DEMO_MARK, xref="paper", yref="paper", x=1, y=1, yshift=50, xanchor="right",
                           showarrow=False, font={"size": 15, "color": "#b45309"}, bgcolor="#fff7ed",
                           bordercolor="#f59e0b", borderpad=4)
        fig.add_annotation(text="演示数据", xref="paper", yref="paper", x=0.5, y=0.5, showarrow=False,
                           textangle=-20, font={"size": 96, "color": "rgba(180,83,9,0.10)"})
    return fig


def file_name(title: str, key: str) -> str:
    """A safe file name from a chart title: no path separators or control characters."""
    safe = "".join(c for c in title if c.isalnum() or c in "（）()_-—·")[:60] or "图表"
    fmt, size = FORMATS[key]
    return f"{safe}{'-' + size.name if fmt == 'png' else ''}.{fmt}"
