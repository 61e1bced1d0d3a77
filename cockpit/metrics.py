"""Statistics the way a Chinese statistics bureau reports them.

当月 / 累计 values and their 同比: a reported growth rate is preferred to a
computed one (rates at comparable prices cannot be computed from values).
"""
from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass

import pandas as pd

from . import periods
from .config import Settings, settings

PLAN_START, PLAN_END = dt.date(2023, 1, 1), dt.date(2025, 12, 31)


@dataclass(frozen=True)
class Figure:
    """One headline number as a tile shows it."""
    code: str
    name: str
    unit: str
    period: str
    period_label: str
    measure: str  # the measure of `value`: month | ytd, or None for rate-only indicators
    value: float | None
    yoy: float | None  # percent, or percentage points for ratios (yoy_pp)
    yoy_reported: bool
    yoy_pp: bool  # ratios such as 失业率 change in 个百分点, not in percent
    higher_is_better: bool | None


def _value(obs: pd.DataFrame, region: str, period: str, measure: str) -> float | None:
    hit = obs[(obs.region_code == region) & (obs.period == period) & (obs.measure == measure)]
    return float(hit.value.iloc[0]) if len(hit) else None


def growth(obs: pd.DataFrame, region: str, period: str, measure: str,
           ratio: bool = False) -> tuple[float | None, bool]:
    """同比 for `measure` (month or ytd) and whether it was reported.

    Percent growth for flows and stocks; for ratios the change in percentage
    points, since a rate's "growth rate" is not what a release prints.
    """
    reported = _value(obs, region, period, f"{measure}_yoy")
    if reported is not None:
        return reported, True
    now = _value(obs, region, period, measure)
    before = _value(obs, region, periods.same_period_last_year(period), measure)
    if now is None or before is None:
        return None, False
    if ratio:
        return round(now - before, 1), False
    if before == 0:
        return None, False
    return round((now / before - 1) * 100, 1), False


def growth_for(obs: pd.DataFrame, ind: pd.Series, region: str, period: str,
               measure: str) -> tuple[float | None, bool]:
    """growth() with the indicator's kind applied: an index such as CPI (上年同月=100) is
    already a year-on-year figure, so no 同比 of it is computed."""
    if ind.kind == "index" and _value(obs, region, period, f"{measure}_yoy") is None:
        return None, False
    return growth(obs, region, period, measure, ind.kind == "ratio")


def latest_period(obs: pd.DataFrame, region: str) -> str | None:
    rows = obs[obs.region_code == region]
    return rows.period.max() if len(rows) else None


def headline(obs: pd.DataFrame, ind: pd.Series, region: str, period: str | None = None) -> Figure:
    """The figure a leader reads for an indicator: 累计 where published, else 当月."""
    rows = obs[obs.indicator_code == ind.code]
    period = period or latest_period(rows, region)
    measures = ind.measures.split(",")
    base = "ytd" if ("ytd" in measures or "ytd_yoy" in measures) else "month"
    value = _value(rows, region, period, base) if period else None
    ratio = ind.kind == "ratio"
    yoy, reported = growth_for(rows, ind, region, period, base) if period else (None, False)
    return Figure(code=ind.code, name=ind["name"], unit=ind.unit, period=period or "",
                  period_label=periods.label(period, base, ind.frequency) if period else "",
                  measure=base, value=value, yoy=yoy, yoy_reported=reported, yoy_pp=ratio,
                  higher_is_better=None if pd.isna(ind.higher_is_better) else bool(ind.higher_is_better))


def share(part: int, whole: int) -> float | None:
    """A percentage with an honest "not available" when there is nothing to divide by."""
    return round(100 * part / whole, 1) if whole else None


def light(gap_pp: float | None, cfg: Settings | None = None) -> str | None:
    """红/黄/绿 progress light from the gap to 序时进度 (negative = behind)."""
    if gap_pp is None or math.isnan(gap_pp):
        return None
    cfg = cfg or settings()
    if gap_pp < -cfg.lag_red_pp:
        return "red"
    if gap_pp < -cfg.lag_yellow_pp:
        return "yellow"
    return "green"


def plan_status(indicators: pd.DataFrame, obs: pd.DataFrame, today: dt.date,
                cfg: Settings | None = None) -> pd.DataFrame:
    """Each plan indicator: latest value, 2025 target, completion, gap to 序时进度, light."""
    schedule = periods.schedule_share(PLAN_START, PLAN_END, today)
    rows = []
    for _, ind in indicators[indicators.target_2025.notna()].iterrows():
        mine = obs[(obs.indicator_code == ind.code) & (obs.measure == "month")].sort_values("period")
        value = float(mine.value.iloc[-1]) if len(mine) else None
        completion = round(100 * value / ind.target_2025, 1) if value is not None else None
        gap = round(completion - schedule, 1) if completion is not None else None
        rows.append({"code": ind.code, "name": ind["name"], "unit": ind.unit,
                     "period": mine.period.iloc[-1] if len(mine) else None,
                     "value": value, "target": ind.target_2025, "completion": completion,
                     "schedule": round(schedule, 1), "gap_pp": gap, "light": light(gap, cfg)})
    return pd.DataFrame(rows)
