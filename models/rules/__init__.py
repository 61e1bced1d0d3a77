"""Early-warning rules: pure functions from a `Context` of frames to `Finding`s (models.rules.base).

Settings come from rules.toml through cockpit.rule_config; a rule with missing inputs is skipped,
not resolved. The rules are grouped by what they read: indicators, tasks, surges.
"""
from __future__ import annotations

from collections.abc import Callable

from cockpit.rule_config import RULE_TITLES

from .base import Context, Finding
from .sources import source_overdue
from .indicators import forecast_interval, plan_lag, stale, stl_anomaly, target_lag, threshold, yoy_swing
from .surges import health_surge, hotline_surge
from .tasks import task_overdue, task_stalled

__all__ = ["RULES", "RULE_TITLES", "Context", "Finding", "run", *RULE_TITLES]

RULES: dict[str, Callable[[Context, dict], list[Finding]]] = {
    "threshold": threshold, "plan_lag": plan_lag, "target_lag": target_lag, "yoy_swing": yoy_swing,
    "forecast_interval": forecast_interval, "stl_anomaly": stl_anomaly, "stale": stale,
    "task_overdue": task_overdue, "task_stalled": task_stalled, "hotline_surge": hotline_surge,
    "health_surge": health_surge, "source_overdue": source_overdue,
}
NEEDS = {"forecast_interval": "forecasts"}  # a rule with missing inputs is skipped, not resolved


def run(ctx: Context, config: dict) -> tuple[list[Finding], set[str], dict[str, str]]:
    """Run every enabled rule. Returns findings, the rules that ran, and why others did not."""
    findings: list[Finding] = []
    ran: set[str] = set()
    skipped: dict[str, str] = {}
    for name, fn in RULES.items():
        rc = config.get("rules", {}).get(name, {})
        if not rc.get("enabled", True):
            ran.add(name)  # switched off: its alerts resolve
            continue
        if name in ctx.not_read:
            skipped[name] = ctx.not_read[name]
            continue
        need = NEEDS.get(name)
        if need and not getattr(ctx, need):
            skipped[name] = "预测尚未计算（后台任务完成后自动评估）"
            continue
        findings += fn(ctx, rc)
        ran.add(name)
    return findings, ran, skipped
