"""Early warnings evaluated over the store.

Rules look at data and return findings; `evaluate` turns findings into alert
state transitions (pending/firing -> resolved) in the alerts table. Levels use
the four 红橙黄蓝 colours (1..4), kept apart from the 红黄绿 progress lights.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pandas as pd
from sqlalchemy import insert, select, update

from cockpit import metrics, schema as s
from cockpit.store import Store, now


@dataclass(frozen=True)
class Finding:
    rule: str
    subject: str
    level: int
    title: str
    message: str
    value: float | None = None
    threshold: float | None = None
    indicator_code: str | None = None
    region_code: str | None = None
    task_number: int | None = None


def plan_lag(status: pd.DataFrame) -> list[Finding]:
    out = []
    for r in status.itertuples():
        if r.light in ("red", "yellow"):
            out.append(Finding(
                rule="plan_lag", subject=r.code, level=2 if r.light == "red" else 3,
                indicator_code=r.code, region_code="411400", value=r.gap_pp,
                threshold=r.schedule,
                title=f"{r.name}落后序时进度 {abs(r.gap_pp):.1f} 个百分点",
                message=(f"{r.period} 实际 {r.value:.1f}{r.unit}，2025 年目标 {r.target:.0f}{r.unit}，"
                         f"完成 {r.completion:.1f}%，序时进度 {r.schedule:.1f}%。")))
    return out


def task_overdue(tasks: pd.DataFrame, progress: pd.DataFrame, today: dt.date) -> list[Finding]:
    merged = tasks.merge(progress, left_on="number", right_on="task_number", how="left")
    due = merged[merged.deadline_date.notna() & (merged.status != "已完成")]
    out = []
    for r in due.itertuples():
        late = (today - r.deadline_date).days
        if late <= 0:
            continue
        pct = "未报送" if pd.isna(r.percent) else f"完成 {r.percent:.0f}%"
        out.append(Finding(
            rule="task_overdue", subject=f"task:{r.number}", level=2 if late > 180 else 3,
            task_number=r.number, value=float(late),
            title=f"任务 {r.number} 逾期 {late} 天（{r.lead_units.split('|')[0]}）",
            message=f"时限 {r.deadline_text.strip()}，{pct}：{r.text[:60]}"))
    return out


def evaluate(store: Store, today: dt.date | None = None) -> int:
    """Run every rule and apply state transitions; returns the number firing."""
    today = today or dt.date.today()
    ind = store.indicators()
    obs = store.observations(indicators=ind[ind.target_2025.notna()].code)
    findings = plan_lag(metrics.plan_status(ind, obs, today, store.cfg))
    findings += task_overdue(store.plan_tasks(), store.latest_task_progress(), today)
    a = s.alerts.c
    stamp = now()
    with store.begin() as conn:
        existing = {(r.rule, r.subject): r for r in conn.execute(select(s.alerts))}
        seen = set()
        for f in findings:
            key = (f.rule, f.subject)
            seen.add(key)
            values = {k: v for k, v in f.__dict__.items()} | {"state": "firing", "updated_at": stamp}
            old = existing.get(key)
            if old is None:
                conn.execute(insert(s.alerts).values(**values, started_at=stamp))
            elif old.state == "resolved":
                conn.execute(update(s.alerts).where(a.id == old.id).values(**values, started_at=stamp))
            else:  # still firing (or acknowledged): refresh the numbers, keep the state
                values.pop("state")
                conn.execute(update(s.alerts).where(a.id == old.id).values(**values))
        for key, old in existing.items():
            if key not in seen and old.state != "resolved":
                conn.execute(update(s.alerts).where(a.id == old.id).values(state="resolved", updated_at=stamp))
    return len(findings)
