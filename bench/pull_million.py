"""Pull 1,000,000 12345 tickets from a SQL source into an empty store, then one more day incrementally.

    .venv/bin/python bench/pull_million.py [--tickets 1000000] [--db-url postgresql+psycopg://...]

The source is a second SQLite file made by tests/fixtures/million.py; the store is a fresh SQLite
file unless --db-url names another (it is emptied first). Writes bench/results/pull_million.json.
"""
from __future__ import annotations

import argparse
import json
import platform
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from cockpit import schema as s  # noqa: E402
from cockpit.config import Settings  # noqa: E402
from cockpit.store import Store  # noqa: E402
from service import sources as S  # noqa: E402
from service.sources_run import pull  # noqa: E402
from tests.fixtures.million import add_day, make_source, sources_toml  # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--tickets", type=int, default=1_000_000)
    ap.add_argument("--db-url", default=None)
    a = ap.parse_args()
    work = Path(tempfile.mkdtemp(prefix="pull-million-"))
    t0 = time.perf_counter()
    db = make_source(work / "hotline.db", a.tickets)
    made = time.perf_counter() - t0
    store = Store(a.db_url or f"sqlite:///{work / 'cockpit.db'}", Settings(data_dir=work, demo_on_empty=False))
    store.init()
    config = S.load((work / "sources.toml").write_text(sources_toml(db), encoding="utf-8") and work / "sources.toml")
    t0, c0 = time.perf_counter(), time.process_time()
    (first,) = pull(store, config, ["hotline"])
    full, full_cpu = time.perf_counter() - t0, time.process_time() - c0
    new, closed = add_day(db)
    t0, c0 = time.perf_counter(), time.process_time()
    (day,) = pull(store, config, ["hotline"])
    incremental, day_cpu = time.perf_counter() - t0, time.process_time() - c0
    result = {"tickets": a.tickets, "store": store.engine.dialect.name, "source_made_s": round(made, 1),
              "full_pull_s": round(full, 1), "full_pull_cpu_s": round(full_cpu, 1), "full_rows": first.rows,
              "full_written": first.written, "day_pull_s": round(incremental, 2), "day_pull_cpu_s": round(day_cpu, 2), "day_rows": day.rows, "day_written": day.written,
              "day_expected": new + closed, "stored": store.count(s.hotline_tickets),
              "load_average": [round(x, 1) for x in __import__("os").getloadavg()],
              "machine": f"{platform.machine()}, {platform.python_version()}", "at": time.strftime("%Y-%m-%d %H:%M")}
    print(json.dumps(result, ensure_ascii=False, indent=1))
    out = ROOT / "bench" / "results" / "pull_million.json"
    out.write_text(json.dumps(result, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
