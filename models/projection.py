"""Target projection: completion so far, the gap to 序时进度, and where the year is heading.

For annual economic targets (data/targets.csv: indicator_code, region_code, year, measure,
target) and for the plan's indicators (2025 targets). A value target (measure ytd, e.g.
一般公共预算收入 270 亿元) is compared with the elapsed share of the year; a growth target
(measure ytd_yoy, e.g. GDP 6.0%) with the growth so far, in percentage points. The projection
adds the forecast of the remaining months (models.forecast) to what is already in, and says so
in one sentence with the 80% interval it rests on.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import numpy as np
import pandas as pd

from cockpit import metrics, periods
from cockpit.config import ROOT

from . import forecast

TARGETS_FILE = ROOT / "data" / "targets.csv"


@dataclass
class Projection:
    indicator: str
    region: str
    year: int
    measure: str  # ytd (a value) | ytd_yoy (a growth rate)
    target: float
    name: str
    unit: str
    growth: bool
    period: str | None = None  # newest period of the year with data
    actual: float | None = None  # 累计 value, or 累计增速
    completion: float | None = None  # percent of a value target
    schedule: float | None = None  # 序时进度, percent of the year elapsed (by data period)
    gap_pp: float | None = None  # completion - schedule (value) or growth - target (growth)
    projected: float | None = None  # full-year completion % (value) or growth % (growth)
    low: float | None = None  # 80% interval of `projected`
    high: float | None = None
    required: float | None = None  # per remaining period: a value, or a growth rate
    required_growth: bool = False
    remaining: int = 0
    status_text: str = ""
    sentence: str = ""
    method: str = ""
    evidence: dict = field(default_factory=dict)


@lru_cache(maxsize=4)
def _read(path: str, mtime: float) -> pd.DataFrame:
    return pd.read_csv(path, dtype={"region_code": str, "indicator_code": str})


def load_targets(path: Path = TARGETS_FILE) -> pd.DataFrame:
    if not path.is_file():
        return pd.DataFrame(columns=["indicator_code", "region_code", "year", "measure", "target", "note"])
    return _read(str(path), path.stat().st_mtime).copy()


def _series(obs: pd.DataFrame, code: str, region: str, measure: str) -> pd.Series:
    rows = obs[(obs.indicator_code == code) & (obs.region_code == region) & (obs.measure == measure)]
    return rows.set_index("period").value.astype(float).sort_index()


_memo: dict[tuple, forecast.Result] = {}


FAST = ("snaive", "ets", "theta")  # without a cached fit: the cheap candidates only


def _forecast_to(spec: forecast.Series, steps: int, cached: dict | None = None) -> forecast.Result | None:
    """Forecast `steps` ahead: the cached fit of this data version when there is one, else a
    quick fit memoised on the series' content (evaluation and pages share it)."""
    if steps <= 0 or spec is None or len(spec.values) < 4:
        return None
    rec = (cached or {}).get(f"{spec.indicator}|{spec.region}")
    if rec and rec["measure"] == spec.measure and rec["last_period"] == spec.values.index[-1] \
            and len(rec["mean"]) >= steps:
        return forecast.from_record(rec, steps)
    key = (spec.indicator, spec.region, spec.measure, spec.values.index[-1],
           hash(tuple(np.round(spec.values.to_numpy(float), 6))), steps)
    if key not in _memo:
        if len(_memo) > 256:
            _memo.clear()
        _memo[key] = forecast.forecast(spec.values.to_numpy(float), steps, spec.period, candidates=FAST)
    return _memo[key]


def project(obs: pd.DataFrame, ind, row, cached: dict | None = None) -> Projection:
    """One target's status and projection; missing data leaves the numbers None and says so."""
    year, region, measure = int(row.year), str(row.region_code), str(row.measure)
    growth = measure.endswith("yoy")
    p = Projection(indicator=ind.code, region=region, year=year, measure=measure, target=float(row.target),
                   name=ind["name"], unit=ind.unit, growth=growth)
    quarterly = ind.frequency == "Q"
    per_year = 4 if quarterly else 12
    s = _series(obs, ind.code, region, measure)
    s = s[s.index.str[:4] == str(year)]
    if s.empty:
        p.status_text = f"{year} 年尚无{ind['name']}数据。"
        return p
    p.period, p.actual = s.index[-1], float(s.iloc[-1])
    month = periods.parse_month(p.period)[1]
    done = month // 3 if quarterly else month
    p.remaining = per_year - done
    p.schedule = round(100 * done / per_year, 1)
    unit_word = "个季度" if quarterly else "个月"
    label = periods.label(p.period, "ytd", ind.frequency)
    spec = forecast.series_of(obs[obs.indicator_code == ind.code], ind, region)
    if not growth:
        p.completion = round(100 * p.actual / p.target, 1)
        p.gap_pp = round(p.completion - p.schedule, 1)
        p.status_text = (f"{label}累计 {p.actual:,.2f}{ind.unit}，完成年度目标 {p.target:,.0f}{ind.unit} 的 "
                         f"{p.completion:.1f}%，序时进度 {p.schedule:.1f}%，{'超' if p.gap_pp >= 0 else '落后'}"
                         f" {abs(p.gap_pp):.1f} 个百分点。")
        base_total = None
    else:
        p.gap_pp = round(p.actual - p.target, 1)
        p.status_text = (f"{label}累计增长 {p.actual:.1f}%，年度目标 {p.target:.1f}%，"
                         f"{'高于' if p.gap_pp >= 0 else '低于'}目标 {abs(p.gap_pp):.1f} 个百分点。")
        last_year = _series(obs, ind.code, region, "ytd")
        base_total = last_year.get(f"{year - 1}-12")
    if p.remaining == 0:
        p.projected = p.completion if not growth else p.actual
        p.low = p.high = p.projected
        p.sentence = "全年数据已出齐。"
        return p
    value_path = spec is not None and spec.measure in ("month", "quarter") and (not growth or base_total)
    if value_path:
        r = _forecast_to(spec, p.remaining, cached)
        if r is None or not len(r.mean):
            p.sentence = "数据不足以外推全年。"
            return p
        total = p.actual if not growth else float(_series(obs, ind.code, region, "ytd").get(p.period, np.nan))
        add = lambda a: total + float(np.sum(a))  # noqa: E731
        full, lo, hi = add(r.mean), add(r.lower(80)), add(r.upper(80))
        p.method = r.label
        if growth:
            p.projected, p.low, p.high = (round((v / base_total - 1) * 100, 1) for v in (full, lo, hi))
            need_total = base_total * (1 + p.target / 100)
        else:
            p.projected, p.low, p.high = (round(100 * v / p.target, 1) for v in (full, lo, hi))
            need_total = p.target
        p.required = round((need_total - total) / p.remaining, 2)
        if growth:
            head = f"按当前趋势全年预计增长 {p.projected:.1f}%，完成目标的 {100 * p.projected / p.target:.0f}%"
        else:
            head = f"按当前趋势全年预计完成 {p.projected:.1f}%"
        per = "季均" if quarterly else "月均"
        p.sentence = (f"{head}（80% 区间 {p.low:.1f}%—{p.high:.1f}%，{r.label}），剩余 {p.remaining} "
                      f"{unit_word}{per}需达到 {p.required:,.2f}{ind.unit}。")
        hist = _series(obs, ind.code, region, "ytd")
        hist = hist[hist.index.str[:4] == str(year)]
        months = forecast.future_periods(p.period, p.remaining, spec.step)
        cum = total + np.cumsum(r.mean)
        p.evidence = {"kind": "line", "x": list(hist.index) + months,
                      "y": [round(float(v), 2) for v in hist.values] + [None] * len(months), "unit": ind.unit,
                      "projection": {"x": [p.period] + months, "y": [round(total, 2)] + [round(float(v), 2) for v in cum]},
                      "hline": round(need_total, 2), "hline_label": "全年目标",
                      "numbers": {"完成率" if not growth else "累计增速": f"{p.completion if not growth else p.actual:.1f}%",
                                  "序时进度": f"{p.schedule:.1f}%", "全年预计": f"{p.projected:.1f}%"}}
    else:
        # A rate-only indicator: forecast its 累计增速 to the year's last period.
        rate = forecast.series_of(obs[(obs.indicator_code == ind.code) & (obs.measure == "ytd_yoy")], ind, region)
        r = _forecast_to(rate, p.remaining, cached) if rate is not None else None
        if r is None or not len(r.mean):
            p.sentence = "数据不足以外推全年。"
            return p
        p.method = r.label
        p.projected, p.low, p.high = (round(float(a[-1]), 1) for a in (r.mean, r.lower(80), r.upper(80)))
        p.required = round((p.target * per_year - p.actual * done) / p.remaining, 1)
        p.required_growth = True
        p.sentence = (f"按当前趋势全年预计增长 {p.projected:.1f}%，完成目标的 {100 * p.projected / p.target:.0f}%"
                      f"（80% 区间 {p.low:.1f}%—{p.high:.1f}%，{r.label}），剩余 {p.remaining} {unit_word}"
                      f"{'当月' if not quarterly else '当季'}增速平均需达到 {p.required:.1f}%。")
        hist = s
        months = forecast.future_periods(p.period, p.remaining, 3 if quarterly else 1)
        p.evidence = {"kind": "line", "x": list(hist.index) + months,
                      "y": [round(float(v), 2) for v in hist.values] + [None] * len(months), "unit": "%",
                      "projection": {"x": [p.period] + months,
                                     "y": [round(p.actual, 2)] + [round(float(v), 2) for v in r.mean]},
                      "hline": p.target, "hline_label": "目标增速",
                      "numbers": {"累计增速": f"{p.actual:.1f}%", "目标": f"{p.target:.1f}%",
                                  "全年预计": f"{p.projected:.1f}%"}}
    return p


def targets_status(ctx, targets: pd.DataFrame | None = None) -> list[Projection]:
    """Every annual target of the newest year with data (ctx: a rules.Context or similar)."""
    targets = ctx.targets if targets is None and len(getattr(ctx, "targets", [])) else (
        targets if targets is not None else load_targets())
    if targets.empty:
        return []
    known = ctx.indicators.set_index("code", drop=False)
    out = []
    for row in targets.itertuples(index=False):
        if row.indicator_code not in known.index:
            continue
        out.append(project(ctx.obs, known.loc[row.indicator_code], row, getattr(ctx, "forecasts", None)))
    return out


def plan_projections(indicators: pd.DataFrame, obs: pd.DataFrame, today: dt.date,
                     cfg=None, cached: dict | None = None) -> list[dict]:
    """The plan's indicators: completion, gap to 序时进度 and a sentence towards the plan's end."""
    status = metrics.plan_status(indicators, obs, today, cfg)
    end = periods.month_key(metrics.PLAN_END)
    out = []
    for r in status.itertuples():
        row = r._asdict()
        if r.value is None or pd.isna(r.value):
            row["sentence"] = "尚无数据。"
            out.append(row)
            continue
        if r.period >= end:
            row["sentence"] = (f"规划期（2023—2025 年）已结束：最新值 {r.value:.1f}{r.unit}，为 2025 年目标 "
                               f"{r.target:.0f}{r.unit} 的 {r.completion:.1f}%。")
            out.append(row)
            continue
        ind = indicators.set_index("code", drop=False).loc[r.code]
        spec = forecast.series_of(obs[obs.indicator_code == r.code], ind, "411400")
        steps = (periods.parse_month(end)[0] * 12 + periods.parse_month(end)[1]
                 - periods.parse_month(r.period)[0] * 12 - periods.parse_month(r.period)[1]) // 3
        res = _forecast_to(spec, steps, cached)
        if res is None or not len(res.mean):
            row["sentence"] = "数据不足以外推到规划期末。"
        else:
            v, lo, hi = (float(a[-1]) for a in (res.mean, res.lower(80), res.upper(80)))
            need = (r.target - r.value) / steps
            row["sentence"] = (f"按当前趋势到 2025 年末预计达到 {v:.1f}{r.unit}（完成目标 {100 * v / r.target:.0f}%，"
                               f"80% 区间 {lo:.1f}—{hi:.1f}，{res.label}），剩余 {steps} 个季度季均需提高 "
                               f"{need:.1f} 个百分点。")
        out.append(row)
    return out
