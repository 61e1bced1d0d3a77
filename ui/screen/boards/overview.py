"""驾驶舱总览 on the wall: the headline economy, the county map, the plan's lights, 运行态势, warnings."""
from __future__ import annotations

from cockpit import catalog, fmt, metrics, periods, plan as plan_board
from cockpit.auth import View
from cockpit.catalog import CITY
from cockpit.config import settings
from cockpit.signals import LEVEL_NAMES

from ... import panels, state
from ...widgets import shortfall
from .. import maps as wall_maps
from ..model import Board, Panel, Row, Tile
from . import parts

MAP_INDICATOR = "RETAIL"
WORST_FIRST = {"missed": 0, "red": 0, "yellow": 1, "met": 2, "green": 2}


def load(v: View) -> Board:
    region = state.home_region(v)
    figures = panels.headline_figures(v, region)
    latest = max((f.period for f in figures if f.period), default=None)
    return Board("overview", as_of=periods.label(latest) if latest else fmt.NA,
                 tiles=[parts.figure_tile(f) for f in figures],
                 panels={"main": county_map(v), "left": plan(v, region), "right": operations(v),
                         "side": warnings(v)},
                 caliber="经济指标口径：市统计局、市财政局月度快报，地区生产总值为最近一季")


def county_map(v: View) -> Panel:
    values = panels.county_values(v, MAP_INDICATOR, "yoy")
    name = state.indicators(v).set_index("code").at[MAP_INDICATOR, "name"]
    period = values.period.dropna().iloc[0] if values.period.notna().any() else ""
    chart = wall_maps.county_map(settings().geojson, values, title=f"{name}累计同比", caliber="颜色越深增速越高",
                                 source="市统计局", as_of=period)
    return Panel(f"县区分布：{name}累计同比（{period}）", chart=chart,
                 caption="示范区为功能区，无边界，不绘制。边界：cnmaps（高德数据），仅示意")


def plan(v: View, region: str) -> Panel:
    ind, p = state.indicators(v), state.plan()  # the plan in force (data/plan), as on the desktop page
    ended = p.ended(state.today())
    # The panel is a third of the wall wide: after the period the rows and caption carry the target year.
    title = f"数字政府建设主要指标（{'期末评估' if ended else p.target_label}）"
    if region != CITY:
        return Panel(title, message="规划主要指标为全市指标，不分县区")
    obs = state.observations(v, tuple(catalog.plan_indicators(ind, p).code))
    status = metrics.plan_status(ind, obs, state.today(), settings())
    rows = [Row(r.name, f"{fmt.number(r.value, r.unit)} / 目标 {fmt.number(r.target, r.unit, 0)}"
                + (f" · {shortfall(r.shortfall, r.unit)}" if ended and r.assessment == "missed" else ""),
                light=r.assessment if ended else r.light) for r in status.itertuples()]
    # Bad news first, in the plan's order within each mark: a screen too short for all twelve leaves
    # out 达标 (绿) rows and says so, never a 未达 one (the reviewer's 16:9 wall hid 网络安全等级测评覆盖率).
    rows.sort(key=lambda r: WORST_FIRST.get(r.light, len(WORST_FIRST)))
    return Panel(title, rows=rows, message="" if rows else "规划尚无主要指标",
                 caption=f"{plan_board.as_of(status)} · {plan_board.basis(p, status, state.today())}"
                         " · 来源：市行政审批和政务信息管理局")


def operations(v: View) -> Panel:
    """运行态势: 12345 this week against last, 办结率, 满意率, open emergencies (the hotline board has
    the daily volume)."""
    _, week, prev, last = state.hotline_recent(v)
    events = state.open_events(v)
    top = int(events.level.min()) if len(events) else None
    tiles = [Tile("处置中的突发事件", str(len(events)), "起", f"最高 {LEVEL_NAMES[top]}" if top else "无",
                  "alert" if top in parts.SEVERE else "")]
    if last is None:
        return Panel("运行态势", tiles=tiles, message="尚无 12345 工单数据")
    change = (week["received"] / prev["received"] - 1) * 100 if prev["received"] else None
    tiles = [Tile("12345 近 7 日受理", f"{week['received']:,}", "件", f"环比上周 {fmt.pct_change(change)}"),
             Tile("近 7 日办结率", fmt.number(metrics.share(week["closed"], week["received"]), "%")),
             Tile("近 7 日满意率", fmt.number(metrics.share(week["satisfied"], week["surveyed"]), "%")), *tiles]
    return Panel("运行态势", tiles=tiles, caption=f"12345 截至 {fmt.month_day(last)} {last:%H:%M}（最新工单）· 满意率为（满意＋基本满意）"
                                                "÷ 已回访 · 来源：市 12345 热线、市应急管理局")


def warnings(v: View) -> Panel:
    """The banner counts the Ⅰ、Ⅱ级 of these entries and the desktop overview the alerts before they
    are merged: the caption gives the levels and the 条, so the three numbers read together."""
    rows, groups, raw = parts.alert_rows(v, 8)
    levels = sorted({int(g["level"]) for g in groups})
    by_level = "、".join(f"{LEVEL_NAMES[lv]}{sum(int(g['level']) == lv for g in groups)} 项" for lv in levels)
    return Panel(f"最新预警（正在触发 {len(groups)} 项）", rows=rows, total=len(groups),
                 message="当前没有正在触发的预警" if not rows else "",
                 caption=f"{by_level}；同一指标、地区的预警合并为一项（合并前 {raw} 条）" if groups else "")
