"""Rules over the plan's key tasks: past their deadline, or reported at the same percent again and again."""
from __future__ import annotations

import pandas as pd

from .base import Context, Finding


def task_overdue(ctx: Context, rc: dict) -> list[Finding]:
    if ctx.tasks.empty:
        return []
    latest = _latest_progress(ctx.progress)
    merged = ctx.tasks.merge(latest, left_on="number", right_on="task_number", how="left")
    due = merged[merged.deadline_date.notna() & (merged.status != "已完成")]
    orange = int(rc.get("orange_after_days", 180))
    out = []
    for r in due.itertuples():
        late = (ctx.today - r.deadline_date).days
        if late <= 0:
            continue
        pct = "未报送进展" if pd.isna(r.percent) else f"最新进展 {r.percent:.0f}%（{r.reported_on}）"
        out.append(Finding(
            rule="task_overdue", subject=f"task:{r.number}", level=2 if late > orange else 3,
            task_number=int(r.number), value=float(late), threshold=float(orange),
            title=f"任务 {r.number} 逾期 {late} 天（{r.lead_units.split('|')[0]}）",
            message=f"时限 {r.deadline_text.strip()}，{pct}：{r.text[:60]}",
            evidence=_task_evidence(ctx.progress, int(r.number), r.deadline_date)))
    return out


def _latest_progress(progress: pd.DataFrame) -> pd.DataFrame:
    if progress.empty:
        return pd.DataFrame(columns=["task_number", "reported_on", "status", "percent"])
    return progress.sort_values(["task_number", "reported_on"]).groupby("task_number").tail(1)


def _task_evidence(progress: pd.DataFrame, number: int, deadline) -> dict:
    mine = progress[progress.task_number == number].sort_values("reported_on") if len(progress) else progress
    return {"kind": "line", "x": [str(d) for d in mine.get("reported_on", [])],
            "y": [float(p) for p in mine.get("percent", [])], "unit": "%", "hline": 100.0,
            "hline_label": f"时限 {deadline}" if deadline is not None else "完成"}


def task_stalled(ctx: Context, rc: dict) -> list[Finding]:
    if ctx.tasks.empty or ctx.progress.empty:
        return []
    n = int(rc.get("reports", 3))
    open_tasks = ctx.tasks[(ctx.tasks.deadline_kind == "date") & ctx.tasks.deadline_date.notna()]
    open_tasks = open_tasks[open_tasks.deadline_date >= ctx.today]  # past deadlines are task_overdue's
    out = []
    prog = ctx.progress.sort_values(["task_number", "reported_on"])
    for t in open_tasks.itertuples():
        mine = prog[prog.task_number == t.number].tail(n)
        if len(mine) < n or mine.status.iloc[-1] == "已完成" or mine.percent.nunique() != 1:
            continue
        pct = float(mine.percent.iloc[-1])
        out.append(Finding(
            rule="task_stalled", subject=f"task:{t.number}", level=int(rc.get("level", 4)),
            task_number=int(t.number), value=pct, threshold=float(n),
            title=f"任务 {t.number} 进展停滞在 {pct:.0f}%（{t.lead_units.split('|')[0]}）",
            message=(f"最近 {n} 次报送（{mine.reported_on.iloc[0]} 至 {mine.reported_on.iloc[-1]}）进度均为 {pct:.0f}%，"
                     f"时限 {t.deadline_text.strip()}：{t.text[:60]}"),
            evidence=_task_evidence(ctx.progress, int(t.number), t.deadline_date)))
    return out
