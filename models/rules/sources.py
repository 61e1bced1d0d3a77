"""数据超期: a source that has not brought its data in since its schedule said it should.

The runner (service.sources.freshness) computes, per configured source, when it was next due after
its last success and how many minutes past that it is; models stay pure and read only that frame.
"""
from __future__ import annotations

import pandas as pd

from .base import Context, Finding


def source_overdue(ctx: Context, rc: dict) -> list[Finding]:
    if ctx.sources is None or ctx.sources.empty:
        return []
    grace = float(rc.get("grace_minutes", 60))
    orange = float(rc.get("orange_after_hours", 24)) * 60
    out = []
    for r in ctx.sources.itertuples():
        late = float(r.overdue_minutes or 0)
        if late <= grace or pd.isna(r.due_at):
            continue
        last = "从未成功" if pd.isna(r.last_success_at) else f"{r.last_success_at:%Y-%m-%d %H:%M}"
        error = f"最近一次失败：{r.last_error}" if r.failing else "最近没有失败记录（可能拉取任务未运行）"
        out.append(Finding(
            rule="source_overdue", subject=f"source:{r.source}", level=2 if late > orange else 3,
            value=round(late / 60, 1), threshold=round(grace / 60, 1),
            title=f"数据源“{r.title}”数据超期 {_span(late)}",
            message=(f"按计划（{r.schedule}）应于 {r.due_at:%m月%d日 %H:%M} 更新，最近成功 {last}；{error}。"
                     "页面上的相关数据仍是上次成功拉取的。"),
            evidence={"kind": "table", "rows": [{"数据源": r.title, "计划": r.schedule, "应更新": f"{r.due_at:%Y-%m-%d %H:%M}",
                                                 "最近成功": last}],
                      "numbers": {"超期（小时）": round(late / 60, 1)}}))
    return out


def _span(minutes: float) -> str:
    return f"{minutes / 60 / 24:.1f} 天" if minutes >= 48 * 60 else f"{minutes / 60:.1f} 小时"
