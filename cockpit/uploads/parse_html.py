"""Web pages saved as .xls: what many government systems' “导出 Excel” button really sends.

Such a file is an HTML page holding one or more <table>s (Excel opens it with a warning). Each
table becomes a sheet 表1, 表2 … of text cells, merged cells (colspan, rowspan) as merged ranges,
so the layouts read it as they read a workbook. Excel's own HTML keeps a cell's number in its
x:num attribute: that number is taken, so a figure stays a figure (a percentage is read as
shown). Scripts and styles are never read, and rows, cells and tables are bounded as they arrive
(a colspan of a million is one attribute).
"""
from __future__ import annotations

import re
from html.parser import HTMLParser

from .messages import INFO, Problems, Rejected

HTML_START = re.compile(r"^\s*(<\?xml[^>]*>\s*)?(<!--.*?-->\s*)*(<!doctype\s+html|<html|<table|<head|<meta)",
                        re.I | re.S)
MAX_SPAN = 1000  # columns or rows one cell may cover (Excel's own exports stay far below)
MAX_TABLES = 1000  # a page of a million empty <table>s would fill memory before it held a row
_NUMBER = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$")


def is_html(text: str) -> bool:
    return bool(HTML_START.match(text[:4096]))


class _Tables(HTMLParser):
    def __init__(self, max_rows: int, max_grid: int):
        super().__init__(convert_charrefs=True)
        self.max_rows, self.max_grid = max_rows, max_grid
        self.done: list[dict] = []
        self.open: list[dict] = []  # nested tables: the innermost last
        self.skip = 0  # inside <script> or <style>
        self.rows = self.cells = self.tables = 0

    # ---- one table's grid: rows of cells, the columns a rowspan from above still covers ------------
    def _start_row(self, t: dict) -> None:
        self._end_cell(t)
        self.rows += 1
        if self.rows > self.max_rows:
            raise Rejected(f"网页表格行数过多（已超过 {self.max_rows:,} 行），超过一次报送的上限；请分成几个文件上传。")
        t["rows"].append([])
        t["covered"] = {c for c, n in t["pending"].items() if n > 0}
        t["pending"] = {c: n - 1 for c, n in t["pending"].items() if n > 1}

    def _put(self, row: list, values: list) -> None:
        self.cells += len(values)
        if self.cells > self.max_grid:
            raise Rejected(f"网页表格的单元格过多（合并单元格展开后超过 {self.max_grid:,} 个），"
                           "请删去无关的内容后另存为 .xlsx 再上传。")
        row.extend(values)

    def _end_cell(self, t: dict) -> None:
        cell = t.pop("cell", None)
        if cell is None:
            return
        text = " ".join("".join(cell["text"]).replace("\xa0", " ").split())
        value: object = text or None
        # Excel's number, unless shown as a percentage (x:num 0.052 under 5.2%): read as shown, as in a workbook.
        if cell["num"] is not None and _NUMBER.match(cell["num"].strip()) and not text.endswith("%"):
            value = float(cell["num"])
        row, rs, cs = t["rows"][-1], cell["rowspan"], cell["colspan"]
        while len(row) in t["covered"]:  # a rowspan from above holds this place
            self._put(row, [None])
        c, r = len(row), len(t["rows"]) - 1
        self._put(row, [value] + [None] * (cs - 1))
        if rs > 1:
            t["pending"].update({j: rs - 1 for j in range(c, c + cs)})
        if rs > 1 or cs > 1:
            t["merged"].append((r, c, r + rs - 1, c + cs - 1))

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "style"):
            self.skip += 1
            return
        if tag == "table":
            self.tables += 1
            if self.tables > MAX_TABLES:
                raise Rejected(f"网页中的表格过多（超过 {MAX_TABLES:,} 张），不像业务系统导出的报表，已拒收。")
            self.open.append({"rows": [], "pending": {}, "covered": set(), "merged": []})
            return
        if not self.open or self.skip:
            return
        t = self.open[-1]
        if tag == "tr":
            self._start_row(t)
        elif tag in ("td", "th"):
            if not t["rows"]:  # a cell before any <tr>: browsers open the row themselves
                self._start_row(t)
            self._end_cell(t)
            a = dict(attrs)
            t["cell"] = {"colspan": _span(a.get("colspan")), "rowspan": _span(a.get("rowspan")), "text": [],
                         "num": a.get("x:num")}
        elif tag == "br" and "cell" in t:
            t["cell"]["text"].append(" ")

    def handle_endtag(self, tag):
        if tag in ("script", "style"):
            self.skip = max(0, self.skip - 1)
        elif tag in ("td", "th") and self.open:
            self._end_cell(self.open[-1])
        elif tag == "table" and self.open:
            t = self.open.pop()
            self._end_cell(t)
            self.done.append(t)

    def handle_data(self, data):
        if self.open and not self.skip and "cell" in self.open[-1]:
            self.open[-1]["cell"]["text"].append(data)

    def close(self):
        super().close()
        while self.open:  # a table never closed (a cut-off page): what arrived is read
            self.handle_endtag("table")


def _span(v) -> int:
    try:
        return min(max(int(str(v).strip() or 1), 1), MAX_SPAN)
    except ValueError:
        return 1


def read_html(text: str, max_rows: int, max_grid: int):
    """Sheets of an HTML page's tables (parse.Sheet), in the order they close; raises Rejected."""
    from .parse import Sheet, Workbook  # parse imports this module for its one branch
    parser = _Tables(max_rows, max_grid)
    parser.feed(text)
    parser.close()
    tables = [t for t in parser.done if any(v is not None for row in t["rows"] for v in row)]
    if not tables:
        raise Rejected("文件是网页（HTML），其中没有表格，无法读取；请在 Excel 中打开后另存为 .xlsx 再上传。")
    sheets = [Sheet(f"表{k}" if len(tables) > 1 else "表格", t["rows"], merged=t["merged"])
              for k, t in enumerate(tables, start=1)]
    notes = Problems()
    notes.add("文件是网页格式的表格（常见于业务系统的“导出 Excel”），已按表格读取。", severity=INFO)
    return Workbook("html", sheets, notes)
