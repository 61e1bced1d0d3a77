"""How the forecast candidates were chosen (bench/forecast.md, "What changed on 2026-12-07"): each
candidate and combination fitted once on every series' training part (final fits only, no
backtest, no selection) and scored on its hold-out, on M3 monthly and both Tourism sets; then what
the backtest's pieces cost.

    .venv/bin/python bench/forecast_study.py            # ~4 min on 2 cores; results/forecast_study.json
"""
from __future__ import annotations

import itertools
import json
import os
import sys
import time
import warnings
from multiprocessing import Pool
from pathlib import Path

for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(var, "1")

import numpy as np  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))
from forecast_m3 import RESULTS, load  # noqa: E402

from models import candidates as C  # noqa: E402
from models import seasonality as S  # noqa: E402
from models import theta as T  # noqa: E402
from models.forecast import mase, smape  # noqa: E402

DATA = ("m3", "tourism-monthly", "tourism-quarterly")


def _damped(z, h):
    from statsmodels.tsa.exponential_smoothing.ets import ETSModel
    model = ETSModel(z, error="add", trend="add", damped_trend=True)
    return C._ets_point(model, model.fit(disp=False, return_params=True), h)


def _damped_log(y, h, m):
    if not np.all(y > 0):
        raise ValueError("log of a non-positive series")
    season = S.seasonal_index(y, m)
    return S.reseason(np.exp(_damped(np.log(S.adjust(y, season)), h)), season, len(y))


def _arima_classical(y, h, m):
    from statsmodels.tsa.statespace.sarimax import SARIMAX
    season = S.seasonal_index(y, m)
    res = SARIMAX(S.adjust(y, season), order=(1, 1, 1), concentrate_scale=True).fit(disp=False, low_memory=True)
    return S.reseason(np.asarray(res.forecast(h), float), season, len(y))


def _theta_coef(y, h, m, coef):
    from statsmodels.tsa.forecasting.theta import ThetaModel
    res = ThetaModel(y, period=m, deseasonalize=C.is_seasonal(y, m), use_test=False,
                     method="multiplicative" if np.all(y > 0) else "additive").fit()
    return np.asarray(res.forecast(h, theta=coef), float)


def _hw_aicc(y, h, m):
    from statsmodels.tsa.holtwinters import ExponentialSmoothing
    seasonal = C.is_seasonal(y, m)
    kind = ("mul" if np.all(y > 0) else "add") if seasonal else None
    fits = [ExponentialSmoothing(y, trend=t, damped_trend=d, seasonal=kind,
                                 seasonal_periods=m if seasonal else None).fit()
            for t, d in ((None, False), ("add", False), ("add", True))]
    return np.asarray(min(fits, key=lambda r: r.aicc if np.isfinite(r.aicc) else np.inf).forecast(h), float)


def _ets_seasonal(y, h, m):
    from statsmodels.tsa.exponential_smoothing.ets import ETSModel
    seasonal, pos = C.is_seasonal(y, m), bool(np.all(y > 0))
    model = ETSModel(y, error="mul" if pos else "add", trend="add", damped_trend=True,
                     seasonal=("mul" if pos else "add") if seasonal else None, seasonal_periods=m if seasonal else None)
    return np.asarray(model.fit(disp=False).forecast(h), float)


def _model(name):
    return lambda y, h, m: C.MODELS[name](y, h, m, False)[0]


SINGLE = {
    "ets": _model("ets"), "stl_arima": _model("stl_arima"), "theta": _model("theta"), "hw": _model("hw"),
    "stl_theta": _model("stl_theta"), "damped_log": _damped_log, "arima_classical": _arima_classical,
    "theta_coef3": lambda y, h, m: _theta_coef(y, h, m, 3.0), "hw_aicc": _hw_aicc, "ets_seasonal": _ets_seasonal,
}
POOL = ("hw", "theta", "stl_theta", "stl_arima", "ets", "damped_log", "arima_classical")


def one(s) -> tuple[str, dict]:
    y, h, m = np.asarray(s.x, float), int(s.h), int(s.period)
    out = {}
    with warnings.catch_warnings(), np.errstate(all="ignore"):
        warnings.simplefilter("ignore")
        for name, f in SINGLE.items():
            try:
                p = np.asarray(f(y, h, m), float)
            except Exception:  # noqa: BLE001 - a model that cannot fit: the series' Theta stands in
                continue
            if np.all(np.isfinite(p)):
                out[name] = p
    return s.sn, out


def scores(series, fits) -> dict:
    def score(parts, how):
        rows = []
        for s in series:
            x, xx, f = np.asarray(s.x, float), np.asarray(s.xx, float), fits[s.sn]
            p = how([f.get(k, f["theta"]) for k in parts], axis=0)
            rows.append((mase(x, xx, p, int(s.period)), smape(xx, p)))
        a = np.array(rows)
        return [round(float(a[:, 0].mean()), 4), round(float(a[:, 1].mean()), 2)]
    out = {k: score([k], np.mean) for k in SINGLE}
    out["old combination (ets, theta, stl_arima)"] = score(("ets", "theta", "stl_arima"), np.mean)
    out["new combination (hw, theta, stl_theta)"] = score(("hw", "theta", "stl_theta"), np.mean)
    for r in (2, 3, 4):
        for parts in itertools.combinations(POOL, r):
            out["mean " + "+".join(parts)] = score(parts, np.mean)
            if r >= 3:
                out["median " + "+".join(parts)] = score(parts, np.median)
    return out


def costs(series, hw_series) -> dict:
    """Milliseconds per call: statsmodels' ThetaModel against the backtest's Theta (and how far
    their forecasts are apart) on `series`; Holt-Winters' cold fit, fit without grid search, warm
    start and re-run on `hw_series`."""
    from statsmodels.tsa.forecasting.theta import ThetaModel
    from statsmodels.tsa.holtwinters import ExponentialSmoothing
    t = dict.fromkeys(("theta_model", "theta_point", "hw_cold", "hw_no_grid", "hw_warm", "hw_rerun"), 0.0)
    gaps = []
    warnings.simplefilter("ignore")
    for s in series:
        y, m, h = np.asarray(s.x, float), int(s.period), int(s.h)
        seasonal = C.is_seasonal(y, m)
        t0 = time.perf_counter()
        ours = T._theta_point(y, h, m, seasonal)
        t1 = time.perf_counter()
        res = ThetaModel(y, period=m, deseasonalize=seasonal, use_test=False,
                         method="multiplicative" if np.all(y > 0) else "additive").fit()
        theirs = np.asarray(res.forecast(h), float)
        t2 = time.perf_counter()
        t["theta_point"] += t1 - t0
        t["theta_model"] += t2 - t1
        gaps.append(float(np.max(np.abs(ours - theirs) / np.maximum(np.abs(theirs), 1e-9))))
    for s in hw_series:
        y, m = np.asarray(s.x, float), int(s.period)
        seasonal = C.is_seasonal(y, m)
        spec = {"trend": "add", "damped_trend": True, "seasonal": ("mul" if np.all(y > 0) else "add") if seasonal
                else None, "seasonal_periods": m if seasonal else None}
        for key, fit in (("hw_cold", lambda: ExponentialSmoothing(y, **spec).fit()),
                         ("hw_no_grid", lambda: ExponentialSmoothing(y, **spec).fit(use_brute=False))):
            t0 = time.perf_counter()
            cold = fit()
            t[key] += time.perf_counter() - t0
        v = C._hw_vector(cold.params, True, seasonal)
        t0 = time.perf_counter()
        ExponentialSmoothing(y, **spec).fit(start_params=v, use_brute=False)
        t1 = time.perf_counter()
        C._hw_known(y, spec, v)
        t["hw_warm"] += t1 - t0
        t["hw_rerun"] += time.perf_counter() - t1
    g = np.array(gaps)
    per = {k: round(1000 * v / len(series if k.startswith("theta") else hw_series), 2) for k, v in t.items()}
    return {"series": len(series), "hw_series": len(hw_series), "ms_per_call": per,
            "theta_point_vs_theta_model": {"within_1e-5": round(float(np.mean(g <= 1e-5)), 4),
                                           "within_1e-3": round(float(np.mean(g <= 1e-3)), 4),
                                           "largest_relative_gap": round(float(g.max()), 5)}}


def main() -> None:
    doc = {"measured": time.strftime("%Y-%m-%d %H:%M"), "note": "final fits only; mean MASE, sMAPE", "data": {}}
    for name in DATA:
        series = load(name)
        with Pool(2) as pool:
            fits = dict(pool.map(one, series, chunksize=8))
        doc["data"][name] = scores(series, fits)
        if name == "m3":
            lengths = np.array([len(s.x) for s in series])
            doc["m3_last_300_by_number"] = scores(series[-300:], fits)
            doc["m3_at_least_68_points"] = scores([s for s, n in zip(series, lengths) if n >= 68], fits)
        print(name, "done", flush=True)
    doc["costs"] = costs([s for name in DATA for s in load(name)], load("m3")[-200:])
    (RESULTS / "forecast_study.json").write_text(json.dumps(doc, ensure_ascii=False, indent=1))
    print(json.dumps(doc["costs"], indent=1))


if __name__ == "__main__":
    main()
