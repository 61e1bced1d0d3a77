"""Report templates written with openpyxl: what staff download, fill in and upload.

Three kinds: the long layout (one row per region × indicator × period × measure),
the 统计月报 wide layout statisticians already use (indicators down the side,
当月/累计 and their 同比 across under a two-row merged header), and the
task-progress report on the plan's 172 tasks. Each has an instructions sheet,
drop-down lists, number formats, a frozen and protected header.
"""
from __future__ import annotations

import io

import pandas as pd
from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Protection, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from .. import periods
from ..exports import escape_formula, new_workbook
from ..store import MEASURES, Store
from .names import NORMALISATIONS

HEAD_FILL = PatternFill("solid", fgColor="DCE6F1")
NA_FILL = PatternFill("solid", fgColor="EEEEEE")
BOLD = Font(bold=True)
THIN = Side(style="thin", color="999999")
BOX = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
LONG_COLUMNS = ["地区", "指标", "时期", "口径", "数值", "单位"]
TASK_COLUMNS = ["序号", "任务内容", "责任单位", "进展状态", "完成比例", "进展说明", "报送单位"]
SPARE_ROWS = 200  # empty, unlocked rows below the pre-filled ones
VALUE_FORMAT = "#,##0.00"


def _save(wb: Workbook) -> bytes:
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def _instructions(wb: Workbook, title: str, lines: list[str]) -> None:
    ws = wb.active
    ws.title = "填报说明"
    ws["A1"] = title
    ws["A1"].font = Font(bold=True, size=14)
    for i, line in enumerate(lines, start=3):
        ws.cell(row=i, column=1, value=line).alignment = Alignment(wrap_text=True, vertical="top")
    ws.column_dimensions["A"].width = 110


def _lists(wb: Workbook, columns: dict[str, list[str]]) -> dict[str, str]:
    """A hidden sheet holding drop-down lists; returns column title -> range formula."""
    ws = wb.create_sheet("代码表")
    out = {}
    for j, (title, values) in enumerate(columns.items(), start=1):
        ws.cell(row=1, column=j, value=title).font = BOLD
        for i, v in enumerate(values, start=2):
            ws.cell(row=i, column=j, value=escape_formula(v))
        col = get_column_letter(j)
        out[title] = f"代码表!${col}$2:${col}${len(values) + 1}"
    ws.sheet_state = "hidden"
    return out


def _header(ws, row: int, titles: list[str]) -> None:
    for j, t in enumerate(titles, start=1):
        c = ws.cell(row=row, column=j, value=t)
        c.font, c.fill, c.border = BOLD, HEAD_FILL, BOX
        c.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)


def _protect(ws, first_row: int, last_row: int, columns: list[int]) -> None:
    """Header locked; data cells editable. No password: it guards against slips, not people."""
    for r in range(first_row, last_row + 1):
        for c in columns:
            ws.cell(row=r, column=c).protection = Protection(locked=False)
    ws.protection.sheet = True
    ws.protection.formatCells = False
    ws.protection.formatColumns = False
    ws.protection.sort = False
    ws.protection.autoFilter = False


def _regions_for(regions: pd.DataFrame, ind) -> pd.DataFrame:
    return regions[regions.level == "city"] if "仅全市" in (ind.caliber or "") else regions


def long_template(store: Store, codes: list[str], period: str, region_codes: list[str] | None = None) -> bytes:
    ind = store.indicators().set_index("code", drop=False)
    reg = store.regions()
    if region_codes:
        reg = reg[reg.code.isin(region_codes)]
    wb = new_workbook("数据报送模板（逐行格式）")
    _instructions(wb, f"数据报送模板（逐行格式）· {periods.label(period)}", [
        "1. 在“数据”工作表中每行填一个数：地区 × 指标 × 时期 × 口径 → 数值。已按所选指标和地区预填，只需填“数值”列。",
        "2. 口径：当月、累计、当月同比、累计同比。同比填百分数的数值（增长 5.2% 填 5.2，下降填负数）。",
        "3. 暂无数据请填“—”或留空，不要填 0。不要填公式错误值（#DIV/0! 等）或“N/A”。",
        "4. 单位须与“单位”列一致（如亿元不能填成万元）。",
        "5. 可增加行；表头行已锁定，列的顺序可调换，不认识的列（如“备注”）会列出并忽略。",
        "6. 上传后系统先整体校验并列出全部问题（工作表/行/列/值/原因），确认预览后才写入；写错可上传更正文件或回滚。",
        "系统可自动处理的写法：", *NORMALISATIONS,
    ])
    ws = wb.create_sheet("数据", 1)
    lists = _lists(wb, {"地区": list(reg.name), "指标": list(ind.loc[codes].name),
                        "口径": list(MEASURES.values())})
    _header(ws, 1, LONG_COLUMNS)
    row = 2
    for code in codes:
        i = ind.loc[code]
        for r in _regions_for(reg, i).itertuples():
            for m in i.measures.split(","):
                ws.append([r.name, escape_formula(i["name"]), period, MEASURES[m], None,
                           escape_formula(i.unit) if m in ("month", "ytd") else "%"])
                row += 1
    last = row + SPARE_ROWS
    for title, col in (("地区", "A"), ("指标", "B"), ("口径", "D")):
        dv = DataValidation(type="list", formula1=lists[title], allow_blank=True, showErrorMessage=True,
                            errorTitle="请从下拉列表选择", error=f"{title}请从下拉列表中选择")
        dv.add(f"{col}2:{col}{last}")
        ws.add_data_validation(dv)
    num = DataValidation(type="decimal", operator="between", formula1="-1E+15", formula2="1E+15", allow_blank=True,
                         showErrorMessage=True, errorTitle="请填数字", error="数值列只能填数字；暂无数据请留空")
    num.add(f"E2:E{last}")
    ws.add_data_validation(num)
    for r in range(2, last + 1):
        ws.cell(row=r, column=5).number_format = VALUE_FORMAT
        ws.cell(row=r, column=3).number_format = "@"
    for col, width in zip("ABCDEF", (12, 26, 10, 12, 16, 12)):
        ws.column_dimensions[col].width = width
    ws.freeze_panes = "A2"
    _protect(ws, 2, last, range(1, 7))
    return _save(wb)


def wide_template(store: Store, codes: list[str], period: str, region_code: str | None = None) -> bytes:
    """The 统计月报 layout: title with the period, unit line, two-row merged header, footnote."""
    ind = store.indicators().set_index("code", drop=False)
    reg = store.regions().set_index("code")
    region = region_code or reg[reg.level == "city"].index[0]
    y, m = periods.parse_month(period)
    span = f"{y}年1月" if m == 1 else f"{y}年1—{m}月"
    wb = new_workbook("统计月报模板")
    _instructions(wb, f"统计月报模板 · {reg.loc[region, 'name']} · {span}", [
        "1. 在“月报”工作表中按行填写各指标的当月值、累计值及其同比增速（%）。灰色“—”格表示该指标不发布此口径。",
        "2. 时期取自标题中的“（2026年1—10月）”；上传页面也可另选时期，以所选为准。",
        "3. 暂无数据请填“—”或留空。表尾“注：”以下的内容不会读取。",
        "系统可自动处理的写法：", *NORMALISATIONS,
    ])
    ws = wb.create_sheet("月报", 1)
    ws["A1"] = f"{reg.loc[region, 'name']}主要经济指标（{span}）"
    ws["A1"].font = Font(bold=True, size=14)
    ws["A1"].alignment = Alignment(horizontal="center")
    ws.merge_cells("A1:G1")
    ws["A2"] = "单位：见各行"
    ws["A3"], ws["B3"], ws["C3"], ws["E3"] = "指标名称", "单位", "当月", f"1—{m}月累计"
    ws["C4"], ws["D4"], ws["E4"], ws["F4"], ws["G4"] = "数值", "同比增长(%)", "数值", "同比增长(%)", "位次"
    ws["G3"] = "位次"
    for rng in ("A3:A4", "B3:B4", "C3:D3", "E3:F3", "G3:G4"):
        ws.merge_cells(rng)
    for row in ws.iter_rows(min_row=3, max_row=4, max_col=7):
        for c in row:
            c.font, c.fill, c.border = BOLD, HEAD_FILL, BOX
            c.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
    slots = ["month", "month_yoy", "ytd", "ytd_yoy"]
    for i, code in enumerate(codes, start=5):
        row = ind.loc[code]
        ws.cell(row=i, column=1, value=escape_formula(row["name"])).border = BOX
        ws.cell(row=i, column=2, value=escape_formula(row.unit)).border = BOX
        published = set(row.measures.split(","))
        for j, mcode in enumerate(slots, start=3):
            c = ws.cell(row=i, column=j)
            c.border = BOX
            c.number_format = "0.0" if mcode.endswith("yoy") else VALUE_FORMAT
            if mcode not in published:
                c.value, c.fill = "—", NA_FILL
                c.alignment = Alignment(horizontal="center")
        ws.cell(row=i, column=7).border = BOX
    last = 4 + len(codes)
    ws.cell(row=last + 2, column=1, value="注：同比增速按可比价格计算；“—”表示不发布或暂无数据。")
    for col, width in zip("ABCDEFG", (28, 12, 14, 14, 14, 14, 8)):
        ws.column_dimensions[col].width = width
    ws.freeze_panes = "C5"
    _protect(ws, 5, last, range(3, 8))
    return _save(wb)


def task_template(store: Store, unit: str | None = None) -> bytes:
    tasks = store.plan_tasks()
    if unit:
        tasks = tasks[tasks.units_text.str.contains(unit, regex=False)]
    wb = new_workbook("重点任务进展报送模板")
    _instructions(wb, "重点任务进展报送模板（172 项重点任务）", [
        "1. 在“任务进展”工作表中，每项任务一行：进展状态、完成比例（0—100）、进展说明、报送单位。",
        "2. 进展状态：未启动、推进中、已完成、暂缓（下拉选择）。“已完成”的完成比例应为 100。",
        "3. “序号”“任务内容”“责任单位”为参考列，请勿修改序号。",
        "4. 同一月份再次报送同一任务，视为更正，原报告保留在历史中。",
    ])
    ws = wb.create_sheet("任务进展", 1)
    lists = _lists(wb, {"进展状态": ["未启动", "推进中", "已完成", "暂缓"]})
    _header(ws, 1, TASK_COLUMNS)
    for t in tasks.itertuples():
        ws.append([t.number, escape_formula(t.text), escape_formula(t.units_text), None, None, None, unit or None])
    last = len(tasks) + 1
    dv = DataValidation(type="list", formula1=lists["进展状态"], allow_blank=True)
    dv.add(f"D2:D{last}")
    ws.add_data_validation(dv)
    pct = DataValidation(type="decimal", operator="between", formula1="0", formula2="100", allow_blank=True,
                         showErrorMessage=True, error="完成比例应为 0—100 的数字")
    pct.add(f"E2:E{last}")
    ws.add_data_validation(pct)
    for r in range(2, last + 1):
        ws.cell(row=r, column=2).alignment = Alignment(wrap_text=True, vertical="top")
        ws.cell(row=r, column=5).number_format = "0"
    for col, width in zip("ABCDEFG", (6, 60, 30, 10, 10, 40, 20)):
        ws.column_dimensions[col].width = width
    ws.freeze_panes = "B2"
    _protect(ws, 2, last, range(4, 8))
    return _save(wb)
