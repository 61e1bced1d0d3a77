"""The briefing's pieces, as every writer (slides, document, workbook) lays them out: a chart with
its commentary, or a table cut into slide-sized pages."""
from __future__ import annotations

import math
from dataclasses import dataclass, field

import pandas as pd

from ..charts import Chart

# A table's slide: the body's room and its type size (slides.py draws it; the PDF's pages follow the
# slides, page n of the PDF is slide n). Rows are as tall as their longest wrapped cell.
TABLE_ROOM_PT = 330  # between the summary sentence and the 口径 line of a 7.5-inch slide
TABLE_WIDTH_PT = 900  # 12.5 inches
TABLE_PT = 10  # the body's type size; a 汉字 is as wide as the size
ROW_PAD_PT = 8  # a cell's top and bottom margins


@dataclass
class ChartSection:
    code: str
    chart: Chart
    text: str  # the commentary
    data: pd.DataFrame  # the figures behind the chart, Chinese headings, numbers as numbers
    formats: dict[str, str] = field(default_factory=dict)  # heading -> Excel number format
    text_columns: tuple[str, ...] = ()  # codes kept as text
    basis: str = "累计"  # printed as 口径 on its page: a CPI page said 口径：累计
    demo: bool = False  # its figures are the demo generator's (the page and its picture say so)


@dataclass
class TableSection:
    title: str
    text: str  # the summary sentence
    frame: pd.DataFrame  # as shown, Chinese headings
    note: str  # 口径 and 来源
    as_of: str
    demo: bool = False  # its rows come from demo data: real figures beside it are not marked 演示数据

    def pages(self) -> list[pd.DataFrame]:
        """The table cut into slide-sized pieces (one empty piece for an empty table): as many rows
        as fit once long cells wrap. Ten rows a slide, whatever their length, ran a table of
        overdue tasks three inches below the slide."""
        if self.frame.empty:
            return [self.frame]
        share = widths(self.frame)
        per_line = [max(1, int(TABLE_WIDTH_PT * w / sum(share) / TABLE_PT) - 1) for w in share]
        text = texts(self.frame)
        lines = text.apply(lambda col: col.str.len()).div(per_line, axis=1).apply(lambda col: col.map(math.ceil))
        line = TABLE_PT * 1.2
        height = (lines.max(axis=1).clip(lower=1) * line + ROW_PAD_PT).tolist()
        cuts, used, start = [], line + ROW_PAD_PT, 0  # the heading row first
        for i, h in enumerate(height):
            if used + h > TABLE_ROOM_PT and i > start:
                cuts.append(self.frame.iloc[start:i])
                start, used = i, line + ROW_PAD_PT
            used += h
        return [*cuts, self.frame.iloc[start:]]


def display(value) -> str:
    """A table value as printed: — for nothing, numbers without a trailing .0 where whole."""
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return "—"
    if isinstance(value, float):
        return f"{value:,.0f}" if value.is_integer() else f"{value:,.2f}".rstrip("0")
    if isinstance(value, pd.Timestamp):  # an alert's start: to the minute, as the page shows it
        return f"{value:%Y-%m-%d %H:%M}"
    return str(value)


def texts(part: pd.DataFrame) -> pd.DataFrame:
    """Every cell as printed. A column of percentages or 百分点 keeps one decimal throughout, as
    the pages print them: 占比 read 11 above 10.5 and 同比 4 above 68.8."""
    def column(col: pd.Series) -> pd.Series:
        if "（%）" in col.name or "百分点" in col.name:
            return col.map(lambda v: f"{v:,.1f}" if isinstance(v, float) and not pd.isna(v) else display(v))
        return col.map(display)
    return part.apply(column)


def widths(part: pd.DataFrame) -> tuple[int, ...]:
    """Each column's share of a table's width: as wide as its longest entry (within limits), so
    long task texts get the room and 序号 does not."""
    shown = texts(part)
    return tuple(min(max(len(str(c)), *shown[c].str.len()), 40) + 2 for c in part.columns)
