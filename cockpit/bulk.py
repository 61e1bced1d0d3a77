"""Writing a frame into a table fast, on SQLite and PostgreSQL alike (cockpit.store and
cockpit.hotline_daily write every batch through `bulk_insert`; docs/architecture.md, "An import")."""
from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
from sqlalchemy import literal, select
from sqlalchemy.engine import Connection
from sqlalchemy.exc import DBAPIError
from sqlalchemy.schema import AddConstraint, DropConstraint


# The tables a transaction filled by a large write into an empty table, kept on its connection
# until it commits: PostgreSQL then wants VACUUM (ANALYZE), which cannot run inside a transaction
# (Store.begin runs it after the commit).
FRESH = "bulk_fresh_tables"


def bulk_insert(conn: Connection, table, frame: pd.DataFrame) -> int:
    """Insert a frame fast: COPY on PostgreSQL, executemany elsewhere. Into an empty table, a
    large frame is written without the table's indexes (and on PostgreSQL its primary key), which
    are built once afterwards in the same transaction: keeping them row by row was most of a load
    of millions of tickets. A Store is not needed, so hotline_daily writes through it too."""
    if frame.empty:
        return 0
    # COPY bypasses SQLAlchemy, so apply the schema's scalar defaults here for both paths.
    missing = {c.name: c.default.arg for c in table.columns
               if c.name not in frame.columns and c.default is not None and c.default.is_scalar}
    if missing:
        frame = frame.assign(**missing)
    rebuild = sorted(table.indexes, key=lambda ix: ix.name) if len(frame) >= REINDEX_FROM and \
        conn.execute(select(literal(1)).select_from(table).limit(1)).first() is None else []
    # On PostgreSQL the primary key's index too: keeping it row by row was a third of the server's
    # COPY of 5,000,000 tickets (18 s against 12 s without). SQLite's integer key is the row id itself.
    key = table.primary_key if rebuild and conn.dialect.name == "postgresql" and not _referenced(table) else None
    if key is not None:
        conn.execute(DropConstraint(key))
    for index in rebuild:
        index.drop(conn)
    dbapi = conn.dialect.loaded_dbapi
    try:
        (_copy if conn.dialect.name == "postgresql" else _executemany)(conn, table, frame)
    except dbapi.Error as exc:  # the driver's own error, as SQLAlchemy would have raised it
        raise DBAPIError.instance(f"INSERT INTO {table.name}", None, exc, dbapi.Error) from exc
    if key is not None:
        conn.execute(AddConstraint(key))
    for index in rebuild:
        index.create(conn)
    if rebuild and conn.dialect.name == "postgresql":
        conn.info.setdefault(FRESH, set()).add(table.name)
    return len(frame)


def _referenced(table) -> bool:
    """True if a foreign key of the schema points at `table` (its key cannot be dropped for a while)."""
    return any(fk.column.table is table for t in table.metadata.tables.values() for fk in t.foreign_keys)


def _executemany(conn: Connection, table, frame: pd.DataFrame) -> None:
    """The driver's executemany over tuples converted chunk by chunk (bounding memory), taken as
    they are made: through SQLAlchemy, with each chunk a list, it was 4 s more of a
    5,000,000-ticket load (the lists of tuples kept the garbage collector busy). Whole-second
    times go as epoch seconds that SQLite writes as text itself: formatting them in Python was a
    third of a load of millions of tickets."""
    cols = list(frame.columns)
    epoch = {c for c in cols if _whole_seconds(frame[c])}
    marks = ", ".join("datetime(?, 'unixepoch')" if c in epoch else "?" for c in cols)
    sql = f'INSERT INTO {table.name} ({", ".join(cols)}) VALUES ({marks})'
    cur = conn.connection.driver_connection.cursor()
    for i in range(0, len(frame), CHUNK):
        part = frame.iloc[i:i + CHUNK]
        cur.executemany(sql, zip(*(_epoch_seconds(part[c]) if c in epoch else _plain_column(part[c])
                                   for c in cols)))


def _plain(v):
    """What sqlite3 can bind, stored the way SQLAlchemy's SQLite types read it back."""
    if isinstance(v, pd.Timestamp):
        return v.to_pydatetime().isoformat(sep=" ")
    if isinstance(v, dt.datetime):
        return v.isoformat(sep=" ")
    if isinstance(v, dt.date):
        return v.isoformat()
    if hasattr(v, "item"):  # numpy scalars
        return v.item()
    return v


PLAIN = (str, int, float, bool, type(None))
CHUNK = 50_000  # rows converted to Python values at a time: bounds the memory of a large write
REINDEX_FROM = 100_000  # rows into an empty table from which its indexes are built after the write


def _copy(conn: Connection, table, frame: pd.DataFrame) -> None:
    """COPY ... FROM STDIN as CSV written by Arrow, whole columns in C++: pandas' to_csv was 16 s
    of a 5,000,000-ticket load, most of it in Python. Arrow writes NULL as an unquoted empty field
    and quotes texts where any needs it, which is how COPY's CSV format tells NULL from an empty
    text (and a text "\\N" is just text). A frame Arrow cannot type (an object column mixing
    kinds) or with zone-aware times (Arrow would write them in UTC) goes row by row through
    psycopg, which adapts each value as SQLAlchemy would."""
    import pyarrow as pa  # here: only PostgreSQL writes need it, and a SQLite process starts faster
    import pyarrow.csv as pa_csv

    cols = list(frame.columns)
    raw = conn.connection.driver_connection
    arrow = not any(isinstance(frame[c].dtype, pd.DatetimeTZDtype) for c in cols)
    with raw.cursor() as cur:
        if arrow:
            try:  # the types of whole columns, so that every chunk below is typed alike
                schema = pa.Schema.from_pandas(frame, preserve_index=False)
            except (pa.ArrowException, TypeError, ValueError):
                arrow = False
        with cur.copy(f'COPY {table.name} ({", ".join(cols)}) FROM STDIN{" WITH (FORMAT csv)" if arrow else ""}') as cp:
            if not arrow:
                for row in frame.itertuples(index=False, name=None):
                    cp.write_row([None if _isna(v) else v for v in row])
                return
            # Texts that CSV need not quote go unquoted: quoted fields were 2-4 s of the server's COPY
            # of 5,000,000 tickets. Quoting stays for any delimiter, quote or line break, and for an
            # empty text, which unquoted would read as NULL.
            options = pa_csv.WriteOptions(include_header=False, quoting_style=(
                "none" if all(_plain_csv(frame[c]) for c in cols) else "needed"))
            for i in range(0, len(frame), COPY_CHUNK):
                sink = pa.BufferOutputStream()
                pa_csv.write_csv(pa.Table.from_pandas(frame.iloc[i:i + COPY_CHUNK], schema=schema, preserve_index=False),
                                 sink, options)
                cp.write(memoryview(sink.getvalue()))


COPY_CHUNK = 200_000  # rows typed by Arrow at a time
NEEDS_QUOTES = r'[,"\r\n]|^$'


def _plain_csv(col: pd.Series) -> bool:
    """True if no text of the column needs quoting in CSV (a categorical: its categories only)."""
    if isinstance(col.dtype, pd.CategoricalDtype):
        col = pd.Series(col.cat.categories)
    if pd.api.types.is_numeric_dtype(col) or pd.api.types.is_datetime64_any_dtype(col):
        return True
    texts = col.dropna()
    return not texts.astype(str).str.contains(NEEDS_QUOTES, regex=True).any()


def _whole_seconds(col: pd.Series) -> bool:
    if not pd.api.types.is_datetime64_any_dtype(col) or col.dt.tz is not None:
        return False
    values = col.to_numpy()
    ticks = values[~np.isnat(values)].view("int64")
    return not (ticks % (np.timedelta64(1, "s") // np.timedelta64(1, np.datetime_data(values.dtype)[0]))).any()


def _epoch_seconds(col: pd.Series) -> list:
    seconds = col.to_numpy(dtype="datetime64[s]").astype("int64").tolist()
    for i in np.flatnonzero(col.isna().to_numpy()):
        seconds[i] = None
    return seconds


def _plain_column(col: pd.Series) -> list:
    """A column as _plain makes each value, by whole columns where the type allows (a million tickets)."""
    if isinstance(col.dtype, pd.CategoricalDtype) and pd.api.types.infer_dtype(col.cat.categories) == "string":
        # Code -1 (missing) picks the None appended last.
        return np.append(col.cat.categories.to_numpy(dtype=object), None)[col.cat.codes.to_numpy()].tolist()
    if isinstance(col.dtype, np.dtype) and col.dtype.kind in "iub":  # numpy ints, bools: no NULL in them
        return col.to_numpy().tolist()
    if pd.api.types.infer_dtype(col, skipna=True) in ("string", "empty"):  # no check per value
        return col.to_numpy(dtype=object, na_value=None).tolist()
    values = col.astype(object).where(col.notna(), None).tolist()
    if {type(v) for v in values} <= set(PLAIN):
        return values
    return [_plain(v) for v in values]


def _isna(v) -> bool:
    try:
        return bool(pd.isna(v))
    except (TypeError, ValueError):
        return False
