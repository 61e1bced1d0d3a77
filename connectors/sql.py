"""kind = "sql": one read-only query against any SQLAlchemy URL (the statistics bureau's database, the
12345 system's, the emergency platform's).

Read-only three times over: the query must be one SELECT with no writing or schema word in it
(sqlparse), it runs in a read-only transaction (PostgreSQL: default_transaction_read_only and SET
TRANSACTION READ ONLY; MySQL: SET SESSION TRANSACTION READ ONLY) or on a file opened read-only
(SQLite: mode=ro and query_only), and it is wrapped as a subquery, so a second statement cannot
follow it. A statement timeout ends a query that runs too long (statement_timeout on PostgreSQL,
a progress handler on SQLite, max_execution_time on MySQL, max_statement_time on MariaDB). The
password comes from the environment (password_env) and is never shown: addresses are printed
without it.

Incremental: `watermark` names a column of the query's result; a later pull reads only rows whose
value is at or after the newest one already read (ties are read again and change nothing).
"""
from __future__ import annotations

import logging
import re
import time
from collections.abc import Iterable
from pathlib import Path

import pandas as pd
import sqlparse
from sqlalchemy import create_engine, event, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, DBAPIError, NoSuchModuleError, SQLAlchemyError
from sqlparse import tokens as T

from cockpit import datum
from cockpit.datasets import DATASET_COLUMNS

from . import mapping
from .base import Connector, Dataset, Option, SourceError, register

log = logging.getLogger(__name__)
# Words that write or change something, refused anywhere in the query (besides what sqlparse types as DML/DDL).
FORBIDDEN = {"INTO", "PRAGMA", "ATTACH", "DETACH", "VACUUM", "COPY", "GRANT", "REVOKE", "CALL", "EXEC", "EXECUTE",
             "LOCK", "SET", "RESET", "LOAD", "REINDEX", "REFRESH", "DO", "LISTEN", "NOTIFY", "COMMIT", "ROLLBACK",
             "BEGIN", "SAVEPOINT", "RELEASE", "MERGE", "UPSERT", "REPLACE", "HANDLER", "OUTFILE", "DUMPFILE"}
READ_ONLY_REFUSAL = "数据源的查询只能读取数据（一条 SELECT 语句），"
FETCH = 50_000


# The database's English, said in Chinese (its own words go to the log).
_CONNECT_WORDS = [("refused", "连接被拒绝，数据库可能未启动或端口不对"), ("timed out", "连接超时"),
                  ("timeout", "连接超时"), ("could not translate host", "无法解析主机名"),
                  ("name or service not known", "无法解析主机名"), ("unknown database", "数据库不存在"),
                  ("does not exist", "数据库不存在"), ("unable to open", "无法打开数据库文件")]
_QUERY_WORDS = [(("no such table", "doesn't exist", "relation"), "查询中的表不存在"),
                (("no such column", "unknown column", "column"), "查询中的列不存在"),
                (("syntax",), "查询语句有语法错误"), (("permission denied", "command denied"), "数据库账号没有读取权限")]
_NAMED = re.compile(r"""(?:table|column|relation)[:\s]+["'`]?([\w.]+)["'`]?""", re.I)


def same_database(a, b) -> bool:
    """Whether two SQLAlchemy URLs name one database: the same SQLite file (however written), or
    the same server, port and database name."""
    if a.get_backend_name() != b.get_backend_name():
        return False
    if a.get_backend_name() == "sqlite":
        def file_of(u) -> Path | None:
            db = (u.database or "").removeprefix("file:")
            return Path(db).resolve() if db and db != ":memory:" else None
        return file_of(a) is not None and file_of(a) == file_of(b)
    def at(u) -> tuple:
        return ((u.host or "localhost").lower().replace("127.0.0.1", "localhost"), u.port, u.database)
    return at(a) == at(b)


def check_query(query: str) -> str:
    """The query without its trailing semicolon, or ValueError in Chinese saying why it is refused."""
    statements = [s for s in sqlparse.parse(query or "") if str(s).strip(" \t\r\n;")]
    if not statements:
        raise ValueError("数据源的查询（query）为空。")
    if len(statements) > 1:
        raise ValueError(READ_ONLY_REFUSAL + f"这里有 {len(statements)} 条语句，已拒绝。")
    stmt = statements[0]
    if stmt.get_type() != "SELECT":
        raise ValueError(READ_ONLY_REFUSAL + f"这里是 {stmt.get_type() or '无法识别的'} 语句，已拒绝。")
    for tok in stmt.flatten():
        word = tok.normalized.upper()
        writes = (tok.ttype in T.Keyword.DML and word != "SELECT") or tok.ttype in T.Keyword.DDL
        if writes or (tok.ttype in T.Keyword and word in FORBIDDEN):
            raise ValueError(READ_ONLY_REFUSAL + f"其中含有“{tok.value}”，已拒绝。")
    return str(stmt).strip().rstrip(";").strip()


@register
class SqlConnector(Connector):
    kind = "sql"
    title = "数据库查询"
    options = {
        "url": Option("数据库地址（SQLAlchemy URL，不含密码）", str, required=True),
        "password": Option("数据库密码", str, None, secret=True),
        "query": Option("查询语句（一条 SELECT）", str, required=True),
        "dataset": Option("数据集", str, required=True),
        "columns": Option("列映射：本系统的列 = 查询结果的列", dict, {}),
        "coordinates": mapping.COORDINATES,
        "values": Option("代码对照：本系统的列 = { 来源的代码 = 本系统的写法 }", dict, {}),
        "watermark": Option("变更时间列（增量拉取）", str, None),
        "timeout_seconds": Option("查询时限（秒）", float, 60.0, above=0),
        "max_rows": Option("一次最多读取行数", int, 5_000_000, minimum=1),
    }

    def __init__(self, **values):
        super().__init__(**values)
        v = self.values
        if v["dataset"] not in DATASET_COLUMNS:
            raise ValueError(f"未知的数据集“{v['dataset']}”，可用：{'、'.join(DATASET_COLUMNS)}")
        mapping.normalise_mapping(v["dataset"], v["columns"])
        mapping.normalise_values(v["dataset"], v["values"])
        datum.check(v["coordinates"])
        self.query = check_query(v["query"])
        try:
            url = make_url(v["url"])
        except ArgumentError:
            raise ValueError("数据库地址（url）不是有效的 SQLAlchemy URL。") from None
        if url.password:
            raise ValueError("数据库地址中不得写密码，请删去密码并用 password_env 指定存放密码的环境变量。")
        self.url = url.set(password=v["password"]) if v["password"] else url

    @property
    def shown_url(self) -> str:
        return self.url.render_as_string(hide_password=True)

    def guard(self, store_url: str) -> None:
        # The store holds users' password hashes, login sessions and server secrets: a query over it
        # would copy them into tickets, or into a refusal shown on the 数据源 page.
        if same_database(self.url, make_url(store_url)):
            raise SourceError("数据库地址指向驾驶舱自己的数据库：数据源只能读取其他系统的数据库，本次未读取。")

    def read(self) -> Iterable[Dataset]:
        v = self.values
        engine = self._engine()
        wrapped, params = f"SELECT * FROM ({self.query}) AS cockpit_source", {}
        since = self.watermarks.get(v["dataset"])
        if v["watermark"] and since is not None:
            wrapped += f" WHERE {engine.dialect.identifier_preparer.quote(v['watermark'])} >= :cockpit_since"
            params["cockpit_since"] = since
        try:
            with engine.connect() as conn:
                with conn.begin():
                    if engine.dialect.name == "postgresql":
                        conn.execute(text("SET TRANSACTION READ ONLY"))
                    self._deadline = time.monotonic() + v["timeout_seconds"]
                    result = conn.execution_options(stream_results=True).execute(text(wrapped), params)
                    columns, rows = list(result.keys()), []
                    while part := result.fetchmany(FETCH):
                        rows += [tuple(r) for r in part]  # plain tuples: pandas probes Row objects slowly
                        if len(rows) > v["max_rows"]:
                            raise SourceError(f"查询返回超过 {v['max_rows']:,} 行，已中止（可调大 max_rows，或用 watermark 增量拉取）。")
                    result.close()
        except SourceError:
            raise
        except (DBAPIError, SQLAlchemyError) as exc:
            raise SourceError(self._reason(exc)) from None
        finally:
            engine.dispose()
        frame = pd.DataFrame.from_records(rows, columns=columns, coerce_float=False)
        meta = {"rows": len(frame)}
        if v["watermark"]:
            if v["watermark"] not in frame.columns:
                raise SourceError(f"查询结果中没有变更时间列“{v['watermark']}”（watermark）；返回的列：{'、'.join(columns)}。"
                                  "可能是数据源改了列名，本次未导入，原有数据不变。")
            meta["marks"] = frame[v["watermark"]].tolist()  # each row's: a skipped row holds the mark back
            if (mark := mapping.newest(meta["marks"])) is not None:
                meta["watermark"] = mark
        out, used = mapping.map_columns(frame, v["dataset"], v["columns"], v["values"])
        yield Dataset(v["dataset"], out, {**meta, "columns": used})

    # ---- read-only engines ------------------------------------------------------------------
    def _engine(self):
        name = self.url.get_backend_name()
        ms = int(self.values["timeout_seconds"] * 1000)
        try:
            if name == "sqlite":
                return self._sqlite()
            if name == "postgresql":
                return create_engine(self.url, connect_args={
                    "connect_timeout": 10,
                    "options": f"-c default_transaction_read_only=on -c statement_timeout={ms}"})
            engine = create_engine(self.url)
        except (ArgumentError, NoSuchModuleError, ImportError) as exc:
            raise SourceError(f"无法使用数据库 {self.shown_url}：缺少驱动或地址有误（{type(exc).__name__}）。") from None
        if name in ("mysql", "mariadb"):
            @event.listens_for(engine, "connect")
            def _read_only(dbapi_conn, _record):  # noqa: ANN001
                cur = dbapi_conn.cursor()
                cur.execute("SET SESSION TRANSACTION READ ONLY")
                cur.execute("SELECT VERSION()")
                # MariaDB (behind a mysql:// URL too) bounds a statement in seconds under its own name.
                if "mariadb" in str(cur.fetchone()[0]).lower():
                    cur.execute(f"SET SESSION max_statement_time={ms / 1000:.3f}")
                else:
                    cur.execute(f"SET SESSION MAX_EXECUTION_TIME={ms}")
                cur.close()
        else:
            log.warning("source %s: %s has no read-only switch here; use a read-only account", self.shown_url, name)
        return engine

    def _sqlite(self):
        path = Path(self.url.database or "")
        if not self.url.database or self.url.database == ":memory:" or not path.is_file():
            raise SourceError(f"找不到数据库文件 {self.url.database or '（未指定）'}。")
        engine = create_engine(f"sqlite:///file:{path.resolve()}?mode=ro&uri=true")

        @event.listens_for(engine, "connect")
        def _read_only(dbapi_conn, _record):  # noqa: ANN001
            dbapi_conn.execute("PRAGMA query_only = ON")
            # Checked every few thousand steps of the virtual machine: past the deadline, SQLite interrupts.
            dbapi_conn.set_progress_handler(lambda: int(time.monotonic() > getattr(self, "_deadline", float("inf"))),
                                            20_000)
        return engine

    def _reason(self, exc: Exception) -> str:
        detail = str(getattr(exc, "orig", None) or exc).strip().splitlines()[0][:300]
        low = detail.lower()
        timeout = self.values["timeout_seconds"]
        if ("statement timeout" in low or "interrupted" in low or "max_statement_time" in low
                or "maximum statement execution time" in low or "max_execution_time exceeded" in low):
            return f"查询超过 {timeout:g} 秒未完成，已中止（可调大 timeout_seconds，或缩小查询范围）。"
        if "read-only" in low or "readonly" in low or "read only" in low:
            return "数据源是只读连接，查询试图写入，已拒绝。"
        if "password" in low or "authentication" in low or "access denied" in low:
            return f"数据库 {self.shown_url} 拒绝登录：用户名或密码不对（密码取自 password_env 指定的环境变量）。"
        log.warning("source %s: %s", self.shown_url, detail)  # the database's own words, for the operator's log
        if isinstance(exc, DBAPIError) and exc.connection_invalidated or "connect" in low or "unable to open" in low:
            why = next((w for k, w in _CONNECT_WORDS if k in low), "网络或数据库错误，数据库的原话见日志")
            return f"无法连接数据库 {self.shown_url}：{why}。"
        name = _NAMED.search(detail)
        for keys, what in _QUERY_WORDS:
            if any(k in low for k in keys):
                return f"查询出错：{what}{'“' + name.group(1) + '”' if name and what.endswith('不存在') else ''}（数据库的原话见日志）。"
        return "查询出错（数据库的原话见日志）：请核对 sources.toml 中的 query。"
