"""Plotly figure builders. Each returns the figure with the metadata a briefing needs.

Title, unit, 口径, source and 数据截至 are drawn on the figure itself, so an
exported PNG carries them without the page around it.
"""
from __future__ import annotations

from dataclasses import dataclass

import pandas as pd
import plotly.graph_objects as go
import plotly.io as pio

from . import fmt
from .signals import GREEN, LEVEL_NAMES, LEVELS, ORANGE, RED, YELLOW

FONT = "WenQuanYi Micro Hei, Noto Sans CJK SC, Microsoft YaHei, sans-serif"
BLUE = "#0b5cab"
# Date ticks in Chinese: Plotly's own ("Oct 2024") are English and its locale files are not in
# Streamlit's bundle, so every date axis gets an explicit format.
MONTH = "%Y年%-m月"  # no leading zeros, as Chinese documents print dates
DAY = "%-m月%-d日"
HOUR = "%-m月%-d日 %H:%M"
_DAY_MS = 86_400_000
# Plotly picks the tick spacing itself: a single event, or one month of a monthly series, gets ticks
# hours or days apart, and a day-only (month-only) format then printed one label four times
# ("11月25日 11月25日 …"). These stops give every spacing a format at least as fine as it; the
# axis's own tickformat stays for the spacing it was chosen for (the wall restyles by it).
_FINER = {"dtickrange": [None, _DAY_MS // 2], "value": HOUR}
DATE_STOPS = {DAY: [_FINER, {"dtickrange": ["M1", None], "value": MONTH}],
              MONTH: [_FINER, {"dtickrange": [_DAY_MS, 15 * _DAY_MS], "value": DAY}]}
# Every figure is drawn on plotly_white (the wall restyles its copies as plotly_dark). As Plotly's
# default, the template is attached to each new figure without being validated again; named in
# update_layout it was validated afresh for every figure, 13 ms each (a fifth of /economy's run).
pio.templates.default = "plotly_white"


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


def date_axis(fig: go.Figure, tickformat: str, **kwargs) -> None:
    """A date x axis in Chinese whose labels never repeat (DATE_STOPS); kwargs: hoverformat, range."""
    fig.update_xaxes(tickformat=tickformat, tickformatstops=DATE_STOPS[tickformat], **kwargs)


def plain_numbers(fig: go.Figure) -> None:
    """Value axes in plain digits with thousands separators ("10,000"): Plotly's default prints SI
    suffixes ("5k", "10k", "1M"), which a Chinese reader does not read as counts or money. An axis
    with its own tickformat, a date or category axis, takes no notice."""
    fig.update_xaxes(exponentformat="none", separatethousands=True)
    fig.update_yaxes(exponentformat="none", separatethousands=True)


def framed(chart: Chart, height: int, legend: bool = False) -> Chart:
    """Title, font, size and the 口径/来源/数据截至 footer; `legend`: one horizontal row above the plot."""
    fig = chart.figure
    fig.update_layout(
        title={"text": f"{chart.title}（{chart.unit}）" if chart.unit else chart.title, "x": 0.01,
               "font": {"size": 16}},
        font={"family": FONT, "size": 13}, height=height,
        margin={"l": 50, "r": 20, "t": 50, "b": 80}, showlegend=legend,
    )
    plain_numbers(fig)
    if legend:
        fig.update_layout(legend={"orientation": "h", "y": 1.12, "x": 0.4})
    fig.add_annotation(text=chart.footer, xref="paper", yref="paper", x=0, y=0, yshift=-62,
                       showarrow=False, xanchor="left", font={"size": 11, "color": "#666"})
    return chart


def daily_volume(daily: pd.DataFrame, *, title: str, unit: str, caliber: str, source: str,
                 as_of: str, height: int = 300) -> Chart:
    fig = go.Figure(go.Bar(x=daily["day"], y=daily["tickets"], marker_color=BLUE,
                           hovertemplate="%{x|%-m月%-d日}：%{y:,} 件<extra></extra>"))
    date_axis(fig, DAY, hoverformat="%Y年%-m月%-d日")
    return framed(Chart(fig, title, unit, caliber, source, as_of), height)


def _span(fig: go.Figure, dates) -> None:
    """The date axis runs from the first plotted date to the last, half a month either side;
    Plotly's autorange pads sparse (quarterly) series out to a tick beyond the data."""
    dates = pd.to_datetime(pd.Series(list(dates))).dropna()
    if len(dates):
        pad = pd.Timedelta(days=16)
        fig.update_xaxes(range=[dates.min() - pad, dates.max() + pad])
        if dates.max() - dates.min() < pd.Timedelta(days=92):  # a point or three: a month a tick, never
            fig.update_xaxes(dtick="M1")  # weekly day ticks (10月18日 … 11月15日) under a month's figure


def _dates(periods_: pd.Series) -> pd.Series:
    return pd.to_datetime(periods_ + "-01")


def trend(values: pd.DataFrame, *, title: str, unit: str, caliber: str, source: str, as_of: str,
          name: str = "", target: Target | None = None, notes: pd.DataFrame | None = None,
          bands: pd.DataFrame | None = None, height: int = 360, labels: list[str] | None = None,
          yearly: bool = False) -> Chart:
    """A line over periods; gaps stay gaps. bands: period, mean, lo80, hi80, lo95, hi95 (forecast fan).
    labels: each point's period as a release names it (2026年前三季度; the axis's month otherwise);
    yearly: 累计 figures that restart each January, so the line breaks between years (全年 joined
    to the next 一季度 drew a fall through January)."""
    fig = go.Figure()
    x, y = list(_dates(values["period"])), list(values["value"])
    text = list(labels) if labels is not None else None
    if yearly:
        for i in range(len(x) - 1, 0, -1):
            if x[i].year != x[i - 1].year:
                x.insert(i, x[i - 1] + pd.Timedelta(days=1))
                y.insert(i, None)
                if text is not None:
                    text.insert(i, "")
    when = "%{text}" if text is not None else "%{x|%Y年%-m月}"
    fig.add_trace(go.Scatter(x=x, y=y, mode="lines+markers", text=text,
                             name=name or title, line={"color": BLUE, "width": 2}, marker={"size": 4},
                             connectgaps=False,
                             hovertemplate=f"{when}：%{{y:,.{fmt.decimals(unit)}f}}<extra></extra>"))
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
        _target_line(fig, target, unit, max(x) + pd.Timedelta(days=16) if x else None)
    if notes is not None and len(notes):
        ys = values.set_index("period")["value"].reindex(notes["period"]).to_numpy()
        fig.add_trace(go.Scatter(x=_dates(notes["period"]), y=ys, mode="markers", name="批注",
                                 marker={"symbol": "star", "size": 13, "color": "#e65100"},
                                 text=notes["text"], hovertemplate="%{x|%Y年%-m月} 批注：%{text}<extra></extra>"))
    date_axis(fig, MONTH, hoverformat=MONTH)
    _span(fig, list(_dates(values["period"])) + (list(_dates(bands["period"])) if bands is not None else []))
    chart = framed(Chart(fig, title, unit, caliber, source, as_of), height)
    chart.figure.update_layout(showlegend=bool(bands is not None and len(bands)))
    return chart


@dataclass(frozen=True)
class Target:
    """A target line: a year's target spans that year only (a 2026 target drawn across 2025 read as
    2025's); a plan's target (year None) is the level to reach and spans the chart."""
    value: float
    label: str  # 2026年目标, 2025年目标
    year: int | None = None


def _target_line(fig: go.Figure, target: Target, unit: str, end: pd.Timestamp | None) -> None:
    """end: where the date axis ends; a year's label ends where its line is cut off (from the
    year's start, "2026年目标 2050" ran out of a chart ending in October)."""
    text = f"{target.label} {fmt.number(target.value, unit, 0 if float(target.value).is_integer() else None)}"
    style = {"line_dash": "dot", "line_color": RED, "annotation_text": text, "annotation_position": "top left"}
    if target.year is None:
        fig.add_hline(y=target.value, **style)
    else:
        last = pd.Timestamp(f"{target.year}-12-31")
        fig.add_shape(type="line", xref="x", yref="y", x0=f"{target.year}-01-01", x1=f"{target.year}-12-31",
                      y0=target.value, y1=target.value, line={"dash": "dot", "color": RED})
        fig.add_annotation(x=min(last, end) if end is not None else last, y=target.value, text=text,
                           showarrow=False, xanchor="right", yanchor="bottom", font={"color": RED})


MUTED = "#757575"  # a value that is not a published figure: 暂缺, 推算
RANK_VALUE_GAP, RANK_VALUE_MARGIN = 6, 96  # px: the value column's distance from the plot, its width (+10.5 推算)


def ranking(rank: pd.DataFrame, *, city_value: float | None, title: str, unit: str, caliber: str,
            source: str, as_of: str, higher_is_better: bool | None, height: int = 360) -> Chart:
    """Horizontal bars of each county's 同比 against the city line; better or worse than the city
    coloured. A county without a figure keeps its row, labelled 暂缺 (it vanished, and the ranking
    read as complete); a 同比 the cockpit computed is labelled 推算, as everywhere else."""
    # Drawn bottom up: the missing first (at the foot), then the ranked from the lowest.
    data = pd.concat([rank[rank["yoy"].isna()], rank[rank["yoy"].notna()].iloc[::-1]])
    have = data["yoy"].notna()
    if city_value is None or higher_is_better is None:
        colours = [BLUE] * len(data)
    else:
        better = (data["yoy"] >= city_value) if higher_is_better else (data["yoy"] <= city_value)
        colours = [GREEN if b else RED for b in better]
    fig = go.Figure(go.Bar(x=data["yoy"].where(have, None), y=data["name"], orientation="h", marker_color=colours,
                           hovertemplate="%{y}：%{x:+.1f}<extra></extra>"))
    if city_value is not None:
        fig.add_vline(x=city_value, line_dash="dash", line_color="#333",
                      annotation_text=f"全市 {city_value:+.1f}", annotation_position="top")
    # Each bar's value in a column right of the plot, level with its bar: written at the bar's end, a
    # bar ending near the city's value had its label crossed out by the dashed 全市 line.
    estimated = data["estimated"] if "estimated" in data else pd.Series(False, index=data.index)
    for name, value, guess in zip(data["name"], data["yoy"], estimated.fillna(False).astype(bool)):
        text = "暂缺" if pd.isna(value) else f"{value:+.1f}" + (" 推算" if guess else "")
        fig.add_annotation(x=1, xref="paper", xanchor="left", xshift=RANK_VALUE_GAP, y=name, yref="y",
                           text=text, showarrow=False, font={"color": MUTED} if pd.isna(value) or guess else None)
    chart = framed(Chart(fig, title, unit, caliber, source, as_of), height)
    fig.update_layout(margin={"r": RANK_VALUE_MARGIN})
    return chart


# ---- 社情民意, 应急指挥, 督查督办 (appended) ------------------------------------------------
GRAIN_FORMAT = {"day": (DAY, "%Y年%-m月%-d日"), "week": (DAY, "%Y年%-m月%-d日起一周"),
                "month": (MONTH, "%Y年%-m月")}
TASK_GROUP_COLOURS = {"已完成": GREEN, "按期": "#81c784", "即将到期": YELLOW, "已逾期": RED}


def _level_rgb(level: int) -> str:
    r, g, b = LEVELS[int(level)].rgb
    return f"rgb({r},{g},{b})"


def volume_bars(vol: pd.DataFrame, grain: str, *, title: str, caliber: str, source: str, as_of: str,
                height: int = 320) -> Chart:
    """Tickets per bucket (vol: start, stop, tickets); the last bucket may be partial."""
    tick, hover = GRAIN_FORMAT[grain]
    fig = go.Figure(go.Bar(x=vol["start"], y=vol["tickets"], marker_color=BLUE,
                           hovertemplate=f"%{{x|{hover}}}：%{{y:,}} 件<extra></extra>"))
    date_axis(fig, tick)
    return framed(Chart(fig, title, "件", caliber, source, as_of), height)


# A heat-map cell with no usual count to compare with (no tickets in the baseline days) has no ratio.
# Left empty (NaN), Plotly drew no cell: the page's white showed through, and on the wall's navy it
# read as the darkest "≥3". Such cells get a colour of their own, grey below the ramp, named on the
# colour bar; every cell carries its ticket count, 0 included.
NO_USUAL = -0.6  # the z of such a cell: mid-way along the grey band of SURGE_SCALE
NO_USUAL_GREY = "#d4d4d4"
SURGE_SCALE = [[0, NO_USUAL_GREY], [0.2, NO_USUAL_GREY], [0.2, "#f7fbff"], [0.25, "#f7fbff"],
               [0.5, "#c6dbef"], [0.75, "#6baed6"], [1, "#08306b"]]  # z from -1 to 3: 0, 1, 2, 3 at ¼, ½, ¾, 1


def surge_heatmap(table: pd.DataFrame, *, title: str, caliber: str, source: str, as_of: str,
                  window: str = "近 7 日", usual: str = "前 28 日周均",
                  county_order: list[str] | None = None, height: int = 420) -> Chart:
    """Category x county (cockpit.hotline.flag_surges): cell colour = the window's tickets over the
    usual count (magnitude ramp, capped at 3; grey where there was no usual count), cell text = the
    window's tickets (0 where there were none)."""
    z = table.pivot(index="category", columns="county", values="ratio")
    if county_order:
        z = z[[c for c in county_order if c in z.columns] + [c for c in z.columns if c not in county_order]]
    n = table.pivot(index="category", columns="county", values="window").reindex_like(z)
    expected = table.pivot(index="category", columns="county", values="expected").reindex_like(z)
    order = z.max(axis=1).sort_values().index  # the biggest surge at the top
    z, n, expected = z.loc[order], n.loc[order], expected.loc[order]
    n = n.fillna(0).astype(int)  # a county without a single ticket of the category has no row
    text = [[f"{c:,}" for c in row] for row in n.to_numpy()]
    notes = [[(f"为{usual} {fmt.usual(e)} 件的 {r:.2f} 倍" if pd.notna(r) else
               "此前无此类工单，无从比较") for r, e in zip(rz, re)]
             for rz, re in zip(z.to_numpy(), expected.to_numpy())]
    fig = go.Figure(go.Heatmap(
        z=z.fillna(NO_USUAL).to_numpy(), x=list(z.columns), y=list(z.index), text=text, texttemplate="%{text}",
        customdata=notes, zmin=-1, zmax=3, colorscale=SURGE_SCALE,
        colorbar={"title": "倍数", "tickvals": [NO_USUAL, 0, 1, 2, 3],
                  "ticktext": ["此前无", "0", "1（持平）", "2", "≥3"]},
        hovertemplate=f"%{{x}} · %{{y}}<br>{window} %{{text}} 件<br>%{{customdata}}<extra></extra>"))
    return framed(Chart(fig, title, "", caliber, source, as_of), height)


def event_timeline(ev: pd.DataFrame, *, title: str, caliber: str, source: str, as_of: str,
                   height: int = 340, span: tuple | None = None) -> Chart:
    """Events over time by type, coloured by warning level 红橙黄蓝; open events ringed. `span`:
    (start, stop) of the chosen range, widened to any event outside it (open ones are listed
    whenever they began)."""
    fig = go.Figure()
    for level in (4, 3, 2, 1):  # severe ones drawn last, on top
        part = ev[ev.level == level]
        if part.empty:
            continue
        fig.add_trace(go.Scatter(
            x=part["occurred_at"], y=part["event_type"], mode="markers",
            name=LEVEL_NAMES[level],
            marker={"color": _level_rgb(level), "size": 9 if level > 2 else 13,
                    "line": {"width": [2.5 if o else 0 for o in part["is_open"]], "color": "#111"}},
            text=part["title"], customdata=part["status"],
            hovertemplate="%{x|%Y-%m-%d %H:%M} %{text}（%{customdata}）<extra></extra>"))
    date_axis(fig, DAY)
    if span is not None:  # the whole chosen range, not hours around a lone event
        times = [pd.Timestamp(t) for t in (*span, *ev["occurred_at"].dropna())] if len(ev) else \
            [pd.Timestamp(t) for t in span]
        lo, hi = min(times), max(times)
        pad = (hi - lo) * 0.03
        fig.update_xaxes(range=[lo - pad, hi + pad])
    return framed(Chart(fig, title, "", caliber, source, as_of), height, legend=True)


def task_timeline(tl: pd.DataFrame, *, title: str, caliber: str, source: str, as_of: str,
                  height: int = 320) -> Chart:
    """Dated plan tasks per deadline month, stacked by status group (progress-light colours)."""
    fig = go.Figure()
    for group, colour in TASK_GROUP_COLOURS.items():
        part = tl[tl.group == group]
        fig.add_trace(go.Bar(x=part["deadline_month"], y=part["tasks"], name=group, marker_color=colour,
                             hovertemplate=f"%{{x}} 到期 · {group}：%{{y}} 项<extra></extra>"))
    fig.update_layout(barmode="stack")
    fig.update_xaxes(type="category")
    return framed(Chart(fig, title, "项", caliber, source, as_of), height, legend=True)


def progress_line(h: pd.DataFrame, *, title: str, caliber: str, source: str, as_of: str,
                  height: int = 300) -> Chart:
    """A task's reported completion over its reports (0..100%)."""
    fig = go.Figure(go.Scatter(x=pd.to_datetime(h["reported_on"]), y=h["percent"], mode="lines+markers",
                               line={"color": BLUE}, text=h["status"],
                               hovertemplate="%{x|%Y-%m-%d}：%{y:.0f}%（%{text}）<extra></extra>"))
    fig.update_yaxes(range=[0, 105])
    date_axis(fig, MONTH)
    return framed(Chart(fig, title, "%", caliber, source, as_of), height)


def monthly_line(series: pd.DataFrame, *, title: str, unit: str, caliber: str, source: str, as_of: str,
                 highlight: str | None = None, height: int = 300) -> Chart:
    """A monthly series (period, value); gaps stay gaps; `highlight` marks one month."""
    x = pd.to_datetime(series["period"] + "-01")
    fig = go.Figure(go.Scatter(x=x, y=series["value"], mode="lines+markers", connectgaps=False,
                               line={"color": BLUE}, marker={"size": 4},
                               hovertemplate="%{x|%Y年%-m月}：%{y:,.0f}<extra></extra>"))
    if highlight is not None and (series["period"] == highlight).any():
        y = series.loc[series["period"] == highlight, "value"].iloc[0]
        fig.add_trace(go.Scatter(x=[pd.Timestamp(highlight + "-01")], y=[y], mode="markers",
                                 marker={"size": 13, "color": "rgba(0,0,0,0)", "line": {"width": 2.5, "color": "#111"}},
                                 hoverinfo="skip"))
    date_axis(fig, MONTH, hoverformat=MONTH)
    _span(fig, x)
    return framed(Chart(fig, title, unit, caliber, source, as_of), height)


# ---- 预警中心 ----------------------------------------------------------------------------------
def evidence(evidence: dict, title: str, caliber: str, as_of_text: str, height: int = 320) -> Chart | None:
    """The chart behind an alert, drawn from the evidence its rule stored (models.rules)."""
    fig = go.Figure()
    kind = evidence.get("kind")
    unit = evidence.get("unit", "")
    if kind == "bar":
        ys = evidence.get("y", [])
        window = int(evidence.get("window_days", 7))
        colours = [BLUE] * max(len(ys) - window, 0) + [RED] * min(window, len(ys))
        fig.add_bar(x=evidence.get("x", []), y=ys, marker_color=colours,
                    hovertemplate="%{x}：%{y} 件<extra></extra>")
        date_axis(fig, DAY)
    elif kind == "line":
        fig.add_scatter(x=evidence.get("x", []), y=evidence.get("y", []), mode="lines+markers",
                        line={"color": BLUE}, name="实际", connectgaps=False)
        mark = evidence.get("mark")
        if mark is not None and evidence.get("y"):
            fig.add_scatter(x=[evidence["x"][mark]], y=[evidence["y"][mark]], mode="markers",
                            marker={"color": RED, "size": 12}, name="本期")
        proj = evidence.get("projection")
        if proj:
            fig.add_scatter(x=proj["x"], y=proj["y"], mode="lines", line={"dash": "dash", "color": ORANGE},
                            name="按当前趋势")
        band = evidence.get("band")
        if band:
            fig.add_scatter(x=[band["x"], band["x"]], y=[band["lo"], band["hi"]], mode="lines",
                            line={"color": "#888", "width": 8}, opacity=0.4, name=f"{band['pct']}% 预测区间")
        if evidence.get("hline") is not None:
            fig.add_hline(y=evidence["hline"], line_dash="dot", line_color=RED,
                          annotation_text=evidence.get("hline_label", ""))
        date_axis(fig, MONTH)
    else:
        return None
    chart = Chart(fig, title, unit, caliber, "驾驶舱预警规则", as_of_text)
    return framed(chart, height)


def forecast(rec: dict, name: str, unit: str, as_of_text: str) -> Chart:
    """A cached forecast (service.warnings) with its 80% and 95% intervals after the history."""
    hist = rec["history"]
    fig = go.Figure()
    x = rec["periods"]
    fig.add_scatter(x=x + x[::-1], y=rec["hi95"] + rec["lo95"][::-1], fill="toself", fillcolor="rgba(11,92,171,0.12)",
                    line={"width": 0}, name="95% 区间", hoverinfo="skip")
    fig.add_scatter(x=x + x[::-1], y=rec["hi80"] + rec["lo80"][::-1], fill="toself", fillcolor="rgba(11,92,171,0.25)",
                    line={"width": 0}, name="80% 区间", hoverinfo="skip")
    fig.add_scatter(x=hist["periods"], y=hist["values"], mode="lines", line={"color": BLUE}, name="实际")
    fig.add_scatter(x=[hist["periods"][-1]] + x, y=[hist["values"][-1]] + rec["mean"], mode="lines",
                    line={"color": ORANGE, "dash": "dash" if not rec["shown"] else "solid"},
                    name="预测" if rec["shown"] else "基准外推")
    date_axis(fig, MONTH)
    label = "预测" if rec["shown"] else "基准外推（无模型优于季节性朴素）"
    chart = Chart(fig, f"{name}：{label}", unit, rec["label"], "驾驶舱预测模型", as_of_text)
    return framed(chart, 340)
