"""Reads of the alerts and their history. Alerts are written by service.alerts, which moves
them through the state machine (models.alerts)."""
from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

import pandas as pd
from sqlalchemy import func, select

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


def firing_at(store: Store, at: dt.datetime, regions=None) -> pd.DataFrame:
    """The alerts that were firing at `at`, read back from their history (each alert's last state
    change before `at`), with the start of that episode; as `alerts`, most severe and newest first.
    Title, level and message are the alert's latest: the events keep the state, not the wording."""
    e = s.alert_events.c
    ev = store.frame(select(e.alert_id, e.at, e.from_state, e.to_state).where(e.at < at)
                     .order_by(e.alert_id, e.at, e.id))
    now = alerts(store, regions=regions)
    if ev.empty:
        return now.iloc[0:0]
    last = ev.groupby("alert_id").tail(1).set_index("alert_id").to_state
    began = ev[ev.from_state.isna() | (ev.from_state == "resolved")].groupby("alert_id").at.max()
    then = now[now.id.map(last).eq("firing")].copy()
    then["state"], then["started_at"] = "firing", then.id.map(began)
    then["level_order"] = then.level.fillna(99)
    return then.sort_values(["level_order", "started_at", "id"], ascending=[True, False, True]).drop(columns="level_order")


def history_begins(store: Store) -> dt.datetime | None:
    """When the alerts' history begins (the first evaluation that changed anything); None before."""
    return store.scalar(select(func.min(s.alert_events.c.at)))


def alert(store: Store, alert_id: int) -> dict | None:
    return store.first(select(s.alerts).where(A.id == alert_id))


def events(store: Store, alert_id: int) -> pd.DataFrame:
    e = s.alert_events.c
    return store.frame(select(s.alert_events).where(e.alert_id == alert_id).order_by(e.at, e.id))
