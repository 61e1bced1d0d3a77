"""Demo figures leave when real ones arrive: the first real batch of a dataset retires that
dataset's demo batches in the same transaction, so no page ever mixes the two (a 同比 of a real
October over a demo October). Retired rows stay in their batch, inactive; `restore` brings back
those whose place no real figure has taken. `python -m cockpit demo --remove | --restore`.
"""
from __future__ import annotations

import pandas as pd
from sqlalchemy import and_, exists, func, select, update

from .. import locks, schema as s
from ..store import Store, now

RETIRABLE = {"observations": s.observations, "task_progress": s.task_progress}  # tables with `active`
REASON = "真实数据已导入，演示数据停用（保留在原批次中，可恢复）"
RETIRED = "retired"


def demo_batches(conn, datasets, status: str = "committed") -> pd.DataFrame:
    b = s.upload_batches.c
    rows = conn.execute(select(b.id, b.dataset).where(b.source == "demo", b.status == status,
                                                      b.dataset.in_(sorted(datasets)))).fetchall()
    return pd.DataFrame(rows, columns=["id", "dataset"])


def demo_rows(store: Store, dataset: str) -> int:
    """Figures in force that come from demo batches of `dataset` (what a real batch would retire)."""
    table = RETIRABLE.get(dataset)
    if table is None:
        return 0
    b = s.upload_batches.c
    with store.engine.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(table)
                                .join(s.upload_batches, b.id == table.c.batch_id)
                                .where(table.c.active.is_(True), b.source == "demo", b.status == "committed")).scalar())


def retire(conn, store: Store, datasets, *, by: str, reason: str = REASON) -> dict[str, int]:
    """Take every demo batch of `datasets` out of force (inside the caller's transaction)."""
    batches = demo_batches(conn, set(datasets) & set(RETIRABLE))
    out: dict[str, int] = {}
    for dataset, group in batches.groupby("dataset"):
        table = RETIRABLE[dataset]
        ids = [int(i) for i in group.id]
        n = conn.execute(update(table).where(table.c.batch_id.in_(ids), table.c.active.is_(True))
                         .values(active=False)).rowcount
        conn.execute(update(s.upload_batches).where(s.upload_batches.c.id.in_(ids))
                     .values(status=RETIRED, rolled_back_at=now(), rolled_back_by=by[:64], rollback_reason=reason))
        store.audit(conn, by, "demo_retire", f"dataset:{dataset}", f"批次 {ids}，{n} 行停用")
        out[dataset] = int(n or 0)
    return out


def remove(store: Store, *, by: str) -> dict[str, int]:
    with locks.transaction(store, sorted(RETIRABLE), by) as conn:  # no upload of these datasets meanwhile
        return retire(conn, store, RETIRABLE, by=by, reason="按命令停用演示数据（保留在原批次中，可恢复）")


def restore(store: Store, *, by: str) -> dict[str, int]:
    """Put retired demo batches back in force where no figure in force has the same key."""
    out: dict[str, int] = {}
    with locks.transaction(store, sorted(RETIRABLE), by) as conn:
        batches = demo_batches(conn, RETIRABLE, status=RETIRED)
        for dataset, group in batches.groupby("dataset"):
            table = RETIRABLE[dataset]
            ids = [int(i) for i in group.id]
            other = table.alias()
            keys = (["indicator_code", "region_code", "period", "measure"] if dataset == "observations"
                    else ["task_number", "reported_on"])
            taken = exists().where(other.c.active.is_(True), *[other.c[k] == table.c[k] for k in keys])
            n = conn.execute(update(table).where(and_(table.c.batch_id.in_(ids), ~taken)).values(active=True)).rowcount
            conn.execute(update(s.upload_batches).where(s.upload_batches.c.id.in_(ids))
                         .values(status="committed", rolled_back_at=None, rolled_back_by=None, rollback_reason=None))
            store.audit(conn, by, "demo_restore", f"dataset:{dataset}", f"批次 {ids}，{n} 行恢复")
            out[dataset] = int(n or 0)
    return out
