"""Alert persistence: every evaluation moves the stored alerts through the state machine
(models.alerts); people acknowledge them and assign 督办. One transaction per action, audited."""
from __future__ import annotations

import datetime as dt
import json

from sqlalchemy import insert, select, update

from cockpit import schema as s
from cockpit.store import Store, now
from models import alerts as sm
from models.rules import Finding

A = s.alerts.c


def _event(conn, alert_id: int, at: dt.datetime, actor: str, from_state, to_state: str, note: str = "") -> None:
    conn.execute(insert(s.alert_events).values(alert_id=alert_id, at=at, actor=actor, from_state=from_state,
                                               to_state=to_state, note=note))


def apply(store: Store, findings: list[Finding], ran: set[str], for_minutes: dict[str, float],
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
