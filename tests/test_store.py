"""The store on real databases: schema, shipped data, batches, all-or-nothing writes."""
from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import func, select, text

from cockpit import ingest, schema as s
from connectors.base import Dataset


def test_init_brings_schema_to_head_and_loads_the_plan(store):
    assert store.schema_revision() == store.head_revision()
    regions = store.regions()
    assert len(regions) == 11
    assert regions.set_index("code").loc["411481", "name"] == "永城市"
    assert regions.set_index("code").loc["411400-SFQ", "level"] == "zone"
    plan = store.indicators(domain="数字政府")
    assert len(plan) == 12
    assert plan.set_index("code").loc["PLAN09", "plan_target"] == 96.0
    assert set(plan.plan_id) == {"2023-2025"}  # data/plan/plan.toml
    tasks = store.plan_tasks()
    assert len(tasks) == 172
    assert tasks.groupby("section").size().to_dict() == {"一": 36, "二": 32, "三": 13, "四": 6, "五": 76, "六": 9}
    t3 = tasks.set_index("number").loc[3]
    assert t3.deadline_date == dt.date(2024, 6, 30)


def test_counties_carry_centroids_inside_shangqiu(store):
    counties = store.regions().query("level == 'county'")
    assert counties.lon.between(114.8, 116.7).all() and counties.lat.between(33.7, 34.9).all()


def test_init_twice_changes_nothing(store):
    before = (store.count(s.regions), store.count(s.indicators), store.count(s.plan_tasks))
    store.init()
    assert (store.count(s.regions), store.count(s.indicators), store.count(s.plan_tasks)) == before


def test_schema_module_matches_the_migrations(store):
    with store.engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), s.metadata)
    assert diff == []


def _obs(value: float, region: str = "411402") -> Dataset:
    return Dataset("observations", pd.DataFrame([
        {"indicator_code": "RETAIL", "region_code": region, "period": "2026-09", "measure": "month", "value": value},
        {"indicator_code": "RETAIL", "region_code": "411403", "period": "2026-09", "measure": "month", "value": 10.0},
    ]))


def test_a_correction_supersedes_the_old_value_and_keeps_it(store):
    (first,) = ingest.load(store, [_obs(12.5)], source="excel", created_by="县统计局", file_name="九月.xlsx")
    (second,) = ingest.load(store, [_obs(13.0)], source="excel", created_by="县统计局", file_name="九月更正.xlsx")
    current = store.observations(indicators=["RETAIL"], regions=["411402"])
    assert current.value.tolist() == [13.0] and current.batch_id.tolist() == [second]
    with store.engine.connect() as conn:
        rows = conn.execute(select(s.observations.c.value, s.observations.c.active, s.observations.c.batch_id,
                                   s.observations.c.replaced_id)
                            .where(s.observations.c.region_code == "411402")
                            .order_by(s.observations.c.id)).all()
    assert [(r.value, r.active, r.batch_id) for r in rows] == [(12.5, False, first), (13.0, True, second)]
    assert rows[1].replaced_id is not None
    batches = store.batches().set_index("id")
    assert batches.loc[second, "row_count"] == 2 and batches.loc[second, "file_name"] == "九月更正.xlsx"


def test_a_failing_write_leaves_nothing_behind(store):
    ingest.load(store, [_obs(12.5)], source="excel", created_by="甲")
    before = (store.count(s.upload_batches), store.count(s.observations), store.count(s.audit_log))
    with pytest.raises(Exception):
        # An unknown region violates the foreign key half-way through the batch.
        ingest.load(store, [_obs(99.0, region="999999")], source="excel", created_by="乙")
    assert (store.count(s.upload_batches), store.count(s.observations), store.count(s.audit_log)) == before
    assert store.observations(regions=["411402"]).value.tolist() == [12.5]


def test_data_version_changes_with_every_batch(store):
    v0 = store.data_version()
    ingest.load(store, [_obs(1.0)], source="excel", created_by="甲")
    assert store.data_version() != v0


def test_data_version_changes_with_every_alert_action_even_within_one_second(store, monkeypatch):
    from service import alerts
    at = dt.datetime(2026, 11, 26, 9, 0, 0)
    monkeypatch.setattr(alerts, "now", lambda: at)  # both actions in the same second
    with store.begin() as conn:
        aid = conn.execute(s.alerts.insert().values(rule="test", subject="x", level=2, state="firing", title="甲",
                                                    message="乙", started_at=at, updated_at=at)).inserted_primary_key[0]
    v0 = store.data_version()
    alerts.acknowledge(store, aid, "李处长")
    v1 = store.data_version()
    alerts.assign(store, aid, "市卫生健康委", "李处长")
    assert len({v0, v1, store.data_version()}) == 3  # caches of the alert's history refresh each time


def test_audit_log_records_each_import(store):
    ingest.load(store, [_obs(1.0)], source="excel", created_by="县统计局", file_name="a.xlsx")
    with store.engine.connect() as conn:
        row = conn.execute(select(s.audit_log).order_by(s.audit_log.c.id.desc())).first()
        n = conn.execute(select(func.count()).select_from(s.audit_log)).scalar()
    assert n == 1 and row.actor == "县统计局" and row.action == "import" and "a.xlsx" in row.detail


def test_upgrading_an_old_store_keeps_its_data(tmp_path):
    """A city on the first schema upgrades in place: batches and figures survive."""
    from alembic import command

    from cockpit.config import Settings
    from cockpit.store import Store
    old = Store(f"sqlite:///{tmp_path / 'old.db'}", Settings(data_dir=tmp_path, demo_on_empty=False))
    with old.engine.begin() as conn:
        command.upgrade(old._alembic_config(conn), "0001")
    with old.engine.begin() as conn:
        conn.exec_driver_sql("INSERT INTO regions (code, name, short_name, level, sort) VALUES ('411402','梁园区','梁园','county',1)")
        conn.exec_driver_sql("INSERT INTO indicators (code, name, definition, unit, domain, frequency, kind, source_dept, caliber, measures, sort) "
                             "VALUES ('RETAIL','社会消费品零售总额','','亿元','宏观经济','M','flow','','','month',1)")
        conn.exec_driver_sql("INSERT INTO upload_batches (source, dataset, created_by, created_at, row_count, status, note) "
                             "VALUES ('excel','observations','甲','2024-01-05 10:00:00',1,'committed','')")
        conn.exec_driver_sql("INSERT INTO observations (indicator_code, region_code, period, measure, value, batch_id, active) "
                             "VALUES ('RETAIL','411402','2023-12','month',12.5,1,1)")
    assert old.schema_revision() == "0001"
    old.init()
    assert old.schema_revision() == old.head_revision() != "0001"
    assert old.observations(indicators=["RETAIL"], regions=["411402"]).value.tolist() == [12.5]
    assert old.count(s.upload_batches) == 1


def test_a_sqlite_file_url_gets_its_folder_and_a_uri_creates_no_folder(tmp_path, monkeypatch):
    """A path names a file the cockpit may create, so its folder is made; a `file:` URI (a replica
    opened read-only) names a file that exists, and once made a folder called "file:" wherever
    the command ran."""
    from cockpit.store import make_engine
    monkeypatch.chdir(tmp_path)
    make_engine(f"sqlite:///{tmp_path / '新建' / '驾驶舱.db'}").dispose()
    assert (tmp_path / "新建").is_dir()
    make_engine(f"sqlite:///file:{tmp_path / '副本' / 'x.db'}?mode=ro&uri=true").dispose()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["新建"]


def test_the_head_read_from_the_migrations_names_is_the_head_alembic_computes(store):
    from alembic.script import ScriptDirectory
    with store.engine.connect() as conn:
        alembic_head = ScriptDirectory.from_config(store._alembic_config(conn)).get_current_head()
    assert store.head_revision() == alembic_head and store.schema_revision() == alembic_head


def test_a_fresh_store_has_no_revision_and_a_current_one_is_opened_without_alembic(tmp_path):
    """Asking whether a store is current (every first page, every command) is one SELECT: Alembic and
    what it pulls in are imported only where the schema changes."""
    import json
    import subprocess
    import sys
    from pathlib import Path

    from cockpit.config import Settings
    from cockpit.store import Store
    url = f"sqlite:///{tmp_path / 'c.db'}"
    fresh = Store(url, Settings(data_dir=tmp_path, demo_on_empty=False))
    assert fresh.schema_revision() is None
    fresh.init()
    code = ("import json, sys; from cockpit.store import Store; s = Store(); s.init(); "
            "print(json.dumps([s.schema_revision(), [m for m in ('alembic', 'mako') if m in sys.modules]]))")
    done = subprocess.run([sys.executable, "-c", code], cwd=Path(__file__).resolve().parents[1], capture_output=True,
                          text=True, timeout=120, env={"PATH": "/usr/bin:/bin", "COCKPIT_DB_URL": url,
                                                       "COCKPIT_DATA_DIR": str(tmp_path),
                                                       "COCKPIT_CONFIG": ""})
    assert done.returncode == 0, done.stderr[-2000:]
    assert json.loads(done.stdout.splitlines()[-1]) == [fresh.head_revision(), []]


def _tickets(n: int, **columns) -> pd.DataFrame:
    start = pd.Timestamp("2026-01-01")
    frame = pd.DataFrame({"created_at": start + pd.to_timedelta(range(n), unit="min"),
                          "region_code": "411402", "category": "供暖", "channel": "电话", "status": "已办结"})
    frame["due_at"] = frame["created_at"] + pd.Timedelta(days=5)
    frame["closed_at"] = frame["created_at"] + pd.Timedelta(hours=3)
    frame["satisfaction"] = "满意"
    return frame.assign(**columns)


def _index_names(store) -> set:
    """The tickets' indexes, and its primary key (dropped during a large load on PostgreSQL)."""
    from sqlalchemy import inspect
    with store.engine.connect() as conn:
        key = inspect(conn).get_pk_constraint("hotline_tickets")["constrained_columns"]
        return {ix["name"] for ix in inspect(conn).get_indexes("hotline_tickets")} | {f"key:{','.join(key)}"}


def test_a_large_load_into_an_empty_table_builds_its_indexes_after_and_keeps_every_row(store):
    """Issue 14: 120,000 tickets into an empty table are written without indexes, which are built
    once afterwards; the store ends as the schema says, and every row is there."""
    from cockpit import bulk
    indexes = _index_names(store)
    n = bulk.REINDEX_FROM + 20_000
    ingest.load(store, [Dataset("hotline_tickets", _tickets(n))], source="demo", created_by="测试")
    assert _index_names(store) == indexes and {"ix_hotline_tickets_open_due", "key:id"} <= indexes
    with store.engine.connect() as conn:
        assert compare_metadata(MigrationContext.configure(conn), s.metadata) == []
    assert store.count(s.hotline_tickets) == n
    last = store.scalar(select(func.max(s.hotline_tickets.c.created_at)))
    assert pd.Timestamp(last) == pd.Timestamp("2026-01-01") + pd.Timedelta(minutes=n - 1)
    if store.engine.dialect.name == "postgresql":
        # VACUUM (ANALYZE) after the commit, by the store itself (the manual counts; autovacuum keeps
        # its own): the planner counts the rows (-1: never looked at), and the visibility map lets
        # the pages' counts read indexes alone. How many pages VACUUM may mark all-visible is not
        # the store's to decide: a snapshot older than the load held by any other session, or by
        # autovacuum's ANALYZE of another table, holds every page back (CI saw 0 of 1,715 once).
        vacuumed, analysed, counted = store.first(text(
            "SELECT s.vacuum_count, s.analyze_count, c.reltuples FROM pg_stat_user_tables s"
            " JOIN pg_class c ON c.oid = s.relid WHERE s.relname = 'hotline_tickets'")).values()
        assert (vacuumed, analysed, counted) == (1, 1, n)


def test_a_failing_large_load_leaves_the_indexes_and_no_row(store):
    indexes = _index_names(store)
    bad = _tickets(120_000)
    bad.loc[119_999, "category"] = None  # NOT NULL: the write fails at its last row
    with pytest.raises(Exception):
        ingest.load(store, [Dataset("hotline_tickets", bad)], source="demo", created_by="测试")
    assert _index_names(store) == indexes
    assert store.count(s.hotline_tickets) == 0 and store.count(s.upload_batches) == 0


@pytest.mark.parametrize("n", [5, 120_000])  # with indexes / built after; on PostgreSQL: COPY as CSV
@pytest.mark.parametrize("last", ["普通", "\\N"])
def test_awkward_texts_are_stored_as_sent(store, n, last):
    """What a connector may carry: an empty text (not NULL), a missing one (NULL), commas, quotes,
    a line break, and the text \\N itself, which COPY's NULL marker must not swallow."""
    texts = ["", 'a,"b"', "x\ny", last]
    frame = _tickets(n)
    frame.loc[:3, "category"] = texts
    frame.loc[0, "satisfaction"] = None
    frame.loc[1, "satisfaction"] = ""
    ingest.load(store, [Dataset("hotline_tickets", frame)], source="demo", created_by="测试")
    t = s.hotline_tickets.c
    got = store.frame(select(t.category, t.satisfaction).order_by(t.created_at).limit(4))
    assert got["category"].tolist() == texts
    assert pd.isna(got["satisfaction"].iloc[0]) and got["satisfaction"].iloc[1] == ""


@pytest.mark.parametrize("second", ["火灾", 119])  # 119: a number among texts, as a careless source sends
def test_numbers_times_and_a_column_mixing_kinds_are_stored_as_sent(store, second):
    """On PostgreSQL a frame goes as CSV typed by Arrow; a column Arrow cannot type (a number
    among texts) goes row by row. Both read back as sent, on both stores."""
    frame = pd.DataFrame({
        "event_type": ["火灾", second], "level": [1, 4], "title": ["a", "b"], "region_code": "411402",
        "place": ['"引号", 逗号', ""], "lon": [115.65, 115.6500001], "lat": [34.4, 34.5],
        "occurred_at": pd.to_datetime(["2026-03-01 08:00:00.250", "2026-03-01 09:00:00"], format="ISO8601"),
        "status": "处置中", "closed_at": [pd.NaT, pd.Timestamp("2026-03-02")]})
    with store.begin() as conn:
        batch = store.new_batch(conn, source="test", dataset="emergency_events", created_by="测试")
        store.bulk_insert(conn, s.emergency_events, frame.assign(batch_id=batch))
    e = s.emergency_events.c
    got = store.frame(select(e.event_type, e.place, e.lon, e.occurred_at, e.closed_at).order_by(e.id))
    assert got["event_type"].tolist() == ["火灾", str(second)] and got["place"].tolist() == ['"引号", 逗号', ""]
    assert got["lon"].tolist() == [115.65, 115.6500001]
    assert pd.Timestamp(got["occurred_at"][0]) == pd.Timestamp("2026-03-01 08:00:00.250")
    assert pd.isna(got["closed_at"][0]) and pd.Timestamp(got["closed_at"][1]) == pd.Timestamp("2026-03-02")


def test_texts_that_csv_need_not_quote_keep_their_spaces_and_nulls(store):
    """Without a delimiter, quote, line break or empty text the frame's CSV goes unquoted on
    PostgreSQL: a padded text stays padded, a missing one stays NULL, and \\N stays text."""
    frame = _tickets(3, category=[" 供暖 ", "\\N", "供水"], satisfaction=["满意", None, "不满意"])
    ingest.load(store, [Dataset("hotline_tickets", frame)], source="demo", created_by="测试")
    t = s.hotline_tickets.c
    got = store.frame(select(t.category, t.satisfaction).order_by(t.created_at))
    assert got["category"].tolist() == [" 供暖 ", "\\N", "供水"]
    assert got["satisfaction"].iloc[0] == "满意" and pd.isna(got["satisfaction"].iloc[1])
