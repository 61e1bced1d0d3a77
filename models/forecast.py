"""Forecasts a leader can trust: candidates chosen per series by a rolling-origin backtest.

Candidates (all statsmodels):
  snaive     seasonal naive, the baseline every model must beat to be shown as "the forecast"
  ets        damped-trend ETS(A,Ad,N) on the seasonally adjusted series (classical decomposition)
  theta      statsmodels ThetaModel (its own seasonality test and deseasonalising)
  stl_arima  STL decomposition, ARIMA(1,1,1) on the adjusted series (STLForecast)
  sarima     SARIMA(1,1,1)(0,1,1)s, optional: ten times slower than the others
  combo      the mean of ets, theta and stl_arima; combinations are the strongest simple
             forecasts on the M3 data (see bench/forecast.md)

`forecast(y, h, period)` backtests every candidate from six rolling origins over the last
12-24 points (each forecasting up to h ahead), chooses by MASE, and refits the choice on the
whole series with 80% and 95% prediction intervals. Short, constant or gappy input falls back
to something simple and `reason` says why, in Chinese, for the page.
"""
from __future__ import annotations

import math
import os
import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

LEVELS = (80, 95)
Z = {80: 1.2815515655446004, 95: 1.959963984540054}
COMPONENTS = ("ets", "theta", "stl_arima")
DEFAULT_CANDIDATES = ("snaive", "ets", "theta", "stl_arima", "combo")
LABELS = {
    "snaive": "季节性朴素（基准）", "naive": "朴素外推", "constant": "常数",
    "ets": "指数平滑（阻尼趋势 ETS）", "theta": "Theta 法", "stl_arima": "STL 分解 + ARIMA(1,1,1)",
    "sarima": "季节 ARIMA", "combo": "组合预测（ETS、Theta、STL-ARIMA 平均）",
}
Band = dict[int, tuple[np.ndarray, np.ndarray]]  # level -> (lower, upper)


@dataclass
class Result:
    """One series' forecast. `shown` is False when no model beat seasonal naive."""
    method: str | None
    mean: np.ndarray
    bands: Band
    scores: dict[str, dict[str, float]]  # backtest MASE / sMAPE per candidate
    reason: str
    n: int
    period: int
    shown: bool = True
    notes: list[str] = field(default_factory=list)
    chosen: str | None = None  # the backtest's choice, before the must-beat-seasonal-naive rule
    candidates: dict[str, np.ndarray] = field(default_factory=dict)  # final means (bench)
    candidate_bands: dict[str, Band] = field(default_factory=dict)

    @property
    def label(self) -> str:
        return LABELS.get(self.method or "", "无")

    def lower(self, level: int) -> np.ndarray:
        return self.bands[level][0]

    def upper(self, level: int) -> np.ndarray:
        return self.bands[level][1]


# ---- accuracy ---------------------------------------------------------------------------
def mase(train: np.ndarray, actual: np.ndarray, pred: np.ndarray, m: int) -> float:
    """Mean absolute error scaled by the in-sample (seasonal) naive error."""
    lag = m if len(train) > m else 1
    scale = np.mean(np.abs(train[lag:] - train[:-lag])) if len(train) > lag else np.nan
    if not scale or not np.isfinite(scale):
        return math.nan
    return float(np.mean(np.abs(actual - pred)) / scale)


def smape(actual: np.ndarray, pred: np.ndarray) -> float:
    """Symmetric MAPE in percent, as scored in the M3 competition."""
    denom = np.abs(actual) + np.abs(pred)
    ok = denom > 0
    if not ok.any():
        return 0.0
    return float(200 * np.mean(np.abs(actual - pred)[ok] / denom[ok]))


# ---- seasonality ------------------------------------------------------------------------
def is_seasonal(y: np.ndarray, m: int) -> bool:
    """The M3/M4 benchmark test: autocorrelation at lag m beyond its 90% limit."""
    n = len(y)
    if m <= 1 or n < 3 * m:
        return False
    x = y - y.mean()
    denom = float(np.dot(x, x))
    if denom == 0:
        return False
    acf = np.array([np.dot(x[k:], x[:n - k]) / denom for k in range(m + 1)])
    limit = 1.645 * math.sqrt((1 + 2 * float(np.sum(acf[1:m] ** 2))) / n)
    return abs(acf[m]) > limit


def seasonal_index(y: np.ndarray, m: int) -> tuple[np.ndarray, bool] | None:
    """Classical decomposition indices (one per position mod m); None when not seasonal."""
    if not is_seasonal(y, m):
        return None
    from statsmodels.tsa.seasonal import seasonal_decompose
    multiplicative = bool(np.all(y > 0))
    dec = seasonal_decompose(y, period=m, model="multiplicative" if multiplicative else "additive",
                             two_sided=True)
    return np.asarray(dec.seasonal)[:m], multiplicative


def _season_at(idx: np.ndarray, start: int, count: int) -> np.ndarray:
    m = len(idx)
    return idx[(start + np.arange(count)) % m]


# ---- candidate models: each returns (mean, bands or None) --------------------------------
def _snaive(y: np.ndarray, h: int, m: int, bands: bool) -> tuple[np.ndarray, Band | None]:
    lag = m if len(y) >= 2 * m and m > 1 else 1
    last = y[-lag:]
    mean = np.array([last[i % lag] for i in range(h)], dtype=float)
    if not bands:
        return mean, None
    resid = y[lag:] - y[:-lag]
    sigma = float(np.sqrt(np.mean(resid ** 2))) if len(resid) else 0.0
    steps = np.arange(h) // lag + 1 if lag > 1 else np.arange(1, h + 1)
    sd = sigma * np.sqrt(steps)
    return mean, {lv: (mean - Z[lv] * sd, mean + Z[lv] * sd) for lv in LEVELS}


def _ets(y: np.ndarray, h: int, m: int, bands: bool) -> tuple[np.ndarray, Band | None]:
    from statsmodels.tsa.exponential_smoothing.ets import ETSModel
    season = seasonal_index(y, m)
    sa = y
    if season is not None:
        idx, mult = season
        s_in = _season_at(idx, 0, len(y))
        sa = y / s_in if mult else y - s_in
    trend = len(sa) >= 10  # a damped trend needs some history to estimate
    model = ETSModel(pd.Series(sa), error="add", trend="add" if trend else None,
                     damped_trend=trend)
    res = model.fit(disp=False)
    n = len(y)
    if bands:
        pred = res.get_prediction(start=n, end=n + h - 1)
        mean = np.asarray(pred.predicted_mean, dtype=float)
        out = {}
        for lv in LEVELS:
            sf = pred.summary_frame(alpha=1 - lv / 100)
            out[lv] = (sf["pi_lower"].to_numpy(float), sf["pi_upper"].to_numpy(float))
    else:
        mean, out = np.asarray(res.forecast(h), dtype=float), None
    if season is not None:
        s_out = _season_at(idx, n, h)
        apply = (lambda a: a * s_out) if mult else (lambda a: a + s_out)
        mean = apply(mean)
        if out:
            out = {lv: tuple(np.sort(np.vstack([apply(lo), apply(hi)]), axis=0)) for lv, (lo, hi) in out.items()}
    return mean, out


def _theta(y: np.ndarray, h: int, m: int, bands: bool) -> tuple[np.ndarray, Band | None]:
    from statsmodels.tsa.forecasting.theta import ThetaModel
    seasonal = is_seasonal(y, m)
    method = "multiplicative" if np.all(y > 0) else "additive"
    res = ThetaModel(y, period=max(m, 1), deseasonalize=seasonal, use_test=False,
                     method=method).fit()
    mean = np.asarray(res.forecast(h), dtype=float)
    if not bands:
        return mean, None
    # statsmodels estimates sigma2 by fitting a SARIMAX per call (0.5 s); the one-step errors
    # of the same IMA(1,1)-with-drift form give it in microseconds.
    res._sigma2 = _ima_sigma2(np.asarray(res.model._y, dtype=float), float(res.params.iloc[1]))
    out = {}
    for lv in LEVELS:
        pi = res.prediction_intervals(h, alpha=1 - lv / 100)
        out[lv] = (pi["lower"].to_numpy(float), pi["upper"].to_numpy(float))
    return mean, out


def _ima_sigma2(y: np.ndarray, alpha: float) -> float:
    dy = np.diff(y)
    if len(dy) < 2:
        return float(np.var(y)) or 1e-12
    theta, c, e, prev = alpha - 1, float(dy.mean()), np.empty(len(dy)), 0.0
    for i, d in enumerate(dy):
        prev = d - c - theta * prev
        e[i] = prev
    return float(np.mean(e ** 2))


def _stl_arima(y: np.ndarray, h: int, m: int, bands: bool) -> tuple[np.ndarray, Band | None]:
    # SARIMAX with a concentrated scale fits ARIMA(1,1,1) in half the time of tsa.arima;
    # a non-robust STL was both faster and more accurate on M3 (bench/forecast.md).
    from statsmodels.tsa.statespace.sarimax import SARIMAX
    series = pd.Series(y)
    kwargs = {"order": (1, 1, 1), "concentrate_scale": True}
    if is_seasonal(y, m):
        from statsmodels.tsa.forecasting.stl import STLForecast
        res = STLForecast(series, SARIMAX, period=m, robust=False, model_kwargs=kwargs).fit(
            fit_kwargs={"disp": False})
    else:
        res = SARIMAX(series, **kwargs).fit(disp=False)
    n = len(y)
    pred = res.get_prediction(start=n, end=n + h - 1)
    mean = np.asarray(pred.predicted_mean, dtype=float)
    if not bands:
        return mean, None
    out = {}
    for lv in LEVELS:
        sf = pred.summary_frame(alpha=1 - lv / 100)
        lo = sf["pi_lower"] if "pi_lower" in sf else sf["mean_ci_lower"]
        hi = sf["pi_upper"] if "pi_upper" in sf else sf["mean_ci_upper"]
        out[lv] = (lo.to_numpy(float), hi.to_numpy(float))
    return mean, out


def _sarima(y: np.ndarray, h: int, m: int, bands: bool) -> tuple[np.ndarray, Band | None]:
    from statsmodels.tsa.statespace.sarimax import SARIMAX
    seasonal = (0, 1, 1, m) if m > 1 and len(y) >= 2 * m + 4 else (0, 0, 0, 0)
    res = SARIMAX(y, order=(1, 1, 1), seasonal_order=seasonal, simple_differencing=True,
                  concentrate_scale=True).fit(disp=False, method="lbfgs")
    fc = res.get_forecast(h)
    mean = np.asarray(fc.predicted_mean, dtype=float)
    if not bands:
        return mean, None
    out = {}
    for lv in LEVELS:
        ci = np.asarray(fc.conf_int(alpha=1 - lv / 100))
        out[lv] = (ci[:, 0].astype(float), ci[:, 1].astype(float))
    return mean, out


MODELS: dict[str, Callable[[np.ndarray, int, int, bool], tuple[np.ndarray, Band | None]]] = {
    "snaive": _snaive, "ets": _ets, "theta": _theta, "stl_arima": _stl_arima, "sarima": _sarima,
}


def _combine(parts: Sequence[tuple[np.ndarray, Band | None]]) -> tuple[np.ndarray, Band | None]:
    mean = np.mean([p[0] for p in parts], axis=0)
    if any(p[1] is None for p in parts):
        return mean, None
    # Averaging the components' bounds keeps the interval centred on the combined mean.
    return mean, {lv: (np.mean([p[1][lv][0] for p in parts], axis=0),
                       np.mean([p[1][lv][1] for p in parts], axis=0)) for lv in LEVELS}


def run_models(y: np.ndarray, h: int, m: int, names: Sequence[str],
               bands: bool) -> dict[str, tuple[np.ndarray, Band | None]]:
    """Fit each named model (combo from its components); a model that fails is left out."""
    out = {}
    need = set(names) | (set(COMPONENTS) if "combo" in names else set())
    with warnings.catch_warnings(), np.errstate(all="ignore"):
        warnings.simplefilter("ignore")
        for name in [k for k in MODELS if k in need]:
            try:
                mean, band = MODELS[name](y, h, m, bands)
            except Exception:  # noqa: BLE001 - a model that cannot fit this series is no candidate
                continue
            if np.all(np.isfinite(mean)):
                out[name] = (mean, band)
    if "combo" in names and all(c in out for c in COMPONENTS):
        out["combo"] = _combine([out[c] for c in COMPONENTS])
    return {k: v for k, v in out.items() if k in names}


# ---- backtest and choice --------------------------------------------------------------------
def min_train(m: int) -> int:
    return max(2 * m + 2, 8) if m > 1 else 8


def origins(n: int, m: int, window: int = 24, step: int | None = None) -> list[int]:
    """Six rolling origins over the last `window` points (at least 12, or 8 for quarterly):
    three were too few to tell a model from seasonal naive reliably (bench/forecast.md)."""
    least = 12 if m >= 12 else 8
    window = min(window, n - 6)  # every origin keeps at least six points to fit on
    if window < least:
        return []
    step = step or max(window // 6, 1)
    return list(range(n - window, n, step))


def backtest(y: np.ndarray, h: int, m: int, names: Sequence[str],
             window: int = 24) -> dict[str, dict[str, float]]:
    """Mean MASE and sMAPE of each candidate over the rolling origins."""
    errs: dict[str, list[tuple[float, float]]] = {k: [] for k in names}
    for o in origins(len(y), m, window):
        train, test = y[:o], y[o:o + h]
        for name, (mean, _) in run_models(train, len(test), m, names, bands=False).items():
            errs[name].append((mase(train, test, mean, m), smape(test, mean)))
    return {k: {"mase": float(np.nanmean([e[0] for e in v])), "smape": float(np.mean([e[1] for e in v]))}
            for k, v in errs.items() if v and not np.all(np.isnan([e[0] for e in v]))}


COMBO_MARGIN = 0.1


def choose(scores: dict[str, dict[str, float]], combo_margin: float = COMBO_MARGIN) -> str | None:
    """Lowest backtest MASE, except that the combination stays unless another candidate
    beats it by more than `combo_margin` (relative): a 12-24 point backtest is noisy, and on
    M3 the combination is the better bet when the scores are close (bench/forecast.md)."""
    order = list(DEFAULT_CANDIDATES) + ["sarima"]
    ranked = sorted(scores, key=lambda k: (round(scores[k]["mase"], 6), order.index(k) if k in order else 99))
    if not ranked:
        return None
    best = ranked[0]
    if "combo" in scores and best != "combo":
        if scores[best]["mase"] >= scores["combo"]["mase"] * (1 - combo_margin):
            return "combo"
    return best


def trusted(scores: dict[str, dict[str, float]], chosen: str | None) -> str | None:
    """The model shown as "the forecast": the choice if it beat seasonal naive in the backtest,
    else the best candidate that did; None when none did (the page then shows the baseline)."""
    base = scores.get("snaive", {}).get("mase", math.inf)
    beat = [k for k in scores if k != "snaive" and scores[k]["mase"] < base]
    if chosen in beat:
        return chosen
    return min(beat, key=lambda k: scores[k]["mase"]) if beat else None


def forecast(y: Sequence[float], h: int, period: int = 12, *,
             candidates: Sequence[str] = DEFAULT_CANDIDATES, window: int = 24,
             combo_margin: float = COMBO_MARGIN, keep_candidates: bool = False) -> Result:
    """Backtest, choose, refit on everything, forecast h steps with 80%/95% intervals."""
    y = np.asarray(y, dtype=float)
    n = len(y)
    m = period
    empty = {lv: (np.array([]), np.array([])) for lv in LEVELS}
    if n < 4 or not np.all(np.isfinite(y)):
        return Result(None, np.array([]), empty, {}, f"仅有 {n} 期数据，无法预测", n, m, shown=False)
    if np.ptp(y) == 0:
        mean = np.full(h, y[-1])
        return Result("constant", mean, {lv: (mean, mean) for lv in LEVELS}, {},
                      "序列为常数，预测沿用该值", n, m, shown=False)
    names = list(dict.fromkeys(["snaive", *candidates]))
    scores = backtest(y, h, m, names, window)
    if not scores:
        # Too short to backtest: a naive extrapolation, clearly not "the forecast".
        mean, band = _snaive(y, h, m, True)
        unit = "个月" if m == 12 else "期"
        return Result("snaive" if n >= 2 * m and m > 1 else "naive", mean, band, {},
                      f"仅有 {n} {unit}数据，不足以回测选择模型，显示{'季节性' if n >= 2 * m and m > 1 else ''}朴素外推，仅供参考",
                      n, m, shown=False)
    chosen = choose(scores, combo_margin)
    best = trusted(scores, chosen) or "snaive"
    fitted = run_models(y, h, m, names if keep_candidates else list({best, "snaive"}), bands=True)
    if best not in fitted or fitted[best][1] is None:  # refit failed: fall back to the baseline
        best = "snaive"
    base = scores.get("snaive", {}).get("mase", math.inf)
    shown = best != "snaive"
    if shown:
        reason = (f"回测（最近 {min(window, n - 6)} 期滚动起点）MASE {scores[best]['mase']:.2f}，"
                  f"优于季节性朴素 {base:.2f}")
        if best != chosen:
            reason += f"；{LABELS.get(chosen, chosen)}未优于季节性朴素，改用{LABELS[best]}"
    else:
        reason = f"没有模型在回测中优于季节性朴素（MASE {base:.2f}），仅显示基准外推"
    mean, band = fitted[best]
    return Result(best, mean, band, scores, reason, n, m, shown=shown, chosen=chosen,
                  candidates={k: v[0] for k, v in fitted.items()} if keep_candidates else {},
                  candidate_bands={k: v[1] for k, v in fitted.items() if v[1]} if keep_candidates else {})


# ---- indicator series of the store ----------------------------------------------------------
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
    from cockpit import periods
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
    from cockpit import periods
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
    from cockpit import periods
    return [periods.shift_month(last, (i + 1) * step) for i in range(h)]


def one_step_check(y: np.ndarray, m: int, method: str) -> dict | None:
    """Refit `method` without the newest point and forecast it: the interval the newest
    value "should" have fallen in. Used by the forecast_interval warning rule."""
    if len(y) < min_train(m) + 1 or method in (None, "constant"):
        return None
    name = method if method in MODELS or method == "combo" else "snaive"
    fitted = run_models(y[:-1], 1, m, [name], bands=True)
    if name not in fitted or fitted[name][1] is None:
        return None
    mean, band = fitted[name]
    lo, hi = band[95]
    sd = float((hi[0] - lo[0]) / (2 * Z[95]))
    return {"mean": float(mean[0]), "sd": sd, "actual": float(y[-1]),
            "lo80": float(band[80][0][0]), "hi80": float(band[80][1][0]),
            "lo95": float(lo[0]), "hi95": float(hi[0])}


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
    rec["check"] = one_step_check(y, spec.period, r.method) if r.method else None
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
        import multiprocessing as mp
        from concurrent.futures import ProcessPoolExecutor
        with ProcessPoolExecutor(workers, mp_context=mp.get_context("forkserver")) as ex:
            recs = list(ex.map(_fit_one, specs, chunksize=4))
    return {f"{r['indicator']}|{r['region']}": r for r in recs}


def from_record(rec: dict, steps: int | None = None) -> Result:
    """A cached record (fit_series) back as a Result, cut to `steps`."""
    k = steps or len(rec["mean"])
    bands = {lv: (np.asarray(rec[f"lo{lv}"][:k]), np.asarray(rec[f"hi{lv}"][:k])) for lv in LEVELS}
    return Result(rec["method"], np.asarray(rec["mean"][:k]), bands, rec.get("scores", {}), rec["reason"],
                  rec["n"], rec["period"], shown=rec["shown"], notes=rec.get("notes", []))
