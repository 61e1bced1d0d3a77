"""A million 12345 tickets from a SQL source, then one more day incrementally: the daily pull of a large
hotline system reads one day, not all of it. Marked `million` (about a minute on the 2-core machine,
in CI's budget; `-m "not million"` leaves it out of a quick run). bench/pull_million.py times both."""
from __future__ import annotations

import pytest
from sqlalchemy import func, select

from cockpit import schema as s
from service import sources as S
from service.sources_run import pull
from tests.conftest import make_store
from tests.fixtures.million import add_day, make_source, sources_toml
from tests.fixtures.peers import write_sources


@pytest.mark.million
def test_a_million_tickets_then_one_more_day_reads_only_that_day(tmp_path):
    store = make_store("sqlite", tmp_path)
    store.init()
    db = make_source(tmp_path / "hotline.db", 1_000_000)
    config = S.load(write_sources(tmp_path / "sources.toml", sources_toml(db)))
    (full,) = pull(store, config, ["hotline"])
    assert full.ok and full.rows == 1_000_000 and full.written == 1_000_000, full.message
    assert store.count(s.hotline_tickets) == 1_000_000
    new, closed = add_day(db)
    (day,) = pull(store, config, ["hotline"])
    # The day's new and closed tickets, and the one ticket that held the newest change time (read again, unchanged).
    assert day.ok and day.rows == new + closed + 1 and day.written == new + closed, day.message
    assert store.count(s.hotline_tickets) == 1_000_000 + new
    t = s.hotline_tickets.c
    assert store.scalar(select(func.count()).where(t.status == "办理中")) == 100_000 - closed + new
    assert store.count(s.record_versions) == closed  # the states the day's closures replaced
    store.engine.dispose()
