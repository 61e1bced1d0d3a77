"""What every warning rule shares: the Context it reads, the Finding it returns, small helpers.

A rule is a pure function (ctx, settings) -> list[Finding]. Each finding explains itself: a
title and a message with the numbers, and `evidence` (JSON) that holds the series behind it so
the 预警中心 can draw the chart. Levels are 1..4 = 红橙黄蓝.
"""
from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable
from dataclasses import dataclass, field

import pandas as pd

from cockpit.config import Settings

Z_OF = {80: 1.2815515655446004, 95: 1.959963984540054, 99: 2.5758293035489004}


@dataclass(frozen=True)
class Finding:
    rule: str
    subject: str
    level: int | None
    title: str
    message: str
    value: float | None = None
    threshold: float | None = None
    indicator_code: str | None = None
    region_code: str | None = None
    task_number: int | None = None
    evidence: dict = field(default_factory=dict, compare=False, hash=False)


@dataclass
class Context:
    """Everything the rules read, gathered once per evaluation (see service.warnings.gather)."""
    today: dt.date
    indicators: pd.DataFrame
    regions: pd.DataFrame
    obs: pd.DataFrame
    settings: Settings
    tasks: pd.DataFrame = field(default_factory=pd.DataFrame)
    progress: pd.DataFrame = field(default_factory=pd.DataFrame)  # every active report
    tickets: pd.DataFrame = field(default_factory=pd.DataFrame)  # category, region_code, window, base
    ticket_daily: Callable[[str | None, str | None], pd.DataFrame] | None = None
    ticket_end: dt.datetime | None = None
    forecasts: dict[str, dict] | None = None
    targets: pd.DataFrame = field(default_factory=pd.DataFrame)
    sources: pd.DataFrame | None = None  # freshness of each configured source (service.sources.freshness)
    series: list | None = None  # models.series.Series, built lazily
    # rule -> why its input could not be read this time (a broken sources.toml): skipped, its alerts
    # kept as they are, not resolved for want of findings, and every other rule still runs
    not_read: dict[str, str] = field(default_factory=dict)

    def region_name(self, code: str | None) -> str:
        if code is None:
            return ""
        hit = self.regions[self.regions.code == code]
        return str(hit.name.iloc[0]) if len(hit) else code

    def ind(self, code: str) -> pd.Series:
        return self.indicators.set_index("code", drop=False).loc[code]


def _level_by(value: float, orange: float, yellow: float) -> int | None:
    if value >= orange:
        return 2
    if value >= yellow:
        return 3
    return None


def _fmt(v: float | None, digits: int = 1) -> str:
    if v is None or (isinstance(v, float) and math.isnan(v)):
        return "—"
    return f"{v:,.{digits}f}"


def _line(periods_: list[str], values: list[float], unit: str, **extra) -> dict:
    return {"kind": "line", "x": list(periods_), "y": [None if pd.isna(v) else round(float(v), 4) for v in values],
            "unit": unit, **extra}


def _measure_series(obs: pd.DataFrame, code: str, region: str, measure: str) -> pd.Series:
    rows = obs[(obs.indicator_code == code) & (obs.region_code == region) & (obs.measure == measure)]
    return rows.set_index("period").value.astype(float).sort_index()


def _adverse(ind, above: bool) -> bool | None:
    """True when a deviation in this direction is bad for the indicator; None when neutral."""
    hib = ind.higher_is_better
    if hib is None or (isinstance(hib, float) and math.isnan(hib)):
        return None
    return above != bool(hib)
