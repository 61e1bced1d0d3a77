"""Panels: self-contained pieces of a board that any page or wall layout can place.

A panel reads through the cached loaders, calls the core, and renders; it never
assumes a sidebar exists.
"""
from __future__ import annotations

import pandas as pd
import streamlit as st

from cockpit import catalog, charts, fmt, map_charts, maps, metrics, periods, plan
from cockpit.auth import View
from cockpit.catalog import CITY
from cockpit.config import settings
from cockpit.signals import LEVEL_NAMES
from models import alerts
from service import bootstrap

from . import chart_view, state, tables
from .tables import Fmt
from .widgets import as_of, figure_tile, guard, level_badge, md, plan_tile

HEADLINE = ("GDP", "IND_VA", "FAI", "RETAIL", "REVENUE", "UNEMP")


def headline_figures(v: View, region: str = CITY) -> list[metrics.Figure]:
    ind = state.indicators(v).set_index("code", drop=False)
    obs = state.observations(v, HEADLINE)
    return [metrics.headline(obs, ind.loc[c], region) for c in HEADLINE]


def economy_tiles(v: View) -> None:
    with guard("经济运行指标"):
        figures = headline_figures(v, state.home_region(v))
        st.subheader("经济运行")
        with st.container(key="economy_tiles"):  # labels given two lines in cockpit.css: values align
            for col, f in zip(st.columns(len(figures)), figures):
                with col:
                    figure_tile(f)
        latest = max((f.period for f in figures if f.period), default=None)
        as_of(f"{periods.label(latest) if latest else fmt.NA}（地区生产总值为最近一季）· 口径：市统计局、市财政局月度快报")


def plan_tiles(v: View) -> None:
    if state.home_region(v) != CITY:
        return  # city-wide figures; a county viewer's scope holds only its own county
    with guard("数字政府建设主要指标"):
        ind, p = state.indicators(v), state.plan()
        obs = state.observations(v, tuple(catalog.plan_indicators(ind, p).code))
        status = metrics.plan_status(ind, obs, state.today(), settings())
        st.subheader(f"数字政府建设主要指标（{p.target_label}{'·期末评估' if p.ended(state.today()) else ''}）")
        with st.container(key="plan_tiles"):
            for start in range(0, len(status), 6):
                for col, row in zip(st.columns(6), status.iloc[start:start + 6].itertuples()):
                    with col:
                        plan_tile(row, p.target_label)
        as_of(f"{plan.as_of(status)} · {plan.basis(p, status, state.today())} · 口径：方案主要指标表"
              " · 来源：市行政审批和政务信息管理局")


def county_values(v: View, code: str, basis: str) -> pd.DataFrame:
    """Per county: the headline value (basis 'value') or its 同比 (basis 'yoy'), all of one period:
    the city's latest (the tile above), else the counties' latest. Each county at its own latest
    once shaded a late county's 1—9月 beside the others' 1—10月 under one title; it is missing now."""
    ind = state.indicators(v).set_index("code", drop=False).loc[code]
    obs = state.observations(v, (code,))
    reg = state.regions(v)
    counties = reg[reg.level != "city"]
    period = metrics.latest_period(obs, CITY) or obs[obs.region_code.isin(counties.code)].period.max()
    rows = []
    for r in counties.itertuples():
        f = metrics.headline(obs, ind, r.code, period if isinstance(period, str) else None)
        growth = basis == "yoy" or f.value is None  # a rate-only indicator (规上工业) has its 同比 only
        value = f.yoy if growth else f.value
        # A rate's change is in 个百分点 (优良天数比例 81.6 → 85.9 is +4.3 个百分点, not +4.3%).
        label = (fmt.pp(value) if f.yoy_pp else fmt.pct_change(value)) if growth else fmt.number(value, f.unit)
        rows.append({"region_code": r.code, "name": r.name, "value": value, "label": label,
                     "period": f.period_label, "lon": r.lon, "lat": r.lat, "growth": growth,
                     "unit": ("个百分点" if f.yoy_pp else "%") if growth else f.unit})
    return pd.DataFrame(rows)


def county_map(v: View) -> None:
    with guard("县区分布图"):
        ind = state.indicators(v)
        choices = ind[(ind.domain != "数字政府") & ~ind.code.isin(["UNEMP", "CPI"])]
        st.subheader("县区分布")
        c1, c2 = st.columns([3, 2])
        code = c1.selectbox("指标", choices.code, format_func=dict(zip(choices.code, choices.name)).get,
                            key="map_indicator", index=list(choices.code).index("RETAIL"))
        basis = c2.radio("口径", ["value", "yoy"], format_func={"value": "数值", "yoy": "同比"}.get,
                         key="map_basis", horizontal=True)
        values = county_values(v, code, basis)
        row = ind.set_index("code").loc[code]
        growth = bool(values.growth.all())  # 规上工业 under 数值 shows its 同比, and says so
        title, as_of = f"各县区{row['name']}{'同比' if growth else ''}", next(iter(values.period.dropna()), None)
        # Shapes, not a WebGL map: the overview is every leader's first page (cockpit.map_charts.county_map).
        unit = next(iter(values.unit.dropna()), None)
        shade = ((fmt.pp if unit == "个百分点" else fmt.pct_change) if growth else (lambda x: fmt.number(x, unit)))
        chart = map_charts.county_map(settings().geojson, values, title=title,
                                  caliber=row.caliber, source=row.source_dept, as_of=as_of or fmt.NA,
                                  height=480, key=(f"图例（颜色越深{'同比' if growth else '数值'}越大）",
                                                               maps.legend(values.value, shade)))
        chart_view.show(chart, key="map_chart", demo=chart_view.demo(v, "observations"))
        table = values[["name", "label", "period"]].rename(columns={"name": "县区", "label": "同比" if growth else "数值",
                                                                    "period": "时期"})
        export = pd.DataFrame({"县区": values.name, "数值": values.value, "单位": values.unit,
                               "时期": values.period})
        tables.show(table, title=title, key="map_table",
                    export=export, caliber=row.caliber, source=row.source_dept,
                    as_of=as_of, demo=tables.demo(v, "observations"), formats={"数值": Fmt(2)})
        st.caption("示范区为功能区，无行政区划边界，地图上不绘制，数值见上表。边界：cnmaps（高德数据），仅示意。")


def operations(v: View) -> None:
    """运行态势: 12345 this week against last week, 办结率, 满意率, open emergencies."""
    with guard("运行态势"):
        daily, week, prev, last = state.hotline_recent(v)
        events = state.open_events(v)
        st.subheader("运行态势")
        c1, c2, c3, c4 = st.columns(4)
        if last is None:
            c1.metric("12345 近 7 日受理量", fmt.NA)
        else:
            change = (week["received"] / prev["received"] - 1) * 100 if prev["received"] else None
            c1.metric("12345 近 7 日受理量", f"{week['received']:,} 件",
                      fmt.pct_change(change) if change is not None else None,
                      delta_color="off", delta_description="环比上周")
            c2.metric("近 7 日办结率", fmt.number(metrics.share(week["closed"], week["received"]), "%"))
            c3.metric("近 7 日满意率", fmt.number(metrics.share(week["satisfied"], week["surveyed"]), "%"),
                      help="（满意＋基本满意）÷ 已回访工单")
        top = int(events.level.min()) if len(events) else None
        c4.metric("处置中的突发事件", f"{len(events)} 起",
                  f"最高 {LEVEL_NAMES[top]}" if top else None, delta_color="off", delta_arrow="off")
        if last is not None:
            chart = charts.daily_volume(
                daily, title="12345 热线近 30 日每日受理量", unit="件", caliber="按工单创建时间统计",
                source="市 12345 政务服务便民热线", as_of=fmt.minute(last))
            chart_view.show(chart, "hotline_daily", demo=chart_view.demo(v, "hotline_tickets"))


def warnings_list(v: View, limit: int = 8) -> None:
    with guard("最新预警"):
        st.subheader("最新预警")
        firing = state.alerts(v)
        if firing.empty and bootstrap.never_evaluated(state.store()):
            st.info("预警规则正在后台首次评估，完成后刷新本页即可看到。", icon=":material/hourglass_top:")
            return
        if firing.empty:
            st.success("当前没有正在触发的预警。")
            return
        groups = alerts.group_by_series(firing)
        # The wall counts these merged entries (项), the 预警中心 the alerts (条): both numbers here.
        st.caption(f"正在触发 {len(firing)} 条（同一指标、地区合并为 {len(groups)} 项），按级别排列，显示前 "
                   f"{min(limit, len(groups))} 项")
        for g in groups[:limit]:
            badge = level_badge(g["level"])
            lines = [f"{badge} **{md(g['title'])}**", md(g["message"])]
            if g["also"]:
                lines.append("同时触发：" + "、".join(md(t) for t in g["also"]))
            # Titles come from our own rules, but user-provided names may flow in: no HTML.
            st.markdown("  \n".join(lines))
