"""Indicator statistics for the decision pages: tables, series, county rankings.

Works for any domain in the catalogue (经济, 生态环境, 政务服务, 市场监管, 卫生健康):
a new domain is new catalogue rows and data, never new code.
"""
from __future__ import annotations

import pandas as pd

from . import fmt, metrics, periods, reporting
from .catalog import CITY



def _v(obs: pd.DataFrame, region: str, period: str, measure: str) -> float | None:
    return metrics._value(obs, region, period, measure)


def _split(obs: pd.DataFrame, by: str) -> dict[str, pd.DataFrame]:
    return {key: part for key, part in obs.groupby(by, sort=False, observed=True)}


def previous_period(period: str, frequency: str) -> str:
    return periods.shift_month(period, -3 if frequency == "Q" else -1)


def row(obs: pd.DataFrame, ind: pd.Series, region: str, period: str) -> dict:
    """Every reading of one indicator for one region and period; None where not published.
    `*_computed` says a 同比 was computed by the cockpit (推算) rather than published; 环比 always is."""
    mine = obs[obs.indicator_code == ind.code]
    month, ytd = _v(mine, region, period, "month"), _v(mine, region, period, "ytd")
    month_yoy, month_rep = metrics.growth_for(mine, ind, region, period, "month")
    ytd_yoy, ytd_rep = metrics.growth_for(mine, ind, region, period, "ytd")
    mom = metrics.month_on_month(mine, ind, region, period, previous_period(period, ind.frequency))
    return {"code": ind.code, "name": ind["name"], "unit": ind.unit, "kind": ind.kind,
            "frequency": ind.frequency, "higher_is_better": ind.higher_is_better,
            "month": month, "month_yoy": month_yoy, "ytd": ytd, "ytd_yoy": ytd_yoy, "mom": mom,
            "month_yoy_computed": month_yoy is not None and not month_rep,
            "ytd_yoy_computed": ytd_yoy is not None and not ytd_rep,
            "computed": not (month_rep or ytd_rep) and (month_yoy is not None or ytd_yoy is not None),
            "source": ind.source_dept, "caliber": ind.caliber}


def latest_at_or_before(obs: pd.DataFrame, code: str, region: str, period: str) -> str | None:
    rows = obs[(obs.indicator_code == code) & (obs.region_code == region) & (obs.period <= period)]
    return rows.period.max() if len(rows) else None


def indicator_table(obs: pd.DataFrame, indicators: pd.DataFrame, region: str, period: str) -> pd.DataFrame:
    """One row per indicator at `period` (quarterly ones at their latest quarter not after it)."""
    out = []
    # Each indicator's figures for the region, split once: masking the whole domain's frame for
    # every indicator and reading was most of a filter change on /economy (issue 14).
    mine = _split(obs[obs.region_code == region], "indicator_code")
    schedule = reporting.Schedule.of()
    for _, ind in indicators.iterrows():
        own = mine.get(ind.code, obs.iloc[:0])
        p = latest_at_or_before(own, ind.code, region, period)
        if p and ind.frequency != "Q" and p[:4] != period[:4]:
            # A monthly indicator never reaches back into last year: 2026年1月's table showed 社零's
            # 2025年1—12月 (December's 当月 beside it). A quarter's figure may (GDP's 全年 in January).
            p = None
        r = row(own, ind, region, p) if p else row(own, ind, region, period)
        r["period"] = p
        cumulative = "ytd" in ind.measures or "ytd_yoy" in ind.measures
        r["period_label"] = (periods.label(p, "ytd" if cumulative else "month", ind.frequency) if p
                             else "1—2月合并发布" if not schedule.published(period, ind.code, ind.frequency)
                             else fmt.NA)
        out.append(r)
    return pd.DataFrame(out)


ESTIMATED = "推算"  # the label of a 同比 or 环比 the cockpit computed rather than one published


def display_table(table: pd.DataFrame) -> pd.DataFrame:
    """The table as a reader sees it: formatted, with — for what is not published, and （推算）
    after a 同比 the cockpit computed. Every 环比 is computed, so its heading says so once."""
    def change(r, col, computed=False):
        text = fmt.pp(r[col]) if r["kind"] == "ratio" else fmt.pct_change(r[col])
        return f"{text}（{ESTIMATED}）" if computed and r[col] is not None and not pd.isna(r[col]) else text

    def month_yoy(r):
        # An index on 上年同月=100 is itself the 同比: 100.6 reads 同比 +0.6%, as a bulletin says it
        # (a "—" beside it hid the one figure the row is for).
        if r["kind"] == "index" and r["month"] is not None and not pd.isna(r["month"]):
            return fmt.pct_change(r["month"] - 100)
        return change(r, "month_yoy", r["month_yoy_computed"])

    def level(v, u):
        return fmt.number(v, u) + (f"（{u}）" if u == "上年同月=100" and v is not None and not pd.isna(v) else "")
    return pd.DataFrame({
        "指标": table["name"],
        "时期": table["period_label"],
        "当月": [level(v, u) for v, u in zip(table["month"], table["unit"])],
        "当月同比": [month_yoy(r) for _, r in table.iterrows()],
        f"环比（{ESTIMATED}）": [change(r, "mom") for _, r in table.iterrows()],
        "累计": [fmt.number(v, u) for v, u in zip(table["ytd"], table["unit"])],
        "累计同比": [change(r, "ytd_yoy", r["ytd_yoy_computed"]) for _, r in table.iterrows()],
        "来源": table["source"],
    })


def basis_measures(ind: pd.Series, basis: str) -> tuple[str | None, str | None]:
    """(value measure, growth measure) to show for basis month|ytd, given what is published."""
    published = set(ind.measures.split(","))
    value = basis if basis in published else None
    return value, f"{basis}_yoy"


def series(obs: pd.DataFrame, ind: pd.Series, region: str, measure: str) -> pd.DataFrame:
    """A time series with gaps kept: months with no figure are NaN, never zero."""
    mine = obs[(obs.indicator_code == ind.code) & (obs.region_code == region) & (obs.measure == measure)]
    if mine.empty:
        return pd.DataFrame(columns=["period", "value"])
    months = periods.month_range(mine.period.min(), mine.period.max())
    if ind.frequency == "Q":
        months = [m for m in months if periods.is_quarter_end(m)]
    return (mine.set_index("period").value.reindex(months).rename_axis("period").reset_index())


def growth_series(obs: pd.DataFrame, ind: pd.Series, region: str, basis: str) -> pd.DataFrame:
    """同比 series for basis, gaps kept as NaN: the published rate where there is one, else 推算
    (metrics.yoy_table; column `reported` says which)."""
    mine = obs[(obs.indicator_code == ind.code) & (obs.region_code == region)]
    table = metrics.yoy_table(mine, metrics.change_kind(ind), basis)
    if table.empty:
        return pd.DataFrame(columns=["period", "value", "reported"])
    months = periods.month_range(table.period.min(), table.period.max())
    if ind.frequency == "Q":
        months = [m for m in months if periods.is_quarter_end(m)]
    return table.set_index("period").reindex(months).rename_axis("period").reset_index()


def county_ranking(obs: pd.DataFrame, ind: pd.Series, regions: pd.DataFrame, period: str,
                   basis: str) -> pd.DataFrame:
    """The nine county-level units ranked by 同比, with the gap to the city and, for flows, the
    contribution; 示范区 (a functional zone) listed after them, unranked, as the statistics office does.

    Contribution (拉动, pp) = county's increase / city's value a year earlier × 100; it
    needs values, so rate-only indicators (规上工业增加值) show only the gap to the city.
    """
    additive = ind.kind in ("flow", "stock")  # a county's increase pulls the city's only where values add up
    mine = obs[obs.indicator_code == ind.code]
    city_yoy, reported = metrics.growth_for(mine, ind, CITY, period, basis)
    city_prev = _v(mine, CITY, periods.same_period_last_year(period), basis)
    city_now = _v(mine, CITY, period, basis)
    # A reported rate at comparable prices (GDP) differs from the growth of current-price
    # values; contributions computed from those values would not add up to it, so skip them.
    from_values = (round((city_now / city_prev - 1) * 100, 1)
                   if city_now is not None and city_prev else None)
    if reported and (from_values is None or abs(from_values - city_yoy) > 0.15):
        city_prev = None
    rows = []
    by_region = _split(mine, "region_code")
    for r in regions[regions.level.isin(["county", "zone"])].itertuples():
        own = by_region.get(r.code, mine.iloc[:0])
        yoy, rep = metrics.growth_for(own, ind, r.code, period, basis)
        now = _v(own, r.code, period, basis)
        prev = _v(own, r.code, periods.same_period_last_year(period), basis)
        contribution = (round((now - prev) / city_prev * 100, 2)
                        if None not in (now, prev, city_prev) and city_prev and additive else None)
        rows.append({"region_code": r.code, "name": r.name, "value": now, "yoy": yoy,
                     "estimated": yoy is not None and not rep, "ranked": r.level == "county",
                     "gap_to_city": None if yoy is None or city_yoy is None else round(yoy - city_yoy, 1),
                     "contribution_pp": contribution})
    out = pd.DataFrame(rows, columns=["region_code", "name", "value", "yoy", "estimated", "ranked", "gap_to_city",
                                      "contribution_pp"])
    better_high = ind.higher_is_better is not False and not pd.isna(ind.higher_is_better)
    # Equal rates share a place, as a release prints them (2, 2, 2, then 5), listed in the regions'
    # own order: an arbitrary order among them read as a ranking that the figures do not make.
    ranked = out[out.ranked].sort_values("yoy", ascending=not better_high, na_position="last", kind="stable",
                                         ignore_index=True)
    ranked["rank"] = ranked.yoy.rank(method="min", ascending=not better_high)
    out = pd.concat([ranked, out[~out.ranked].assign(rank=None)], ignore_index=True)
    out["rank"] = out["rank"].astype("Int64")
    out.attrs["city_yoy"] = city_yoy
    return out


def _side(gap: float) -> str:
    return "高于" if gap > 0 else "低于" if gap < 0 else "与"


def _sentence(rows: pd.DataFrame, city: float, ind: pd.Series, period: str, basis: str, place: str) -> str:
    """rows: the counties that share the place (one, or several at the same rate: 并列)."""
    row = rows.iloc[0]
    change = fmt.pp if ind.kind == "ratio" else fmt.pct_change
    what = f"{periods.label(period, basis, ind.frequency)}{ind['name']}"
    gap = row.gap_to_city
    against = (f"{_side(gap)}全市 {abs(gap):.1f} 个百分点" if gap else "与全市持平")
    text = (f"{what}：全市同比 {change(city)}；{'、'.join(rows['name'])} {change(row.yoy)}，{against}，"
            f"{'并列' if len(rows) > 1 else '居'}各县区{place}")
    if len(rows) == 1 and pd.notna(row.contribution_pp):
        text += f"，拉动全市增长 {row.contribution_pp:+.2f} 个百分点"
    return text + "。"


def _ends(ranking: pd.DataFrame, ind: pd.Series):
    city = ranking.attrs.get("city_yoy")
    ranked = ranking[ranking["rank"].notna()]
    if ranked.empty or city is None or pd.isna(ind.higher_is_better):
        return None, None
    return city, ranked


def drag_sentence(ranking: pd.DataFrame, ind: pd.Series, period: str, basis: str) -> str | None:
    """The county that pulls the city back most, in one sentence a leader can repeat; above or below
    the city as the numbers say (the last county may still be above a city pulled down elsewhere)."""
    city, ranked = _ends(ranking, ind)
    return None if ranked is None else _sentence(ranked[ranked["rank"] == ranked["rank"].max()], city, ind,
                                                 period, basis, "末位")


def lead_sentence(ranking: pd.DataFrame, ind: pd.Series, period: str, basis: str) -> str | None:
    """The county that leads, in the same words."""
    city, ranked = _ends(ranking, ind)
    if ranked is None or len(ranked) < 2 or ranked["rank"].nunique() < 2:  # all equal: no one leads
        return None
    return _sentence(ranked[ranked["rank"] == 1], city, ind, period, basis, "首位")


# ---- When a choice has no figures: say why, and what to pick instead ---------------------------
# A chart of nothing (an empty frame on −1…6 axes) or a ranking of "—" tells a reader nothing; each
# of these sentences names what is missing and the choice on the page that has it.
BASES = {"month": "当月", "ytd": "累计"}


def _publishes(ind: pd.Series, basis: str) -> bool:
    published = set(str(ind.measures).split(","))
    return basis in published or f"{basis}_yoy" in published


def basis_gap(ind: pd.Series, basis: str) -> str | None:
    """Why nothing of `ind` exists for 口径 `basis` (GDP has no 当月 figure), or None if it is published."""
    if _publishes(ind, basis):
        return None
    other = "ytd" if basis == "month" else "month"
    if not _publishes(ind, other):
        return f"{ind['name']}没有{BASES[basis]}数据。"
    every = "按季度" if ind.frequency == "Q" else "按月"
    return (f"{ind['name']}{every}发布{BASES[other]}数据，没有{BASES[basis]}数据；"
            f"请选择“{BASES[other]}”口径。")


def _city_only(obs: pd.DataFrame, ind: pd.Series) -> bool:
    have = obs.region_code[obs.indicator_code == ind.code].unique()
    return len(have) > 0 and set(have) == {CITY}


def region_gap(obs: pd.DataFrame, ind: pd.Series, region: str, names: dict[str, str]) -> str | None:
    """Why `region` has no figure of `ind` at all (a city-wide statistic), or None if it has some.
    `names`: the regions the viewer may choose (code -> name); the city is suggested only if among them."""
    if ((obs.indicator_code == ind.code) & (obs.region_code == region)).any():
        return None
    where = names.get(region, region)
    if _city_only(obs, ind):
        text = f"{ind['name']}只有全市数据，不分县区，没有{where}的数据"
        return text + (f"；请将地区选为“{names[CITY]}”。" if CITY in names else "。")
    if not (obs.indicator_code == ind.code).any():
        return f"尚无{ind['name']}的数据。"
    return f"{ind['name']}没有{where}的数据；请选择其他地区。"


def trend_gap(obs: pd.DataFrame, ind: pd.Series, region: str, basis: str, growth: bool,
              names: dict[str, str]) -> str:
    """Why the trend chosen (同比 when `growth`, else values) has no figure, and what to pick instead."""
    said = basis_gap(ind, basis) or region_gap(obs, ind, region, names)
    if said:
        return said
    where = names.get(region, region)
    if growth and ind.kind == "index":
        return (f"{ind['name']}本身就是与上年同期相比的指数（上年同期＝100），不另计同比；"
                "请选择“数值”趋势。")
    if growth:
        return (f"{where}{ind['name']}的{BASES[basis]}数据还不足以计算同比（需要上年同期数）；"
                "请选择“数值”趋势。")
    return f"{where}没有{ind['name']}的{BASES[basis]}数值；请选择“同比增速”趋势。"


def ranking_gap(obs: pd.DataFrame, ind: pd.Series, period: str, basis: str) -> str:
    """Why no county has a 同比 of `ind` to rank at `period`, and what to pick instead."""
    said = basis_gap(ind, basis)
    if said:
        return said
    if _city_only(obs, ind) or not (obs.indicator_code == ind.code).any():
        return f"{ind['name']}只有全市数据，不分县区，无法排名县区；县区比较请选择其他指标。"
    if ind.kind == "index":
        return f"{ind['name']}本身就是与上年同期相比的指数，不另计同比，无法按同比排名县区；请选择其他指标。"
    joint = ind.code in reporting.Schedule.of().skip_january
    month = periods.parse_month(period)[1]
    if joint and (month == 1 or (month == 2 and basis == "month")):
        # 2月当月 of a 1—2月 joint release does not exist: "需要上年同期数" sent the reader after a
        # figure no one publishes.
        return (f"{ind['name']}1—2月合并发布，{'1月没有单独数据' if month == 1 else '2月没有单独的当月数据'}；"
                f"请选择“累计”口径（{periods.parse_month(period)[0]}年1—2月）或其他月份。")
    return (f"{periods.label(period, basis, ind.frequency)}各县区{ind['name']}没有同比数据"
            "（需要上年同期数）；请选择其他时期。")
