"""Every table of the cockpit, one way: whole text, sized to its rows, our own audited Excel download.

A table is a static HTML table (st.table), never a scrolling canvas grid: text wraps instead of being
cut, the element is as tall as its rows (a long table pages, `page_size` rows at a time) and a
browser can check that nothing overflows. Cells render Markdown, so every text cell passes
through md() (user text stays text: no link, no image). The download is the whole table, not
the page shown, as an .xlsx whose numbers are numbers (cockpit.exports.table_xlsx).
"""
from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable

import numpy as np
import pandas as pd
import streamlit as st

from cockpit.exports import Fmt, missing, table_xlsx
from cockpit.auth import View

from . import state
from .text import md
from .widgets import export_button

PAGE_SIZE = 20
SHORT_TEXT = 10  # characters: a text column no longer than this keeps each cell on one line
SHORT_HEADING = 8  # characters: a heading this short keeps to one line (逾期未完成 read "逾期未完/成")
LONG_TEXT = 20  # characters: a column holding text this long is prose (a task's content)
LONG_MIN_WIDTH = "8em"  # prose wraps, but never narrower than a short unit's name
WHOLE_UP_TO = 25  # a table of up to this many rows shows whole rather than one row on a second page
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
_FILE_BAD = re.compile(r'[\\/:*?"<>|\s]+')
# Text that is a date, a time or a figure already formatted ("2026-11-25 10:01", "2026年10月", "+3.5%"):
# one token however long, never broken at its inner space.
_ATOM = re.compile(r"[\d\s:/.,%+\-—年月日时分]+")

__all__ = ["Fmt", "show", "demo"]


def demo(v: View, *datasets: str) -> bool:
    """Whether any of `datasets` still holds demo figures (the export then says 演示数据)."""
    return bool(state.demo_datasets(v) & set(datasets))


def later(build: Callable[[], bytes]) -> Callable[[], bytes]:
    """The workbook is built when the button is pressed, not on every rerun (tests replace this)."""
    return build


def cell_text(value, fmt: Fmt | None = None) -> str:
    """One cell as the page shows it: numbers in their format, "—" for nothing, text escaped."""
    if missing(value) or (isinstance(value, str) and not value.strip()):
        return "—"
    if fmt is not None and not isinstance(value, str):
        return fmt.text(value)
    if isinstance(value, (bool, np.bool_)):
        return "是" if value else "否"
    if isinstance(value, int) or (hasattr(value, "dtype") and pd.api.types.is_integer_dtype(value.dtype)):
        value = int(value)
        return f"{value:,}" if abs(value) >= 10_000 and len(str(abs(value))) < 12 else str(value)
    if isinstance(value, float):
        return f"{value:,.10g}" if abs(value) >= 10_000 else f"{value:.10g}"
    if isinstance(value, pd.Timestamp):
        value = value.to_pydatetime()
    if isinstance(value, dt.datetime):
        return f"{value:%Y-%m-%d}" if value.time() == dt.time() else f"{value:%Y-%m-%d %H:%M}"
    if isinstance(value, dt.date):
        return f"{value:%Y-%m-%d}"
    return md(value)


def grouped(frame: pd.DataFrame) -> dict[str, Fmt]:
    """Whole-number columns reaching 10,000 take thousands separators in every row, on the page and
    in the file: "4,020" above "38,417", not "4020". A column that stays below (years, small counts)
    keeps plain digits, as single cells do (`cell_text`)."""
    out = {}
    for c in frame.columns:
        col = frame[c]
        if pd.api.types.is_integer_dtype(col) and not pd.api.types.is_bool_dtype(col) and len(col):
            top = col.abs().max()
            if pd.notna(top) and 10_000 <= top and len(str(int(top))) < 12:  # not a long code
                out[c] = Fmt()
    return out


def _short(col: pd.Series) -> bool:
    if pd.api.types.is_numeric_dtype(col) or pd.api.types.is_datetime64_any_dtype(col):
        return True
    text = col.dropna().astype(str)
    longest = text.str.replace(r"\s", "", regex=True).str.len().max()  # "1,702.99 亿元" is ten, as read
    return pd.isna(longest) or longest <= SHORT_TEXT or bool(text.str.fullmatch(_ATOM).all())


def _styled(page: pd.DataFrame, key: str, formats: dict[str, Fmt], colours: dict[str, Callable]):
    styler = page.style.set_uuid(re.sub(r"\W", "_", key))
    styler = styler.format({c: (lambda v, f=formats.get(c): cell_text(v, f)) for c in page.columns}, na_rep="—")
    short = [c for c in page.columns if _short(page[c])]
    if short:  # a number, a time or a short word ("推进中", "2年11个月") never breaks across lines
        styler = styler.set_properties(subset=short, **{"white-space": "nowrap"})
    # Prose wraps, in a column kept wide enough that a short name in it ("市气象局") stays whole while
    # the short columns beside it take their width first. Prose only: the same minimum on every
    # wrapping column ("+5.7%（推算）", "1,702.99 亿元") made 经济运行's table too wide for a laptop.
    long = [c for c in page.columns if c not in short and page[c].astype(str).str.len().max() > LONG_TEXT]
    if long:
        styler = styler.set_properties(subset=long, **{"min-width": LONG_MIN_WIDTH})
    # Nor does a short heading (序号, 部分, 逾期未完成 read one character a line); a longer one breaks
    # only at a space or a bracket (cockpit.css).
    styler = styler.set_table_styles({c: [{"selector": "th", "props": "white-space: nowrap"}]
                                      for c in page.columns if len(str(c)) <= SHORT_HEADING}, overwrite=False)
    for col, fn in colours.items():
        if col in page.columns:
            styler = styler.map(fn, subset=[col])
    return styler


def _page(frame: pd.DataFrame, key: str, page_size: int) -> pd.DataFrame:
    if len(frame) <= max(page_size, WHOLE_UP_TO):
        return frame
    starts = list(range(0, len(frame), page_size))
    if st.session_state.get(f"{key}_page") not in starts:
        st.session_state[f"{key}_page"] = 0
    start = st.selectbox(
        "翻页", starts, key=f"{key}_page", label_visibility="collapsed", width=260,
        format_func=lambda s: f"第 {s + 1}—{min(s + page_size, len(frame))} 行（共 {len(frame):,} 行）")
    return frame.iloc[start:start + page_size]


def file_name(title: str) -> str:
    return f"{_FILE_BAD.sub('', title)[:60] or '表格'}-{dt.date.today():%Y%m%d}.xlsx"


def show(frame: pd.DataFrame, *, title: str, key: str, caliber: str | None = None, source: str | None = None,
         as_of: str | None = None, filters: dict[str, str] | None = None, demo: bool = False,
         formats: dict[str, Fmt] | None = None, colours: dict[str, Callable] | None = None,
         export: pd.DataFrame | None = None, page_size: int = PAGE_SIZE, download: str = "导出 Excel",
         what: str | None = None) -> None:
    """Show `frame` whole (paged when long) with a download of all its rows (or of `export`, a
    fuller frame of the same rows). `formats` give numbers their decimals, sign and unit on the
    page and in the file; `colours` map a column to a cell-style function (lights, levels)."""
    formats = formats or {}
    frame = frame.reset_index(drop=True)
    full = frame if export is None else export.reset_index(drop=True)
    with st.container(key=f"table_{key}"):
        page = _page(frame, key, page_size)
        st.table(_styled(page, key, {**grouped(frame), **formats}, colours or {}), hide_index=True,
                 border="horizontal")
        meta = dict(title=title, caliber=caliber, source=source, as_of=as_of, filters=filters, demo=demo)
        # The file's formats are worked out when it is asked for, not on every rerun.
        export_button(download, later(lambda: table_xlsx(full, formats={**grouped(full), **formats}, **meta)),
                      file_name(title), what=what or title,
                      key=f"{key}_xlsx", mime=XLSX, icon=":material/download:", type="tertiary")
