"""12345 tickets per day × county × category: the one aggregate the pages' counts read.

The pages count tickets over whole days (windows end at midnight), so a count over millions of
tickets is a sum over at most days × counties × categories rows. The aggregate is defined by
`refresh` (a GROUP BY of hotline_tickets; `count_frame` counts the same in pandas for a first
load into an empty table) and stamped with the tickets' version (the state
of their batches). Every ingest (uploads, connectors' pulls and their in-place updates, the demo)
refreshes the days it touched in its own transaction; any other change of the batches (a
rollback, a demo retire, a restore) leaves the stamp stale, and the next read rebuilds the whole
aggregate first. A store the aggregate cannot be made current in (read-only, or another process
rebuilding at the same moment) is counted from the raw tickets instead.
"""
from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable

import pandas as pd
from sqlalchemy import Date, case, cast, delete, func, insert, select
from sqlalchemy.engine import Result
from sqlalchemy.exc import DBAPIError

from . import schema as s
from .bulk import bulk_insert

log = logging.getLogger(__name__)
D, T = s.hotline_daily, s.hotline_tickets
STATE = s.hotline_daily_state


def day_of(conn, column):
    # SQLite's CAST(... AS DATE) is numeric affinity ("2026"); date() gives the ISO day.
    return func.date(column) if conn.dialect.name == "sqlite" else cast(column, Date)


def _version_of(*first):
    b = s.upload_batches.c
    return select(*first, func.count(), func.max(b.id), func.max(b.rolled_back_at),
                  func.sum(case((b.status == "committed", 1), else_=0))).where(b.dataset == "hotline_tickets")


def version(conn) -> str:
    """The state of the tickets: their batches (a new one per ingest; rollbacks stamp theirs)."""
    return ":".join(str(x) for x in conn.execute(_version_of()).one())


_CURRENT = _version_of(select(STATE.c.version).where(STATE.c.id == 1).scalar_subquery())  # built once: 0.3 ms a call


def current(conn) -> bool:
    """Whether the aggregate's stamp is the tickets' version, in one round trip: every count a
    page makes asks first."""
    row = conn.execute(_CURRENT).one()
    return row[0] == ":".join(str(x) for x in row[1:])


SATISFIED = ("满意", "基本满意")
COUNTS = ("tickets", "closed", "surveyed", "satisfied", "closed_late")


def _counts():
    """Per day × county × category, in the order of COUNTS (the one definition; `count_frame` is
    the same in pandas)."""
    c = T.c
    return (func.count(), func.count(c.closed_at), func.count(c.satisfaction),
            func.sum(case((c.satisfaction.in_(SATISFIED), 1), else_=0)),
            func.sum(case((c.closed_at > c.due_at, 1), else_=0)))


def count_frame(tickets: pd.DataFrame) -> pd.DataFrame:
    created, closed = pd.to_datetime(tickets["created_at"]), pd.to_datetime(tickets["closed_at"])
    f = pd.DataFrame({"day": created.to_numpy().astype("datetime64[D]"),  # numpy: no date object per ticket
                      "region_code": tickets["region_code"], "category": tickets["category"],
                      "tickets": 1, "closed": closed.notna(),
                      "surveyed": tickets["satisfaction"].notna(),
                      "satisfied": tickets["satisfaction"].isin(SATISFIED),
                      "closed_late": closed > pd.to_datetime(tickets["due_at"])})
    counts = f.groupby(["day", "region_code", "category"], observed=True, sort=False)[list(COUNTS)].sum()
    counts = counts.astype(int).reset_index()
    counts["day"] = counts["day"].dt.date
    return counts


def refresh(conn, start: dt.date | None = None, stop: dt.date | None = None) -> None:
    """Recount the days [start, stop) from the tickets (all days without bounds), then stamp."""
    day = day_of(conn, T.c.created_at)
    counted = select(day.label("day"), T.c.region_code, T.c.category, *_counts())
    if start is not None:
        lo, hi = (dt.datetime.combine(d, dt.time()) for d in (start, stop))
        conn.execute(delete(D).where(D.c.day >= start, D.c.day < stop))
        counted = counted.where(T.c.created_at >= lo, T.c.created_at < hi)
    else:
        conn.execute(delete(D))
    conn.execute(insert(D).from_select(["day", "region_code", "category", *COUNTS],
                                       counted.group_by(day, T.c.region_code, T.c.category)))
    _stamp(conn)


def _stamp(conn) -> None:
    conn.execute(delete(STATE))
    conn.execute(insert(STATE).values(id=1, version=version(conn)))


def after_write(conn, was_current: bool, times: list, first: pd.DataFrame | None = None) -> None:
    """In an ingest's transaction, after its tickets are written: recount the days of `times`
    (the new tickets' and the replaced ones' created_at), or everything if it was stale. `first`:
    for a write into an empty table, count_frame of its tickets, which are all there is: counted
    in pandas rather than read back (the GROUP BY took 9.5 s of a 5,000,000-ticket load)."""
    times = [t for t in times if t is not None]
    if first is not None:
        conn.execute(delete(D))
        bulk_insert(conn, D, first)
        _stamp(conn)
    elif was_current and times:
        refresh(conn, min(times).date(), max(times).date() + dt.timedelta(days=1))
    else:
        refresh(conn)


def read(store, stmt=None, how: Callable = Result.all):
    """how(result of `stmt`), a read of the aggregate, with the aggregate counting the tickets as
    they are now (rebuilt first if stale); the check and the read share one connection (a check-out
    is a round trip, and a page's count takes a few). None when the aggregate cannot be made current
    (a read-only store, or another process rebuilding at the same moment): count the raw tickets then."""
    def run(conn):
        return how(conn.execute(stmt)) if stmt is not None else ()
    with store.reads.connect() as conn:
        if current(conn):
            return run(conn)
    try:  # the engine's own errors: a locked or read-only SQLite file is an OperationalError
        with store.engine.begin() as conn:
            if not current(conn):  # another process may have just rebuilt it
                refresh(conn)
            return run(conn)
    except DBAPIError:
        log.warning("hotline_daily not current; counting raw tickets", exc_info=True)
        return None


def ensure(store) -> bool:
    """True when the aggregate counts the tickets as they are now (rebuilt first if stale)."""
    return read(store) is not None


def whole_days(*times: dt.datetime) -> bool:
    return all(t.time() == dt.time() and not getattr(t, "tzinfo", None) for t in times)
