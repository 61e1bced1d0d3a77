"""Time the demo generator + store load for a given ticket volume, as `python -m cockpit demo` does
it: the warning rules' first evaluation runs after the load in the background, and is timed here
on its own (`rules_seconds`).

    .venv/bin/python bench/demo_load.py --tickets 5000000 [--db-url URL]

Writes bench/results/demo_load-<tickets>.json with wall time and peak memory.
"""
from __future__ import annotations

import argparse
import json
import platform
import resource
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from cockpit import schema as s  # noqa: E402
from service import warnings  # noqa: E402
from service.bootstrap import load_demo  # noqa: E402
from cockpit.config import Settings  # noqa: E402
from cockpit.store import Store  # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--tickets", type=int, default=200_000)
    ap.add_argument("--db-url", default=None)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        url = args.db_url or f"sqlite:///{tmp}/bench.db"
        store = Store(url, Settings(data_dir=Path(tmp), demo_on_empty=False))
        store.init()
        t0 = time.perf_counter()
        load_demo(store, tickets=args.tickets, end="2026-10", evaluate=False)
        seconds = time.perf_counter() - t0
        t0 = time.perf_counter()
        warnings.evaluate(store)
        rules = time.perf_counter() - t0
        result = {"tickets": store.count(s.hotline_tickets), "seconds": round(seconds, 1),
                  "rules_seconds": round(rules, 1),
                  "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
                  "backend": store.engine.dialect.name, "python": platform.python_version(),
                  "machine": f"{platform.machine()}, {__import__('os').cpu_count()} cores"}
    out = Path(__file__).parent / "results" / f"demo_load-{args.tickets}.json"
    out.parent.mkdir(exist_ok=True)
    out.write_text(json.dumps(result, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    print(json.dumps(result, ensure_ascii=False))


if __name__ == "__main__":
    main()
