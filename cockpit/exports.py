"""Files people take away (CSV, Excel): formula-like text is escaped so a spreadsheet never runs it."""
from __future__ import annotations

import io

import pandas as pd
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
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


def to_xlsx(frame: pd.DataFrame, sheet: str = "数据", title: str | None = None, footer: str | None = None,
            widths: dict[str, float] | None = None, wrap: frozenset[str] = frozenset()) -> bytes:
    """One sheet: optional title row, bold header, data, optional footer line (口径/来源/数据截至).
    widths: column name -> width, overriding the fitted width; wrap: long-text columns."""
    wb = Workbook()
    ws = wb.active
    ws.title = sheet[:31]
    if title:
        ws.append([escape_formula(title)])
        ws["A1"].font = Font(bold=True, size=13)
    ws.append([escape_formula(str(c)) for c in frame.columns])
    header_row = ws.max_row
    for cell in ws[ws.max_row]:
        cell.font = Font(bold=True)
    ws.freeze_panes = f"A{header_row + 1}"  # a coordinate: ws.cell() would create a row
    for row in escape_frame(frame).itertuples(index=False, name=None):
        ws.append([None if (not isinstance(v, str) and pd.isna(v)) else (v.item() if hasattr(v, "item") else v)
                   for v in row])
    last_data_row = ws.max_row
    if footer:
        ws.append([])
        ws.append([escape_formula(footer)])
    for i, col in enumerate(frame.columns, start=1):
        letter = get_column_letter(i)
        fitted = min(max((max([len(str(col))] + [len(str(v)) for v in frame[col].head(200)]) + 2) * 1.6, 8), 60)
        ws.column_dimensions[letter].width = (widths or {}).get(col, fitted)
        if col in wrap:
            for r in range(header_row + 1, last_data_row + 1):
                ws.cell(row=r, column=i).alignment = Alignment(wrap_text=True, vertical="top")
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()
