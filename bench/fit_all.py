"""Time to fit every indicator x region series of the demo store (the background/cached job).

    .venv/bin/python bench/fit_all.py [--workers 2]

Builds a demo store in a temporary folder (end month 2026-10), then times
service.warnings.fit_forecasts (what runs after an import, in the background), the evaluation of
all rules with and without the cache, and reading the cache back (what a page view costs).
"""
from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from cockpit import alert_store  # noqa: E402
from service.bootstrap import load_demo  # noqa: E402
from cockpit.config import Settings  # noqa: E402
from cockpit.store import Store  # noqa: E402
from service import warnings  # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--workers", type=int, default=2)
    a = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        store = Store(f"sqlite:///{tmp}/cockpit.db", Settings(data_dir=Path(tmp), demo_on_empty=False))
        store.init()
        load_demo(store, tickets=4000, end="2026-10")
        t0 = time.perf_counter()
        recs = warnings.fit_forecasts(store, workers=a.workers)
        fit = time.perf_counter() - t0
        t0 = time.perf_counter()
        cached = warnings.cached_forecasts(store)
        read = time.perf_counter() - t0
        t0 = time.perf_counter()
        firing = warnings.evaluate(store, send=False)
        evaluate = time.perf_counter() - t0
        alerts = alert_store.alerts(store, ["firing"])
        interval = sorted(alerts[alerts.rule == "forecast_interval"].subject)
        methods: dict[str, int] = {}
        for r in recs.values():
            methods[r["method"] or "none"] = methods.get(r["method"] or "none", 0) + 1
        doc = {"series": len(recs), "workers": a.workers, "fit_seconds": round(fit, 1),
               "cache_read_seconds": round(read, 3), "evaluate_with_cache_seconds": round(evaluate, 1),
               "cache_bytes": warnings.cache_path(store).stat().st_size, "firing_after": firing,
               "forecast_interval_firing": interval,
               "shown": sum(r["shown"] for r in recs.values()), "methods": methods,
               "load_average_at_end": os.getloadavg(), "cpus": os.cpu_count(),
               "measured": time.strftime("%Y-%m-%d %H:%M")}
        assert cached == recs
        store.engine.dispose()
    out = ROOT / "bench" / "results" / "fit_all.json"
    out.write_text(json.dumps(doc, ensure_ascii=False, indent=1))
    print(json.dumps(doc, ensure_ascii=False, indent=1))


if __name__ == "__main__":
    main()
