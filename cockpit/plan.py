"""The plan's 12 main indicators: status against the 2025 targets and who answers for them.

The plan's indicator table names no unit per indicator; `data/plan/indicator_units.csv`
assigns each the lead units of the plan tasks that build it (listed there), so the
assignment can be checked against the task list and changed by editing one file.
"""
from __future__ import annotations

import csv
import datetime as dt

import pandas as pd

from . import metrics
from .config import ROOT, Settings

UNITS_FILE = ROOT / "data" / "plan" / "indicator_units.csv"


def units() -> dict[str, dict]:
    with UNITS_FILE.open(encoding="utf-8", newline="") as fh:
        return {r["code"]: {"lead_units": r["lead_units"].split("|"),
                            "tasks": [int(x) for x in r["related_tasks"].split("|") if x]}
                for r in csv.DictReader(fh)}


def board(indicators: pd.DataFrame, obs: pd.DataFrame, today: dt.date, cfg: Settings) -> pd.DataFrame:
    """plan_status plus the responsible units and the related tasks."""
    status = metrics.plan_status(indicators, obs, today, cfg)
    assigned = units()
    status["lead_units"] = ["、".join(assigned.get(c, {}).get("lead_units", [])) for c in status.code]
    status["tasks"] = ["、".join(map(str, assigned.get(c, {}).get("tasks", []))) for c in status.code]
    defs = indicators.set_index("code").definition
    status["definition"] = [defs.get(c, "") for c in status.code]
    return status
