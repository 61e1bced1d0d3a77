"""Reads of the alerts and their history. Alerts are written by service.alerts, which moves
them through the state machine (models.alerts)."""
from __future__ import annotations

from collections.abc import Iterable

import pandas as pd
from sqlalchemy import select

from . import schema as s
from .store import Store

A = s.alerts.c


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
