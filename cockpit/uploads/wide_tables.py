"""Where the tables are on a 统计月报 sheet: the first body row and its label column, the header rows
above it, and the sheet cut into one view per table (tables one under another, or side by side), each
view keeping every cell where it was so that messages name the real rows and columns."""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import replace

from .cells import Mark, cell, is_footnote, not_published, parse_number, present
from .names import measure_from_header, name_key, norm, read_header
from .parse import Sheet
from .preamble import PREAMBLE

MAX_HEADER_ROWS = 3
COUNTY_TOTALS = {"全县", "全区", "全县合计", "全区合计", "全县总计", "全区总计"}  # a county's table of its towns


def numeric(v) -> bool:
    """A figure, a mark of one (an unreadable cell) or a "—" of no figure: what a body row holds."""
    if isinstance(v, Mark):
        return True
    if isinstance(v, bool) or not present(v):
        return False
    if isinstance(v, (int, float)):
        return True
    return isinstance(v, str) and (not_published(v) or parse_number(v)[1] == "ok")


def _leading(row: list) -> range:
    """The columns a row's label may sit in: the first four from its first filled cell (a table set
    beside another is read with the other's columns blanked, so its label may be in column F)."""
    first = next((j for j, v in enumerate(row) if present(v)), 0)
    return range(first, min(first + 4, len(row)))


def find_body(rows: list[list], catalog, start: int = 0) -> tuple[int, int, str] | None:
    """(first body row, label column, label kind) or None when no row names anything we know."""
    for i in range(start, min(len(rows), start + 200)):
        row = rows[i]
        for j in _leading(row):
            v = row[j]
            if not isinstance(v, (str, int, float)) or isinstance(v, bool):
                continue
            kind = "indicators" if catalog.indicator_of(v) else \
                "regions" if catalog.region_of(v) or name_key(v) in COUNTY_TOTALS else None
            if kind is None:
                if _measure_row(rows, i, j, catalog):
                    return i, j, "indicators"
                continue
            # A header row names indicators or regions across; a body row has figures beside its name.
            if _figures_after(row, j, catalog):
                return i, j, kind
    return _unknown_body(rows, start)


def _figures_after(row: list, j: int, catalog) -> bool:
    """Whether a figure follows the name in column j before the next name (where a table set beside
    this one starts)."""
    for c in row[j + 1:]:
        if isinstance(c, str) and (catalog.indicator_of(c) or catalog.region_of(c)):
            return False
        if present(c) and numeric(c):
            return True
    return False


def _measure_row(rows: list[list], i: int, j: int, catalog) -> bool:
    """A row of one indicator's table with the counties across, named by its 口径 (累计（亿元）,
    同比增长（%）) under a header of region names: the indicator is the title's."""
    v = rows[i][j]
    if not isinstance(v, str) or measure_from_header(v, "ytd") is None:
        return False
    if not any(numeric(c) for c in rows[i][j + 1:] if present(c)):
        return False
    return any(isinstance(c, str) and catalog.region_of(c) for r in rows[max(0, i - 3):i] for c in r[j + 1:])


def _unknown_body(rows: list[list], start: int = 0) -> tuple[int, int, str] | None:
    """A 统计月报 none of whose names the catalogue knows yet: the first text row with figures beside
    it under a header that names 当月/累计/同比, so each name is listed (and offered for mapping)."""
    for i in range(start, min(len(rows), start + 200)):
        row = rows[i]
        for j in _leading(row):
            v = row[j]
            if not isinstance(v, str) or is_footnote(v) or numeric(v):
                continue
            others = [c for c in row[j + 1:] if present(c)]
            header = [c for r in rows[max(0, i - 3):i] for c in r if isinstance(c, str)]
            if others and all(numeric(c) for c in others) and any(read_header(h)[0] == "value" for h in header):
                return i, j, "indicators"
            break
    return None


def _is_preamble(row: list, label_col: int) -> bool:
    cells = [(j, c) for j, c in enumerate(row) if present(c)]
    if not cells:
        return True
    said = [c for _, c in cells if isinstance(c, str) and PREAMBLE.match(norm(c))]
    if said and len(cells) - len(said) < 2:  # 指标 | 本月 | 累计 | 单位：万元 is a header with its unit
        return True
    return len(cells) == 1 and cells[0][0] <= label_col


SECTION = re.compile(r"^([一二三四五六七八九十]+[、.．]|[（(][一二三四五六七八九十0-9]+[)）]|[0-9]+[、．])")


def _section(row: list, label_col: int) -> bool:
    cells = [(j, c) for j, c in enumerate(row) if present(c)]
    return len(cells) == 1 and cells[0][0] == label_col and isinstance(cells[0][1], str) \
        and bool(SECTION.match(norm(cells[0][1])))


def header_rows(rows: list[list], first: int, label_col: int) -> tuple[list[int], int]:
    """Header row indexes just above the body (top first) and the first body row, which moves up
    over rows that hold figures under a name the catalogue does not know."""
    body = first
    k = first - 1
    while k >= 0 and not _is_preamble(rows[k], label_col) and any(numeric(c) for c in rows[k][label_col + 1:]) \
            and not _months_row(rows[k][label_col + 1:]):
        body, k = k, k - 1
    while k > 0 and _section(rows[k], label_col):  # 一、工业 right under the header is the body's, not a title
        body, k = k, k - 1
    header = []
    while k >= 0 and len(header) < MAX_HEADER_ROWS and not _is_preamble(rows[k], label_col):
        header.insert(0, k)
        k -= 1
    return header, body


def beside(sheet: Sheet, catalog) -> list[Sheet]:
    """The sheet once per table set side by side (县区 | 地区生产总值… | 县区 | 一般公共预算收入…, or a
    printed 统计月报's two halves of indicators): below the header, each view keeps only its own
    columns, every cell where it was. A row names a table's name in each of its label
    columns, and only the last one was read (the first table listed as 标签左侧的列)."""
    rows = sheet.rows
    found = find_body(rows, catalog) if rows else None
    if found is None:
        return [sheet]
    first, label_col, kind = found
    known = catalog.indicator_of if kind == "indicators" else catalog.region_of
    named: dict[int, int] = {}
    for row in rows[first:first + 60]:
        for j, v in enumerate(row):
            if isinstance(v, str) and not numeric(v) and known(v) and _figures_after(row, j, catalog):
                named[j] = named.get(j, 0) + 1
    labels = sorted(j for j, n in named.items() if n >= 2)
    if len(labels) < 2:
        return [sheet]
    # The header rows stay whole in every view: a group label (10月 over the left table, 1—10月 over
    # the right) alone in its row read as a title line once the other was blanked.
    _, body_start = header_rows(rows, first, label_col)
    bounds = [0, *labels[1:], max(len(r) for r in rows)]
    return [replace(sheet, rows=[row if i < body_start else [v if lo <= j < hi else None for j, v in enumerate(row)]
                                 for i, row in enumerate(rows)]) for lo, hi in zip(bounds, bounds[1:])]


def tables(sheet: Sheet, catalog) -> list[tuple[Sheet, int]]:
    """The sheet once per table (with the row its table starts at): the lines above the first table
    (title, 单位, period) kept in each, the other tables' rows blanked, every row where it was."""
    rows = sheet.rows
    found = find_body(rows, catalog) if rows else None
    if found is None:
        return [(sheet, 0)]
    first, label_col, _ = found
    header_idx, body_start = header_rows(rows, first, label_col)
    top = header_idx[0] if header_idx else body_start
    label_text = norm(cell(rows[top], label_col)) if header_idx else ""
    again = {i for i in range(body_start + 1, len(rows)) if _header_again(rows[i], label_col, label_text)}
    cuts = sorted(i for i in again if i - 1 not in again)  # a two-row header is one header
    if not cuts:
        return [(sheet, 0)]
    bounds = [top, *cuts, len(rows)]
    return [(replace(sheet, rows=[row if i < top or lo <= i < hi else [] for i, row in enumerate(rows)]), lo)
            for lo, hi in zip(bounds, bounds[1:])]


def _header_again(row: list, label_col: int, label_text: str) -> bool:
    """A header row inside the body: the first header's label (指标, 地区) again, or two column
    headers a 统计月报 uses, and no figure."""
    others = [c for j, c in enumerate(row) if j != label_col and present(c)]
    if not others or any(numeric(c) for c in others):
        return False
    if label_text and norm(cell(row, label_col)) == label_text:
        return True
    return sum(isinstance(c, str) and read_header(c)[0] != "unknown" for c in others) >= 2


_YEAR_MONTH = re.compile(r"^(\d{4})[./-](\d{1,2})$")


def _months_row(cells: list) -> bool:
    """A header of months written 2026.01 | 2026.02 …: text that reads as numbers, but no figures."""
    said = [c for c in cells if present(c)]
    return bool(said) and all(isinstance(c, str) and _YEAR_MONTH.match(norm(c)) for c in said)


def month_headings(row: list) -> list:
    """A header row of three or more months written as dates or 2026.01, each read 2026年1月; any other
    row as it is (a stray date beside 本月 | 累计 was read as a month and the file refused)."""
    read = [month_heading(v) for v in row]
    return read if sum(r is not v for r, v in zip(read, row)) >= 3 else row


def month_heading(v):
    """A month heading written as a date (2026-01-01, shown as 2026年1月) or as 2026.01 reads 2026年1月;
    other cells are left as they are. Months across headed so were 找不到表头."""
    if isinstance(v, dt.date) and v.day == 1:
        return f"{v.year}年{v.month}月"
    m = _YEAR_MONTH.match(norm(v)) if isinstance(v, str) else None
    return f"{m.group(1)}年{int(m.group(2))}月" if m and 1 <= int(m.group(2)) <= 12 else v
