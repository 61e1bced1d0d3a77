"""Reads of alerts and what the warning rules count: the alerts, their history, ticket windows.

SQLAlchemy Core only; ticket counts are aggregated in the database (millions of rows). Alerts are
written by service.alerts, which moves them through the state machine (models.alerts).
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

import pandas as pd
from sqlalchemy import and_, case, func, select

from . import schema as s
from .store import Store

A = s.alerts.c


# ---- reads -------------------------------------------------------------------------------------
def alerts(store: Store, states: Iterable[str] | None = None, regions=None) -> pd.DataFrame:
    """Alerts, most severe and newest first; with `regions` (a viewer's scope), those of its
    regions and the city-wide ones (plan tasks, indicators of no region)."""
    stmt = select(s.alerts).order_by(A.level.asc().nullslast(), A.started_at.desc(), A.id)
    if states is not None:
        stmt = stmt.where(A.state.in_(list(states)))
    if regions is not None:
        stmt = stmt.where(A.region_code.is_(None) | A.region_code.in_(sorted(regions)))
    return store.frame(stmt)


def alert(store: Store, alert_id: int) -> dict | None:
    return store.first(select(s.alerts).where(A.id == alert_id))


def events(store: Store, alert_id: int) -> pd.DataFrame:
    e = s.alert_events.c
    return store.frame(select(s.alert_events).where(e.alert_id == alert_id).order_by(e.at, e.id))


def ticket_windows(store: Store, days: int = 7, base_days: int = 28
                   ) -> tuple[pd.DataFrame, dt.datetime | None]:
    """Per category x county: tickets in the last `days` and in the `base_days` before,
    anchored on the day after the newest ticket (a late import does not look like a drop)."""
    t = s.hotline_tickets.c
    last = store.scalar(select(func.max(t.created_at)))
    if last is None:
        return pd.DataFrame(columns=["category", "region_code", "window", "base"]), None
    end = dt.datetime.combine(last.date() + dt.timedelta(days=1), dt.time())
    w0, b0 = end - dt.timedelta(days=days), end - dt.timedelta(days=days + base_days)
    stmt = (select(t.category, t.region_code,
                   func.sum(case((t.created_at >= w0, 1), else_=0)).label("window"),
                   func.sum(case((t.created_at < w0, 1), else_=0)).label("base"))
            .where(t.created_at >= b0, t.created_at < end).group_by(t.category, t.region_code))
    frame = store.frame(stmt)
    frame[["window", "base"]] = frame[["window", "base"]].astype(int)
    return frame, end


def ticket_daily(store: Store, category: str | None, region: str | None, since: dt.datetime,
                 until: dt.datetime) -> pd.DataFrame:
    t = s.hotline_tickets.c
    day = func.date(t.created_at)
    conds = [t.created_at >= since, t.created_at < until]
    if category:
        conds.append(t.category == category)
    if region:
        conds.append(t.region_code == region)
    frame = store.frame(select(day.label("day"), func.count().label("tickets")).where(and_(*conds))
                        .group_by(day).order_by(day))
    days = pd.date_range(since, until - dt.timedelta(days=1), freq="D")
    if frame.empty:
        return pd.DataFrame({"day": days, "tickets": 0})
    frame["day"] = pd.to_datetime(frame["day"])
    return frame.set_index("day").reindex(days, fill_value=0).rename_axis("day").reset_index()
