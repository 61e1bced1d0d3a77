"""Time every database query the 社情民意 page runs, on a large 12345 store.

    .venv/bin/python bench/hotline_5m.py --db /path/to/big.db     # SQLite file, opened read-only
    .venv/bin/python bench/hotline_5m.py --db-url postgresql+psycopg://...

The page caches each result on the data version, so a leader waits for these once per
upload; the figures are the cold time of each query (median of --repeat runs, SQLite page
cache warm after the first). Writes bench/results/hotline_5m.json.
"""
from __future__ import annotations

import argparse
import json
import platform
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import create_engine, func, select  # noqa: E402

from cockpit import hotline, schema as s  # noqa: E402
from cockpit.store import Store  # noqa: E402


class ReadOnlyStore(Store):
    """The store's read API over an engine that cannot write (no migration, no pragmas)."""

    def __init__(self, engine):
        self.attach(engine)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--db", default="/tmp/big.db", help="SQLite file (opened read-only)")
    ap.add_argument("--db-url", default=None, help="any SQLAlchemy URL instead of --db")
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--page-db", default=None,
                    help="a writable COPY of the store: also time the whole page in AppTest (it migrates the copy)")
    args = ap.parse_args()
    engine = create_engine(args.db_url) if args.db_url else create_engine(f"sqlite:///file:{args.db}?mode=ro&uri=true")
    store = ReadOnlyStore(engine)
    with engine.connect() as conn:
        n = conn.execute(select(func.count()).select_from(s.hotline_tickets)).scalar()

    first, last = hotline.span(store)
    end = hotline.anchor_end(last)
    period = hotline.periods.month_key(last)
    month = hotline.month_window(period, end)
    week = hotline.last_days(end, 7)
    queries = {
        "span (first/newest ticket)": lambda: hotline.span(store),
        "summary, last 7 days, city": lambda: hotline.summary(store, week, end),
        "summary, previous 7 days, city": lambda: hotline.summary(store, hotline.previous_window(week), end),
        "summary, month to date, city": lambda: hotline.summary(store, month, end),
        "summary, last 7 days, 睢阳区": lambda: hotline.summary(store, week, end, "411403"),
        "open overdue (count + 200 longest)": lambda: hotline.open_overdue(store, end),
        "surge: category x county, 7 vs 28 days": lambda: hotline.surge(store, end),
        "category growth (week, last week, month, last year)": lambda: hotline.category_growth(store, end, month),
        "volume by day (90 buckets)": lambda: hotline.volume(store, hotline.bucket_edges(end, "day", first)),
        "volume by week (52 buckets)": lambda: hotline.volume(store, hotline.bucket_edges(end, "week", first)),
        "volume by month (all months)": lambda: hotline.volume(store, hotline.bucket_edges(end, "month", first)),
        "volume by month, 睢阳区": lambda: hotline.volume(store, hotline.bucket_edges(end, "month", first), "411403"),
        "volume by week, 供暖": lambda: hotline.volume(store, hotline.bucket_edges(end, "week", first), None, "供暖"),
        "county counts, last 7 days (map)": lambda: hotline.counts_by(store, week, ("region_code",)),
        "county counts, previous 7 days (map)": lambda: hotline.counts_by(store, hotline.previous_window(week),
                                                                         ("region_code",)),
    }
    timings = {}
    for name, fn in queries.items():
        runs = []
        for _ in range(args.repeat):
            t0 = time.perf_counter()
            fn()
            runs.append(time.perf_counter() - t0)
        timings[name] = {"first_s": round(runs[0], 3), "median_s": round(statistics.median(runs), 3)}
        print(f"{runs[0]:7.3f}s  {statistics.median(runs):7.3f}s  {name}", flush=True)
    # What a leader waits for on a cold page (default view: city, last 7 days, daily volume).
    cold_page = [k for k in timings if not k.endswith(("睢阳区", "供暖")) and "by week" not in k and "by month" not in k
                 and "month to date" not in k]
    result = {
        "tickets": int(n), "backend": engine.dialect.name, "newest_ticket": last.isoformat(sep=" "),
        "queries": timings,
        "default_page_total_first_s": round(sum(timings[k]["first_s"] for k in cold_page), 2),
        "python": platform.python_version(), "machine": f"{platform.machine()}, {__import__('os').cpu_count()} cores",
        "measured_on": time.strftime("%Y-%m-%d"),
    }
    if args.page_db:
        result["page_apptest_s"] = page_timings(args.page_db)
    out = Path(__file__).parent / "results" / "hotline_5m.json"
    out.parent.mkdir(exist_ok=True)
    out.write_text(json.dumps(result, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    print(json.dumps({k: v for k, v in result.items() if k != "queries"}, ensure_ascii=False))


def page_timings(path: str) -> dict[str, float]:
    """The 社情民意 page as Streamlit runs it: cold (empty cache), warm, and a few interactions."""
    import os

    os.environ.update({"COCKPIT_DB_URL": f"sqlite:///{path}", "COCKPIT_CONFIG": "",
                       "COCKPIT_DEMO_ON_EMPTY": "false"})
    from streamlit.testing.v1 import AppTest
    at = AppTest.from_file(str(Path(__file__).resolve().parents[1] / "app.py"), default_timeout=600)
    at.run()
    out = {}

    def step(name, action):
        t0 = time.perf_counter()
        action()
        out[name] = round(time.perf_counter() - t0, 2)
        assert not at.exception, [e.message for e in at.exception]
        print(f"{out[name]:7.2f}s  page: {name}", flush=True)
    step("open, cold cache", lambda: at.switch_page("pages/hotline.py").run())
    step("rerun, warm cache", lambda: at.run())
    step("drill to 睢阳区 (cold)", lambda: at.selectbox(key="f_region").set_value("411403").run())
    step("volume by month (cold)", lambda: at.radio(key="hl_grain").set_value("month").run())
    step("window 近 30 日 (cold)", lambda: at.radio(key="hl_window").set_value("30d").run())
    step("back to the city", lambda: at.button(key="f_back").click().run())
    return out


if __name__ == "__main__":
    main()
