"""应急指挥 on the wall: events in hand first, the event map and timeline, warnings in force, who is on duty."""
from __future__ import annotations

import datetime as dt

import pandas as pd

from cockpit import charts, fmt, periods
from cockpit.auth import View
from cockpit.catalog import CITY
from cockpit.config import settings
from cockpit.signals import LEVEL_NAMES

from ... import emergency_panels as ep, state
from .. import maps as wall_maps
from ..model import Board, Panel, Row, Tile
from . import parts

DAYS = 30  # the map and the timeline: events of the last 30 days, and every open one


def load(v: View) -> Board:
    at = parts.clock()
    region = state.home_region(v)
    recent = ep.events(v, at - dt.timedelta(days=DAYS), region, (), ())
    names = dict(zip(state.regions(v).code, state.regions(v).name))
    return Board("emergency", f"{fmt.minute(at)}（实时）", tiles(v, at, region, recent),
                 {"main": event_map(recent, at), "left": event_list(recent, names, at),
                  "right": timeline(recent, at), "side": warnings_and_duty(v, at, names)},
                 caliber=f"事件来源：{ep.EVENT_SOURCE}；预警：市气象台；公共卫生：{ep.HEALTH_SOURCE}")


def tiles(v: View, at: dt.datetime, region: str, recent: pd.DataFrame) -> list[Tile]:
    ev_open = recent[recent.is_open]
    week = recent[recent.occurred_at >= pd.Timestamp(at - dt.timedelta(days=7))]
    ww = parts.weather(v, at)
    months = ep.health_months(v)
    surv = ep.surveillance(v, months[-1], ep.health_rule()) if months else pd.DataFrame(columns=["region_code", "surge"])
    if region != CITY:
        surv = surv[surv.region_code == region]
    roster = ep.duty(v, at.date())
    lead = roster[roster.role == "带班领导"]
    top = int(ev_open.level.min()) if len(ev_open) else None
    top_w = int(ww.level.min()) if len(ww) else None
    sick = surv.region_code[surv.surge].nunique()
    return [Tile("处置中的突发事件", str(len(ev_open)), "起", f"最高 {LEVEL_NAMES[top]}" if top else "无",
                 "alert" if top in parts.SEVERE else ""),
            Tile("近 7 日新发事件", str(len(week)), "起"),
            Tile("生效中的预警信号", str(len(ww)), "条", f"最高 {LEVEL_NAMES[top_w]}" if top_w else "无",
                 "alert" if top_w in parts.SEVERE else ""),
            Tile("公共卫生异常县区", str(sick), "个", periods.label(months[-1]) if months else "", "bad" if sick else ""),
            Tile("今日带班领导", lead.name.iloc[0] if len(lead) else "未排班", "", f"{fmt.month_day(at)}")]


def event_map(recent: pd.DataFrame, at: dt.datetime) -> Panel:
    chart = wall_maps.event_map(settings().geojson, recent, title="突发事件分布", caliber="近 30 日及处置中的事件",
                                source=ep.EVENT_SOURCE, as_of=f"{at:%Y-%m-%d %H:%M}")
    return Panel(f"突发事件分布（近 {DAYS} 日及处置中）", chart=chart,
                 caption="点的颜色为事件级别（红橙黄蓝 = Ⅰ—Ⅳ级），白圈为处置中。边界：cnmaps（高德数据），仅示意")


def event_list(recent: pd.DataFrame, names: dict[str, str], at: dt.datetime) -> Panel:
    """Events in hand first (how long they have lasted), then the week's others."""
    week = recent[~recent.is_open & (recent.occurred_at >= pd.Timestamp(at - dt.timedelta(days=7)))]
    rows = [Row(r.title, f"{names.get(r.region_code, r.region_code)} · {r.event_type} · "
                         f"已持续 {max(0.0, (pd.Timestamp(at) - r.occurred_at).total_seconds() / 3600):.1f} 小时",
                level=int(r.level)) for r in recent[recent.is_open].itertuples()]
    n_open = len(rows)
    rows += [Row(r.title, f"{names.get(r.region_code, r.region_code)} · {r.occurred_at:%m-%d %H:%M} · {r.status}",
                 level=int(r.level)) for r in week.itertuples()]
    return Panel(f"突发事件：处置中 {n_open} 起 · 近 7 日另有 {len(week)} 起", rows=rows,
                 message="" if rows else "当前没有处置中的突发事件，近 7 日没有新发事件")


def timeline(recent: pd.DataFrame, at: dt.datetime) -> Panel:
    # The desk's ring is black; render.dark draws it white on the wall's navy, and the caption says so.
    chart = charts.event_timeline(recent, title=f"突发事件时间轴（近 {DAYS} 日）", caliber="按事件发生时间；白圈为处置中",
                                  source=ep.EVENT_SOURCE, as_of=f"{at:%Y-%m-%d %H:%M}")
    return Panel("突发事件时间轴", chart=chart)


def warnings_and_duty(v: View, at: dt.datetime, names: dict[str, str]) -> Panel:
    ww = parts.weather(v, at)
    rows = [Row(f"{kind}{LEVEL_NAMES[int(level)]}预警", "、".join(names.get(c, c) for c in grp.region_code)
                + f" · {pd.Timestamp(issued):%m-%d %H:%M} 发布", level=int(level))
            for (kind, level, issued), grp in ww.groupby(["kind", "level", "issued_at"], sort=False)]
    roster = ep.duty(v, at.date())
    rows += [Row(f"{r.role}：{r.name}", f"{r.unit} · {r.phone}") for r in roster.itertuples()]
    return Panel("生效中的预警信号 · 今日值班", rows=rows, message="" if rows else "没有生效中的预警信号，今日值班表未上报")
