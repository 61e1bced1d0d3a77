"""The daily × county × category aggregate of 12345 tickets (cockpit/hotline_daily.py) counts what
the raw tickets count: after a load, after a source's in-place updates that move tickets between
days and categories, and after a rollback; on SQLite and PostgreSQL (the `store` fixture)."""
from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
from sqlalchemy import select

from cockpit import hotline, hotline_daily, ingest, schema as s
from cockpit.datasets import Dataset
from cockpit.store import Store
from cockpit.uploads.rollback import rollback

COUNTIES = ["411402", "411403", "411421"]
CATEGORIES = ["供暖", "交通", "城管"]
END = dt.datetime(2026, 10, 31)


def _tickets(n: int, seed: int, keyed: bool = False) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    created = END - pd.to_timedelta(rng.integers(1, 45 * 86400, n), unit="s")
    # Open, closed in time and closed late; every kind of survey answer and none (the summary's counts).
    closed = created + pd.to_timedelta(rng.choice([1, 7], n, p=[0.8, 0.2]), unit="D")
    is_open = rng.random(n) < 0.2
    f = pd.DataFrame({"created_at": created, "region_code": rng.choice(COUNTIES, n),
                      "category": rng.choice(CATEGORIES, n), "channel": "电话",
                      "status": np.where(is_open, "办理中", "已办结"), "due_at": created + pd.Timedelta(days=5),
                      "closed_at": closed.where(~is_open),
                      "satisfaction": np.where(is_open, None, rng.choice(["满意", "基本满意", "不满意", None], n))})
    if keyed:
        f["source_key"] = [f"T{i}" for i in range(n)]
    return f


def _raw(store) -> pd.DataFrame:
    t = s.hotline_tickets.c
    f = store.frame(select(t.created_at, t.region_code, t.category))
    f["day"] = pd.to_datetime(f["created_at"]).dt.date
    return f


def _stored_daily(store) -> pd.Series:
    d = store.frame(select(s.hotline_daily))
    d["day"] = pd.to_datetime(d["day"]).dt.date
    return d.set_index(["day", "region_code", "category"])["tickets"].astype(int).sort_index()


def _aggregate_is_current(store) -> bool:
    """The stamp read on its own against the tickets' version; `current` (one query) must agree."""
    with store.engine.connect() as conn:
        stamp = conn.execute(select(s.hotline_daily_state.c.version)).scalar()
        truth = stamp == hotline_daily.version(conn)
        assert hotline_daily.current(conn) == truth
        return truth


def _assert_counts_match_raw(store) -> None:
    assert hotline_daily.ensure(store)
    raw = _raw(store)
    expected = raw.groupby(["day", "region_code", "category"]).size().sort_index()
    pd.testing.assert_series_equal(_stored_daily(store), expected, check_names=False)
    # The page's queries through the aggregate give the raw counts.
    week = hotline.last_days(END, 7)
    _assert_summary_matches_raw(store, week)
    _assert_summary_matches_raw(store, hotline.last_days(END, 30), "411403", "供暖")
    in_week = raw[(pd.to_datetime(raw.created_at) >= week.start) & (pd.to_datetime(raw.created_at) < week.stop)]
    got = hotline.counts_by(store, week, ("region_code", "category")).set_index(["region_code", "category"])
    assert got["tickets"].sort_index().to_dict() == in_week.groupby(["region_code", "category"]).size().to_dict()
    edges = hotline.bucket_edges(END, "week", dt.datetime(2026, 9, 1))
    vol = hotline.volume(store, edges, "411403", "供暖")
    sub = raw[(raw.region_code == "411403") & (raw.category == "供暖")]
    when = pd.to_datetime(sub.created_at)
    assert vol.tickets.tolist() == [int(((when >= a) & (when < b)).sum()) for a, b in zip(edges, edges[1:])]
    rule = hotline.SurgeRule.of()
    sc = hotline.surge_counts(store, END, rule).set_index(["category", "region_code"])
    w0 = END - dt.timedelta(days=rule.days)
    when = pd.to_datetime(raw.created_at)
    recent = raw[(when >= w0) & (when < END)].groupby(["category", "region_code"]).size()
    assert sc["window"][sc["window"] > 0].sort_index().to_dict() == recent.sort_index().to_dict()


def _assert_summary_matches_raw(store, w, region=None, category=None) -> None:
    """The summary tiles read the aggregate (and the open tickets for "overdue" now); the same
    counts from the raw tickets in pandas."""
    t = s.hotline_tickets.c
    raw = store.frame(select(t.created_at, t.region_code, t.category, t.due_at, t.closed_at, t.satisfaction))
    for col in ("created_at", "due_at", "closed_at"):
        raw[col] = pd.to_datetime(raw[col])
    raw = raw[(raw.created_at >= w.start) & (raw.created_at < w.stop)]
    if region:
        raw = raw[(raw.region_code == region) & (raw.category == category)]
    now = END - dt.timedelta(days=2)  # some open tickets are past due at this moment, some not yet
    late = (raw.closed_at.isna() & (raw.due_at < now)) | (raw.closed_at > raw.due_at)
    got = hotline.summary(store, w, now, region, category)
    assert {k: got[k] for k in ("received", "closed", "surveyed", "satisfied", "overdue")} == {
        "received": len(raw), "closed": int(raw.closed_at.notna().sum()),
        "surveyed": int(raw.satisfaction.notna().sum()),
        "satisfied": int(raw.satisfaction.isin(["满意", "基本满意"]).sum()), "overdue": int(late.sum())}
    assert 0 < got["overdue"] < got["received"]


def test_the_daily_aggregate_counts_what_the_raw_tickets_count_after_a_load(store):
    ingest.load(store, [Dataset("hotline_tickets", _tickets(400, 1))], source="demo", created_by="测试")
    assert _aggregate_is_current(store)
    _assert_counts_match_raw(store)
    # A load into an empty table is counted from its frame; the aggregate's definition (refresh) agrees.
    counted = _stored_daily(store)
    with store.begin() as conn:
        hotline_daily.refresh(conn)
    pd.testing.assert_series_equal(_stored_daily(store), counted)
    ingest.load(store, [Dataset("hotline_tickets", _tickets(150, 2))], source="demo", created_by="测试")
    assert _aggregate_is_current(store)  # days recounted in the ingest, no rebuild at the read
    _assert_counts_match_raw(store)


def test_in_place_updates_that_move_tickets_between_days_and_categories_keep_the_aggregate_right(store):
    first = _tickets(120, 3, keyed=True)
    with store.begin() as conn:
        write, _ = ingest.diff_records(conn, "hotline_tickets", first, "12345平台")
        ingest.load(store, [Dataset("hotline_tickets", write)], source="sql", created_by="测试", conn=conn,
                    origin="12345平台")
    _assert_counts_match_raw(store)
    second = first.copy()
    second.loc[:39, "created_at"] = second.loc[:39, "created_at"] - pd.Timedelta(days=9)  # a corrected date
    second.loc[40:79, "category"] = "交通"  # re-classified
    second.loc[80:99, "closed_at"] = second.loc[80:99, "due_at"] + pd.Timedelta(days=2)  # closed, late
    with store.begin() as conn:
        write, counts = ingest.diff_records(conn, "hotline_tickets", second, "12345平台")
        assert counts["changed"] > 50 and counts["new"] == 0
        [batch] = ingest.load(store, [Dataset("hotline_tickets", write)], source="sql", created_by="测试",
                              conn=conn, origin="12345平台")
    assert len(_raw(store)) == 120 and _aggregate_is_current(store)
    _assert_counts_match_raw(store)
    rollback(store, batch, by="测试", reason="来源数据有误")  # the earlier states come back
    assert not _aggregate_is_current(store)  # a rollback leaves the stamp stale: the next read rebuilds
    _assert_counts_match_raw(store)
    assert _aggregate_is_current(store)


def test_a_stale_aggregate_is_rebuilt_before_it_is_read(store):
    ingest.load(store, [Dataset("hotline_tickets", _tickets(200, 4))], source="demo", created_by="测试")
    with store.begin() as conn:  # as if written by a path that does not keep the aggregate
        conn.execute(s.hotline_daily.delete())
        conn.execute(s.hotline_daily_state.update().values(version="stale"))
    assert not _aggregate_is_current(store)
    _assert_counts_match_raw(store)


def _read_only(store) -> Store:
    """The same database opened so that nothing can be written (a reporting replica, a file the
    cockpit's user may only read)."""
    if store.engine.dialect.name == "sqlite":
        url = f"sqlite:///file:{store.engine.url.database}?mode=ro&uri=true"
    else:
        url = store.engine.url.update_query_dict({"options": "-c default_transaction_read_only=on"})
        url = url.render_as_string(hide_password=False)
    return Store(url, store.cfg)


def test_a_stale_aggregate_that_cannot_be_rebuilt_is_counted_from_the_raw_tickets(store):
    ingest.load(store, [Dataset("hotline_tickets", _tickets(300, 5))], source="demo", created_by="测试")
    with store.begin() as conn:  # stale and wrong: a read of it would give nothing
        conn.execute(s.hotline_daily.delete())
        conn.execute(s.hotline_daily_state.update().values(version="stale"))
    ro = _read_only(store)
    try:
        assert hotline_daily.read(ro) is None
        raw = _raw(store)
        week = hotline.last_days(END, 7)
        when = pd.to_datetime(raw.created_at)
        in_week = raw[(when >= week.start) & (when < week.stop)]
        assert 0 < len(in_week)
        got = hotline.counts_by(ro, week, ("category",)).set_index("category")["tickets"]
        assert got.sort_index().to_dict() == in_week.groupby("category").size().to_dict()
        assert hotline.summary(ro, week, END)["received"] == len(in_week)
        edges = hotline.bucket_edges(END, "day", dt.datetime(2026, 10, 1))
        assert hotline.volume(ro, edges).tickets.tolist() == [
            int(((when >= a) & (when < b)).sum()) for a, b in zip(edges, edges[1:])]
    finally:
        ro.engine.dispose()
    assert not _aggregate_is_current(store)  # nothing was written through the read-only store


def test_starting_the_cockpit_counts_an_upgraded_store_before_the_first_page(store):
    from service.bootstrap import prepare
    ingest.load(store, [Dataset("hotline_tickets", _tickets(100, 5))], source="demo", created_by="测试")
    with store.begin() as conn:  # as a store upgraded to 0007 is: tickets, an empty aggregate, no stamp
        conn.execute(s.hotline_daily.delete())
        conn.execute(s.hotline_daily_state.delete())
    prepare(store)
    assert _aggregate_is_current(store)
    raw = _raw(store)
    assert _stored_daily(store).sum() == len(raw) == 100
