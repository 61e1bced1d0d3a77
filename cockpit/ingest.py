"""Write datasets from any connector into the store as traceable batches.

Every write is one transaction and one batch per dataset: all rows or none.
A figure that already has a value in force is superseded, never overwritten,
so rolling a batch back can restore exactly what it replaced.

Records that change over time (tickets, events, weather warnings, duty) carry their source's own
key: `diff_records` sorts a pull into new, changed and unchanged records by (origin, source_key);
a changed record is updated in place and the state it replaced is kept in `record_versions`, so a
repeated pull of unchanged records stores nothing and a rollback restores what a batch replaced.
"""
from __future__ import annotations

import contextlib
import datetime as dt
import json
import logging
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pandas as pd
from sqlalchemy import Date, DateTime, Float, Integer, bindparam, delete, func, select, update

from . import hotline_daily, schema as s
from .datasets import DATASET_COLUMNS, KEYED, Dataset
from .store import Store

log = logging.getLogger(__name__)
_COUNTER = ThreadPoolExecutor(1, thread_name_prefix="hotline-count")
TABLES = {
    "observations": s.observations,
    "task_progress": s.task_progress,
    "emergency_events": s.emergency_events,
    "hotline_tickets": s.hotline_tickets,
    "weather_warnings": s.weather_warnings,
    "duty_roster": s.duty_roster,
}
KEY = ["indicator_code", "region_code", "period", "measure"]
Progress = Callable[[float, str], None]


def load(store: Store, datasets: Iterable[Dataset], *, source: str, created_by: str,
         file_name: str | None = None, sha256: str | None = None,
         progress: Progress | None = None, conn=None, origin: str | None = None) -> list[int]:
    """Commit datasets; returns the new batch ids.

    With `conn`, the writes join the caller's open transaction (an upload checks for
    duplicates and supersedes task reports in the same one); otherwise they get their own.
    A keyed dataset's rows carrying a `record_id` (from diff_records) replace that record in place;
    the others are inserted under `origin`.
    """
    datasets = list(datasets)
    batch_ids = []
    with (contextlib.nullcontext(conn) if conn is not None else store.begin()) as conn:
        for i, ds in enumerate(datasets):
            if progress:
                progress(i / len(datasets), f"写入{ds.meta.get('title', ds.name)}（{len(ds.frame):,} 行）")
            if ds.name == "hotline_tickets":  # before the new batch changes the tickets' version
                daily_current = hotline_daily.current(conn)
                first = conn.execute(select(s.hotline_tickets.c.id).limit(1)).first() is None
            batch = store.new_batch(conn, source=source, dataset=ds.name, created_by=created_by,
                                    file_name=file_name, sha256=sha256,
                                    note=ds.meta.get("title", ""))
            frame = ds.frame.copy(deep=False)  # copy-on-write: the columns added below stay ours
            frame["batch_id"] = batch
            if ds.name == "observations":
                _supersede(conn, frame)
            if ds.name == "hotline_tickets":
                touched = _ticket_times(conn, frame)
                # Counted by a thread while the rows are written: the write waits on the database
                # (SQLite's steps and index builds, PostgreSQL's COPY) without holding the GIL.
                counting = _COUNTER.submit(hotline_daily.count_frame, frame) if first else None
            if ds.name in KEYED and "source_key" in frame:
                _write_records(conn, store, ds.name, frame, batch, origin)
            else:
                store.bulk_insert(conn, TABLES[ds.name], frame)
            if ds.name == "hotline_tickets":
                hotline_daily.after_write(conn, daily_current, touched,
                                          counting.result() if counting else None)
            store.finish_batch(conn, batch, len(frame))
            store.audit(conn, created_by, "import", f"batch:{batch}",
                        f"{source} {ds.name} {len(frame)} 行 {file_name or ''}".strip())
            batch_ids.append(batch)
    if progress:
        progress(1.0, "完成")
    log.info("committed batches %s from %s", batch_ids, source)
    return batch_ids


def _ticket_times(conn, frame: pd.DataFrame) -> list:
    """The earliest and latest created_at an ingest touches: its tickets', and for tickets it
    updates in place their stored times too (a corrected date moves a ticket between days)."""
    when = pd.to_datetime(frame["created_at"])
    times = [when.min(), when.max()] if len(frame) else []
    ids = [int(i) for i in frame["record_id"].dropna()] if "record_id" in frame else []
    t = s.hotline_tickets.c
    for i in range(0, len(ids), LOOKUP_CHUNK):
        times += conn.execute(select(func.min(t.created_at), func.max(t.created_at))
                              .where(t.id.in_(ids[i:i + LOOKUP_CHUNK]))).one()
    return [pd.Timestamp(x).to_pydatetime() for x in times if x is not None and not pd.isna(x)]


def _supersede(conn, frame: pd.DataFrame) -> None:
    """Deactivate figures in force that the new frame replaces; remember which."""
    o = s.observations.c
    codes = frame["indicator_code"].unique().tolist()
    current = pd.DataFrame(conn.execute(
        select(o.id, *[o[k] for k in KEY]).where(o.active.is_(True), o.indicator_code.in_(codes))
    ).fetchall(), columns=["id", *KEY])
    if current.empty:
        frame["replaced_id"] = None
        return
    merged = frame[KEY].merge(current, on=KEY, how="left")
    frame["replaced_id"] = merged["id"].astype("Int64").to_numpy()
    old = merged["id"].dropna().astype(int).tolist()
    if old:
        conn.execute(update(s.observations).where(o.id == bindparam("oid")).values(active=False),
                     [{"oid": i} for i in old])


# ---- keyed records -------------------------------------------------------------------------------
LOOKUP_CHUNK = 500
WHOLE_ORIGIN = 20_000  # a pull this large reads its origin's keys in one query instead of by chunks


def diff_records(conn, name: str, frame: pd.DataFrame, origin: str) -> tuple[pd.DataFrame, dict[str, int]]:
    """The rows of `frame` (keyed by source_key) that change the store: new ones (record_id NA) and
    changed ones (record_id = the stored record), with counts of new, changed and unchanged."""
    table, cols = TABLES[name], DATASET_COLUMNS[name]
    stored = _stored(conn, table, cols, origin, frame.source_key)
    if stored.empty:  # a first pull: every record is new (no comparing a million rows with nothing)
        write = frame[[*cols, "source_key"]].reset_index(drop=True).assign(record_id=pd.array([pd.NA] * len(frame),
                                                                                                 dtype="Int64"))
        return write, {"new": len(frame), "changed": 0, "unchanged": 0}
    merged = frame.reset_index(drop=True).merge(stored, on="source_key", how="left", suffixes=("", "_old"))
    known = merged["record_id"].notna().to_numpy()
    same = known.copy()
    for c in cols:
        same &= _equal(table.c[c].type, merged[c], merged[c + "_old"])
    write = merged[~same][[*cols, "source_key", "record_id"]].reset_index(drop=True)
    write["record_id"] = write["record_id"].astype("Int64")
    counts = {"new": int((~known).sum()), "changed": int((known & ~same).sum()), "unchanged": int(same.sum())}
    return write, counts


def _stored(conn, table, cols: list[str], origin: str, keys: pd.Series) -> pd.DataFrame:
    columns = [table.c.id.label("record_id"), table.c.source_key, *[table.c[c].label(c + "_old") for c in cols]]
    base = select(*columns).where(table.c.origin == origin)
    names = ["record_id", "source_key", *[c + "_old" for c in cols]]
    unique = pd.unique(keys.astype(str).to_numpy()).tolist()
    if len(unique) > WHOLE_ORIGIN:
        rows = conn.execute(base).fetchall()
    else:
        rows = [r for i in range(0, len(unique), LOOKUP_CHUNK)
                for r in conn.execute(base.where(table.c.source_key.in_(unique[i:i + LOOKUP_CHUNK]))).fetchall()]
    return pd.DataFrame([tuple(r) for r in rows], columns=names)


def _equal(kind, new: pd.Series, old: pd.Series) -> np.ndarray:
    """Element-wise equality as the store would hold the values (times to the second, NULLs equal)."""
    a, b = _comparable(kind, new), _comparable(kind, old)
    both_na = a.isna().to_numpy() & b.isna().to_numpy()
    if isinstance(kind, Float):
        eq = np.isclose(a.to_numpy(float), b.to_numpy(float), rtol=1e-12, atol=1e-9)
    else:
        eq = (a.to_numpy(dtype=object) == b.to_numpy(dtype=object))
    return np.asarray(eq, dtype=bool) & ~(a.isna().to_numpy() ^ b.isna().to_numpy()) | both_na


def _comparable(kind, col: pd.Series) -> pd.Series:
    if isinstance(kind, DateTime):
        return pd.to_datetime(col, errors="coerce").dt.floor("s").astype(object).where(lambda x: x.notna(), None)
    if isinstance(kind, Date):
        return pd.to_datetime(col, errors="coerce").dt.normalize().astype(object).where(lambda x: x.notna(), None)
    if isinstance(kind, Float):
        return pd.to_numeric(col, errors="coerce").astype(float)
    if isinstance(kind, Integer):
        return pd.to_numeric(col, errors="coerce").astype("Int64").astype(object).where(lambda x: x.notna(), None)
    return col.astype(object).where(col.notna(), None).map(lambda v: v if v is None else str(v))


def _write_records(conn, store: Store, name: str, frame: pd.DataFrame, batch: int, origin: str | None) -> None:
    if not origin:
        raise ValueError("带来源编号的记录须指明来源（origin）")
    table = TABLES[name]
    ids = frame["record_id"] if "record_id" in frame else pd.Series(pd.NA, index=frame.index)
    new = frame[ids.isna()].drop(columns=["record_id"], errors="ignore").assign(origin=origin)
    store.bulk_insert(conn, table, new)
    changed = frame[ids.notna()]
    if changed.empty:
        return
    cols = DATASET_COLUMNS[name]
    keep = [int(i) for i in changed.record_id]
    _keep_states(conn, store, name, keep, batch, "replaced")
    rows = [{"rid": int(r["record_id"]), "batch_id": batch, **{c: _native(r[c]) for c in cols}}
            for r in changed.to_dict("records")]
    conn.execute(update(table).where(table.c.id == bindparam("rid"))
                 .values(batch_id=bindparam("batch_id"), **{c: bindparam(c) for c in cols}), rows)


def _keep_states(conn, store: Store, name: str, ids: list[int], batch: int, reason: str) -> None:
    """Copy the stored states of records `ids` into record_versions before they change."""
    table = TABLES[name]
    cols = [c.name for c in table.columns if c.name != "id"]
    versions = []
    for i in range(0, len(ids), LOOKUP_CHUNK):
        for r in conn.execute(select(table).where(table.c.id.in_(ids[i:i + LOOKUP_CHUNK]))).mappings():
            versions.append({"dataset": name, "record_id": int(r["id"]), "state_batch_id": int(r["batch_id"]),
                             "batch_id": batch, "reason": reason,
                             "state": json.dumps({c: _json(r[c]) for c in cols}, ensure_ascii=False)})
    store.bulk_insert(conn, s.record_versions, pd.DataFrame(versions))


class LaterBatches(Exception):
    """Records of a batch were changed again by later batches (their ids), still in force."""

    def __init__(self, batches: list[int]):
        super().__init__(f"later batches {batches}")
        self.batches = batches


def rollback_records(conn, store: Store, name: str, batch_id: int) -> int:
    """Undo a batch of keyed records: the records it changed get the state it replaced back, the ones
    it added leave the table; both keep the batch's state in record_versions. Returns how many
    earlier states came back. Refused (LaterBatches) while a later batch in force changed one of them."""
    v, b = s.record_versions.c, s.upload_batches.c
    later = sorted(conn.execute(
        select(v.batch_id).distinct().join(s.upload_batches, b.id == v.batch_id)
        .where(v.dataset == name, v.state_batch_id == batch_id, v.reason == "replaced", v.batch_id != batch_id,
               b.status == "committed")).scalars())
    if later:
        raise LaterBatches(later)
    table = TABLES[name]
    mine = [int(i) for i in conn.execute(select(table.c.id).where(table.c.batch_id == batch_id)).scalars()]
    earlier = {int(r.record_id): json.loads(r.state) for r in conn.execute(
        select(v.record_id, v.state).where(v.dataset == name, v.batch_id == batch_id, v.reason == "replaced")
        .order_by(v.id))}
    _keep_states(conn, store, name, mine, batch_id, "rolled_back")
    back = [{"rid": i, **_from_json(table, earlier[i])} for i in mine if i in earlier]
    if back:
        cols = [c for c in back[0] if c != "rid"]
        conn.execute(update(table).where(table.c.id == bindparam("rid")).values(**{c: bindparam(c) for c in cols}),
                     back)
    added = [i for i in mine if i not in earlier]
    for i in range(0, len(added), LOOKUP_CHUNK):
        conn.execute(delete(table).where(table.c.id.in_(added[i:i + LOOKUP_CHUNK])))
    return len(back)


def record_counts(conn, name: str, batch_id: int) -> int:
    """Records a batch holds now (what a rollback would take out or restore)."""
    table = TABLES[name]
    return int(conn.execute(select(func.count()).select_from(table).where(table.c.batch_id == batch_id)).scalar())


def _native(v):
    if v is None or v is pd.NaT or (isinstance(v, float) and np.isnan(v)) or v is pd.NA:
        return None
    if isinstance(v, pd.Timestamp):
        return v.to_pydatetime()
    return v.item() if hasattr(v, "item") else v


def _json(v):
    return v.isoformat() if isinstance(v, (dt.date, dt.datetime)) else v


def _from_json(table, state: dict) -> dict:
    out = {}
    for c, v in state.items():
        kind = table.c[c].type
        if v is not None and isinstance(kind, DateTime):
            v = dt.datetime.fromisoformat(v)
        elif v is not None and isinstance(kind, Date):
            v = dt.date.fromisoformat(v)
        out[c] = v
    return out
