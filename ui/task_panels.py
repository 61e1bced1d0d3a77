"""Panels of 督查督办: the plan's 172 tasks, overdue and due soon (after the plan's period: done
and overdue, with how long), the unit ranking, a task's reports and the Excel export."""
from __future__ import annotations

import datetime as dt

import pandas as pd
import streamlit as st

from cockpit import charts, city, fmt, tasks
from cockpit.auth import View
from cockpit.signals import style_of

from . import chart_view, state, tables
from .tables import Fmt
from .widgets import as_of, guard

SOURCE = "各牵头单位季度报送（市行政审批和政务信息管理局汇总）"
CALIBER = "{}重点任务清单；状态取各任务最近一次报送"  # the plan's title goes in: state.plan().caliber
LIST_COLUMNS = {"number": "序号", "section": "部分", "text": "任务内容", "deadline_text": "任务时限",
                "lead": "牵头单位", "status": "最新状态", "percent": "完成进度", "overdue_days": "逾期天数",
                "light_text": "进度灯", "reported_on": "最近报送"}
# After the plan's period the overdue list also says how long, as people say it (2 年 11 个月).
FINAL_COLUMNS = {"number": "序号", "section": "部分", "text": "任务内容", "deadline_text": "任务时限",
                 "lead": "牵头单位", "status": "最新状态", "percent": "完成进度", "overdue_for": "逾期时长",
                 "light_text": "进度灯", "reported_on": "最近报送"}


@st.cache_data(show_spinner=False, max_entries=8)
def board(v: View, today: dt.date) -> pd.DataFrame:
    s = state.store()
    return tasks.board(s.plan_tasks(), s.latest_task_progress(), today)


@st.cache_data(show_spinner=False, max_entries=4)
def history_all(v: View) -> pd.DataFrame:
    return tasks.progress_history(state.store())


def _as_of_text(b: pd.DataFrame) -> str:
    last = b.reported_on.dropna()
    return f"{fmt.day(pd.Timestamp(last.max()))}报送" if len(last) else "尚无报送"


def _table(v: View, frame: pd.DataFrame, key: str, title: str, b: pd.DataFrame, filters: dict | None = None,
           columns: dict = LIST_COLUMNS) -> None:
    tables.show(frame[list(columns)].rename(columns=columns), title=title, key=key,
                export=tasks.export_frame(frame), caliber=CALIBER.format(state.plan().caliber), source=SOURCE,
                as_of=_as_of_text(b), filters=filters, demo=tables.demo(v, "task_progress"), colours={"进度灯": style_of},
                formats={"完成进度": Fmt(0, "%"), "完成进度(%)": Fmt(0), "逾期天数": Fmt(0, " 天")})


def headline(v: View, today: dt.date) -> None:
    with guard("任务总体进展"):
        b = board(v, today)
        n = tasks.counts(b)
        cols = st.columns(6)
        cols[0].metric("重点任务", f"{n['total']} 项")
        cols[1].metric("已完成", f"{n['done']} 项", f"{100 * n['done'] / n['total']:.1f}%", delta_color="off",
                       delta_arrow="off")
        cols[2].metric("推进中", f"{n['ongoing']} 项")
        cols[3].metric("已逾期未完成", f"{n['overdue']} 项", delta_color="off", delta_arrow="off",
                       help="有明确时限、时限已过且最近一次报送未完成")
        p = state.plan()
        if p.ended(today):  # no deadline is ahead: how long the late ones are late matters now
            cols[4].metric("逾期一年以上", f"{n['overdue_year']} 项", delta_color="off", delta_arrow="off")
        else:
            cols[4].metric(f"{tasks.SOON_DAYS} 日内到期", f"{n['due_soon']} 项")
        cols[5].metric("持续推进/适时推进", f"{n['open_ended']} 项", help="无明确时限，不计逾期")
        if p.ended(today):
            st.caption(f"规划期（{p.years}）已于 {fmt.day(p.end)} 结束：以下为期末评估，"
                       "有明确时限的任务或已完成，或逾期未完成（列出逾期时长）。")
        as_of(f"{_as_of_text(b)} · 今天 {fmt.day(today)} · 口径：{CALIBER.format(p.caliber)} · 来源：{SOURCE}")


def overdue_and_soon(v: View, today: dt.date) -> None:
    with guard("逾期与即将到期任务"):
        b = board(v, today)
        late, soon = tasks.overdue_list(b), tasks.due_soon_list(b)
        ended = state.plan().ended(today)
        st.subheader(f"逾期未完成任务（{len(late)} 项）")
        if late.empty:
            st.success("没有逾期未完成的任务。")
        else:
            _table(v, late, "t_overdue", "逾期未完成任务", b, columns=FINAL_COLUMNS if ended else LIST_COLUMNS)
        if ended:
            done = tasks.done_list(b)
            st.subheader(f"已完成任务（{len(done)} 项）")
            _table(v, done, "t_done", "已完成任务", b)
            return
        st.subheader(f"{tasks.SOON_DAYS} 日内到期任务（{len(soon)} 项）")
        if soon.empty:
            last = b.deadline_date.dropna().max()
            st.info(f"今后 {tasks.SOON_DAYS} 日内没有到期的任务：方案所列时限最晚为 "
                    f"{fmt.year_month(pd.Timestamp(last))}底，其余 {int((b.deadline_kind != 'date').sum())} 项为"
                    "“持续推进”或“适时推进”，没有时限。")
        else:
            _table(v, soon, "t_soon", f"{tasks.SOON_DAYS}日内到期任务", b)


def timeline(v: View, today: dt.date) -> None:
    with guard("任务时间轴"):
        b = board(v, today)
        chart = charts.task_timeline(tasks.timeline(b), title="重点任务到期时间轴（按任务时限月份）",
                                     caliber="有明确时限的任务，按最近一次报送状态分组", source=SOURCE,
                                     as_of=_as_of_text(b))
        chart_view.show(chart, "t_timeline", demo=chart_view.demo(v, "task_progress"))


def ranking(v: View, today: dt.date) -> None:
    with guard("单位红黑榜"):
        b = board(v, today)
        rank = tasks.unit_ranking(b)
        st.subheader("牵头单位红黑榜")
        cols = {"rank": "总排名", "unit": "牵头单位", "tasks": "牵头任务", "done": "已完成", "done_rate": "完成率",
                "overdue": "逾期未完成", "max_overdue_days": "最长逾期天数", "mean_percent": "平均进度"}
        red = rank[(rank.overdue == 0)].head(10)
        black = rank[rank.overdue > 0].sort_values(["overdue", "max_overdue_days", "overdue_rate"],
                                                   ascending=False).head(10)
        formats = {"完成率": Fmt(1, "%"), "平均进度": Fmt(1, "%"), "最长逾期天数": Fmt(0, " 天")}
        meta = dict(formats=formats, caliber=CALIBER.format(state.plan().caliber), source=SOURCE, as_of=_as_of_text(b),
                    demo=tables.demo(v, "task_progress"))
        # Side by side on a wide screen; stacked on a laptop (cockpit.css, keys split_…), where eight
        # columns in half the width had to break the units' names and the day counts.
        left, right = st.container(key="split_t_ranks").columns(2)
        with left:
            # 红榜 is the list of honour: red, as its name says; 黑榜 black.
            st.markdown(":red-badge[红榜] 无逾期、完成率最高的单位")
            red_cols = {k: c for k, c in cols.items() if k not in ("overdue", "max_overdue_days")}
            tables.show(red[list(red_cols)].rename(columns=red_cols), title="牵头单位红榜", key="t_red", **meta)
        with right:
            st.markdown(":gray-badge[黑榜] 逾期未完成任务最多的单位")
            if black.empty:
                st.success("没有单位有逾期未完成的任务。")
            else:
                tables.show(black[list(cols)].rename(columns=cols), title="牵头单位黑榜", key="t_black", **meta)
        with st.expander(f"全部 {len(rank)} 个牵头单位排名"):
            tables.show(rank[list(cols)].rename(columns=cols), title="牵头单位排名", key="t_rank_all", **meta)
        st.caption("一项任务有多个牵头单位时，每个单位各计一次；同一单位的不同写法已合并（如 市发改委＝市发展改革委）。"
                   "排名先看逾期率（低者在前），再看完成率、平均进度。")


def task_list(v: View, today: dt.date) -> None:
    with guard("任务清单"):
        b = board(v, today)
        st.subheader("任务清单")
        sections = b[["section", "section_title"]].drop_duplicates().sort_values("section", key=_section_order)
        c1, c2, c3, c4 = st.columns([3, 3, 3, 1.4])
        section_names = dict(zip(sections.section, sections.section + "、" + sections.section_title))
        chosen = c1.multiselect("部分", sections.section.tolist(), key="t_sections", format_func=section_names.get,
                                placeholder="全部")
        unit = c2.selectbox("牵头单位", ["", *tasks.units(b)], key="t_unit",
                            format_func=lambda u: u or "全部单位")
        statuses = c3.multiselect("状态", tasks.STATUSES, key="t_status", placeholder="全部")
        with c4:
            st.write("")
            only_late = st.toggle("只看逾期", key="t_only_overdue")
        shown = tasks.filter_board(b, sections=chosen, unit=unit or None, statuses=statuses, only_overdue=only_late)
        st.caption(f"共 {len(shown)} 项")
        names = {"部分": "、".join(chosen), "牵头单位": unit, "状态": "、".join(statuses),
                 "只看逾期": "是" if only_late else ""}
        _table(v, shown, "t_list", f"{city.NAME}数字政府建设重点任务推进情况", b, {k: x for k, x in names.items() if x})


def task_history(v: View, today: dt.date) -> None:
    with guard("任务进展记录"):
        b = board(v, today)
        st.subheader("单项任务进展记录")
        # A long name ends at a phrase with "…" (a select shows one line); st.text below prints it whole.
        labels = {n: f"{n}．{tasks.short_label(t)}" for n, t in zip(b.number, b.text)}
        number = st.selectbox("任务", b.number.tolist(), key="t_task", format_func=labels.get)
        row = b.set_index("number").loc[number]
        st.markdown(f"**任务 {number}**（{row.section}、{row.section_title}）")
        st.text(row.text)  # plan text, shown as text
        st.caption(f"时限：{row.deadline_text} · 牵头：{row.lead} · 最新：{row.status}"
                   + (f"，逾期 {int(row.overdue_days)} 天" if row.overdue else ""))
        h = tasks.history(history_all(v), number)
        if h.empty:
            st.info("该任务尚无进展报送。")
            return
        left, right = st.container(key="split_t_history").columns([3, 2])  # stacked on a laptop (cockpit.css)
        with left:
            chart = charts.progress_line(h, title=f"任务 {number} 完成进度", caliber="各次报送的完成百分比",
                                         source=row.lead, as_of=f"{fmt.day(pd.Timestamp(h.reported_on.max()))}")
            chart_view.show(chart, "t_history_chart", demo=chart_view.demo(v, "task_progress"))
        with right:
            shown = h.rename(columns={"reported_on": "报送日期", "status": "状态", "percent": "完成进度",
                                      "reporting_unit": "报送单位", "note": "进展说明"})
            tables.show(shown.iloc[::-1], title=f"任务{number}进展记录", key="t_history", formats={"完成进度": Fmt(0, "%")},
                        caliber="各次报送", source=row.lead, as_of=_as_of_text(b), demo=tables.demo(v, "task_progress"))


def _section_order(s: pd.Series) -> pd.Series:
    return s.map({c: i for i, c in enumerate("一二三四五六七八九十")})
