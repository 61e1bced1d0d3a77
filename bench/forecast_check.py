"""How often the forecast-interval rule's band holds a value it should hold: its false alarms.

    .venv/bin/python bench/forecast_check.py [--data m3 tourism-monthly tourism-quarterly] [--workers 2]

The rule (models/rules/indicators.py) compares a series' newest value with the interval that a
forecast from the data before it gave (models.series.one_step_check). Replayed here on the M3 and
Tourism series, none of which holds a planted surge: each series' training part plus the first
hold-out value is the store's series, the forecast is chosen on it as fit_series does, and the
check forecasts that newest value. Counted: how often it lies inside the 80%, 95% and 99% bands,
with the model's own spread and with the backtest's one-step error as its floor (what is used).
A 99% band that holds 97% of values raises three times the false alarms it promises.

Writes bench/results/forecast_check.json.
"""
from __future__ import annotations

import argparse
import os
import sys
from multiprocessing import Pool
from pathlib import Path

for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(var, "1")

import numpy as np  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from common import write  # noqa: E402
from forecast_m3 import DATASETS, load  # noqa: E402

from models import forecast as F, series as S  # noqa: E402
from models.seasonality import Z  # noqa: E402

LEVELS = {"80": Z[80], "95": Z[95], "99": 2.5758293035489004}


def one(s) -> list[float | None]:
    """|newest − forecast| / spread, with the model's own spread and with the backtest's floor."""
    x, xx, m = np.asarray(s.x, float), np.asarray(s.xx, float), int(s.period)
    y = np.append(x, xx[0])
    r = F.forecast(y, 12 if m == 12 else 8, m)  # models.series.horizon
    if not r.method:
        return [None, None]
    out = []
    for floor in (None, r.scores.get(r.method, {}).get("rmse1")):
        c = S.one_step_check(y, m, r.method, floor)
        out.append(abs(c["actual"] - c["mean"]) / c["sd"] if c and c["sd"] > 0 else None)
    return out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--data", nargs="+", default=list(DATASETS), choices=list(DATASETS))
    ap.add_argument("--workers", type=int, default=2)
    args = ap.parse_args()
    doc = {}
    for name in args.data:
        with Pool(args.workers) as pool:
            rows = [r for r in pool.map(one, load(name), chunksize=4) if None not in r]
        z = np.array(rows, dtype=float)
        doc[name] = {"series": len(z), **{
            kind: {lv: round(float(np.mean(z[:, i] <= q)), 3) for lv, q in LEVELS.items()}
            for i, kind in enumerate(("model_spread", "with_backtest_floor"))}}
        print(name, doc[name], flush=True)
    print(write("forecast_check", doc))


if __name__ == "__main__":
    main()
