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
