"""The XLSX of the figures behind every chart of the pack: one sheet per chart, plus the pack's
tables. Each sheet opens with the title, 口径, 来源, 数据截至 and the filters in force (and the
演示数据 mark); numbers stay numbers with their formats, codes stay text, formula-like text is
escaped (cockpit.exports.escape_formula), columns are sized to their contents."""
from __future__ import annotations

import io

import pandas as pd
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from .. import city
from ..exports import escape_formula, new_workbook
from .content import Pack

HEAD = Font(bold=True)
DEMO_FILL = PatternFill("solid", fgColor="FFF7ED")
WIDE = 60  # the widest a column grows; longer text wraps


def _cell(value, text: bool):
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return None
    if text:
        return escape_formula(str(value))
    if isinstance(value, pd.Timestamp):  # a date Excel can sort and filter, not its text
        return value.to_pydatetime()
    if hasattr(value, "item"):
        value = value.item()
    return escape_formula(value)


def _sheet(wb: Workbook, name: str, title: str, meta: list[str], frame: pd.DataFrame,
           formats: dict[str, str], text_columns: tuple[str, ...], demo: bool) -> None:
    ws = wb.create_sheet(_sheet_name(wb, name))
    ws.append([escape_formula(title)])
    ws["A1"].font = Font(bold=True, size=13)
    for line in meta:
        ws.append([escape_formula(line)])
    if demo:
        ws.append([f"【演示数据】本表数字为系统生成的演示数据，非{city.NAME}实际数据"])
        ws.cell(row=ws.max_row, column=1).fill = DEMO_FILL
    ws.append([])
    ws.append([escape_formula(str(c)) for c in frame.columns])
    header = ws.max_row
    for cell in ws[header]:
        cell.font = HEAD
    ws.freeze_panes = f"A{header + 1}"
    when = [pd.api.types.is_datetime64_any_dtype(frame[c]) for c in frame.columns]
    is_text = [c in text_columns or not (pd.api.types.is_numeric_dtype(frame[c]) or w)
               for c, w in zip(frame.columns, when)]
    for row in frame.itertuples(index=False, name=None):
        ws.append([_cell(v, t) for v, t in zip(row, is_text)])
    for i, col in enumerate(frame.columns, start=1):
        letter = get_column_letter(i)
        fmt = formats.get(col, "@" if is_text[i - 1] else "yyyy-mm-dd hh:mm" if when[i - 1] else "General")
        longest = max([len(str(col))] + [len(str(v)) for v in frame[col].head(500)])
        ws.column_dimensions[letter].width = min(max(longest * 1.8 + 2, 8), WIDE)
        for r in range(header + 1, ws.max_row + 1):
            cell = ws.cell(row=r, column=i)
            cell.number_format = fmt
            if is_text[i - 1] and longest * 1.8 > WIDE:
                cell.alignment = Alignment(wrap_text=True, vertical="top")


def _sheet_name(wb: Workbook, name: str) -> str:
    """Excel's rules: at most 31 characters, none of []:*?/\\, unique in the book."""
    base = "".join("_" if c in "[]:*?/\\" else c for c in name)[:28] or "表"
    out, n = base, 2
    while out in wb.sheetnames:
        out, n = f"{base}{n}", n + 1
    return out


def write(pack: Pack) -> bytes:
    wb = new_workbook(f"{pack.title}（{pack.subtitle}）")
    cover = wb.active
    cover.title = "说明"
    for line in (pack.title, pack.subtitle, pack.filters, f"数据截至：{pack.as_of}",
                 f"生成时间：{pack.generated_at:%Y-%m-%d %H:%M}",
                 "各表为简报中各图表背后的数据；数值为数字格式，可直接计算。", *pack.notes):
        cover.append([escape_formula(line)])
    cover["A1"].font = Font(bold=True, size=14)
    if pack.demo:
        cover.append([pack.demo_notice])
        cover.cell(row=cover.max_row, column=1).fill = DEMO_FILL
    cover.column_dimensions["A"].width = 90
    for s in pack.charts:
        c = s.chart
        _sheet(wb, c.title.replace("各县区", "").split("（")[0], c.title,
               [f"口径：{c.caliber}", f"来源：{c.source}", f"数据截至：{c.as_of}", pack.filters_of(s.basis),
                f"说明：{s.text}"],
               s.data, s.formats, s.text_columns, s.demo)
    for t in pack.tables:
        _sheet(wb, t.title, t.title, [t.note, f"数据截至：{t.as_of}", pack.filters, f"说明：{t.text}"],
               t.frame, {c: "0.0" for c in t.frame.columns if "（%）" in c or "百分点" in c}, (), t.demo)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()
