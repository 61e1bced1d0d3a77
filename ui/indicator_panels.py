"""Panels of 建设指标: the plan's indicators against its targets: 序时进度 lights during the plan's
period, the final assessment (已达标 / 未达标 and the shortfall) after it."""
from __future__ import annotations

import pandas as pd
import streamlit as st

from cockpit import catalog, charts, economy, fmt, periods, plan
from cockpit.auth import View
from cockpit.catalog import CITY
from cockpit.config import settings
from cockpit.signals import LIGHT_NAMES, OUTCOME_NAMES, style_of

from . import chart_view, state, tables
from .tables import Fmt
from .widgets import as_of, guard, shortfall

SOURCE = "市行政审批和政务信息管理局"


@st.cache_data(show_spinner=False, max_entries=8)
def board(v: View) -> tuple[pd.DataFrame, pd.DataFrame]:
    ind = state.indicators(v)
    obs = state.observations(v, tuple(catalog.plan_indicators(ind, state.plan()).code))
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
        p = state.plan()
        ended = p.ended(state.today())
        counts = (status.assessment if ended else status.light).value_counts()
        cols = st.columns(4)
        cols[0].metric("主要指标", f"{len(status)} 项")
        for col, key in zip(cols[1:], ("met", "missed") if ended else ("green", "yellow", "red")):
            col.metric((OUTCOME_NAMES | LIGHT_NAMES)[key], f"{counts.get(key, 0)} 项")
        if ended:
            cols[3].metric("无期末数据", f"{int(status.value.isna().sum())} 项")
            st.caption(f"规划期（{p.years}）已于 {fmt.day(p.end)} 结束：按规划期内最后一期数据评估，"
                       f"达到{p.target_label}为已达标，否则为未达标并列出差距。")
            return
        cfg = settings()
        st.caption(f"红黄绿按进度较序时进度的差距划分：落后超过 {cfg.lag_red_pp:g} 个百分点为红灯，"
                   f"{cfg.lag_yellow_pp:g}—{cfg.lag_red_pp:g} 个百分点为黄灯，其余为绿灯（可在配置文件中调整）；"
                   "只有期初值、尚无后续数据的指标不亮灯。")


def table(v: View) -> None:
    with guard("指标完成情况表"):
        status, _ = board(v)
        p = state.plan()
        ended = p.ended(state.today())
        quarter = [periods.label(q, frequency="Q") if q else fmt.NA for q in status.period]
        value_name = "期末值" if ended else "最新值"
        one_schedule = status.schedule.dropna().nunique() <= 1
        states = [OUTCOME_NAMES.get(a) or LIGHT_NAMES.get(x, fmt.NA) for a, x in zip(status.assessment, status.light)]
        shown = pd.DataFrame({
            "序号": range(1, len(status) + 1),
            "指标": status["name"],
            value_name: [fmt.number(x, u) for x, u in zip(status.value, status.unit)],
            p.target_label: [fmt.number(x, u, 0) for x, u in zip(status.target, status.unit)],
            **({"完成率": [fmt.number(x, "%") for x in status.completion],
                "差距": [shortfall(x, u) for x, u in zip(status.shortfall, status.unit)]} if ended
               else {"期初值": [f"{fmt.number(x, u)}（{periods.label(q, frequency='Q')}）" if isinstance(q, str)
                               else fmt.NA for x, u, q in zip(status.base, status.unit, status.base_period)],
                     "进度": [fmt.number(x, "%") for x in status.progress],
                     # one 序时进度 for all (figures of one quarter) is said once, under the table
                     **({} if one_schedule else {"序时进度": [fmt.number(x, "%") for x in status.schedule]}),
                     "较序时进度（百分点）": [fmt.NA if pd.isna(x) else f"{x:+.1f}" for x in status.gap_pp]}),
            "状态": states,
            "牵头单位": status["lead_units"],
            "相关任务": status["tasks"],
            "时期": quarter,
        })
        # The file keeps numbers as numbers, each in its own column with its unit.
        export = pd.DataFrame({
            "序号": shown["序号"], "指标": shown["指标"], "单位": status["unit"], value_name: status["value"],
            p.target_label: status["target"],
            **({"完成率（%）": status["completion"], "差距": status["shortfall"]} if ended
               else {"期初值": status["base"], "期初时期": [periods.label(q, frequency="Q") if isinstance(q, str) else None
                                                       for q in status.base_period],
                     "进度（%）": status["progress"], "序时进度（%）": status["schedule"],
                     "较序时进度（百分点）": status["gap_pp"]}),
            "状态": states, "牵头单位": shown["牵头单位"], "相关任务": shown["相关任务"], "时期": quarter})
        when = plan.as_of(status)
        caliber = f"{p.caliber}主要指标表"
        tables.show(shown, title="数字政府建设主要指标完成情况", key="i_table", colours={"状态": style_of},
                    export=export, caliber=caliber, source=SOURCE, as_of=when, demo=tables.demo(v, "observations"),
                    formats={"完成率（%）": Fmt(1), "差距": Fmt(1), "期初值": Fmt(1), "进度（%）": Fmt(1),
                             "序时进度（%）": Fmt(1), "较序时进度（百分点）": Fmt(1, sign=True)})
        schedule = (f" · 序时进度 {fmt.number(status.schedule.dropna().iloc[0], '%')}"
                    if one_schedule and status.schedule.notna().any() else "")  # none after the period
        as_of(f"{when}{schedule} · {plan.basis(p, status, state.today())} · 口径：{caliber} · 来源：{SOURCE}"
              " · 牵头单位依据重点任务清单归纳")


def detail(v: View) -> None:
    with guard("指标趋势"):
        status, obs = board(v)
        names = dict(zip(status.code, status.name))
        code = st.selectbox("查看指标", list(status.code), format_func=names.get, key="i_indicator")
        row = status.set_index("code").loc[code]
        ind = state.indicators(v).set_index("code", drop=False).loc[code]
        values = economy.series(obs, ind, CITY, "month")
        # 数据截至 is the chart's own last figure: after the plan's period the board reads the period's
        # last quarter (row.period), while the line runs on to the newest report.
        known = values.period[values.value.notna()]
        last = known.max() if len(known) else None
        chart = charts.trend(values, title=f"{row['name']}", unit="%", caliber=row.definition, source=SOURCE,
                             as_of=periods.label(last, frequency="Q") if last else fmt.NA,
                             target=charts.Target(float(row.target), state.plan().target_label))
        chart_view.show(chart, "i_trend", demo=chart_view.demo(v, "observations"))
        if last and row.period and last > row.period:
            st.caption(f"图中含规划期结束后的数据（至 {periods.label(last, frequency='Q')}）；"
                       f"上表按规划期末 {periods.label(row.period, frequency='Q')} 的数据评估。")
        st.markdown(f"**指标说明**：{row.definition}")
        st.markdown(f"**牵头单位**：{row.lead_units}　**相关任务**：{row.tasks or '—'}")
