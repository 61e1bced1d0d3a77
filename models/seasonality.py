"""What every candidate model shares: the interval levels, and the seasonality test and classical
seasonal indices of the M3 benchmarks."""
from __future__ import annotations

import math

import numpy as np

LEVELS = (80, 95)
Z = {80: 1.2815515655446004, 95: 1.959963984540054}
Band = dict[int, tuple[np.ndarray, np.ndarray]]  # level -> (lower, upper)


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
    return bool(abs(acf[m]) > limit)


Season = tuple[np.ndarray, bool]  # one index per position mod m; multiplicative?


def classical_index(y: np.ndarray, m: int) -> Season:
    """Classical decomposition's indices (multiplicative for a positive series), as statsmodels'
    ThetaModel deseasonalises too."""
    from statsmodels.tsa.seasonal import seasonal_decompose
    multiplicative = bool(np.all(y > 0))
    dec = seasonal_decompose(y, period=m, model="multiplicative" if multiplicative else "additive",
                             two_sided=True)
    return np.asarray(dec.seasonal)[:m], multiplicative


def seasonal_index(y: np.ndarray, m: int) -> Season | None:
    """classical_index, or None when the series fails the seasonality test."""
    return classical_index(y, m) if is_seasonal(y, m) else None


def _season_at(idx: np.ndarray, start: int, count: int) -> np.ndarray:
    m = len(idx)
    return idx[(start + np.arange(count)) % m]


def adjust(y: np.ndarray, season: Season | None) -> np.ndarray:
    """y with the season taken off (unchanged without one)."""
    if season is None:
        return y
    idx, mult = season
    s = _season_at(idx, 0, len(y))
    return y / s if mult else y - s


def reseason(a: np.ndarray, season: Season | None, start: int) -> np.ndarray:
    """Adjusted values from position `start` on with the season put back."""
    if season is None:
        return a
    idx, mult = season
    s = _season_at(idx, start, len(a))
    return a * s if mult else a + s
