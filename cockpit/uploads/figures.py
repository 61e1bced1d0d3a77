"""From raw cells to figures: names to codes, numbers read, the catalogue's rules, repeats and clashes.

Works on every distinct value once (100,000 rows name a few dozen distinct things). What cannot be
a figure is an error and refuses the file (an unreadable number, a clash, an impossible value);
what is merely not ours (a name the catalogue does not know, a 口径 the indicator does not
publish) is listed as not imported and the rest of the file imports.
"""
from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

from .. import periods
from ..store import MEASURES
from .cells import Mark, parse_number, present
from .messages import ERROR, INFO, SKIPPED, WARNING, Problems
from .names import measure_code, norm
from .periods_in import PeriodError, cumulative, parse_period

KEY = ["indicator_code", "region_code", "period", "measure"]
YOY_FLOOR = -100.0  # a growth rate below -100% is impossible
INDEX_RANGE = (50.0, 200.0)  # an index on 上年同月=100 lies here; a growth rate in % does not


class Figures:
    """The checked figures of one file: `frame` (KEY + value), where each came from, and the
    "—" cells (`blanks`) with the key they would have had."""

    def __init__(self, frame: pd.DataFrame, where: pd.DataFrame, blanks: pd.DataFrame, unknown: list[dict]):
        self.frame, self.where, self.blanks, self.unknown = frame, where, blanks, unknown


def _place(raw: pd.DataFrame, i: int) -> str:
    return f"工作表“{raw.at[i, 'sheet']}”第 {int(raw.at[i, 'row'])} 行 {raw.at[i, 'c_value']}"


def check(raw: pd.DataFrame, problems: Problems, catalog, options, text_file: bool = False) -> Figures | None:
    raw = raw.reset_index(drop=True)
    if raw.empty:
        return None
    n = len(raw)
    bad = np.zeros(n, dtype=bool)  # refused (an error was reported)
    out = np.zeros(n, dtype=bool)  # not imported, said so
    ind = catalog.indicators.set_index("code")

    def report(mask, field, reason_of, severity=ERROR):
        idx = np.flatnonzero(mask & ~bad & ~out)
        for i in idx:
            col = raw.at[i, "c_" + field] if "c_" + field in raw else ""
            val = raw.at[i, "value" if severity == SKIPPED else field] if field in raw else None
            problems.add(reason_of(i) if callable(reason_of) else reason_of, sheet=raw.at[i, "sheet"],
                         row=int(raw.at[i, "row"]), column=col, value=val, severity=severity)
        if severity == ERROR:
            bad[idx] = True
        elif severity == SKIPPED:
            out[idx] = True

    distinct: dict[str, tuple[np.ndarray, np.ndarray]] = {}

    def per_distinct(field, fn) -> np.ndarray:
        # fn once per distinct value (100,000 rows name a few dozen distinct things), spread back
        # to the rows by factorize's codes: 4x faster than Series.map with a dict.
        if field not in distinct:
            distinct[field] = pd.factorize(raw[field].to_numpy(dtype=object), use_na_sentinel=False)
        codes, uniques = distinct[field]
        out = np.empty(len(uniques), dtype=object)
        for j, u in enumerate(uniques):
            out[j] = fn(u)
        return out[codes]

    def mapped(field, fn) -> pd.Series:
        return pd.Series(per_distinct(field, fn))  # typed as Series.map types it (texts as str)

    def each(field, test) -> np.ndarray:
        # Only for a test that cannot tell apart what hashing treats as one value (True, 1 and 1.0).
        return per_distinct(field, lambda v: bool(test(v))).astype(bool)

    marks = {f: each(f, lambda v: isinstance(v, Mark))
             for f in ("region", "indicator", "period", "measure", "value")}
    for f, is_mark in marks.items():
        if is_mark.any():
            report(is_mark, f, lambda i, f=f: raw.at[i, f].reason())

    # Values read first: a "—" is not a figure, whatever its row says. Numbers pass straight
    # through; any other cell is read by parse_number (errors reported once the row's names are known).
    vals = raw["value"]
    value = np.full(n, np.nan)
    status = np.full(n, "ok", dtype=object)
    detail = np.full(n, "", dtype=object)
    arr = vals.to_numpy(dtype=object)
    # Exact types (a bool is not a number here), tested without a Python call per cell.
    fast = np.fromiter(map((float, int).__contains__, map(type, arr)), dtype=bool, count=n)
    value[fast] = arr[fast].astype(float)
    status[fast & np.isnan(value)] = "na"
    for i in np.flatnonzero(~fast):
        x, status[i], detail[i] = parse_number(arr[i])
        if x is not None:
            value[i] = x
    blank = status == "na"
    typed_pct = detail == "百分号"  # "12.5%" as text, or a cell formatted as a percentage

    unknown: dict[tuple[str, str], dict] = {}

    def resolve(field, fn, kind, empty_reason):
        codes = mapped(field, lambda v: None if isinstance(v, Mark) else fn(v))
        empty = ~each(field, present)
        missing = codes.isna().to_numpy() & ~empty & ~bad
        for i in np.flatnonzero(missing & ~blank):
            text = str(raw.at[i, field]).strip()
            hit = unknown.setdefault((kind, text), {"kind": kind, "text": text, "count": 0,
                                                    "first": _place(raw, i)})
            hit["count"] += 1
        word = "地区" if kind == "region" else "指标"
        report(missing & ~blank, field, lambda i: f"未识别的{word}名称“{str(raw.at[i, field]).strip()}”，不导入",
               SKIPPED)
        out[missing & blank] = True
        report(empty & ~blank, field, empty_reason)
        return codes

    region = resolve("region", catalog.region_of, "region", "地区为空")
    indicator = resolve("indicator", catalog.indicator_of, "indicator", "指标为空")
    measure = mapped("measure", lambda v: None if isinstance(v, Mark) else measure_code(v))
    report(measure.isna().to_numpy(), "measure", "口径应为 当月、累计、当月同比 或 累计同比")

    unreadable = (status == "error") & ~marks["value"]
    report(unreadable, "value", lambda i: detail[i])
    norm_counts: dict[str, list[int]] = {}
    for i in np.flatnonzero((status == "ok") & ~fast & ~bad & ~out):
        norm_counts.setdefault(detail[i], []).append(i)

    pinfo = per_distinct("period", _period)  # (month, why not) or (month, how it was read)
    period = pd.Series(per_distinct("period", lambda v: _period(v)[0]))
    report(period.isna().to_numpy(), "period", lambda i: pinfo[i][1])
    # 2026年1—10月 is a cumulative figure's period: a 当月 row under it is one of the two mistyped.
    span = each("period", cumulative) & measure.isin(["month", "month_yoy"]).to_numpy()
    report(span, "period", lambda i: f"是累计区间，口径却是“{MEASURES[measure.iat[i]]}”：累计数的口径请写“累计”，"
                                     "当月数的时期请写成某年某月（如 2026年10月）")
    notes = np.flatnonzero(per_distinct("period", lambda v: bool(_period(v)[0] and _period(v)[1])).astype(bool))
    if len(notes):
        first = notes[0]
        problems.add(f"{len(notes)} 个时期为 Excel 日期序号，已换算为月份（如{pinfo[first][1]}），请核对",
                     sheet=raw.at[first, "sheet"], row=int(raw.at[first, "row"]),
                     column=raw.at[first, "c_period"], value=raw.at[first, "period"], severity=WARNING)
    this_month = periods.month_key(options.today or dt.date.today())
    future = (period.notna() & (period.fillna("") > this_month)).to_numpy()
    report(future & ~blank, "period", lambda i: f"时期 {period.iat[i]} 在未来（当前为 {this_month}）")

    known = indicator.notna().to_numpy() & measure.notna().to_numpy() & ~blank
    if known.any():
        # The catalogue's word on each row, looked up once per indicator the file names.
        at, names = pd.factorize(indicator.where(indicator.notna(), "").to_numpy(dtype=object))

        def per_code(mapping: dict, default=None, dtype=object) -> np.ndarray:
            return np.array([mapping.get(c, default) for c in names], dtype=dtype)[at]

        measure = _index_in_rate_column(raw, per_code(ind.kind.to_dict()), measure, value, problems)
        measures_of = {c: set(m.split(",")) for c, m in ind.measures.items()}
        name_of, unit_of = ind.name.to_dict(), ind.unit.to_dict()
        m_at, m_names = pd.factorize(measure.fillna("").to_numpy(dtype=object))
        published = np.array([[m in measures_of.get(c, ()) for m in m_names] for c in names], dtype=bool)
        not_pub = ~published[at, m_at]
        report(not_pub & known, "measure",
               lambda i: f"该指标不发布此口径：“{name_of.get(indicator.iat[i])}”不发布“{MEASURES.get(measure.iat[i])}”"
                         f"（发布：{'、'.join(MEASURES[m] for m in ind.measures.get(indicator.iat[i]).split(','))}），不导入",
               SKIPPED)
        freq = pd.Series(per_code(ind.frequency.to_dict())).fillna("M")
        q_bad = ((freq == "Q") & period.notna()
                 & ~period.fillna("0000-03").str[-2:].isin(["03", "06", "09", "12"])).to_numpy()
        # Not imported rather than refused: a GDP row in a county's 1—10月 table (the title gives its
        # period) refused the whole file twice over.
        report(q_bad & known, "period",
               lambda i: f"季度指标只在 3、6、9、12 月报送，本行时期为 {period.iat[i]}，不导入", SKIPPED)
        level = measure.isin(["month", "ytd"]).to_numpy()
        if "unit" in raw and each("unit", present).any():
            got = mapped("unit", lambda v: norm(v) if present(v) else "")
            want = per_code({c: norm(u) for c, u in unit_of.items()}, "")
            ok = (got == "") | (got == want) | (~pd.Series(level) & got.isin(["%", "百分比"]))
            report(known & ~ok.to_numpy(dtype=bool), "unit",
                   lambda i: f"单位与指标目录的“{unit_of.get(indicator.iat[i])}”不一致，请换算后填报")
        # "300%" under 亿元 is not 300 亿元: a rate typed where the amount belongs, or the wrong column.
        in_pct = known & level & typed_pct & ~per_code({c: norm(u) == "%" for c, u in unit_of.items()},
                                                                 False, bool)
        report(in_pct, "value", lambda i: f"数值带百分号，而“{name_of.get(indicator.iat[i])}”的"
                                          f"{MEASURES.get(measure.iat[i])}以“{unit_of.get(indicator.iat[i])}”计："
                                          "请填写数值本身；若填的是增速，口径请写“当月同比”或“累计同比”")
        lo = per_code(ind.min_value.to_dict(), np.nan, float)
        hi = per_code(ind.max_value.to_dict(), np.nan, float)
        with np.errstate(invalid="ignore"):
            has = known & ~np.isnan(value)
            neg = has & level & (lo == 0) & (value < 0)
            low = has & level & ~np.isnan(lo) & (value < lo) & ~neg
            high = has & level & ~np.isnan(hi) & (value > hi)
            yoy_low = has & ~level & (value < YOY_FLOOR)
        report(neg, "value", "不能为负数（该指标不可能小于 0）")
        report(low, "value", lambda i: f"低于指标目录的下限 {lo[i]:g}")
        report(high, "value", lambda i: f"超过指标目录的合理上限 {hi[i]:g} {unit_of.get(indicator.iat[i])}，请核对单位")
        report(yoy_low, "value", "同比增速不能低于 -100%")

    # Said after the checks, of the cells they kept: "300%" under 亿元 is an error, not "read as 300".
    if text_file:  # in a CSV or a web page's table every number is text: no news to the clerk
        norm_counts.pop("文本数字", None)
    for rule, idx in norm_counts.items():
        idx = [i for i in idx if not bad[i]]
        if rule and idx:
            i = idx[0]
            problems.add(f"{len(idx)} 个数值按“{rule}”规则读取（如此格），请核对", sheet=raw.at[i, "sheet"],
                         row=int(raw.at[i, "row"]), column=raw.at[i, "c_value"], value=vals.iat[i], severity=INFO)

    frame = pd.DataFrame({"indicator_code": indicator, "region_code": region, "period": period,
                          "measure": measure, "value": value})
    whole = frame[KEY].notna().all(axis=1).to_numpy()
    b = blank & whole & ~bad
    blanks = frame.loc[b, KEY].assign(sheet=raw.sheet[b].to_numpy(), row=raw.row[b].to_numpy(),
                                      column=raw.c_value[b].to_numpy())
    keep = whole & ~blank & ~out
    keys = _key_ids(frame)
    _repeats(frame, keys, raw, keep & ~bad, problems, report, catalog)
    if not problems.ok:
        return Figures(frame.iloc[0:0], raw.iloc[0:0], blanks.iloc[0:0], list(unknown.values()))
    take = keep & ~_dupes(keys, keep)
    where = raw.loc[take, ["sheet", "row", "c_value"]].reset_index(drop=True)
    return Figures(frame[take].reset_index(drop=True), where, blanks.drop_duplicates(KEY).reset_index(drop=True),
                   list(unknown.values()))


def _period(v):
    if isinstance(v, Mark) or not present(v):
        return (None, "时期为空")
    try:
        return parse_period(v)
    except PeriodError as exc:
        return (None, str(exc))


def _index_in_rate_column(raw, kinds: np.ndarray, measure, value, problems) -> pd.Series:
    """CPI and the like are published as an index (上年同月=100). A 统计月报 often prints the
    index under the 同比 column, since the index already is the year-on-year figure."""
    hit = ((kinds == "index") & measure.isin(["month_yoy", "ytd_yoy"]) & (value >= INDEX_RANGE[0])
           & (value <= INDEX_RANGE[1])).to_numpy()
    if not hit.any():
        return measure
    measure = measure.copy()
    measure[hit] = measure[hit].str.replace("_yoy", "", regex=False)
    i = int(np.flatnonzero(hit)[0])
    problems.add(f"{int(hit.sum())} 个价格指数（上年同月=100）写在同比列，按指数读取", sheet=raw.at[i, "sheet"],
                 row=int(raw.at[i, "row"]), column=raw.at[i, "c_value"], value=value[i], severity=INFO)
    return measure


def _key_ids(frame: pd.DataFrame) -> np.ndarray:
    """One integer per distinct KEY; a missing part of a key is "" here, never NaN (NaN never equals
    itself, so two rows missing the same part would count as two keys)."""
    parts = frame[KEY].astype(object)
    return parts.where(parts.notna(), "").groupby(KEY, sort=False).ngroup().to_numpy()


def _dupes(keys: np.ndarray, keep: np.ndarray) -> np.ndarray:
    out = np.zeros(len(keys), bool)
    out[np.flatnonzero(keep)] = pd.Series(keys[keep]).duplicated(keep="first").to_numpy()
    return out


def _repeats(frame: pd.DataFrame, keys: np.ndarray, raw: pd.DataFrame, keep: np.ndarray, problems: Problems,
             report, catalog) -> None:
    """The same figure twice (the city sheet and the 全市 row of the county sheet) is one figure;
    two different values for one key are an error naming both places and both values."""
    dup = _dupes(keys, keep)
    if not dup.any():
        return
    first_of = {}
    for i in np.flatnonzero(keep):
        first_of.setdefault(keys[i], i)
    same, clash = np.zeros(len(frame), bool), np.zeros(len(frame), bool)
    for i in np.flatnonzero(dup):
        f = first_of[keys[i]]
        (same if np.isclose(frame.value.iat[i], frame.value.iat[f], rtol=1e-9, atol=1e-9) else clash)[i] = True
    for i in np.flatnonzero(same):
        f = first_of[keys[i]]
        problems.add(f"与{_place(raw, f)}重复，数值相同，按同一个数导入", sheet=raw.at[i, "sheet"],
                     row=int(raw.at[i, "row"]), column=raw.at[i, "c_value"], value=raw.at[i, "value"], severity=INFO)
    name_of = dict(zip(catalog.indicators.code, catalog.indicators.name))

    def read_as(i: int) -> str:
        # What both cells were read as: a header read under the wrong 口径 shows itself here.
        return (f"{catalog.region_name(frame.region_code.iat[i])}{name_of.get(frame.indicator_code.iat[i], '')}"
                f"{periods.label(frame.period.iat[i])}{MEASURES.get(frame.measure.iat[i], '')}")
    report(clash, "value", lambda i: (
        f"与{_place(raw, first_of[keys[i]])}的 {frame.value.iat[first_of[keys[i]]]:g} 不一致（本格 "
        f"{frame.value.iat[i]:g}），两格都读作“{read_as(i)}”：同一指标、地区、时期、口径只能有一个数，"
        "请核对表头是否写明了各列的口径；确为重复时删去其一"))
