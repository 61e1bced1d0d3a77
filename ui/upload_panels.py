"""数据报送 panels: upload -> check -> preview -> confirm; templates; 报送情况; history and rollback.

All user text (file names, cells, notes) is shown through ui.tables (every cell escaped), st.text or
escaped markdown, never as HTML.
"""
from __future__ import annotations

import datetime as dt
import logging

import pandas as pd
import streamlit as st

from cockpit import auth, fmt, periods, reporting
from cockpit.auth import View
from cockpit.store import MEASURES, StoreUnavailable
from cockpit.uploads import commit as C, history as H, status as S, templates as T, validate as V
from cockpit.uploads.templates_records import DATASETS as RECORD_KINDS, records_template
from cockpit.uploads.messages import ERROR, INFO, SKIPPED, WARNING
from cockpit.uploads.names import NORMALISATIONS
from cockpit.uploads.parse import DEFAULT_MAX_BYTES, MB
from cockpit.uploads.rollback import RollbackRefused, rollback

from service import uploads, warnings

from . import labels, state, tables, upload_names
from .tables import Fmt
from .widgets import as_of, guard, md

CHANGE = {"new": "新增", "changed": "修改", "unchanged": "不变"}
STATUS_COLUMNS = {"indicator": "指标", "department": "报送部门", "region": "地区", "expected": "应报月份",
                  "last": "最近已报", "missing": "缺报月数", "overdue_since": "逾期起始", "days_late": "逾期天数"}
SKIPPED_COLUMNS = {"sheet": "工作表", "row": "行", "col": "列", "value": "值", "reason": "原因"}
log = logging.getLogger(__name__)


def _max_bytes() -> int:
    try:
        return int(st.get_option("server.maxUploadSize")) * MB
    except Exception:  # option missing in some test runners
        return DEFAULT_MAX_BYTES


def write_scope():
    """What the viewer may write and roll back (their county, their department's indicators)."""
    return auth.write_scope(state.store(), st.session_state.get("viewer"))


@st.cache_data(show_spinner=False, max_entries=8)
def batches(v: View, scope: auth.WriteScope) -> pd.DataFrame:
    return H.batches(state.store(), scope=scope)


def _rolled_back(b) -> str:
    return f"{b.rolled_back_at:%Y-%m-%d %H:%M} {b.rolled_back_by}：{b.rollback_reason}" if pd.notna(b.rolled_back_at) else ""


def _history_table(b: pd.DataFrame) -> pd.DataFrame:
    return pd.DataFrame({
        "批次": b.id, "时间": b.created_at, "报送人": b.created_by.map(labels.actor), "文件": b.file_name.fillna(""),
        "来源": b.source.map(lambda x: labels.SOURCES.get(x, x)),
        "数据": b.dataset.map(lambda d: H.DATASETS.get(d, d)), "写入行数": b.row_count,
        "状态": b.status.map(H.STATUS), "说明": b.note, "回滚": [_rolled_back(r) for r in b.itertuples()],
        "sha256": b.sha256.fillna("")})


def _rows_table(rows: pd.DataFrame) -> pd.DataFrame:
    """One batch's rows as the page shows them: figures with what they replaced, or task reports."""
    in_force = rows.active.map({True: "是", False: "否"})
    if "indicator" in rows.columns:
        withdrawn = rows.withdrawn.astype(bool)
        return pd.DataFrame({"指标": rows.indicator, "地区": rows.region, "时期": rows.period,
                             "口径": rows.measure.map(MEASURES), "原值": rows.old,
                             "新值": rows.new.where(~withdrawn), "操作": withdrawn.map({True: "撤回（文件中为“—”）",
                                                                                   False: "写入"}),
                             "当前生效": in_force})
    return rows.assign(active=in_force).rename(columns={
        "task_number": "序号", "reported_on": "报送日期", "status": "进展状态", "percent": "完成比例", "note": "进展说明",
        "reporting_unit": "报送单位", "active": "当前生效"})


@st.cache_data(show_spinner=False, max_entries=8)
def late(v: View, today: dt.date, schedule: reporting.Schedule) -> pd.DataFrame:
    return S.reporting_status(state.store(), schedule, today)


def header(v: View) -> None:
    b = batches(v, write_scope())
    real = b[b.source != "demo"]
    if len(real):
        as_of(f"最近一次报送 {real.created_at.iloc[0]:%Y-%m-%d %H:%M}（批次 #{real.id.iloc[0]}）")
    else:
        as_of("尚无报送批次，库中为演示数据")


def _reevaluate() -> None:
    """New or restored figures: warnings re-evaluated and forecasts refit in a background
    process. (Caches need no clearing: they are keyed on the data version, which just changed.)"""
    with guard("预警重新评估"):
        warnings.after_import(state.store())


def upload_panel(v: View) -> None:
    with guard("上传报表"):
        st.subheader("上传报表")
        c1, c2, c3 = st.columns([2, 2, 2])
        viewer = st.session_state.get("viewer")
        if viewer is not None and viewer.via != "open":
            user = viewer.name  # the login is the reporter of record
            c1.text_input("报送人", value=user, disabled=True, key="upload_user_fixed")
        else:
            user = c1.text_input("报送人", key="upload_user", placeholder="姓名（记入批次）")
        months = [periods.shift_month(periods.last_complete_month(state.today()), -i) for i in range(0, 24)]
        period = c2.selectbox("时期（统计月报格式用）", [None, *months], key="upload_period",
                              format_func=lambda p: "自动：取表格标题中的时期" if p is None else periods.label(p))
        reg = state.regions(v)
        region = c3.selectbox("地区（统计月报按行列指标时用）", [None, *reg.code], key="upload_region",
                              format_func=lambda c: "自动：取标题，未注明按全市" if c is None
                              else reg.set_index("code").name[c])
        f = st.file_uploader("选择 Excel 或 CSV 文件（含业务系统导出的表格；UTF-8 或 GBK 编码），不超过 "
                             f"{_max_bytes() // MB} MB", key="upload_file", type=None)
        with st.expander("系统会自动处理哪些写法"):
            st.markdown("\n".join(f"- {md(n)}" for n in NORMALISATIONS))
        if f is None:
            return
        data = f.getvalue()
        digest = C.sha256(data)
        options = V.Options(period=period, region=region, today=state.today())
        key = (digest, period, region, v)
        cached = st.session_state.get("upload_checked")
        if not cached or cached[0] != key:
            with st.spinner("正在校验整个文件…"):
                # In a child process with a memory cap: a hostile file cannot stop the server.
                checked, pv = uploads.check_file(state.store(), data, f.name, options, max_bytes=_max_bytes(),
                                                 scope=write_scope())
            st.session_state["upload_checked"] = (key, checked, pv)
        _, checked, pv = st.session_state["upload_checked"]
        st.text(f"文件：{f.name}（{len(data) / 1024:,.0f} KB，校验码 {digest[:12]}…）")
        if checked.sheets:
            st.caption("读取的工作表：" + "、".join(md(s) for s in checked.sheets))
        problems = checked.problems
        if not problems.ok:
            # A reason about the whole file (too large, unreadable) is said here, not only in the list.
            whole = [md(p.reason) for p in problems.errors if p.row is None][:3]
            st.error("  \n".join([problems.summary(), *whole]), icon=":material/error:")
        else:
            st.success(problems.summary(), icon=":material/check_circle:")
        listed = problems.frame((ERROR, WARNING, INFO))
        meta = dict(source=f"文件“{f.name}”", as_of=f"{dt.datetime.now():%Y-%m-%d %H:%M} 校验", what="upload_problems")
        if len(listed):
            # The list to take away is offered when there is something to correct or check.
            attention = not problems.ok or bool(problems.count(WARNING))
            tables.show(listed, title="上传问题清单", key="upload_problems", **meta,
                        download="下载问题清单（Excel）" if attention else "下载说明（Excel）")
        skipped = problems.frame((SKIPPED,)).drop(columns=["级别"])
        if len(skipped):
            n = problems.count(SKIPPED)
            st.markdown(f"**未导入的内容（{n:,} 处{f'，列出前 {len(skipped):,} 处' if n > len(skipped) else ''}）**："
                        "以下单元格不写入，原因见右列；其余数据照常导入。")
            tables.show(skipped, title="未导入的内容", key="upload_skipped", download="下载未导入清单（Excel）", **meta)
        if upload_names.mapping_panel(v, checked.unknown):
            state.indicators.clear()  # a new indicator is not a new data version
            st.session_state.pop("upload_checked", None)  # check the file again with the new names
            st.rerun()
        if not checked.ok:
            return
        done = st.session_state.get("upload_done")
        if done and done[0] == digest:  # this very file was just committed in this session
            # No preview now: against the new data it would call every written value 不变.
            st.success(done[1], icon=":material/task_alt:")  # our own words and numbers only
            st.caption("预警和预测正在后台按新数据重新计算，几分钟内在预警中心更新。")
            return
        _preview(v, pv)
        first = C.duplicate_of(state.store(), digest)
        if first is not None:
            st.info(md(C.duplicate_message(first)), icon=":material/content_copy:")
            return
        withdraw = _withdraw_choice(v, pv)
        if st.button("确认写入", type="primary", key="upload_confirm", disabled=not user.strip()):
            try:
                result = C.commit(state.store(), checked, data=data, file_name=f.name, created_by=user.strip(),
                                  scope=write_scope(), withdraw=withdraw)
            except StoreUnavailable:
                raise
            except Exception:  # the transaction was rolled back: say so, naming the file
                log.exception("commit of %r failed", f.name)
                st.error(f"文件“{md(f.name)}”写入时出错，整个文件未写入（已记录错误日志），请稍后重试或联系管理员。")
                return
            st.session_state["upload_done"] = (digest, result.message)
            if result.status == "committed":
                _reevaluate()
                st.rerun()  # this run read the old data version; the rerun shows the new batch
            elif result.status in ("busy", "rejected"):
                st.error(md(result.message))
            else:
                st.info(md(result.message))
        elif not user.strip():
            st.caption("填写报送人后才能确认写入。")


def _withdraw_choice(v: View, pv: C.Preview) -> bool:
    """A "—" in the file where a figure is in force: the clerk keeps it (保留原值) or withdraws it (撤回)."""
    gone = pv.withdrawable
    if not len(gone):
        return False
    ind, reg = state.indicators(v).set_index("code").name, state.regions(v).set_index("code").name
    st.markdown(f"**文件中为“—”而库中已有数值（{len(gone):,} 处）**")
    tables.show(pd.DataFrame({"工作表": gone.sheet, "行": gone.row, "列": gone.column,
                              "指标": gone.indicator_code.map(ind), "地区": gone.region_code.map(reg),
                              "时期": gone.period, "口径": gone.measure.map(MEASURES), "库中原值": gone.old}),
                title="文件中为“—”而库中已有数值", key="upload_withdrawable", source="上传文件与库中现有数值")
    choice = st.radio("对这些原值", ["keep", "withdraw"], horizontal=True, key="upload_withdraw",
                      format_func={"keep": "保留原值（“—”表示本次未报）", "withdraw": "撤回（“—”表示不再发布，可回滚恢复）"}.get)
    return choice == "withdraw"


def _preview(v: View, pv: C.Preview) -> None:
    st.markdown("**预览**（确认后才写入；不变的数值不会重复写入）")
    for dataset, n in pv.demo_retired.items():
        st.info(f"首批真实{H.DATASETS.get(dataset, dataset)}：写入后，库中演示数据（{n:,} 个）停用，页面不再混用演示数字；"
                "演示数据保留在原批次中，管理员可恢复。", icon=":material/science:")
    counts = pv.counts
    c1, c2, c3 = st.columns(3)
    c1.metric("新增", f"{counts['new']:,} 个")
    c2.metric("修改", f"{counts['changed']:,} 个")
    c3.metric("不变", f"{counts['unchanged']:,} 个")
    obs = pv.observations
    if len(obs):
        ind = state.indicators(v).set_index("code").name
        reg = state.regions(v).set_index("code").name
        order = obs.change.map({"changed": 0, "new": 1, "unchanged": 2})
        shown = obs.assign(o=order).sort_values("o").head(2000)
        table = pd.DataFrame({"状态": shown.change.map(CHANGE), "指标": shown.indicator_code.map(ind),
                              "地区": shown.region_code.map(reg), "时期": shown.period,
                              "口径": shown.measure.map(MEASURES), "原值": shown.old, "新值": shown.new})
        tables.show(table, title="上传预览", key="upload_preview", source="上传文件与库中现有数值",
                    caliber="先列出修改的，再列出新增、不变的" + ("；只列出前 2,000 行" if len(obs) > 2000 else ""))
        if len(obs) > 2000:
            st.caption(f"共 {len(obs):,} 行，先列出修改的，显示前 2,000 行。")
    tasks = pv.tasks
    if len(tasks):
        tables.show(pd.DataFrame({"状态": tasks.change.map(CHANGE), "序号": tasks.task_number,
                                  "报送日期": tasks.reported_on, "原进展": tasks.old_status,
                                  "新进展": tasks.status, "原比例": tasks.old_percent, "新比例": tasks.percent,
                                  "进展说明": tasks.note, "报送单位": tasks.reporting_unit}),
                    title="上传预览（重点任务进展）", key="upload_preview_tasks", source="上传文件与库中现有进展")


def template_panel(v: View) -> None:
    with guard("下载模板"):
        st.subheader("下载模板")
        kind = st.radio("模板", ["long", "wide", "task", *RECORD_KINDS], horizontal=True, key="tpl_kind",
                        format_func={"long": "逐行格式（每行一个数）", "wide": "统计月报格式（指标×当月/累计）",
                                     "task": "重点任务进展", **H.DATASETS}.get)
        if kind in RECORD_KINDS:  # tickets, events, warnings, duty: lists of records keyed by their number
            st.download_button("下载模板", records_template(state.store(), kind), f"{H.DATASETS[kind]}报送模板.xlsx",
                               key="tpl_download", type="primary")
            return
        if kind == "task":
            st.download_button("下载任务进展模板", T.task_template(state.store()), "重点任务进展报送模板.xlsx",
                               key="tpl_download", type="primary")
            return
        ind = state.indicators(v)
        choices = ind[ind.domain != "数字政府"]
        c1, c2 = st.columns([3, 1])
        codes = c1.multiselect("指标", list(choices.code), default=list(choices.code[:6]), key="tpl_codes",
                               format_func=dict(zip(ind.code, ind.name)).get)
        months = [periods.shift_month(periods.last_complete_month(state.today()), -i) for i in range(0, 13)]
        period = c2.selectbox("时期", months, key="tpl_period", format_func=periods.label)
        if not codes:
            st.info("请至少选择一个指标。")
            return
        data = (T.long_template if kind == "long" else T.wide_template)(state.store(), codes, period)
        name = f"{'数据报送模板' if kind == 'long' else '统计月报模板'}_{period}.xlsx"
        st.download_button("下载模板", data, name, key="tpl_download", type="primary",
                           mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")


def status_panel(v: View) -> None:
    with guard("报送情况"):
        today = state.today()
        schedule = reporting.Schedule.of(state.rules()["rules"]["stale"])
        st.subheader("报送情况")
        frame = late(v, today, schedule)
        if frame.empty:
            st.success("到期应报的数据均已报送。")
        else:
            c1, c2 = st.columns(2)
            c1.metric("未报送（指标×地区）", f"{len(frame):,} 项")
            c2.metric("涉及部门", f"{frame.department.nunique()} 个")
            tables.show(frame.rename(columns=STATUS_COLUMNS)[list(STATUS_COLUMNS.values())], title="数据报送情况",
                        key="status_table", as_of=f"{fmt.day(today)}", source="各报送部门批次记录",
                        caliber="到期应报而未报送的指标×地区", formats={"逾期天数": Fmt(0, " 天")})
        st.caption(f"应报：月度数据次月 {schedule.monthly_due_day} 日前报送，季度数据季后次月 "
                   f"{schedule.quarterly_due_day} 日前报送，1—2 月合并发布的指标不报 1 月；逾期自应报之日起算。"
                   "曾报送过某指标的地区视为应报；与预警中心的“数据缺报或逾期”规则同一口径。")


def history_panel(v: View) -> None:
    with guard("报送历史"):
        st.subheader("报送历史")
        if done := st.session_state.pop("rollback_done", None):
            st.success(done)  # our own words and numbers only
        scope = write_scope()
        b = batches(v, scope)
        table = _history_table(b)
        if b.empty:
            st.info("尚无报送批次。")
            return
        tables.show(table.drop(columns=["sha256"]), title="报送历史", key="history_table", export=table,
                    source="本系统批次记录", as_of=f"{dt.datetime.now():%Y-%m-%d %H:%M}", what="upload_batches")
        bid = st.selectbox("查看批次", list(b.id), key="history_batch", format_func=lambda i: f"#{i}")
        rows = H.batch_rows(state.store(), int(bid), scope=scope)
        if rows.empty:
            st.caption("该批次不是指标数值或任务进展，不逐行列出。")
        else:
            tables.show(_rows_table(rows), title=f"批次{bid}的数据", key="history_rows", source="本系统批次记录")
        left = H.skipped(state.store(), int(bid))
        if len(left):
            with st.expander(f"该批次文件中未导入的内容（{len(left):,} 处）"):
                tables.show(left.rename(columns=SKIPPED_COLUMNS), title=f"批次{bid}未导入的内容", key="history_skipped",
                            source="本系统批次记录")
        row = b.set_index("id").loc[bid]
        if row.status != "committed":
            st.caption(f"该批次{H.STATUS.get(row.status, row.status)}：{md(_rolled_back(row))}")
            return
        with st.form("rollback_form"):
            st.markdown(f"**回滚批次 #{bid}**：该批数值不再生效，恢复它替换的原值；不删除任何数据。")
            viewer = st.session_state.get("viewer")
            who = (viewer.name if viewer is not None and viewer.via != "open"
                   else st.text_input("操作人", key="rollback_user"))
            reason = st.text_input("回滚原因", key="rollback_reason")
            go = st.form_submit_button("回滚此批次")
        if go:
            if not who.strip():
                st.error("请填写操作人。")
                return
            try:
                st.session_state["rollback_done"] = rollback(state.store(), int(bid), by=who.strip(), reason=reason,
                                                             scope=scope)
                _reevaluate()
                st.rerun()
            except RollbackRefused as exc:
                st.error(md(exc))
