"""社情民意: 12345 hotline aggregates, computed in the database.

Counts over whole days (every page window ends at midnight) read the daily × county × category
aggregate (cockpit/hotline_daily.py); the rest, and any window that does not, read the tickets.

hotline_tickets may hold millions of rows, so nothing here loads tickets into
pandas except short, limited lists. Volumes are counted bucket by bucket with
one index range count per bucket (UNION ALL), which reads only the index on
(created_at, category, region_code) (or region_code+created_at) instead of
computing date() for every row: ~0.3 s for 35 monthly buckets at 5 million
tickets against ~4.5 s for a GROUP BY date(created_at).
"""
from __future__ import annotations

import bisect
import datetime as dt
from dataclasses import dataclass, fields

import pandas as pd
from sqlalchemy import and_, case, func, literal, or_, select, union_all
from sqlalchemy.engine import Result

from . import hotline_daily, metrics, periods, rule_config, schema as s
from .store import frame_of, one_of, region_condition

T = s.hotline_tickets
c = T.c
D = s.hotline_daily  # tickets per day × county × category: counts over whole days read this
SATISFIED = hotline_daily.SATISFIED
SOURCE = "市 12345 政务服务便民热线"
GRAINS = {"day": "日", "week": "周", "month": "月"}


@dataclass(frozen=True)
class Window:
    start: dt.datetime
    stop: dt.datetime  # exclusive
    label: str


# ---- time anchors ---------------------------------------------------------------------
def span(store, region=None) -> tuple[dt.datetime | None, dt.datetime | None]:
    """First and newest ticket time (two index lookups); with `region`, of its tickets only."""
    cond = region_condition(c.region_code, region)
    first, last = (select(func.min(c.created_at)), select(func.max(c.created_at)))
    if cond is not None:
        first, last = first.where(cond), last.where(cond)
    return _dt(store.scalar(first)), _dt(store.scalar(last))


def anchor_end(last: dt.datetime) -> dt.datetime:
    """Midnight after the newest ticket: "now" for demo data with a fixed end, and for
    a store whose newest upload is a few days old (the last week is the last week of data)."""
    return dt.datetime.combine(last.date() + dt.timedelta(days=1), dt.time())


def months_between(first: dt.datetime, last: dt.datetime) -> list[str]:
    return periods.month_range(periods.month_key(first), periods.month_key(last))


def last_days(end: dt.datetime, days: int, label: str | None = None) -> Window:
    return Window(end - dt.timedelta(days=days), end, label or f"近 {days} 日")


def month_window(period: str, end: dt.datetime) -> Window:
    """The chosen month; the anchor's own month is month-to-date (本月至今)."""
    start = dt.datetime.combine(dt.date.fromisoformat(period + "-01"), dt.time())
    stop = dt.datetime.combine(periods.month_end(period) + dt.timedelta(days=1), dt.time())
    if start < end < stop:
        return Window(start, end, f"{periods.label(period)}（1—{(end - dt.timedelta(days=1)).day}日）")
    return Window(start, stop, periods.label(period))


def same_window_last_year(w: Window) -> Window:
    def back(d: dt.datetime) -> dt.datetime:
        try:
            return d.replace(year=d.year - 1)
        except ValueError:  # 29 February
            return d.replace(year=d.year - 1, day=28)
    return Window(back(w.start), back(w.stop), "上年同期")


def previous_window(w: Window) -> Window:
    length = w.stop - w.start
    return Window(w.start - length, w.start, "上期")


# ---- filters ---------------------------------------------------------------------------
def _where(start: dt.datetime, stop: dt.datetime, region, category: str | None, cols=c):
    """region: a code, the city (= all), or a set of codes (a viewer's scope). `cols`: the tickets'
    columns, or those of a subquery of them."""
    cond = [cols.created_at >= start, cols.created_at < stop]
    if (rc := region_condition(cols.region_code, region)) is not None:
        cond.append(rc)
    if category:
        cond.append(cols.category == category)
    return and_(*cond)


def _daily_where(start: dt.datetime, stop: dt.datetime, region, category: str | None):
    """_where on the daily aggregate: the same window, county and category."""
    cond = [D.c.day >= start.date(), D.c.day < stop.date()]
    if (rc := region_condition(D.c.region_code, region)) is not None:
        cond.append(rc)
    if category:
        cond.append(D.c.category == category)
    return and_(*cond)


def _from_daily(store, times, stmt, how=Result.all):
    """how(the result of `stmt`), a read of the daily aggregate, when `times` are whole days and the
    aggregate can be made current (hotline_daily.read); None: count the raw tickets instead."""
    return hotline_daily.read(store, stmt, how) if hotline_daily.whole_days(*times) else None


# ---- volumes ---------------------------------------------------------------------------
def bucket_edges(end: dt.datetime, grain: str, first: dt.datetime) -> list[dt.datetime]:
    """Bucket starts plus the final stop. day: last 90 days; week: last 52 weeks ending at
    `end`; month: calendar months from the first ticket's month (the last one partial)."""
    if grain == "day":
        n = min(90, (end - dt.datetime.combine(first.date(), dt.time())).days)
        return [end - dt.timedelta(days=i) for i in range(n, -1, -1)]
    if grain == "week":
        n = min(52, (end - first).days // 7)
        return [end - dt.timedelta(days=7 * i) for i in range(n, -1, -1)]
    months = periods.month_range(periods.month_key(first), periods.month_key(end - dt.timedelta(seconds=1)))
    edges = [dt.datetime.combine(dt.date.fromisoformat(m + "-01"), dt.time()) for m in months]
    return edges + [end]


def volume(store, edges: list[dt.datetime], region: str | None = None,
           category: str | None = None) -> pd.DataFrame:
    """Tickets per bucket [edges[i], edges[i+1]): one index range count per bucket."""
    if len(edges) < 2:
        return pd.DataFrame(columns=["start", "stop", "tickets"])
    per_day = _from_daily(store, edges, select(D.c.day, func.sum(D.c.tickets))
                          .where(_daily_where(edges[0], edges[-1], region, category)).group_by(D.c.day))
    if per_day is not None:
        # One pass over the aggregate's days (a few hundred at most), put into buckets here: in
        # Python, as pandas took longer than the query on a 30-day chart (0.7 ms of 4).
        starts = [e.date() for e in edges]
        tickets = [0] * (len(edges) - 1)
        for day, n in per_day:
            tickets[bisect.bisect_right(starts, day) - 1] += int(n)
        return pd.DataFrame({"start": edges[:-1], "stop": edges[1:], "tickets": tickets})
    parts = [select(literal(i).label("i"), func.count().label("tickets"))
             .select_from(T).where(_where(a, b, region, category))
             for i, (a, b) in enumerate(zip(edges, edges[1:]))]
    # SQLite caps a compound SELECT at 500 terms; buckets stay well below.
    counts = {}
    for chunk in range(0, len(parts), 400):
        got = store.frame(union_all(*parts[chunk:chunk + 400]))
        counts.update(dict(zip(got.i, got.tickets)))
    return pd.DataFrame({"start": edges[:-1], "stop": edges[1:],
                         "tickets": [int(counts.get(i, 0)) for i in range(len(edges) - 1)]})


# ---- rates ---------------------------------------------------------------------------------
def overdue_condition(now: dt.datetime):
    """Overdue: still open after its due time, or closed after it."""
    return or_(and_(c.closed_at.is_(None), c.due_at < now), c.closed_at > c.due_at)


def summary(store, w: Window, now: dt.datetime, region: str | None = None,
            category: str | None = None) -> dict:
    # Whole days from the aggregate; only "open and past due" depends on `now`: counted from the
    # open tickets, through the partial index that holds only those.
    # Materialized first: with the window or the county in the same WHERE, the planner would
    # range over every ticket of the window or county instead of the few open ones.
    late = (select(c.created_at, c.region_code, c.category).where(c.closed_at.is_(None), c.due_at < now)
            .cte("open_late").prefix_with("MATERIALIZED"))
    open_late = (select(func.count()).select_from(late)
                 .where(_where(w.start, w.stop, region, category, late.c)).scalar_subquery())
    out = _from_daily(store, (w.start, w.stop),
                      select(*[func.sum(D.c[k]).label(k) for k in hotline_daily.COUNTS], open_late.label("open_late"))
                      .where(_daily_where(w.start, w.stop, region, category)), one_of)
    if out is not None:
        out = {"received" if k == "tickets" else k: int(v or 0) for k, v in out.items()}
        out["overdue"] = out.pop("closed_late") + out.pop("open_late")
        return _rates(out)
    stmt = select(
        func.count().label("received"),
        func.count(c.closed_at).label("closed"),
        func.count(c.satisfaction).label("surveyed"),
        func.sum(case((c.satisfaction.in_(SATISFIED), 1), else_=0)).label("satisfied"),
        func.sum(case((overdue_condition(now), 1), else_=0)).label("overdue"),
    ).where(_where(w.start, w.stop, region, category))
    return _rates({k: int(v or 0) for k, v in store.one(stmt).items()})


def _rates(out: dict) -> dict:
    out["closed_rate"] = metrics.share(out["closed"], out["received"])
    out["satisfied_rate"] = metrics.share(out["satisfied"], out["surveyed"])
    out["overdue_rate"] = metrics.share(out["overdue"], out["received"])
    return out


# ---- categories and counties --------------------------------------------------------------
def counts_by(store, w: Window, by: tuple[str, ...], region: str | None = None,
              category: str | None = None) -> pd.DataFrame:
    out = None
    if set(by) <= {"region_code", "category"}:
        cols = [D.c[b] for b in by]
        out = _from_daily(store, (w.start, w.stop), select(*cols, func.sum(D.c.tickets).label("tickets"))
                          .where(_daily_where(w.start, w.stop, region, category)).group_by(*cols), frame_of)
    if out is None:
        cols = [c[b] for b in by]
        out = store.frame(select(*cols, func.count().label("tickets"))
                          .where(_where(w.start, w.stop, region, category)).group_by(*cols))
    if out.empty:
        return pd.DataFrame(columns=[*by, "tickets"])
    out["tickets"] = out["tickets"].astype(int)
    return out


def pct(now: pd.Series, before: pd.Series) -> pd.Series:
    # A category with nothing before has no growth rate: a gap, not infinity.
    before = before.where(before > 0)
    return ((now / before - 1) * 100).round(1)


def reaches_back(first: dt.datetime | None, w: Window) -> bool:
    """Whether the tickets reach back to the start of `w`: a window that began before the first
    ticket holds a part of its days, and a 同比 against it (+630.8% on five days) is no comparison."""
    return first is not None and first <= w.start


def category_growth(store, end: dt.datetime, month: Window, region: str | None = None) -> pd.DataFrame:
    """Per category: this week vs last week, the chosen month vs the same days last year."""
    week = last_days(end, 7)
    prev = Window(end - dt.timedelta(days=14), week.start, "上周")
    ly = same_window_last_year(month)
    frames = {}
    for name, w in (("week", week), ("last_week", prev), ("month", month), ("month_ly", ly)):
        got = counts_by(store, w, ("category",), region)
        frames[name] = got.set_index("category")["tickets"]
    out = pd.DataFrame(frames).fillna(0).astype(int)
    first, _ = span(store)
    # Last year's month counts only when tickets reach back that far: else the 同比 is a gap.
    has_ly = reaches_back(first, ly)
    out["week_change"] = pct(out["week"], out["last_week"])
    out["month_yoy"] = pct(out["month"], out["month_ly"]) if has_ly else float("nan")
    if not has_ly:
        out["month_ly"] = pd.NA
    out = out.sort_values(["week", "month"], ascending=False)
    out["share"] = (100 * out["week"] / max(int(out["week"].sum()), 1)).round(1)
    return out.reset_index().rename(columns={"index": "category"})


@dataclass(frozen=True)
class SurgeRule:
    """When a group of tickets surges: rules.toml [rules.hotline_surge], read by the 社情民意 page
    and the warning rule alike."""
    days: int  # the recent window
    baseline_days: int  # the days before it that set the usual rate
    min_count: int  # fewer tickets than this in the window are never a surge
    ratio_yellow: float  # window / expected: a surge (level 3) from here
    ratio_orange: float  # ... level 2 from here, or from nothing at all before

    @classmethod
    def of(cls, rc: dict | None = None) -> SurgeRule:
        settings = rule_config.rule("hotline_surge", rc)
        return cls(**{f.name: settings[f.name] for f in fields(cls)})


SIGNIFICANCE = 1e-3  # a window count this unlikely at the usual rate (Poisson) is not chance


def surge_counts(store, end: dt.datetime, rule: SurgeRule, region=None) -> pd.DataFrame:
    """Category x county: tickets in the `days` before `end` (window) and in the `baseline_days`
    before those (base), in one pass over the created_at index."""
    w0 = end - dt.timedelta(days=rule.days)
    b0 = w0 - dt.timedelta(days=rule.baseline_days)
    d = D.c
    out = _from_daily(store, (b0, w0, end), select(
        d.category, d.region_code, func.sum(case((d.day >= w0.date(), d.tickets), else_=0)).label("window"),
        func.sum(case((d.day < w0.date(), d.tickets), else_=0)).label("base"))
        .where(_daily_where(b0, end, region, None)).group_by(d.category, d.region_code), frame_of)
    if out is None:
        out = store.frame(select(c.category, c.region_code,
                                 func.sum(case((c.created_at >= w0, 1), else_=0)).label("window"),
                                 func.sum(case((c.created_at < w0, 1), else_=0)).label("base"))
                          .where(_where(b0, end, region, None)).group_by(c.category, c.region_code))
    if out.empty:
        return pd.DataFrame({"category": pd.Series(dtype=str), "region_code": pd.Series(dtype=str),
                             "window": pd.Series(dtype=int), "base": pd.Series(dtype=int)})
    out[["window", "base"]] = out[["window", "base"]].astype(int)
    return out


def flag_surges(counts: pd.DataFrame, rule: SurgeRule, by: tuple[str, ...] = ("category", "region_code")
                ) -> pd.DataFrame:
    """The one definition of a 12345 surge, for the page and the rule. `counts` (surge_counts)
    summed by `by`; adds expected (the usual count for a window), ratio (None without history),
    change (%), excess, surge and level (2 橙, 3 黄). Largest excess first."""
    g = counts.groupby(list(by), as_index=False)[["window", "base"]].sum()
    g["expected"] = g["base"] * rule.days / rule.baseline_days
    usual = g["expected"].where(g["expected"] > 0)
    g["ratio"] = (g["window"] / usual).round(2)
    g["change"] = ((g["ratio"] - 1) * 100).round(1)
    g["excess"] = (g["window"] - g["expected"]).round(1)
    # Poisson tail P(X >= window) at the usual rate; a group with no history gets a floor of 0.5.
    from scipy.special import pdtrc  # here: importing scipy cost every command 0.9 s (issue 14)
    chance = pdtrc(g["window"] - 1, g["expected"].clip(lower=0.5))
    g["surge"] = ((g["window"] >= rule.min_count) & (g["ratio"].isna() | (g["ratio"] >= rule.ratio_yellow))
                  & (chance <= SIGNIFICANCE))
    orange = g["ratio"].isna() | (g["ratio"] >= rule.ratio_orange)
    g["expected"] = g["expected"].round(2)  # as the ratio: 0.75 a week, not 0.8 (fmt.usual)
    g["level"] = pd.array([(2 if o else 3) if s else pd.NA for s, o in zip(g["surge"], orange)], dtype="Int64")
    return g.sort_values(["surge", "excess", "change"], ascending=[False, False, False], na_position="last",
                         ignore_index=True)


def surge(store, end: dt.datetime, rule: SurgeRule, region=None) -> pd.DataFrame:
    """The 社情民意 table: every category x county cell, surges first (flag_surges)."""
    return flag_surges(surge_counts(store, end, rule, region), rule)


# ---- overdue tickets ---------------------------------------------------------------------
def open_overdue(store, now: dt.datetime, region: str | None = None, limit: int = 200) -> tuple[int, pd.DataFrame]:
    """Tickets still open after their due time: the count and the longest-overdue `limit`."""
    cond = [c.closed_at.is_(None), c.due_at < now]
    if (rc := region_condition(c.region_code, region)) is not None:
        cond.append(rc)
    # Two reads through the partial index of open tickets. A window count riding along with the
    # rows made SQLite sort every open overdue ticket in a temporary tree (5.3 ms against 0.1 ms
    # for the count and the first rows in index order, at 5,000,000 tickets).
    total = int(store.scalar(select(func.count()).select_from(T).where(*cond)) or 0)
    rows = store.frame(select(c.id, c.created_at, c.region_code, c.category, c.channel, c.due_at)
                       .where(*cond).order_by(c.due_at, c.id).limit(limit))
    if not rows.empty:
        rows["created_at"] = pd.to_datetime(rows["created_at"])
        rows["due_at"] = pd.to_datetime(rows["due_at"])
        rows["days_overdue"] = ((pd.Timestamp(now) - rows["due_at"]).dt.total_seconds() / 86400).round(1)
    return total, rows


def _dt(v) -> dt.datetime | None:
    if v is None:
        return None
    if isinstance(v, str):  # SQLite through func.min/max returns text
        return dt.datetime.fromisoformat(v)
    return v
