"""Several cockpit processes behind a sticky load balancer on PostgreSQL (issue 14), measured as far as
one machine allows: the same crowd of sessions against one process and against N, both behind the
balancer, and against one process directly (what the balancer itself costs), in the same run.

    .venv/bin/python bench/peer_scale.py [--processes 2] [--sessions 10] [--tickets 200000]

A throwaway PostgreSQL (bench/pg.py) holds a steady demo store; the balancer is bench/lb.py (nginx in
production). Each session is a new Chromium context visiting every page, timed as bench/peer_sessions.py
times it. Writes bench/results/peer_scale.json: per setup the medians, the wall time of the crowd, every
process's CPU time and peak memory, and how many connections the balancer sent to each process.
"""
from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import ROOT, cockpit_env, ratio, steady_demo_store, write  # noqa: E402
from peer_pages import start, stop  # noqa: E402
from peer_sessions import cpu_seconds, crowd, peak_rss_mb  # noqa: E402
from lb import running, served  # noqa: E402
from pg import throwaway_postgres  # noqa: E402

sys.path.insert(0, str(ROOT))
from ui.nav import PAGES  # noqa: E402


def measure(env: dict, pages: list[str], sessions: int, processes: int, balanced: bool) -> dict:
    servers = [start("ours", env) for _ in range(processes)]
    try:
        for _, url, _ in servers:  # warm each: the first run's imports are not the sessions' wait
            asyncio.run(crowd(url, pages[:1], 1))
        with running([u for _, u, _ in servers]) if balanced else contextlib.nullcontext(servers[0][1]) as url:
            t0, cpu0 = time.perf_counter(), [cpu_seconds(p.pid) for p, _, _ in servers]
            visits = asyncio.run(crowd(url, pages, sessions))
            wall = time.perf_counter() - t0
            cpu = [round(cpu_seconds(p.pid) - c, 1) for (p, _, _), c in zip(servers, cpu0)]
            rss = [peak_rss_mb(p.pid) for p, _, _ in servers]
            taken = served(url) if balanced else None
    finally:
        for p, _, _ in servers:
            stop(p)
    return {"processes": processes, "balancer": balanced,
            "first_visit_median_s": round(statistics.median(v[0] for v in visits), 2),
            "all_visits_median_s": round(statistics.median(x for v in visits for x in v), 2),
            "wall_s": round(wall, 1), "server_cpu_s": cpu, "server_peak_rss_mb": rss,
            "connections_per_process": taken}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--processes", type=int, default=2)
    ap.add_argument("--sessions", type=int, default=10)
    ap.add_argument("--tickets", type=int, default=200_000)
    a = ap.parse_args()
    pages = [spec.url_path for spec in PAGES]
    with tempfile.TemporaryDirectory() as tmp, throwaway_postgres() as db_url:
        env = cockpit_env(db_url, tmp)
        steady_demo_store(env, a.tickets)
        direct = measure(env, pages, a.sessions, 1, balanced=False)
        one = measure(env, pages, a.sessions, 1, balanced=True)
        many = measure(env, pages, a.sessions, a.processes, balanced=True)
    doc = {"sessions": a.sessions, "tickets": a.tickets, "pages": len(pages), "store": "PostgreSQL",
           "direct": direct, "one_behind_balancer": one, "many_behind_balancer": many,
           "crowd_wall": {"one_s": one["wall_s"], "many_s": many["wall_s"], "ratio": ratio(many["wall_s"], one["wall_s"])},
           "all_visits_median": {"one_s": one["all_visits_median_s"], "many_s": many["all_visits_median_s"],
                                 "ratio": ratio(many["all_visits_median_s"], one["all_visits_median_s"])},
           "balancer_cost": {"direct_s": direct["all_visits_median_s"], "balanced_s": one["all_visits_median_s"],
                             "ratio": ratio(one["all_visits_median_s"], direct["all_visits_median_s"])}}
    print(write("peer_scale", doc))
    print(json.dumps({k: doc[k] for k in ("crowd_wall", "all_visits_median", "balancer_cost")}, ensure_ascii=False))
    print(json.dumps(many, ensure_ascii=False))


if __name__ == "__main__":
    main()
