"""Panels of 建设指标: the plan's 12 indicators against their 2025 targets."""
from __future__ import annotations

import pandas as pd
import streamlit as st

from cockpit import charts, economy, fmt, periods, plan
from cockpit.auth import View
from cockpit.catalog import CITY
from cockpit.config import settings
from cockpit.signals import LIGHT_NAMES, style_of

from . import chart_view, state
from .widgets import as_of, guard

SOURCE = "市行政审批和政务信息管理局"


@st.cache_data(show_spinner=False, max_entries=8)
def board(v: View) -> tuple[pd.DataFrame, pd.DataFrame]:
    ind = state.indicators(v)
    plan_ind = ind[ind.target_2025.notna()]
    obs = state.observations(v, tuple(plan_ind.code))
    return plan.board(ind, obs, state.today(), settings()), obs


def city_wide_only(v: View) -> bool:
    """The plan's indicators are city-wide figures: a county viewer, whose scope holds only their
    own county, is told so instead of being shown an empty board (as the overview leaves them out)."""
    if state.home_region(v) == CITY:
        return True
    st.info("数字政府建设主要指标是全市指标，不分县区；您的账号只能查看本县区的数据，"
            "全市进展请向市级用户了解。", icon=":material/info:")
    return False


def summary(v: View) -> None:
    with guard("指标概况"):
        status, _ = board(v)
        counts = status.light.value_counts()
        cols = st.columns(4)
        cols[0].metric("主要指标", f"{len(status)} 项")
        for col, light in zip(cols[1:], ("green", "yellow", "red")):
            col.metric(LIGHT_NAMES[light], f"{counts.get(light, 0)} 项")
        cfg = settings()
        st.caption(f"红黄绿按完成率较序时进度的差距划分：落后超过 {cfg.lag_red_pp:g} 个百分点为红灯，"
                   f"{cfg.lag_yellow_pp:g}—{cfg.lag_red_pp:g} 个百分点为黄灯，其余为绿灯（可在配置文件中调整）。")


def table(v: View) -> None:
    with guard("指标完成情况表"):
        status, _ = board(v)
        shown = pd.DataFrame({
            "序号": range(1, len(status) + 1),
            "指标": status["name"],
            "最新值": [fmt.number(x, u) for x, u in zip(status.value, status.unit)],
            "2025年目标": [fmt.number(x, u, 0) for x, u in zip(status.target, status.unit)],
            "完成率": [fmt.number(x, "%") for x in status.completion],
            "较序时进度": [fmt.pp(x) for x in status.gap_pp],
            "状态": [LIGHT_NAMES.get(x, fmt.NA) for x in status.light],
            "牵头单位": status["lead_units"],
            "相关任务": status["tasks"],
            "时期": [periods.label(p, frequency="Q") if p else fmt.NA for p in status.period],
        })
        st.dataframe(shown.style.map(style_of, subset=["状态"]),
                     hide_index=True, width="stretch", key="i_table", height=38 + 35 * len(shown))
        latest = status.period.dropna().max()
        as_of(f"{periods.label(latest, frequency='Q') if latest else fmt.NA} · 序时进度按 2023—2025 年计"
              f" {status.schedule.iloc[0]:.0f}% · 口径：《商丘市加强数字政府建设实施方案(2023-2025年)》主要指标表"
              f" · 来源：{SOURCE} · 牵头单位依据重点任务清单归纳")


def detail(v: View) -> None:
    with guard("指标趋势"):
        status, obs = board(v)
        names = dict(zip(status.code, status.name))
        code = st.selectbox("查看指标", list(status.code), format_func=names.get, key="i_indicator")
        row = status.set_index("code").loc[code]
        ind = state.indicators(v).set_index("code", drop=False).loc[code]
        values = economy.series(obs, ind, CITY, "month")
        chart = charts.trend(values, title=f"{row['name']}", unit="%", caliber=row.definition, source=SOURCE,
                             as_of=periods.label(row.period, frequency="Q") if row.period else fmt.NA,
                             target=float(row.target))
        chart_view.show(chart, "i_trend", demo=chart_view.demo(v, "observations"))
        st.markdown(f"**指标说明**：{row.definition}")
        st.markdown(f"**牵头单位**：{row.lead_units}　**相关任务**：{row.tasks or '—'}")
