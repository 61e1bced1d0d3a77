"""Warnings that never block: a figure far from last month, a 累计 below last month's, a 位次
that does not match the values. Each names the cell and both numbers."""
from __future__ import annotations

import numpy as np
import pandas as pd

from .. import periods
from .cells import parse_number
from .figures import KEY
from .messages import WARNING, Problems


def _stored(store, frame: pd.DataFrame, measures: list[str], shift) -> pd.DataFrame:
    """File figures first, then those in force, at the periods `shift` maps the file's onto."""
    prev = frame.period.map(shift)
    mine = frame[KEY + ["value"]]
    kept = store.observations(indicators=sorted(frame.indicator_code.unique()), measures=measures,
                              since=min(prev.min(), frame.period.min()), until=frame.period.max())
    return pd.concat([mine, kept[KEY + ["value"]]]).drop_duplicates(KEY, keep="first")


def _against_previous(frame, where, store, measures, shift) -> pd.DataFrame:
    look = frame[frame.measure.isin(measures)]
    if look.empty:
        return look.assign(prev=[])
    known = _stored(store, look, measures, shift).rename(columns={"value": "prev"})
    probe = look.assign(period=look.period.map(shift).to_numpy()).reset_index()
    merged = probe.merge(known, on=KEY, how="left").set_index("index")
    merged = merged[merged.prev.notna()]
    merged["period"] = look.period.reindex(merged.index)
    return merged


def jumps(frame: pd.DataFrame, where: pd.DataFrame, problems: Problems, options, store) -> None:
    """A 当月 value or a 同比 rate moving far from last month."""
    merged = _against_previous(frame, where, store, ["month", "month_yoy", "ytd_yoy"],
                               lambda p: periods.shift_month(p, -1))
    if merged.empty:
        return
    rate = merged.measure != "month"
    with np.errstate(divide="ignore", invalid="ignore"):
        pct = (merged.value / merged.prev - 1) * 100
    jump = (rate & ((merged.value - merged.prev).abs() > options.jump_pp)) | \
           (~rate & (merged.prev != 0) & (pct.abs() > options.jump_pct))
    for i, r in merged[jump].head(200).iterrows():
        change = (f"{r.value - r.prev:+.1f} 个百分点" if r.measure != "month" else f"{pct[i]:+.0f}%")
        problems.add(f"较上月（{r.prev:g}）变动 {change}，请核对（仅提醒，不影响导入）",
                     sheet=where.at[i, "sheet"], row=int(where.at[i, "row"]), column=where.at[i, "c_value"],
                     value=r.value, severity=WARNING)


def falling_ytd(frame: pd.DataFrame, where: pd.DataFrame, problems: Problems, store, catalog) -> None:
    """A 累计 of a flow cannot fall within a year: lower than last month's 累计 is worth a look."""
    flows = set(catalog.indicators[catalog.indicators.kind == "flow"].code)
    freq = catalog.indicators.set_index("code").frequency.to_dict()
    mine = frame[frame.indicator_code.isin(flows) & (frame.measure == "ytd")
                 & (frame.period.str[5:] != "01")]
    mine = mine[~((mine.indicator_code.map(freq) == "Q") & (mine.period.str[5:] == "03"))]
    step = {c: -3 if f == "Q" else -1 for c, f in freq.items()}
    if mine.empty:
        return
    merged = pd.concat([_against_previous(g, where, store, ["ytd"], lambda p, s=step[c]: periods.shift_month(p, s))
                        for c, g in mine.groupby("indicator_code")])
    for i, r in merged[merged.value < merged.prev].head(200).iterrows():
        before = periods.shift_month(r.period, step[r.indicator_code])
        problems.add(f"累计 {r.value:g} 低于上期（{before}）累计 {r.prev:g}：同一年内累计数不应下降，请核对"
                     "（仅提醒，不影响导入）", sheet=where.at[i, "sheet"], row=int(where.at[i, "row"]),
                     column=where.at[i, "c_value"], value=r.value, severity=WARNING)


def ranks(cells: list[dict], frame: pd.DataFrame, problems: Problems, store, catalog) -> None:
    """位次 columns are not stored; each is checked against the values it ranks (the file's, else
    those in force) among the nine county-level units, and a mismatch is a warning."""
    cells = [c for c in cells if c["measure"] and c["indicator"] and c["period"]]
    if not cells:
        return
    counties = set(catalog.regions[catalog.regions.level == "county"].code)
    better_high = catalog.indicators.set_index("code").higher_is_better.to_dict()
    by_key: dict[tuple, pd.Series] = {}
    for c in cells:
        rank, status, _ = parse_number(c["rank"])
        if status != "ok" or rank is None:
            continue
        key = (c["indicator"], c["period"], c["measure"])
        if key not in by_key:
            by_key[key] = _values(frame, store, *key, counties)
        values = by_key[key]
        if c["region"] == catalog.city:
            continue  # the city's own 位次 is among the province's cities: nothing here to check it by
        if c["region"] not in counties:
            problems.add(f"{catalog.region_name(c['region'])}不参与各县（市、区）排位（与各县区并列列出、不排位次），"
                         f"位次 {rank:g} 未核对", sheet=c["sheet"], row=c["row"], column=c["column"], value=c["rank"],
                         severity=WARNING)
            continue
        if c["region"] not in values.index:
            continue
        descending = better_high.get(c["indicator"]) is not False
        expected = values.rank(ascending=not descending, method="min")[c["region"]]
        if int(expected) != rank:
            problems.add(f"位次 {rank:g} 与数值不符：按{values[c['region']]:g}在 {len(values)} 个县（市、区）中"
                         f"应为第 {int(expected)} 位，请核对（位次不导入，仅提醒）", sheet=c["sheet"], row=c["row"],
                         column=c["column"], value=c["rank"], severity=WARNING)


def _values(frame, store, indicator, period, measure, counties) -> pd.Series:
    mine = frame[(frame.indicator_code == indicator) & (frame.period == period) & (frame.measure == measure)]
    kept = store.observations(indicators=[indicator], measures=[measure], since=period, until=period)
    both = pd.concat([mine[KEY + ["value"]], kept[KEY + ["value"]]]).drop_duplicates(KEY, keep="first")
    both = both[both.region_code.isin(counties)]
    return both.set_index("region_code").value.astype(float)
