"""Task-progress reports on the plan's 172 tasks: 序号, 进展状态, 完成比例, 进展说明, 报送单位."""
from __future__ import annotations

import datetime as dt
import re

import pandas as pd

from .. import periods
from .cells import Mark, cell, is_footnote, parse_number, present
from .layout_long import TASK_HEADERS, column_report
from .messages import ERROR, INFO, WARNING, Problems
from .names import norm
from .parse import Sheet, col_letter
from .records import width

TASK_REFERENCE = {"任务内容", "任务", "重点任务", "责任单位", "牵头单位", "任务时限", "完成时限"}
TASK_REQUIRED = {"task_number": "序号", "status": "进展状态", "percent": "完成比例", "reporting_unit": "报送单位"}
TASK_STATUS = {"未启动": "未启动", "推进中": "推进中", "进行中": "推进中", "正在推进": "推进中",
               "已完成": "已完成", "完成": "已完成", "暂缓": "暂缓", "暂停": "暂缓"}


UNIT_WIDTH = width("task_progress", "reporting_unit")
_UNIT_LINE = re.compile(r"^(?:填报|报送)单位:(.+)$")
_DATE_LINE = re.compile(r"^(?:填报|报送)(?:日期|时间):(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?$")


def _above(sheet: Sheet, h: int, pattern: re.Pattern) -> tuple[re.Match, str, int] | None:
    """(match, cell, row) of the first line above the header such as 填报单位：市大数据局 (a unit's own
    report names itself and its date there rather than in a column)."""
    for i, row in enumerate(sheet.rows[:h]):
        for c in row:
            m = pattern.match(norm(c)) if isinstance(c, str) else None
            if m:
                return m, str(c), i + 1
    return None


def _unit_above(sheet: Sheet, h: int) -> tuple[str, int] | None:
    found = _above(sheet, h, _UNIT_LINE)
    return (re.split(r"[:：]", found[1], maxsplit=1)[1].strip(), found[2]) if found else None


def _date_above(sheet: Sheet, h: int) -> tuple[dt.date, int] | None:
    found = _above(sheet, h, _DATE_LINE)
    try:
        return (dt.date(*map(int, found[0].groups())), found[2]) if found else None
    except ValueError:  # 2026年2月30日: no day; the report's date is then today's, as without the line
        return None


def records(sheet: Sheet, h: int, fields: dict[str, list[int]], problems: Problems,
            catalog, options) -> pd.DataFrame | None:
    above = None if "reporting_unit" in fields else _unit_above(sheet, h)
    required = {f: t for f, t in TASK_REQUIRED.items() if not (above and f == "reporting_unit")}
    ok = column_report(sheet, h, fields, TASK_HEADERS, required, problems, TASK_REFERENCE)
    if not ok:
        return None
    if above:
        problems.add(f"报送单位取自第 {above[1]} 行：{above[0]}", sheet=sheet.name, row=above[1], severity=INFO)
    header = sheet.rows[h]
    col = {f: js[0] for f, js in fields.items()}
    cname = {f: f"{col_letter(j)}（{header[j]}）" for f, j in col.items()}
    today = options.today or dt.date.today()
    dated = None if "reported_on" in col else _date_above(sheet, h)
    default_day = periods.month_end(options.period) if options.period else dated[0] if dated else today
    if dated and not options.period and dated[0] > today:
        problems.add(f"报送日期 {dated[0]} 在未来", sheet=sheet.name, row=dated[1])
        return None
    out, seen = [], {}
    unreported = 0

    def err(reason, r, f, v):
        problems.add(reason, sheet=sheet.name, row=r, column=cname.get(f, ""), value=v)

    for i, row in enumerate(sheet.rows[h + 1:]):
        r = h + 2 + i
        cells = {f: cell(row, j) for f, j in col.items()}
        marks = {f: sheet.marks.get((h + 1 + i, j)) for f, j in col.items()}
        if not any(present(v) for v in cells.values()) and not any(marks.values()):
            continue
        if is_footnote(cells.get("task_number")):
            break
        if not any(present(cells.get(f)) or marks.get(f) for f in ("status", "percent", "note")):
            unreported += 1  # a pre-filled task this unit does not report on this time
            continue
        before = problems.count(ERROR)
        for f, m in marks.items():
            if m:
                err(Mark(*m).reason(), r, f, m[1])
        num = cells.get("task_number")
        n_val, st_, _ = parse_number(num)
        if st_ != "ok" or n_val is None or not float(n_val).is_integer():
            err("序号应为 1—172 的整数", r, "task_number", num)
        elif int(n_val) not in catalog.tasks:
            err(f"方案中没有序号为 {int(n_val)} 的重点任务（共 {len(catalog.tasks)} 项）", r, "task_number", num)
        elif int(n_val) in seen:
            err(f"与第 {seen[int(n_val)]} 行重复（同一任务）", r, "task_number", num)
        else:
            seen[int(n_val)] = r
        status = TASK_STATUS.get(norm(cells.get("status")))
        if status is None and not marks.get("status"):
            err("进展状态应为 未启动、推进中、已完成 或 暂缓", r, "status", cells.get("status"))
        pct, st_, _ = parse_number(cells.get("percent"))
        if st_ != "ok" and not marks.get("percent"):
            err("完成比例应为 0—100 的数字", r, "percent", cells.get("percent"))
        elif pct is not None and not 0 <= pct <= 100:
            err("完成比例应在 0—100 之间", r, "percent", cells.get("percent"))
        unit = cells.get("reporting_unit") if above is None else above[0]
        if not present(unit):
            err("报送单位为空", r, "reporting_unit", unit)
        elif len(str(unit).strip()) > UNIT_WIDTH:
            err(f"报送单位超过 {UNIT_WIDTH} 个字", r, "reporting_unit", unit)
        day = default_day
        if "reported_on" in col and present(cells.get("reported_on")):
            v = cells["reported_on"]
            if isinstance(v, dt.datetime):
                day = v.date()
            elif isinstance(v, dt.date):
                day = v
            else:
                try:
                    day = dt.date.fromisoformat(norm(v).replace("/", "-").replace(".", "-"))
                except ValueError:
                    err("报送日期应为日期（如 2026-10-31）", r, "reported_on", v)
            if day > today:
                err(f"报送日期 {day} 在未来", r, "reported_on", v)
        if problems.count(ERROR) > before:
            continue
        if status == "已完成" and pct < 100:
            problems.add("状态为“已完成”但完成比例不足 100%，请核对", sheet=sheet.name, row=r,
                         column=cname["percent"], value=cells.get("percent"), severity=WARNING)
        note = cells.get("note")
        # Text is stored exactly as written (even "=..." or "<script>"); it is escaped where shown or exported.
        out.append({"task_number": int(n_val), "reported_on": day, "status": status, "percent": float(pct),
                    "note": "" if not present(note) else str(note), "reporting_unit": str(unit).strip()})
    if unreported:
        problems.add(f"{unreported} 项任务未填写进展，本次不报送", sheet=sheet.name, severity=INFO)
    if not out:
        return None
    if "reported_on" not in col:
        problems.add(f"报送日期取{'所选月份的月末' if options.period else f'自第 {dated[1]} 行' if dated else '今天'}：{default_day}",
                     sheet=sheet.name, severity=INFO)
    return pd.DataFrame(out)
