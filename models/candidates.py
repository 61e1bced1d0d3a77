"""The candidate models of models.forecast, each (y, h, m, bands) -> (mean, bands or None).

  snaive     seasonal naive, the baseline every model must beat to be shown as "the forecast"
  hw         Holt-Winters: damped additive trend, the season inside the model (multiplicative
             for a positive series), fitted by statsmodels' holtwinters
  theta      statsmodels ThetaModel (the M3 seasonality test below, ThetaModel's deseasonalising)
  stl_theta  STL decomposition, the Theta method on the adjusted series: a season that drifts
             over the years, which a classical decomposition holds fixed
  combo      the mean of hw, theta and stl_theta; combinations are the strongest simple
             forecasts on the M3 and Tourism data (see bench/forecast.md)
  hedged     the mean of combo and snaive: where a short backtest cannot tell the combination
             from the baseline, the half-way forecast beats the baseline more often than not
  ets        optional: damped-trend ETS(A,Ad,N) on the classically adjusted series
  stl_arima  optional: STL decomposition, ARIMA(1,1,1) on the adjusted series (STLForecast)
  sarima     optional: SARIMA(1,1,1)(0,1,1)s, ten times slower than the others

statsmodels is imported inside each model, where a fit needs it: importing it costs a second,
and the web server and the command line import this module without fitting anything.
"""
from __future__ import annotations

import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import cache

import numpy as np

from .seasonality import LEVELS, Z, Band, adjust, is_seasonal, reseason, seasonal_index
from .theta import _stl_theta, _theta

COMPONENTS = ("hw", "theta", "stl_theta")
COMBINED = ("combo", "hedged")  # built by run_models from the others, not fitted


def preload() -> None:
    """Import the statsmodels modules the models fit with (about 1.5 s), for a caller that
    wants that cost paid before it starts fitting (the benchmark, before its clock)."""
    import statsmodels.tools.sm_exceptions  # noqa: F401
    from statsmodels.tsa import holtwinters, seasonal  # noqa: F401
    from statsmodels.tsa.exponential_smoothing import ets  # noqa: F401
    from statsmodels.tsa.forecasting import stl, theta  # noqa: F401
    from statsmodels.tsa.statespace import sarimax  # noqa: F401


# ---- what a backtest carries from one origin to the next ----------------------------------------
# scipy's L-BFGS-B stops when the likelihood improves by less than factr * machine epsilon
# (default 1e7, ~2e-9 relative); ~2e-6 is plenty for a point forecast scored to two decimals.
BACKTEST_FACTR = 1e10


@dataclass
class Warm:
    """Each model's parameters from the previous backtest origin. With `refit` the model is
    re-estimated, starting its optimiser from them (four more points move the optimum little):
    about two thirds of a cold fit. Without, it only re-runs with them on the longer history,
    rolling-origin "updating" between "recalibrations" (Tashman 2000): about a third."""
    params: dict[str, np.ndarray] = field(default_factory=dict)
    refit: bool = True

    def start(self, name: str, k: int) -> np.ndarray | None:
        p = self.params.get(name)
        return p if p is not None and len(p) == k and np.all(np.isfinite(p)) else None

    def fixed(self, name: str, k: int) -> np.ndarray | None:
        return None if self.refit else self.start(name, k)

    def keep(self, name: str, params) -> None:
        self.params[name] = np.asarray(params, dtype=float)


# ---- candidate models: each returns (mean, bands or None) --------------------------------
def _snaive(y: np.ndarray, h: int, m: int, bands: bool, warm: Warm | None = None) -> tuple[np.ndarray, Band | None]:
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


def _ets(y: np.ndarray, h: int, m: int, bands: bool, warm: Warm | None = None) -> tuple[np.ndarray, Band | None]:
    from statsmodels.tsa.exponential_smoothing.ets import ETSModel
    season = seasonal_index(y, m)
    sa = adjust(y, season)
    trend = len(sa) >= 10  # a damped trend needs some history to estimate
    # A backtest fits numpy (no pandas index or frames per fit); the final fit a Series, because
    # ETS prediction intervals (get_prediction) fail on numpy input in statsmodels 0.15.
    endog = sa
    if bands:
        import pandas as pd
        endog = pd.Series(sa)
    model = ETSModel(endog, error="add", trend="add" if trend else None, damped_trend=trend)
    n = len(y)
    if bands:
        res = model.fit(disp=False)
        pred = res.get_prediction(start=n, end=n + h - 1)
        mean = np.asarray(pred.predicted_mean, dtype=float)
        out = {}
        for lv in LEVELS:
            sf = pred.summary_frame(alpha=1 - lv / 100)
            out[lv] = (sf["pi_lower"].to_numpy(float), sf["pi_upper"].to_numpy(float))
    else:
        k = len(model.param_names)
        params = warm.fixed("ets", k) if warm is not None else None
        if params is None:
            params = model.fit(start_params=warm.start("ets", k) if warm is not None else None, disp=False,
                               return_params=True, factr=BACKTEST_FACTR)
        if warm is not None:
            warm.keep("ets", params)
        mean, out = _ets_point(model, params, h), None
    mean = reseason(mean, season, n)
    if out:
        out = {lv: tuple(np.sort(np.vstack([reseason(lo, season, n), reseason(hi, season, n)]), axis=0))
               for lv, (lo, hi) in out.items()}
    return mean, out


def _ets_point(model, params: np.ndarray, h: int) -> np.ndarray:
    """The point forecast of fitted ETS(A,Ad,N) or ETS(A,N,N) parameters from the last smoothed
    state: level + (phi + ... + phi^k) * slope. A backtest needs nothing else, and the full
    results object (its complex-step Hessian, its simulation-based forecast) cost more than
    the fit's own smoothing pass."""
    _, states = model.smooth(params, return_raw=True)
    level = float(states[-1, 0])
    if not model.has_trend:
        return np.full(h, level)
    phi = float(params[model.param_names.index("damping_trend")]) if model.damped_trend else 1.0
    return level + np.cumsum(phi ** np.arange(1, h + 1)) * float(states[-1, 1])


def _hw(y: np.ndarray, h: int, m: int, bands: bool, warm: Warm | None = None) -> tuple[np.ndarray, Band | None]:
    from statsmodels.tsa.holtwinters import ExponentialSmoothing
    seasonal = is_seasonal(y, m)
    trend = len(y) >= 10  # a damped trend needs some history to estimate
    spec = {"trend": "add" if trend else None, "damped_trend": trend,
            "seasonal": ("mul" if np.all(y > 0) else "add") if seasonal else None,
            "seasonal_periods": m if seasonal else None}
    k = 2 + 3 * trend + (1 + m) * seasonal  # alpha, level; beta, trend, phi; gamma, m seasons
    # Carried under the season's kind: a zero entering the history turns a multiplicative season
    # additive, and factors of about 1 re-run as additive offsets would flatten it.
    name = f"hw-{spec['seasonal']}"
    if not bands and warm is not None and (fixed := warm.fixed(name, k)) is not None:
        res = _hw_known(y, spec, fixed)
    else:
        start = warm.start(name, k) if warm is not None and not bands else None
        # A warm start needs no grid search for its smoothing parameters (half of a cold fit).
        res = ExponentialSmoothing(y, **spec).fit(start_params=start, use_brute=start is None)
    if warm is not None:
        warm.keep(name, _hw_vector(res.params, trend, seasonal))
    mean = np.asarray(res.forecast(h), dtype=float)
    if not bands:
        return mean, None
    # holtwinters has no closed-form intervals for a multiplicative season: 1,000 simulated
    # paths of the fitted model, from a fixed seed so that a refit of the same data draws the
    # same band.
    paths = np.asarray(res.simulate(h, repetitions=1000, anchor="end", rng=np.random.default_rng(0)))
    return mean, {lv: (np.percentile(paths, 50 - lv / 2, axis=1), np.percentile(paths, 50 + lv / 2, axis=1))
                  for lv in LEVELS}


def _hw_vector(p: dict, trend: bool, seasonal: bool) -> np.ndarray:
    """The fitted parameters in holtwinters' own order for `start_params`:
    alpha, beta, gamma, initial level, initial trend, phi, then the initial seasons."""
    keys = ["smoothing_level", "smoothing_trend", "smoothing_seasonal", "initial_level", "initial_trend",
            "damping_trend"]
    used = [True, trend, seasonal, True, trend, trend]
    head = [float(p[k]) for k, u in zip(keys, used) if u]
    return np.asarray(head + (list(np.asarray(p["initial_seasons"], dtype=float)) if seasonal else []))


def _hw_known(y: np.ndarray, spec: dict, v: np.ndarray):
    """Holt-Winters re-run with given parameters and initial states, nothing optimised."""
    from statsmodels.tsa.holtwinters import ExponentialSmoothing
    trend, seasonal = spec["trend"] is not None, spec["seasonal"] is not None
    it = iter(v)
    alpha, beta, gamma = next(it), next(it) if trend else None, next(it) if seasonal else None
    level, slope, phi = next(it), next(it) if trend else None, next(it) if trend else None
    model = ExponentialSmoothing(y, **spec, initialization_method="known", initial_level=level,
                                 initial_trend=slope, initial_seasonal=list(it) if seasonal else None)
    return model.fit(smoothing_level=alpha, smoothing_trend=beta, smoothing_seasonal=gamma,
                     damping_trend=phi, optimized=False)


def _stl_arima(y: np.ndarray, h: int, m: int, bands: bool, warm: Warm | None = None) -> tuple[np.ndarray, Band | None]:
    # SARIMAX with a concentrated scale fits ARIMA(1,1,1) in half the time of tsa.arima;
    # a non-robust STL was both faster and more accurate on M3 (bench/forecast.md).
    from statsmodels.tsa.statespace.sarimax import SARIMAX
    y = np.asarray(y, dtype=float)  # numpy, not a Series: no pandas frames of states per fit
    kwargs = {"order": (1, 1, 1), "concentrate_scale": True}
    fit_kwargs: dict = {"disp": False}
    model = SARIMAX
    if not bands:
        # A backtest needs only the point forecast: low_memory keeps no smoothed states and
        # computes no parameter covariance, which took a third of each fit.
        fit_kwargs.update(low_memory=True, factr=BACKTEST_FACTR)
        if warm is not None and (fixed := warm.fixed("stl_arima", 2)) is not None:
            model, fit_kwargs = _fixed_sarimax(), {"params": fixed}
        elif warm is not None:
            fit_kwargs["start_params"] = warm.start("stl_arima", 2)
    if is_seasonal(y, m):
        from statsmodels.tsa.forecasting.stl import STLForecast
        res = STLForecast(y, model, period=m, robust=False, model_kwargs=kwargs).fit(
            fit_kwargs=fit_kwargs)
    else:
        res = model(y, **kwargs).fit(**fit_kwargs)
    if warm is not None:
        warm.keep("stl_arima", getattr(res, "model_result", res).params)
    n = len(y)
    if not bands:
        return np.asarray(res.forecast(h), dtype=float), None
    pred = res.get_prediction(start=n, end=n + h - 1)
    mean = np.asarray(pred.predicted_mean, dtype=float)
    out = {}
    for lv in LEVELS:
        sf = pred.summary_frame(alpha=1 - lv / 100)
        lo = sf["pi_lower"] if "pi_lower" in sf else sf["mean_ci_lower"]
        hi = sf["pi_upper"] if "pi_upper" in sf else sf["mean_ci_upper"]
        out[lv] = (lo.to_numpy(float), hi.to_numpy(float))
    return mean, out


@cache
def _fixed_sarimax() -> type:
    """SARIMAX whose fit() only filters with given parameters: STLForecast calls the model's fit
    itself, and this is how an updating origin passes it the parameters it carries."""
    from statsmodels.tsa.statespace.sarimax import SARIMAX

    class FixedSARIMAX(SARIMAX):
        def fit(self, params, **_):  # noqa: D102
            return self.filter(params, low_memory=True)
    return FixedSARIMAX


def _sarima(y: np.ndarray, h: int, m: int, bands: bool, warm: Warm | None = None) -> tuple[np.ndarray, Band | None]:
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


MODELS: dict[str, Callable[..., tuple[np.ndarray, Band | None]]] = {
    "snaive": _snaive, "hw": _hw, "theta": _theta, "stl_theta": _stl_theta,
    "ets": _ets, "stl_arima": _stl_arima, "sarima": _sarima,
}


def _combine(parts: Sequence[tuple[np.ndarray, Band | None]]) -> tuple[np.ndarray, Band | None]:
    mean = np.mean([p[0] for p in parts], axis=0)
    if any(p[1] is None for p in parts):
        return mean, None
    # Averaging the components' bounds keeps the interval centred on the combined mean.
    return mean, {lv: (np.mean([p[1][lv][0] for p in parts], axis=0),
                       np.mean([p[1][lv][1] for p in parts], axis=0)) for lv in LEVELS}


def run_models(y: np.ndarray, h: int, m: int, names: Sequence[str], bands: bool,
               warm: Warm | None = None) -> dict[str, tuple[np.ndarray, Band | None]]:
    """Fit each named model (combo and hedged from their parts); a model that fails is left out."""
    out = {}
    combined = set(COMBINED) & set(names)
    need = set(names) | (set(COMPONENTS) if combined else set()) | ({"snaive"} if "hedged" in names else set())
    # statsmodels adds "always show" filters for its warnings when first imported; imported inside
    # the block below, they would override its "ignore" and the operator's terminal fill with them.
    import statsmodels.tools.sm_exceptions  # noqa: F401
    with warnings.catch_warnings(), np.errstate(all="ignore"):
        warnings.simplefilter("ignore")
        for name in [k for k in MODELS if k in need]:
            try:
                mean, band = MODELS[name](y, h, m, bands, warm)
            except Exception:  # noqa: BLE001 - a model that cannot fit this series is no candidate
                continue
            if np.all(np.isfinite(mean)):
                out[name] = (mean, band)
    if combined and all(c in out for c in COMPONENTS):
        out["combo"] = _combine([out[c] for c in COMPONENTS])
        if "snaive" in out:
            out["hedged"] = _combine([out["combo"], out["snaive"]])
    return {k: v for k, v in out.items() if k in names}
