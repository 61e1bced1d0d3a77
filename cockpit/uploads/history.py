"""Batches as the history page lists them, and the rows of one batch with what each replaced."""
from __future__ import annotations

import pandas as pd
from sqlalchemy import and_, exists, or_, select, true
from sqlalchemy.orm import aliased

from .. import schema as s
from ..auth import ANYTHING, WriteScope
from ..store import MEASURES, Store

STATUS = {"committed": "生效", "rolled_back": "已回滚", "retired": "已停用（演示数据）"}
DATASETS = {"observations": "经济与指标数据", "task_progress": "重点任务进展", "emergency_events": "突发事件",
            "hotline_tickets": "12345 工单", "weather_warnings": "气象预警", "duty_roster": "值班表"}


def in_scope(scope: WriteScope):
    """SQL condition on observations: the rows a scoped user may see and roll back."""
    o = s.observations.c
    conds = []
    if scope.regions is not None:
        conds.append(o.region_code.in_(sorted(scope.regions)))
    if scope.indicators is not None:
        conds.append(o.indicator_code.in_(sorted(scope.indicators)))
    return and_(true(), *conds)


def visible(scope: WriteScope):
    """SQL condition on upload_batches: batches holding a figure in scope, and the user's own."""
    b = s.upload_batches.c
    if scope.unlimited:
        return true()
    o = s.observations.c
    return or_(b.created_by == scope.user,
               exists(select(o.id).where(o.batch_id == b.id, in_scope(scope))))


def batches(store: Store, limit: int = 500, scope: WriteScope = ANYTHING) -> pd.DataFrame:
    b = s.upload_batches.c
    frame = store.frame(select(s.upload_batches).where(visible(scope)).order_by(b.id.desc()).limit(limit))
    return pd.DataFrame({
        "批次": frame.id, "时间": frame.created_at, "报送人": frame.created_by,
        "文件": frame.file_name.fillna(""), "来源": frame.source,
        "数据": frame.dataset.map(lambda d: DATASETS.get(d, d)), "写入行数": frame.row_count,
        "状态": frame.status.map(STATUS), "说明": frame.note,
        "回滚/停用": [f"{a:%Y-%m-%d %H:%M} {by}：{why}" if isinstance(a, pd.Timestamp) or a is not None and a == a else ""
               for a, by, why in zip(frame.rolled_back_at, frame.rolled_back_by, frame.rollback_reason)],
        "sha256": frame.sha256.fillna(""),
    })


def batch_rows(store: Store, batch_id: int, limit: int = 5000, scope: WriteScope = ANYTHING) -> pd.DataFrame:
    o = s.observations.c
    old = aliased(s.observations)
    stmt = (select(s.indicators.c.name.label("指标"), s.regions.c.name.label("地区"), o.period.label("时期"),
                   o.measure, old.c.value.label("原值"), o.value.label("新值"), o.active, o.withdrawn)
            .join(s.indicators, s.indicators.c.code == o.indicator_code)
            .join(s.regions, s.regions.c.code == o.region_code)
            .outerjoin(old, old.c.id == o.replaced_id)
            .where(o.batch_id == batch_id, in_scope(scope)).order_by(o.id).limit(limit))
    frame = store.frame(stmt)
    if len(frame):
        frame["口径"] = frame.pop("measure").map(MEASURES)
        frame["当前生效"] = frame.pop("active").map({True: "是", False: "否"})
        frame["操作"] = frame.pop("withdrawn").map({True: "撤回（文件中为“—”）", False: "写入"})
        frame.loc[frame["操作"] != "写入", "新值"] = None
        return frame[["指标", "地区", "时期", "口径", "原值", "新值", "操作", "当前生效"]]
    tp = s.task_progress.c
    frame = store.frame(select(tp.task_number.label("序号"), tp.reported_on.label("报送日期"),
                               tp.status.label("进展状态"), tp.percent.label("完成比例"),
                               tp.note.label("进展说明"), tp.reporting_unit.label("报送单位"), tp.active)
                        .where(tp.batch_id == batch_id, visible_task_batch(batch_id, scope))
                        .order_by(tp.id).limit(limit))
    if len(frame):
        frame["当前生效"] = frame.pop("active").map({True: "是", False: "否"})
    return frame


def visible_task_batch(batch_id: int, scope: WriteScope):
    """Task reports carry no region: a scoped user sees only the task batches they sent."""
    b = s.upload_batches.c
    if scope.unlimited:
        return true()
    return exists(select(b.id).where(b.id == batch_id, b.created_by == scope.user))


def skipped(store: Store, batch_id: int) -> pd.DataFrame:
    """What the batch's file held that was not imported, and why."""
    k = s.upload_skipped.c
    return store.frame(select(k.sheet.label("工作表"), k.row.label("行"), k.col.label("列"), k.value.label("值"),
                              k.reason.label("原因")).where(k.batch_id == batch_id).order_by(k.id))
