"""Templates for lists of records: 12345 tickets, emergency events, weather warnings, the duty roster.

One sheet with the headers the reading recognises (cockpit.uploads.layout_records), drop-down lists
for regions, levels and states, date formats on the time columns, and an instructions sheet saying
what identifies a record: sending the same 工单编号 again with a new 办理状态 updates that ticket.
"""
from __future__ import annotations

from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.utils import get_column_letter

from ..exports import new_workbook
from ..store import Store
from .records import CHOICES, DERIVED_KEY, FIELDS, TITLES, width
from .templates import SPARE_ROWS, _header, _instructions, _lists, _protect, _save

DATASETS = tuple(FIELDS)
LEVELS = ["Ⅰ级（红色）", "Ⅱ级（橙色）", "Ⅲ级（黄色）", "Ⅳ级（蓝色）"]
FORMATS = {"datetime": "yyyy-mm-dd hh:mm", "date": "yyyy-mm-dd"}
WIDTH = {"key": 18, "datetime": 18, "date": 12, "region": 12, "level": 14, "choice": 10, "number": 10}


def records_template(store: Store, dataset: str) -> bytes:
    fields = FIELDS[dataset]
    title = TITLES[dataset]
    key = fields["source_key"].title
    identity = ("、".join(fields[f].title for f in DERIVED_KEY[dataset]) if dataset in DERIVED_KEY else None)
    wb = new_workbook(f"{title}报送模板")
    _instructions(wb, f"{title}报送模板", [
        f"1. 在“{title}”工作表中每行填一条记录；带 * 的列必填，列的顺序可以调换，表头名称须与模板一致。",
        f"2. “{key}”识别同一条记录：再次报送同一{key}的记录（如状态改变、级别调整）会更新原记录，原记录保留在历史中；"
        "内容未变的记录不会重复写入。" + (f"不填{key}时，以“{identity}”识别同一条记录。" if identity else ""),
        "3. 地区可写名称、简称或代码（永城市、永城、411481）；时间写成 2026-11-30 08:30 或 Excel 日期时间。",
        "4. 级别可写 Ⅰ—Ⅳ级、红/橙/黄/蓝色或 1—4（1 最严重）。",
        "5. 上传后系统先整体校验并列出全部问题（工作表/行/列/值/原因），确认预览后才写入；写错可回滚该批次。",
    ])
    ws = wb.create_sheet(title, 1)
    headers = [spec.title + ("*" if spec.required and spec.kind != "key" or f == "source_key" and identity is None
                             else "") for f, spec in fields.items()]
    _header(ws, 1, headers)
    regions = store.regions()
    lists = _lists(wb, {"地区": list(regions.name), "级别": LEVELS,
                        **{f"{dataset}.{f}": list(dict.fromkeys(CHOICES[f"{dataset}.{f}"].values()))
                           for f in fields if f"{dataset}.{f}" in CHOICES}})
    last = 1 + SPARE_ROWS
    for j, (f, spec) in enumerate(fields.items(), start=1):
        col = get_column_letter(j)
        source = {"region": lists["地区"], "level": lists["级别"]}.get(spec.kind) or lists.get(f"{dataset}.{f}")
        if source:
            dv = DataValidation(type="list", formula1=source, allow_blank=True)
            dv.add(f"{col}2:{col}{last}")
            ws.add_data_validation(dv)
        for r in range(2, last + 1):
            ws.cell(row=r, column=j).number_format = FORMATS.get(spec.kind, "@")
        ws.column_dimensions[col].width = WIDTH.get(spec.kind, 16 if (width(dataset, f) or 99) <= 16 else 28)
    ws.freeze_panes = "A2"
    _protect(ws, 2, last, range(1, len(fields) + 1))
    return _save(wb)
