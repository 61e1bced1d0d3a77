"""Indicator statistics for the decision pages: tables, series, county rankings.

Works for any domain in the catalogue (经济, 生态环境, 政务服务, 市场监管, 卫生健康):
a new domain is new catalogue rows and data, never new code.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from . import fmt, metrics, periods
from .catalog import CITY



def _v(obs: pd.DataFrame, region: str, period: str, measure: str) -> float | None:
    return metrics._value(obs, region, period, measure)


def previous_period(period: str, frequency: str) -> str:
    return periods.shift_month(period, -3 if frequency == "Q" else -1)


def row(obs: pd.DataFrame, ind: pd.Series, region: str, period: str) -> dict:
    """Every reading of one indicator for one region and period; None where not published."""
    mine = obs[obs.indicator_code == ind.code]
    ratio = ind.kind == "ratio"
    month, ytd = _v(mine, region, period, "month"), _v(mine, region, period, "ytd")
    month_yoy, month_rep = metrics.growth_for(mine, ind, region, period, "month")
    ytd_yoy, ytd_rep = metrics.growth_for(mine, ind, region, period, "ytd")
    prev = _v(mine, region, previous_period(period, ind.frequency), "month")
    if month is None or prev is None or ind.kind == "index":
        mom = None  # an index on 上年同月=100 has no meaningful 环比
    elif ratio:
        mom = round(month - prev, 1)
    else:
        mom = round((month / prev - 1) * 100, 1) if prev else None
    return {"code": ind.code, "name": ind["name"], "unit": ind.unit, "kind": ind.kind,
            "frequency": ind.frequency, "higher_is_better": ind.higher_is_better,
            "month": month, "month_yoy": month_yoy, "ytd": ytd, "ytd_yoy": ytd_yoy, "mom": mom,
            "computed": not (month_rep or ytd_rep) and (month_yoy is not None or ytd_yoy is not None),
            "source": ind.source_dept, "caliber": ind.caliber}


def latest_at_or_before(obs: pd.DataFrame, code: str, region: str, period: str) -> str | None:
    rows = obs[(obs.indicator_code == code) & (obs.region_code == region) & (obs.period <= period)]
    return rows.period.max() if len(rows) else None


def indicator_table(obs: pd.DataFrame, indicators: pd.DataFrame, region: str, period: str) -> pd.DataFrame:
    """One row per indicator at `period` (quarterly ones at their latest quarter not after it)."""
    out = []
    for _, ind in indicators.iterrows():
        p = latest_at_or_before(obs, ind.code, region, period)
        r = row(obs, ind, region, p) if p else row(obs, ind, region, period)
        r["period"] = p
        cumulative = "ytd" in ind.measures or "ytd_yoy" in ind.measures
        r["period_label"] = periods.label(p, "ytd" if cumulative else "month", ind.frequency) if p else fmt.NA
        out.append(r)
    return pd.DataFrame(out)


def display_table(table: pd.DataFrame) -> pd.DataFrame:
    """The table as a reader sees it: formatted, with — for what is not published."""
    def change(r, col):
        return fmt.pp(r[col]) if r["kind"] == "ratio" else fmt.pct_change(r[col])
    return pd.DataFrame({
        "指标": table["name"],
        "时期": table["period_label"],
        "当月": [fmt.number(v, u) for v, u in zip(table["month"], table["unit"])],
        "当月同比": [change(r, "month_yoy") for _, r in table.iterrows()],
        "环比": [change(r, "mom") for _, r in table.iterrows()],
        "累计": [fmt.number(v, u) for v, u in zip(table["ytd"], table["unit"])],
        "累计同比": [change(r, "ytd_yoy") for _, r in table.iterrows()],
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
    """同比 series for basis: the reported rate where published, else computed per period."""
    reported = series(obs, ind, region, f"{basis}_yoy")
    if reported.value.notna().any():
        return reported
    values = series(obs, ind, region, basis)
    if values.empty:
        return values
    ratio = ind.kind == "ratio"
    last = values.set_index("period").value
    prior = last.reindex([periods.same_period_last_year(p) for p in last.index]).to_numpy()
    now = last.to_numpy()
    with np.errstate(divide="ignore", invalid="ignore"):
        g = (now - prior) if ratio else (now / prior - 1) * 100
    return pd.DataFrame({"period": last.index, "value": np.round(g, 1)})


def county_ranking(obs: pd.DataFrame, ind: pd.Series, regions: pd.DataFrame, period: str,
                   basis: str) -> pd.DataFrame:
    """Counties ranked by 同比, with the gap to the city and, for flows, the contribution.

    Contribution (拉动, pp) = county's increase / city's value a year earlier × 100; it
    needs values, so rate-only indicators (规上工业增加值) show only the gap to the city.
    """
    ratio = ind.kind == "ratio"
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
    for r in regions[regions.level != "city"].itertuples():
        yoy, _ = metrics.growth_for(mine, ind, r.code, period, basis)
        now = _v(mine, r.code, period, basis)
        prev = _v(mine, r.code, periods.same_period_last_year(period), basis)
        contribution = (round((now - prev) / city_prev * 100, 2)
                        if None not in (now, prev, city_prev) and city_prev and not ratio else None)
        rows.append({"region_code": r.code, "name": r.name, "value": now, "yoy": yoy,
                     "gap_to_city": None if yoy is None or city_yoy is None else round(yoy - city_yoy, 1),
                     "contribution_pp": contribution})
    out = pd.DataFrame(rows)
    better_high = ind.higher_is_better is not False and not pd.isna(ind.higher_is_better)
    out = out.sort_values("yoy", ascending=not better_high, na_position="last", ignore_index=True)
    out["rank"] = range(1, len(out) + 1)
    out.attrs["city_yoy"] = city_yoy
    return out


def drag_sentence(ranking: pd.DataFrame, ind: pd.Series, period: str, basis: str) -> str | None:
    """The county that pulls the city back most, in one sentence a leader can repeat."""
    city = ranking.attrs.get("city_yoy")
    ranked = ranking.dropna(subset=["yoy"])
    if ranked.empty or city is None or pd.isna(ind.higher_is_better):
        return None
    worst = ranked.iloc[-1]
    side = "低于" if ind.higher_is_better else "高于"
    what = f"{periods.label(period, basis, ind.frequency)}{ind['name']}"
    change = fmt.pp if ind.kind == "ratio" else fmt.pct_change
    text = (f"{what}：全市同比 {change(city)}；{worst['name']} {change(worst.yoy)}，"
            f"{side}全市 {abs(worst.gap_to_city):.1f} 个百分点，居各县区末位")
    if pd.notna(worst.contribution_pp):
        text += f"，拉动全市增长 {worst.contribution_pp:+.2f} 个百分点"
    return text + "。"
