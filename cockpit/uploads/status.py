"""报送情况: who has not yet reported what for the month now due, and since when it is late.

A unit is expected to report an indicator if it has ever reported it (the
catalogue does not list obligations per county). Monthly figures for month M are
due by the DUE_DAY-th of M+1; quarterly ones by the DUE_DAY-th after the quarter.
"""
from __future__ import annotations

import datetime as dt

import pandas as pd
from sqlalchemy import func, select

from .. import periods, schema as s
from ..store import Store

DUE_DAY = 10


def due_date(period: str) -> dt.date:
    y, m = periods.parse_month(periods.shift_month(period, 1))
    return dt.date(y, m, DUE_DAY)


def expected_period(frequency: str, today: dt.date) -> str:
    last = periods.last_complete_month(today)
    if frequency == "Q":
        m = periods.parse_month(last)[1]
        return periods.shift_month(last, -(m % 3))  # the last complete quarter's end month
    return last


def reporting_status(store: Store, today: dt.date | None = None) -> pd.DataFrame:
    """One row per (indicator, region) whose expected figure is missing, most overdue first."""
    today = today or dt.date.today()
    o = s.observations.c
    last = store.frame(select(o.indicator_code, o.region_code, func.max(o.period).label("last"))
                       .where(o.active.is_(True)).group_by(o.indicator_code, o.region_code))
    cols = ["指标", "报送部门", "地区", "应报月份", "最近已报", "缺报月数", "逾期起始", "逾期天数"]
    if last.empty:
        return pd.DataFrame(columns=cols)
    ind = store.indicators().set_index("code")
    reg = store.regions().set_index("code")
    rows = []
    for r in last.itertuples():
        if r.indicator_code not in ind.index:
            continue
        i = ind.loc[r.indicator_code]
        want = expected_period(i.frequency, today)
        if r.last >= want:
            continue
        step = 3 if i.frequency == "Q" else 1
        first_missing = periods.shift_month(r.last, step)
        since = due_date(first_missing)
        missing = len(periods.month_range(first_missing, want)[::step])
        rows.append({"指标": i["name"], "报送部门": i.source_dept,
                     "地区": reg.name.get(r.region_code, r.region_code), "应报月份": want,
                     "最近已报": r.last, "缺报月数": missing, "逾期起始": since,
                     "逾期天数": max((today - since).days, 0)})
    frame = pd.DataFrame(rows, columns=cols)
    return frame.sort_values(["逾期天数", "报送部门", "指标"], ascending=[False, True, True]).reset_index(drop=True)
