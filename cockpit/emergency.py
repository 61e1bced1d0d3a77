"""应急指挥: emergency events, weather warnings in force, duty contacts and
public-health surveillance (法定传染病, 发热门诊) with surge warnings.

Events, warnings and the roster are small tables (thousands of rows), read with
simple filtered queries; the surveillance works on the indicator observations.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, fields

import pandas as pd
from sqlalchemy import select

from . import metrics, periods, rule_config, schema as s
from .store import region_condition

OPEN = "处置中"
HEALTH = ("ID_CASES", "FEVER_VISITS")
HEALTH_NAMES = {"ID_CASES": "法定传染病报告病例", "FEVER_VISITS": "发热门诊就诊人次"}


@dataclass(frozen=True)
class HealthRule:
    """When a county's 法定传染病 or 发热门诊 count surges: rules.toml [rules.health_surge], read
    by the 应急指挥 page and the warning rule alike."""
    yoy_pct: float  # 同比 above this (percent) is a surge
    history_years: int  # ... as is a month clearly above the same month of these years
    max_margin_pct: float  # "clearly": by more than this (a new record by a hair is noise)
    from_zero_count: int  # where those months were all 0, a month of at least this many is a surge

    @classmethod
    def of(cls, rc: dict | None = None) -> HealthRule:
        settings = rule_config.rule("health_surge", rc)
        return cls(**{f.name: settings[f.name] for f in fields(cls)})


# ---- events ----------------------------------------------------------------------------
def events(store, *, since: dt.datetime | None = None, region: str | None = None,
           types: list[str] | None = None, levels: list[int] | None = None) -> pd.DataFrame:
    """Events matching the filters; open ones (处置中) always included whatever `since` says."""
    e = s.emergency_events.c
    stmt = select(s.emergency_events)
    if since is not None:
        stmt = stmt.where((e.occurred_at >= since) | (e.status == OPEN))
    if (rc := region_condition(e.region_code, region)) is not None:
        stmt = stmt.where(rc)
    if types:
        stmt = stmt.where(e.event_type.in_(list(types)))
    if levels:
        stmt = stmt.where(e.level.in_([int(x) for x in levels]))
    out = store.frame(stmt.order_by(e.occurred_at.desc()))
    return order_open_first(out)


def open_events(store, region=None) -> pd.DataFrame:
    """Events being handled now (处置中), most severe and newest first."""
    e = s.emergency_events.c
    stmt = select(s.emergency_events).where(e.status == OPEN)
    if (rc := region_condition(e.region_code, region)) is not None:
        stmt = stmt.where(rc)
    return store.frame(stmt.order_by(e.level, e.occurred_at.desc()))


def order_open_first(ev: pd.DataFrame) -> pd.DataFrame:
    """Open events first, most severe (lowest level number) first, newest first."""
    # Typed even when empty: callers compute durations on occurred_at whatever the filter left.
    ev = ev.assign(is_open=(ev.status == OPEN).astype(bool), occurred_at=pd.to_datetime(ev.occurred_at),
                   closed_at=pd.to_datetime(ev.closed_at))
    if ev.empty:
        return ev
    return ev.sort_values(["is_open", "level", "occurred_at"], ascending=[False, True, False],
                          ignore_index=True)


def event_types(store) -> list[str]:
    e = s.emergency_events.c
    return sorted(store.frame(select(e.event_type).distinct()).event_type)


# ---- weather warnings ------------------------------------------------------------------
def weather_in_force(store, now: dt.datetime, region: str | None = None) -> pd.DataFrame:
    """Signals issued at or before `now` that have not expired (no expiry = still in force)."""
    w = s.weather_warnings.c
    stmt = select(s.weather_warnings).where(w.issued_at <= now,
                                            (w.expires_at.is_(None)) | (w.expires_at > now))
    if (rc := region_condition(w.region_code, region)) is not None:
        stmt = stmt.where(rc)
    return store.frame(stmt.order_by(w.level, w.issued_at.desc(), w.region_code))


def weather_recent(store, now: dt.datetime, limit: int = 10, region=None) -> pd.DataFrame:
    w = s.weather_warnings.c
    stmt = select(s.weather_warnings).where(w.issued_at <= now)
    if (rc := region_condition(w.region_code, region)) is not None:
        stmt = stmt.where(rc)
    return store.frame(stmt.order_by(w.issued_at.desc()).limit(limit))


# ---- duty roster ---------------------------------------------------------------------------
ROLE_ORDER = {"带班领导": 0, "总值班": 1, "值班员": 2}


def duty(store, day: dt.date) -> pd.DataFrame:
    d = s.duty_roster.c
    out = store.frame(select(d.role, d.name, d.unit, d.phone).where(d.duty_date == day))
    if out.empty:
        return out
    return (out.assign(o=out.role.map(ROLE_ORDER).fillna(9)).sort_values(["o", "unit"])
            .drop(columns="o").reset_index(drop=True))


# ---- public-health surveillance --------------------------------------------------------------
def surveillance(obs: pd.DataFrame, regions: pd.DataFrame, period: str,
                 rule: HealthRule | None = None) -> pd.DataFrame:
    """The one definition of a public-health surge, for the page and the rule. Per county and
    indicator for `period`: 当月, 同比 (reported first), the max of the same month in the previous
    `history_years`, and whether it surges (同比 above `yoy_pct`, or more than `max_margin_pct`
    above that max). Two signals at once is level 2 (橙), one is level 3 (黄)."""
    rule = rule or HealthRule.of()
    rows = []
    counties = regions[regions.level != "city"]
    for code in HEALTH:
        mine = obs[obs.indicator_code == code]
        monthly = mine[mine.measure == "month"]
        for r in counties.itertuples():
            here = monthly[monthly.region_code == r.code].set_index("period").value
            value = here.get(period)
            yoy, _ = metrics.growth(mine, r.code, period, "month")
            past = [here.get(periods.shift_month(period, -12 * k)) for k in range(1, rule.history_years + 1)]
            past = [p for p in past if p is not None and not pd.isna(p)]
            max3 = max(past) if past else None
            reasons = []
            if yoy is not None and yoy > rule.yoy_pct:
                reasons.append(f"同比 {yoy:+.1f}%")
            if value is not None and max3 and value > max3 * (1 + rule.max_margin_pct / 100):
                reasons.append(f"超过近{rule.history_years}年同月最高 {max3:,.0f} 的 {(value / max3 - 1) * 100:.0f}%")
            elif value is not None and past and max3 == 0 and value >= rule.from_zero_count:
                # From nothing there is no 同比 and no margin over a record of 0: the rise itself is the signal.
                reasons.append(f"近{rule.history_years}年同月均为 0，本月 {value:,.0f}")
            rows.append({"indicator_code": code, "region_code": r.code, "name": r.name,
                         "value": None if value is None else float(value), "yoy": yoy,
                         "max3": max3, "surge": bool(reasons), "reason": "；".join(reasons),
                         # two signals at once is 橙, one is 黄 (warning levels, not progress lights)
                         "level": (2 if len(reasons) == 2 else 3) if reasons else None})
    return pd.DataFrame(rows)


def health_months(obs: pd.DataFrame) -> list[str]:
    m = obs[(obs.indicator_code.isin(HEALTH)) & (obs.measure == "month")]
    return sorted(m.period.unique().tolist())


def health_series(obs: pd.DataFrame, code: str, region: str, months: int = 36) -> pd.DataFrame:
    m = obs[(obs.indicator_code == code) & (obs.region_code == region) & (obs.measure == "month")]
    return m.sort_values("period").tail(months)[["period", "value"]].reset_index(drop=True)
