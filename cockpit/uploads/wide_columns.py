"""The columns of a 统计月报: what each holds, read from its header words (names.read_header).

A header may be one, two or three rows with merged group labels (当月 / 1—10月 over 绝对值 / 增速 /
位次); `spread` repeats a merged label over the columns it spans, `read_columns` tells each column's
indicator or region, 口径 and unit, or why it is not imported.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from .cells import cell, present
from .names import TOTALS, measure_from_header, norm, read_header, unit_in
from .periods_in import MONTH_HEADER
from .preamble import UNIT_LINE
from .parse import col_letter

UNIT_HEADER = {"单位", "计量单位"}
SCOPE_HEADER = {"口径", "指标口径", "统计口径"}  # a column saying each row's 口径 (当月 / 累计 / 累计增长%)
NOTE_HEADER = re.compile(r"^(备注|说明|附注)")
SKIP_REASONS = {"rank": "位次列（只用于核对，不导入）", "mom": "环比列，不导入", "points": "增减百分点列，不导入",
                "change": "增减额（绝对量）列，不导入", "before": "上月（上期）数，不导入",
                "beside": "并排的另一张表，不导入：请把并排的表改为上下排列，或分到不同工作表",
                "last_year": "上年同期数，不导入",
                "average": "多年平均增速列（如两年平均增长），不导入",
                "share": "占比列，不导入", "plan": "目标/计划数，不导入", "note": "备注列，不导入",
                "left": "标签左侧的列（如序号），不导入",
                "compare": "全市（全省、全国）的对比数，不是本表地区的数，不导入",
                "total": "各月合计（或平均）列，不导入：累计数请以“累计”或“1—10月”这样的时期作列标题"}


@dataclass
class Column:
    j: int
    header: str  # as shown in messages: the header rows joined with ｜
    what: str  # data | rank | unit | scope | note | mom | last_year | share | plan | left | total | unknown | noscope | noindicator
    indicator: str | None = None
    region: str | None = None
    measure: str | None = None
    ranks: int | None = None  # a rank column: the data column it ranks
    unit: str | None = None  # named in its header: 1—10月（万元）
    period: str | None = None  # a month's own column in a table of months across (1月 … 10月)


def spread(row: list, r: int, merged: list, width: int, spread_right: bool) -> list:
    """A header row with each horizontally merged label repeated over the columns it spans."""
    out = [cell(row, j) for j in range(width)]
    covered = False
    for r0, c0, r1, c1 in merged:
        if r0 <= r <= r1:
            covered = covered or c1 > c0  # a vertical merge (指标 over two rows) says nothing of the groups
            if r == r0:
                for c in range(c0 + 1, min(c1 + 1, width)):
                    out[c] = out[c0]
    if spread_right and not covered:  # merges lost (saved by another program): group labels spread right
        last = None
        for j, v in enumerate(out):
            if present(v):
                last = v
            elif last is not None:
                out[j] = last
    return out


def column_at(j: int, headers: list[str]) -> str:
    h = headers[j] if j < len(headers) else ""
    return f"{col_letter(j)}（{h}）" if h else col_letter(j)


def column_reason(col: Column | None, header: str) -> str:
    if col is None or col.what == "unknown":
        return f"列标题“{header}”不是 当月/累计/同比，不导入" if header else "没有列标题，不导入"
    if col.what == "noscope":
        return "无法判断是当月还是累计（标题和表头都没有写明时期），不导入"
    if col.what == "noindicator":
        return "列标题中没有可识别的指标名称，不导入"
    return SKIP_REASONS.get(col.what, "不导入")


def _own_month(h: str, year: int | None) -> tuple[str, str] | None:
    """(period, 当月 or 累计) of a header naming a month of its own: 10月, 2026年1—10月, 1—10月累计."""
    m = MONTH_HEADER.fullmatch(h.split("｜")[-1]) if h else None
    if m and (m.group(1) or year) and 1 <= int(m.group(3)) <= 12:
        return f"{int(m.group(1) or year):04d}-{int(m.group(3)):02d}", "ytd" if m.group(2) else "month"
    return None


def month_columns(headers: list[str], year: int | None) -> dict[int, tuple[str, str]]:
    """A table of months across (1月 | 2月 | … | 10月, or 1—2月 | 1—3月 | …): column -> (period, 当月
    or 累计), for the kind that three or more columns each name a month of. One 10月 beside one 1—10月
    is the usual 统计月报, read by the title's period; 1月 … 10月 | 1—10月 | 同比 is months across with
    its 累计 at the end (that column is read by its own header, not as an eleventh month)."""
    found = {j: own for j, h in enumerate(headers) if (own := _own_month(h, year))}
    across = {}
    for kind in ("month", "ytd"):
        mine = {j: v for j, v in found.items() if v[1] == kind}
        if len({p for p, _ in mine.values()}) >= 3:
            across |= mine
    return across


# Across the months, a column of their sum or mean (合计, 全年, 月均) is no month's figure: "合计"
# beside 1月 … 10月 was read as a region, 全市, and stored as the city's October.
TOTAL_ACROSS = re.compile(r"(全年|年度)?(合计|总计|小计|累计)?(数|值)?|(月|年)?平均(数|值)?|月均(数|值)?")
TOTAL_WORDS = re.compile(r"合计|总计|小计|全年|年度|平均|月均")


# 全市增速% / 全省增速 beside a county's own figures: the area it is compared with. Stored as the
# county's own 同比 where the county's was "—".
COMPARE = re.compile(r"^(全省|全国|河南省?)|^(全市|市平均|省平均)(平均)?.")  # 全市 alone is the city's group

# The heading of a label column: a second one to the right starts a table set beside the first, whose
# rows of other names were stored under the first table's (外贸进出口's 累计 as 社零's).
LABEL_HEADINGS = {"指标", "指标名称", "项目", "地区", "县区", "县(市、区)", "县(市区)", "地区名称"}


def amount_codes(catalog) -> set[str]:
    """The indicators whose figures are amounts (亿元, 万千瓦时), not a rate, ratio or index: a % beside
    one, or a table of growth rates over one, is its growth."""
    ind = catalog.indicators
    return set(ind.code[~ind.kind.isin(["ratio", "index"]) & (ind.unit != "%")])


def read_columns(headers, parts, label_col, label, scope, sheet_region, sheet_indicator, catalog,
                 year: int | None = None, across_ytd: bool = False) -> dict[int, Column]:
    """across_ytd: the title says 累计 over 1月 | 2月 | …: each month's column is its 累计 (stored as 当月)."""
    out: dict[int, Column] = {}
    last_data = None
    beside = False
    months = month_columns(headers, year)
    # 永城市 | 全市 over its own figures and the city's: 全市 is then the city, not 永城市 again
    own_named = sheet_region is not None and any(catalog.region_of(x) == sheet_region for h in headers for x in h.split("｜"))
    if across_ytd:
        months = {j: (p, "ytd") for j, (p, _) in months.items()}
    for j, h in enumerate(headers):
        if j == label_col:
            continue
        if j < label_col:
            out[j] = Column(j, h, "left")
            continue
        pieces = [norm(p[j]) for p in parts if present(p[j])]
        beside = beside or bool(pieces and pieces[-1] in LABEL_HEADINGS)
        if beside:
            out[j] = Column(j, h, "beside")
            continue
        if h in UNIT_HEADER or any(p in UNIT_HEADER for p in pieces):
            out[j] = Column(j, h, "unit")
            continue
        if any(UNIT_LINE.match(p) for p in pieces):  # 单位：万元 at the header row's end: the sheet's unit line
            out[j] = Column(j, h, "note")
            continue
        if h in SCOPE_HEADER or any(p in SCOPE_HEADER for p in pieces):
            out[j] = Column(j, h, "scope")
            continue
        if any(NOTE_HEADER.match(p) for p in pieces):
            out[j] = Column(j, h, "note")
            continue
        if months and j not in months and pieces and TOTAL_ACROSS.fullmatch(pieces[-1]) \
                and TOTAL_WORDS.search(pieces[-1]):
            out[j] = Column(j, h, "total")
            continue
        if any(COMPARE.match(p) and not catalog.region_of(p) and read_header(p)[0] != "rank" for p in pieces) \
                and not (label == "indicators" and sheet_region == catalog.city and not any("省" in p or "国" in p for p in pieces)):
            out[j] = Column(j, h, "compare")
            continue
        ind = next((c for p in pieces if (c := catalog.indicator_of(p))), None)
        reg = next((c for p in pieces if (c := catalog.region_of(p))), None)
        if reg == catalog.city and sheet_region not in (None, catalog.city) and any(p in TOTALS for p in pieces) \
                and catalog.region_name(sheet_region).endswith("市") and not own_named:
            reg = sheet_region  # 永城市 (a county-level city) calls itself 全市 on its own sheet
        rest = "｜".join(p for p in pieces if not catalog.indicator_of(p) and not catalog.region_of(p))
        what = read_header(rest)[0] if rest else "value"
        if not pieces:
            out[j] = Column(j, h, "unknown")
            continue
        if what == "rank":
            ranked = out.get(last_data)
            out[j] = Column(j, h, "rank", indicator=ranked.indicator if ranked else ind,
                            region=ranked.region if ranked else reg, ranks=last_data)
            continue
        said = {int(y) for p in pieces for y in re.findall(r"(\d{4})年", p)}
        if what == "value" and year and said and year not in said:
            # 2026年1—10月 | 2025年1—10月 | 增长%: the 2025 column is last year's, not this 累计 again
            what = "last_year" if year - 1 in said else "unknown"
        if what != "value":
            out[j] = Column(j, h, what)
            continue
        measure = measure_from_header(rest, scope) if rest else (scope if ind or reg else None)
        period = None
        k = j - 1
        while k in out and out[k].what in ("rank", "last_year"):  # 10月 | 位次 | 增速, 本月 | 上年同月 | 同比
            k -= 1
        before = out.get(k)
        growth_of = None
        if (pieces and read_header(pieces[-1])[1:] == (None, "yoy") and before is not None
                and before.what == "data" and before.measure in ("month", "ytd") and ind in (None, before.indicator)):
            # A bare 增速 / 同比±% after a level (its 位次 and last year's figure between) is that level's
            # growth: 10月 | 增速 | 1—10月 | 增速, or 本月 | 累计 | 同比 under one group "2026年10月"
            # (whose month made the last 当月同比); across a table of areas, 社零 | 增速 | 一般公共预算收入
            # | 增速 gives each 增速 its own indicator (the title's first name took both).
            measure, growth_of = f"{before.measure}_yoy", before.indicator
            period = before.period  # 1月 | 同比 | 2月 | 同比: each rate its month's
        if measure is None:
            out[j] = Column(j, h, "noscope" if (rest or ind or reg) and scope is None else "unknown")
            continue
        if label == "regions":
            ind = ind or growth_of or sheet_indicator
            if ind is None:
                out[j] = Column(j, h, "noindicator")
                continue
        if j in months:  # months across: each column its month's 当月 (or 累计)
            period, measure = months[j]
        elif months and (own := _own_month(h, year)) and growth_of is None:
            period = own[0]  # 1月 … 10月 | 1—9月: the 累计 its header names, not the last month's
        unit = unit_in(pieces)
        if unit in ("%", "％") and measure in ("month", "ytd") and label == "regions" and ind in amount_codes(catalog):
            # 10月（%） | 1—10月（%） over a table of one amount's counties: its growth rates ("单位与
            # 指标目录的“亿元”不一致，请换算后填报" asked a clerk to convert a rate).
            measure, unit = f"{measure}_yoy", None
        out[j] = Column(j, h, "data", indicator=ind, region=reg or sheet_region, measure=measure, unit=unit,
                        period=period)
        last_data = j
    return out
