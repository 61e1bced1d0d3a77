"""Warnings that never block: a figure far from last month, a 累计 below last month's, a 位次
that does not match the values, counties that no longer add up to the city. Each names the cell
and the numbers.

The figures these compare with (the file's own first, then those in force) are read from the
store once per file.
"""
from __future__ import annotations

import pandas as pd

from .. import periods
from .cells import parse_number
from .figures import KEY
from .messages import WARNING, Problems


def check(frame: pd.DataFrame, where: pd.DataFrame, rank_cells: list[dict], problems: Problems, options,
          store, catalog) -> None:
    first = periods.shift_month(frame.period.min(), -3)
    kept = store.observations(indicators=sorted(frame.indicator_code.unique()), since=first, until=frame.period.max())
    known = pd.concat([frame[KEY + ["value"]], kept[KEY + ["value"]]]).drop_duplicates(KEY, keep="first")
    lookup = dict(zip(zip(*(known[k].to_numpy(dtype=object) for k in KEY)), known.value.astype(float)))
    rows = list(zip(*(frame[k].to_numpy(dtype=object) for k in KEY), frame.value.to_numpy(float), where.index))
    jumps(rows, where, lookup, problems, options)
    falling_ytd(rows, where, lookup, problems, catalog)
    ranks(rank_cells, known, problems, catalog)
    sums(rows, where, lookup, problems, catalog)


def jumps(rows, where, lookup, problems: Problems, options) -> None:
    """A 当月 value or a 同比 rate moving far from last month."""
    said = 0
    before = {p: periods.shift_month(p, -1) for p in {r[2] for r in rows}}  # a few dozen months, not a call a row
    for ind, reg, period, measure, value, i in rows:
        if measure not in ("month", "month_yoy", "ytd_yoy"):
            continue
        prev = lookup.get((ind, reg, before[period], measure))
        if prev is None:
            continue
        if measure != "month":
            if abs(value - prev) <= options.jump_pp:
                continue
            change = f"{value - prev:+.1f} 个百分点"
        else:
            if prev == 0 or abs((value / prev - 1) * 100) <= options.jump_pct:
                continue
            change = f"{(value / prev - 1) * 100:+.0f}%"
        problems.add(f"较上月（{prev:g}）变动 {change}，请核对（仅提醒，不影响导入）", sheet=where.at[i, "sheet"],
                     row=int(where.at[i, "row"]), column=where.at[i, "c_value"], value=value, severity=WARNING)
        said += 1
        if said >= 200:
            return


def falling_ytd(rows, where, lookup, problems: Problems, catalog) -> None:
    """A 累计 of a flow cannot fall within a year: lower than the previous period's 累计 is worth a look."""
    ind = catalog.indicators.set_index("code")
    step = {c: -3 if f == "Q" else -1 for c, f in ind.frequency.items()}
    flows = set(ind.index[ind.kind == "flow"])
    said = 0
    for code, reg, period, measure, value, i in rows:
        if measure != "ytd" or code not in flows or int(period[5:]) <= -step[code]:  # January, Q1: a new year
            continue
        before = periods.shift_month(period, step[code])
        prev = lookup.get((code, reg, before, "ytd"))
        if prev is None or value >= prev:
            continue
        problems.add(f"累计 {value:g} 低于上期（{before}）累计 {prev:g}：同一年内累计数不应下降，请核对"
                     "（仅提醒，不影响导入）", sheet=where.at[i, "sheet"], row=int(where.at[i, "row"]),
                     column=where.at[i, "c_value"], value=value, severity=WARNING)
        said += 1
        if said >= 200:
            return


def ranks(cells: list[dict], known: pd.DataFrame, problems: Problems, catalog) -> None:
    """位次 columns are not stored; each is checked against the values it ranks (the file's, else
    those in force) among the nine county-level units, and a mismatch is a warning."""
    cells = [c for c in cells if c["measure"] and c["indicator"] and c["period"]]
    if not cells:
        return
    counties = set(catalog.regions[catalog.regions.level == "county"].code)
    better_high = catalog.indicators.set_index("code").higher_is_better.to_dict()
    wanted = {(c["indicator"], c["period"], c["measure"]) for c in cells}
    mine = known[known.region_code.isin(counties) & known.indicator_code.isin({w[0] for w in wanted})]
    by_key: dict[tuple, dict[str, float]] = {}
    for key, region, value in zip(zip(mine.indicator_code, mine.period, mine.measure), mine.region_code, mine.value):
        if key in wanted:
            by_key.setdefault(key, {})[region] = float(value)
    groups = {k: pd.Series(v) for k, v in by_key.items()}
    for c in cells:
        rank, status, _ = parse_number(c["rank"])
        if status != "ok" or rank is None or c["region"] == catalog.city:
            continue  # a "—", or the city's own 位次 among the province's cities: nothing to check it by
        if c["region"] not in counties:
            problems.add(f"{catalog.region_name(c['region'])}不参与各县（市、区）排位（与各县区并列列出、不排位次），"
                         f"位次 {rank:g} 未核对", sheet=c["sheet"], row=c["row"], column=c["column"], value=c["rank"],
                         severity=WARNING)
            continue
        values = groups.get((c["indicator"], c["period"], c["measure"]))
        if values is None or c["region"] not in values.index:
            continue
        descending = better_high.get(c["indicator"]) is not False
        expected = values.rank(ascending=not descending, method="min")[c["region"]]
        if int(expected) != rank:
            problems.add(f"位次 {rank:g} 与数值不符：按{values[c['region']]:g}在 {len(values)} 个县（市、区）中"
                         f"应为第 {int(expected)} 位，请核对（位次不导入，仅提醒）", sheet=c["sheet"], row=c["row"],
                         column=c["column"], value=c["rank"], severity=WARNING)


SUM_TOLERANCE_PCT = 0.5  # beyond rounding, counties' total this far from the city's is worth a look


def _decimals(values) -> int:
    return max((len(f"{v:.6f}".rstrip("0").split(".")[1]) for v in values), default=0)


def sums(rows, where, lookup, problems: Problems, catalog) -> None:
    """Flows and stocks add up: where the file gives a 当月 or 累计 figure of the city or a county,
    the nine county-level units and 示范区 (when it has a figure) should make the city's figure,
    the file's own figures first, then those in force. Needs every county's figure; says which
    indicator, which period and by how much."""
    ind = catalog.indicators.set_index("code")
    additive = set(ind.index[ind.kind.isin(["flow", "stock"])])
    counties = list(catalog.regions[catalog.regions.level == "county"].code)
    zones = list(catalog.regions[catalog.regions.level == "zone"].code)
    city = catalog.city
    summed = {city, *counties, *zones}
    touched: dict[tuple, tuple[int, float]] = {}
    for code, reg, period, measure, value, i in rows:
        if measure in ("month", "ytd") and code in additive and reg in summed:
            key = (code, period, measure)
            if key not in touched or reg == city:  # the city's own row is where the warning belongs
                touched[key] = (i, value)
    said = 0
    for (code, period, measure), (i, value) in touched.items():
        total = lookup.get((code, city, period, measure))
        parts = [lookup.get((code, c, period, measure)) for c in counties]
        if total is None or any(p is None for p in parts):
            continue  # not every county has reported yet: nothing to compare
        # 示范区 lies inside the city and outside the counties' figures: counted when it has one.
        zone = [z for z in (lookup.get((code, c, period, measure)) for c in zones) if z is not None]
        counted = sum(parts) + sum(zone)
        # Rounding: each figure may be off by half its last published decimal (at least 0.005, as 亿元 are).
        rounding = 0.5 * 10 ** -max(2, _decimals([total, *parts, *zone])) * (len(parts) + len(zone))
        if abs(counted - total) <= max(abs(total) * SUM_TOLERANCE_PCT / 100, rounding) + 1e-9:
            continue
        unit = ind.unit.get(code) or ""
        with_zone = f"（含示范区 {sum(zone):g}）" if zone else ""
        gap = counted - total
        share = f"（{gap / total * 100:+.1f}%）" if total else ""
        when = periods.label(period, measure, ind.frequency.get(code, "M"))
        problems.add(f"{ind.name[code]}{when}{'' if measure == 'ytd' else '当月'}：各县（市、区）合计 {counted:,.6g} "
                     f"{unit}{with_zone}，与全市 {total:,.6g} {unit}相差 {gap:+,.4g} {unit}{share}，请核对"
                     "（仅提醒，不影响导入）", sheet=where.at[i, "sheet"], row=int(where.at[i, "row"]),
                     column=where.at[i, "c_value"], value=value, severity=WARNING)
        said += 1
        if said >= 200:
            return
