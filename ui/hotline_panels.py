"""Panels of 社情民意 (12345). Every number comes from a database aggregate
(cockpit.hotline), cached on the data version: millions of tickets stay responsive."""
from __future__ import annotations

import datetime as dt

import pandas as pd
import streamlit as st

from cockpit import charts, fmt, hotline, map_charts, maps
from cockpit.auth import View
from cockpit.catalog import CITY
from cockpit.config import settings

from . import chart_view, state, tables
from .filters import Filters, drill_to
from .tables import Fmt
from .widgets import as_of, guard, md

SOURCE = hotline.SOURCE
WINDOWS = {"7d": "近 7 日", "30d": "近 30 日", "month": "所选月份"}


# ---- cached loaders (v first; no parameter starts with "_") ---------------------------------
@st.cache_data(show_spinner=False, max_entries=8)
def span(v: View) -> tuple[dt.datetime | None, dt.datetime | None]:
    return hotline.span(state.store())


@st.cache_data(show_spinner=False, max_entries=64)
def summary(v: View, start: dt.datetime, stop: dt.datetime, now: dt.datetime, region: str) -> dict:
    return hotline.summary(state.store(), hotline.Window(start, stop, ""), now, v.scope.within(region))


@st.cache_data(show_spinner="正在统计工单量…", max_entries=64)
def volume(v: View, grain: str, end: dt.datetime, first: dt.datetime, region: str, category: str | None) -> pd.DataFrame:
    return hotline.volume(state.store(), hotline.bucket_edges(end, grain, first), v.scope.within(region), category)


@st.cache_data(show_spinner=False, max_entries=32)
def category_growth(v: View, end: dt.datetime, period: str, region: str) -> pd.DataFrame:
    return hotline.category_growth(state.store(), end, hotline.month_window(period, end), v.scope.within(region))


@st.cache_data(show_spinner=False, max_entries=16)
def surge(v: View, end: dt.datetime, region: str, rule: hotline.SurgeRule) -> pd.DataFrame:
    return hotline.surge(state.store(), end, rule, v.scope.within(region))


@st.cache_data(show_spinner=False, max_entries=64)
def county_counts(v: View, start: dt.datetime, stop: dt.datetime, category: str | None) -> pd.DataFrame:
    return hotline.counts_by(state.store(), hotline.Window(start, stop, ""), ("region_code",),
                             v.scope.within(None), category)


@st.cache_data(show_spinner=False, max_entries=16)
def open_overdue(v: View, now: dt.datetime, region: str) -> tuple[int, pd.DataFrame]:
    return hotline.open_overdue(state.store(), now, v.scope.within(region))


# ---- helpers -------------------------------------------------------------------------------------
def months(v: View) -> list[str]:
    first, last = span(v)
    return hotline.months_between(first, last) if last else []


def anchor(v: View) -> dt.datetime | None:
    _, last = span(v)
    return hotline.anchor_end(last) if last else None


def window(v: View, f: Filters, key: str = "hl_window") -> hotline.Window:
    end = anchor(v)
    choice = st.session_state.get(key, "7d")
    if choice == "30d":
        return hotline.last_days(end, 30)
    if choice == "month":
        return hotline.month_window(f.period, end)
    return hotline.last_days(end, 7)


def _names(v: View) -> dict[str, str]:
    reg = state.regions(v)
    return dict(zip(reg.code, reg.name))


def _stamp(v: View) -> str:
    _, last = span(v)
    return f"{fmt.minute(last)}（最新工单）"


def _filters(v: View, f: Filters) -> dict[str, str]:
    return {"地区": _names(v)[f.region], "统计区间": WINDOWS[st.session_state.get("hl_window", "7d")]}


def _pct(x) -> str:
    return fmt.pct_change(None if x is None or pd.isna(x) else float(x))


# ---- panels ----------------------------------------------------------------------------------------
def headline(v: View, f: Filters) -> None:
    with guard("12345 总体情况"):
        end = anchor(v)
        first, _ = span(v)
        st.radio("统计区间", list(WINDOWS), format_func=WINDOWS.get, key="hl_window", horizontal=True)
        w = window(v, f)
        cur = summary(v, w.start, w.stop, end, f.region)
        if st.session_state.get("hl_window", "7d") == "month":
            ref = hotline.same_window_last_year(w)
            ref_label = "同比"
        else:
            ref = hotline.previous_window(w)
            ref_label = "环比上期"
        has_ref = hotline.reaches_back(first, ref)
        before = summary(v, ref.start, ref.stop, end, f.region) if has_ref else None
        change = ((cur["received"] / before["received"] - 1) * 100
                  if before and before["received"] else None)
        total_open, _ = open_overdue(v, end, f.region)
        c = st.columns(5)
        c[0].metric(f"受理量（{w.label}）", f"{cur['received']:,} 件",
                    fmt.pct_change(change) if change is not None else None, delta_color="off",
                    delta_description=ref_label if change is not None else None)  # no bare "同比" under nothing
        c[1].metric("办结率", fmt.number(cur["closed_rate"], "%"), help="已办结 ÷ 受理量（区间内受理的工单）")
        c[2].metric("满意率", fmt.number(cur["satisfied_rate"], "%"),
                    help="（满意＋基本满意）÷ 已回访工单")
        c[3].metric("超期工单", f"{cur['overdue']:,} 件",
                    f"占 {fmt.number(cur['overdue_rate'], '%')}" if cur["overdue_rate"] is not None else None,
                    delta_color="off", delta_arrow="off",
                    help="区间内受理、超过办理时限仍未办结或超时限才办结的工单")
        c[4].metric("当前超期未办结", f"{total_open:,} 件", help="截至最新工单时间仍未办结且已过办理时限（不限受理时间）")
        names = _names(v)
        as_of(f"{_stamp(v)} · 区间 {w.start:%Y-%m-%d} 至 {(w.stop - dt.timedelta(seconds=1)):%Y-%m-%d} · "
              f"地区：{names[f.region]} · 口径：按工单受理时间统计，“近 7 日”截至最新工单当日 · 来源：{SOURCE}")


def _surge_words(rule: hotline.SurgeRule) -> tuple[str, str, str]:
    """How the page names the window, the usual count and the criterion, from rules.toml."""
    window = f"近 {rule.days} 日"
    usual = (f"前 {rule.baseline_days} 日周均" if rule.days == 7
             else f"前 {rule.baseline_days} 日折合 {rule.days} 日")
    criterion = (f"{window}不少于 {rule.min_count} 件，且达到{usual}的 {rule.ratio_yellow:g} 倍以上"
                 "（或此前没有），并超出偶然波动")
    return window, usual, criterion


def surges(v: View, f: Filters) -> None:
    with guard("热点诉求异动"):
        end = anchor(v)
        rule = hotline.SurgeRule.of(state.rules()["rules"]["hotline_surge"])
        table = surge(v, end, f.region, rule)
        names = _names(v)
        window, usual, criterion = _surge_words(rule)
        st.subheader(f"热点诉求异动：{window}与{usual}对比")
        flagged = table[table.surge]
        if flagged.empty:
            st.success(f"{window}没有明显激增的诉求（标准：{criterion}）。")
        else:
            lines = []
            for r in flagged.head(5).itertuples():
                base = (f"前 {rule.baseline_days} 日无此类工单" if pd.isna(r.ratio)
                        else f"为{usual} {fmt.usual(r.expected)} 件的 {r.ratio:.1f} 倍")
                lines.append(f"- **{md(names.get(r.region_code, r.region_code))} · {md(r.category)}**："
                             f"{window} {r.window:,} 件，{base}")
            st.warning(f"{window}激增诉求 {len(flagged)} 处：\n" + "\n".join(lines), icon=":material/trending_up:")
        left, right = st.container(key="split_hl_surge").columns([3, 2])  # stacked on a laptop (cockpit.css)
        with left:
            heat = table.assign(county=table.region_code.map(names).fillna(table.region_code))
            chart = charts.surge_heatmap(
                heat, title=f"诉求类别 × 县区：{window}受理量（格内数字）及其为{usual}的倍数（颜色）",
                caliber=f"{window} ÷ {usual}", source=SOURCE, as_of=_stamp(v), window=window, usual=usual,
                county_order=list(names.values()))
            chart_view.show(chart, "hl_heatmap", demo=chart_view.demo(v, "hotline_tickets"))
        with right:
            cols = {"category": "诉求类别", "window": window.replace(" ", ""), "expected": usual.replace(" ", ""),
                    "ratio": "倍数", "change": "增幅", "surge": "激增"}
            shown = table.head(15).assign(县区=lambda d: d.region_code.map(names)).rename(columns=cols)
            tables.show(shown[["县区", *cols.values()]], title=f"诉求类别×县区{window}异动", key="hl_surge_table",
                        caliber=f"{window} ÷ {usual}；激增：{criterion}", source=SOURCE, as_of=_stamp(v),
                        filters=_filters(v, f), demo=tables.demo(v, "hotline_tickets"),
                        formats={"增幅": Fmt(1, "%", sign=True), "倍数": Fmt(2), cols["expected"]: Fmt(2)})
            st.caption(f"激增在前，按超出{usual}的件数排列；激增：{criterion}。与预警中心的“12345 工单激增”规则同一标准。")


def volume_chart(v: View, f: Filters) -> None:
    with guard("受理量走势"):
        end = anchor(v)
        first, _ = span(v)
        st.subheader("受理量走势")
        c1, c2 = st.columns([2, 3])
        grain = c1.radio("粒度", list(hotline.GRAINS), format_func=hotline.GRAINS.get, key="hl_grain",
                         horizontal=True)
        cats = category_growth(v, end, f.period, CITY).category.tolist()
        category = c2.selectbox("诉求类别", ["", *cats], key="hl_category", format_func=lambda x: x or "全部类别")
        vol = volume(v, grain, end, first, f.region, category or None)
        names = _names(v)
        span_text = {"day": "近 90 日每日", "week": "近 52 周每周（截至最新工单当日）", "month": "每月"}[grain]
        chart = charts.volume_bars(
            vol, grain, title=f"{names[f.region]}{category or ''} 12345 受理量（{span_text}）",
            caliber="按工单受理时间统计" + ("；最后一月为月内至今" if grain == "month" else ""),
            source=SOURCE, as_of=_stamp(v))
        chart_view.show(chart, "hl_volume", demo=chart_view.demo(v, "hotline_tickets"))


def categories(v: View, f: Filters) -> None:
    with guard("诉求类别排行"):
        end = anchor(v)
        g = category_growth(v, end, f.period, f.region)
        month = hotline.month_window(f.period, end)
        st.subheader("诉求类别排行与增长")
        shown = g.rename(columns={"category": "诉求类别", "week": "近7日", "last_week": "上周",
                                  "week_change": "环比", "share": "占比", "month": month.label,
                                  "month_ly": "上年同期", "month_yoy": "同比"})
        tables.show(shown[["诉求类别", "近7日", "上周", "环比", "占比", month.label, "上年同期", "同比"]],
                    title="诉求类别排行与增长", key="hl_categories", source=SOURCE, as_of=_stamp(v),
                    caliber="近 7 日与其前 7 日比（环比）；所选月份与上年同期同日数比（同比）",
                    filters=_filters(v, f), demo=tables.demo(v, "hotline_tickets"),
                    formats={"环比": Fmt(1, "%", sign=True), "同比": Fmt(1, "%", sign=True), "占比": Fmt(1, "%")})
        as_of(f"{_stamp(v)} · 近 7 日与其前 7 日比（环比）；{month.label}与上年同期同日数比（同比），"
              "上年无数据时同比留空 · 占比四舍五入到 0.1%，合计可能不等于 100% · 来源：" + SOURCE)


def county_map(v: View, f: Filters) -> None:
    with guard("县区热点分布"):
        end = anchor(v)
        st.subheader("县区热点分布")
        cats = category_growth(v, end, f.period, CITY).category.tolist()
        category = st.selectbox("地图诉求类别", ["", *cats], key="hl_map_category",
                                format_func=lambda x: x or "全部类别")
        w = window(v, f)
        prev = hotline.previous_window(w) if st.session_state.get("hl_window", "7d") != "month" else \
            hotline.same_window_last_year(w)
        now = county_counts(v, w.start, w.stop, category or None).set_index("region_code").tickets
        # As the tiles above: no change against a window the tickets do not wholly cover.
        before = (county_counts(v, prev.start, prev.stop, category or None).set_index("region_code").tickets
                  if hotline.reaches_back(span(v)[0], prev) else pd.Series(dtype=int))
        reg = state.regions(v)
        rows = []
        for r in reg[reg.level != "city"].itertuples():
            n, b = int(now.get(r.code, 0)), int(before.get(r.code, 0))
            change = (n / b - 1) * 100 if b else None
            rows.append({"region_code": r.code, "name": r.name, "value": n,
                         "label": f"{n:,} 件（较{prev.label} {fmt.pct_change(change)}）", "tickets": n,
                         "change": None if change is None else round(change, 1)})
        values = pd.DataFrame(rows)
        # The map takes the column's width (a third of it cut the outer counties off); the table follows.
        # Shapes, not WebGL (cockpit.map_charts.county_map): a PC without a graphics card draws it at once.
        chart_view.show(map_charts.county_map(settings().geojson, values, title=f"各县区12345受理量（{w.label}）",
                                          caliber=f"按工单受理时间；{category or '全部类别'}", source=SOURCE,
                                          as_of=_stamp(v), height=440,
                                          key=("图例（颜色越深受理量越多）",
                                               maps.legend(values.value.astype(float), lambda x: f"{x:,.0f} 件"))),
                        key="hl_map", demo=chart_view.demo(v, "hotline_tickets"))
        table = values.sort_values("tickets", ascending=False).rename(
            columns={"name": "县区", "tickets": "受理量", "change": f"较{prev.label}"})
        tables.show(table[["县区", "受理量", f"较{prev.label}"]], title=f"各县区12345受理量（{w.label}）",
                    key="hl_county_table", caliber=f"按工单受理时间；{category or '全部类别'}", source=SOURCE,
                    as_of=_stamp(v), demo=tables.demo(v, "hotline_tickets"),
                    formats={f"较{prev.label}": Fmt(1, "%", sign=True)})
        names = _names(v)
        st.selectbox("查看县区", ["", *table.region_code], key="hl_drill", on_change=_drill_from_pick,
                     format_func=lambda c: names.get(c, "选择县区后钻取"))
        st.caption(f"{w.label}{('·' + category) if category else ''}；颜色越深受理量越多；"
                   "示范区无边界，只列表。")
        as_of(_stamp(v))


def _drill_from_pick() -> None:
    if code := st.session_state.pop("hl_drill", ""):
        drill_to(code)


def overdue(v: View, f: Filters) -> None:
    with guard("超期未办结工单"):
        end = anchor(v)
        total, rows = open_overdue(v, end, f.region)
        names = _names(v)
        st.subheader(f"超期未办结工单（{total:,} 件）")
        if rows.empty:
            st.success("没有超期未办结的工单。")
            return
        shown = rows.assign(县区=rows.region_code.map(names).fillna(rows.region_code)).rename(columns={
            "id": "工单号", "created_at": "受理时间", "category": "诉求类别", "channel": "渠道",
            "due_at": "办理时限", "days_overdue": "超期天数"})
        tables.show(shown[["工单号", "受理时间", "县区", "诉求类别", "渠道", "办理时限", "超期天数"]],
                    title="超期未办结工单", key="hl_overdue", caliber="截至最新工单时间仍未办结且已过办理时限",
                    source=SOURCE, as_of=_stamp(v), filters=_filters(v, f), demo=tables.demo(v, "hotline_tickets"),
                    # A ticket number is an identifier, read out on the phone: no thousands separator.
                    formats={"超期天数": Fmt(1, " 天"), "工单号": Fmt(grouping=False)})
        as_of(f"{_stamp(v)} · 超期以最新工单时间 {end:%Y-%m-%d %H:%M} 计；按超期时间长短排列，"
              f"显示前 {len(rows)} 件 · 来源：{SOURCE}")

