"""社情民意 on the wall: 12345 this week, where requests surge, the daily volume, the hot categories."""
from __future__ import annotations

import datetime as dt

import pandas as pd

from cockpit import charts, fmt, hotline
from cockpit.auth import View

from ... import hotline_panels as hp, state
from ..model import Board, Panel, Row, Tile

SOURCE = hp.SOURCE


def load(v: View) -> Board:
    end = hp.anchor(v)
    if end is None:
        return Board("hotline", fmt.NA, [],
                     {"main": Panel("社情民意", message="尚无 12345 工单数据：请导入工单，或由管理员接入热线系统")})
    region = state.home_region(v)
    _, last = hp.span(v)
    stamp = f"{fmt.minute(last)}（最新工单）"
    rule = hotline.SurgeRule.of(state.rules()["rules"]["hotline_surge"])
    table = hp.surge(v, end, region, rule)
    return Board("hotline", stamp, tiles(v, end, region),
                 {"main": heatmap(v, table, stamp), "left": daily(v, stamp), "right": surges(v, table, rule),
                  "side": categories(v, end, region)},
                 caliber=f"按工单受理时间统计，“近 7 日”截至最新工单当日 · 来源：{SOURCE}")


def tiles(v: View, end: dt.datetime, region: str) -> list[Tile]:
    first, _ = hp.span(v)
    week = hotline.last_days(end, 7)
    before = hotline.previous_window(week)
    cur = hp.summary(v, week.start, week.stop, end, region)
    prev = hp.summary(v, before.start, before.stop, end, region) if first <= before.start else None
    change = (cur["received"] / prev["received"] - 1) * 100 if prev and prev["received"] else None
    total_open, _ = hp.open_overdue(v, end, region)
    return [Tile("近 7 日受理量", f"{cur['received']:,}", "件", f"环比上期 {fmt.pct_change(change)}"),
            Tile("办结率", fmt.number(cur["closed_rate"], "%"), note="已办结 ÷ 受理量"),
            Tile("满意率", fmt.number(cur["satisfied_rate"], "%"), note="（满意＋基本满意）÷ 已回访"),
            Tile("超期工单", f"{cur['overdue']:,}", "件", f"占 {fmt.number(cur['overdue_rate'], '%')}",
                 "bad" if cur["overdue"] else ""),
            Tile("当前超期未办结", f"{total_open:,}", "件", "不限受理时间", "bad" if total_open else "")]


def _names(v: View) -> dict[str, str]:
    reg = state.regions(v)
    return dict(zip(reg.code, reg.name))


def heatmap(v: View, table: pd.DataFrame, stamp: str) -> Panel:
    names = _names(v)
    heat = table.assign(county=table.region_code.map(names).fillna(table.region_code))
    chart = charts.surge_heatmap(heat, title="诉求类别 × 县区：近 7 日受理量（格内）及其为前 28 日周均的倍数（颜色）",
                                 caliber="近 7 日 ÷ 前 28 日周均", source=SOURCE, as_of=stamp,
                                 county_order=list(names.values()))
    return Panel("热点诉求异动：近 7 日与前 28 日周均对比", chart=chart)


def daily(v: View, stamp: str) -> Panel:
    days, *_ = state.hotline_recent(v)
    chart = charts.daily_volume(days, title="近 30 日每日受理量", unit="件", caliber="按工单创建时间统计",
                                source=SOURCE, as_of=stamp)
    return Panel("受理量走势：近 30 日", chart=chart)


def surges(v: View, table: pd.DataFrame, rule: hotline.SurgeRule) -> Panel:
    names = _names(v)
    flagged = table[table.surge]
    rows = [Row(f"{names.get(r.region_code, r.region_code)} · {r.category}",
                f"近 {rule.days} 日 {r.window:,} 件，" + (f"前 {rule.baseline_days} 日无此类工单" if pd.isna(r.ratio)
                                                     else f"为平时的 {r.ratio:.1f} 倍"), level=int(r.level))
            for r in flagged.itertuples()]
    return Panel(f"激增诉求（{len(flagged)} 处）", rows=rows,
                 message="" if rows else f"近 {rule.days} 日没有明显激增的诉求",
                 caption="与预警中心“12345 工单激增”规则同一标准")


def categories(v: View, end: dt.datetime, region: str) -> Panel:
    month = f"{end - dt.timedelta(seconds=1):%Y-%m}"
    g = hp.category_growth(v, end, month, region)
    rows = [Row(r.category, f"近 7 日 {int(r.week):,} 件 · 环比 {fmt.pct_change(r.week_change)} · "
                            f"占 {fmt.number(r.share, '%')}") for r in g.itertuples()]
    return Panel(f"诉求类别排行（{len(rows)} 类）", rows=rows, message="" if rows else "近 7 日没有工单")
