"""The plan's main indicators: status against the plan's targets and who answers for them.

The plan's indicator table names no unit per indicator; `indicator_units.csv` beside the plan
(data/plan) assigns each the lead units of the plan tasks that build it (listed there), so the
assignment can be checked against the task list and changed by editing one file.
"""
from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path

import pandas as pd

from . import catalog, fmt, metrics, periods
from .config import Settings


def units(folder: Path) -> dict[str, dict]:
    path = folder / "indicator_units.csv"
    if not path.is_file():  # a plan may leave the assignment out: the board shows no units
        return {}
    with path.open(encoding="utf-8", newline="") as fh:
        return {r["code"]: {"lead_units": r["lead_units"].split("|"),
                            "tasks": [int(x) for x in r["related_tasks"].split("|") if x]}
                for r in csv.DictReader(fh)}


def board(indicators: pd.DataFrame, obs: pd.DataFrame, today: dt.date, cfg: Settings) -> pd.DataFrame:
    """plan_status plus the responsible units and the related tasks."""
    status = metrics.plan_status(indicators, obs, today, cfg)
    assigned = units(catalog.load_plan(cfg.plan_dir).folder)
    status["lead_units"] = ["、".join(assigned.get(c, {}).get("lead_units", [])) for c in status.code]
    status["tasks"] = ["、".join(map(str, assigned.get(c, {}).get("tasks", []))) for c in status.code]
    defs = indicators.set_index("code").definition
    status["definition"] = [defs.get(c, "") for c in status.code]
    return status


def as_of(status: pd.DataFrame) -> str:
    """The quarter of the board's newest figure, or — when the plan's indicators have none (a store
    whose demo figures were retired before any real ones came in)."""
    known = status.period.dropna()
    return periods.label(known.max(), frequency="Q") if len(known) else fmt.NA


def basis(p: catalog.Plan, status: pd.DataFrame, today: dt.date) -> str:
    """What the lights or the assessment are read against, as the pages print it."""
    return (f"规划期 {p.years}已结束，按期末数据评估" if p.ended(today)
            else "进度＝（最新值－期初值）÷（目标－期初值），期初值" + ("取规划所列基期值，未列的" if p.base_column else "")
                 + "为规划期前最后一期数据，没有时取规划期内第一期数据；序时进度为自期初值所属期末（规划期前的为"
                 "规划期起点）至规划期末已过时间的占比，按最新值所属期末计")
