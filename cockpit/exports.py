"""Files people take away (CSV, Excel): formula-like text is escaped so a spreadsheet never runs it.

`table_xlsx` is the workbook behind every table's download button: a title row, 口径, source,
数据截至, the filters in force and the 演示数据 mark above the header; numbers stay numbers with
a number format (the same `Fmt` the page uses to show them); long numeric codes stay text.
"""
from __future__ import annotations

import datetime as dt
import io
import math
import re
from dataclasses import dataclass

import pandas as pd
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

from . import city

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
DEMO_NOTE = "演示数据：本表部分或全部数字为系统生成的演示数据，不代表实际情况"
EXCEL_CELL_MAX = 32_767  # characters Excel keeps in one cell
# XML 1.0 cannot hold these; openpyxl refuses a cell that has one (a pasted control character).
_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
_SHEET_BAD = re.compile(r"[\[\]:*?/\\]")
LONG_CODE_DIGITS = 12  # an integer this long is a code (工单号, 身份证, 统一社会信用代码): kept as text


def new_workbook(title: str) -> Workbook:
    """An empty workbook whose file properties (作者, 标题) name the cockpit and what it holds:
    openpyxl's own say 作者 openpyxl, which is what Excel's 信息 pane showed a leader's office."""
    wb = Workbook()
    props = wb.properties
    props.creator = props.lastModifiedBy = city.TITLE
    props.title, props.language = clean_text(title)[:255], "zh-CN"
    return wb


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


@dataclass(frozen=True)
class Fmt:
    """How a number reads, on the page and in Excel alike: decimals, a sign, a unit after it."""
    decimals: int = 0
    unit: str = ""  # "%", " 天", " 件"
    sign: bool = False
    grouping: bool = True

    def text(self, value) -> str:
        if missing(value):
            return "—"
        spec = f"{'+' if self.sign else ''}{',' if self.grouping else ''}.{self.decimals}f"
        return format(float(value), spec) + self.unit

    @property
    def excel(self) -> str:
        body = ("#,##0" if self.grouping else "0") + ("." + "0" * self.decimals if self.decimals else "")
        body += f'"{self.unit}"' if self.unit else ""
        return f"+{body};-{body};{body}" if self.sign else body


def missing(value) -> bool:
    if value is None or value is pd.NA or value is pd.NaT:
        return True
    return isinstance(value, float) and math.isnan(value)


def clean_text(text: str) -> str:
    """A string as a spreadsheet cell may hold it: no control characters, not longer than Excel keeps."""
    text = _ILLEGAL.sub("", text)
    return text if len(text) <= EXCEL_CELL_MAX else text[:EXCEL_CELL_MAX - 1] + "…"


def _cell(value, fmt: Fmt | None) -> tuple[object, str | None]:
    """(value to write, number format) for one cell."""
    if missing(value):
        return None, None
    if hasattr(value, "item") and not isinstance(value, (str, bytes)):
        value = value.item()  # numpy scalars
    if isinstance(value, bool):
        return ("是" if value else "否"), None
    if isinstance(value, pd.Timestamp):
        value = value.to_pydatetime()
    if isinstance(value, dt.datetime):
        value = value.replace(tzinfo=None)
        return value, "yyyy-mm-dd" if value.time() == dt.time() else "yyyy-mm-dd hh:mm"
    if isinstance(value, dt.date):
        return value, "yyyy-mm-dd"
    if isinstance(value, int):
        if len(str(abs(value))) >= LONG_CODE_DIGITS:
            return str(value), "@"  # Excel keeps 15 digits of a number: a long code would lose its tail
        return value, fmt.excel if fmt else ("#,##0" if abs(value) >= 10_000 else "0")
    if isinstance(value, float):
        return value, fmt.excel if fmt else "General"
    return escape_formula(clean_text(str(value))), "@"


def _width(values: list, header: str) -> float:
    """Columns as wide as their text (a Chinese character is two Latin ones), 8 to 60."""
    def chars(v) -> int:
        s = "" if missing(v) else str(v)
        return sum(2 if ord(ch) > 0x2E7F else 1 for ch in s)
    longest = max([chars(header)] + [chars(v) for v in values[:500]])
    return float(min(max(longest + 2, 8), 60))


def sheet_title(text: str) -> str:
    return (_SHEET_BAD.sub("", text).strip("'") or "数据")[:31]


def table_xlsx(frame: pd.DataFrame, *, title: str, caliber: str | None = None, source: str | None = None,
               as_of: str | None = None, filters: dict[str, str] | None = None, demo: bool = False,
               formats: dict[str, Fmt] | None = None) -> bytes:
    """One sheet: the table's title and what it is (口径, source, 数据截至, filters, 演示数据) above a
    bold, frozen header; every value typed, formatted as the page shows it."""
    formats = formats or {}
    wb = new_workbook(title)
    ws = wb.active
    ws.title = sheet_title(title)
    lines = [(title, Font(bold=True, size=13))]
    for label, text in (("口径", caliber), ("来源", source), ("数据截至", as_of)):
        if text:
            lines.append((f"{label}：{text}", None))
    if filters:
        lines.append(("筛选条件：" + "；".join(f"{k} {v}" for k, v in filters.items()), None))
    if demo:
        lines.append((DEMO_NOTE, Font(bold=True, color="B45309")))
    for text, font in lines:
        ws.append([escape_formula(clean_text(str(text)))])
        if font:
            ws.cell(row=ws.max_row, column=1).font = font
    ws.append([])
    ws.append([escape_formula(clean_text(str(c))) for c in frame.columns])
    header_row = ws.max_row
    for cell in ws[header_row]:
        cell.font = Font(bold=True)
    ws.freeze_panes = f"A{header_row + 1}"  # a coordinate: ws.cell() would create a row
    columns = list(frame.columns)
    for r, row in enumerate(frame.itertuples(index=False, name=None), start=header_row + 1):
        for c, (name, value) in enumerate(zip(columns, row), start=1):
            written, number_format = _cell(value, formats.get(name))
            cell = ws.cell(row=r, column=c, value=written)
            if number_format:
                cell.number_format = number_format
    for c, name in enumerate(columns, start=1):
        values = frame[name].tolist()
        width = _width(values, str(name))
        ws.column_dimensions[get_column_letter(c)].width = width
        if width >= 60:  # long text wraps inside its column instead of running across the sheet
            for r in range(header_row + 1, ws.max_row + 1):
                ws.cell(row=r, column=c).alignment = Alignment(wrap_text=True, vertical="top")
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()
