"""Panels of the indicator pages (经济运行 and the other domains on the same machinery)."""
from __future__ import annotations

import pandas as pd
import streamlit as st

from cockpit import annotations, catalog, charts, economy, fmt, maps, periods
from cockpit.auth import View
from cockpit.config import settings

from . import chart_view, state, tables
from .text import md
from .auth import can
from .filters import Filters, drill_to
from .tables import Fmt
from .warning_panels import forecasts
from .widgets import as_of, guard, map_legend

SERIES = {"yoy": "同比增速", "value": "数值"}
CALIBER = "各指标口径见指标说明；“—”表示未发布或无数据"


def _filters(names: dict[str, str], f: Filters) -> dict[str, str]:
    return {"地区": names.get(f.region, f.region), "时期": periods.label(f.period),
            "口径": "累计" if f.basis == "ytd" else "当月"}


@st.cache_data(show_spinner=False, max_entries=16)
def domain_frame(v: View, domain: str) -> tuple[pd.DataFrame, pd.DataFrame]:
    ind = state.indicators(v)
    ind = ind[ind.domain == domain]
    return ind, state.observations(v, tuple(ind.code))


@st.cache_data(show_spinner=False, max_entries=64)
def notes(v: View, code: str, region: str) -> pd.DataFrame:
    return annotations.for_indicator(state.store(), code, region)


# A filter change reruns the page: what does not depend on the changed filter comes from here.
@st.cache_data(show_spinner=False, max_entries=64)
def _indicator_table(v: View, domain: str, region: str, period: str) -> pd.DataFrame:
    ind, obs = domain_frame(v, domain)
    return economy.indicator_table(obs, ind, region, period)


@st.cache_data(show_spinner=False, max_entries=64)
def _ranking(v: View, domain: str, code: str, period: str, basis: str) -> pd.DataFrame:
    ind_all, obs = domain_frame(v, domain)
    return economy.county_ranking(obs, ind_all.set_index("code", drop=False).loc[code], state.regions(v),
                                  period, basis)


def domains(v: View) -> list[str]:
    ind = state.indicators(v)
    return [d for d in ind.domain.unique() if d != "数字政府"]


def overview_table(v: View, domain: str, f: Filters) -> None:
    with guard("指标总表"):
        table = _indicator_table(v, domain, f.region, f.period)
        names = dict(zip(state.regions(v).code, state.regions(v).name))
        st.subheader(f"{names[f.region]}主要指标（{periods.label(f.period)}）")
        # The file keeps each number in its own typed column; the page reads them with their units.
        export = pd.DataFrame({
            "指标": table["name"], "单位": table["unit"], "时期": table["period_label"], "当月": table["month"],
            "当月同比（%或百分点）": table["month_yoy"], f"环比（{economy.ESTIMATED}）": table["mom"],
            "累计": table["ytd"], "累计同比（%或百分点）": table["ytd_yoy"],
            f"同比为{economy.ESTIMATED}": [("当月" if m else "") + ("累计" if y else "") for m, y in
                                          zip(table["month_yoy_computed"], table["ytd_yoy_computed"])],
            "来源": table["source"]})
        change = Fmt(1, sign=True)
        tables.show(economy.display_table(table), title=f"{names[f.region]}{domain}主要指标", key="e_table",
                    export=export, as_of=periods.label(f.period), filters=_filters(names, f), caliber=CALIBER,
                    source="见“来源”列", demo=tables.demo(v, "observations"),
                    formats={"当月": Fmt(2), "累计": Fmt(2), "当月同比（%或百分点）": change,
                             f"环比（{economy.ESTIMATED}）": change, "累计同比（%或百分点）": change})
        as_of(f"{periods.label(f.period)} · “—”表示未发布或无数据（如 1—2 月合并发布、仅发布增速的指标）"
              f" · 标“（{economy.ESTIMATED}）”的增速由本系统按上年同期数（环比按上期数，未经季节调整）计算，"
              "非统计部门发布，且不跨演示数据与真实数据计算 · 价格指数以上年同月为100，其同比即指数减100")


def indicator_detail(v: View, domain: str, f: Filters) -> None:
    with guard("指标详情"):
        ind_all, obs = domain_frame(v, domain)
        names = dict(zip(ind_all.code, ind_all.name))
        code = st.selectbox("指标", list(ind_all.code), format_func=names.get, key="e_indicator")
        ind = ind_all.set_index("code", drop=False).loc[code]
        regions = state.regions(v)
        region_names = dict(zip(regions.code, regions.name))
        # The viewer's own latest figure: a county's viewer sees no city rows, and GDP's latest quarter
        # looked up on the city then fell back to the month asked for, which has no GDP at all.
        period = economy.latest_at_or_before(obs, code, state.home_region(v), f.period) or f.period
        # What has no figure is said in a sentence that names what to pick instead, never drawn as an
        # empty frame or a ranking of "—" (economy.basis_gap, trend_gap, ranking_gap).
        missing = economy.basis_gap(ind, f.basis)
        if missing:  # the 口径 itself is not published (GDP 当月): one sentence for both charts
            st.info(missing, icon=":material/info:")
            annotation_panel(v, ind, f, period)
            return
        value_measure, growth_measure = economy.basis_measures(ind, f.basis)
        left, right = st.container(key="split_econ_trend").columns(2)  # stacked on a laptop (cockpit.css)
        with left:
            kind = st.radio("趋势", list(SERIES), format_func=SERIES.get, horizontal=True, key="e_series")
            if kind == "value" and value_measure:
                values, unit = economy.series(obs, ind, f.region, value_measure), ind.unit
            else:
                values, unit = economy.growth_series(obs, ind, f.region, f.basis), "%" if ind.kind != "ratio" else "个百分点"
            growth = not (kind == "value" and value_measure)
            if values.value.notna().any():
                pinned = notes(v, code, f.region)
                plotted = value_measure if not growth else f"{f.basis}_yoy"
                chart = charts.trend(
                    values, title=f"{region_names[f.region]}{ind['name']}{'同比' if growth else ''}"
                    f"（{'累计' if f.basis == 'ytd' else '当月'}）", unit=unit, caliber=ind.caliber,
                    # where the line ends, not the month chosen: a line to 2026-10 said "数据截至 2026年2月"
                    source=ind.source_dept,
                    as_of=periods.label(values.period[values.value.notna()].iloc[-1], frequency=ind.frequency),
                    notes=pinned, target=_target(code, f.region, period, plotted), bands=_fan(v, code, f.region, plotted),
                    labels=[periods.label(p, f.basis, "Q") for p in values.period] if ind.frequency == "Q" else None,
                    yearly=plotted == "ytd")
                chart_view.show(chart, "e_trend", demo=chart_view.demo(v, "observations"))
                if kind == "value" and value_measure is None:
                    st.caption("该指标不发布此口径的数值，显示同比增速。")
            else:
                st.info(economy.trend_gap(obs, ind, f.region, f.basis, growth, region_names), icon=":material/info:")
        rank = _ranking(v, domain, code, period, f.basis)
        ranked = bool(rank.yoy.notna().any())
        with right:
            if ranked:
                chart = charts.ranking(rank[rank.ranked.astype(bool)], city_value=rank.attrs["city_yoy"],
                                       title=f"各县区{ind['name']}同比（{periods.label(period, f.basis, ind.frequency)}）",
                                       unit="%" if ind.kind != "ratio" else "个百分点", caliber=ind.caliber,
                                       source=ind.source_dept, as_of=periods.label(period, frequency=ind.frequency),
                                       higher_is_better=None if pd.isna(ind.higher_is_better) else bool(ind.higher_is_better))
                chart_view.show(chart, "e_rank", demo=chart_view.demo(v, "observations"),
                                on_select=lambda: _drill_from_chart(regions), selection_mode="points")
                for sentence, icon in ((economy.lead_sentence(rank, ind, period, f.basis), "trending_up"),
                                       (economy.drag_sentence(rank, ind, period, f.basis), "trending_down")):
                    if sentence:
                        st.info(sentence, icon=f":material/{icon}:")
                st.caption("点击柱条可下钻到该县区。")
            else:
                st.info(economy.ranking_gap(obs, ind, period, f.basis), icon=":material/info:")
        if ranked or rank.value.notna().any():
            _ranking_table(v, ind, rank, f, period, region_names)
        if ranked:
            _county_map(rank, fmt.pp if ind.kind == "ratio" else fmt.pct_change)
        annotation_panel(v, ind, f, period)


def _ranking_table(v: View, ind: pd.Series, rank: pd.DataFrame, f: Filters, period: str,
                   region_names: dict[str, str]) -> None:
    shown = rank.rename(columns={"name": "县区", "value": f"数值（{ind.unit}）",
                                 "yoy": "同比", "gap_to_city": "与全市差（百分点）",
                                 "contribution_pp": "拉动全市（百分点）"})
    # 示范区 is listed beside the nine county-level units, unranked, as the statistics office does.
    shown["位次"] = [str(r) if pd.notna(r) else ("不排位" if not k else "—") for r, k in zip(rank["rank"], rank.ranked)]
    shown["说明"] = [economy.ESTIMATED if e else "" for e in rank.estimated]
    cols = ["位次", "县区", f"数值（{ind.unit}）", "同比", "说明", "与全市差（百分点）", "拉动全市（百分点）"]
    # Drop what this indicator cannot have (no values, or no consistent contribution).
    cols = [c for c in cols if shown[c].notna().any() and (shown[c] != "").any()]
    tables.show(shown[cols], title=f"各县区{ind['name']}（{periods.label(period, f.basis, ind.frequency)}）",
                key="e_rank_table", caliber=ind.caliber, source=ind.source_dept,
                as_of=periods.label(period, frequency=ind.frequency),
                filters=_filters(region_names, f), demo=tables.demo(v, "observations"),
                formats={"同比": Fmt(1, sign=True), "与全市差（百分点）": Fmt(1, sign=True),
                         "拉动全市（百分点）": Fmt(2, sign=True), f"数值（{ind.unit}）": Fmt(fmt.decimals(ind.unit))})
    if "拉动全市（百分点）" in cols:
        st.caption("拉动全市＝县区增量÷全市上年同期数；各县区拉动之和与全市增速因四舍五入可能略有出入。")


def _county_map(rank: pd.DataFrame, change) -> None:
    """change: how a 同比 prints (fmt.pp for a rate: 优良天数比例 +4.3 个百分点, not +4.3%)."""
    # Drawn only while open: a closed map would still be built, sent and set up by the browser's
    # WebGL on every filter change (bench/RESULTS.md, filter change).
    box = st.expander("县区分布图", key="e_map_open", on_change="rerun")
    if box.open:
        with box:
            map_values = rank.rename(columns={"yoy": "value_yoy"}).assign(
                value=rank.yoy, label=[change(y) for y in rank.yoy])
            st.pydeck_chart(maps.choropleth(settings().geojson,
                                            map_values[["region_code", "name", "value", "label"]], height=380),
                            height=380)
            map_legend(maps.legend(map_values.value, change), "图例（同比，颜色越深越高）")


def _target(code: str, region: str, period: str, measure: str) -> charts.Target | None:
    """The year's target for the plotted measure (data/targets.csv), drawn over that year."""
    t = catalog.load_targets()
    year = int(period[:4])
    hit = t[(t.indicator_code == code) & (t.region_code == region) & (t.measure == measure) & (t.year.astype(int) == year)]
    return charts.Target(float(hit.target.iloc[0]), f"{year}年目标", year) if len(hit) else None


def _fan(v: View, code: str, region: str, measure: str) -> pd.DataFrame | None:
    """The forecast fan, when the cached forecast is of the very series plotted and earned its place
    (beat seasonal naive in the backtest). Never fitted here: the cache is filled in the background."""
    rec = (forecasts(v) or {}).get(f"{code}|{region}")
    if not rec or not rec.get("shown") or rec.get("measure") != measure or not rec.get("periods"):
        return None
    return pd.DataFrame({"period": rec["periods"], "mean": rec["mean"], "lo80": rec["lo80"], "hi80": rec["hi80"],
                         "lo95": rec["lo95"], "hi95": rec["hi95"]})


def _drill_from_chart(regions: pd.DataFrame) -> None:
    points = st.session_state.get("e_rank", {}).get("selection", {}).get("points", [])
    if points:
        by_name = dict(zip(regions.name, regions.code))
        code = by_name.get(points[0].get("y"))
        if code:
            drill_to(code)


def annotation_panel(v: View, ind: pd.Series, f: Filters, period: str) -> None:
    pinned = notes(v, ind.code, f.region)
    with st.expander(f"批注（{len(pinned)} 条）"):
        if len(pinned):
            tables.show(pinned[["period", "text", "author", "created_at"]].rename(
                columns={"period": "时期", "text": "内容", "author": "作者", "created_at": "时间"}),
                title=f"{ind['name']}批注", key="e_notes", source="驾驶舱批注")
        if not can("action:annotate"):
            return
        with st.form("e_note_form", clear_on_submit=True):
            text = st.text_area("新批注（如：下降原因、领导批示）", max_chars=annotations.MAX_LEN, key="e_note_text")
            if st.form_submit_button("添加批注"):
                try:
                    annotations.add(state.store(), indicator_code=ind.code, region_code=f.region, period=period,
                                    text=text, author=st.session_state.get("user_name", "未登录用户"))
                    st.success("批注已添加")
                    st.rerun()
                except ValueError as exc:
                    st.error(md(exc))
