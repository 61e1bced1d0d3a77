"""The store's tables (SQLAlchemy Core).

Alembic migrations under cockpit/migrations are the source of truth for an
existing database; this module must always describe the schema at `head`
(a test compares the two).
"""
from __future__ import annotations

from sqlalchemy import (
    Boolean, false, Column, Date, DateTime, Float, ForeignKey, Index, Integer, MetaData,
    String, Table, Text, UniqueConstraint, text,
)

# Stable constraint names keep migrations portable between SQLite and PostgreSQL.
metadata = MetaData(naming_convention={
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
})


def keyed_columns() -> list:
    """What makes a record that changes over time (a ticket closed, an event's level raised) updatable:
    its source's own key, unique within the source's key space (`origin`: a source name, or "upload"
    for the 数据报送 door). Demo rows have neither. See cockpit/ingest.py."""
    return [Column("origin", String(64)), Column("source_key", String(128)),
            # Over keyed rows only (migration 0008): the demo's millions of tickets have no key.
            Index(None, "origin", "source_key", unique=True, sqlite_where=text("origin IS NOT NULL"),
                  postgresql_where=text("origin IS NOT NULL"))]


regions = Table(
    "regions", metadata,
    Column("code", String(16), primary_key=True),  # GB/T 2260, or a local code for 示范区
    Column("name", String(32), nullable=False, unique=True),
    Column("short_name", String(16), nullable=False),
    Column("level", String(8), nullable=False),  # city | county | zone
    Column("parent_code", String(16)),
    Column("sort", Integer, nullable=False, default=0),
    Column("lon", Float), Column("lat", Float),
)

indicators = Table(
    "indicators", metadata,
    Column("code", String(32), primary_key=True),
    Column("name", String(64), nullable=False),
    Column("definition", Text, nullable=False, default=""),
    Column("unit", String(16), nullable=False, default=""),
    Column("domain", String(16), nullable=False),
    Column("frequency", String(1), nullable=False),  # M monthly, Q quarterly, Y yearly
    Column("kind", String(8), nullable=False),  # one of catalog.KINDS
    Column("higher_is_better", Boolean),  # NULL: neither (e.g. CPI)
    Column("source_dept", String(64), nullable=False, default=""),
    Column("caliber", Text, nullable=False, default=""),  # 口径
    Column("measures", String(64), nullable=False),  # comma list of measures it is published in
    Column("min_value", Float), Column("max_value", Float),
    Column("plan_target", Float),  # the target at the end of the plan's period (cockpit.catalog.Plan)
    Column("plan_id", String(32)),  # the plan whose indicator this is; NULL for the statistics catalogue
    Column("sort", Integer, nullable=False, default=0),
)

upload_batches = Table(
    "upload_batches", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("source", String(32), nullable=False),  # connector kind: demo, excel, csv, sql, ...
    Column("dataset", String(32), nullable=False),  # observations, task_progress, events, tickets
    Column("file_name", String(255)),  # display only, never used as a path
    Column("sha256", String(64)),
    Column("created_by", String(64), nullable=False),
    Column("created_at", DateTime, nullable=False),
    Column("row_count", Integer, nullable=False, default=0),
    Column("status", String(16), nullable=False),  # committed | rolled_back
    Column("note", Text, nullable=False, default=""),
    Column("rolled_back_at", DateTime),
    Column("rolled_back_by", String(64)),
    Column("rollback_reason", Text),
    Index(None, "sha256"),
)

# Every version of every figure is kept; `active` marks the one in force so
# that a correction or a rollback is a flag flip, never a delete.
observations = Table(
    "observations", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("indicator_code", String(32), ForeignKey("indicators.code"), nullable=False),
    Column("region_code", String(16), ForeignKey("regions.code"), nullable=False),
    Column("period", String(7), nullable=False),  # YYYY-MM; quarterly data sit on quarter-end months
    Column("measure", String(12), nullable=False),  # month | ytd | month_yoy | ytd_yoy
    Column("value", Float, nullable=False),
    Column("batch_id", Integer, ForeignKey("upload_batches.id"), nullable=False),
    Column("active", Boolean, nullable=False, default=True),
    Column("replaced_id", Integer),  # the observation this one superseded
    # A "—" in a file for a figure in force, when the clerk chose 撤回: a copy of the old value that
    # never takes force, so rolling its batch back restores the figure (replaced_id).
    Column("withdrawn", Boolean, nullable=False, default=False, server_default=false()),
    Index(None, "indicator_code", "region_code", "period", "measure", "active"),
    Index(None, "batch_id"),
)

plan_tasks = Table(
    "plan_tasks", metadata,
    Column("number", Integer, primary_key=True, autoincrement=False),
    Column("section_no", Integer, nullable=False),
    Column("section", String(4), nullable=False),
    Column("section_title", String(128), nullable=False),
    Column("subsection", String(128), nullable=False, default=""),
    Column("text", Text, nullable=False),
    Column("deadline_text", String(32), nullable=False),
    Column("deadline_date", Date),
    Column("deadline_kind", String(8), nullable=False),  # date | 持续推进 | 适时推进
    Column("units_text", Text, nullable=False),
    Column("lead_units", Text, nullable=False),  # '|'-joined
    Column("responsible_units", Text, nullable=False, default=""),
)

task_progress = Table(
    "task_progress", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("task_number", Integer, ForeignKey("plan_tasks.number"), nullable=False),
    Column("reported_on", Date, nullable=False),
    Column("status", String(8), nullable=False),  # 未启动 | 推进中 | 已完成 | 暂缓
    Column("percent", Float, nullable=False),
    Column("note", Text, nullable=False, default=""),
    Column("reporting_unit", String(64), nullable=False),
    Column("batch_id", Integer, ForeignKey("upload_batches.id"), nullable=False),
    Column("active", Boolean, nullable=False, default=True),
    Index(None, "task_number", "reported_on"),
)

emergency_events = Table(
    "emergency_events", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("event_type", String(16), nullable=False),
    Column("level", Integer, nullable=False),  # 1..4 = I..IV = 红橙黄蓝
    Column("title", String(128), nullable=False),
    Column("region_code", String(16), ForeignKey("regions.code"), nullable=False),
    Column("place", String(128), nullable=False),
    Column("lon", Float, nullable=False), Column("lat", Float, nullable=False),
    Column("occurred_at", DateTime, nullable=False),
    Column("status", String(8), nullable=False),  # 处置中 | 已结束
    Column("closed_at", DateTime),
    Column("batch_id", Integer, ForeignKey("upload_batches.id"), nullable=False),
    Index(None, "occurred_at"),
    *keyed_columns(),
)

hotline_tickets = Table(
    "hotline_tickets", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("created_at", DateTime, nullable=False),
    Column("region_code", String(16), nullable=False),
    Column("category", String(16), nullable=False),
    Column("channel", String(8), nullable=False),
    Column("status", String(8), nullable=False),  # 办理中 | 已办结
    Column("due_at", DateTime, nullable=False),
    Column("closed_at", DateTime),
    Column("satisfaction", String(8)),  # 满意 | 基本满意 | 不满意 | NULL
    Column("batch_id", Integer, nullable=False),
    # No (created_at) or (category, created_at) since migration 0008: the (created_at, category,
    # region_code) index below serves both, and every index costs a bulk load of tickets.
    Index(None, "region_code", "created_at"),
    # Migration 0007 (issue 14): the open-overdue list and the surge / category tables as index scans;
    # 0010: the open tickets' index also holds what the summary's "open and past due" count filters on.
    Index("ix_hotline_tickets_open_due", "due_at", "id", "created_at", "region_code", "category",
          sqlite_where=text("closed_at IS NULL"), postgresql_where=text("closed_at IS NULL")),
    Index("ix_hotline_tickets_created_category_region", "created_at", "category", "region_code"),
    *keyed_columns(),
)

# 12345 tickets per day × county × category (cockpit/hotline_daily.py): the pages read thousands of
# these rows instead of millions of tickets. `version` says which state of the tickets it counts.
hotline_daily = Table(
    "hotline_daily", metadata,
    Column("day", Date, primary_key=True),
    Column("region_code", String(16), primary_key=True),
    Column("category", String(16), primary_key=True),
    Column("tickets", Integer, nullable=False),
    # Migration 0009: what the 12345 summary counts besides tickets, so its whole-day windows read
    # this table too. Overdue = closed_late + the open tickets past due at the moment of asking.
    *[Column(name, Integer, nullable=False, server_default=text("0"))
      for name in ("closed", "surveyed", "satisfied", "closed_late")],
)
hotline_daily_state = Table(
    "hotline_daily_state", metadata,
    Column("id", Integer, primary_key=True),
    Column("version", String(200), nullable=False),
)

alerts = Table(
    "alerts", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("rule", String(32), nullable=False),
    Column("subject", String(64), nullable=False),  # what it is about, e.g. indicator or task key
    Column("indicator_code", String(32)),
    Column("region_code", String(16)),
    Column("task_number", Integer),
    Column("level", Integer),  # 1..4 = 红橙黄蓝, NULL where no severity applies
    Column("state", String(12), nullable=False),  # pending | firing | resolved | acknowledged
    Column("title", String(200), nullable=False),
    Column("message", Text, nullable=False),
    Column("value", Float), Column("threshold", Float),
    Column("started_at", DateTime, nullable=False),
    Column("updated_at", DateTime, nullable=False),
    Column("acknowledged_by", String(64)),
    Column("acknowledged_at", DateTime),
    Column("resolved_at", DateTime),
    Column("assignee", String(64)),  # 督办: who must act
    Column("note", Text),
    Column("evidence", Text),  # JSON: the numbers and series behind the alert, for its chart
    UniqueConstraint("rule", "subject"),
)

alert_events = Table(  # every state change and 督办 note, for the alert's history
    "alert_events", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("alert_id", Integer, ForeignKey("alerts.id"), nullable=False),
    Column("at", DateTime, nullable=False),
    Column("actor", String(64), nullable=False),
    Column("from_state", String(12)),
    Column("to_state", String(12), nullable=False),
    Column("note", Text, nullable=False, default=""),
    Index(None, "alert_id"),
)

annotations = Table(  # a note pinned to an indicator, region and period (reason for a dip, an instruction)
    "annotations", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("indicator_code", String(32), ForeignKey("indicators.code"), nullable=False),
    Column("region_code", String(16), ForeignKey("regions.code"), nullable=False),
    Column("period", String(7), nullable=False),
    Column("text", Text, nullable=False),
    Column("author", String(64), nullable=False),
    Column("created_at", DateTime, nullable=False),
    Column("deleted", Boolean, nullable=False, default=False),
    Index(None, "indicator_code", "region_code"),
)

weather_warnings = Table(  # 气象/自然灾害预警信号 in force
    "weather_warnings", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("kind", String(16), nullable=False),  # 暴雨, 大风, 寒潮, 高温, 大雾, 道路结冰 ...
    Column("level", Integer, nullable=False),  # 1..4 = 红橙黄蓝
    Column("region_code", String(16), ForeignKey("regions.code"), nullable=False),
    Column("issued_at", DateTime, nullable=False),
    Column("expires_at", DateTime),
    Column("issuer", String(64), nullable=False),
    Column("text", Text, nullable=False, default=""),
    Column("batch_id", Integer, ForeignKey("upload_batches.id"), nullable=False),
    Index(None, "issued_at"),
    *keyed_columns(),
)

duty_roster = Table(  # 值班表: who a command room calls
    "duty_roster", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("duty_date", Date, nullable=False),
    Column("role", String(16), nullable=False),  # 带班领导 | 值班员 | ...
    Column("name", String(32), nullable=False),
    Column("unit", String(64), nullable=False),
    Column("phone", String(32), nullable=False),
    Column("batch_id", Integer, ForeignKey("upload_batches.id"), nullable=False),
    Index(None, "duty_date"),
    *keyed_columns(),
)

locks = Table(  # named advisory locks that work the same on SQLite and PostgreSQL
    "locks", metadata,
    Column("name", String(128), primary_key=True),
    Column("holder", String(128), nullable=False),
    Column("acquired_at", DateTime, nullable=False),
)

users = Table(
    "users", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("name", String(64), nullable=False, unique=True),
    Column("role", String(16), nullable=False),
    Column("region_code", String(16)),
    Column("department", String(64)),
    Column("password_hash", String(255), nullable=False),
    Column("disabled", Boolean, nullable=False, default=False),
    Column("failed_logins", Integer, nullable=False, default=0),
    Column("locked_until", DateTime),
    Column("created_at", DateTime, nullable=False),
)

screen_links = Table(  # read-only links for wall displays; revocable, only the hash is stored
    "screen_links", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("name", String(64), nullable=False),
    Column("token_hash", String(64), nullable=False, unique=True),
    Column("region_code", String(16)),  # NULL: the whole city
    Column("created_by", String(64), nullable=False),
    Column("created_at", DateTime, nullable=False),
    Column("revoked_at", DateTime),
    Column("last_used_at", DateTime),
)

audit_log = Table(
    "audit_log", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("at", DateTime, nullable=False),
    Column("actor", String(64), nullable=False),
    Column("action", String(32), nullable=False),
    Column("target", String(255), nullable=False, default=""),
    Column("detail", Text, nullable=False, default=""),
    Index(None, "at"),
)

name_aliases = Table(  # names as counties write them, mapped once by staff, used for every later file
    "name_aliases", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("kind", String(16), nullable=False),  # region | indicator
    Column("alias", String(64), nullable=False),  # the name's key (cockpit.uploads.names.name_key)
    Column("written", String(64), nullable=False),  # as first written, for the list
    Column("code", String(32), nullable=False),
    Column("created_by", String(64), nullable=False),
    Column("created_at", DateTime, nullable=False),
    UniqueConstraint("kind", "alias"),
)

upload_skipped = Table(  # what a committed file held that was not imported, and why
    "upload_skipped", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("batch_id", Integer, ForeignKey("upload_batches.id"), nullable=False),
    Column("sheet", String(64), nullable=False, default=""),
    Column("row", Integer),
    Column("col", Text, nullable=False, default=""),
    Column("value", Text, nullable=False, default=""),
    Column("reason", Text, nullable=False),
    Index(None, "batch_id"),
)

login_sessions = Table(  # a login that survives a reload: the browser holds a signed cookie (ui/server.py)
    "login_sessions", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("user_name", String(64), nullable=False),
    Column("sid_hash", String(64), unique=True),  # sha256 of the cookie's secret; NULL until the ticket is redeemed
    Column("ticket_hash", String(64), unique=True),  # sha256 of the one-time ticket that sets the cookie
    Column("ticket_expires_at", DateTime),
    Column("created_at", DateTime, nullable=False),
    Column("last_seen_at", DateTime, nullable=False),
    Column("ended_at", DateTime),
    Column("end_reason", String(16)),  # logout | timeout | password | disabled | restore
    Index(None, "user_name"),
)

server_secrets = Table(  # keys every web server of one store shares (the session cookie's signing key)
    "server_secrets", metadata,
    Column("name", String(32), primary_key=True),
    Column("value", String(128), nullable=False),
    Column("created_at", DateTime, nullable=False),
)

record_versions = Table(  # earlier states of keyed records: an update in place keeps what it replaced
    "record_versions", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("dataset", String(32), nullable=False),  # hotline_tickets | emergency_events | ...
    Column("record_id", Integer, nullable=False),
    Column("state_batch_id", Integer, nullable=False),  # the batch whose state this was
    Column("batch_id", Integer, ForeignKey("upload_batches.id"), nullable=False),  # the batch that replaced it
    Column("reason", String(12), nullable=False),  # replaced | rolled_back
    Column("state", Text, nullable=False),  # JSON: the record's columns as they were
    Index(None, "dataset", "record_id"),
    Index(None, "batch_id"),
    Index(None, "state_batch_id"),
)

source_state = Table(  # one row per configured source (sources.toml): what the 数据源 page shows
    "source_state", metadata,
    Column("source", String(64), primary_key=True),
    Column("watermarks", Text, nullable=False, default="{}"),  # JSON: dataset -> newest watermark value read
    Column("last_success_at", DateTime),
    Column("last_rows", Integer),  # records read by the last successful pull
    Column("last_written", Integer),  # of which new or changed
    Column("last_error_at", DateTime),
    Column("last_error", Text),  # in Chinese, as the operator reads it; never a secret
)

source_runs = Table(  # every pull, for the 数据源 page's history
    "source_runs", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("source", String(64), nullable=False),
    Column("started_at", DateTime, nullable=False),
    Column("finished_at", DateTime, nullable=False),
    Column("status", String(12), nullable=False),  # written | unchanged | failed
    Column("rows", Integer, nullable=False, default=0),
    Column("written", Integer, nullable=False, default=0),
    Column("batches", String(255), nullable=False, default=""),
    Column("message", Text, nullable=False, default=""),
    Index(None, "source", "started_at"),
)
