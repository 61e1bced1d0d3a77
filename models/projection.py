"""Target projection: completion so far, the gap to 序时进度, and where the year is heading.

For annual economic targets (data/targets.csv: indicator_code, region_code, year, measure,
target) and for the plan's indicators (the targets of the plan in force). A value target (measure ytd, e.g.
一般公共预算收入 270 亿元) is compared with the elapsed share of the year; a growth target
(measure ytd_yoy, e.g. GDP 6.0%) with the growth so far, in percentage points. The projection
adds the forecast of the remaining months (models.forecast) to what is already in, and says so
in one sentence with the 80% interval it rests on.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from cockpit import catalog, metrics, periods

from . import forecast, series

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


def _series(obs: pd.DataFrame, code: str, region: str, measure: str) -> pd.Series:
    rows = obs[(obs.indicator_code == code) & (obs.region_code == region) & (obs.measure == measure)]
    return rows.set_index("period").value.astype(float).sort_index()


COMPUTING = "全年研判待预测完成后给出（预测正在后台计算）。"
NOT_ENOUGH = "数据不足以外推全年。"


def _forecast_to(spec: series.Series | None, steps: int, cached: dict | None) -> forecast.Result | None:
    """The cached fit of this very series (same measure, same last period) cut to `steps`;
    None when there is none. Never fitted here: the background refit fills the cache."""
    if steps <= 0 or spec is None or not cached:
        return None
    rec = cached.get(f"{spec.indicator}|{spec.region}")
    if rec and rec["measure"] == spec.measure and rec["last_period"] == spec.values.index[-1] \
            and len(rec["mean"]) >= steps:
        return forecast.from_record(rec, steps)
    return None


def project(obs: pd.DataFrame, ind, row, cached: dict | None = None) -> Projection:
    """One target's status, and its projection from the cached forecasts (`cached`: the
    records of service.warnings' cache, None while they are being fitted). Missing data or
    forecasts leave those numbers None and the sentence says which."""
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
    spec = series.series_of(obs[obs.indicator_code == ind.code], ind, region)
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
    months = series.future_periods(p.period, p.remaining, 3 if quarterly else 1)
    value_path = spec is not None and spec.measure in ("month", "quarter") and (not growth or base_total)
    if value_path:
        ytd = _series(obs, ind.code, region, "ytd")
        total = p.actual if not growth else float(ytd.get(p.period, np.nan))
        # A growth target is read against the published rate, which for GDP is at comparable prices
        # while the values are at current prices: 8.3% nominal beside 6.2% published once read as
        # "预计增长 7.9%". The price factor so far this year, (1 + nominal) / (1 + published), is taken
        # to hold for the rest of it: the year's values are deflated by it (1 where both agree).
        deflator = 1.0
        if growth and pd.notna(before := ytd.get(periods.same_period_last_year(p.period))) and before > 0:
            deflator = (total / before) / (1 + p.actual / 100)
        need_total = base_total * (1 + p.target / 100) * deflator if growth else p.target
        p.required = round((need_total - total) / p.remaining, 2)
        hist = ytd[ytd.index.str[:4] == str(year)]
        p.evidence = _evidence(hist, months, ind.unit, round(need_total, 2), "全年目标", {
            "完成率" if not growth else "累计增速": f"{p.completion if not growth else p.actual:.1f}%",
            "序时进度": f"{p.schedule:.1f}%"})
        r = _forecast_to(spec, p.remaining, cached)
        if r is None:
            p.sentence = COMPUTING if cached is None else NOT_ENOUGH
            return p
        add = lambda a: total + float(np.sum(a))  # noqa: E731
        full, lo, hi = add(r.mean), add(r.lower(80)), add(r.upper(80))
        if growth:
            p.projected, p.low, p.high = (round((v / base_total / deflator - 1) * 100, 1) for v in (full, lo, hi))
            head = f"按当前趋势全年预计增长 {p.projected:.1f}%，{_versus(p.projected, p.target)}"
        else:
            p.projected, p.low, p.high = (round(100 * v / p.target, 1) for v in (full, lo, hi))
            head = f"按当前趋势全年预计完成 {p.projected:.1f}%"
        p.sentence = (f"{head}（80% 区间 {p.low:.1f}%—{p.high:.1f}%，{r.label}），剩余 {p.remaining} "
                      f"{unit_word}{'季均' if quarterly else '月均'}需达到 {p.required:,.2f}{ind.unit}。")
        if abs(deflator - 1) > 0.0015:  # the published rate's basis differs from the values' by more than rounding
            p.sentence += (f"增速按可比价格：总量为现价，价格因素按年内至今的 {100 * (deflator - 1):+.1f}% 计入"
                           "剩余时段。")
        path = [total + float(v) for v in np.cumsum(r.mean)]
    else:
        # A rate-only indicator: what the remaining periods' growth must average, and the forecast
        # of its 累计增速 (or of its 当月增速, averaged into the year's) from the cache.
        p.required = round((p.target * per_year - p.actual * done) / p.remaining, 1)
        p.required_growth = True
        p.evidence = _evidence(s, months, "%", p.target, "目标增速",
                               {"累计增速": f"{p.actual:.1f}%", "目标": f"{p.target:.1f}%"})
        r = _forecast_to(spec, p.remaining, cached) if spec is not None and spec.measure.endswith("yoy") else None
        if r is None:
            p.sentence = COMPUTING if cached is None and spec is not None else NOT_ENOUGH
            return p
        band = None
        if spec.measure == "ytd_yoy":
            path = [float(v) for v in r.mean]
            p.projected, p.low, p.high = (round(float(a[-1]), 1) for a in (r.mean, r.lower(80), r.upper(80)))
            band = _year_end_band(spec.values, p.period)
            if band is not None:
                p.low, p.high = round(p.projected - band, 1), round(p.projected + band, 1)
        else:
            path = [(p.actual * done + float(v)) / (done + i + 1) for i, v in enumerate(np.cumsum(r.mean))]
            p.projected, p.low, p.high = (round((p.actual * done + float(np.sum(a))) / per_year, 1)
                                          for a in (r.mean, r.lower(80), r.upper(80)))
        total = p.actual
        # Each period weighs alike here, where the year's 累计 weighs them by their size: said 约.
        how = f"{r.label}；区间按往年同期至年末累计增速的变化估计" if band is not None else r.label
        p.sentence = (f"按当前趋势全年预计增长 {p.projected:.1f}%，{_versus(p.projected, p.target)}"
                      f"（80% 区间 {p.low:.1f}%—{p.high:.1f}%，{how}），剩余 {p.remaining} {unit_word}"
                      f"{'当月' if not quarterly else '当季'}增速平均约需达到 {p.required:.1f}%（按各{'季' if quarterly else '月'}等权估算）。")
    p.method = r.label
    p.evidence["projection"] = {"x": [p.period] + months, "y": [round(total, 2)] + [round(v, 2) for v in path]}
    p.evidence["numbers"]["全年预计"] = f"{p.projected:.1f}%"
    return p


def _year_end_band(ytd_yoy: pd.Series, period: str) -> float | None:
    """Half the 80% interval of a year's final 累计增速 seen from `period`: how far it moved from the
    same month to December in earlier years (at least three). The model of the rate itself, fitted
    across the January resets, gave 3.4%—9.8% with one month left, a December of −31% to +44%."""
    month = period[5:]
    moves = [ytd_yoy[f"{y}-12"] - ytd_yoy[f"{y}-{month}"] for y in {p[:4] for p in ytd_yoy.index}
             if y < period[:4] and f"{y}-12" in ytd_yoy.index and f"{y}-{month}" in ytd_yoy.index]
    moves = [m for m in moves if pd.notna(m)]
    if len(moves) < 3:
        return None
    return 1.2816 * float(np.sqrt(np.mean(np.square(moves))))  # z of 80%, around the model's mean


def _versus(projected: float, target: float) -> str:
    """A growth rate against a target growth rate, in 个百分点: 6.0% against 7.5% is "低于目标 1.5 个
    百分点"; "完成目标的 80%" divided one rate by another, and read 6% for 0.4% against 7.0%."""
    gap = round(projected - target, 1)
    return "与目标持平" if gap == 0 else f"{'高于' if gap > 0 else '低于'}目标 {abs(gap):.1f} 个百分点"


def _evidence(hist: pd.Series, months: list[str], unit: str, target: float, target_label: str,
              numbers: dict) -> dict:
    """The year so far against the target line; the projection is added when there is one."""
    return {"kind": "line", "x": list(hist.index) + months,
            "y": [round(float(v), 2) for v in hist.values] + [None] * len(months), "unit": unit,
            "hline": target, "hline_label": target_label, "numbers": numbers}


def targets_status(indicators: pd.DataFrame, obs: pd.DataFrame, targets: pd.DataFrame,
                   cached: dict | None) -> list[Projection]:
    """Every annual target (catalog.load_targets) with its status, and its projection from the
    cached forecasts."""
    known = indicators.set_index("code", drop=False)
    return [project(obs, known.loc[row.indicator_code], row, cached)
            for row in targets.itertuples(index=False) if row.indicator_code in known.index]


def plan_projections(indicators: pd.DataFrame, obs: pd.DataFrame, today: dt.date,
                     cfg=None, cached: dict | None = None) -> list[dict]:
    """The plan's indicators: completion, gap to 序时进度 and a sentence towards the plan's end."""
    status = metrics.plan_status(indicators, obs, today, cfg)
    plan = catalog.load_plan(cfg.plan_dir if cfg else None)
    end = periods.month_key(plan.end)
    out = []
    for r in status.itertuples():
        row = r._asdict()
        if r.value is None or pd.isna(r.value):
            row["sentence"] = "尚无数据。"
            out.append(row)
            continue
        if r.period >= end or r.ended:
            row["sentence"] = (f"规划期（{plan.years}）已结束：期末值 {r.value:.1f}{r.unit}，为{plan.target_label} "
                               f"{r.target:.0f}{r.unit} 的 {r.completion:.1f}%"
                               + (f"，{'已达标' if r.assessment == 'met' else '未达标'}。" if r.ended else "。"))
            out.append(row)
            continue
        ind = indicators.set_index("code", drop=False).loc[r.code]
        spec = series.series_of(obs[obs.indicator_code == r.code], ind, catalog.CITY)
        steps = (periods.parse_month(end)[0] * 12 + periods.parse_month(end)[1]
                 - periods.parse_month(r.period)[0] * 12 - periods.parse_month(r.period)[1]) // 3
        res = _forecast_to(spec, steps, cached)
        if res is None:
            row["sentence"] = ("到规划期末的研判待预测完成后给出（预测正在后台计算）。" if cached is None
                               else "数据不足以外推到规划期末。")
        else:
            v, lo, hi = (float(a[-1]) for a in (res.mean, res.lower(80), res.upper(80)))
            need = (r.target - r.value) / steps
            row["sentence"] = (f"按当前趋势到 {plan.end.year} 年末预计达到 {v:.1f}{r.unit}（完成目标 {100 * v / r.target:.0f}%，"
                               f"80% 区间 {lo:.1f}—{hi:.1f}，{res.label}），剩余 {steps} 个季度季均需提高 "
                               f"{need:.1f} 个百分点。")
        out.append(row)
    return out
