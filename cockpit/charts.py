"""Plotly figure builders. Each returns the figure with the metadata a briefing needs.

Title, unit, 口径, source and 数据截至 are drawn on the figure itself, so an
exported PNG carries them without the page around it.
"""
from __future__ import annotations

from dataclasses import dataclass

import pandas as pd
import plotly.graph_objects as go

FONT = "WenQuanYi Micro Hei, Noto Sans CJK SC, Microsoft YaHei, sans-serif"
BLUE = "#0b5cab"


@dataclass
class Chart:
    figure: go.Figure
    title: str
    unit: str
    caliber: str  # 口径
    source: str
    as_of: str  # 数据截至

    @property
    def footer(self) -> str:
        return f"口径：{self.caliber}　来源：{self.source}　数据截至：{self.as_of}"


def _frame(chart: Chart, height: int) -> Chart:
    fig = chart.figure
    fig.update_layout(
        title={"text": f"{chart.title}（{chart.unit}）" if chart.unit else chart.title, "x": 0.01,
               "font": {"size": 16}},
        font={"family": FONT, "size": 13}, height=height, template="plotly_white",
        margin={"l": 50, "r": 20, "t": 50, "b": 60}, showlegend=False,
    )
    fig.add_annotation(text=chart.footer, xref="paper", yref="paper", x=0, y=-0.28,
                       showarrow=False, xanchor="left", font={"size": 11, "color": "#666"})
    return chart


def daily_volume(daily: pd.DataFrame, *, title: str, unit: str, caliber: str, source: str,
                 as_of: str, height: int = 300) -> Chart:
    fig = go.Figure(go.Bar(x=daily["day"], y=daily["tickets"], marker_color=BLUE,
                           hovertemplate="%{x|%m月%d日}：%{y:,} 件<extra></extra>"))
    fig.update_xaxes(tickformat="%m-%d")
    return _frame(Chart(fig, title, unit, caliber, source, as_of), height)
