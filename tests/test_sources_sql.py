"""SQL sources against real databases: a second SQLite file holding a 12345 system's own tables, and
PostgreSQL (when scripts/test.sh provides one). Records are keyed by the source's ticket number: a
change is applied in place with the earlier state kept, a repeated pull stores nothing, and an
incremental pull reads from the newest change time already read."""
from __future__ import annotations

import os
import sqlite3
from pathlib import Path

import pytest
from sqlalchemy import create_engine, select, text
from sqlalchemy.engine import make_url

from cockpit import schema as s
from cockpit.uploads.rollback import rollback
from connectors import sql as sqlsource
from service import sources as S
from service.sources_run import pull
from tests.conftest import make_store
from tests.fixtures.peers import GD_COLUMNS, free_port, hotline_db, stored, write_sources

PG = os.environ.get("COCKPIT_TEST_PG_URL")
MYSQL = os.environ.get("COCKPIT_TEST_MYSQL_URL")


@pytest.fixture
def store(tmp_path):
    st = make_store("sqlite", tmp_path)
    st.init()
    yield st
    st.engine.dispose()


def sql_source(url: str, query: str = "SELECT * FROM gd", dataset: str = "hotline_tickets",
               columns: str | None = GD_COLUMNS, **extra) -> str:
    lines = ['[sources.hotline]', 'kind = "sql"', 'title = "12345 热线系统"', f'url = "{url}"', f'query = "{query}"',
             f'dataset = "{dataset}"', *([f"columns = {columns}"] if columns else []),
             *[f"{k} = {v}" for k, v in extra.items()]]
    return "\n".join(lines) + "\n"


def run(store, tmp_path, body: str, environ: dict | None = None):
    config = S.load(write_sources(tmp_path / "sources.toml", body), environ)
    (out,) = pull(store, config, list(config.sources), environ)
    return out


def test_tickets_come_in_by_the_source_s_own_column_names(store, tmp_path):
    db = hotline_db(tmp_path / "hotline.db", n=6)
    out = run(store, tmp_path, sql_source(f"sqlite:///{db}"))
    assert out.ok and out.status == "written" and out.written == 6, out.message
    got = store.frame(s.hotline_tickets.select().order_by(s.hotline_tickets.c.source_key))
    assert got.region_code.tolist() == ["411481", "411402", "411403"] * 2
    assert got.source_key.iloc[0] == "GD00000" and (got.origin == "hotline").all()
    assert store.batches().iloc[0].created_by == "数据源 hotline"


def test_states_kept_as_codes_and_times_as_unix_seconds_are_read_through_the_code_table(store, tmp_path):
    db = hotline_db(tmp_path / "hotline.db", n=3)
    con = sqlite3.connect(db)  # the system keeps its state as a number, its times as Unix seconds, the county as 12 digits
    con.execute("UPDATE gd SET zt = 3, bjsj = 1793667600, myd = '01', xzqh = '411402000000' WHERE gdbh = 'GD00001'")
    con.execute("UPDATE gd SET zt = 1")
    con.execute("UPDATE gd SET zt = 3 WHERE gdbh = 'GD00001'")
    con.commit()
    con.close()
    body = sql_source(f"sqlite:///{db}", values='{ status = { 1 = "办理中", 3 = "已办结" }, satisfaction = { "01" = "满意" } }')
    out = run(store, tmp_path, body)
    assert out.ok and out.written == 3, out.message
    got = store.frame(s.hotline_tickets.select().order_by(s.hotline_tickets.c.source_key))
    assert got.status.tolist() == ["办理中", "已办结", "办理中"]
    done = got.iloc[1]
    assert (str(done.closed_at), done.satisfaction, done.region_code) == ("2026-11-03 09:00:00", "满意", "411402")


def test_a_system_s_no_date_written_as_a_date_is_no_date(store, tmp_path):
    """MySQL's zero date and SQL Server's day 0 where a ticket is not closed yet."""
    db = hotline_db(tmp_path / "hotline.db", n=3)
    con = sqlite3.connect(db)
    con.execute("UPDATE gd SET bjsj = '0000-00-00 00:00:00' WHERE gdbh = 'GD00000'")
    con.execute("UPDATE gd SET bjsj = '1900-01-01 00:00:00.000' WHERE gdbh = 'GD00001'")
    con.commit()
    con.close()
    out = run(store, tmp_path, sql_source(f"sqlite:///{db}"))
    assert out.ok and out.written == 3, out.message
    assert store.frame(s.hotline_tickets.select()).closed_at.isna().all()


def test_a_changed_ticket_is_updated_in_place_and_its_earlier_state_kept(store, tmp_path):
    db = hotline_db(tmp_path / "hotline.db", n=4)
    body = sql_source(f"sqlite:///{db}", watermark='"gxsj"')
    first = run(store, tmp_path, body)
    con = sqlite3.connect(db)
    con.execute("UPDATE gd SET zt = '已办结', bjsj = '2026-11-21 10:00:00', myd = '满意', gxsj = '2026-11-21 10:00:00' "
                "WHERE gdbh = 'GD00001'")
    con.commit()
    con.close()
    second = run(store, tmp_path, body)
    # Only rows at or after the newest change time already read (11-04 09:00): the closed ticket and the tie.
    assert second.ok and second.rows == 2 and second.written == 1, second.message
    assert store.count(s.hotline_tickets) == 4
    row = store.first(select(s.hotline_tickets).where(s.hotline_tickets.c.source_key == "GD00001"))
    assert (row["status"], row["satisfaction"], row["batch_id"]) == ("已办结", "满意", second.batches[0])
    kept = store.first(select(s.record_versions))
    assert kept["state_batch_id"] == first.batches[0] and '"status": "办理中"' in kept["state"]
    again = run(store, tmp_path, body)
    assert again.status == "unchanged" and store.count(s.upload_batches) == 2
    # Reversible: the update's batch rolls back to the state it replaced.
    rollback(store, second.batches[0], by="管理员", reason="核对")
    row = store.first(select(s.hotline_tickets).where(s.hotline_tickets.c.source_key == "GD00001"))
    assert (row["status"], row["batch_id"]) == ("办理中", first.batches[0])


def test_figures_in_the_long_template_s_columns_need_no_mapping(store, tmp_path):
    db = tmp_path / "stats.db"
    con = sqlite3.connect(db)
    con.execute('CREATE TABLE yb ("地区" TEXT, "指标" TEXT, "时期" TEXT, "口径" TEXT, "数值" REAL)')
    con.executemany("INSERT INTO yb VALUES (?,?,?,?,?)", [("永城市", "社会消费品零售总额", "2026-10", "累计", 88.5),
                                                         ("梁园区", "社会消费品零售总额", "2026-10", "累计同比", 4.1),
                                                         ("开封市", "社会消费品零售总额", "2026-10", "累计", 9.0)])
    con.commit()
    con.close()
    out = run(store, tmp_path, sql_source(f"sqlite:///{db}", "SELECT * FROM yb", "observations", None))
    assert out.ok and out.written == 2 and "1 处未导入" in out.message, out.message
    assert sorted(store.observations(indicators=["RETAIL"]).value) == [4.1, 88.5]


def test_a_statistics_database_s_own_indicator_and_measure_codes_come_in_through_the_code_table(store, tmp_path):
    db = tmp_path / "stats.db"
    con = sqlite3.connect(db)
    con.execute("CREATE TABLE tj (dq TEXT, zbdm TEXT, ny INTEGER, kj TEXT, sz REAL)")
    con.executemany("INSERT INTO tj VALUES (?,?,?,?,?)", [("411481", "A0301", 202610, "02", 88.5),
                                                        ("411402", "A0301", 202610, "04", 4.1),
                                                        ("411402", "Z9999", 202610, "02", 1.0)])
    con.commit()
    con.close()
    body = sql_source(f"sqlite:///{db}", "SELECT * FROM tj", "observations",
                      '{ region = "dq", indicator = "zbdm", period = "ny", measure = "kj", value = "sz" }',
                      values='{ indicator = { A0301 = "社会消费品零售总额" }, measure = { "02" = "累计", "04" = "累计同比" } }')
    out = run(store, tmp_path, body)
    assert out.ok and out.written == 2 and "1 处未导入" in out.message, out.message  # Z9999: no code, no indicator
    got = store.observations(indicators=["RETAIL"]).sort_values("value")
    assert got[["region_code", "measure", "value"]].values.tolist() == [["411402", "ytd_yoy", 4.1],
                                                                      ["411481", "ytd", 88.5]]


def test_task_reports_come_in_through_the_task_sheet_s_checks(store, tmp_path):
    db = tmp_path / "tasks.db"
    con = sqlite3.connect(db)
    con.execute("CREATE TABLE jz (xh INTEGER, zt TEXT, bl REAL, sm TEXT, dw TEXT, rq TEXT)")
    con.executemany("INSERT INTO jz VALUES (?,?,?,?,?,?)", [(3, "推进中", 60, "已完成招标", "市大数据局", "2026-10-31"),
                                                           (999, "推进中", 10, "", "市大数据局", "2026-10-31")])
    con.commit()
    con.close()
    cols = ('{ task_number = "xh", status = "zt", percent = "bl", note = "sm", reporting_unit = "dw", '
            'reported_on = "rq" }')
    out = run(store, tmp_path, sql_source(f"sqlite:///{db}", "SELECT * FROM jz", "task_progress", cols))
    assert not out.ok and "没有序号为 999 的重点任务" in out.message and store.count(s.task_progress) == 0


def test_schema_drift_and_a_long_query_keep_the_previous_data(store, tmp_path):
    db = hotline_db(tmp_path / "hotline.db", n=3)
    run(store, tmp_path, sql_source(f"sqlite:///{db}"))
    before = stored(store)
    con = sqlite3.connect(db)
    con.execute("ALTER TABLE gd RENAME COLUMN sqlb TO sqlb2")
    con.commit()
    con.close()
    drift = run(store, tmp_path, sql_source(f"sqlite:///{db}"))
    assert not drift.ok and "没有“sqlb”（诉求类别）" in drift.message and "sqlb2" in drift.message
    endless = "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c) SELECT count(*) AS n FROM c"
    slow = run(store, tmp_path, sql_source(f"sqlite:///{db}", endless, columns='{ source_key = "n" }',
                                           timeout_seconds=1))
    assert not slow.ok and "查询超过 1 秒未完成，已中止" in slow.message
    missing = run(store, tmp_path, sql_source(f"sqlite:///{tmp_path / 'nothing.db'}"))
    assert not missing.ok and "找不到数据库文件" in missing.message
    assert stored(store) == before


def test_an_unreachable_database_is_named_without_its_password(store, tmp_path):
    url = f"postgresql+psycopg://reader@127.0.0.1:{free_port()}/stats"
    out = run(store, tmp_path, sql_source(url, password_env='"STATS_PW"', timeout_seconds=5),
              environ={"STATS_PW": "Pa55-word!"})
    assert not out.ok and "无法连接数据库" in out.message and "reader:***@127.0.0.1" in out.message
    assert "Pa55-word!" not in out.message


@pytest.fixture
def pg_source():
    """A second PostgreSQL database on the test server, as a 12345 system's."""
    if not PG:
        pytest.skip("PostgreSQL 仅在 scripts/test.sh 中提供（COCKPIT_TEST_PG_URL）")
    admin = create_engine(PG, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text("DROP DATABASE IF EXISTS hotline_source"))
        conn.execute(text("CREATE DATABASE hotline_source"))
    url = PG.rsplit("/", 1)[0] + "/hotline_source"
    engine = create_engine(url)
    with engine.begin() as conn:
        conn.execute(text("CREATE TABLE gd (gdbh text PRIMARY KEY, slsj timestamp, xzqh text, sqlb text, qd text, "
                          "zt text, blsx timestamp, bjsj timestamp, myd text, gxsj timestamp)"))
        conn.execute(text("INSERT INTO gd SELECT 'PG' || i, timestamp '2026-11-01 09:00' + i * interval '1 hour', "
                          "'永城市', '供水', '电话', '办理中', timestamp '2026-11-06 09:00' + i * interval '1 hour', "
                          "NULL, NULL, timestamp '2026-11-20 08:00' FROM generate_series(1, 50) AS i"))
        conn.execute(text("CREATE SEQUENCE gd_no"))
    engine.dispose()
    yield url
    with admin.connect() as conn:
        conn.execute(text("DROP DATABASE IF EXISTS hotline_source WITH (FORCE)"))
    admin.dispose()


def test_postgresql_as_a_source_reads_in_a_read_only_transaction(store, tmp_path, pg_source, monkeypatch):
    out = run(store, tmp_path, sql_source(pg_source, watermark='"gxsj"'))
    assert out.ok and out.written == 50, out.message
    assert S.watermarks(store, "hotline")["hotline_tickets"].isoformat() == "2026-11-20T08:00:00"
    slow = run(store, tmp_path, sql_source(pg_source, "SELECT gd.*, pg_sleep(5) FROM gd LIMIT 1", timeout_seconds=1))
    assert not slow.ok and "查询超过 1 秒未完成" in slow.message
    # Beneath the statement check: a write inside a subquery fails to parse, and a SELECT that writes
    # (nextval) is refused by the read-only transaction itself.
    monkeypatch.setattr(sqlsource, "check_query", lambda q: q)
    cte = run(store, tmp_path, sql_source(pg_source, "WITH gone AS (DELETE FROM gd RETURNING *) SELECT * FROM gone"))
    refused = run(store, tmp_path, sql_source(pg_source, "SELECT nextval('gd_no') AS n", columns='{ source_key = "n" }'))
    assert not cte.ok and not refused.ok and "只读" in refused.message, refused.message
    engine = create_engine(pg_source)
    with engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM gd")).scalar() == 50
        assert conn.execute(text("SELECT last_value, is_called FROM gd_no")).one() == (1, False)
    engine.dispose()


def test_figures_from_a_statistics_database_s_own_columns_are_read(store, tmp_path, pg_source):
    """As a statistics database keeps them: 12-digit division codes, the month as 202610, NUMERIC figures."""
    engine = create_engine(pg_source)
    with engine.begin() as conn:
        conn.execute(text("CREATE TABLE tjyb (dq text, zb text, sj integer, kj text, sz numeric(12, 2))"))
        conn.execute(text("INSERT INTO tjyb VALUES ('411402000000', '社会消费品零售总额', 202610, '累计', 123.40), "
                          "('411481000000', '社会消费品零售总额', 202610, '累计同比', 5.20)"))
    engine.dispose()
    body = sql_source(pg_source, "SELECT * FROM tjyb", dataset="observations",
                      columns='{ region = "dq", indicator = "zb", period = "sj", measure = "kj", value = "sz" }')
    out = run(store, tmp_path, body)
    assert out.ok and out.status == "written", out.message
    got = store.observations(indicators=["RETAIL"]).sort_values("region_code")
    assert got[["region_code", "period", "measure"]].values.tolist() == [["411402", "2026-10", "ytd"],
                                                                       ["411481", "2026-10", "ytd_yoy"]]
    assert got.value.tolist() == [123.4, 5.2]


@pytest.fixture
def mariadb_source():
    """A 12345 system's database on the throwaway MariaDB of scripts/test.sh: its own names, the state
    as a number, and a function that writes (what a SELECT must not be able to call)."""
    if not MYSQL:
        pytest.skip("MariaDB 仅在 scripts/test.sh 中提供（COCKPIT_TEST_MYSQL_URL）")
    admin = create_engine(MYSQL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text("DROP DATABASE IF EXISTS hotline_source"))
        conn.execute(text("CREATE DATABASE hotline_source CHARACTER SET utf8mb4"))
        conn.execute(text("USE hotline_source"))
        conn.execute(text("CREATE TABLE gd (gdbh varchar(32) PRIMARY KEY, slsj datetime, xzqh varchar(16), "
                          "sqlb varchar(16), qd varchar(8), zt tinyint, blsx datetime, bjsj datetime, "
                          "myd decimal(2, 0), gxsj datetime)"))
        conn.execute(text("INSERT INTO gd SELECT CONCAT('MY', seq), '2026-11-01 09:00' + INTERVAL seq HOUR, "
                          "'411402000000', '供水', '电话', IF(seq % 2, 3, 1), '2026-11-06 09:00' + INTERVAL seq HOUR, "
                          "IF(seq % 2, '2026-11-02 09:00' + INTERVAL seq HOUR, NULL), IF(seq % 2, 1, NULL), "
                          "'2026-11-20 08:00' FROM seq_1_to_40"))
        conn.execute(text("CREATE TABLE written (n int)"))
        conn.execute(text("CREATE FUNCTION bump() RETURNS int MODIFIES SQL DATA "
                          "BEGIN INSERT INTO written VALUES (1); RETURN 1; END"))
    yield MYSQL.rsplit("/", 1)[0] + "/hotline_source"
    with admin.connect() as conn:
        conn.execute(text("DROP DATABASE IF EXISTS hotline_source"))
    admin.dispose()


def test_mariadb_as_a_source_reads_in_a_read_only_session_with_a_time_limit(store, tmp_path, mariadb_source,
                                                                           monkeypatch):
    url = make_url(mariadb_source)
    bare = f"{url.drivername}://{url.username}@{url.host}:{url.port}/{url.database}"  # its password from the environment
    body = sql_source(bare, watermark='"gxsj"',
                      password_env='"HOTLINE_DB_PASSWORD"', values='{ status = { 1 = "办理中", 3 = "已办结" }, '
                                                                     'satisfaction = { 1 = "满意", 2 = "不满意" } }')
    environ = {"HOTLINE_DB_PASSWORD": url.password}
    out = run(store, tmp_path, body, environ)
    assert out.ok and out.written == 40, out.message
    got = store.frame(s.hotline_tickets.select().order_by(s.hotline_tickets.c.created_at))
    assert set(got.region_code) == {"411402"} and got.status.tolist()[:2] == ["已办结", "办理中"]
    assert got.satisfaction.tolist()[0] == "满意" and str(got.closed_at[0]) == "2026-11-02 10:00:00"
    assert S.watermarks(store, "hotline")["hotline_tickets"].isoformat() == "2026-11-20T08:00:00"
    slow = run(store, tmp_path, sql_source(bare,
                                           "SELECT gd.*, SLEEP(5) AS s FROM gd", timeout_seconds=1,
                                           password_env='"HOTLINE_DB_PASSWORD"'), environ)
    assert not slow.ok and "查询超过 1 秒未完成" in slow.message, slow.message
    # Beneath the statement check: a SELECT calling a function that writes is refused by the session.
    monkeypatch.setattr(sqlsource, "check_query", lambda q: q)
    wrote = run(store, tmp_path, sql_source(bare,
                                            "SELECT bump() AS n", columns='{ source_key = "n" }',
                                            password_env='"HOTLINE_DB_PASSWORD"'), environ)
    assert not wrote.ok and "只读" in wrote.message, wrote.message
    engine = create_engine(mariadb_source)
    with engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM written")).scalar() == 0
    engine.dispose()


@pytest.mark.parametrize("query,words", [
    ("SELECT nocol FROM gd", "查询出错：查询中的列不存在“nocol”（数据库的原话见日志）"),
    ("SELECT * FROM nothere", "查询出错：查询中的表不存在“nothere”（数据库的原话见日志）"),
])
def test_a_query_the_database_refuses_is_said_in_chinese_and_its_words_logged(store, tmp_path, query, words, caplog):
    db = hotline_db(tmp_path / "hotline.db", n=1)
    out = run(store, tmp_path, sql_source(f"sqlite:///{db}", query))
    assert not out.ok and words in out.message, out.message
    assert "no such" in caplog.text and "no such" not in out.message


def test_a_source_that_points_at_the_cockpit_s_own_store_is_refused_before_it_reads(store, tmp_path):
    """A query over the store's users table put password hashes into a refusal shown on the page."""
    from cockpit import auth
    auth.add_user(store, "管理员", "admin", "correct horse battery")
    path = store.engine.url.database
    query = "SELECT name AS gdbh, password_hash AS sqlb FROM users"
    before = stored(store)
    for url in (f"sqlite:///{path}", f"sqlite:///{tmp_path / '.' / Path(path).name}"):
        out = run(store, tmp_path, sql_source(url, query, columns=None))
        assert not out.ok and "数据库地址指向驾驶舱自己的数据库" in out.message, out.message
        assert "argon2" not in out.message and stored(store) == before


def test_one_database_is_known_however_its_address_is_written():
    from sqlalchemy.engine import make_url
    from connectors.sql import same_database
    same = [("postgresql+psycopg://a@127.0.0.1:5432/cockpit", "postgresql+psycopg://b@localhost:5432/cockpit"),
            ("sqlite:////tmp/x/c.db", "sqlite:////tmp/x/../x/c.db"), ("sqlite:////tmp/c.db", "sqlite:///file:/tmp/c.db?mode=ro&uri=true")]
    other = [("postgresql+psycopg://a@127.0.0.1:5432/cockpit", "postgresql+psycopg://a@127.0.0.1:5432/stats"),
             ("postgresql+psycopg://a@db1/cockpit", "postgresql+psycopg://a@db2/cockpit"),
             ("sqlite:////tmp/c.db", "postgresql+psycopg://a@localhost/tmp/c.db"), ("sqlite://", "sqlite://")]
    assert all(same_database(make_url(a), make_url(b)) for a, b in same)
    assert not any(same_database(make_url(a), make_url(b)) for a, b in other)


def test_a_record_not_imported_is_read_again_once_it_can_be_and_a_rollback_can_be_pulled_back(store, tmp_path):
    """An incremental source lost records for good: a ticket skipped for an unknown county moved the
    watermark past it, so adding the county's alias never brought it in; a pulled batch rolled back
    was never read again either."""
    from cockpit.uploads import aliases
    db = hotline_db(tmp_path / "hotline.db", n=6)
    con = sqlite3.connect(db)  # the third ticket's county is written as the 12345 system's own code
    con.execute("UPDATE gd SET xzqh = '999999' WHERE gdbh = 'GD00002'")
    con.commit()
    con.close()
    body = sql_source(f"sqlite:///{db}", watermark='"gxsj"')
    first = run(store, tmp_path, body)
    assert first.ok and first.written == 5 and "1 处未导入" in first.message, first.message
    skipped = store.frame(select(s.upload_skipped))  # traceable in the 12345 system by its own number
    assert skipped.reason.tolist() == ["未识别的地区“999999”，不导入（编号 GD00002）"]
    assert S.watermarks(store, "hotline")["hotline_tickets"] == "2026-11-03 09:00:00"  # held at GD00002
    aliases.add(store, "region", "999999", "411402", by="管理员")
    again = run(store, tmp_path, body)
    assert again.ok and again.written == 1, again.message
    keys = set(store.frame(select(s.hotline_tickets.c.source_key)).source_key)
    assert "GD00002" in keys and len(keys) == 6
    assert S.watermarks(store, "hotline")["hotline_tickets"] == "2026-11-06 09:00:00"  # now past all
    said = rollback(store, first.batches[0], by="管理员", reason="核对")
    assert "python -m cockpit pull --source hotline --from-start" in said
    assert run(store, tmp_path, body).written == 1  # the watermark is past them but the one at it ...
    config = S.load(tmp_path / "sources.toml")
    (back,) = pull(store, config, ["hotline"], from_start=True)  # ... from the start, they come back
    assert back.ok and back.written == 4, back.message
    assert set(store.frame(select(s.hotline_tickets.c.source_key)).source_key) == keys
