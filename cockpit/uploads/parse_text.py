"""Text files: CSV or tab-separated in UTF-8 or GBK, and the web pages systems save as .xls.

parse.read hands every upload that is neither a zip (xlsx) nor an OLE file (xls, encrypted) here.
"""
from __future__ import annotations

import codecs
import csv
import io

from .messages import INFO, Problems, Rejected
from .parse_html import is_html, read_html

SPREADSHEET_2003 = "urn:schemas-microsoft-com:office:spreadsheet"  # Excel 2003's XML workbook, sometimes named .xls


def read_text(data: bytes, file_name: str):
    """A text file: CSV or tab-separated, or a web page's tables saved as .xls (parse_html)."""
    from .parse import MAX_GRID, MAX_ROWS, Sheet, Workbook  # parse imports this module for its one branch
    notes = Problems()
    text, encoding = _decode(data)
    if text is None or "\x00" in text[:65536]:
        raise Rejected("文件不是 Excel 工作簿（.xlsx），也不是 CSV 文本文件，无法读取。")
    if encoding != "UTF-8":
        notes.add(f"文件按 {encoding} 编码读取。", severity=INFO)
    if is_html(text):
        book = read_html(text, MAX_ROWS, MAX_GRID)
        book.notes.extend(notes)
        return book
    if SPREADSHEET_2003 in text[:4096]:
        raise Rejected("这是 Excel 2003 XML 表格，请在 Excel 中“另存为”Excel 工作簿（.xlsx）后再上传。")
    sheet = "CSV"
    if file_name and not file_name.lower().endswith((".csv", ".txt")):
        notes.add("文件内容是 CSV 文本（与扩展名不符），已按 CSV 读取。", severity=INFO)
        sheet = "文本（不是 Excel 工作簿）"  # a .xlsx that is text was said to hold a sheet "CSV" no one made
    lines = text.count("\n")
    if lines > MAX_ROWS:
        raise Rejected(f"文件行数过多（{lines:,} 行），超过一次报送的上限 {MAX_ROWS:,} 行；请分成几个文件上传。")
    sample = text[:8192]
    delimiter = "\t" if sample.count("\t") > sample.count(",") else ","
    rows = [[_csv_cell(c) for c in r] for r in csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)]
    return Workbook("csv", [Sheet(sheet, rows)], notes)


def _csv_cell(c: str):
    """Empty is None; ="00123", how systems export a code so that Excel keeps its leading zeros, is 00123."""
    if c == "":
        return None
    if len(c) >= 3 and c.startswith('="') and c.endswith('"'):
        return c[2:-1]
    return c


def _decode(data: bytes) -> tuple[str | None, str]:
    if data.startswith(codecs.BOM_UTF8):
        return data[len(codecs.BOM_UTF8):].decode("utf-8", "replace"), "UTF-8"
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return data.decode("utf-16"), "UTF-16"
    try:
        return data.decode("utf-8"), "UTF-8"
    except UnicodeDecodeError:
        pass
    try:
        # GB18030 is a superset of GBK and GB2312, what Excel on Chinese Windows saves.
        return data.decode("gb18030"), "GBK"
    except UnicodeDecodeError:
        return None, ""
