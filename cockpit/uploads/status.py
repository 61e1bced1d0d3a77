"""报送情况: who has not yet reported what is due, and since when it is late (cockpit.reporting,
the schedule the stale-data warning rule keeps too)."""
from __future__ import annotations

import datetime as dt

import pandas as pd
from sqlalchemy import func, select

from .. import reporting, schema as s
from ..store import Store

COLUMNS = ["indicator", "department", "region", *reporting.LATE_COLUMNS]


def latest_periods(store: Store) -> pd.DataFrame:
    """indicator_code, region_code, last: the newest period in force of every series."""
    o = s.observations.c
    return store.frame(select(o.indicator_code, o.region_code, func.max(o.period).label("last"))
                       .where(o.active.is_(True)).group_by(o.indicator_code, o.region_code))


def reporting_status(store: Store, schedule: reporting.Schedule, today: dt.date | None = None) -> pd.DataFrame:
    """One row per (indicator, region) whose due figure is missing, most overdue first, with the
    indicator's name and reporting department and the region's name."""
    ind = store.indicators()
    out = reporting.late(latest_periods(store), ind, today or dt.date.today(), schedule)
    names = ind.set_index("code")
    regions = store.regions().set_index("code").name
    return out.assign(indicator=out.indicator_code.map(names.name), department=out.indicator_code.map(names.source_dept),
                      region=out.region_code.map(regions).fillna(out.region_code))[COLUMNS]
