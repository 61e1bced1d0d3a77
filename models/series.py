"""The store's indicator x region series ready to forecast, and the JSON records of their fits
that service.warnings caches and the pages read."""
from __future__ import annotations

import multiprocessing as mp
import os
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from cockpit import periods

from .candidates import COMBINED, LEVELS, MODELS, Z, run_models
from .forecast import DEFAULT_CANDIDATES, forecast, min_train


@dataclass
class Series:
    """One indicator x region series ready to forecast: values by period ('YYYY-MM')."""
    indicator: str
    region: str
    measure: str  # month | quarter (de-cumulated from ytd) | month_yoy | ytd_yoy
    period: int  # seasonal period for the models: 12 monthly, 4 quarterly, 1 for 累计增速
    values: pd.Series
    notes: list[str] = field(default_factory=list)
    step: int = 1  # months between points: 1 monthly, 3 quarterly


def series_of(obs: pd.DataFrame, ind, region: str) -> Series | None:
    """The series a forecast is made on: 当月 values where published (1—2月 joint releases
    split evenly), quarterly values from 累计 for quarterly indicators, else the reported rate."""
    rows = obs[(obs.indicator_code == ind.code) & (obs.region_code == region)]
    if rows.empty:
        return None
    m = 4 if ind.frequency == "Q" else 12
    by = {k: g.set_index("period").value.astype(float) for k, g in rows.groupby("measure")}
    notes: list[str] = []
    if "month" in by:
        measure, s = "month", by["month"].copy()
        ytd = by.get("ytd")
        if ytd is not None and m == 12:
            s, filled = _fill_from_ytd(s, ytd)
            if filled:
                notes.append(f"{filled} 个月当月值由累计数推算（1—2月合并发布的按两月均分）")
    elif "ytd" in by and m == 4:
        measure, ytd = "quarter", by["ytd"]
        prev = ytd.groupby(ytd.index.str[:4]).shift(1)
        s = (ytd - prev.fillna(0)).where(prev.notna() | ytd.index.str.endswith("-03"))
        notes.append("季度值由累计数相减得到")
    elif "month_yoy" in by:
        measure, s = "month_yoy", by["month_yoy"]
    elif "ytd_yoy" in by:
        measure, s = "ytd_yoy", by["ytd_yoy"]
    else:
        return None
    s = s.dropna().sort_index()
    if s.empty:
        return None
    full = periods.month_range(s.index[0], s.index[-1])
    if m == 4:
        full = [p for p in full if periods.is_quarter_end(p)]
    s, gap_notes = _mend_gaps(s.reindex(full), m)
    notes += gap_notes
    # A 累计增速 is cumulative within the year: it has no seasonal pattern to repeat.
    return Series(ind.code, region, measure, 1 if measure == "ytd_yoy" else m, s, notes,
                  step=3 if m == 4 else 1)


def _fill_from_ytd(month: pd.Series, ytd: pd.Series) -> tuple[pd.Series, int]:
    out = month.copy()
    filled = 0
    for p, v in ytd.items():
        if p in out.index and pd.notna(out.get(p)):
            continue
        prev = periods.shift_month(p, -1)
        if p.endswith("-01"):
            out[p] = v
        elif prev in ytd.index and not prev.endswith("-12"):
            out[p] = v - ytd[prev]
        elif p.endswith("-02") and f"{p[:4]}-01" not in ytd.index:
            out[p] = out[f"{p[:4]}-01"] = v / 2
            filled += 1
        else:
            continue
        filled += 1
    return out.sort_index(), filled


def _mend_gaps(s: pd.Series, m: int) -> tuple[pd.Series, list[str]]:
    """Interpolate a few short interior gaps; otherwise keep the tail after the last gap."""
    gaps = s.isna()
    if not gaps.any():
        return s, []
    runs = (gaps != gaps.shift()).cumsum()[gaps]
    longest = int(runs.value_counts().max())
    if m == 12 and gaps[gaps].index.str[5:].isin(["01", "02"]).all() and longest <= 2:
        # Statistics bureaus publish 1—2月 together: a structural gap, not missing data.
        return s.interpolate(limit_area="inside"), ["1—2月不单独发布，按相邻月份插值补齐"]
    if gaps.mean() <= 0.1 and longest <= 2:
        return s.interpolate(limit_area="inside"), [f"{int(gaps.sum())} 期缺失值按线性插补"]
    last_gap = gaps[gaps].index[-1]
    tail = s.loc[s.index > last_gap]
    return tail, [f"序列中有较长缺口（最长 {longest} 期），只用 {tail.index[0] if len(tail) else '—'} 以来的 {len(tail)} 期"]


def future_periods(last: str, h: int, step: int = 1) -> list[str]:
    return [periods.shift_month(last, (i + 1) * step) for i in range(h)]


def one_step_check(y: np.ndarray, m: int, method: str, rmse1: float | None = None) -> dict | None:
    """Refit `method` without the newest point and forecast it: the interval the newest
    value "should" have fallen in. Used by the forecast_interval warning rule.

    Its spread is the model's own one-step spread or `rmse1`, the method's one-step error in the
    backtest, whichever is larger: the models' spread comes from their fit to the data they were
    fitted on, and newer data miss by more. On M3 and Tourism the model's own 99% band held the
    next value 94-97% of the time (a false alarm rate of 3-6%, not 1%); with the backtest's floor
    98-99% (bench/forecast.md)."""
    if len(y) < min_train(m) + 1 or method in (None, "constant"):
        return None
    name = method if method in MODELS or method in COMBINED else "snaive"
    fitted = run_models(y[:-1], 1, m, [name], bands=True)
    if name not in fitted or fitted[name][1] is None:
        return None
    mean, band = fitted[name]
    sd = max(float((band[95][1][0] - band[95][0][0]) / (2 * Z[95])), rmse1 or 0.0)
    return {"mean": float(mean[0]), "sd": sd, "actual": float(y[-1])}


def horizon(spec: Series) -> int:
    return 12 if spec.step == 1 else 8


def fit_series(spec: Series, candidates: Sequence[str] = DEFAULT_CANDIDATES) -> dict:
    """Forecast one store series; a JSON-able record for the cache and the pages."""
    y = spec.values.to_numpy(float)
    h = horizon(spec)
    r = forecast(y, h, spec.period, candidates=candidates)
    last = spec.values.index[-1] if len(spec.values) else None
    rec = {"indicator": spec.indicator, "region": spec.region, "measure": spec.measure,
           "period": spec.period, "step": spec.step, "n": len(y), "last_period": last,
           "history": {"periods": list(spec.values.index[-36:]),
                       "values": [round(float(v), 4) for v in y[-36:]]},
           "periods": future_periods(last, len(r.mean), spec.step) if last else [],
           "mean": r.mean.round(4).tolist(), "method": r.method, "label": r.label,
           "shown": r.shown, "reason": r.reason, "notes": spec.notes, "scores": r.scores}
    for lv in LEVELS:
        rec[f"lo{lv}"] = np.round(r.bands[lv][0], 4).tolist()
        rec[f"hi{lv}"] = np.round(r.bands[lv][1], 4).tolist()
    rmse1 = r.scores.get(r.method, {}).get("rmse1") if r.method else None
    rec["check"] = one_step_check(y, spec.period, r.method, rmse1) if r.method else None
    if rec["check"]:
        rec["check"]["period"] = last
    return rec


def all_series(obs: pd.DataFrame, indicators: pd.DataFrame, regions: Sequence[str]) -> list[Series]:
    groups = dict(list(obs.groupby(["indicator_code", "region_code"], sort=False)))
    out = []
    for _, ind in indicators.iterrows():
        for region in regions:
            rows = groups.get((ind.code, region))
            spec = series_of(rows, ind, region) if rows is not None else None
            if spec is not None and len(spec.values):
                out.append(spec)
    return out


def _fit_one(spec: Series) -> dict:
    for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS"):
        os.environ.setdefault(var, "1")
    return fit_series(spec)


def fit_many(specs: Sequence[Series], workers: int = 1) -> dict[str, dict]:
    """Fit every series, in `workers` processes (forkserver: no copy of a threaded parent).

    Call it from a plain command-line process (python -m cockpit warnings, or the web server's child python -m service.warnings), never from the
    web server: worker processes re-import the parent's __main__, which under Streamlit is
    the app script itself.
    """
    if workers <= 1 or len(specs) < 4:
        recs = [fit_series(s) for s in specs]
    else:
        with ProcessPoolExecutor(workers, mp_context=mp.get_context("forkserver")) as ex:
            recs = list(ex.map(_fit_one, specs, chunksize=4))
    return {f"{r['indicator']}|{r['region']}": r for r in recs}
