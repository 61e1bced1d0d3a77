"""Statistics the way a Chinese statistics bureau reports them.

当月 / 累计 values and their 同比: a reported growth rate is preferred to a
computed one (rates at comparable prices cannot be computed from values). A computed
同比 or 环比 (推算) has one definition, computed_change, used by the pages and the rules.
"""
from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass

import numpy as np
import pandas as pd

from . import catalog, periods
from .config import Settings, settings


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


def _demo(obs: pd.DataFrame) -> np.ndarray:
    """Per row: is the figure from the demo generator? (frames without provenance: all alike)"""
    return obs["demo"].fillna(False).astype(bool).to_numpy() if "demo" in obs else np.zeros(len(obs), bool)


PUBLISHED_ONLY = "published"  # change_kind of an indicator whose 增速 only a release can give


def change_kind(ind: pd.Series) -> str:
    """The kind computed_change is asked for, for an indicator. One whose 增速 is at comparable
    prices (GDP, 工业增加值: 口径 says 按可比价格) gets no 同比 computed from its current-price values:
    夏邑县's 391.2 against 350.0 亿元 printed 增长11.8%（推算） beside a published real 6.8% for the
    city, and was ranked 增长最快."""
    return PUBLISHED_ONLY if "可比价" in str(ind.get("caliber") or "") else ind.kind


def computed_change(now, before, now_demo, before_demo, kind: str, *, ratio_pp: bool = True) -> np.ndarray:
    """THE one definition of a 同比 or 环比 the cockpit computes itself (推算), vectorised.

    Percent change for flows, stocks and levels (PM2.5's 浓度同比下降 5.2%); the change in
    percentage points for ratios (a rate's "growth rate" is not what a release prints); nothing for
    an index on 上年同月=100 (it already is a year-on-year figure) or a rate only published at
    comparable prices (change_kind); nothing where either figure is missing, the earlier one is 0 or below
    (−2 → 5 read −350%: a release says 扭亏, not a rate) or the later one below 0 (5 → −2 read −140%:
    由盈转亏); nothing across a demo and a real figure.
    Rounded to one decimal, as releases print it."""
    now, before = np.asarray(now, float), np.asarray(before, float)
    out = np.full(now.shape, np.nan)
    if kind in ("index", PUBLISHED_ONLY):
        return out
    ok = ~np.isnan(now) & ~np.isnan(before) & (np.asarray(now_demo, bool) == np.asarray(before_demo, bool))
    if kind == "ratio" and ratio_pp:
        out[ok] = now[ok] - before[ok]
    else:
        ok &= (before > 0) & (now >= 0)
        out[ok] = (now[ok] / before[ok] - 1) * 100
    return np.round(out, 1)


def yoy_table(obs: pd.DataFrame, kind: str, measure: str) -> pd.DataFrame:
    """同比 of `measure` (month | ytd) by period, for ONE indicator and region: the published rate
    (`measure`_yoy) wherever there is one, else computed_change against the same period a year
    earlier. Columns period, value, reported; periods with neither are left out (a gap, never 0)."""
    levels = obs[obs.measure == measure]
    published = obs[obs.measure == f"{measure}_yoy"]
    by_period = dict(zip(levels.period, zip(levels.value.astype(float), _demo(levels))))
    before = [by_period.get(periods.same_period_last_year(p), (np.nan, False)) for p in levels.period]
    computed = computed_change(levels.value.astype(float).to_numpy(), [b[0] for b in before], _demo(levels),
                               [b[1] for b in before], kind)
    out = pd.concat([pd.DataFrame({"period": published.period, "value": published.value.astype(float),
                                   "reported": True}),
                     pd.DataFrame({"period": levels.period, "value": computed, "reported": False})])
    out = out.dropna(subset=["value"]).drop_duplicates("period", keep="first")
    return out.sort_values("period").reset_index(drop=True)


def growth(obs: pd.DataFrame, region: str, period: str, measure: str,
           ratio: bool = False, kind: str | None = None) -> tuple[float | None, bool]:
    """同比 for `measure` (month or ytd) at one period, and whether it was reported (else 推算).
    yoy_table's choice for one period, read from plain arrays: a table per call was most of a filter
    change on /economy (issue 14); tests/test_metrics.py checks both agree on every demo series."""
    before = periods.same_period_last_year(period)
    mine = obs[(obs.region_code == region) & obs.period.isin([period, before])]
    at, what = mine.period.to_numpy(), mine.measure.to_numpy()
    values, demo = mine.value.astype(float).to_numpy(), _demo(mine)
    published = values[(at == period) & (what == f"{measure}_yoy")]
    published = published[~np.isnan(published)]
    if len(published):
        return float(published[0]), True
    now, then = (at == period) & (what == measure), (at == before) & (what == measure)
    if not now.any() or not then.any():
        return None, False
    i, j = np.flatnonzero(now)[0], np.flatnonzero(then)[-1]  # as yoy_table: the first level, the last before
    v = computed_change(values[i:i + 1], values[j:j + 1], demo[i:i + 1], demo[j:j + 1],
                        kind or ("ratio" if ratio else "flow"))[0]
    return (None, False) if np.isnan(v) else (float(v), False)


def growth_for(obs: pd.DataFrame, ind: pd.Series, region: str, period: str,
               measure: str) -> tuple[float | None, bool]:
    """growth() with the indicator's kind applied (an index, or a rate at comparable prices, gets no
    computed 同比)."""
    return growth(obs, region, period, measure, kind=change_kind(ind))


def month_on_month(obs: pd.DataFrame, ind: pd.Series, region: str, period: str, previous: str) -> float | None:
    """环比 of the 当月 figure: never published, always 推算, by the same definition as 同比."""
    hit = obs[(obs.region_code == region) & (obs.measure == "month") & obs.period.isin([period, previous])]
    now, before = hit[hit.period == period], hit[hit.period == previous]
    if now.empty or before.empty:
        return None
    v = computed_change(now.value.iloc[:1], before.value.iloc[:1], _demo(now)[:1], _demo(before)[:1], change_kind(ind))[0]
    return None if np.isnan(v) else float(v)


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
    """Each indicator of the plan in force (`cfg.plan_dir`) against its target.

    During the plan's period: the latest value, its `progress` from the plan's starting point and
    the gap to 序时进度 that colours the light. Progress is (latest − base) ÷ (target − base), the
    base being the one the plan states (Plan.base_column), else the last figure before the period
    (else its first figure in it); 序时进度 is the share of the time from the base to the period's
    end elapsed at the latest figure's period end.
    Value ÷ target, as before, was already high on day one for a rate that starts near its target:
    replayed over the last plan's period, every light was green every quarter and half the targets
    were missed.
    After the period, the final assessment: the last value inside the period, `completion` (value ÷
    target), `assessment` met | missed and the `shortfall` (in the indicator's unit) of a missed
    target; no light and no gap, since 序时进度 means nothing once the period is over."""
    cfg = cfg or settings()
    plan = catalog.load_plan(cfg.plan_dir)
    ended = plan.ended(today)
    opening = periods.month_key(plan.start - dt.timedelta(days=1))  # the month before the period
    stated = plan.bases()
    rows = []
    for _, ind in catalog.plan_indicators(indicators, plan).iterrows():
        mine = obs[(obs.indicator_code == ind.code) & (obs.measure == "month")].sort_values("period")
        if ended:  # a figure after the period's end is not the plan's result
            mine = mine[mine.period <= periods.month_key(plan.end)]
        value = float(mine.value.iloc[-1]) if len(mine) else None
        period = mine.period.iloc[-1] if len(mine) else None
        target = float(ind.plan_target)
        hib = ind.get("higher_is_better", True)
        higher = hib is None or pd.isna(hib) or bool(hib)
        met = None if value is None else (value >= target if higher else value <= target)
        # lower-is-better (a rate to bring down): met at 100%, 7 against a target of 4 is 57%, not 175%
        completion = (round(100 * (value / target if higher else target / value), 1)
                      if value is not None and (higher or value) else None)
        before = mine[mine.period <= opening]
        base = (pd.Series({"period": opening, "value": stated[ind.code]}) if ind.code in stated  # the plan's own
                else before.iloc[-1] if len(before) else mine.iloc[0] if len(mine) else None)
        progress = gap = schedule = None
        if base is not None and not ended and base.period != period:
            since = plan.start if base.period <= opening else periods.month_end(base.period)
            schedule = round(periods.schedule_share(since, plan.end, min(periods.month_end(period), today)), 1)
            need = target - float(base.value)
            # A target met at the start is to be kept: its progress is how much of it is held (94.9
            # against 95 is 99.9%, not 0% and a red light for a tenth of a point).
            progress = (round(100 * (value - float(base.value)) / need, 1) if (need > 0 if higher else need < 0)
                        else min(100.0, completion))
            gap = round(progress - schedule, 1)
        assessment = shortfall = None
        if ended and value is not None:
            assessment, shortfall = ("met", None) if met else ("missed", round(abs(target - value), 1))
        rows.append({"code": ind.code, "name": ind["name"], "unit": ind.unit, "period": period,
                     "value": value, "target": target, "completion": completion,
                     "base": float(base.value) if base is not None else None,
                     "base_period": base.period if base is not None else None, "progress": progress,
                     "schedule": schedule, "gap_pp": gap, "light": light(gap, cfg),
                     "ended": ended, "assessment": assessment, "shortfall": shortfall})
    return pd.DataFrame(rows)
