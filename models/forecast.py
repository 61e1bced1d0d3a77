"""Forecasts a leader can trust: candidates (models.candidates) chosen per series by a
rolling-origin backtest.

`forecast(y, h, period)` backtests every candidate from six rolling origins over the last
12-24 points (each forecasting up to h ahead), keeps the combination unless another candidate's
MASE is far lower (`choose`), shows only a model that beat seasonal naive (`trusted`), and refits
it on the whole series with 80% and 95% prediction intervals. Short, constant or gappy input falls back
to something simple and `reason` says why, in Chinese, for the page. The store's series and the
cache records live in models.series.
"""
from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from .candidates import LEVELS, Band, Warm, _snaive, run_models

# Part of the forecast cache's key (service.warnings.cache_path): change it with the candidates or
# the choice, and stores refit after the upgrade instead of showing forecasts of the old models.
VERSION = "2026-12-07.2"
DEFAULT_CANDIDATES = ("snaive", "hw", "theta", "stl_theta", "combo", "hedged")
LABELS = {
    "snaive": "季节性朴素（基准）", "naive": "朴素外推", "constant": "常数",
    # θ, as Chinese texts write the method: "Theta" was the one English word left on /warnings' charts
    "hw": "季节指数平滑（霍尔特-温特斯）", "theta": "θ 法", "stl_theta": "STL 分解 + θ 法",
    "combo": "组合预测（霍尔特-温特斯、θ 法、STL-θ 平均）",
    "hedged": "组合预测与季节性朴素各半",
    # optional candidates
    "ets": "指数平滑（阻尼趋势 ETS）", "stl_arima": "STL 分解 + ARIMA(1,1,1)", "sarima": "季节 ARIMA",
}


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
    """Mean MASE and sMAPE of each candidate over the rolling origins. Parameters are
    re-estimated at every other origin (every 8 points of 24), each fit starting from the
    previous one's; the origins between re-run the models with the parameters they carry
    (candidates.Warm). Six origins at about half the cost of cold fits at each, as accurate on
    the first 100 and 300 M3 series (bench/forecast.md)."""
    errs: dict[str, list[tuple[float, float, float]]] = {k: [] for k in names}
    warm = Warm()
    for i, o in enumerate(origins(len(y), m, window)):
        warm.refit = i % 2 == 0
        train, test = y[:o], y[o:o + h]
        for name, (mean, _) in run_models(train, len(test), m, names, bands=False, warm=warm).items():
            errs[name].append((mase(train, test, mean, m), smape(test, mean), test[0] - mean[0]))
    # rmse1: the one-step errors out of sample, which the forecast-interval rule's band may not be
    # narrower than (models.series.one_step_check).
    return {k: {"mase": float(np.nanmean([e[0] for e in v])), "smape": float(np.mean([e[1] for e in v])),
                "rmse1": float(np.sqrt(np.mean([e[2] ** 2 for e in v])))}
            for k, v in errs.items() if v and not np.all(np.isnan([e[0] for e in v]))}


# Measured on M3 and Tourism (bench/forecast.md): with this combination a 24-point backtest's
# choice of a single model beat it on average only where the single model was far ahead.
COMBO_MARGIN = 0.5


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
    # The final fits start cold: warm-started from the last origin they were less accurate on M3.
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


def from_record(rec: dict, steps: int | None = None) -> Result:
    """A cached record (fit_series) back as a Result, cut to `steps`."""
    k = steps or len(rec["mean"])
    bands = {lv: (np.asarray(rec[f"lo{lv}"][:k]), np.asarray(rec[f"hi{lv}"][:k])) for lv in LEVELS}
    return Result(rec["method"], np.asarray(rec["mean"][:k]), bands, rec.get("scores", {}), rec["reason"],
                  rec["n"], rec["period"], shown=rec["shown"], notes=rec.get("notes", []))
