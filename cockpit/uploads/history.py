"""Batches as the history page lists them, and the rows of one batch with what each replaced.
English column names and typed values; the page labels them (STATUS, DATASETS).

A scoped reporter (a county's, a department's) sees the batches holding figures within their
write scope, and of those batches only those figures; task batches only when they sent them.
"""
from __future__ import annotations

import pandas as pd
from sqlalchemy import and_, exists, or_, select, true

from .. import schema as s
from ..auth import ANYTHING, WriteScope
from ..store import Store

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
    return or_(b.created_by == scope.user, exists(select(o.id).where(o.batch_id == b.id, in_scope(scope))))


def batches(store: Store, limit: int = 500, scope: WriteScope = ANYTHING) -> pd.DataFrame:
    """The upload_batches rows the viewer may see, newest first."""
    b = s.upload_batches.c
    return store.frame(select(s.upload_batches).where(visible(scope)).order_by(b.id.desc()).limit(limit))


def batch_rows(store: Store, batch_id: int, limit: int = 5000, scope: WriteScope = ANYTHING) -> pd.DataFrame:
    """The figures of an observations batch (indicator, region, period, measure, old, new, active),
    or the reports of a task batch (task_number, reported_on, status, percent, note, reporting_unit,
    active). `old` is the value the figure replaced; `active` whether it is in force now."""
    o = s.observations.c
    old = s.observations.alias()
    frame = store.frame(
        select(s.indicators.c.name.label("indicator"), s.regions.c.name.label("region"), o.period, o.measure,
               old.c.value.label("old"), o.value.label("new"), o.active, o.withdrawn)
        .join(s.indicators, s.indicators.c.code == o.indicator_code)
        .join(s.regions, s.regions.c.code == o.region_code)
        .outerjoin(old, old.c.id == o.replaced_id)
        .where(o.batch_id == batch_id, in_scope(scope)).order_by(o.id).limit(limit))
    if len(frame):
        return frame
    tp = s.task_progress.c
    b = s.upload_batches.c
    own = true() if scope.unlimited else exists(select(b.id).where(b.id == batch_id, b.created_by == scope.user))
    return store.frame(select(tp.task_number, tp.reported_on, tp.status, tp.percent, tp.note, tp.reporting_unit,
                              tp.active).where(tp.batch_id == batch_id, own).order_by(tp.id).limit(limit))



def skipped(store: Store, batch_id: int) -> pd.DataFrame:
    """What the batch's file held that was not imported, and why (sheet, row, col, value, reason)."""
    k = s.upload_skipped.c
    return store.frame(select(k.sheet, k.row, k.col, k.value, k.reason).where(k.batch_id == batch_id)
                       .order_by(k.id))
