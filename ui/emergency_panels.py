"""Panels of 应急指挥: open events first, the event map and timeline, warnings in force,
public-health surveillance and who is on duty today."""
from __future__ import annotations

import datetime as dt

import pandas as pd
import streamlit as st

from cockpit import charts, emergency, fmt, maps, periods
from cockpit.auth import View
from cockpit.catalog import CITY
from cockpit.config import settings
from cockpit.signals import LEVEL_NAMES, style_of

from . import chart_view, state, tables
from .filters import Filters
from .tables import Fmt
from .widgets import as_of, guard, level_badge, md

RANGES = {7: "近 7 日", 30: "近 30 日", 90: "近 90 日", 365: "近一年"}
EVENT_SOURCE = "市应急管理局应急指挥平台"
HEALTH_SOURCE = "市卫生健康委"


def now() -> dt.datetime:
    """The command room's clock (tests replace it to pin the demo's moment)."""
    return dt.datetime.now().replace(microsecond=0)


# ---- cached loaders ---------------------------------------------------------------------------
@st.cache_data(show_spinner=False, max_entries=8)
def event_types(v: View) -> list[str]:
    return emergency.event_types(state.store())


@st.cache_data(show_spinner=False, max_entries=32)
def events(v: View, since: dt.datetime | None, region: str, types: tuple[str, ...],
           levels: tuple[int, ...]) -> pd.DataFrame:
    return emergency.events(state.store(), since=since, region=v.scope.within(region),
                            types=list(types) or None,
                            levels=list(levels) or None)


@st.cache_data(show_spinner=False, max_entries=16, ttl=300)
def weather(v: View, at: dt.datetime, region: str) -> pd.DataFrame:
    return emergency.weather_in_force(state.store(), at, v.scope.within(region))


@st.cache_data(show_spinner=False, max_entries=8, ttl=300)
def weather_recent(v: View, at: dt.datetime) -> pd.DataFrame:
    return emergency.weather_recent(state.store(), at, region=v.scope.within(None))


@st.cache_data(show_spinner=False, max_entries=8)
def duty(v: View, day: dt.date) -> pd.DataFrame:
    return emergency.duty(state.store(), day)


@st.cache_data(show_spinner=False, max_entries=8)
def health_obs(v: View) -> pd.DataFrame:
    return state.observations(v, emergency.HEALTH)


@st.cache_data(show_spinner=False, max_entries=16)
def surveillance(v: View, period: str, rule: emergency.HealthRule) -> pd.DataFrame:
    return emergency.surveillance(health_obs(v), state.regions(v), period, rule)


def health_rule() -> emergency.HealthRule:
    return emergency.HealthRule.of(state.rules()["rules"]["health_surge"])


def _health_criterion(rule: emergency.HealthRule) -> str:
    return (f"当月同比超过 +{rule.yoy_pct:g}%，或超过该县区近 {rule.history_years} 年同月最高值 "
            f"{rule.max_margin_pct:g}% 以上（同月历年均为 0 时，本月达 {rule.from_zero_count} 以上）")


def health_months(v: View) -> list[str]:
    return emergency.health_months(health_obs(v))


# ---- helpers ---------------------------------------------------------------------------------
def _names(v: View) -> dict[str, str]:
    reg = state.regions(v)
    return dict(zip(reg.code, reg.name))


def _clock() -> dt.datetime:
    # Minute resolution keeps cache keys stable within a minute.
    return now().replace(second=0)


def _event_table(v: View, ev: pd.DataFrame, names: dict[str, str], at: dt.datetime, key: str, title: str) -> None:
    # Clipped at 0: a source's clock may run up to an hour ahead of ours (records.CLOCK_SKEW).
    hours = ((pd.Timestamp(at) - ev.occurred_at).dt.total_seconds() / 3600).clip(lower=0).round(1)
    shown = pd.DataFrame({
        "级别": ev.level.map(LEVEL_NAMES), "类型": ev.event_type, "事件": ev.title,
        "县区": ev.region_code.map(names).fillna(ev.region_code), "地点": ev.place,
        "发生时间": ev.occurred_at.dt.strftime("%Y-%m-%d %H:%M"), "状态": ev.status,
        "已持续（小时）": hours.where(ev.is_open)})
    tables.show(shown, title=title, key=key, caliber="按级别（Ⅰ级最重）和发生时间排列；已持续自发生时起算",
                source=EVENT_SOURCE, as_of=f"{at:%Y-%m-%d %H:%M}", demo=tables.demo(v, "emergency_events"),
                colours={"级别": style_of}, formats={"已持续（小时）": Fmt(1, " 小时")})


# ---- panels -----------------------------------------------------------------------------------
def headline(v: View, f: Filters) -> None:
    with guard("应急态势"):
        at = _clock()
        ev_open = events(v, at, f.region, (), ())
        ev_open = ev_open[ev_open.is_open]
        recent = events(v, at - dt.timedelta(days=7), f.region, (), ())
        recent = recent[recent.occurred_at >= pd.Timestamp(at - dt.timedelta(days=7))]
        ww = weather(v, at, f.region)
        period = f.period
        rule = health_rule()
        surv = surveillance(v, period, rule)
        if not f.is_city:
            surv = surv[surv.region_code == f.region]
        roster = duty(v, at.date())
        c = st.columns(5)
        top = int(ev_open.level.min()) if len(ev_open) else None
        c[0].metric("处置中的突发事件", f"{len(ev_open)} 起", f"最高 {LEVEL_NAMES[top]}" if top else None,
                    delta_color="off", delta_arrow="off")
        c[1].metric("近 7 日新发事件", f"{len(recent)} 起")
        c[2].metric("生效中的预警信号", f"{len(ww)} 条",
                    f"最高 {LEVEL_NAMES[int(ww.level.min())]}" if len(ww) else None,
                    delta_color="off", delta_arrow="off")
        c[3].metric("公共卫生异常县区", f"{surv.region_code[surv.surge].nunique()} 个",
                    help=f"法定传染病或发热门诊{_health_criterion(rule)}")
        lead = roster[roster.role == "带班领导"]
        c[4].metric("今日带班领导", lead.name.iloc[0] if len(lead) else "未排班")
        as_of(f"{fmt.minute(at)}（实时）· 事件来源：{EVENT_SOURCE}；预警：市气象台；公共卫生：{HEALTH_SOURCE}"
              f"（{periods.label(period)}）")


def open_events(v: View, f: Filters) -> None:
    with guard("处置中的突发事件"):
        at = _clock()
        ev = events(v, at, f.region, (), ())
        ev = ev[ev.is_open]
        st.subheader(f"处置中的突发事件（{len(ev)} 起）")
        if ev.empty:
            st.success("当前没有处置中的突发事件。")
            return
        _event_table(v, ev, _names(v), at, "em_open", "处置中的突发事件")
        st.caption("按级别（Ⅰ级最重）和发生时间排列；“已持续”自发生时起算。")


def event_board(v: View, f: Filters) -> None:
    with guard("突发事件地图与时间轴"):
        at = _clock()
        names = _names(v)
        st.subheader("突发事件分布与时间轴")
        c1, c2, c3 = st.columns([3, 3, 2])
        types = c1.multiselect("事件类型", event_types(v), key="em_types", placeholder="全部类型")
        levels = c2.multiselect("级别", [1, 2, 3, 4], key="em_levels", format_func=LEVEL_NAMES.get,
                                placeholder="全部级别")
        days = c3.selectbox("时间范围", list(RANGES), index=1, key="em_range", format_func=RANGES.get)
        since = at - dt.timedelta(days=days)
        ev = events(v, since, f.region, tuple(sorted(types)), tuple(sorted(levels)))
        n_open = int(ev.is_open.sum()) if len(ev) else 0
        st.caption(f"{RANGES[days]}共 {len(ev)} 起（含处置中 {n_open} 起，处置中事件不论发生早晚都列出）")
        left, right = st.container(key="split_em_board").columns([1, 1])  # stacked on a laptop (cockpit.css)
        with left:
            pts = ev.assign(type=ev.event_type, level_name=ev.level.map(LEVEL_NAMES),
                            time=ev.occurred_at.dt.strftime("%Y-%m-%d %H:%M")) if len(ev) else \
                pd.DataFrame(columns=["lon", "lat", "level", "title", "type", "level_name", "status", "time"])
            st.pydeck_chart(maps.event_map(settings().geojson, pts, height=520, width=560), height=520, key="em_map")
            st.caption("点的颜色为事件级别（红橙黄蓝 = Ⅰ—Ⅳ级），黑框为处置中。边界：cnmaps（高德数据），仅示意。")
        with right:
            chart = charts.event_timeline(ev, title=f"突发事件时间轴（{RANGES[days]}）",
                                          caliber="按事件发生时间；黑圈为处置中", source=EVENT_SOURCE,
                                          as_of=f"{at:%Y-%m-%d %H:%M}", height=520, span=(since, at))
            chart_view.show(chart, "em_timeline", demo=chart_view.demo(v, "emergency_events"))
        with st.expander(f"事件列表（{len(ev)} 起）"):
            _event_table(v, ev, names, at, "em_list", f"突发事件列表（{RANGES[days]}）")


def weather_panel(v: View, f: Filters) -> None:
    with guard("预警信号"):
        at = _clock()
        names = _names(v)
        ww = weather(v, at, f.region)
        st.subheader(f"生效中的气象与自然灾害预警（{len(ww)} 条）")
        if ww.empty:
            st.info("当前没有生效中的预警信号。")
            recent = weather_recent(v, at)
            if len(recent):
                last = recent.iloc[0]
                st.caption(f"最近一次发布：{pd.Timestamp(last.issued_at):%Y-%m-%d %H:%M} "
                           f"{names.get(last.region_code, last.region_code)}{last.kind}{LEVEL_NAMES[int(last.level)]}")
        else:
            for (kind, level, issued), grp in ww.groupby(["kind", "level", "issued_at"], sort=False):
                expires = grp.expires_at.iloc[0]
                areas = "、".join(names.get(c, c) for c in grp.region_code)
                st.markdown(f"{level_badge(level)} **{md(kind)}预警** · {md(areas)}  \n"
                            f"{pd.Timestamp(issued):%m-%d %H:%M} 发布，"
                            + (f"{pd.Timestamp(expires):%m-%d %H:%M} 解除" if pd.notna(expires) else "未定解除时间")
                            + f" · {md(grp.issuer.iloc[0])}")
                st.markdown(md(grp.text.iloc[0]))
        as_of(f"{fmt.minute(at)}（发布时间 ≤ 现在 < 解除时间）· 来源：市气象台")


def health_panel(v: View, f: Filters) -> None:
    with guard("公共卫生监测"):
        names = _names(v)
        period = f.period
        rule = health_rule()
        surv = surveillance(v, period, rule)
        st.subheader(f"公共卫生监测（{periods.label(period)}）")
        hot = surv[surv.surge].sort_values(["level", "region_code"])
        if hot.empty:
            st.success("本月各县区法定传染病报告病例和发热门诊就诊人次均无异常升高。")
        else:
            lines = [f"- {level_badge(r.level)} **{md(r.name)}** {emergency.HEALTH_NAMES[r.indicator_code]} "
                     f"{r.value:,.0f}：{md(r.reason)}" for r in hot.itertuples()]
            st.error("疫情监测异常：\n" + "\n".join(lines), icon=":material/coronavirus:")
        wide = surv.pivot(index="name", columns="indicator_code", values=["value", "yoy", "max3", "surge"])
        order = [names[c] for c in state.regions(v).code if names[c] in wide.index]
        wide = wide.reindex(order)
        top_case, top_fever = f"病例近 {rule.history_years} 年同月最高", f"发热门诊近 {rule.history_years} 年同月最高"
        table = pd.DataFrame({
            "县区": wide.index,
            "传染病报告病例（例）": wide[("value", "ID_CASES")].to_numpy(),
            "病例同比": wide[("yoy", "ID_CASES")].to_numpy(),
            top_case: wide[("max3", "ID_CASES")].to_numpy(),
            "发热门诊（人次）": wide[("value", "FEVER_VISITS")].to_numpy(),
            "发热门诊同比": wide[("yoy", "FEVER_VISITS")].to_numpy(),
            top_fever: wide[("max3", "FEVER_VISITS")].to_numpy(),
            "异常": [LEVEL_NAMES[int(lv)] if pd.notna(lv) else "" for lv in
                   surv.groupby("name")["level"].min().reindex(wide.index)],
        })
        for col in table.columns[1:-1]:
            table[col] = pd.to_numeric(table[col], errors="coerce")
        left, right = st.container(key="split_em_health").columns([3, 2])  # stacked on a laptop (cockpit.css)
        with left:
            tables.show(table, title=f"公共卫生监测（{periods.label(period)}）", key="em_health", source=HEALTH_SOURCE,
                        caliber=f"异常标准：{_health_criterion(rule)}", as_of=periods.label(period),
                        demo=tables.demo(v, "observations"), colours={"异常": style_of},
                        formats={"病例同比": Fmt(1, "%", sign=True), "发热门诊同比": Fmt(1, "%", sign=True)}
                        | {c: Fmt(0) for c in ("传染病报告病例（例）", top_case, "发热门诊（人次）", top_fever)})
        with right:
            focus = f.region if not f.is_city else (hot.region_code.iloc[0] if len(hot) else CITY)
            code = st.radio("趋势指标", list(emergency.HEALTH), key="em_health_ind", horizontal=True,
                            format_func=emergency.HEALTH_NAMES.get)
            series = emergency.health_series(health_obs(v), code, focus, months=37)
            unit = "例" if code == "ID_CASES" else "人次"
            what = "法定传染病报告病例数" if code == "ID_CASES" else "发热门诊就诊人次"
            chart = charts.monthly_line(series, title=f"{names[focus]}{what}",
                                        unit=unit, caliber="月度，圈出所选月份", source=HEALTH_SOURCE,
                                        as_of=periods.label(period), highlight=period)
            chart_view.show(chart, "em_health_chart", demo=chart_view.demo(v, "observations"))
        as_of(f"{periods.label(period)} · 异常标准：{_health_criterion(rule)}（两项同时满足为橙色，一项为黄色；"
              f"与预警中心的“公共卫生监测异常”规则同一标准）· 来源：{HEALTH_SOURCE}")


def duty_panel(v: View) -> None:
    with guard("今日值班"):
        at = _clock()
        roster = duty(v, at.date())
        st.subheader(f"今日值班（{fmt.day(at)}）")
        if roster.empty:
            st.warning("今日值班表未上报。")
            return
        tables.show(roster.rename(columns={"role": "岗位", "name": "姓名", "unit": "单位", "phone": "电话"}),
                    title=f"值班表（{fmt.day(at)}）", key="em_duty", source="市政府办公室、市应急管理局",
                    as_of=f"{fmt.day(at)}", demo=tables.demo(v, "duty_roster"))
        as_of(f"{fmt.day(at)} 值班表 · 来源：市政府办公室、市应急管理局")

