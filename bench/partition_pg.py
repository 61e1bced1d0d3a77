"""Monthly partitions of the 12345 tickets on PostgreSQL, beside the plain table the cockpit has
(bench/SCALE.md, "Partitioned ticket tables"): the same demo tickets in both, with the same indexes;
the page's raw-ticket queries on each; and all but the last 12 months taken out of each, by DELETE
of their rows from the plain table and by DETACH + DROP of their partitions.

    .venv/bin/python bench/partition_pg.py [--tickets 5000000] [--db-url postgresql+psycopg://...]

Without --db-url it starts a throwaway PostgreSQL (bench/pg.py). Nothing of the cockpit changes:
the partitioned copy is made here, in SQL, next to the store `python -m cockpit demo` loaded.
Writes bench/results/partition_pg-<size>.json (partition_pg-5m.json for 5,000,000).
"""
from __future__ import annotations

import argparse
import datetime as dt
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import create_engine  # noqa: E402

from common import PY, cockpit_env, median_of, wait_for_background, whole_process, write  # noqa: E402
from pg import throwaway_postgres  # noqa: E402

PLAIN, PART = "hotline_tickets", "hotline_part"
# The indexes of cockpit/schema.py's hotline_tickets (the keyed-record unique index aside: on a
# partitioned table a unique index must hold the partition key, which is the migration's problem).
INDEXES = ["{t} (region_code, created_at)",
           "{t} (due_at, id, created_at, region_code, category) WHERE closed_at IS NULL",
           "{t} (created_at, category, region_code)"]


def queries(end: dt.datetime) -> dict[str, tuple[str, dict]]:
    """What the pages ask of the raw tickets (cockpit/hotline.py; most counts read the daily
    aggregate, which partitions do not touch), in the form peer_hotline.py gives DuckDB."""
    week0, d30 = end - dt.timedelta(days=7), end - dt.timedelta(days=30)
    return {
        "open overdue (count + 200 longest)": (
            "SELECT id, created_at, region_code, category, channel, due_at, count(*) OVER () AS total FROM {t} "
            "WHERE closed_at IS NULL AND due_at < %(end)s ORDER BY due_at, id LIMIT 200", {"end": end}),
        "tickets per day, 30 days": (
            "SELECT date_trunc('day', created_at) AS d, count(*) FROM {t} WHERE created_at >= %(a)s "
            "AND created_at < %(b)s GROUP BY 1 ORDER BY 1", {"a": d30, "b": end}),
        "summary, last 7 days, city": (
            "SELECT count(*), count(closed_at), count(satisfaction), "
            "sum(CASE WHEN satisfaction IN ('满意','基本满意') THEN 1 ELSE 0 END), "
            "sum(CASE WHEN (closed_at IS NULL AND due_at < %(end)s) OR closed_at > due_at THEN 1 ELSE 0 END) "
            "FROM {t} WHERE created_at >= %(a)s AND created_at < %(end)s", {"end": end, "a": week0}),
        "one county, one month, by category": (
            "SELECT category, count(*) FROM {t} WHERE region_code = '411402' AND created_at >= %(a)s "
            "AND created_at < %(b)s GROUP BY 1", {"a": dt.datetime(end.year, end.month, 1), "b": end}),
    }


def months(first: dt.datetime, last: dt.datetime) -> list[dt.date]:
    out, d = [], dt.date(first.year, first.month, 1)
    while d <= last.date():
        out.append(d)
        d = dt.date(d.year + d.month // 12, d.month % 12 + 1, 1)
    return out + [d]  # the bound after the last month


def timed(conn, sql: str, params: dict | None = None) -> float:
    t0 = time.perf_counter()
    conn.exec_driver_sql(sql, params or {})
    return round(time.perf_counter() - t0, 3)


def run(url: str, tickets: int, repeat: int) -> dict:
    with tempfile.TemporaryDirectory() as tmp:
        load = whole_process([PY, "-m", "cockpit", "demo", "--tickets", str(tickets), "--end", "2026-10"],
                             cockpit_env(url, tmp))
        wait_for_background(url)
    engine = create_engine(url, isolation_level="AUTOCOMMIT")
    doc: dict = {"tickets": tickets, "demo_load_s": load["seconds"]}
    with engine.connect() as conn:
        first, last, n = conn.exec_driver_sql(f"SELECT min(created_at), max(created_at), count(*) FROM {PLAIN}").one()
        bounds = months(first, last)
        conn.exec_driver_sql(f"CREATE TABLE {PART} (LIKE {PLAIN} INCLUDING DEFAULTS) PARTITION BY RANGE (created_at)")
        for lo, hi in zip(bounds, bounds[1:]):
            conn.exec_driver_sql(f"CREATE TABLE {PART}_{lo:%Y%m} PARTITION OF {PART} FOR VALUES FROM ('{lo}') TO ('{hi}')")
        doc["partitions"] = len(bounds) - 1
        doc["copy_s"] = timed(conn, f"INSERT INTO {PART} SELECT * FROM {PLAIN}")
        doc["index_s"] = round(sum(timed(conn, "CREATE INDEX ON " + ix.format(t=PART)) for ix in INDEXES), 3)
        for t in (PLAIN, PART):
            conn.exec_driver_sql(f"VACUUM (ANALYZE) {t}")
        doc["size_mb"] = {t: round(conn.exec_driver_sql(
            "SELECT sum(pg_total_relation_size(c.oid)) FROM pg_class c WHERE c.relname = %(t)s "
            "OR c.oid IN (SELECT inhrelid FROM pg_inherits WHERE inhparent = %(t)s::regclass)", {"t": t}).scalar()
            / 2**20) for t in (PLAIN, PART)}
        doc["queries_s"] = {}
        for name, (sql, params) in queries(last).items():
            both = {}
            for t in (PLAIN, PART):  # warm, then the median of `repeat`
                conn.exec_driver_sql(sql.format(t=t), params)
            for t in (PLAIN, PART):
                both[t] = median_of(lambda: conn.exec_driver_sql(sql.format(t=t), params).all(), repeat)[0]
            doc["queries_s"][name] = {"plain": both[PLAIN], "partitioned": both[PART]}
        # Everything older than the last 12 months out of each: the archive a city runs once its
        # retention period has passed.
        cut = bounds[-13]
        old = [lo for lo in bounds[:-1] if lo < cut]
        gone = conn.exec_driver_sql(f"SELECT count(*) FROM {PLAIN} WHERE created_at < %(cut)s", {"cut": cut}).scalar()
        doc["archive"] = {"before": f"{cut}", "months": len(old), "tickets": gone}
        doc["archive"]["plain_delete_s"] = timed(conn, f"DELETE FROM {PLAIN} WHERE created_at < %(cut)s", {"cut": cut})
        doc["archive"]["plain_vacuum_s"] = timed(conn, f"VACUUM {PLAIN}")  # the space reused, index-only scans again
        t0 = time.perf_counter()
        for lo in old:
            conn.exec_driver_sql(f"ALTER TABLE {PART} DETACH PARTITION {PART}_{lo:%Y%m}")
            conn.exec_driver_sql(f"DROP TABLE {PART}_{lo:%Y%m}")
        doc["archive"]["partitions_detach_drop_s"] = round(time.perf_counter() - t0, 3)
        left = {t: conn.exec_driver_sql(f"SELECT count(*) FROM {t}").scalar() for t in (PLAIN, PART)}
        assert left[PLAIN] == left[PART] == n - gone, left
    engine.dispose()
    return doc


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--tickets", type=int, default=5_000_000)
    ap.add_argument("--db-url")
    ap.add_argument("--repeat", type=int, default=15)
    a = ap.parse_args()
    if a.db_url:
        doc = run(a.db_url, a.tickets, a.repeat)
    else:
        with throwaway_postgres() as url:
            doc = run(url, a.tickets, a.repeat)
    size = f"{a.tickets // 1_000_000}m" if a.tickets % 1_000_000 == 0 else str(a.tickets)
    print(write(f"partition_pg-{size}", doc))
    print(doc)


if __name__ == "__main__":
    main()
