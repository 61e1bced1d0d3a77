"""预警中心 panels and loaders: alert list and detail, 督办, forecasts, target projections, rule settings.

Loaders are st.cache_data keyed on the data version (`v`); forecasts come from the cache that
service.warnings fits in the background, never from a fit during a page view.
"""
from __future__ import annotations

import json

import pandas as pd
import streamlit as st

from cockpit import alert_store, catalog, charts, fmt, periods, rule_config
from cockpit.auth import View
from cockpit.signals import LEVEL_NAMES
from models import alerts as sm, forecast, projection
from service import alerts, warnings

from . import chart_view, labels, state, tables
from .auth import can
from .tables import Fmt
from .text import md
from .widgets import as_of, guard, level_badge

DATASETS = ("observations", "hotline_tickets", "task_progress", "emergency_events")


def _now_text() -> str:
    return f"{pd.Timestamp.now():%Y-%m-%d %H:%M}"


def _chosen_filters() -> dict[str, str]:
    said = {"状态": "、".join(sm.STATE_NAMES.get(x, x) for x in st.session_state.get("w_states") or []),
            "级别": "、".join(LEVEL_NAMES.get(x, str(x)) for x in st.session_state.get("w_levels") or []),
            "规则": "、".join(rule_config.RULE_TITLES.get(x, x) for x in st.session_state.get("w_rules") or [])}
    return {k: x for k, x in said.items() if x}


# ---- loaders -----------------------------------------------------------------------------------
@st.cache_data(show_spinner=False, max_entries=8)
def all_alerts(v: View) -> pd.DataFrame:
    # A county viewer: its own county's alerts and the city-wide ones (plan tasks, indicators).
    return alert_store.alerts(state.store(), regions=v.scope.regions)


@st.cache_data(show_spinner=False, max_entries=16)
def alert_history(v: View, alert_id: int) -> pd.DataFrame:
    return alert_store.events(state.store(), alert_id)


def forecast_stamp(v: View | None) -> int | None:
    """When the background fit wrote the forecasts of this data version (None: not yet). Part of
    the loaders' keys below: keyed on the data version alone, a page opened before the fit ended
    kept "预测正在后台计算" for the life of the server process, refresh or not. The observations
    version comes from the view's data version: no query, however often a rerun asks. Without a
    view, the store's version now (the poll below: a fit for a newer upload also ends the wait)."""
    store = state.store()
    seen = store.observations_version_of(v.version) if v is not None else None
    try:
        return warnings.cache_path(store, seen).stat().st_mtime_ns
    except OSError:
        return None


def forecasts(v: View) -> dict | None:
    return _forecasts(v, forecast_stamp(v))


@st.cache_data(show_spinner=False, max_entries=4)
def _forecasts(v: View, stamp: int | None) -> dict | None:
    return warnings.cached_forecasts(state.store()) if stamp is not None else None


def target_rows(v: View) -> list[dict]:
    return _target_rows(v, forecast_stamp(v))


@st.cache_data(show_spinner=False, max_entries=4)
def _target_rows(v: View, stamp: int | None) -> list[dict]:
    return [p.__dict__ for p in projection.targets_status(state.indicators(v), state.observations(v),
                                                           catalog.load_targets(), _forecasts(v, stamp))]


def plan_rows(v: View) -> list[dict]:
    return _plan_rows(v, forecast_stamp(v))


@st.cache_data(show_spinner=False, max_entries=4)
def _plan_rows(v: View, stamp: int | None) -> list[dict]:
    plan = catalog.plan_indicators(state.indicators(v), state.plan())
    obs = state.observations(v, tuple(plan.code))
    return projection.plan_projections(plan, obs, state.today(), state.store().cfg, _forecasts(v, stamp))


@st.fragment(run_every=5)
def _rerun_when_fitted() -> None:
    """Looks every 5 s while the page waits for the background fit; the whole page reruns when it
    ends (or fails), so its forecasts and the 全年研判 appear without a refresh."""
    if forecast_stamp(None) is not None or warnings.failed_recently():
        st.rerun()


def ensure_forecasts(v: View) -> dict | None:
    """The cached forecasts, or None after starting the background fit (once per process)."""
    recs = forecasts(v)
    if recs is None:
        warnings.refresh_in_background(state.store())
    return recs


# ---- panels ------------------------------------------------------------------------------------
def level_counts(v: View) -> None:
    with guard("预警概况"):
        a = all_alerts(v)
        live = a[a.state.isin(sm.ACTIVE)]
        cols = st.columns(5)
        for col, lv in zip(cols, (1, 2, 3, 4)):
            col.metric(LEVEL_NAMES[lv], f"{int(((live.state == 'firing') & (live.level == lv)).sum())} 条",
                       help="正在触发的预警条数")
        cols[4].metric("待确认 / 已确认", f"{int((live.state == 'pending').sum())} / "
                       f"{int((live.state == 'acknowledged').sum())}")
        # The overview and the wall count 项 (merged): said here, the two numbers read together.
        st.caption("按条计，每条规则、指标、地区各一条；总览和大屏把同一指标、地区的多条预警合并为一项。")


def alert_filters(v: View) -> pd.DataFrame:
    a = all_alerts(v)
    regions = state.regions(v)
    names = dict(zip(regions.code, regions.name))
    # 状态 holds three chosen states by default: in a quarter of a laptop's column the third was cut.
    c1, c2, c3, c4 = st.columns([4, 2, 2, 2])
    states = c1.multiselect("状态", list(sm.STATES), default=["firing", "pending", "acknowledged"],
                            format_func=sm.STATE_NAMES.get, key="w_states")
    levels = c2.multiselect("级别", [1, 2, 3, 4], format_func=LEVEL_NAMES.get, key="w_levels", placeholder="全部级别")
    rule_names = c3.multiselect("规则", list(rule_config.RULE_TITLES), format_func=rule_config.RULE_TITLES.get, key="w_rules", placeholder="全部规则")
    region = c4.selectbox("地区", ["", *regions.code], format_func=lambda c: names.get(c, "全部地区"),
                          key="w_region")
    out = a[a.state.isin(states)] if states else a
    if levels:
        out = out[out.level.isin(levels)]
    if rule_names:
        out = out[out.rule.isin(rule_names)]
    if region:
        out = out[out.region_code == region]
    return out


def alert_table(v: View, shown: pd.DataFrame) -> None:
    names = dict(zip(state.regions(v).code, state.regions(v).name))
    table = pd.DataFrame({
        "级别": shown.level.map(lambda lv: LEVEL_NAMES.get(lv, "—") if pd.notna(lv) else "—"),
        "状态": shown.state.map(sm.STATE_NAMES),
        "规则": shown.rule.map(rule_config.RULE_TITLES),
        "预警": shown.title,
        "地区": shown.region_code.map(lambda c: names.get(c, "") if c else ""),
        "开始时间": pd.to_datetime(shown.started_at).dt.strftime("%Y-%m-%d %H:%M"),
        "督办": shown.assignee.fillna(""),
    })
    st.caption(f"共 {len(shown)} 条")
    tables.show(table, title="预警列表", key="w_table", source="驾驶舱预警规则", as_of=_now_text(),
                caliber="按级别排列", filters=_chosen_filters(), demo=tables.demo(v, *DATASETS))


def alert_detail(v: View, shown: pd.DataFrame) -> None:
    if shown.empty:
        st.info("没有符合条件的预警。")
        return
    ids = shown.id.astype(int).tolist()
    titles = dict(zip(ids, shown.title))
    if st.session_state.get("w_pick") not in ids:
        st.session_state["w_pick"] = ids[0]
    aid = st.selectbox("查看预警", ids, format_func=lambda i: titles[i], key="w_pick")
    row = shown[shown.id == aid].iloc[0]
    with st.container(border=True):
        badge = level_badge(row.level)
        st.markdown(f"{badge} :gray-badge[{sm.STATE_NAMES[row.state]}] :gray-badge[{rule_config.RULE_TITLES.get(row.rule, row.rule)}]")
        st.subheader(md(row.title), anchor=False)
        st.text(row.message)  # st.text: never interpreted as markdown or HTML
        evidence = json.loads(row.evidence) if isinstance(row.evidence, str) and row.evidence else {}
        numbers = evidence.get("numbers") or {}
        if numbers:
            for col, (k, val) in zip(st.columns(len(numbers)), numbers.items()):
                col.metric(k, val)
        if evidence.get("kind") == "table":
            tables.show(pd.DataFrame(evidence["rows"]), title=f"预警依据：{row.title[:40]}", key="w_evidence_table",
                        source="驾驶舱预警规则", as_of=_now_text())
        chart = charts.evidence(evidence, row.title[:40], rule_config.RULE_TITLES.get(row.rule, ""),
                               fmt.minute(pd.to_datetime(row.updated_at)))
        if chart is not None:
            chart_view.show(chart, "w_chart", demo=chart_view.demo(v, "observations", "hotline_tickets", "task_progress"))
        if row.assignee:
            st.caption(f"督办：{md(row.assignee)}" + (f"。{md(row.note)}" if row.note else ""))
        actions(v, int(aid), row.state)
        hist = alert_history(v, int(aid))
        if len(hist):
            st.caption("处理记录")
            tables.show(pd.DataFrame({
                "时间": pd.to_datetime(hist["at"]).dt.strftime("%Y-%m-%d %H:%M"), "经办": hist.actor.map(labels.actor),
                "状态": hist.to_state.map(sm.STATE_NAMES), "说明": hist.note}),
                title=f"预警处理记录：{row.title[:40]}", key="w_history", source="驾驶舱预警规则", as_of=_now_text())


def _logged_in() -> str | None:
    viewer = st.session_state.get("viewer")
    return viewer.name if viewer is not None and viewer.via != "open" else None


def _actor() -> str:
    return str(_logged_in() or st.session_state.get("w_actor") or "").strip()


def actions(v: View, aid: int, current: str) -> None:
    if not (can("action:alert_ack") or can("action:alert_assign")):
        return  # viewers who may not act see the alert and its history only
    c1, c2 = st.columns(2)
    with c1:
        if not _logged_in():
            st.text_input("经办人", key="w_actor", placeholder="姓名")
        note = st.text_input("确认说明（可选）", key="w_ack_note")
        if st.button("确认预警", key="w_ack", disabled=current != "firing"):
            if not _actor():
                st.warning("请先填写经办人。")
            else:
                alerts.acknowledge(state.store(), aid, _actor(), note)
                st.session_state["w_flash"] = "已确认"
                st.rerun()
    with c2:
        assignee = st.text_input("督办责任单位或责任人", key="w_assignee")
        anote = st.text_area("督办要求", key="w_assign_note", height=68)
        if st.button("下达督办", key="w_assign", disabled=not sm.can_assign(current)):
            if not _actor():
                st.warning("请先填写经办人。")
            else:
                try:
                    alerts.assign(state.store(), aid, assignee, _actor(), anote)
                except ValueError as e:
                    st.warning(md(e))
                else:
                    st.session_state["w_flash"] = f"已督办：{assignee.strip()}"
                    st.rerun()


def projections(v: View) -> None:
    with guard("年度目标研判"):
        st.subheader("年度经济目标：完成情况与全年研判")
        rows = target_rows(v)
        if not rows:
            st.info("尚未配置年度目标：请管理员在本系统的年度目标表中填写各指标的年度目标。")
        else:
            names = dict(zip(state.regions(v).code, state.regions(v).name))
            table = pd.DataFrame({
                "指标": [r["name"] for r in rows], "地区": [names.get(r["region"], r["region"]) for r in rows],
                "年度目标": [f"增长 {r['target']:.1f}%" if r["growth"] else f"{r['target']:,.0f}{r['unit']}" for r in rows],
                "完成情况": [r["status_text"] for r in rows], "全年研判": [r["sentence"] for r in rows],
                "较序时进度/目标": [f"{r['gap_pp']:+.1f} 个百分点" if r["gap_pp"] is not None else "—" for r in rows]})
            latest = max((r["period"] for r in rows if r["period"]), default=None)
            caliber = ("年度目标取自本市年度经济目标表；价值量目标对照序时进度（已过月份 ÷ 12），增速目标对照目标增速；"
                       "区间为 80% 预测区间")
            tables.show(table, title="年度经济目标完成情况与全年研判", key="w_targets", caliber=caliber,
                        source="市统计局、市财政局", as_of=periods.label(latest) if latest else "—",
                        demo=tables.demo(v, "observations"))
            as_of(f"{periods.label(latest) if latest else '—'} · 口径：{caliber}")
        st.subheader("规划主要指标：完成情况与研判")
        plan = plan_rows(v)
        tables.show(pd.DataFrame({
            "指标": [r["name"] for r in plan],
            "完成率": [f"{r['completion']:.1f}%" if r["completion"] is not None else "—" for r in plan],
            "较序时进度": [f"{r['gap_pp']:+.1f} 个百分点" if r["gap_pp"] is not None else "—" for r in plan],
            "研判": [r["sentence"] for r in plan]}), title="规划主要指标完成情况与研判", key="w_plan",
            caliber=f"{state.plan().caliber}主要指标表", source="市行政审批和政务信息管理局",
            as_of=_now_text(), demo=tables.demo(v, "observations"))


def forecast_explorer(v: View) -> None:
    with guard("指标预测"):
        st.subheader("指标预测")
        recs = ensure_forecasts(v)
        if recs is None:
            if warnings.failed_recently():
                st.warning("预测的后台计算刚刚失败，已记录错误日志，10 分钟后或有新数据时自动重试；"
                           "其余预警规则不受影响。", icon=":material/error:")
            else:
                st.info("预测正在后台计算（全部指标 × 地区），完成后本页自动显示。", icon=":material/hourglass_top:")
                _rerun_when_fitted()
            return
        ind = state.indicators(v).set_index("code", drop=False)
        regions = state.regions(v)
        names = dict(zip(regions.code, regions.name))
        codes = sorted({r["indicator"] for r in recs.values()}, key=lambda c: ind.loc[c, "sort"] if c in ind.index else 0)
        c1, c2 = st.columns(2)
        code = c1.selectbox("指标", codes, format_func=lambda c: ind.loc[c, "name"] if c in ind.index else c,
                            key="w_fc_indicator")
        have = [r for r in regions.code if f"{code}|{r}" in recs]
        region = c2.selectbox("地区", have, format_func=names.get, key="w_fc_region")
        rec = recs[f"{code}|{region}"]
        unit = "%" if rec["measure"].endswith("yoy") else ind.loc[code, "unit"]
        chart = charts.forecast(rec, f"{names[region]}{ind.loc[code, 'name']}", unit,
                               periods.label(rec["last_period"]))
        chart_view.show(chart, "w_fc_chart", demo=chart_view.demo(v, "observations"))
        st.caption(f"模型：{rec['label']}。{rec['reason']}。" + "；".join(rec.get("notes", [])))
        if rec["scores"]:
            tables.show(pd.DataFrame([{"模型": forecast.LABELS.get(k, k), "回测 MASE": s["mase"],
                                       "回测 sMAPE": s["smape"]} for k, s in rec["scores"].items()]),
                        title=f"{names[region]}{ind.loc[code, 'name']}预测模型回测", key="w_fc_scores",
                        caliber="滚动起点回测；MASE、sMAPE 越小越好", source="驾驶舱预测模型",
                        as_of=periods.label(rec["last_period"]), formats={"回测 MASE": Fmt(3), "回测 sMAPE": Fmt(2)})


def rule_settings(v: View) -> None:
    """Edit numbers and switches of every rule; saved to <data_dir>/rules.local.toml (checked
    first), audited, then re-evaluated (service.warnings.save_rules)."""
    if not can("action:rules"):
        st.info("规则设置仅管理员可修改。")
        return
    with guard("预警规则设置"):
        store = state.store()
        shipped, current = rule_config.load(), state.rules()
        st.caption("默认值为系统随附的预警规则；这里的修改单独保存在本系统的数据目录中，逐项覆盖默认值。")
        changed: dict = {}
        for name, title in rule_config.RULE_TITLES.items():
            rc, default = current["rules"].get(name, {}), shipped["rules"].get(name, {})
            with st.expander(title):
                on = st.checkbox("启用", value=rc.get("enabled", True), key=f"r_{name}_enabled")
                if on != default.get("enabled", True):
                    changed.setdefault(name, {})["enabled"] = on
                for key, val in rc.items():
                    if isinstance(val, bool) or not isinstance(val, (int, float)):
                        continue
                    new = st.number_input(rule_config.SETTING_NAMES.get(key, key), value=float(val),
                                          key=f"r_{name}_{key}")
                    if new != float(default.get(key, val)):
                        changed.setdefault(name, {})[key] = int(new) if isinstance(val, int) else new
        if st.button("保存并重新评估", key="r_save"):
            try:
                n = warnings.save_rules(store, {"rules": changed} if changed else {}, _actor() or "未登录用户",
                                        state.today())
            except ValueError as exc:
                st.error(f"规则未保存：{exc}")
                return
            st.session_state["w_flash"] = f"规则已保存，重新评估后正在触发 {n} 条"
            st.rerun()
