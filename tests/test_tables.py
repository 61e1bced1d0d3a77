"""Every table's own Excel download (cockpit.exports.table_xlsx) and how a cell reads on the page
(ui.tables.cell_text): what a careless clerk or a curious insider puts into a cell is data, never
a formula, a link or a broken file."""
from __future__ import annotations

import datetime as dt
import io
import re

import pandas as pd
import pytest
from openpyxl import load_workbook

from cockpit.exports import EXCEL_CELL_MAX, Fmt, table_xlsx
from ui.tables import cell_text, file_name


def _sheet(frame: pd.DataFrame, **meta):
    data = table_xlsx(frame, **{"title": "测试表", **meta})
    return load_workbook(io.BytesIO(data)).active


def _header_row(ws) -> int:
    return next(r for r in range(1, 12) if ws.cell(row=r, column=1).value == "序号")


def test_the_file_says_what_the_table_is_above_a_frozen_bold_header():
    ws = _sheet(pd.DataFrame({"序号": [1], "指标": ["地区生产总值"]}), caliber="现价", source="市统计局",
                as_of="2026年10月", filters={"地区": "永城市", "时期": "2026年10月"}, demo=True)
    top = [ws.cell(row=r, column=1).value for r in range(1, 7)]
    assert top == ["测试表", "口径：现价", "来源：市统计局", "数据截至：2026年10月", "筛选条件：地区 永城市；时期 2026年10月",
                   "演示数据：本表部分或全部数字为系统生成的演示数据，不代表实际情况"]
    header = _header_row(ws)
    assert ws.cell(row=header, column=1).font.bold and ws.freeze_panes == f"A{header + 1}"
    assert ws.cell(row=header + 1, column=2).value == "地区生产总值"
    props = ws.parent.properties  # Excel's 信息 pane said 作者 openpyxl
    assert (props.creator, props.title) == ("商丘市数字政府领导驾驶舱", "测试表")


def test_real_figures_carry_no_demo_mark():
    ws = _sheet(pd.DataFrame({"序号": [1]}), as_of="2026年10月")
    assert not any(str(ws.cell(row=r, column=1).value or "").startswith("演示数据") for r in range(1, 6))


def test_numbers_stay_numbers_with_the_format_the_page_shows():
    frame = pd.DataFrame({"序号": [1, 2], "同比": [6.25, -1.0], "受理量": [12_345, 7], "完成率": [95.0, None]})
    ws = _sheet(frame, formats={"同比": Fmt(1, "%", sign=True), "完成率": Fmt(1, "%")})
    h = _header_row(ws)
    yoy, count, rate = ws.cell(row=h + 1, column=2), ws.cell(row=h + 1, column=3), ws.cell(row=h + 1, column=4)
    assert yoy.value == 6.25 and yoy.number_format == '+#,##0.0"%";-#,##0.0"%";#,##0.0"%"'
    assert count.value == 12_345 and count.number_format == "#,##0"
    assert rate.value == 95.0 and rate.number_format == '#,##0.0"%"'
    assert ws.cell(row=h + 2, column=4).value is None  # a gap stays empty, never 0
    assert Fmt(1, "%", sign=True).text(6.25) == "+6.2%" and Fmt(0, " 天").text(1065) == "1,065 天"


def test_dates_and_times_are_dates_in_the_file():
    frame = pd.DataFrame({"序号": [1], "报送日期": [dt.date(2026, 9, 30)],
                          "受理时间": [pd.Timestamp("2026-11-18 21:35")]})
    ws = _sheet(frame)
    h = _header_row(ws)
    assert ws.cell(row=h + 1, column=2).value.date() == dt.date(2026, 9, 30)
    assert ws.cell(row=h + 1, column=2).number_format == "yyyy-mm-dd"
    assert ws.cell(row=h + 1, column=3).value == dt.datetime(2026, 11, 18, 21, 35)
    assert ws.cell(row=h + 1, column=3).number_format == "yyyy-mm-dd hh:mm"


@pytest.mark.parametrize("text", ['=HYPERLINK("http://x","点我")', "+1", "-2", "@SUM(A1)", "\t=1", "=cmd|' /C calc'!A0"])
def test_formula_like_text_from_anyone_stays_text(text):
    ws = _sheet(pd.DataFrame({"序号": [1], "进展说明": [text]}), title="=1+1", caliber="@口径")
    h = _header_row(ws)
    cell = ws.cell(row=h + 1, column=2)
    assert cell.value == "'" + text and cell.data_type == "s"
    assert ws["A1"].value == "'=1+1" and ws["A2"].value == "口径：@口径"


def test_long_numeric_codes_stay_text_whole():
    frame = pd.DataFrame({"序号": [1], "工单号": [202611180000123456], "统一社会信用代码": ["0012345678"]})
    ws = _sheet(frame)
    h = _header_row(ws)
    assert ws.cell(row=h + 1, column=2).value == "202611180000123456"  # Excel keeps 15 digits of a number
    assert ws.cell(row=h + 1, column=3).value == "0012345678" and ws.cell(row=h + 1, column=3).number_format == "@"


def test_control_characters_and_overlong_text_still_make_a_file_that_opens():
    pasted = "第一行\x00\x07\x1b第二行"
    huge = "长" * (EXCEL_CELL_MAX + 500)
    ws = _sheet(pd.DataFrame({"序号": [1, 2], "进展说明": [pasted, huge]}), title="表/名:称?[1]*")
    h = _header_row(ws)
    assert ws.cell(row=h + 1, column=2).value == "第一行第二行"
    assert len(ws.cell(row=h + 2, column=2).value) == EXCEL_CELL_MAX
    assert ws.title == "表名称1"


def test_columns_are_as_wide_as_their_text():
    ws = _sheet(pd.DataFrame({"序号": [1], "任务内容": ["建" * 100]}))
    assert ws.column_dimensions["A"].width == 8 and ws.column_dimensions["B"].width == 60
    assert ws.cell(row=_header_row(ws) + 1, column=2).alignment.wrap_text


@pytest.mark.parametrize("text", ["![x](http://evil.example/pixel.png)", "[点我](http://evil.example)",
                                  "<img src=x onerror=alert(1)>", ":red-background[假警报]", "**加粗**"])
def test_user_text_in_a_cell_is_shown_as_typed_never_as_markup(text):
    """Table cells render Markdown: every markup character arrives escaped, so it shows as typed."""
    shown = cell_text(text)
    assert not re.search(r"(?<!\\)[\[\]()<>*:!]", shown), shown
    assert re.sub(r"\\(.)", r"\1", shown).replace("\u200b", "") == text  # (md breaks bare addresses)


def test_a_cell_reads_as_the_page_means_it():
    assert cell_text(None) == cell_text(float("nan")) == cell_text(pd.NA) == cell_text(" ") == "—"
    assert cell_text(True) == "是" and cell_text(12_345) == "12,345" and cell_text(2026) == "2026"
    assert cell_text(pd.Timestamp("2026-11-18 21:35")) == "2026-11-18 21:35"
    assert cell_text(dt.date(2026, 9, 30)) == "2026-09-30"
    assert cell_text(-5.9, Fmt(1, " 个百分点", sign=True)) == "-5.9 个百分点"


def test_a_download_is_named_after_its_table_without_path_characters():
    name = file_name("../../etc/passwd 表:1")
    assert "/" not in name and ":" not in name and " " not in name and name.endswith(".xlsx")
