"""Sheets of records: 12345 tickets, emergency events, weather warnings, the duty roster.

Told apart by their header row (among the first 15): a 工单编号 column makes a ticket list, 事件编号
an event list, 预警种类 with 发布时间 a list of warning signals, 值班日期 a roster. The cells go to
cockpit.uploads.records, the one check every door shares.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from .cells import Mark, cell, is_footnote, present
from .layout_long import column_report, header_fields, header_key
from .messages import Problems
from .parse import Sheet, col_letter
from .records import FIELDS

_REGION = {"地区": "region_code", "县区": "region_code", "区县": "region_code", "所属地区": "region_code",
           "县(市、区)": "region_code", "地区代码": "region_code", "行政区划代码": "region_code",
           "行政区划": "region_code", "所属区县": "region_code", "所属县区": "region_code",
           "所属区域": "region_code", "所在地区": "region_code", "县市区": "region_code", "县(市区)": "region_code"}
HEADERS: dict[str, dict[str, str]] = {
    "hotline_tickets": {
        **_REGION, "工单编号": "source_key", "工单号": "source_key", "工单号码": "source_key",
        "受理时间": "created_at", "来电时间": "created_at", "创建时间": "created_at", "登记时间": "created_at",
        "诉求类别": "category", "类别": "category", "问题分类": "category", "诉求分类": "category",
        "事项分类": "category", "受理渠道": "channel", "渠道": "channel", "来源渠道": "channel",
        "办理状态": "status", "状态": "status", "工单状态": "status", "办理时限": "due_at", "截止时间": "due_at",
        "办结时限": "due_at", "办结时间": "closed_at", "完成时间": "closed_at", "满意度": "satisfaction",
        "回访满意度": "satisfaction", "评价": "satisfaction",
        # as 12345 systems of other cities export them
        "诉求类型": "category", "问题类型": "category", "事项类型": "category", "业务分类": "category",
        "受理日期": "created_at", "来电日期": "created_at", "办理期限": "due_at", "结案时间": "closed_at",
        "办结日期": "closed_at", "满意度评价": "satisfaction", "回访结果": "satisfaction",
    },
    "emergency_events": {
        **_REGION, "事件编号": "source_key", "事件类型": "event_type", "事件类别": "event_type",
        "事件级别": "level", "级别": "level", "等级": "level", "事件名称": "title", "事件标题": "title",
        "标题": "title", "发生地点": "place", "事发地点": "place", "发生地址": "place", "事发地址": "place", "事件等级": "level",
        "事件状态": "status", "地点": "place", "经度": "lon", "纬度": "lat",
        "发生时间": "occurred_at", "事发时间": "occurred_at", "处置状态": "status", "状态": "status",
        "结束时间": "closed_at", "处置完毕时间": "closed_at",
    },
    "weather_warnings": {
        **_REGION, "预警编号": "source_key", "预警种类": "kind", "预警类型": "kind", "预警信号": "kind",
        "灾种": "kind", "预警级别": "level", "级别": "level", "预警颜色": "level", "颜色": "level",
        "发布时间": "issued_at", "解除时间": "expires_at", "失效时间": "expires_at", "发布单位": "issuer",
        "发布机构": "issuer", "预警内容": "text", "内容": "text", "预警信息": "text",
    },
    "duty_roster": {
        "值班编号": "source_key", "值班日期": "duty_date", "日期": "duty_date", "值班岗位": "role", "岗位": "role",
        "角色": "role", "姓名": "name", "值班人员": "name", "值班人": "name", "值班单位": "unit", "单位": "unit",
        "联系电话": "phone", "电话": "phone", "手机": "phone",
    },
}
# What a header row must hold to be read as that kind of list (the first that fits wins).
SIGNATURE = {"hotline_tickets": {"source_key", "created_at"}, "emergency_events": {"source_key", "occurred_at"},
             "weather_warnings": {"kind", "issued_at"}, "duty_roster": {"duty_date", "name", "phone"}}
REFERENCE = {"序号", "备注", "说明"}  # columns a list may carry that are not imported, without a note


def classify(sheet: Sheet) -> tuple[str, int, dict[str, list[int]]] | None:
    for i, row in enumerate(sheet.rows[:15]):
        keys = [header_key(c) for c in row]
        for name, table in HEADERS.items():
            fields = header_fields(keys, table)
            if SIGNATURE[name] <= set(fields) and len(fields) >= 3:
                return name, i, fields
    return None


def raw(name: str, sheet: Sheet, h: int, fields: dict[str, list[int]], problems: Problems) -> pd.DataFrame | None:
    """The sheet's rows below the header as the record check reads them; None when its columns are wrong."""
    required = {f: spec.title for f, spec in FIELDS[name].items() if spec.required}
    if not column_report(sheet, h, fields, HEADERS[name], required, problems, REFERENCE):
        return None
    header = sheet.rows[h]
    col = {f: js[0] for f, js in fields.items()}
    rows = []
    for i, row in enumerate(sheet.rows[h + 1:], start=h + 1):
        marked = False
        cells = {f: cell(row, j) for f, j in col.items()}
        if not any(present(v) for v in cells.values()):
            continue
        if is_footnote(cell(row, 0)) and sum(present(v) for v in cells.values()) <= 1:
            break  # 注：… under the list
        for f, j in col.items():
            mark = sheet.marks.get((i, j))
            if mark:
                problems.add(Mark(*mark).reason(), sheet=sheet.name, row=i + 1,
                             column=f"{col_letter(j)}（{header[j]}）", value=mark[1])
                marked = True
        rows.append({**cells, "row": i + 1, "bad": marked})
    frame = pd.DataFrame(rows, columns=[*col, "row", "bad"], dtype=object)
    frame["bad"] = frame["bad"].astype(bool)
    frame["row"] = frame["row"].astype(np.int64)
    frame["sheet"] = sheet.name
    for f, j in col.items():
        frame["c_" + f] = f"{col_letter(j)}（{header[j]}）"
    return frame
