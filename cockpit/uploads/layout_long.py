"""The long layout (one figure a row: 地区, 指标, 时期, 口径, 数值) and telling the layouts apart.

A sheet whose header row (among its first 15) names the long columns or the task-progress
columns is read as such; any other sheet is tried as a 统计月报 (layout_wide).
"""
from __future__ import annotations

import re

import numpy as np
import pandas as pd

from .cells import Mark, is_footnote, present
from .messages import INFO, SKIPPED, Problems
from .names import measure_code, norm, unit_in
from .parse import Sheet, col_letter
from .periods_in import PeriodError, month_only, parse_period, year_of


def present_vec(col: pd.Series) -> pd.Series:
    arr = col.to_numpy(dtype=object)
    return pd.Series(pd.notna(arr) & (arr != ""), index=col.index)


LONG_HEADERS = {
    "地区": "region", "地区名称": "region", "县区": "region", "县(市、区)": "region", "地区代码": "region",
    "行政区划代码": "region", "单位名称": "region", "区县": "region", "所属地区": "region", "所属区县": "region",
    "行政区划": "region",
    "指标": "indicator", "指标名称": "indicator", "指标代码": "indicator",
    "年份": "year", "年度": "year", "年": "year", "统计年度": "year", "统计年份": "year",
    "时期": "period", "月份": "period", "统计期": "period", "报告期": "period", "统计月份": "period",
    "统计时期": "period", "年月": "period", "统计年月": "period",
    "口径": "measure", "统计口径": "measure", "类别": "measure",
    "数值": "value", "值": "value", "数据": "value", "本期数": "value", "数据值": "value", "指标值": "value",
    "单位": "unit", "计量单位": "unit",
}
TASK_HEADERS = {
    "序号": "task_number", "任务序号": "task_number", "进展状态": "status", "状态": "status",
    "完成比例": "percent", "完成比例(%)": "percent", "完成进度": "percent", "完成进度(%)": "percent",
    "进展说明": "note", "进展情况": "note", "报送单位": "reporting_unit", "填报单位": "reporting_unit",
    "报送日期": "reported_on",
}
LONG_REQUIRED = {"region": "地区", "indicator": "指标", "period": "时期", "measure": "口径", "value": "数值"}
MEASURE_COLUMNS = "measure_columns"  # classify's key for the columns that each hold one 口径


def header_key(v) -> str:
    return norm(v).rstrip("*")


_BRACKETS = re.compile(r"\([^()]*\)$")


def field_of(table: dict[str, str], key: str) -> str | None:
    """The field a header names: as written, or with what it adds in brackets left off (数值（亿元）,
    时期（年月）, 受理时间（北京时间）); a name with brackets of its own (县（市、区）) is in the table as such."""
    return table.get(key) or table.get(_BRACKETS.sub("", key))


def header_fields(keys: list[str], table: dict[str, str]) -> dict[str, list[int]]:
    fields: dict[str, list[int]] = {}
    for j, k in enumerate(keys):
        if (f := field_of(table, k)) is not None:
            fields.setdefault(f, []).append(j)
    return fields


def classify(sheet: Sheet) -> tuple[str, int, dict[str, list[int]]]:
    for i, row in enumerate(sheet.rows[:15]):
        keys = [header_key(c) for c in row]
        for kind, table, need in (("task", TASK_HEADERS, {"task_number", "status"}),
                                  ("long", LONG_HEADERS, {"indicator", "value"})):
            fields = header_fields(keys, table)
            if need <= set(fields) and len(fields) >= 3:
                return kind, i, fields
        # Exports of statistics systems: 地区, 指标, 时期, then one column a 口径 (本月, 本年累计,
        # 累计同比增长(%)) in place of 口径 and 数值.
        if {"region", "indicator", "period"} <= set(fields) and not {"measure", "value"} & set(fields):
            measures = [j for j, k in enumerate(keys) if field_of(LONG_HEADERS, k) is None and measure_code(k)]
            if measures:
                return "long", i, {**fields, MEASURE_COLUMNS: measures}
    return "wide", -1, {}


def column_report(sheet: Sheet, header_row: int, fields: dict[str, list[int]], table: dict,
                   required: dict, problems: Problems, reference: set[str] = frozenset(),
                   measure_columns: bool = False) -> bool:
    header = sheet.rows[header_row]
    if measure_columns:  # the 口径 columns stand for 口径 and 数值
        required = {f: title for f, title in required.items() if f not in ("measure", "value")}
    ok = True
    for f, cols in fields.items():
        if len(cols) > 1:
            shown = "、".join(f"{col_letter(c)}列“{header[c]}”" for c in cols)
            problems.add(f"列重复：{shown} 表示同一项，请只保留一列", sheet=sheet.name, row=header_row + 1,
                         column=col_letter(cols[1]), value=header[cols[1]])
            ok = False
    missing = [title for f, title in required.items() if f not in fields]
    if missing:
        # The other names each missing column is known by: the file may call it something else again.
        known = {title: [k for k, f in table.items() if f == field and k != title][:4]
                 for field, title in required.items() if title in missing}
        named = "；".join(f"“{title}”也可写作" + "".join(f"“{k}”" for k in known[title])
                         for title in missing if known[title])
        problems.add(f"缺少必需的列：{'、'.join(missing)}（表头在第 {header_row + 1} 行；可调换顺序，"
                     f"名称须与模板一致{'。' + named if named else ''}）", sheet=sheet.name, row=header_row + 1)
        ok = False
    for j, c in enumerate(header):
        k = header_key(c)
        if k and field_of(table, k) is None and k not in reference:
            problems.add("模板外的列，不导入", sheet=sheet.name, row=header_row + 1,
                         column=col_letter(j), value=c, severity=SKIPPED)
    return ok


def _apply_marks(sheet: Sheet, raw: pd.DataFrame, field_cols: dict[str, int], row_offset: int) -> None:
    """Replace cells calamine showed as empty with the Mark they really hold."""
    if not sheet.marks:
        return
    col_field = {j: f for f, j in field_cols.items()}
    excel_rows = pd.Index(raw["row"])
    for (r, c), (kind, text) in sheet.marks.items():
        f = col_field.get(c)
        if f is None:
            continue
        hit = excel_rows.get_indexer([r + 1])[0]
        if hit >= 0:
            raw.iat[hit, raw.columns.get_loc(f)] = Mark(kind, text)


def records(sheet: Sheet, h: int, fields: dict[str, list[int]], problems: Problems) -> pd.DataFrame:
    measures = fields.get(MEASURE_COLUMNS, [])
    fields = {f: js for f, js in fields.items() if f != MEASURE_COLUMNS}
    header = sheet.rows[h]
    column_report(sheet, h, fields, LONG_HEADERS, LONG_REQUIRED, problems,
                  reference={header_key(header[j]) for j in measures}, measure_columns=bool(measures))
    cols = {f: js[0] for f, js in fields.items()}
    if not measures:
        return _records(sheet, h, cols, problems)
    parts = []
    for k, j in enumerate(measures):  # each 口径 column a long table of its own, read as the template's
        part = _records(sheet, h, {**cols, "value": j}, problems if k == 0 else Problems())
        part["measure"] = header[j]
        part["c_measure"] = part["c_value"]
        parts.append(part)
    return pd.concat(parts, ignore_index=True).sort_values("row", kind="stable", ignore_index=True)


def _records(sheet: Sheet, h: int, cols: dict[str, int], problems: Problems) -> pd.DataFrame:
    body = sheet.rows[h + 1:]
    data = {f: [r[j] if j < len(r) else None for r in body] for f, j in cols.items()}  # cell(), inlined: 100,000 rows
    _fill_merged(sheet, h, cols, data, problems)
    raw = pd.DataFrame(data, dtype=object)
    raw.insert(0, "row", np.arange(h + 2, h + 2 + len(body)))
    has = pd.DataFrame({f: present_vec(raw[f]) for f in cols}) if len(raw) else raw[list(cols)]
    keep = has.any(axis=1) if len(raw) else pd.Series(dtype=bool)
    raw = raw[keep].reset_index(drop=True)
    if len(raw) and "region" in raw:
        # Footnotes below the table (注：…, 资料来源：…) are not data rows.
        # A row with its first column alone filled holds no figure: a footnote is said as one, any
        # other text (a name below the table, 200,000 rows of it) is listed too, not dropped unsaid.
        others = has[keep].reset_index(drop=True).drop(columns=["region"]).sum(axis=1) == 0
        if others.any():
            at = col_letter(cols["region"])
            for r, v in zip(raw.loc[others, "row"], raw.loc[others, "region"]):
                problems.add("说明文字，不导入" if is_footnote(v) else "只有这一格有内容，没有指标和数值，不导入",
                             sheet=sheet.name, row=int(r), column=at, value=v, severity=SKIPPED)
            raw = raw[~others].reset_index(drop=True)
    _apply_marks(sheet, raw, cols, h)
    raw["sheet"] = sheet.name
    for f, j in cols.items():
        raw["c_" + f] = f"{col_letter(j)}（{sheet.rows[h][j]}）"
    if "unit" not in cols and "value" in cols and (unit := unit_in([header_key(sheet.rows[h][cols["value"]])])):
        raw["unit"], raw["c_unit"] = unit, raw["c_value"]  # 数值（亿元）: each figure's unit, checked as a 单位 column's
    if "year" in raw and "period" in raw:
        raw = _join_year(raw, problems)
    for f in ("region", "indicator", "period", "measure", "value"):
        if f not in raw:
            raw[f] = None
            raw["c_" + f] = ""
    return raw


LABELS = ("region", "indicator", "period", "measure", "unit", "year")  # what a merged cell may stand for in each row


def _fill_merged(sheet: Sheet, h: int, cols: dict[str, int], data: dict[str, list], problems: Problems) -> None:
    """A label merged down several rows (梁园区 beside each of its indicators) names each of them;
    calamine leaves all but the first row empty. A merged 数值 is no figure of each row: not filled."""
    field_of = {j: f for f, j in cols.items() if f in LABELS}
    filled = []
    for r0, c0, r1, _ in sorted(sheet.merged):
        f = field_of.get(c0)
        if f is None or r1 <= r0 or r0 <= h:
            continue
        column, first = data[f], r0 - h - 1
        for i in range(first + 1, min(r1 - h, len(column))):
            if not present(column[i]):  # calamine's empty cell is ""
                column[i] = column[first]
        filled.append(f"{col_letter(c0)}{r0 + 1}:{col_letter(c0)}{r1 + 1}")
    if filled:
        problems.add(f"{len(filled)} 处合并单元格按所合并的每一行读取（如 {filled[0]}），请核对", sheet=sheet.name,
                     severity=INFO)


def _join_year(raw: pd.DataFrame, problems: Problems) -> pd.DataFrame:
    """A 年份 column beside the 月份 one, as databases export them: a cell naming a month alone
    becomes that year's month; one naming its own year must agree with the 年份 column."""
    joined: dict = {}

    def join(year, period):
        key = (year, period)  # a few dozen distinct pairs in 100,000 rows
        if key not in joined:
            y, m = year_of(year), month_only(period)
            if y is not None and m is not None:
                joined[key] = (f"{y}年{m}月", None)
            elif m is not None and present(year) and not isinstance(year, Mark):
                joined[key] = (period, f"“年份”列的“{year}”不是年份（应写成 2026）")
            else:
                try:
                    own = int(parse_period(period)[0][:4]) if y is not None and not isinstance(period, Mark) else y
                except PeriodError:
                    own = y  # the period's own fault, said by figures.check
                joined[key] = (period, None if own == y else f"时期与“年份”列的 {y} 不一致，请改正其中一个")
        return joined[key]

    pairs = [join(y, p) for y, p in zip(raw["year"], raw["period"])]
    raw["period"] = [p for p, _ in pairs]
    raw["c_period"] = f"{raw.at[0, 'c_year']}、{raw.at[0, 'c_period']}" if len(raw) else ""
    clashes = [i for i, (_, clash) in enumerate(pairs) if clash]
    for i in clashes:
        problems.add(pairs[i][1], sheet=raw.at[i, "sheet"], row=int(raw.at[i, "row"]), column=raw.at[i, "c_period"],
                     value=raw.at[i, "period"])
    if clashes:  # the file is refused already; figures.check would say the same rows again, less well
        raw = raw.drop(index=clashes).reset_index(drop=True)
    return raw
