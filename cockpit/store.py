"""The one store every page, connector and command goes through.

Plain SQLAlchemy Core over SQLite (default) or PostgreSQL; no Streamlit here.
"""
from __future__ import annotations

import contextlib
import datetime as dt
import logging
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd
from sqlalchemy import Engine, case, create_engine, event, func, insert, inspect as sa_inspect, make_url, select, text, update
from sqlalchemy.engine import Connection
from sqlalchemy.exc import DBAPIError, OperationalError

from . import bulk, catalog, schema as s
from .config import Settings, settings

if TYPE_CHECKING:
    from alembic.config import Config

log = logging.getLogger(__name__)
MIGRATIONS = Path(__file__).parent / "migrations"

# Measures a figure can be stored in; rates are percentages (同比增长 %).
MEASURES = {"month": "当月", "ytd": "累计", "month_yoy": "当月同比", "ytd_yoy": "累计同比"}


def frame_of(result) -> pd.DataFrame:
    """A query's rows as a frame."""
    # Plain tuples: pandas probes each Row object's attributes otherwise (several times slower).
    return pd.DataFrame([tuple(r) for r in result.fetchall()], columns=list(result.keys()))


def one_of(result) -> dict:
    """The one row a query returns (an aggregate), as a dict."""
    return dict(result.mappings().one())


class StoreUnavailable(Exception):
    """The database went away mid-action; the transaction was rolled back."""

    MESSAGE = "数据库连接中断，本次操作已整体撤销、未保存任何数据；连接恢复后请重试。"

    def __init__(self, detail: str = ""):
        super().__init__(self.MESSAGE)
        self.detail = detail


def make_engine(url: str) -> Engine:
    if url.startswith("sqlite"):
        parsed = make_url(url)
        path = parsed.database
        # A `file:` URI (uri=true) names an existing file, often read-only: making its folder would
        # create a folder called "file:" in the working directory.
        if path and path != ":memory:" and parsed.query.get("uri") != "true":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"timeout": 30})

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_conn, _record):  # noqa: ANN001
            cur = dbapi_conn.cursor()
            # WAL lets the web server read while an import writes.
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA foreign_keys=ON")
            cur.execute("PRAGMA synchronous=NORMAL")
            cur.close()
        return engine
    # pre_ping: a restarted PostgreSQL costs one failed check, not a dead page.
    return create_engine(url, pool_pre_ping=True)


def _reads_of(engine: Engine) -> Engine:
    """The engine what only reads goes through. On PostgreSQL in autocommit: a lone SELECT then costs
    one round trip, not three (BEGIN, the SELECT, the ROLLBACK when the connection goes back to the
    pool), and READ COMMITTED gives each statement its own snapshot either way. SQLite begins no
    transaction for a SELECT, and switching its mode would cost a statement per check-out."""
    return engine if engine.dialect.name == "sqlite" else engine.execution_options(isolation_level="AUTOCOMMIT")


class Store:
    def __init__(self, url: str | None = None, cfg: Settings | None = None):
        self.cfg = cfg or settings()
        self.url = url or self.cfg.database_url
        self.attach(make_engine(self.url))

    def attach(self, engine: Engine) -> None:
        """Read and write through `engine` (the benchmarks attach one opened read-only)."""
        self.engine = engine
        self.reads = _reads_of(engine)

    # ---- schema -----------------------------------------------------------------
    # Alembic is imported only where a schema changes (0.12–0.14 s with what it pulls in: Mako,
    # Pygments): asking whether a store is current, as every first page and command does, is one
    # SELECT and a look at the migrations' file names.
    def _alembic_config(self, conn: Connection) -> Config:
        from alembic.config import Config
        cfg = Config()
        cfg.set_main_option("script_location", str(MIGRATIONS))
        cfg.attributes["connection"] = conn
        return cfg

    def schema_revision(self) -> str | None:
        """The revision Alembic recorded in the store; None for a store never migrated."""
        with self.engine.connect() as conn:
            if not sa_inspect(conn).has_table("alembic_version"):
                return None
            return conn.execute(text("SELECT version_num FROM alembic_version")).scalar()

    @staticmethod
    def head_revision() -> str:
        """The newest migration. They are one chain numbered in order (0001_…, 0002_…), so the head is
        the highest number; tests/test_store.py holds this to the head Alembic computes."""
        return max(p.name.split("_", 1)[0] for p in (MIGRATIONS / "versions").glob("[0-9]*_*.py"))

    def migrate(self) -> None:
        """Bring the schema to head; a no-op when it is already there."""
        if self.schema_revision() == self.head_revision():
            return
        from alembic import command
        with self.engine.begin() as conn:
            command.upgrade(self._alembic_config(conn), "head")
        log.info("schema migrated to %s", self.head_revision())

    def init(self) -> None:
        """Create or migrate the schema and load the shipped catalogue and plan."""
        self.migrate()
        plan = catalog.load_plan(self.cfg.plan_dir)
        with self.engine.begin() as conn:
            _upsert(conn, s.regions, "code", catalog.region_rows(self.cfg))
            _upsert(conn, s.indicators, "code", catalog.indicator_rows(plan))
            # The plan's tasks are fixed text: load once, update if the derived file changed.
            _upsert(conn, s.plan_tasks, "number", catalog.task_rows(plan))

    # ---- batches ----------------------------------------------------------------
    @contextlib.contextmanager
    def begin(self):
        """A transaction; a lost connection becomes StoreUnavailable with a message people can read."""
        try:
            with self.engine.begin() as conn:
                info = conn.info  # the driver connection's: still there after this one closes
                info.pop(bulk.FRESH, None)  # left by a transaction that rolled back
                yield conn
        except DBAPIError as exc:
            if exc.connection_invalidated or isinstance(exc, OperationalError):
                log.error("database connection lost: %s", exc)
                raise StoreUnavailable(str(exc)) from exc
            raise
        self._settle(info.pop(bulk.FRESH, ()))

    def _settle(self, tables: Iterable[str]) -> None:
        """VACUUM (ANALYZE) the tables a large write into an empty table filled (PostgreSQL), as
        after any bulk load: until then the planner has no statistics and the visibility map is
        empty, so the 12345 summary's count of open overdue tickets read 1,169 pages of the table
        instead of its index alone (1.8 → 0.6 ms at 5,000,000 tickets; VACUUM took 0.8 s).
        Autovacuum would get there, minutes later. The write is committed: a failure is logged."""
        for name in sorted(tables):
            try:
                with self.reads.connect() as conn:  # autocommit: VACUUM runs outside a transaction
                    conn.exec_driver_sql(f'VACUUM (ANALYZE) "{name}"')
            except DBAPIError:
                log.warning("VACUUM (ANALYZE) %s failed; autovacuum will do it later", name, exc_info=True)

    def new_batch(self, conn: Connection, *, source: str, dataset: str, created_by: str,
                  file_name: str | None = None, sha256: str | None = None,
                  note: str = "") -> int:
        res = conn.execute(insert(s.upload_batches).values(
            source=source, dataset=dataset, file_name=file_name, sha256=sha256,
            created_by=created_by, created_at=now(), row_count=0, status="committed",
            note=note))
        return int(res.inserted_primary_key[0])

    def finish_batch(self, conn: Connection, batch_id: int, row_count: int) -> None:
        conn.execute(update(s.upload_batches).where(s.upload_batches.c.id == batch_id)
                     .values(row_count=row_count))

    def bulk_insert(self, conn: Connection, table, frame: pd.DataFrame) -> int:
        return bulk.bulk_insert(conn, table, frame)

    def observations_version(self) -> str:
        """The part of the data version that changes only when figures change (an import or a
        rollback of observations): fitted forecasts key on it, so acknowledging an alert or
        pinning a note never throws away a minute of fitting."""
        b = s.upload_batches.c
        with self.reads.connect() as conn:
            # Batches in force too: retiring or restoring the demo figures changes no batch id.
            row = conn.execute(select(func.count(), func.max(b.id), func.max(b.rolled_back_at),
                                      func.sum(case((b.status == "committed", 1), else_=0)))
                               .where(b.dataset == "observations")).one()
        return f"{row[0]}:{row[1]}:{row[2]}:{row[3]}"

    def data_version(self) -> str:
        """Changes whenever stored data changes; every cache keys on it. It starts with
        observations_version(), and adds every other batch, alert action and note."""
        b = s.upload_batches.c
        with self.reads.connect() as conn:
            row = conn.execute(select(func.count(), func.max(b.id), func.max(b.rolled_back_at),  # + batches in force:
                                      func.sum(case((b.status == "committed", 1), else_=0)))).one()  # demo restore
            alerts = conn.execute(select(func.max(s.alerts.c.updated_at))).scalar()
            # Timestamps have whole seconds: two alert actions in one second differ only here.
            events = conn.execute(select(func.max(s.alert_events.c.id))).scalar()
            notes = conn.execute(select(func.count(), func.max(s.annotations.c.id))
                                 .where(s.annotations.c.deleted.is_(False))).one()
        return (f"{self.observations_version()}|{row[0]}:{row[1]}:{row[2]}:{row[3]}:{alerts}:{events}:"
                f"{notes[0]}:{notes[1]}")

    @staticmethod
    def observations_version_of(data_version: str) -> str:
        """The observations_version() a data_version() began with: a page that holds the data
        version need not ask the database again."""
        return data_version.split("|", 1)[0]

    # ---- reads --------------------------------------------------------------------
    def frame(self, stmt) -> pd.DataFrame:
        with self.reads.connect() as conn:
            return frame_of(conn.execute(stmt))

    def scalar(self, stmt):
        """The first column of the first row, or None."""
        with self.reads.connect() as conn:
            return conn.execute(stmt).scalar()

    def one(self, stmt) -> dict:
        """The one row a statement returns (an aggregate), as a dict."""
        with self.reads.connect() as conn:
            return one_of(conn.execute(stmt))

    def first(self, stmt) -> dict | None:
        with self.reads.connect() as conn:
            row = conn.execute(stmt).mappings().first()
        return dict(row) if row is not None else None

    def count(self, table) -> int:
        return int(self.scalar(select(func.count()).select_from(table)))

    def regions(self, codes: Iterable[str] | None = None) -> pd.DataFrame:
        """The region catalogue; with `codes` (a viewer's scope), only those regions."""
        stmt = select(s.regions).order_by(s.regions.c.sort)
        if codes is not None:
            stmt = stmt.where(s.regions.c.code.in_(sorted(codes)))
        return self.frame(stmt)

    def indicators(self, domain: str | None = None) -> pd.DataFrame:
        stmt = select(s.indicators).order_by(s.indicators.c.sort)
        if domain:
            stmt = stmt.where(s.indicators.c.domain == domain)
        return self.frame(stmt)

    def observations(self, indicators: Iterable[str] | None = None,
                     regions: Iterable[str] | None = None,
                     measures: Iterable[str] | None = None,
                     since: str | None = None, until: str | None = None) -> pd.DataFrame:
        o = s.observations.c
        # `demo`: the figure's provenance, so nothing is ever computed across a demo and a real figure.
        stmt = (select(o.indicator_code, o.region_code, o.period, o.measure, o.value, o.batch_id,
                       (s.upload_batches.c.source == "demo").label("demo"))
                .join(s.upload_batches, s.upload_batches.c.id == o.batch_id).where(o.active.is_(True)))
        if indicators is not None:
            stmt = stmt.where(o.indicator_code.in_(list(indicators)))
        if regions is not None:
            stmt = stmt.where(o.region_code.in_(list(regions)))
        if measures is not None:
            stmt = stmt.where(o.measure.in_(list(measures)))
        if since:
            stmt = stmt.where(o.period >= since)
        if until:
            stmt = stmt.where(o.period <= until)
        return self.frame(stmt.order_by(o.indicator_code, o.region_code, o.period, o.measure))

    def plan_tasks(self) -> pd.DataFrame:
        return self.frame(select(s.plan_tasks).order_by(s.plan_tasks.c.number))

    def latest_task_progress(self) -> pd.DataFrame:
        """The newest active progress report per task."""
        tp = s.task_progress.c
        newest = (select(tp.task_number, func.max(tp.reported_on).label("reported_on"))
                  .where(tp.active.is_(True)).group_by(tp.task_number).subquery())
        stmt = (select(tp.task_number, tp.reported_on, tp.status, tp.percent, tp.note,
                       tp.reporting_unit, tp.batch_id)
                .join(newest, (newest.c.task_number == tp.task_number)
                      & (newest.c.reported_on == tp.reported_on))
                .where(tp.active.is_(True)).order_by(tp.task_number))
        return self.frame(stmt).drop_duplicates("task_number", keep="last")

    def batches(self, limit: int | None = None) -> pd.DataFrame:
        """Upload batches, the newest first."""
        return self.frame(select(s.upload_batches).order_by(s.upload_batches.c.id.desc()).limit(limit))

    def demo_datasets(self) -> set[str]:
        """Datasets whose figures in force still come from the demo generator."""
        b = s.upload_batches.c
        frame = self.frame(select(b.dataset).where(b.source == "demo", b.status == "committed").distinct())
        return set(frame.dataset)

    def audit(self, conn: Connection, actor: str, action: str, target: str = "",
              detail: str = "") -> None:
        conn.execute(insert(s.audit_log).values(at=now(), actor=actor, action=action,
                                                target=target, detail=detail))


def now() -> dt.datetime:
    return dt.datetime.now().replace(microsecond=0)


def _upsert(conn: Connection, table, key: str, rows: list[dict]) -> None:
    existing = set(conn.execute(select(table.c[key])).scalars())
    new = [r for r in rows if r[key] not in existing]
    if new:
        conn.execute(insert(table), new)
    for r in rows:
        if r[key] in existing:
            conn.execute(update(table).where(table.c[key] == r[key]).values(**r))


# ---- query helpers shared by the domain modules ----
def region_condition(column, region):
    """SQL condition for a region filter: None or the city code = every region; a code = that
    region; a collection = those regions (a viewer's scope). None when nothing to filter."""
    if region is None or (isinstance(region, str) and region == catalog.CITY):
        return None
    if isinstance(region, str):
        return column == region
    return column.in_(sorted(region))
