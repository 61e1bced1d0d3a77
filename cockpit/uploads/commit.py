"""Preview and commit a checked file: one transaction, one batch per dataset, never a mixed batch.

A figure equal to the one in force is not written again, so a correction file
that repeats 99 figures and changes one creates one new version, and the batch
says how many were new, changed and unchanged.
"""
from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from sqlalchemy import insert, select, tuple_, update

from .. import ingest, locks, schema as s
from ..auth import ANYTHING, WriteScope
from ..datasets import KEYED, Dataset
from ..store import Store
from . import retire as R
from .validate import Checked

log = logging.getLogger(__name__)
KEY = ["indicator_code", "region_code", "period", "measure"]
TASK_KEY = ["task_number", "reported_on"]
STATUS_NAMES = {"new": "新增", "changed": "修改", "unchanged": "不变"}


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


@dataclass
class Preview:
    observations: pd.DataFrame  # KEY + old, new, status (new | changed | unchanged)
    tasks: pd.DataFrame  # TASK_KEY + status/percent/... + old_status, old_percent, change
    # "—" in the file where a figure is in force: KEY + old, old_id, sheet, row, column. The
    # clerk chooses at commit: 保留原值 (default) or 撤回 (withdrawn, reversible by rollback).
    withdrawable: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=KEY + ["old"]))
    demo_retired: dict[str, int] = field(default_factory=dict)  # dataset -> demo figures this commit retires
    records: dict[str, dict[str, int]] = field(default_factory=dict)  # keyed dataset -> new/changed/unchanged

    @property
    def counts(self) -> dict[str, int]:
        out = {k: 0 for k in STATUS_NAMES}
        for frame in (self.observations, self.tasks):
            if len(frame):
                for k, v in frame["change"].value_counts().items():
                    out[k] += int(v)
        for counts in self.records.values():
            for k, v in counts.items():
                out[k] += v
        return out

    def summary(self) -> str:
        c = self.counts
        return f"新增 {c['new']:,} 个、修改 {c['changed']:,} 个、不变 {c['unchanged']:,} 个"


@dataclass
class Result:
    status: str  # committed | duplicate | unchanged | rejected | busy
    message: str
    batch_ids: list[int] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)


def preview(store: Store, checked: Checked, origin: str = "upload") -> Preview:
    names = {d.name for d in checked.datasets}
    with store.engine.connect() as conn:
        records = {d.name: ingest.diff_records(conn, d.name, d.frame, origin)[1]
                   for d in checked.datasets if d.name in KEYED}
    return Preview(_preview_observations(store, checked), _preview_tasks(store, checked),
                   _withdrawable(store, checked),
                   {d: n for d in sorted(names) if (n := R.demo_rows(store, d))}, records)


def _in_force(store: Store, frame: pd.DataFrame, conn=None) -> pd.DataFrame:
    """Real figures in force for the indicators and periods of `frame` (demo ones are about to be
    retired by this very commit, so they are neither compared against nor kept)."""
    o, b = s.observations.c, s.upload_batches.c
    stmt = (select(o.id.label("old_id"), o.indicator_code, o.region_code, o.period, o.measure, o.value.label("old"))
            .join(s.upload_batches, b.id == o.batch_id)
            .where(o.active.is_(True), b.source != "demo", o.indicator_code.in_(sorted(frame.indicator_code.unique())),
                   o.period >= frame.period.min(), o.period <= frame.period.max()))
    if conn is None:
        return store.frame(stmt)
    res = conn.execute(stmt)
    return pd.DataFrame(res.fetchall(), columns=list(res.keys()))


def _withdrawable(store: Store, checked: Checked, conn=None) -> pd.DataFrame:
    blanks = checked.blanks
    cols = KEY + ["old", "old_id", "sheet", "row", "column"]
    if blanks is None or blanks.empty or not checked.ok:
        return pd.DataFrame(columns=cols)
    hit = blanks.merge(_in_force(store, blanks, conn), on=KEY, how="inner")
    return hit[cols].reset_index(drop=True)


def _preview_observations(store: Store, checked: Checked, conn=None) -> pd.DataFrame:
    ds = checked.dataset("observations")
    cols = KEY + ["old", "new", "change"]
    if ds is None or ds.frame.empty:
        return pd.DataFrame(columns=cols)
    new = ds.frame
    current = _in_force(store, new, conn).drop(columns=["old_id"])
    merged = new.rename(columns={"value": "new"}).merge(current, on=KEY, how="left")
    same = np.isclose(merged.new.to_numpy(float), merged.old.to_numpy(float), rtol=1e-12, atol=1e-9)
    merged["change"] = np.where(merged.old.isna(), "new", np.where(same, "unchanged", "changed"))
    return merged[cols]


def _preview_tasks(store: Store, checked: Checked, conn=None) -> pd.DataFrame:
    ds = checked.dataset("task_progress")
    if ds is None or ds.frame.empty:
        return pd.DataFrame(columns=TASK_KEY + ["status", "percent", "note", "reporting_unit",
                                                "old_status", "old_percent", "change"])
    tp = s.task_progress.c
    stmt = (select(tp.task_number, tp.reported_on, tp.status.label("old_status"),
                   tp.percent.label("old_percent"), tp.note.label("old_note"))
            .where(tp.active.is_(True), tp.task_number.in_([int(x) for x in ds.frame.task_number.unique()])))
    current = store.frame(stmt) if conn is None else pd.DataFrame(conn.execute(stmt).fetchall(),
                                                                  columns=TASK_KEY + ["old_status", "old_percent", "old_note"])
    if len(current):
        current["reported_on"] = pd.to_datetime(current.reported_on).dt.date
        current = current.drop_duplicates(TASK_KEY, keep="last")
    merged = ds.frame.merge(current, on=TASK_KEY, how="left")
    same = (merged.status == merged.old_status) & (merged.percent == merged.old_percent) & (merged.note == merged.old_note)
    merged["change"] = np.where(merged.old_status.isna(), "new", np.where(same, "unchanged", "changed"))
    return merged.drop(columns=["old_note"])


# ---- commit -------------------------------------------------------------------------
def outside_scope(store: Store, checked: Checked, scope: WriteScope) -> str | None:
    """Why a scoped reporter may not write this file, or None. A county's or department's reporter
    writes its own figures only; enforced here, not only by the page."""
    if scope.unlimited:
        return None
    ds = checked.dataset("observations")
    # Figures, and tickets, events and warnings too: each names its region.
    named = set().union(*(set(d.frame.region_code.dropna()) for d in checked.datasets if "region_code" in d.frame))
    regions = sorted(named - scope.regions) if scope.regions is not None else []
    codes = sorted(set(ds.frame.indicator_code) - scope.indicators) if scope.indicators is not None and ds is not None else []
    if regions:
        names = store.regions().set_index("code").name
        own = "、".join(names.get(c, c) for c in sorted(scope.regions))
        return (f"只能报送所属地区（{own}）的数据，文件中含其他地区：{'、'.join(names.get(c, c) for c in regions)}；"
                "未写入任何数据。")
    if codes:
        names = store.indicators().set_index("code").name
        return (f"只能报送本部门负责的指标，文件中含其他部门的指标：{'、'.join(names.get(c, c) for c in codes)}；"
                "未写入任何数据。")
    return None


def duplicate_of(store: Store, digest: str, conn=None) -> pd.Series | None:
    b = s.upload_batches.c
    stmt = (select(b.id, b.created_at, b.created_by, b.file_name)
            .where(b.sha256 == digest, b.status == "committed").order_by(b.id).limit(1))
    if conn is None:
        frame = store.frame(stmt)
    else:
        res = conn.execute(stmt)
        frame = pd.DataFrame(res.fetchall(), columns=list(res.keys()))
    return None if frame.empty else frame.iloc[0]


def duplicate_message(first: pd.Series) -> str:
    return (f"该文件与批次 #{first.id} 完全相同（{first.created_at:%Y-%m-%d %H:%M}，{first.created_by} 上传"
            f"“{first.file_name or ''}”），未重复写入。")


def commit(store: Store, checked: Checked, *, data: bytes | None = None, digest: str | None = None,
           file_name: str | None = None, created_by: str, source: str | None = None,
           progress=None, scope: WriteScope = ANYTHING, withdraw: bool = False, origin: str = "upload") -> Result:
    """Write a checked file. `withdraw`: a "—" where a figure is in force takes it out of force
    (撤回); otherwise the figure in force is kept (保留原值). Keyed records (tickets, events, ...) are
    matched by their key within `origin` (the 数据报送 door's, or a source's): only new and changed
    ones are written."""
    if not checked.ok:
        return Result("rejected", checked.problems.summary())
    if refused := outside_scope(store, checked, scope):
        return Result("rejected", refused)
    digest = digest or (sha256(data) if data is not None else None)
    if digest:
        first = duplicate_of(store, digest)
        if first is not None:
            return Result("duplicate", duplicate_message(first), [int(first.id)])
    file_name = (file_name or "")[:255] or None  # display only: never joined to a path
    source = source or ("csv" if (file_name or "").lower().endswith(".csv") else "excel")
    try:
        with locks.transaction(store, [d.name for d in checked.datasets], created_by) as conn:
            if digest:
                first = duplicate_of(store, digest, conn)
                if first is not None:
                    return Result("duplicate", duplicate_message(first), [int(first.id)])
            obs = _preview_observations(store, checked, conn)
            tasks = _preview_tasks(store, checked, conn)
            gone = _withdrawable(store, checked, conn) if withdraw else pd.DataFrame()
            datasets, records = [], {}
            for ds in checked.datasets:
                if ds.name in KEYED:
                    write, records[ds.name] = ingest.diff_records(conn, ds.name, ds.frame, origin)
                    if len(write):
                        datasets.append(Dataset(ds.name, write, {"title": f"{ds.meta.get('title', ds.name)}："
                                                                          + _record_counts(records[ds.name])}))
            counts = Preview(obs, tasks, records=records).counts
            write = obs[obs.change != "unchanged"]
            if len(write) or len(gone):
                datasets.append(Dataset("observations", write.rename(columns={"new": "value"}),
                                        {"title": f"报送经济与指标数据：新增 {int((write.change == 'new').sum()):,}，"
                                                  f"修改 {int((write.change == 'changed').sum()):,}，"
                                                  f"不变未写入 {int((obs.change == 'unchanged').sum()):,}"}))
            twrite = tasks[tasks.change != "unchanged"]
            if len(twrite):
                _supersede_tasks(conn, twrite)
                datasets.append(Dataset("task_progress", twrite,
                                        {"title": f"报送重点任务进展：新增 {int((twrite.change == 'new').sum())}，"
                                                  f"修改 {int((twrite.change == 'changed').sum())}"}))
            if not datasets:
                return Result("unchanged", "文件中的数据与库中现有数据完全相同，没有需要写入的内容。",
                              counts=counts)
            retired = R.retire(conn, store, [d.name for d in datasets], by=created_by)
            ids = ingest.load(store, datasets, source=source, created_by=created_by, origin=origin,
                              file_name=file_name, sha256=digest, progress=progress, conn=conn)
            batch_of = dict(zip((d.name for d in datasets), ids))
            if len(gone):
                _withdraw(conn, gone, batch_of["observations"])
            _keep_skipped(conn, checked, batch_of.get("observations", ids[0]))
    except locks.Busy as exc:
        return Result("busy", str(exc))
    message = f"已写入批次 {'、'.join(f'#{i}' for i in ids)}：{Preview(obs, tasks, records=records).summary()}"
    if len(gone):
        message += f"；撤回 {len(gone):,} 个原值"
    if retired:
        message += f"；演示数据 {sum(retired.values()):,} 个数值已停用（可用 python -m cockpit demo --restore 恢复）"
    return Result("committed", message + "。", ids, counts)


def _record_counts(c: dict[str, int]) -> str:
    return f"新增 {c['new']:,}，修改 {c['changed']:,}，不变未写入 {c['unchanged']:,}"


def _withdraw(conn, gone: pd.DataFrame, batch_id: int) -> None:
    """A withdrawn figure leaves force; its batch holds an inactive copy pointing at it, so a
    rollback of that batch brings it back like any figure the batch replaced."""
    o = s.observations.c
    old = [int(i) for i in gone.old_id]
    conn.execute(update(s.observations).where(o.id.in_(old)).values(active=False))
    conn.execute(insert(s.observations), [
        {**{k: r[k] for k in KEY}, "value": float(r["old"]), "batch_id": batch_id, "active": False,
         "replaced_id": int(r["old_id"]), "withdrawn": True} for _, r in gone.iterrows()])
    b = s.upload_batches.c
    conn.execute(update(s.upload_batches).where(b.id == batch_id).values(row_count=b.row_count + len(gone)))


def _keep_skipped(conn, checked: Checked, batch_id: int) -> None:
    """The not-imported list goes with the batch (报送历史 shows it)."""
    rows = [{"batch_id": batch_id, "sheet": p.sheet[:64], "row": p.row, "col": p.column, "value": p.value,
             "reason": p.reason} for p in checked.problems.skipped]
    if rows:
        conn.execute(insert(s.upload_skipped), rows)



def _supersede_tasks(conn, frame: pd.DataFrame) -> None:
    """A corrected report for the same task and date replaces the one in force (kept, inactive)."""
    tp = s.task_progress.c
    keys = [(int(r.task_number), r.reported_on) for r in frame.itertuples()]
    for i in range(0, len(keys), 500):
        conn.execute(update(s.task_progress)
                     .where(tp.active.is_(True), tuple_(tp.task_number, tp.reported_on).in_(keys[i:i + 500]))
                     .values(active=False))
