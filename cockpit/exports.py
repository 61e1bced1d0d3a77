"""Files people take away (CSV, Excel): formula-like text is escaped so a spreadsheet never runs it."""
from __future__ import annotations

import io

import pandas as pd
from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def escape_formula(value):
    """Text starting with = + - @ is data here; prefix ' so Excel shows it instead of evaluating it."""
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


def escape_frame(frame: pd.DataFrame) -> pd.DataFrame:
    out = frame.copy()
    for col in out.columns:
        if pd.api.types.is_object_dtype(out[col]) or pd.api.types.is_string_dtype(out[col]):
            out[col] = out[col].astype(object).map(escape_formula)
    return out


def to_csv(frame: pd.DataFrame) -> bytes:
    """UTF-8 with BOM, so Excel on Windows shows the Chinese correctly."""
    return escape_frame(frame).to_csv(index=False).encode("utf-8-sig")


def to_xlsx(frame: pd.DataFrame, sheet: str = "数据", title: str | None = None, footer: str | None = None) -> bytes:
    """One sheet: optional title row, bold header, data, optional footer line (口径/来源/数据截至)."""
    wb = Workbook()
    ws = wb.active
    ws.title = sheet[:31]
    if title:
        ws.append([title])
        ws["A1"].font = Font(bold=True, size=13)
    ws.append([str(c) for c in frame.columns])
    for cell in ws[ws.max_row]:
        cell.font = Font(bold=True)
    ws.freeze_panes = ws.cell(row=ws.max_row + 1, column=1)
    for row in escape_frame(frame).itertuples(index=False, name=None):
        ws.append([None if (not isinstance(v, str) and pd.isna(v)) else v for v in row])
    if footer:
        ws.append([])
        ws.append([footer])
    for i, col in enumerate(frame.columns, start=1):
        width = max([len(str(col))] + [len(str(v)) for v in frame[col].head(200)]) + 2
        ws.column_dimensions[get_column_letter(i)].width = min(max(width * 1.6, 8), 60)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()
