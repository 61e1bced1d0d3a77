"""The alert state machine (after Grafana's alert states), as pure functions.

    (none) --condition--> pending --held for_minutes--> firing --acknowledge--> acknowledged
                  \\___ for_minutes = 0 ___________/        |                       |
    pending / firing / acknowledged --condition gone--> resolved --condition again--> pending|firing
    acknowledged --condition escalates (a more severe level)--> firing

Levels are 1..4 = 红橙黄蓝 (1 most severe); None where no severity applies.
"""
from __future__ import annotations

import datetime as dt

import pandas as pd

from cockpit.rule_config import RULE_TITLES

STATES = ("pending", "firing", "acknowledged", "resolved")
STATE_NAMES = {"pending": "待确认触发", "firing": "正在触发", "acknowledged": "已确认", "resolved": "已解除"}
ACTIVE = ("pending", "firing", "acknowledged")


def _more_severe(new: int | None, old: int | None) -> bool:
    return new is not None and (old is None or new < old)


def next_state(state: str | None, active: bool, *, now: dt.datetime, started_at: dt.datetime | None = None,
               for_minutes: float = 0, old_level: int | None = None, new_level: int | None = None) -> str | None:
    """The state after one evaluation. `state` None means no alert exists yet; returns None
    when none should exist."""
    if state not in (None, *STATES):
        raise ValueError(f"未知的预警状态：{state}")
    if not active:
        return None if state is None else "resolved"
    if state in (None, "resolved"):
        return "firing" if for_minutes <= 0 else "pending"
    if state == "pending":
        held = (now - started_at).total_seconds() / 60 if started_at else 0
        return "firing" if held >= for_minutes else "pending"
    if state == "acknowledged":
        return "firing" if _more_severe(new_level, old_level) else "acknowledged"
    return "firing"


def acknowledge(state: str) -> str:
    """A person confirms they have seen a firing alert."""
    if state != "firing":
        raise ValueError(f"只能确认正在触发的预警（当前状态：{STATE_NAMES.get(state, state)}）")
    return "acknowledged"


def can_assign(state: str) -> bool:
    """督办 can be assigned while an alert is open (pending, firing or acknowledged)."""
    return state in ACTIVE


def group_by_series(alerts: pd.DataFrame) -> list[dict]:
    """One entry per indicator x region: a surge trips 同比, STL and the forecast interval at
    once, and a leader should read it once. The entry keeps the most severe alert's title and
    message (alerts arrive sorted by level) and names the other rules that fired with it.
    Alerts without an indicator (tasks, 12345, plan lights) stay one entry each."""
    out: list[dict] = []
    seen: dict[tuple, dict] = {}
    for r in alerts.itertuples():
        key = (r.indicator_code, r.region_code) if isinstance(r.indicator_code, str) else ("id", r.id)
        if key in seen:
            seen[key]["also"].append(RULE_TITLES.get(r.rule, r.rule))
            continue
        seen[key] = {"level": r.level, "title": r.title, "message": r.message, "also": []}
        out.append(seen[key])
    return out
