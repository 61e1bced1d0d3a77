"""Roll a batch back: its figures leave force and the ones it replaced return. Nothing is deleted."""
from __future__ import annotations

import pandas as pd
from sqlalchemy import select, tuple_, update

from .. import schema as s
from ..store import Store, now
from .. import ingest, locks
from ..datasets import KEYED
from ..auth import ANYTHING, WriteScope
from .history import in_scope

ROLLBACKABLE = ("observations", "task_progress", *KEYED)


class RollbackRefused(ValueError):
    pass


def rollback(store: Store, batch_id: int, *, by: str, reason: str, scope: WriteScope = ANYTHING) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise RollbackRefused("请填写回滚原因（会记入历史）。")
    b = s.upload_batches.c
    batch = store.frame(select(s.upload_batches).where(b.id == batch_id))
    if batch.empty:
        raise RollbackRefused(f"没有批次 #{batch_id}。")
    batch = batch.iloc[0]
    if batch.status == "retired":
        raise RollbackRefused(f"批次 #{batch_id} 是演示数据，已于 {batch.rolled_back_at:%Y-%m-%d %H:%M} 停用；"
                              "如需恢复请用命令 python -m cockpit demo --restore。")
    if batch.status != "committed":
        raise RollbackRefused(f"批次 #{batch_id} 已于 {batch.rolled_back_at:%Y-%m-%d %H:%M} 由 "
                              f"{batch.rolled_back_by} 回滚，无需再次回滚。")
    if batch.dataset not in ROLLBACKABLE or (batch.dataset in KEYED and batch.source == "demo"):
        raise RollbackRefused(f"批次 #{batch_id} 是“{batch.dataset}”数据，不支持在此回滚。")
    _check_scope(store, batch, scope)
    try:
        with locks.transaction(store, [batch.dataset], by) as conn:
            if batch.dataset == "observations":
                restored = _observations(conn, batch_id)
            elif batch.dataset in KEYED:
                restored = _records(conn, store, batch.dataset, batch_id)
            else:
                restored = _tasks(conn, batch_id)
            conn.execute(update(s.upload_batches).where(b.id == batch_id, b.status == "committed")
                         .values(status="rolled_back", rolled_back_at=now(), rolled_back_by=by,
                                 rollback_reason=reason))
            store.audit(conn, by, "rollback", f"batch:{batch_id}", reason)
    except locks.Busy as exc:
        raise RollbackRefused(str(exc)) from None
    if batch.dataset in KEYED:
        said = (f"已回滚批次 #{batch_id}：该批写入的 {int(batch.row_count):,} 条记录不再生效，"
                f"其中 {restored:,} 条恢复为更新前的状态（均保留在记录历史中）。")
        if batch.source in ("sql", "http", "cap"):  # an incremental pull's watermark is already past them
            said += (f"这些记录来自数据源 {batch.file_name} 的拉取，按增量位置以后不会再读到；如需补回，运行 "
                     f"python -m cockpit pull --source {batch.file_name} --from-start。")
        return said
    said = f"已回滚批次 #{batch_id}：该批 {int(batch.row_count):,} 个数值不再生效，恢复了它替换的 {restored:,} 个原值。"
    if not store.scalar(select(s.observations.c.id).where(s.observations.c.active.is_(True)).limit(1)):
        # The only real batch rolled back after the demo figures were retired: every page empty, unexplained.
        said += "库中已没有生效的经济与指标数据，各页将显示“—”；如需演示数据，可运行 python -m cockpit demo --restore。"
    return said


def _check_scope(store: Store, batch, scope: WriteScope) -> None:
    """A scoped reporter rolls back only what is wholly theirs: every figure of the batch in their
    county and department, or a task batch they sent themselves."""
    if scope.unlimited:
        return
    o = s.observations.c
    if batch.dataset == "observations":
        outside = store.frame(select(o.id).where(o.batch_id == int(batch.id), ~in_scope(scope)).limit(1))
        mine = outside.empty
    else:
        mine = batch.created_by == scope.user
    if not mine:
        raise RollbackRefused(f"批次 #{int(batch.id)} 含有您权限以外的数据（其他县区、其他部门的指标或他人报送的任务进展），"
                              "不能由您回滚；如需回滚请联系管理员。")


def _later_batches(conn, replaced_ids_of, batch_id: int, table) -> list[int]:
    b = s.upload_batches.c
    return list(conn.execute(
        select(table.c.batch_id).distinct().join(s.upload_batches, b.id == table.c.batch_id)
        .where(replaced_ids_of, table.c.batch_id != batch_id, b.status == "committed")
        .order_by(table.c.batch_id)).scalars())


def _observations(conn, batch_id: int) -> int:
    o = s.observations.c
    later = _later_batches(conn, o.replaced_id.in_(select(o.id).where(o.batch_id == batch_id)),
                           batch_id, s.observations)
    if later:
        raise RollbackRefused(
            f"批次 #{batch_id} 的部分数值已被之后的批次 {'、'.join(f'#{i}' for i in later)} 更正；"
            f"直接回滚会把更正后的数值也改乱。请先回滚批次 {'、'.join(f'#{i}' for i in reversed(later))}，"
            f"再回滚批次 #{batch_id}。")
    replaced = select(o.replaced_id).where(o.batch_id == batch_id, o.replaced_id.is_not(None))
    # Only figures of batches still in force come back: a retired demo figure stays retired.
    live = select(s.upload_batches.c.id).where(s.upload_batches.c.status == "committed")
    restored = conn.execute(update(s.observations).where(o.id.in_(replaced), o.batch_id.in_(live))
                            .values(active=True)).rowcount
    conn.execute(update(s.observations).where(o.batch_id == batch_id).values(active=False))
    return int(restored or 0)


def _records(conn, store: Store, dataset: str, batch_id: int) -> int:
    try:
        return ingest.rollback_records(conn, store, dataset, batch_id)
    except ingest.LaterBatches as exc:
        raise RollbackRefused(
            f"批次 #{batch_id} 的部分记录已被之后的批次 {'、'.join(f'#{i}' for i in exc.batches)} 更新；"
            f"请先回滚批次 {'、'.join(f'#{i}' for i in reversed(exc.batches))}，再回滚批次 #{batch_id}。") from None


def _tasks(conn, batch_id: int) -> int:
    """task_progress has no replaced_id: what a row replaced is the newest earlier row with its key
    from a batch still in force (rows only leave force by being replaced or rolled back)."""
    tp = s.task_progress
    b = s.upload_batches.c
    mine = pd.DataFrame(conn.execute(select(tp.c.id, tp.c.task_number, tp.c.reported_on)
                                     .where(tp.c.batch_id == batch_id)).fetchall(),
                        columns=["id", "task_number", "reported_on"])
    if mine.empty:
        return 0
    keys = [(int(r.task_number), r.reported_on) for r in mine.itertuples()]
    others = pd.DataFrame(conn.execute(
        select(tp.c.id, tp.c.task_number, tp.c.reported_on, tp.c.batch_id, tp.c.active)
        .join(s.upload_batches, b.id == tp.c.batch_id)
        .where(tuple_(tp.c.task_number, tp.c.reported_on).in_(keys), tp.c.batch_id != batch_id,
               b.status == "committed")).fetchall(),
        columns=["id", "task_number", "reported_on", "batch_id", "active"])
    merged = others.merge(mine, on=["task_number", "reported_on"], suffixes=("", "_mine"))
    later = sorted(set(merged[merged.id > merged.id_mine].batch_id))
    if later:
        raise RollbackRefused(
            f"批次 #{batch_id} 的部分任务进展已被之后的批次 {'、'.join(f'#{i}' for i in later)} 更正；"
            f"请先回滚批次 {'、'.join(f'#{i}' for i in reversed(later))}，再回滚批次 #{batch_id}。")
    earlier = merged[merged.id < merged.id_mine].sort_values("id").drop_duplicates(
        ["task_number", "reported_on"], keep="last")
    ids = [int(i) for i in earlier.id]
    if ids:
        conn.execute(update(tp).where(tp.c.id.in_(ids)).values(active=True))
    conn.execute(update(tp).where(tp.c.batch_id == batch_id).values(active=False))
    return len(ids)
