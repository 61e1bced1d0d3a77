"""The Theta method's candidates: Theta on the series (statsmodels' ThetaModel, and the same point
forecast computed directly for the backtest) and STL + Theta."""
from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from .seasonality import LEVELS, Band, adjust, classical_index, is_seasonal, reseason

if TYPE_CHECKING:
    from .candidates import Warm


def _theta(y: np.ndarray, h: int, m: int, bands: bool, warm: Warm | None = None) -> tuple[np.ndarray, Band | None]:
    return _theta_on(y, h, m, is_seasonal(y, m), bands)


def _theta_on(y: np.ndarray, h: int, m: int, seasonal: bool, bands: bool) -> tuple[np.ndarray, Band | None]:
    if not bands:
        return _theta_point(y, h, m, seasonal), None
    from statsmodels.tsa.forecasting.theta import ThetaModel
    method = "multiplicative" if np.all(y > 0) else "additive"
    res = ThetaModel(y, period=max(m, 1), deseasonalize=seasonal, use_test=False,
                     method=method).fit()
    mean = np.asarray(res.forecast(h), dtype=float)
    # statsmodels estimates sigma2 by fitting a SARIMAX per call (0.5 s); the one-step errors
    # of the same IMA(1,1)-with-drift form give it in microseconds.
    res._sigma2 = _ima_sigma2(np.asarray(res.model._y, dtype=float), float(res.params.iloc[1]))
    out = {}
    for lv in LEVELS:
        pi = res.prediction_intervals(h, alpha=1 - lv / 100)
        out[lv] = (pi["lower"].to_numpy(float), pi["upper"].to_numpy(float))
    return mean, out


def _theta_point(y: np.ndarray, h: int, m: int, seasonal: bool) -> np.ndarray:
    """ThetaModel's point forecast (theta = 2) without its state-space SES fit, which was half of
    a backtest's time: the trend line by least squares, SES's alpha minimising the one-step
    errors, then Hyndman & Billah's drift and the season back on. tests/test_forecast.py checks
    it against ThetaModel on real series."""
    n = len(y)
    season = classical_index(y, m) if seasonal else None
    z = adjust(y, season)
    slope = float(np.polyfit(np.arange(n, dtype=float), z, 1)[0])
    alpha = _ses_alpha(z)
    steps = np.arange(h, dtype=float) + 1 / alpha - (1 - alpha) ** n / alpha
    return reseason(_ses_levels(z, alpha)[-1] + 0.5 * slope * steps, season, n)


def _ses_levels(z: np.ndarray, alpha: float) -> np.ndarray:
    """SES levels from a first level of z[0], as ThetaModel starts it."""
    from scipy.signal import lfilter
    return lfilter([alpha], [1.0, alpha - 1.0], z, zi=[(1.0 - alpha) * z[0]])[0]


def _ses_sse(z: np.ndarray, alpha: float) -> float:
    return float(np.sum((z[1:] - _ses_levels(z, alpha)[:-1]) ** 2))


def _ses_alpha(z: np.ndarray) -> float:
    """alpha in statsmodels' bounds with the least one-step squared error. The errors can dip
    twice over (0, 1): the best of a coarse grid first, then a bounded search around it, where a
    search alone (or statsmodels' optimiser) may settle in the higher dip."""
    from scipy.optimize import minimize_scalar
    grid = np.linspace(1e-4, 1 - 1e-4, 21)
    i = int(np.argmin([_ses_sse(z, a) for a in grid]))
    return float(minimize_scalar(lambda a: _ses_sse(z, a), bounds=(grid[max(i - 1, 0)], grid[min(i + 1, 20)]),
                                 method="bounded", options={"xatol": 1e-6}).x)


def _stl_theta(y: np.ndarray, h: int, m: int, bands: bool, warm: Warm | None = None) -> tuple[np.ndarray, Band | None]:
    if not is_seasonal(y, m):
        return _theta_on(y, h, m, False, bands)
    from statsmodels.tsa.seasonal import STL
    season = np.asarray(STL(y, period=m, robust=False).fit().seasonal)
    ahead = season[-m:][np.arange(h) % m]  # as STLForecast does: the last year's season again
    mean, band = _theta_on(y - season, h, m, False, bands)
    return mean + ahead, {lv: (lo + ahead, hi + ahead) for lv, (lo, hi) in band.items()} if band else None


def _ima_sigma2(y: np.ndarray, alpha: float) -> float:
    dy = np.diff(y)
    if len(dy) < 2:
        return float(np.var(y)) or 1e-12
    theta, c, e, prev = alpha - 1, float(dy.mean()), np.empty(len(dy)), 0.0
    for i, d in enumerate(dy):
        prev = d - c - theta * prev
        e[i] = prev
    return float(np.mean(e ** 2))
