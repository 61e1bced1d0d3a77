"""Reading one cell: numbers as people type them, "not published" marks, Excel's hidden errors."""
from __future__ import annotations

import datetime as dt
import re
import unicodedata

import numpy as np

from .names import INVISIBLE, NOT_AVAILABLE, norm

EXCEL_ERRORS = {"#DIV/0!", "#N/A", "#VALUE!", "#REF!", "#NAME?", "#NUM!", "#NULL!", "#SPILL!", "#CALC!",
                "#GETTING_DATA", "#FIELD!", "#BLOCKED!", "#UNKNOWN!", "#BUSY!"}
NOT_NUMBERS = {"N/A", "NA", "NULL", "NONE", "NAN", "无", "不详", "暂无", "未知", "空", "INF", "-INF"}
_THOUSANDS = re.compile(r"^[+-]?\d{1,3}(,\d{3})+(\.\d+)?$")
_NUMBER = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$")
# The minus sign (U+2212), and the dashes word processors put in its place (figure, en; the hyphens).
_MINUS = "\u2212\u2012\u2013\u2010"
FOOTNOTE = re.compile(r"^(注|说明|资料来源|数据来源|备注|填报人|审核人|统计负责人|制表|单位负责人|填表人|联系电话)")


class Mark:
    """A cell calamine shows as empty but which holds an Excel error or a formula without a value."""
    __slots__ = ("kind", "text")

    def __init__(self, kind: str, text: str):
        self.kind, self.text = kind, text

    def reason(self) -> str:
        if self.kind == "error":
            return f"单元格是 Excel 错误值 {self.text}，请改正公式或填入数值"
        return "公式没有计算结果（文件可能由程序生成、未经 Excel 保存），请在 Excel 中打开并保存，或改填数值"

    def __str__(self) -> str:
        return self.text

    def __reduce__(self):  # picklable for the sandbox's answer
        return (Mark, (self.kind, self.text))


def present(v) -> bool:
    return v is not None and v != "" and not (isinstance(v, float) and np.isnan(v))


def not_published(v) -> bool:
    """Blank, or one of the marks statisticians use for "not published / no data"."""
    if not present(v):
        return True
    return isinstance(v, str) and norm(v).lower() in NOT_AVAILABLE


def cell(row: list, j: int):
    return row[j] if j < len(row) else None


def is_footnote(v) -> bool:
    return isinstance(v, str) and bool(FOOTNOTE.match(norm(v)))


def parse_number(v) -> tuple[float | None, str, str]:
    """(value, status, detail): status ok | na | error; detail names a normalisation or a reason."""
    if isinstance(v, Mark):
        return None, "error", v.reason()
    if isinstance(v, bool):
        return None, "error", "是逻辑值（TRUE/FALSE），不是数字"
    if isinstance(v, (int, float, np.integer, np.floating)):
        f = float(v)
        if np.isnan(f):
            return None, "na", ""
        if np.isinf(f):
            return None, "error", "不是有限的数字"
        return f, "ok", ""
    if isinstance(v, (dt.date, dt.datetime, dt.time, dt.timedelta)):
        return None, "error", "是日期或时间，不是数字"
    if v is None:
        return None, "na", ""
    raw = str(v)
    t = INVISIBLE.sub("", unicodedata.normalize("NFKC", raw)).strip()
    note = "全角数字" if t != raw.strip() else "文本数字"
    if t.lower() in NOT_AVAILABLE or norm(t).lower() in NOT_AVAILABLE:
        return None, "na", ""
    if t.upper() in EXCEL_ERRORS or t.startswith("#"):
        return None, "error", f"是 Excel 错误值 {t}，不是数字"
    if t.upper() in NOT_NUMBERS:
        return None, "error", "不是数字（暂无数据请填“—”或留空）"
    t = t.replace(" ", "")
    if t and t[0] in _MINUS:  # a minus sign as Word and PDFs set it (−5.2, –5.2): NFKC leaves these alone
        t = "-" + t[1:]
        note = "负号写法"
    pct = t.endswith("%")
    if pct:
        t = t[:-1]
        note = "百分号"
    if _THOUSANDS.match(t):
        t = t.replace(",", "")
        note = "千分位" if not pct else note
    if _NUMBER.match(t):
        return float(t), "ok", note
    # A growth written in words (下降3.2, 增长5.1%) or a mark of no data (..): say what to write instead
    worded = re.fullmatch(r"(下降|减少|增长|增加|上升)(\d+(?:\.\d+)?)%?", t)
    if worded:
        sign = "-" if worded.group(1) in ("下降", "减少") else ""
        return None, "error", f"不是数字：增减请只写数，如 {sign}{worded.group(2)}"
    unit = re.fullmatch(r"(-?\d+(?:\.\d+)?)([\u4e00-\u9fffA-Za-z/]{1,5})", t)  # not 5.1* (a note mark)
    if unit:  # 12.3亿, 119亿元: the unit goes in the header
        return None, "error", f"不是数字：请去掉单位“{unit.group(2)}”，只填 {unit.group(1)}（单位写在表头或单位行）"
    return None, "error", "不是数字（请填数字；暂无数据请填“—”或留空）"
