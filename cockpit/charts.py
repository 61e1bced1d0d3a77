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
        margin={"l": 50, "r": 20, "t": 50, "b": 80}, showlegend=False,
    )
    fig.add_annotation(text=chart.footer, xref="paper", yref="paper", x=0, y=0, yshift=-62,
                       showarrow=False, xanchor="left", font={"size": 11, "color": "#666"})
    return chart


def daily_volume(daily: pd.DataFrame, *, title: str, unit: str, caliber: str, source: str,
                 as_of: str, height: int = 300) -> Chart:
    fig = go.Figure(go.Bar(x=daily["day"], y=daily["tickets"], marker_color=BLUE,
                           hovertemplate="%{x|%m月%d日}：%{y:,} 件<extra></extra>"))
    fig.update_xaxes(tickformat="%m-%d")
    return _frame(Chart(fig, title, unit, caliber, source, as_of), height)


def _dates(periods_: pd.Series) -> pd.Series:
    return pd.to_datetime(periods_ + "-01")


def trend(values: pd.DataFrame, *, title: str, unit: str, caliber: str, source: str, as_of: str,
          name: str = "", target: float | None = None, notes: pd.DataFrame | None = None,
          bands: pd.DataFrame | None = None, height: int = 360) -> Chart:
    """A line over periods; gaps stay gaps. bands: period, mean, lo80, hi80, lo95, hi95 (forecast fan)."""
    fig = go.Figure()
    fig.add_trace(go.Scatter(x=_dates(values["period"]), y=values["value"], mode="lines+markers",
                             name=name or title, line={"color": BLUE, "width": 2}, marker={"size": 4},
                             connectgaps=False, hovertemplate="%{x|%Y年%m月}：%{y:,.2f}<extra></extra>"))
    if bands is not None and len(bands):
        for lo, hi, alpha, label in (("lo95", "hi95", 0.12, "95% 区间"), ("lo80", "hi80", 0.22, "80% 区间")):
            x = list(_dates(bands["period"]))
            fig.add_trace(go.Scatter(x=x + x[::-1],
                                     y=list(bands[hi]) + list(bands[lo])[::-1], fill="toself",
                                     fillcolor=f"rgba(11,92,171,{alpha})", line={"width": 0},
                                     name=label, hoverinfo="skip"))
        fig.add_trace(go.Scatter(x=_dates(bands["period"]), y=bands["mean"], mode="lines", name="预测",
                                 line={"color": BLUE, "dash": "dash"}))
    if target is not None:
        fig.add_hline(y=target, line_dash="dot", line_color="#c62828",
                      annotation_text=f"目标 {target:g}", annotation_position="top left")
    if notes is not None and len(notes):
        ys = values.set_index("period")["value"].reindex(notes["period"]).to_numpy()
        fig.add_trace(go.Scatter(x=_dates(notes["period"]), y=ys, mode="markers", name="批注",
                                 marker={"symbol": "star", "size": 13, "color": "#e65100"},
                                 text=notes["text"], hovertemplate="%{x|%Y年%m月} 批注：%{text}<extra></extra>"))
    fig.update_xaxes(tickformat="%Y-%m")
    chart = _frame(Chart(fig, title, unit, caliber, source, as_of), height)
    chart.figure.update_layout(showlegend=bool(bands is not None and len(bands)))
    return chart


def ranking(rank: pd.DataFrame, *, city_value: float | None, title: str, unit: str, caliber: str,
            source: str, as_of: str, higher_is_better: bool | None, height: int = 360) -> Chart:
    """Horizontal bars of each county's 同比 against the city line; better or worse than the city coloured."""
    data = rank.dropna(subset=["yoy"]).iloc[::-1]
    if city_value is None or higher_is_better is None:
        colours = [BLUE] * len(data)
    else:
        better = (data["yoy"] >= city_value) if higher_is_better else (data["yoy"] <= city_value)
        colours = ["#2e7d32" if b else "#c62828" for b in better]
    fig = go.Figure(go.Bar(x=data["yoy"], y=data["name"], orientation="h", marker_color=colours,
                           text=[f"{v:+.1f}" for v in data["yoy"]], textposition="outside",
                           hovertemplate="%{y}：%{x:+.1f}<extra></extra>"))
    if city_value is not None:
        fig.add_vline(x=city_value, line_dash="dash", line_color="#333",
                      annotation_text=f"全市 {city_value:+.1f}", annotation_position="top")
    return _frame(Chart(fig, title, unit, caliber, source, as_of), height)

