"""Web pages saved as .xls, what many systems' “导出 Excel” sends: read as the tables they hold;
hostile pages refused in Chinese with nothing stored."""
from __future__ import annotations

import pytest

from cockpit.uploads import validate as V
from tests.fixtures.upload_files import TODAY
from tests.test_upload_bad_input import attempt

# As Excel itself saves a sheet as a web page: a GB2312 page, styles, Excel's x:num beside the
# shown text, a title row across the table, a 口径 merged down two rows.
EXCEL_PAGE = """<html xmlns:o="urn:schemas-microsoft-com:office:office" xmlns:x="urn:schemas-microsoft-com:office:excel"
xmlns="http://www.w3.org/TR/REC-html40">
<head><meta http-equiv=Content-Type content="text/html; charset=gb2312">
<style>.xl65 {mso-number-format:"0\\.0";}</style>
<script>document.write('<table><tr><td>地区</td><td>指标</td></tr></table>')</script></head>
<body><table border=0 cellpadding=0 cellspacing=0>
 <tr><td colspan=6>2026年10月各县区社会消费品零售总额</td></tr>
 <tr><td>地区</td><td>指标</td><td>时期</td><td>口径</td><td>数值</td><td>单位</td></tr>
 <tr><td>梁园区</td><td>社会消费品零售总额</td><td>2026-10</td><td>累计</td><td class=xl65 x:num="123.45">123.5</td><td>亿元</td></tr>
 <tr><td>睢阳区</td><td>社会消费品零售总额</td><td>2026-10</td><td rowspan=2>累计同比</td><td x:num>5.2</td><td>%</td></tr>
 <tr><td>睢&nbsp;县</td><td>社会消费品零售总额</td><td>2026-10</td><td>4.1&nbsp;</td><td>%</td></tr>
 <tr><td>永城市</td><td>社会消费品零售总额</td><td>2026-10</td><td>累计同比</td><td class=xl66 x:num="0.063">6.3%</td><td>%</td></tr>
</table></body></html>"""

# A business system's export: a doctype, <th> headers, a <br> inside a cell, no closing tags.
SYSTEM_PAGE = """<!DOCTYPE html><html><body><table>
<tr><th>工单编号</th><th>受理时间</th><th>诉求类别</th><th>地区</th><th>办理状态</th><th>办理时限</th><th>诉求内容</th>
<tr><td>SQ2026110001<td>2026-11-03 09:05<td>供暖<td>梁园区<td>办理中<td>2026-11-08 09:05<td>暖气不热<br>已两天
</table>"""


def _page(text: str, encoding: str = "utf-8") -> bytes:
    return text.encode(encoding)


def test_a_sheet_excel_saved_as_a_web_page_is_read_as_its_table(store):
    checked = V.check_bytes(store, _page(EXCEL_PAGE, "gb18030"), "社零.xls", V.Options(today=TODAY))
    assert checked.ok, [p.line() for p in checked.problems.items]
    frame = checked.dataset("observations").frame
    assert sorted(zip(frame.region_code, frame.measure, frame.value)) == [
        ("411402", "ytd", 123.45), ("411403", "ytd_yoy", 5.2), ("411422", "ytd_yoy", 4.1), ("411481", "ytd_yoy", 6.3)]
    notes = [p.line() for p in checked.problems.items]
    assert notes[:2] == ["[说明] 文件是网页格式的表格（常见于业务系统的“导出 Excel”），已按表格读取。",
                         "[说明] 文件按 GBK 编码读取。"]
    assert "[说明] 表格：1 处合并单元格按所合并的每一行读取（如 D4:D5），请核对" in notes


def test_a_systems_ticket_export_as_a_web_page_is_read(store):
    checked = V.check_bytes(store, _page(SYSTEM_PAGE), "工单导出.xls", V.Options(today=TODAY))
    assert checked.ok, [p.line() for p in checked.problems.items]
    frame = checked.dataset("hotline_tickets").frame
    assert list(zip(frame.source_key, frame.region_code, frame.status)) == [("SQ2026110001", "411402", "办理中")]


HOSTILE = [
    # (what, page, words of the refusal)
    ("a span of a hundred million columns and rows",
     '<table><tr><td colspan="100000000" rowspan="100000000">地区</td></tr>' + "<tr><td>1</td></tr>" * 10 + "</table>",
     "没有找到可识别的数据表"),
    ("more rows than an upload may hold", "<table>" + "<tr><td>1</td></tr>" * 250_001 + "</table>",
     "网页表格行数过多（已超过 250,000 行）"),
    ("spans that together make too many cells",
     "<table><tr>" + '<td colspan="1000">x</td>' * 5_001 + "</tr></table>",
     "网页表格的单元格过多（合并单元格展开后超过 5,000,000 个）"),
    ("a million empty tables", "<table>" * 1_000_000, "网页中的表格过多（超过 1,000 张）"),
    ("a page without a table", "<html><body><p>导出失败，请重新登录</p></body></html>",
     "文件是网页（HTML），其中没有表格，无法读取"),
    ("a table written by a script only", "<html><script>document.write('<table><tr><td>1</td></tr></table>')</script></html>",
     "文件是网页（HTML），其中没有表格，无法读取"),
    ("Excel 2003's XML workbook", '<?xml version="1.0"?><?mso-application progid="Excel.Sheet"?>'
     '<Workbook xmlns="urn:schemas-microsoft-com:office:spreadsheet"><Worksheet/></Workbook>',
     "这是 Excel 2003 XML 表格，请在 Excel 中“另存为”Excel 工作簿（.xlsx）后再上传。"),
]


@pytest.mark.parametrize("what,page,words", HOSTILE, ids=[h[0] for h in HOSTILE])
def test_a_hostile_web_page_is_refused_in_chinese_and_nothing_is_stored(store, what, page, words):
    _, text = attempt(store, _page(page), "导出.xls")
    assert words in text


def test_a_cut_off_page_reads_what_arrived_and_markup_in_a_cell_is_text(store):
    page = ("<table><tr><td>地区</td><td>指标</td><td>时期</td><td>口径</td><td>数值</td></tr>"
            "<tr><td>梁园区</td><td>社会消费品零售总额&lt;script&gt;</td><td>2026-10</td><td>累计</td><td>1</td></tr>")
    checked, text = attempt(store, _page(page), "导出.xls")
    assert "未识别的指标名称“社会消费品零售总额<script>”" in text  # shown as written, refused as unknown
