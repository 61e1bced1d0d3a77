"""Write datasets from any connector into the store as traceable batches.

Every write is one transaction and one batch per dataset: all rows or none.
A figure that already has a value in force is superseded, never overwritten,
so rolling a batch back can restore exactly what it replaced.
"""
from __future__ import annotations

import contextlib
import logging
from collections.abc import Callable, Iterable

import pandas as pd
from sqlalchemy import bindparam, select, update

from . import schema as s
from .datasets import Dataset
from .store import Store

log = logging.getLogger(__name__)
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
         progress: Progress | None = None, conn=None) -> list[int]:
    """Commit datasets; returns the new batch ids.

    With `conn`, the writes join the caller's open transaction (an upload checks for
    duplicates and supersedes task reports in the same one); otherwise they get their own.
    """
    datasets = list(datasets)
    batch_ids = []
    with (contextlib.nullcontext(conn) if conn is not None else store.begin()) as conn:
        for i, ds in enumerate(datasets):
            if progress:
                progress(i / len(datasets), f"写入{ds.meta.get('title', ds.name)}（{len(ds.frame):,} 行）")
            batch = store.new_batch(conn, source=source, dataset=ds.name, created_by=created_by,
                                    file_name=file_name, sha256=sha256,
                                    note=ds.meta.get("title", ""))
            frame = ds.frame.copy()
            frame["batch_id"] = batch
            if ds.name == "observations":
                _supersede(conn, frame)
            store.bulk_insert(conn, TABLES[ds.name], frame)
            store.finish_batch(conn, batch, len(frame))
            store.audit(conn, created_by, "import", f"batch:{batch}",
                        f"{source} {ds.name} {len(frame)} 行 {file_name or ''}".strip())
            batch_ids.append(batch)
    if progress:
        progress(1.0, "完成")
    log.info("committed batches %s from %s", batch_ids, source)
    return batch_ids


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
