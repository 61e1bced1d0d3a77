"""Alert and early-warning queries: applying state transitions, 督办, ticket windows.

SQLAlchemy Core only; ticket counts are aggregated in the database (millions of rows).
"""
from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable

import pandas as pd
from sqlalchemy import and_, case, func, insert, select, update

from models import alerts as sm

from . import schema as s
from .store import Store, now

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
    with store.engine.connect() as conn:
        row = conn.execute(select(s.alerts).where(A.id == alert_id)).mappings().first()
    return dict(row) if row else None


def events(store: Store, alert_id: int) -> pd.DataFrame:
    e = s.alert_events.c
    return store.frame(select(s.alert_events).where(e.alert_id == alert_id).order_by(e.at, e.id))


def progress_history(store: Store) -> pd.DataFrame:
    tp = s.task_progress.c
    return store.frame(select(tp.task_number, tp.reported_on, tp.status, tp.percent)
                       .where(tp.active.is_(True)).order_by(tp.task_number, tp.reported_on))


def ticket_windows(store: Store, days: int = 7, base_days: int = 28
                   ) -> tuple[pd.DataFrame, dt.datetime | None]:
    """Per category x county: tickets in the last `days` and in the `base_days` before,
    anchored on the day after the newest ticket (a late import does not look like a drop)."""
    t = s.hotline_tickets.c
    with store.engine.connect() as conn:
        last = conn.execute(select(func.max(t.created_at))).scalar()
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


# ---- writes ------------------------------------------------------------------------------------
def _event(conn, alert_id: int, at: dt.datetime, actor: str, from_state, to_state: str, note: str = "") -> None:
    conn.execute(insert(s.alert_events).values(alert_id=alert_id, at=at, actor=actor, from_state=from_state,
                                               to_state=to_state, note=note))


def apply(store: Store, findings: list, ran: set[str], for_minutes: dict[str, float],
          at: dt.datetime | None = None) -> list[dict]:
    """Move every alert of the rules that ran to its next state; returns the transitions."""
    at = at or now()
    changes = []
    with store.begin() as conn:
        existing = {(r.rule, r.subject): r for r in conn.execute(select(s.alerts).where(A.rule.in_(list(ran))))}
        seen = set()
        for f in findings:
            key = (f.rule, f.subject)
            seen.add(key)
            old = existing.get(key)
            state = old.state if old is not None else None
            new = sm.next_state(state, True, now=at, started_at=old.started_at if old is not None else None,
                                for_minutes=for_minutes.get(f.rule, 0), old_level=old.level if old is not None else None,
                                new_level=f.level)
            values = {"rule": f.rule, "subject": f.subject, "level": f.level, "title": f.title[:200],
                      "message": f.message, "value": f.value, "threshold": f.threshold,
                      "indicator_code": f.indicator_code, "region_code": f.region_code,
                      "task_number": f.task_number, "state": new, "updated_at": at,
                      "evidence": json.dumps(f.evidence, ensure_ascii=False, default=str)}
            if old is None:
                alert_id = conn.execute(insert(s.alerts).values(**values, started_at=at)).inserted_primary_key[0]
            else:
                alert_id = old.id
                if state == "resolved":  # reopened: a new episode, a fresh start and no stale 督办 state
                    values |= {"started_at": at, "resolved_at": None, "acknowledged_by": None,
                               "acknowledged_at": None}
                conn.execute(update(s.alerts).where(A.id == old.id).values(**values))
            if new != state:
                _event(conn, alert_id, at, "system", state, new, f.message[:500])
                changes.append({"id": alert_id, "from": state, "to": new, "finding": f})
        for key, old in existing.items():
            if key in seen or old.state == "resolved":
                continue
            conn.execute(update(s.alerts).where(A.id == old.id).values(state="resolved", resolved_at=at,
                                                                      updated_at=at))
            _event(conn, old.id, at, "system", old.state, "resolved", "条件不再满足")
            changes.append({"id": old.id, "from": old.state, "to": "resolved", "finding": None})
    return changes


def acknowledge(store: Store, alert_id: int, actor: str, note: str = "") -> None:
    at = now()
    with store.begin() as conn:
        row = conn.execute(select(A.state).where(A.id == alert_id)).first()
        if row is None:
            raise ValueError("预警不存在")
        new = sm.acknowledge(row.state)
        conn.execute(update(s.alerts).where(A.id == alert_id).values(
            state=new, acknowledged_by=actor, acknowledged_at=at, updated_at=at,
            **({"note": note} if note else {})))
        _event(conn, alert_id, at, actor, row.state, new, note)
        store.audit(conn, actor, "alert_ack", f"alert:{alert_id}", note)


def assign(store: Store, alert_id: int, assignee: str, actor: str, note: str = "") -> None:
    """督办: name who must act, with a note; the state does not change."""
    if not assignee.strip():
        raise ValueError("请填写督办责任人或单位")
    at = now()
    with store.begin() as conn:
        row = conn.execute(select(A.state).where(A.id == alert_id)).first()
        if row is None:
            raise ValueError("预警不存在")
        if not sm.can_assign(row.state):
            raise ValueError("已解除的预警不能再督办")
        conn.execute(update(s.alerts).where(A.id == alert_id).values(
            assignee=assignee.strip()[:64], note=note, updated_at=at))
        _event(conn, alert_id, at, actor, row.state, row.state, f"督办：{assignee.strip()}。{note}".strip())
        store.audit(conn, actor, "alert_assign", f"alert:{alert_id}", f"{assignee} {note}".strip())
