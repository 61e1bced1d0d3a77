"""Batches as the history page lists them, and the rows of one batch with what each replaced.
English column names and typed values; the page labels them (STATUS, DATASETS)."""
from __future__ import annotations

import pandas as pd
from sqlalchemy import select
from sqlalchemy.orm import aliased

from .. import schema as s
from ..store import Store

STATUS = {"committed": "生效", "rolled_back": "已回滚"}
DATASETS = {"observations": "经济与指标数据", "task_progress": "重点任务进展", "emergency_events": "突发事件",
            "hotline_tickets": "12345 工单", "weather_warnings": "气象预警", "duty_roster": "值班表"}


def batch_rows(store: Store, batch_id: int, limit: int = 5000) -> pd.DataFrame:
    """The figures of an observations batch (indicator, region, period, measure, old, new, active),
    or the reports of a task batch (task_number, reported_on, status, percent, note, reporting_unit,
    active). `old` is the value the figure replaced; `active` whether it is in force now."""
    o = s.observations.c
    old = aliased(s.observations)
    frame = store.frame(
        select(s.indicators.c.name.label("indicator"), s.regions.c.name.label("region"), o.period, o.measure,
               old.c.value.label("old"), o.value.label("new"), o.active)
        .join(s.indicators, s.indicators.c.code == o.indicator_code)
        .join(s.regions, s.regions.c.code == o.region_code)
        .outerjoin(old, old.c.id == o.replaced_id)
        .where(o.batch_id == batch_id).order_by(o.id).limit(limit))
    if len(frame):
        return frame
    tp = s.task_progress.c
    return store.frame(select(tp.task_number, tp.reported_on, tp.status, tp.percent, tp.note, tp.reporting_unit,
                              tp.active).where(tp.batch_id == batch_id).order_by(tp.id).limit(limit))
