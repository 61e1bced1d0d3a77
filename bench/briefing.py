"""The monthly briefing pack of the demo store with a warm renderer: goal under 15 s (issue 12).

    .venv/bin/python bench/briefing.py [--runs 3] [--db sqlite:///…]

Without --db, a demo store (4,000 tickets, data to 2026-10) is made in a temporary folder first.
The renderer (kaleido + Debian's Chromium) is started and warmed before timing, as on a server that
has drawn a picture before; each run makes the city pack (content, commentary, its charts drawn,
PPTX, PDF, XLSX) through service.briefing.make, the path of the page and the command line.
Writes bench/results/briefing.json.
"""
from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from cockpit.config import Settings  # noqa: E402
from cockpit.store import Store  # noqa: E402
from service import briefing, briefing_render  # noqa: E402

MONTH = "2026-10"


def demo_store(folder: Path) -> str:
    from service.bootstrap import load_demo
    url = f"sqlite:///{folder / 'cockpit.db'}"
    s = Store(url, Settings(data_dir=folder, demo_on_empty=False))
    s.init()
    load_demo(s, tickets=4000, end=MONTH)
    return url


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--db", default=None)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        url = args.db or demo_store(Path(tmp))
        store = Store(url, Settings(data_dir=Path(tmp), demo_on_empty=False))
        t = time.perf_counter()
        briefing_render.start()
        start = time.perf_counter() - t
        today = dt.date(2026, 11, 20)
        briefing.make(store, MONTH, today=today)  # warm: the first picture loads plotly.js in the tab
        steps: dict[str, list[float]] = {}
        runs = []
        for _ in range(args.runs):
            marks: list[tuple[float, str]] = []
            t = time.perf_counter()
            files = briefing.make(store, MONTH, today=today,
                                  progress=lambda _f, text, marks=marks: marks.append((time.perf_counter(), text)))
            runs.append(time.perf_counter() - t)
            # each step lasts from its message to the next one; the chart steps are added up
            for (at, text), (nxt, _) in zip(marks, marks[1:]):
                name = text.split(" ")[0].split("：")[0]
                steps.setdefault(name, [0.0] * args.runs)[len(runs) - 1] += nxt - at
    result = {
        "what": f"city briefing pack of the demo store ({len(files.pack.charts)} charts, PPTX + PDF + XLSX), warm renderer",
        "goal_s": 15, "runs_s": [round(r, 2) for r in runs], "median_s": round(statistics.median(runs), 2),
        "renderer_start_s": round(start, 2),
        "steps_median_s": {k: round(statistics.median(v), 2) for k, v in steps.items()},
        "sizes_bytes": {k: len(v) for k, v in files.data.items()},
        "load_average": os.getloadavg()[0], "machine": f"{platform.machine()} {os.cpu_count()} cores",
        "python": platform.python_version(), "date": dt.date.today().isoformat(),
    }
    out = ROOT / "bench" / "results" / "briefing.json"
    out.write_text(json.dumps(result, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    print(json.dumps(result, ensure_ascii=False, indent=2))


if __name__ == "__main__":
    main()
