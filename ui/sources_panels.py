"""数据源: per source of sources.toml its last success, last error, rows and freshness against its
schedule; the history of pulls; a pull on demand for admins.

Source titles, errors and messages may hold whatever a remote system sent (a column name, a host):
they are shown in tables or through md(), never as Markdown.
"""
from __future__ import annotations

import datetime as dt

import pandas as pd
import streamlit as st

from cockpit.auth import View
from service import sources as S, warnings
from service.sources_run import pull

from . import state, tables
from .auth import can
from .text import md
from .widgets import as_of, guard

RUN_STATUS = {"written": "写入新数据", "partial": "部分写入（有文件未导入）", "unchanged": "无变化", "failed": "失败",
              "busy": "跳过（正在拉取）"}
RUN_COLUMNS = {"started_at": "开始时间", "source": "数据源", "status": "结果", "rows": "读到", "written": "写入",
               "batches": "批次", "message": "说明"}


def _config() -> S.Config | None:
    try:
        return S.load()
    except ValueError as exc:  # the file itself is wrong: say where, the pages go on
        st.error(f"数据源配置文件有误，未读取：{md(exc)}", icon=":material/error:")
        return None


def freshness_state(row, grace: float) -> str:
    """The page's word for a source, by the same grace the 数据超期 rule uses."""
    if not row.enabled:
        return "停用"
    if row.overdue_minutes > grace:
        hours = row.overdue_minutes / 60
        return f"超期 {hours / 24:.1f} 天" if hours >= 48 else f"超期 {hours:.1f} 小时"
    if row.failing:
        return "最近一次失败"
    return "正常" if row.schedule else "未设计划（手动或外部定时拉取）"


def _when(v) -> str:
    return "—" if v is None or pd.isna(v) else f"{pd.Timestamp(v):%Y-%m-%d %H:%M}"


def sources_table(v: View) -> S.Config | None:
    with guard("数据源"):
        config = _config()
        if config is None:
            return None
        as_of("实时 · 口径：数据源配置文件中登记的数据源及其拉取记录")
        if not config.sources:
            # The file's name and the commands are in the README's 数据源 section, for the operator.
            st.info("尚未配置数据源：页面上的数据来自“数据报送”和演示数据。运维人员在数据源配置文件中登记数据库、"
                    "网络接口、预警订阅或投递文件夹后，管理员可在本页立即拉取，或由定时任务按计划拉取"
                    "（配置方法见部署说明“数据源”一节）。", icon=":material/cable:")
            return config
        grace = float(state.rules()["rules"].get("source_overdue", {}).get("grace_minutes", 60))
        fresh = S.freshness(config, S.states(state.store()), dt.datetime.now().replace(microsecond=0))
        fresh["enabled"] = [config.sources[n].enabled for n in fresh.source]
        words = [freshness_state(r, grace) for r in fresh.itertuples()]
        c1, c2, c3 = st.columns(3)
        c1.metric("数据源", f"{len(fresh)} 个")
        c2.metric("超期", f"{sum(w.startswith('超期') for w in words)} 个")
        c3.metric("最近一次失败", f"{int(fresh.failing.sum())} 个")
        table = pd.DataFrame({
            "数据源": fresh.title, "名称": fresh.source, "类型": fresh.kind.map(S.kind_title), "计划": fresh.schedule.replace("", "—"),
            "新鲜度": words, "最近成功": fresh.last_success_at.map(_when),
            "读到/写入": [f"{_n(r.last_rows)} / {_n(r.last_written)}" for r in fresh.itertuples()],
            "下次计划": fresh.next_at.map(_when),
            # A source that never failed has NaN here, which is truthy: it read "— nan".
            "最近错误": [f"{_when(r.last_error_at)} {r.last_error}" if isinstance(r.last_error, str) and r.last_error
                     else "" for r in fresh.itertuples()],
        })
        tables.show(table, title="数据源状态", key="src_table", caliber="各数据源最近一次拉取的结果",
                    source="驾驶舱数据源拉取记录", as_of=_when(dt.datetime.now()))
        st.caption(f"新鲜度：按各数据源的计划，上次成功后的下一个计划时间过去 {grace:g} 分钟仍未成功拉取即为超期，"
                   "预警中心同时发出“数据超期”预警；失败时原有数据保留不变。")
        return config


def _n(x) -> str:
    return "—" if x is None or pd.isna(x) else f"{int(x):,}"


def runs_table(v: View) -> None:
    with guard("拉取记录"):
        st.subheader("拉取记录")
        runs = S.runs(state.store())
        if runs.empty:
            st.caption("尚无拉取记录。")
            return
        shown = runs.assign(status=runs.status.map(RUN_STATUS).fillna(runs.status),
                            started_at=runs.started_at.map(_when))[list(RUN_COLUMNS)].rename(columns=RUN_COLUMNS)
        tables.show(shown, title="数据源拉取记录", key="src_runs", caliber="每次拉取一行，新者在前",
                    source="驾驶舱数据源拉取记录", as_of=_when(dt.datetime.now()))


def pull_now(v: View, config: S.Config | None) -> None:
    """An admin pulls one source at once (the same runner as the command line)."""
    if config is None or not config.sources or not can("action:sources"):
        return
    with guard("立即拉取"):
        if done := st.session_state.pop("src_done", None):
            (st.success if done[0] else st.error)(md(done[1]))
        c1, c2 = st.columns([3, 1], vertical_alignment="bottom")
        name = c1.selectbox("立即拉取", list(config.sources), key="src_pick",
                            format_func=lambda n: f"{config.sources[n].title}（{n}）")
        with c2.container(horizontal=True, gap="small"):  # the two buttons side by side, level with the box
            pulled = st.button("拉取", key="src_pull", type="primary")
            dry = st.button("试读", key="src_dry", help="读取并校验，列出将导入的条数和前几条；不写入、不移动文件")
        if pulled or dry:
            with st.spinner("正在试读…" if dry else "正在拉取…"):
                (out,) = pull(state.store(), config, [name], dry=dry)
            if out.status in ("written", "partial"):
                warnings.after_import(state.store())
            st.session_state["src_done"] = (out.ok, out.line())
            st.rerun()
