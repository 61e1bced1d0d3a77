"""Warnings that never block: a figure far from last month, a 累计 below last month's, a 位次
that does not match the values, counties that no longer add up to the city. Each names the cell
and the numbers.

The figures these compare with (the file's own first, then those in force) are read from the
store once per file.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from .. import periods
from .cells import parse_number
from .figures import KEY
from .messages import WARNING, Problems

MONTHS = 12 * 10_000  # a key is (indicator, region, measure) * MONTHS + the month's number, year * 12 + month - 1 (years to 9999)
SAID = 200  # warnings of one kind at most: a file that is off everywhere says so in its first 200


class Known:
    """The figures to compare with: the file's own first, then those in force. Each is keyed by
    one integer, so that last month's figure for 100,000 rows is one array look-up rather than
    100,000 tuples of texts hashed (0.1-0.3 s of every import)."""

    def __init__(self, frame: pd.DataFrame, kept: pd.DataFrame):
        both = pd.concat([frame[KEY + ["value"]], kept[KEY + ["value"]]], ignore_index=True)
        self.codes, self.of = {}, {}
        for k in ("indicator_code", "region_code", "measure"):
            self.codes[k], uniques = pd.factorize(both[k])
            self.of[k] = {u: j for j, u in enumerate(uniques)}
        p_codes, p_uniques = pd.factorize(both["period"])
        self.month = np.array([_number(p) for p in p_uniques], dtype=np.int64)[p_codes]
        keys = self.key(self.codes["indicator_code"], self.codes["region_code"], self.codes["measure"], self.month)
        first = ~pd.Series(keys).duplicated(keep="first").to_numpy()
        self.frame = both[first].reset_index(drop=True)  # the KEY + value of every figure in play
        self.keys, self.values = keys[first], self.frame.value.to_numpy(dtype=float)
        self._index = pd.Index(self.keys)

    def key(self, indicator, region, measure, month) -> np.ndarray:
        n_reg, n_meas = len(self.of["region_code"]), len(self.of["measure"])
        return ((np.asarray(indicator, np.int64) * n_reg + region) * n_meas + measure) * MONTHS + month

    def region_step(self) -> int:
        """What one step of the region's integer adds to a key: keys of one indicator, 口径 and
        month for another region are this many times the difference of the regions' integers apart."""
        return len(self.of["measure"]) * MONTHS

    def region(self, name: str) -> int | None:
        return self.of["region_code"].get(name)

    def get(self, keys: np.ndarray) -> np.ndarray:
        """The figure of each key, NaN where there is none."""
        at = self._index.get_indexer(keys)
        return np.where(at >= 0, self.values[at], np.nan)


def _number(period: str) -> int:
    y, m = periods.parse_month(period)
    return y * 12 + m - 1


def check(frame: pd.DataFrame, where: pd.DataFrame, rank_cells: list[dict], problems: Problems, options,
          store, catalog) -> None:
    first = periods.shift_month(frame.period.min(), -3)
    kept = store.observations(indicators=sorted(frame.indicator_code.unique()), since=first, until=frame.period.max())
    # Demo figures leave with this very commit (uploads/retire.py): a county's first real month
    # compared with the demo's last month, or added to the demo's other counties, says nothing.
    kept = kept[~kept.demo.astype(bool)]
    known = Known(frame, kept)
    n = len(frame)  # the file's rows come first in `known`, each once (figures.check keeps one per KEY)
    rows = _Rows(frame, where, known.keys[:n], problems)
    jumps(rows, known, options)
    falling_ytd(rows, known, catalog)
    ytd_is_month(rows, known, catalog)
    decimal_percent(rows, catalog)
    ranks(rank_cells, known.frame, problems, catalog)
    sums(rows, known, catalog)


class _Rows:
    """The file's figures as arrays, with their keys in `Known`, and the warnings they raise."""

    def __init__(self, frame: pd.DataFrame, where: pd.DataFrame, keys: np.ndarray, problems: Problems):
        self.frame, self.where, self.keys, self.problems = frame, where, keys, problems
        self.value = frame.value.to_numpy(dtype=float)
        self.measure = frame.measure.to_numpy(dtype=object)

    def warn(self, i: int, text: str) -> None:
        self.problems.add(text, sheet=self.where.at[i, "sheet"], row=int(self.where.at[i, "row"]),
                          column=self.where.at[i, "c_value"], value=self.value[i], severity=WARNING)


def _first(mask: np.ndarray) -> np.ndarray:
    return np.flatnonzero(mask)[:SAID]


def jumps(rows: _Rows, known: Known, options) -> None:
    """A 当月 value or a 同比 rate moving far from last month."""
    value, prev = rows.value, known.get(rows.keys - 1)  # the month is the key's last part
    level = rows.measure == "month"
    rate = np.isin(rows.measure, ["month_yoy", "ytd_yoy"])
    with np.errstate(divide="ignore", invalid="ignore"):
        pct = (value / prev - 1) * 100
        far = (rate & (np.abs(value - prev) > options.jump_pp)) | (level & (prev != 0) & (np.abs(pct) > options.jump_pct))
    for i in _first(far & ~np.isnan(prev)):
        change = f"{pct[i]:+.0f}%" if level[i] else f"{value[i] - prev[i]:+.1f} 个百分点"
        rows.warn(i, f"较上月（{prev[i]:g}）变动 {change}，请核对（仅提醒，不影响导入）")


def falling_ytd(rows: _Rows, known: Known, catalog) -> None:
    """A 累计 of a flow cannot fall within a year: lower than the previous period's 累计 is worth a look."""
    ind = catalog.indicators.set_index("code")
    flows = ind.index[ind.kind == "flow"]
    code = rows.frame.indicator_code
    step = np.where(code.map(ind.frequency).to_numpy(dtype=object) == "Q", -3, -1)
    of_year = known.month[:len(step)] % 12 + 1
    candidate = (rows.measure == "ytd") & code.isin(flows).to_numpy() & (of_year > -step)  # January, Q1: a new year
    prev = known.get(rows.keys + step)
    value = rows.value
    for i in _first(candidate & (value < prev)):  # no figure before: NaN, never greater
        before = periods.shift_month(rows.frame.period.iat[i], int(step[i]))
        rows.warn(i, f"累计 {value[i]:g} 低于上期（{before}）累计 {prev[i]:g}：同一年内累计数不应下降，请核对"
                     "（仅提醒，不影响导入）")


def ytd_is_month(rows: _Rows, known: Known, catalog) -> None:
    """After January a flow's 累计 equal to its own month's figure: the 累计 column most likely holds
    the 当月 figures (each row said nothing when the file had both)."""
    ytd, month = known.of["measure"].get("ytd"), known.of["measure"].get("month")
    if ytd is None or month is None:
        return
    flows = catalog.indicators.code[catalog.indicators.kind == "flow"]
    of_year = known.month[:len(rows.value)] % 12 + 1
    same = known.get(rows.keys + (month - ytd) * MONTHS)
    candidate = (rows.measure == "ytd") & rows.frame.indicator_code.isin(flows).to_numpy() & (of_year > 1)
    for i in _first(candidate & (rows.value == same) & (rows.value != 0)):
        rows.warn(i, f"累计 {rows.value[i]:g} 与当月数相同：累计一栏是否填了当月数？请核对（仅提醒，不影响导入）")


def decimal_percent(rows: _Rows, catalog) -> None:
    """A share in % written as a fraction (优良天数比例 0.806 for 80.6%, a cell not formatted as a
    percentage) was stored as 0.806 % without a word."""
    ind = catalog.indicators
    shares = ind.code[(ind.kind == "ratio") & ind.unit.isin(["%", "％"])]
    candidate = np.isin(rows.measure, ["month", "ytd"]) & rows.frame.indicator_code.isin(shares).to_numpy()
    for i in _first(candidate & (rows.value > 0) & (rows.value < 1)):
        rows.warn(i, f"{rows.value[i]:g} 小于 1：该指标单位为%，是否把 {rows.value[i] * 100:g}% 写成了小数？"
                     "请核对（仅提醒，不影响导入）")


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
        # A place among the nine is bounded by the counties known to be above and below it: with all
        # nine it is one place (ties share it); with fewer, a range. A county's own sheet (its figure
        # alone) said "在 1 个县（市、区）中应为第 1 位" of every 位次 it printed.
        own = values[c["region"]]
        higher = better_high.get(c["indicator"]) is not False
        above = int((values > own).sum() if higher else (values < own).sum())
        below = int((values < own).sum() if higher else (values > own).sum())
        lo, hi = above + 1, len(counties) - below
        if not lo <= rank <= hi:
            where = f"应为第 {lo} 位" if lo == hi else f"应在第 {lo}—{hi} 位之间"
            problems.add(f"位次 {rank:g} 与数值不符：按{own:g}在 {len(values)} 个县（市、区）中{where}，请核对"
                         "（位次不导入，仅提醒）", sheet=c["sheet"], row=c["row"], column=c["column"], value=c["rank"],
                         severity=WARNING)


SUM_TOLERANCE_PCT = 0.5  # beyond rounding, counties' total this far from the city's is worth a look


def _decimals(values) -> int:
    return max((len(f"{v:.6f}".rstrip("0").split(".")[1]) for v in values), default=0)


def sums(rows: _Rows, known: Known, catalog) -> None:
    """Flows and stocks add up: where the file gives a 当月 or 累计 figure of the city or a county,
    the nine county-level units and 示范区 (when it has a figure) should make the city's figure,
    the file's own figures first, then those in force. Needs every county's figure; says which
    indicator, which period and by how much."""
    ind = catalog.indicators.set_index("code")
    counties = list(catalog.regions[catalog.regions.level == "county"].code)
    zones = list(catalog.regions[catalog.regions.level == "zone"].code)
    city = catalog.city
    frame = rows.frame
    mine = (np.isin(rows.measure, ["month", "ytd"]) & frame.indicator_code.isin(ind.index[ind.kind.isin(["flow", "stock"])])
            & frame.region_code.isin([city, *counties, *zones])).to_numpy()
    if not mine.any():
        return
    # One check per indicator, period and 口径 the file touches, in the order the file first does;
    # the warning belongs on the city's own row when the file has it, else on the first row.
    region = known.codes["region_code"][:len(frame)]
    whole = rows.keys - region * known.region_step()  # the key as if of region 0
    at = np.flatnonzero(mine)
    first = pd.Series(at, index=whole[at]).groupby(level=0, sort=False).first()
    city_row = pd.Series(at, index=whole[at])[region[at] == known.region(city)]
    first.loc[city_row.index] = city_row.to_numpy()
    on = first.to_numpy()

    def figure(name: str) -> np.ndarray:
        r = known.region(name)
        return np.full(len(on), np.nan) if r is None else known.get(whole[on] + r * known.region_step())

    total = figure(city)
    parts = [figure(c) for c in counties]
    zone = [figure(z) for z in zones]
    counted = np.zeros(len(on))  # added in the counties' order, as a sum written out would be
    for p in parts:
        counted = counted + p
    zone_sum = np.zeros(len(on))
    for z in zone:
        zone_sum = zone_sum + np.where(np.isnan(z), 0.0, z)
    counted = counted + zone_sum
    with np.errstate(invalid="ignore"):
        # Beyond the tolerance: the only rows where rounding (worked out below, per row) can matter.
        off = np.abs(counted - total) > np.abs(total) * SUM_TOLERANCE_PCT / 100 + 1e-9
    said = 0
    for g in np.flatnonzero(off):  # NaN (a county without its figure) is never off
        i = on[g]
        present = [z[g] for z in zone if not np.isnan(z[g])]
        # Rounding: each figure may be off by half its last published decimal (at least 0.005, as 亿元 are).
        rounding = 0.5 * 10 ** -max(2, _decimals([total[g], *(p[g] for p in parts), *present])) \
            * (len(parts) + len(present))
        if abs(counted[g] - total[g]) <= max(abs(total[g]) * SUM_TOLERANCE_PCT / 100, rounding) + 1e-9:
            continue
        code, measure = frame.indicator_code.iat[i], rows.measure[i]
        unit = ind.unit.get(code) or ""
        with_zone = f"（含示范区 {zone_sum[g]:g}）" if present else ""
        gap = counted[g] - total[g]
        share = f"（{gap / total[g] * 100:+.1f}%）" if total[g] else ""
        when = periods.label(frame.period.iat[i], measure, ind.frequency.get(code, "M"))
        rows.warn(i, f"{ind.name[code]}{when}{'' if measure == 'ytd' else '当月'}：各县（市、区）合计 {counted[g]:,.6g} "
                     f"{unit}{with_zone}，比全市 {total[g]:,.6g} {unit}{'多' if gap > 0 else '少'} {abs(gap):,.4g} {unit}{share}，请核对"
                     "（仅提醒，不影响导入）")
        said += 1
        if said >= SAID:
            return
