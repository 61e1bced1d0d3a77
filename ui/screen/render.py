"""Drawing a loaded board on the wall's canvas: tiles and lists as HTML sized in vh, charts and maps
stretched to their panel, their type sized from the screen's height. Nothing here touches the
store (see model.py).

The canvas is one CSS grid (assets/screen.css): header, banner, headline tiles, then the main board
in the centre with details on both sides, rearranged into one row of columns at 32:9.
"""
from __future__ import annotations

from html import escape

import plotly.graph_objects as go
import streamlit as st

from cockpit import city
from cockpit.charts import BLUE, FONT, MONTH
from cockpit.signals import LEVELS, LIGHTS, OUTCOMES

from .maps import WALL_MAP
from .model import AREAS, Alarm, Board, Panel, Row, Tile

OUTCOME_MARKS = {"met": "达标", "missed": "未达"}

# A chart on the wall only shows; hovering, zooming and the modebar are no use three metres away.
STATIC = {"staticPlot": True, "displayModeBar": False, "displaylogo": False}
INK, DIM, ACCENT = "#e6f0fa", "#8fa7c0", "#4fa3ff"  # assets/screen.css: --wall-ink, --wall-dim, --wall-accent
GRID = "rgba(143,167,192,0.18)"


def esc(text) -> str:
    return escape(str(text if text is not None else ""))


def scale(viewport: tuple[int, int]) -> float:
    """Chart type relative to a 1080-pixel-high screen (2 on 4K)."""
    return max(0.6, min(4.0, viewport[1] / 1080))


# ---- HTML pieces ----------------------------------------------------------------------------------
def _whole_parts(text: str) -> str:
    """"同比 +7.2% · 2026年1—10月累计" breaking only at its "·": a narrow tile broke "2026 / 年10月"
    and "累 / 计"."""
    return " · ".join(f"<span class='whole'>{esc(part)}</span>" for part in text.split(" · "))


def tiles_html(tiles: list[Tile], small: bool = False) -> str:
    cells = "".join(
        f"<div class='wall-tile'><div class='wt-label'>{esc(t.label)}</div>"
        f"<div class='wt-value'>{esc(t.value)}<span class='wt-unit'>{esc(t.unit)}</span></div>"
        + (f"<div class='wt-note tone-{esc(t.tone)}'>{_whole_parts(t.note)}</div>" if t.note else "") + "</div>"
        for t in tiles)
    return f"<div class='wall-tiles{' small' if small else ''}'>{cells}</div>"


def _mark(row: Row) -> str:
    signal = LEVELS.get(row.level) if row.level else (LIGHTS | OUTCOMES).get(row.light) if row.light else None
    if signal is None:
        return ""
    # Ⅰ级, 红 (a light), 达标 / 未达 (the plan's final assessment)
    short = signal.name[:2] if row.level else OUTCOME_MARKS.get(row.light) or signal.name[0]
    return (f"<span class='wall-mark' style='background:{signal.colour};color:{signal.ink}' "
            f"title='{esc(signal.name)}'>{esc(short)}</span>")


# What the hidden rows are, when they are all alike: a short screen drops 达标 rows, and says so.
ALIKE = {"met": "均已达标", "missed": "均未达标"}


def _more(hidden: list[Row], n: int) -> str:
    note = f"另有 {n} 项未列出"
    kinds = {(r.level, r.light) for r in hidden}
    if len(hidden) == n and len(kinds) == 1:
        level, light = kinds.pop()
        if light in ALIKE:
            note += f"，{ALIKE[light]}"
        elif level in LEVELS:
            note += f"，均为{LEVELS[level].name}"
    return note


def rows_html(rows: list[Row], total: int | None = None, dense: bool = False) -> str:
    """A list that shows the rows that fit whole (the rest wrap out of the panel, so no row is ever
    cut in half) and says under the last one shown how many it leaves out; `total`: how many items
    the rows stand for, when they are the first of more."""
    total = max(total or 0, len(rows))
    items = "".join(
        f"<div class='wall-row'>{_mark(r)}<div class='wr-body'><div class='wr-text'>{esc(r.text)}</div>"
        + (f"<div class='wr-detail'>{esc(r.detail)}</div>" if r.detail else "") + "</div>"
        + (f"<div class='wr-more'>{esc(_more(rows[i + 1:], total - i - 1))}</div>" if total - i - 1 else "")
        + "</div>"
        for i, r in enumerate(rows))
    return f"<div class='wall-rows{' dense' if dense else ''}'>{items}</div>"


def banner_html(alarms: list[Alarm]) -> str:
    """Firing 红/橙 warnings: one pulsing line above the figures, never over them."""
    top = min(a.level for a in alarms)
    counts = "，".join(f"{LEVELS[lv].name}{sum(a.level == lv for a in alarms)} 项" for lv in sorted({a.level for a in alarms}))
    names = "；".join(esc(a.text) for a in alarms[:4]) + ("……" if len(alarms) > 4 else "")
    # "正在触发预警：Ⅱ级 18 项" beside a panel's "正在触发 22 项" and the overview's 28 条 read as three
    # answers to one question: the banner names the levels it counts and how (parts.alarms).
    return (f"<div class='wall-alarm level-{top}' role='alert'><span class='wa-head'>正在触发的Ⅰ、Ⅱ级预警：{esc(counts)}"
            f"（同一指标、地区合并计）</span>"
            f"<span class='wa-list'>{names}</span></div>")


# ---- charts and maps ---------------------------------------------------------------------------
def dark(chart, s: float) -> go.Figure:
    """A cockpit.charts figure in the wall's dark style, its type sized for the screen. The panel
    carries its title, and its footer (口径/来源/数据截至) as a caption that wraps instead of
    being clipped; the figure keeps the plot."""
    fig = go.Figure(chart.figure)
    k = 1.3 * s
    legend = bool(fig.layout.showlegend)
    fig.layout.annotations = [a for a in fig.layout.annotations if a.text != chart.footer]
    fig.update_layout(template="plotly_dark", paper_bgcolor="rgba(0,0,0,0)", plot_bgcolor="rgba(0,0,0,0)",
                      title=None, height=None, autosize=True, font={"family": FONT, "size": 13 * k, "color": INK},
                      margin={"l": 56 * k, "r": 44 * k, "t": (36 if legend else 14) * k, "b": 30 * k})
    fig.update_traces(cliponaxis=False, selector={"type": "bar"})  # a bar's value may sit past the axis end
    for trace in fig.data:  # the desk's dark blue line is lost on the wall's navy, and 2 px is a hairline at 4K
        if trace.type == "scatter" and trace.line.color == BLUE:
            trace.line.color, trace.line.width = ACCENT, (trace.line.width or 2) * k
    for trace in fig.data:  # the desk's 9 px points and their black "处置中" ring were specks on a 4K navy wall
        if trace.type == "scatter" and trace.mode == "markers" and fig.layout.meta != WALL_MAP:
            _grow(trace.marker, k, s)
    if fig.layout.meta == WALL_MAP:  # a map fills its panel and its points grow with the screen
        fig.update_layout(margin={"l": 4, "r": 4, "t": 4, "b": 4})
        for trace in fig.data:
            if trace.mode == "markers":  # one size per trace (ui/screen/maps.py); the white ring grows too
                trace.marker.size *= s
                trace.marker.line.width *= s
    fig.update_xaxes(gridcolor=GRID, zerolinecolor=GRID)
    if fig.layout.xaxis.tickformat == MONTH:  # "2025年01月" at wall size overlapped its neighbours, slanted
        fig.update_xaxes(tickformat="%Y年<br>%-m月", tickangle=0, nticks=5)
    fig.update_yaxes(gridcolor=GRID, zerolinecolor=GRID)
    if legend:
        fig.update_layout(legend={"orientation": "h", "y": 1.0, "yanchor": "bottom", "x": 0, "font": {"size": 13 * k}})
    return fig


# ---- will a list fit at full size? ------------------------------------------------------------
def _em(text: str) -> float:
    """Width in em: a 汉字 is one, a digit, Latin letter or · about half."""
    return sum(0.55 if ord(ch) < 0x2E80 else 1.0 for ch in text)


def fits(p: Panel, area: str, viewport: tuple[int, int]) -> bool:
    """Whether the panel's rows fit at full size, from the sizes in assets/screen.css (vh and vw),
    erring towards "no": a list that does not is drawn smaller (Panel.dense), and one that still does
    not says how many it leaves out (rows_html). A row whose text and detail do not share a line
    takes 1.6 rows."""
    w, h = viewport
    vw = w / h  # one vw in vh
    wide = vw >= 3  # 32:9: one row of five full-height columns
    column = (100 * vw - (6 if wide else 4) * 0.8 * vw) / (6.4 if wide else 3.7) * (1.7 if area == "main" else 1)
    body = column - 1.4 * vw - 0.6 * vw - 2.6  # the panel's padding, the mark
    tall = wide or area in ("left", "main")
    panel = (84 if wide else 67) if tall else 32.4  # vh: what the header, banner, tiles and footer leave (measured)
    caption = -(-_em(p.caption) * 1.4 // max(body, 1)) * 2.0 if p.caption else 0
    room = panel - 1.6 - 3.0 - caption - 1.2  # padding, title, caption, gaps
    rows = sum(1.6 if r.detail and _em(r.text) * 1.9 + _em(r.detail) * 1.5 + 1.5 > body else 1.0 for r in p.rows)
    return rows * 3.8 <= room  # a one-line row is 3.8 vh (measured in Chromium at 1920×1080)


def _grow(marker, k: float, s: float) -> None:
    """A chart's markers sized like its type (k), their outline with the screen (s), a dark
    outline drawn light: on the wall's navy a black ring does not show."""
    size = marker.size
    if size is not None:
        marker.size = size * k if isinstance(size, (int, float)) else [x * k for x in size]
    line = marker.line
    if line.width is not None:
        line.width = line.width * s if isinstance(line.width, (int, float)) else [x * s for x in line.width]
    if isinstance(line.color, str) and line.color.lower() in ("#111", "#111111", "#000", "#000000", "black"):
        line.color = "#ffffff"


# ---- the board ---------------------------------------------------------------------------------
def prepare(board: Board, viewport: tuple[int, int]) -> None:
    """Style the board's charts and maps for a screen of this size, once (shell.prepared): chart
    titles go to the panel title with their unit, their 口径/来源/数据截至 line to the caption."""
    s = scale(viewport)
    for area, p in board.panels.items():
        p.dense = bool(p.rows) and not fits(p, area, viewport)
        if p.chart is not None:
            p.title += f"（{p.chart.unit}）" if p.chart.unit else ""
            p.caption = " · ".join(c for c in (p.chart.footer, p.caption) if c)
            p.figure, p.chart = dark(p.chart, s), None


def panel(board: Board, area: str, p: Panel | None) -> None:
    with st.container(key=f"wall-{area}"):
        if p is None:
            return
        st.html(f"<div class='wall-title'>{esc(p.title)}</div>")
        if p.tiles:
            st.html(tiles_html(p.tiles, small=True))
        if p.figure is not None:
            st.plotly_chart(p.figure, height="stretch", theme=None, config=STATIC, key=f"wall-{board.name}-{area}-chart")
        elif p.rows:
            st.html(rows_html(p.rows, p.total, p.dense))
        if p.message and not p.rows:
            st.html(f"<div class='wall-message'>{esc(p.message)}</div>")
        if p.caption:
            st.html(f"<div class='wall-caption'>{esc(p.caption)}</div>")


def body(board: Board, alarms: list[Alarm]) -> None:
    """Everything between the header and the footer: the banner, the headline tiles, the four panels."""
    if alarms:
        with st.container(key="wall-alarm"):
            st.html(banner_html(alarms))
    with st.container(key="wall-kpi"):
        if board.tiles:
            st.html(tiles_html(board.tiles))
    for area in AREAS:
        panel(board, area, board.panels.get(area))


def footer(board: Board | None, status: str) -> None:
    """口径 and source of the tiles, the 演示数据 note, and how the carousel stands (and is paused)."""
    note = "" if board is None else board.caliber + (
        f" · 演示数据：本屏部分或全部数字为系统生成的演示数据，{city.NOT_REAL}" if board.demo else "")
    with st.container(key="wall-foot"):
        st.html(f"<div class='wall-foot'><span class='wf-note'>{esc(note)}</span>"
                f"<span class='wf-status'>{esc(status)}</span></div>")
