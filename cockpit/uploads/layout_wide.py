"""The 统计月报 (wide) layout, recognised by what the cells say rather than where they sit.

A county statistics office writes a title, a unit line and a date line (in any order), a one-,
two- or three-row header with merged group labels (当月 / 1—10月 over 绝对值 / 增速 / 位次), then
one row per indicator (a city sheet) or per county (a 分县区 sheet), footnotes and blank rows
anywhere. Here the body is found first (the first row whose leading cell names an indicator or a
region, with numbers beside it), the header is the text rows just above it, the rest above is the
preamble (title, 单位, 填报日期). Each column is then read from its header words (wide_columns).
Every non-empty cell that is not imported is said so, with the reason.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, replace

from .cells import Mark, cell, is_footnote, not_published, present
from .messages import INFO, SKIPPED, Problems
from .names import TOTALS, measure_code, measure_from_header, name_key, norm, rate_of, scope_of, unit_in
from .parse import Sheet, col_letter
from .preamble import RATE_UNITS, UNIT_LINE, excluded, growth_table, line_unit, name_in, own_total, period as find_period, preamble, unit_words, units_said
from .preamble import sheet_region as region_of_sheet
from .periods_in import note_month, period_from_title
from .wide_columns import amount_codes, column_at, column_reason, month_columns, read_columns, spread
from .wide_tables import COUNTY_TOTALS, beside, find_body, header_rows, month_headings, numeric, tables


@dataclass
class WideResult:
    records: list[dict]
    blanks: list[dict]  # "—" cells with their figure's key: a stored figure may be kept or withdrawn
    ranks: list[dict]  # 位次 cells: checked against the values, never stored
    label: str  # "indicators" | "regions"
    unknown: list[dict]  # names not in the catalogue: kind, text, count, first (where)


THIS_YEAR = {"本年", "今年", "本年度", "本期", "本年数", "本期数"}
LAST_YEAR = {"上年", "去年", "上年同期", "去年同期", "上年同月", "上年数", "上年同期数"}
# 社会消费品零售总额（累计值） over 1月 | … | 10月; not …累计情况 or 1—10月累计 (a 当月 header wins)
CUMULATIVE_TITLE = re.compile(r"[（(]累计(值|数)?[)）]|累计值|累计数")
MONTH_SAID = re.compile(r"当月|本月|单月")
CUMULATIVE_NOTE = re.compile(r"[（(]累计(值|数)?[)）]$")


def read(sheet: Sheet, problems: Problems, catalog, options) -> WideResult | None:
    """A 统计月报 sheet; one of several tables one under another (一、工业 … 二、投资 …), each under a
    header of its own, is read table by table: a second header is never read with the first's
    columns (a growth rate stored as a level)."""
    views = [(view, start, n == 0) for block in beside(sheet, catalog) for n, (view, start) in enumerate(tables(block, catalog))]
    results, seen = [], set(problems.items)
    for view, start, first in views:
        part = Problems()
        result = _read(view, part, catalog, options, start, titled=first)
        if result is None:  # no table: what its reading said is not said (图表数据's 无法确定时期 refused the file)
            continue
        for p in part.items:  # the title's period and the sheet's region are said once
            if p not in seen:
                seen.add(p)
                problems.add(p.reason, p.sheet, p.row, p.column, p.value, p.severity)
        results.append(result)
    if not results:
        return None
    unknown: dict[str, dict] = {}
    for r in results:
        for u in r.unknown:
            unknown.setdefault(u["text"], {**u, "count": 0})["count"] += u["count"]
    return WideResult([x for r in results for x in r.records], [x for r in results for x in r.blanks],
                      [x for r in results for x in r.ranks], results[0].label, list(unknown.values()))


def _read(sheet: Sheet, problems: Problems, catalog, options, start: int = 0, titled: bool = True) -> WideResult | None:
    """titled: the sheet's title is this table's (the first on the sheet, or of its side-by-side block);
    a second table under its own header is not "…增速" because the first one is."""
    rows = sheet.rows
    found = find_body(rows, catalog, start) if rows else None
    if found is None:
        return None
    first, label_col, label = found
    header_idx, body_start = header_rows(rows, first, label_col)
    top = header_idx[0] if header_idx else body_start
    title, title_row, unit_text, period_text = preamble(rows, top)
    in_header = next((norm(c) for r in header_idx for c in rows[r] if isinstance(c, str) and UNIT_LINE.match(norm(c))), "")
    unit_text = unit_text or in_header
    unit_where = "（单位行）" if unit_text else "（标题）" if units_said([title], catalog.indicator_of)[0] else "（表注）"
    said, note_units = units_said([title, *(c for row in rows[body_start:] for c in row if is_footnote(c))],
                                  catalog.indicator_of)
    unit_text = unit_text or said
    width = max(len(r) for r in rows[top:min(len(rows), body_start + 200)] or [[]])
    parts = [month_headings(spread(rows[r], r, sheet.merged, width, spread_right=(n < len(header_idx) - 1)))
             for n, r in enumerate(header_idx)]
    headers = ["｜".join(dict.fromkeys(norm(p[j]) for p in parts if present(p[j]))) for j in range(width)]
    sheet_text = norm(sheet.name)
    # The sheet's scope: a title or any header giving 1—10月 makes bare 增速 columns 累计同比.
    scope = "ytd" if "ytd" in {scope_of(period_text), scope_of(title), *map(scope_of, headers)} \
        else scope_of(period_text) or scope_of(title)
    year = re.search(r"(\d{4})年", norm(title))
    across = month_columns(headers, int(year.group(1)) if year else None) if not period_from_title(title) else {}
    if across and not options.period:  # 2026年…分月情况 over 1月 | … | 10月: each column its own month
        period = max(p for p, _ in across.values())
        problems.add(f"时期取自各列表头：{min(p for p, _ in across.values())} 至 {period}", sheet=sheet.name, severity=INFO)
    else:
        period = find_period(sheet, options, problems, title, title_row, period_text, headers)
    sheet_region = None
    sheet_indicator = options.indicator or name_in(title, catalog.indicator_names) or \
        catalog.indicator_of(sheet.name) or name_in(sheet_text, catalog.indicator_names)
    if label == "indicators":
        sheet_region = region_of_sheet(sheet, title, catalog, options, problems)
    columns = read_columns(headers, parts, label_col, label, scope, sheet_region, sheet_indicator, catalog,
                           int(period[:4]) if period else None,
                           across_ytd=bool(CUMULATIVE_TITLE.search(norm(title))) and not any(MONTH_SAID.search(h) for h in headers))
    across = any(c.period for c in columns.values())
    if not any(c.what == "data" for c in columns.values()):
        return None
    unit_col = next((c.j for c in columns.values() if c.what == "unit"), None)
    scope_col = next((c.j for c in columns.values() if c.what == "scope"), None)
    if scope_col is not None and not across:  # a 口径 column of words (按经营单位所在地) beside 本月 | 累计
        columns[scope_col] = replace(columns[scope_col], what="unknown")
        scope_col = None
    # A table of growth rates by its title or unit line, none of whose columns says 增速 itself (a
    # 增长情况 table of 1—10月 | 增长% holds amounts and their rates): every column is a 同比.
    # An amount's unit anywhere (单位：亿元, a 单位 column, 1—10月（亿元）) outweighs the title.
    amount_unit = unit_col is not None or any(u not in RATE_UNITS for u in unit_words(unit_text)) or any(
        c.what == "data" and c.unit and c.unit not in RATE_UNITS for c in columns.values())
    growth = None if amount_unit or any(c.what == "data" and c.measure and c.measure.endswith("_yoy")
                                        for c in columns.values()) else growth_table(title if titled else "", unit_text)
    if growth:
        problems.add(f"{growth}表明本表各数为同比增速，按同比增速读取", sheet=sheet.name, severity=INFO)
    unit_from_line = line_unit(unit_text, dict(zip(catalog.indicators.code, catalog.indicators.unit)))
    resolve = catalog.indicator_of if label == "indicators" else catalog.region_of
    records, blanks, ranks = [], [], []
    unknown: dict[str, dict] = {}
    aggregated: dict[int, list[int]] = {}
    last_code = None  # the indicator of the last row that named one
    frequency = dict(zip(catalog.indicators.code, catalog.indicators.frequency))
    amounts = amount_codes(catalog)
    total_of = own_total(rows, body_start, label_col, title, catalog) if label == "regions" else None
    left_out = excluded(title)
    sheet.note_hidden_rows(body_start, problems)
    for i in range(body_start, len(rows)):
        row = rows[i]
        r = i + 1
        name = cell(row, label_col)
        values = {j: cell(row, j) for j in range(width) if j != label_col}
        present_cells = {j: v for j, v in values.items() if present(v) or (i, j) in sheet.marks}
        if not present_cells:
            continue  # a name with nothing beside it (an unfilled line) holds nothing to import
        if not present(name):
            for j, v in present_cells.items():
                problems.add(f"本行没有{'指标' if label == 'indicators' else '地区'}名称，不导入", sheet=sheet.name,
                             row=r, column=column_at(j, headers), value=v, severity=SKIPPED)
            continue
        if is_footnote(name) or not any(numeric(v) for v in present_cells.values()):
            problems.add("说明文字，不导入", sheet=sheet.name, row=r, column=col_letter(label_col), value=name,
                         severity=SKIPPED)
            continue
        code, rate, row_measure = resolve(name), False, None
        if total_of and (code == catalog.city and name_key(name) in TOTALS or name_key(name) in COUNTY_TOTALS):
            code = total_of
            problems.add(f"本行按标题记为{catalog.region_name(total_of)}的数（本表各行不是县区）",
                         sheet=sheet.name, row=r, column=col_letter(label_col), value=name, severity=INFO)
        if code is None and label == "indicators" and across and sheet_indicator and norm(name) in THIS_YEAR:
            code = sheet_indicator  # 本年 | 上年同期 | 增长% under 1月 … 6月: the title's indicator this year
        elif code is None and label == "indicators" and across and norm(name) in LAST_YEAR:
            problems.add("上年同期数，不导入", sheet=sheet.name, row=r, column=col_letter(label_col), value=name,
                         severity=SKIPPED)
            continue  # the 增长% row under it is still this year's growth
        elif code is not None and label == "indicators" and across and CUMULATIVE_NOTE.search(norm(name)):
            row_measure = "ytd"  # 社会消费品零售总额（累计） over 1月 … 10月: each month's 累计, not its 当月
        if code is None and label == "indicators":
            # “增速” under an indicator (its growth rate), or “规模以上工业增加值增速”: the indicator's 同比,
            # in the columns that hold its level.
            base = rate_of(name)
            code = (resolve(base) if base else last_code) if base is not None else None
            rate = code is not None
            if code is None and sheet_indicator and isinstance(name, str):
                # 累计（亿元） / 同比增长（%） in a table of the title's indicator, the counties across
                row_measure = measure_from_header(name, scope)
                code = sheet_indicator if row_measure else None
        said = note_month(name) if label == "indicators" and code is not None and period else None
        month = int(period[5:]) if period else 0
        if said not in (None, month) and not (frequency.get(code) == "Q" and said == month - month % 3):
            # 进出口总额（1—9月） in a 1—10月 table: figures of another period than the title's. The last
            # quarter's GDP repeated in a month's table is not imported, and said so (figures.py).
            problems.add(f"名称括注的时期与本表时期（{period}）不一致：请把本行移到该时期的表中，或改正括注",
                         sheet=sheet.name, row=r, column=col_letter(label_col), value=name)
            continue
        own = unit_col is not None and present(cell(row, unit_col))  # the row's own unit cell
        row_unit_said = norm(unit_in([str(name)])) if label == "indicators" else ""  # 社会消费品零售总额（亿元）
        if scope_col is not None and present(cell(row, scope_col)):
            # 指标 | 口径 | 1月 … 6月 with rows 当月 / 累计 / 累计增长%: each row's 口径 is its own (every
            # row was read as 当月, and the file refused as two values for each month)
            row_measure = measure_code(cell(row, scope_col))
            if row_measure is None:
                problems.add(f"口径“{cell(row, scope_col)}”不是 当月/累计/当月同比/累计同比，本行不导入", sheet=sheet.name,
                             row=r, column=col_letter(scope_col), value=cell(row, scope_col), severity=SKIPPED)
                continue  # read under the months' own 口径 it would clash with the rows that say theirs
        if label == "indicators" and not rate and not row_measure:
            # A 增速 row is the growth of the row right above it: under an unknown sub-item
            # (　其中：限额以上…) it is that sub-item's, not the last known indicator's.
            last_code = code
            # 规模以上工业增加值 | % | 7.2 | 6.8 under 本月 | 累计: the row's own unit says its figures are
            # growth rates (a rate-only indicator was listed as 不发布当月值, an amount's as a wrong unit).
            own_unit = cell(row, unit_col) if own else unit_in([str(name)])
            if code in amounts and norm(own_unit) == "%":
                rate = True
                problems.add("单位为“%”，按该指标的同比增速读取", sheet=sheet.name, row=r,
                             column=col_letter(unit_col if own else label_col), value=own_unit, severity=INFO)
        for j, v in present_cells.items():
            col = columns.get(j)
            if col is None or col.what not in ("data", "unit", "scope"):
                aggregated.setdefault(j, []).append(r)
                if col is None or col.what != "rank":
                    continue
            if col.what in ("unit", "scope"):
                continue
            mark = sheet.marks.get((i, j))
            v = Mark(*mark) if mark else v
            if code is None:
                if col.what == "data" and not not_published(v):
                    text = str(name).strip()
                    hit = unknown.setdefault(text, {"kind": "indicator" if label == "indicators" else "region",
                                                    "text": text, "count": 0,
                                                    "first": f"工作表“{sheet.name}”第 {r} 行"})
                    hit["count"] += 1
                    problems.add(f"未识别的{'指标' if label == 'indicators' else '地区'}名称“{str(name).strip()}”，不导入",
                                 sheet=sheet.name, row=r, column=column_at(j, headers), value=v, severity=SKIPPED)
                continue
            ind = code if label == "indicators" else col.indicator
            reg = col.region or sheet_region if label == "indicators" else code
            where = {"sheet": sheet.name, "row": r, "column": column_at(j, headers), "name": str(name).strip()}
            if left_out and reg == catalog.city:
                problems.add(f"标题注明不含{left_out}：本表的全市数与全市口径（含{left_out}）不同，不导入；"
                             f"请填报含{left_out}的全市数", sheet=sheet.name, row=r, column=column_at(j, headers),
                             value=v, severity=SKIPPED)
                continue
            if col.what == "rank":
                ranks.append({**where, "indicator": ind, "region": reg, "period": period,
                              "measure": columns[col.ranks].measure if col.ranks is not None else None, "rank": v})
                continue
            # A table of growth rates holds an amount's 同比; 城镇调查失业率 or 优良天数比例 under 单位：% is its level.
            as_rate = rate or (bool(growth) and ind in amounts and not (row_unit_said and row_unit_said not in RATE_UNITS))
            measure = row_measure or (col.measure if not as_rate
                                      else f"{col.measure}_yoy" if col.measure in ("month", "ytd") else None)
            if measure is None:  # a rate row under a column of rates: no 口径 to give it
                aggregated.setdefault(j, []).append(r)
                continue
            rec = {**where, "indicator": ind, "region": reg, "period": col.period or period, "measure": measure, "value": v}
            if not_published(v) and not isinstance(v, Mark):
                blanks.append(rec)
                continue
            row_unit = unit_in([str(name)]) if label == "indicators" else None  # 进出口总额（万美元）
            unit = cell(row, unit_col) if own else col.unit or row_unit or note_units.get(ind) or unit_from_line(ind)
            unit_at = (col_letter(unit_col) if own else column_at(j, headers) if col.unit
                       else col_letter(label_col) if row_unit else "（表注）" if ind in note_units else unit_where)
            records.append({"row": r, "sheet": sheet.name, "region": reg, "indicator": ind, "period": col.period or period,
                            "measure": measure, "value": v, "unit": unit if measure in ("month", "ytd") else None,
                            "c_region": col_letter(label_col) if label == "regions" else "（所选地区）",
                            "c_indicator": col_letter(label_col) if label == "indicators" else column_at(j, headers),
                            "c_period": column_at(j, headers) if col.period else "（标题）",
                            "c_measure": column_at(j, headers), "c_value": column_at(j, headers),
                            "c_unit": unit_at})
    for j, rs in aggregated.items():
        col = columns.get(j)
        reason = column_reason(col, headers[j])
        span = f"第 {rs[0]} 行" if len(rs) == 1 else f"第 {rs[0]}—{rs[-1]} 行，{len(rs)} 个单元格"
        problems.add(f"{reason}（{span}）", sheet=sheet.name, row=rs[0], column=column_at(j, headers),
                     severity=SKIPPED)
    for j in sorted(sheet.hidden_cols):
        if j < width and any(present(cell(rows[i], j)) for i in range(body_start, len(rows))):
            problems.add("隐藏列，已照常读取", sheet=sheet.name, column=column_at(j, headers), severity=INFO)
    if period is None:
        records = []
    return WideResult(records, blanks, ranks, label, list(unknown.values()))

