"""When figures are due, and who is late: the one reporting schedule (rules.toml [rules.stale]),
read by 数据报送 › 报送情况 and by the warning rule alike.

A month's figures are due by `monthly_due_day` of the next month, a quarter's by
`quarterly_due_day` of the month after it; indicators published as 1—2月 together have no
January figure, so January is never due for them. A unit is expected to report an indicator
once it has reported it (the catalogue lists no obligations per county).
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pandas as pd

from . import periods, rule_config

LATE_COLUMNS = ["indicator_code", "region_code", "frequency", "expected", "last", "missing",
                "overdue_since", "days_late"]


@dataclass(frozen=True)
class Schedule:
    monthly_due_day: int
    quarterly_due_day: int
    skip_january: tuple[str, ...]  # indicator codes without a January figure

    @classmethod
    def of(cls, rc: dict | None = None) -> Schedule:
        s = rule_config.rule("stale", rc)
        return cls(int(s["monthly_due_day"]), int(s["quarterly_due_day"]), tuple(s["skip_january"]))

    def due_date(self, period: str, frequency: str) -> dt.date:
        """The day `period`'s figures are due: the due day of the following month."""
        day = self.quarterly_due_day if frequency == "Q" else self.monthly_due_day
        month_end = periods.month_end(periods.shift_month(period, 1))
        return month_end.replace(day=min(day, month_end.day))

    def published(self, period: str, code: str, frequency: str) -> bool:
        """Whether `period` has a figure of its own: not January for a 1—2月 joint release, only
        quarter ends for a quarterly indicator."""
        if frequency == "Q":
            return periods.is_quarter_end(period)
        return not (code in self.skip_january and period.endswith("-01"))

    def expected(self, today: dt.date, code: str, frequency: str) -> str:
        """The newest period whose figures should have arrived by `today`."""
        cand = periods.shift_month(periods.month_key(today), -1)
        while not (self.published(cand, code, frequency) and self.due_date(cand, frequency) <= today):
            cand = periods.shift_month(cand, -1)
        return cand

    def missing(self, last: str, want: str, code: str, frequency: str) -> list[str]:
        """The due periods after `last` up to `want`."""
        months = periods.month_range(periods.shift_month(last, 1), want) if last < want else []
        return [p for p in months if self.published(p, code, frequency)]


def late(latest: pd.DataFrame, indicators: pd.DataFrame, today: dt.date, schedule: Schedule) -> pd.DataFrame:
    """`latest`: indicator_code, region_code, last (the newest period reported). One row per
    indicator and region behind the schedule (LATE_COLUMNS), the longest overdue first."""
    freq = indicators.set_index("code").frequency
    rows = []
    for r in latest.itertuples():
        if r.indicator_code not in freq.index:
            continue
        f = freq[r.indicator_code]
        want = schedule.expected(today, r.indicator_code, f)
        gone = schedule.missing(r.last, want, r.indicator_code, f)
        if not gone:
            continue
        since = schedule.due_date(gone[0], f)
        rows.append((r.indicator_code, r.region_code, f, want, r.last, len(gone), since, max((today - since).days, 0)))
    out = pd.DataFrame(rows, columns=LATE_COLUMNS)
    return out.sort_values(["days_late", "indicator_code", "region_code"], ascending=[False, True, True],
                           ignore_index=True)
