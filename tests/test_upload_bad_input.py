"""Every kind of bad file: the Chinese message a person reads, and a store left exactly as it was."""
from __future__ import annotations

import io
import zipfile
from pathlib import Path

import openpyxl
import pytest

from cockpit.uploads import commit as C, validate as V
from cockpit.exports import to_csv as export_csv
from tests.fixtures.upload_files import (GOOD, HEADER, TODAY, csv_bytes, replace_member, state,
                                         with_shared_strings, xlsx)


def attempt(store, data: bytes, name: str = "报表.xlsx", **options):
    """Validate and try to commit; the store must not change. Returns (checked, all messages)."""
    before = state(store)
    max_bytes = options.pop("max_bytes", None)
    checked = V.check_bytes(store, data, name, V.Options(today=TODAY, **options), max_bytes=max_bytes)
    result = C.commit(store, checked, data=data, file_name=name, created_by="测试员")
    assert result.status == "rejected"
    assert state(store) == before
    text = "\n".join(p.line() for p in checked.problems.items)
    return checked, text


def errors(checked) -> list:
    return checked.problems.errors


def test_empty_file(store):
    _, text = attempt(store, b"")
    assert "文件是空的（0 字节）" in text


@pytest.mark.parametrize("name", ["报表.xlsx", "报表.csv", "报表.xls"])
def test_a_picture_is_not_a_workbook_whatever_its_name(store, name):
    png = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 20
    _, text = attempt(store, png, name)
    assert "不是 Excel 工作簿（.xlsx），也不是 CSV 文本文件" in text


def test_a_zip_that_is_not_a_workbook(store):
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("word/document.xml", "<w/>")
    _, text = attempt(store, buf.getvalue())
    assert "压缩包里没有工作簿内容" in text


def test_over_the_size_limit(store):
    _, text = attempt(store, xlsx(GOOD), max_bytes=1000)
    assert "超过上限 1 KB" in text and "文件大小" in text  # a limit under 1 MB is not "0 MB"


def test_zip_bomb_is_refused_from_its_declared_size(store):
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("xl/workbook.xml", "<workbook/>")
        z.writestr("xl/worksheets/sheet1.xml", b"\0" * (60 * 1024 * 1024))
    assert len(buf.getvalue()) < 1024 * 1024  # small on the wire
    _, text = attempt(store, buf.getvalue())
    assert "疑似“压缩炸弹”" in text


BILLION_LAUGHS = (b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
                  + b"".join(b'<!ENTITY lol%d "%s">' % (i, (b"&lol%d;" % (i - 1) if i > 1 else b"&lol;") * 10)
                             for i in range(1, 10))
                  + b']><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="1" '
                    b'uniqueCount="1"><si><t>&lol9;</t></si></sst>')


def test_xml_entity_bomb_in_shared_strings(store):
    data = with_shared_strings(xlsx(GOOD), BILLION_LAUGHS)
    _, text = attempt(store, data)
    assert "DOCTYPE/ENTITY" in text and "XML 炸弹" in text


def test_defusedxml_guards_openpyxl_as_well():
    import defusedxml

    import cockpit.uploads.parse  # noqa: F401  (defuses the standard library on import)
    data = with_shared_strings(xlsx(GOOD), BILLION_LAUGHS)
    with pytest.raises(ValueError) as exc:  # openpyxl wraps the parser's refusal
        openpyxl.load_workbook(io.BytesIO(data))
    assert isinstance(exc.value.__context__, defusedxml.DefusedXmlException)


def test_encrypted_workbook(store):
    ole = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 504 + "EncryptedPackage".encode("utf-16-le") + b"\0" * 512
    _, text = attempt(store, ole)
    assert "文件已加密" in text and "取消密码" in text


def test_legacy_xls(store):
    ole = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 504 + "Workbook".encode("utf-16-le") + b"\0" * 512
    _, text = attempt(store, ole, "旧报表.xls")
    assert "旧版 Excel 97-2003 工作簿（.xls）" in text and "另存为" in text


def test_xlsb(store):
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("xl/workbook.bin", b"\x83\x01\x00")
    _, text = attempt(store, buf.getvalue(), "报表.xlsb")
    assert "二进制工作簿（.xlsb）" in text


def test_xlsm_macros_are_ignored_and_said_so(store):
    data = replace_member(xlsx(GOOD), "xl/vbaProject.bin", b"\xd0\xcf\x11\xe0 macro", add=True)
    checked = V.check_bytes(store, data, "带宏.xlsm", V.Options(today=TODAY))
    assert checked.ok
    assert any("宏不会被运行" in p.reason for p in checked.problems.notes)


def test_missing_sheet_names_the_sheets_found(store):
    data = xlsx([["随便写点什么", 1]], header=["备忘", "数量"], sheet="Sheet1")
    _, text = attempt(store, data)
    assert "没有找到可识别的数据表" in text and "“Sheet1”" in text


def test_renamed_sheet_is_read_and_the_sheet_used_is_named(store):
    checked = V.check_bytes(store, xlsx(GOOD, sheet="数据 (2)"), "x.xlsx", V.Options(today=TODAY))
    assert checked.ok and checked.sheets == ["数据 (2)（逐行格式）"]


def test_missing_column(store):
    header = ["地区", "指标", "时期", "数值"]
    _, text = attempt(store, xlsx([r[:3] + [r[4]] for r in GOOD], header=header))
    assert "缺少必需的列：口径" in text


def test_duplicated_column(store):
    header = HEADER + ["数值"]
    checked, text = attempt(store, xlsx([r + [1] for r in GOOD], header=header))
    assert "列重复：E列“数值”、G列“数值” 表示同一项" in text


def test_extra_columns_are_listed_as_ignored_and_headers_may_be_reordered_with_full_width_spaces(store):
    header = ["指标　", " 地区", "数值", "口径", "时期", "单位", "位次", "备注"]
    rows = [[r[1], r[0], r[4], r[3], r[2], r[5], 3, "无"] for r in GOOD]
    checked = V.check_bytes(store, xlsx(rows, header=header), "x.xlsx", V.Options(today=TODAY))
    assert checked.ok
    ignored = {(p.column, p.value) for p in checked.problems.skipped if p.reason == "模板外的列，不导入"}
    assert ignored == {("G", "位次"), ("H", "备注")}


def test_formula_without_cached_value(store):
    rows = [GOOD[0][:4] + ["=1+2", "亿元"]]
    _, text = attempt(store, xlsx(rows))
    assert "数据/第2行/E（数值）：“=1+2”公式没有计算结果" in text


def test_excel_error_values(store):
    def put_error(wb, ws):
        ws["E2"] = "#DIV/0!"  # openpyxl stores this as an error cell (t="e")
    _, text = attempt(store, xlsx([GOOD[0][:4] + [None, "亿元"]], extra=put_error))
    assert "第2行/E（数值）：“#DIV/0!”单元格是 Excel 错误值 #DIV/0!" in text


@pytest.mark.parametrize("cell, reason", [("N/A", "不是数字（暂无数据请填“—”或留空）"), ("#N/A", "是 Excel 错误值 #N/A，不是数字"),
                                          ("约120", "不是数字（请填数字；暂无数据请填“—”或留空）"),
                                          ("TRUE", "不是数字（请填数字；暂无数据请填“—”或留空）"),
                                          ("下降3.2", "不是数字：增减请只写数，如 -3.2"),
                                          ("增长5.1%", "不是数字：增减请只写数，如 5.1"),
                                          ("12.3亿", "不是数字：请去掉单位“亿”，只填 12.3（单位写在表头或单位行）"),
                                          ("119亿元", "不是数字：请去掉单位“亿元”，只填 119（单位写在表头或单位行）"),
                                          ("5.1*", "不是数字（请填数字；暂无数据请填“—”或留空）"),
                                          ("..", "不是数字（请填数字；暂无数据请填“—”或留空）")])
def test_text_in_number_cells(store, cell, reason):
    rows = [GOOD[0][:4] + [cell, "亿元"], GOOD[1]]
    checked, text = attempt(store, csv_bytes(rows), "x.csv")
    assert len(errors(checked)) == 1
    p = errors(checked)[0]
    assert (p.sheet, p.row, p.column, p.value, p.reason) == ("CSV", 2, "E（数值）", cell, reason)


@pytest.mark.parametrize("mark", ["*", "未公布", "暂无", "保密"])
def test_a_release_mark_of_no_figure_is_no_data_not_an_error(store, mark):
    """* (保密) and 未公布 refused the file as 不是数字; a release prints them for a figure it withholds."""
    checked = V.check_bytes(store, xlsx([GOOD[0][:4] + [mark, "亿元"], GOOD[1]]), "x.xlsx", V.Options(today=TODAY))
    assert checked.ok and len(checked.dataset("observations").frame) == 1


def test_full_width_digits_and_thousands_and_percent_strings_are_read_and_reported(store):
    rows = [GOOD[0][:4] + ["１２３.５", "亿元"], ["睢县", "社会消费品零售总额", "2026-10", "累计", "1,234.5", "亿元"],
            ["睢阳区", "社会消费品零售总额", "2026-10", "累计同比", "5.2%", "%"]]
    checked = V.check_bytes(store, xlsx(rows), "x.xlsx", V.Options(today=TODAY))
    assert checked.ok
    assert sorted(checked.dataset("observations").frame.value) == [5.2, 123.5, 1234.5]
    notes = " ".join(p.reason for p in checked.problems.notes)
    assert "按“全角数字”规则读取" in notes and "按“千分位”规则读取" in notes and "按“百分号”规则读取" in notes


def test_excel_serial_date_in_the_period_is_converted_with_a_warning(store):
    rows = [GOOD[0][:2] + [46295] + GOOD[0][3:]]
    checked = V.check_bytes(store, xlsx(rows), "x.xlsx", V.Options(today=TODAY))
    assert checked.ok and list(checked.dataset("observations").frame.period) == ["2026-09"]
    assert any("Excel 日期序号" in p.reason for p in checked.problems.warnings)


@pytest.mark.parametrize("period, reason", [("2026-02-30", "日期 2026年2月30日 不存在"), ("2026-13", "月份 13 不存在"),
                                            ("上个月", "不是有效的月份")])
def test_impossible_dates(store, period, reason):
    _, text = attempt(store, xlsx([GOOD[0][:2] + [period] + GOOD[0][3:]]))
    assert reason in text


@pytest.mark.parametrize("written,month", [("2026年1—10月", "2026-10"), ("2026年1-10月", "2026-10"),
                                           ("2026年 1～10 月", "2026-10"), ("2026年前三季度", "2026-09")])
def test_a_cumulative_figure_may_name_its_span_as_bulletins_write_it(store, written, month):
    rows = [["梁园区", "社会消费品零售总额", written, "累计", 123.4, "亿元"],
            ["永城市", "社会消费品零售总额", written, "累计同比", 5.2, "%"]]
    checked = V.check_bytes(store, xlsx(rows), "x.xlsx", V.Options(today=TODAY))
    assert checked.ok, [p.line() for p in checked.problems.items]
    frame = checked.dataset("observations").frame
    assert sorted(zip(frame.period, frame.measure)) == [(month, "ytd"), (month, "ytd_yoy")]


def test_a_span_under_a_monthly_measure_is_refused_and_says_which_to_mend(store):
    rows = [["全市", "城镇调查失业率", "2026年1—10月", "当月", 4.8, "%"], GOOD[0]]
    checked, text = attempt(store, xlsx(rows))
    assert [(p.row, p.column, p.value) for p in errors(checked)] == [(2, "C（时期）", "2026年1—10月")]
    assert "是累计区间，口径却是“当月”：累计数的口径请写“累计”，当月数的时期请写成某年某月" in text


@pytest.mark.parametrize("written", ["2026年2—10月", "2026年1—13月", "2026年第三季度"])
def test_a_span_not_from_january_or_past_december_is_no_period(store, written):
    _, text = attempt(store, xlsx([GOOD[0][:2] + [written] + GOOD[0][3:]]))
    assert "数据/第2行/C（时期）" in text and ("不是有效的月份" in text or "月份 13 不存在" in text)


@pytest.mark.parametrize("written", ["2026年10月份", "2026年10月末", "2026年1—10月份"])
def test_a_month_written_with_fen_or_mo_is_that_month(store, written):
    rows = [["梁园区", "社会消费品零售总额", written, "累计", 123.4, "亿元"]]
    checked = V.check_bytes(store, xlsx(rows), "x.xlsx", V.Options(today=TODAY))
    assert checked.ok, [p.line() for p in checked.problems.items]
    assert list(checked.dataset("observations").frame.period) == ["2026-10"]


YEAR_MONTH = ["地区", "指标", "年份", "月份", "口径", "数值", "单位"]


def test_a_year_column_beside_a_month_column_names_each_rows_month(store):
    """Database exports write the year and the month apart (年份 2026, 月份 9 or "10月份")."""
    rows = [["梁园区", "社会消费品零售总额", 2026, 9, "累计", 110.5, "亿元"],
            ["梁园区", "社会消费品零售总额", "2026年", "10月份", "累计", 123.4, "亿元"],
            ["永城市", "社会消费品零售总额", 2026, "2026-10", "累计同比", 5.2, "%"]]
    checked = V.check_bytes(store, xlsx(rows, header=YEAR_MONTH), "x.xlsx", V.Options(today=TODAY))
    assert checked.ok and not checked.problems.items, [p.line() for p in checked.problems.items]
    frame = checked.dataset("observations").frame
    assert sorted(zip(frame.region_code, frame.period, frame.value)) == [
        ("411402", "2026-09", 110.5), ("411402", "2026-10", 123.4), ("411481", "2026-10", 5.2)]


def test_a_year_column_that_disagrees_or_is_no_year_is_refused_where_it_is(store):
    rows = [["梁园区", "社会消费品零售总额", 2025, "2026-10", "累计", 123.4, "亿元"],
            ["永城市", "社会消费品零售总额", "今年", 10, "累计同比", 5.2, "%"]]
    checked, text = attempt(store, xlsx(rows, header=YEAR_MONTH))
    assert [(p.row, p.column, p.value) for p in errors(checked)] == [
        (2, "C（年份）、D（月份）", "2026-10"), (3, "C（年份）、D（月份）", "10")]
    assert "时期与“年份”列的 2025 不一致" in text and "“年份”列的“今年”不是年份（应写成 2026）" in text


@pytest.mark.parametrize("month", [10, "10", "10月份"])
def test_a_month_without_a_year_is_refused_not_read_as_a_day_of_1900(store, month):
    """10 in a 月份 column was Excel's day 10 (1900-01-09), and imported with a mere warning."""
    rows = [["梁园区", "社会消费品零售总额", month, "累计", 123.4, "亿元"]]
    checked, text = attempt(store, xlsx(rows, header=["地区", "指标", "月份", "口径", "数值", "单位"]))
    assert [(p.row, p.column) for p in errors(checked)] == [(2, "C（月份）")]
    assert "只有月份 10，没有年份：请写成 2026-10 或 2026年10月，或在“月份”列旁加一列“年份”" in text


def test_a_small_number_in_the_period_is_no_date(store):
    _, text = attempt(store, xlsx([GOOD[0][:2] + [2026] + GOOD[0][3:]]))
    assert "数据/第2行/C（时期）：“2026”数字 2026 不是月份（应写成 2026-10 或 2026年10月）" in text


@pytest.mark.parametrize("minus", ["\u2212", "\u2013", "\u2012", "\u2010"])
def test_a_minus_sign_set_by_word_or_a_pdf_is_a_minus(store, minus):
    rows = [["永城市", "社会消费品零售总额", "2026-10", "累计同比", f"{minus}5.2", "%"],
            ["梁园区", "社会消费品零售总额", "2026-10", "累计同比", minus, "%"]]
    checked = V.check_bytes(store, xlsx(rows), "x.xlsx", V.Options(today=TODAY))
    assert checked.ok, [p.line() for p in checked.problems.items]
    assert list(checked.dataset("observations").frame.value) == [-5.2]  # the lone sign: no data
    assert "1 个数值按“负号写法”规则读取" in " ".join(p.reason for p in checked.problems.notes)


def test_a_region_merged_down_its_rows_names_each_row_and_a_merged_value_does_not(store):
    """梁园区 merged beside its two figures is the region of both (calamine leaves the second empty);
    a 数值 merged over two rows is the first row's figure only."""
    rows = [["梁园区", "社会消费品零售总额", "2026-10", "累计", 123.4, "亿元"],
            [None, "社会消费品零售总额", "2026-10", "累计同比", 5.2, "%"],
            ["睢阳区", "社会消费品零售总额", "2026-10", "累计", 100.4, "亿元"],
            ["睢县", "社会消费品零售总额", "2026-10", "累计", None, "亿元"]]

    def merge(wb, ws):
        ws.merge_cells("A2:A3")
        ws.merge_cells("E4:E5")
    checked = V.check_bytes(store, xlsx(rows, extra=merge), "x.xlsx", V.Options(today=TODAY))
    assert checked.ok, [p.line() for p in checked.problems.items]
    frame = checked.dataset("observations").frame
    assert sorted(zip(frame.region_code, frame.measure, frame.value)) == [
        ("411402", "ytd", 123.4), ("411402", "ytd_yoy", 5.2), ("411403", "ytd", 100.4)]
    assert "[说明] 数据：1 处合并单元格按所合并的每一行读取（如 A2:A3），请核对" in [p.line() for p in checked.problems.items]


def test_a_number_shown_as_a_percentage_is_read_as_shown(store):
    """Typed 5.2% into a cell formatted 0.0%, Excel keeps 0.052: it was stored as a growth of 0.052%.
    A format that only prints a % sign as text (0.0"%") shows the number itself."""
    rows = [["梁园区", "社会消费品零售总额", "2026-10", "累计同比", 0.052, "%"],
            ["睢阳区", "社会消费品零售总额", "2026-10", "累计同比", -0.031, "%"],
            ["睢县", "社会消费品零售总额", "2026-10", "累计同比", 4.5, "%"],
            ["永城市", "社会消费品零售总额", "2026-10", "累计", 0.5, "亿元"]]

    def formats(wb, ws):
        ws["E2"].number_format, ws["E3"].number_format, ws["E4"].number_format = "0.0%", "0%", '0.0"%"'
    checked = V.check_bytes(store, xlsx(rows, extra=formats), "x.xlsx", V.Options(today=TODAY))
    assert checked.ok, [p.line() for p in checked.problems.items]
    frame = checked.dataset("observations").frame
    assert sorted(zip(frame.region_code, frame.value)) == [
        ("411402", 5.2), ("411403", -3.1), ("411422", 4.5), ("411481", 0.5)]
    assert "[说明] 数据/第2行/E（数值）：“5.2%”2 个数值按“百分号”规则读取（如此格），请核对" in [
        p.line() for p in checked.problems.items]


def test_a_task_share_done_shown_as_a_percentage_is_that_percentage(store):
    def formats(wb, ws):
        ws["C2"].number_format = "0%"
    data = xlsx([[1, "推进中", 0.8, "", "市大数据局"]], header=["序号", "进展状态", "完成比例", "进展说明", "报送单位"],
                sheet="任务进展", extra=formats)
    checked = V.check_bytes(store, data, "任务.xlsx", V.Options(today=TODAY))
    assert checked.ok, [p.line() for p in checked.problems.items]
    assert list(checked.dataset("task_progress").frame.percent) == [80.0]


@pytest.mark.parametrize("region,indicator", [("梁园区*", "社会消费品零售总额①"), ("梁园区①", "△社会消费品零售总额"),
                                              ("梁园区", "社会消费品零售总额（亿元）※"), ("梁园区[1]", "社会消费品零售总额¹")])
def test_a_footnote_mark_on_a_name_is_not_part_of_it(store, region, indicator):
    checked = V.check_bytes(store, xlsx([[region, indicator, "2026-10", "累计", 123.4, "亿元"]]), "x.xlsx",
                            V.Options(today=TODAY))
    assert checked.ok and not checked.unknown, [p.line() for p in checked.problems.items]
    frame = checked.dataset("observations").frame
    assert list(zip(frame.region_code, frame.indicator_code)) == [("411402", "RETAIL")]


def test_a_growth_row_under_an_indicator_or_named_after_it_is_that_indicators_rate(store):
    """统计月报 with the counties across: a bare 增速 row is the growth of the indicator above it, and
    规模以上工业增加值增速 is that indicator's 同比 (1—10月 in the title: 累计同比)."""
    rows = [["2026年1—10月各县（市、区）主要经济指标"], ["指标", "单位", "全市", "梁园区"],
            ["社会消费品零售总额", "亿元", 1000.0, 100.0], ["  增速", "%", 5.0, 5.1],
            ["规模以上工业增加值增速", "%", 6.0, 6.1], ["人口自然增长率", "‰", 1.2, 1.3]]
    checked = V.check_bytes(store, xlsx(rows, header=None, sheet="分县区"), "x.xlsx", V.Options(today=TODAY))
    assert checked.ok, [p.line() for p in checked.problems.items]
    frame = checked.dataset("observations").frame
    assert sorted(zip(frame.indicator_code, frame.region_code, frame.measure, frame.value)) == [
        ("IND_VA", "411400", "ytd_yoy", 6.0), ("IND_VA", "411402", "ytd_yoy", 6.1),
        ("RETAIL", "411400", "ytd", 1000.0), ("RETAIL", "411400", "ytd_yoy", 5.0),
        ("RETAIL", "411402", "ytd", 100.0), ("RETAIL", "411402", "ytd_yoy", 5.1)]
    assert [u["text"] for u in checked.unknown] == ["人口自然增长率"]  # no indicator of ours: listed, not guessed


def test_a_column_of_increase_or_decrease_is_the_growth_rate_and_one_in_points_is_not_imported(store):
    """增减(%) beside a level is its growth (it was read as a second level: 5.2 亿元); 增减百分点 is a
    rate's change in points, no growth rate at all."""
    rows = [["2026年1—10月商丘市主要经济指标"], ["指标", "单位", "1—10月", "累计增减(%)", "比上年增减百分点"],
            ["社会消费品零售总额", "亿元", 1000.0, 5.2, 0.3]]
    checked = V.check_bytes(store, xlsx(rows, header=None, sheet="全市"), "x.xlsx", V.Options(today=TODAY))
    assert checked.ok, [p.line() for p in checked.problems.items]
    frame = checked.dataset("observations").frame
    assert sorted(zip(frame.measure, frame.value)) == [("ytd", 1000.0), ("ytd_yoy", 5.2)]
    assert "[未导入] 全市/第3行/E（比上年增减百分点）：增减百分点列，不导入（第 3 行）" in [
        p.line() for p in checked.problems.items]


UNIT_REPORT = ["序号", "重点任务", "牵头单位", "完成时限", "进展情况", "完成比例", "进展状态"]


def test_a_units_own_task_report_names_the_unit_and_date_above_the_table(store):
    """A lead unit's report says 填报单位 and 填报日期 once, above its table, not in a column."""
    rows = [["商丘市数字政府建设重点任务进展情况（2026年10月）"], ["填报单位：市大数据局", None, None, "填报日期：2026年10月31日"],
            UNIT_REPORT, [1, "建设一体化政务大数据体系", "市大数据局", "2025年底", "已完成主体建设", "80%", "推进中"]]
    checked = V.check_bytes(store, xlsx(rows, header=None, sheet="任务进展"), "任务.xlsx", V.Options(today=TODAY))
    assert checked.ok, [p.line() for p in checked.problems.items]
    frame = checked.dataset("task_progress").frame
    assert list(zip(frame.task_number, frame.reporting_unit, frame.reported_on.astype(str), frame.percent)) == [
        (1, "市大数据局", "2026-10-31", 80.0)]
    lines = [p.line() for p in checked.problems.items]
    assert "[说明] 任务进展/第2行：报送单位取自第 2 行：市大数据局" in lines
    assert "[说明] 任务进展：报送日期取自第 2 行：2026-10-31" in lines


def test_a_task_report_dated_in_the_future_or_naming_no_unit_is_refused(store):
    future = [["填报单位：市大数据局", "填报日期：2026年12月31日"], UNIT_REPORT, [1, "任务", "市大数据局", "", "", 50, "推进中"]]
    _, text = attempt(store, xlsx(future, header=None, sheet="任务进展"))
    assert "任务进展/第1行：报送日期 2026-12-31 在未来" in text
    nameless = [UNIT_REPORT, [1, "任务", "市大数据局", "", "", 50, "推进中"]]
    _, text = attempt(store, xlsx(nameless, header=None, sheet="任务进展"))
    assert "缺少必需的列：报送单位" in text


def test_tables_one_under_another_are_each_read_under_their_own_header(store):
    """一、… 二、… in one sheet, each table with its own columns: the second was read with the first's
    (全社会用电量's growth 4.4 stored as its 1—10月 level, and its 10月 level as the growth)."""
    rows = [["2026年1—10月商丘市主要经济指标"], ["一、消费"], ["指标", "单位", "1—10月", "增速(%)"],
            ["社会消费品零售总额", "亿元", 1000.0, 5.2], ["二、能源"], ["指标", "单位", "增速(%)", "10月"],
            ["全社会用电量", "亿千瓦时", 4.4, 12.0], ["三、当月消费"], ["指标", None, "当月"], [None, None, "绝对值", "增速(%)"],
            ["社会消费品零售总额", "亿元", 95.0, 4.0]]

    def merge(wb, ws):
        ws.merge_cells("C9:D9")
    checked = V.check_bytes(store, xlsx(rows, header=None, sheet="全市", extra=merge), "x.xlsx", V.Options(today=TODAY))
    assert checked.ok, [p.line() for p in checked.problems.items]
    frame = checked.dataset("observations").frame
    assert sorted(zip(frame.indicator_code, frame.measure, frame.value)) == [
        ("POWER", "month", 12.0), ("POWER", "ytd_yoy", 4.4), ("RETAIL", "month", 95.0), ("RETAIL", "month_yoy", 4.0),
        ("RETAIL", "ytd", 1000.0), ("RETAIL", "ytd_yoy", 5.2)]
    lines = [p.line() for p in checked.problems.items]
    assert lines.count("[说明] 全市：地区：商丘市（取自工作表名）") == 1  # said once, not once a table


@pytest.mark.parametrize("header,refused", [("1—10月（万元）", True), ("1—10月(亿元)", False), ("绝对值（2026年）", False)])
def test_a_unit_named_in_a_column_header_is_checked_against_the_catalogue(store, header, refused):
    """1—10月（万元） over figures in 万元 was stored as 亿元 when the figures were small enough to pass the bounds."""
    rows = [["2026年1—10月各县（市、区）社会消费品零售总额"], ["地区", header, "增速（%）"], ["梁园区", 120.0, 5.1]]
    data = xlsx(rows, header=None, sheet="分县区")
    if refused:
        _, text = attempt(store, data)
        assert f"分县区/第3行/B（{header.replace('（万元）', '(万元)')}）：“万元”单位与指标目录的“亿元”不一致，请换算后填报" in text
    else:
        checked = V.check_bytes(store, data, "x.xlsx", V.Options(today=TODAY))
        assert checked.ok, [p.line() for p in checked.problems.items]
        assert sorted(checked.dataset("observations").frame.value) == [5.1, 120.0]


@pytest.mark.parametrize("header", [["地区", "指标", "时期（年月）", "口径", "数值（亿元）"],
                                    ["所属区县", "指标名称", "统计时期", "统计口径", "数据值"]])
def test_headers_with_a_bracketed_addition_or_another_common_name_are_the_templates(store, header):
    rows = [["梁园区", "社会消费品零售总额", "2026-10", "累计", 12.5]]
    checked = V.check_bytes(store, xlsx(rows, header=header), "x.xlsx", V.Options(today=TODAY))
    assert checked.ok and not checked.problems.items, [p.line() for p in checked.problems.items]
    assert list(checked.dataset("observations").frame.value) == [12.5]


def test_a_unit_in_the_value_header_is_each_figures_unit(store):
    rows = [["梁园区", "社会消费品零售总额", "2026-10", "累计", 125000.0]]
    _, text = attempt(store, xlsx(rows, header=["地区", "指标", "时期", "口径", "数值（万元）"]))
    assert "数据/第2行/E（数值（万元））：“万元”单位与指标目录的“亿元”不一致，请换算后填报" in text


@pytest.mark.parametrize("unit,refused", [("亿元", False), ("万元", True)])
def test_one_indicators_table_with_the_counties_across_and_its_measures_down(store, unit, refused):
    """The indicator in the title only, the counties across, a row a 口径 with its unit in brackets."""
    rows = [["2026年1—10月各县（市、区）社会消费品零售总额"], ["项目", "全市", "梁园区", "睢阳区"],
            [f"累计（{unit}）", 1000.0, 100.0, 90.0], ["同比增长（%）", 5.0, 5.1, 4.9]]
    data = xlsx(rows, header=None, sheet="社零")
    if refused:
        _, text = attempt(store, data)
        assert f"社零/第3行/A：“{unit}”单位与指标目录的“亿元”不一致，请换算后填报" in text
        return
    checked = V.check_bytes(store, data, "x.xlsx", V.Options(today=TODAY))
    assert checked.ok, [p.line() for p in checked.problems.items]
    frame = checked.dataset("observations").frame
    assert sorted(zip(frame.region_code, frame.measure, frame.value)) == [
        ("411400", "ytd", 1000.0), ("411400", "ytd_yoy", 5.0), ("411402", "ytd", 100.0), ("411402", "ytd_yoy", 5.1),
        ("411403", "ytd", 90.0), ("411403", "ytd_yoy", 4.9)]


SEMI_LONG = ["地区", "指标", "时期", "本月", "本年累计", "累计同比增长(%)", "增速(%)", "单位"]


def test_a_column_for_each_measure_in_place_of_measure_and_value_is_read_as_such(store):
    """Statistics systems export 地区, 指标, 时期, then 本月 / 本年累计 / 累计同比 side by side."""
    rows = [["梁园区", "社会消费品零售总额", "2026-10", 10.5, 100.5, "5.1", 9, "亿元"],
            ["睢阳区", "社会消费品零售总额", "2026年10月", 9.5, 90.5, "—", 9, "亿元"]]
    checked = V.check_bytes(store, xlsx(rows, header=SEMI_LONG), "x.xlsx", V.Options(today=TODAY))
    assert checked.ok, [p.line() for p in checked.problems.items]
    frame = checked.dataset("observations").frame
    assert sorted(zip(frame.region_code, frame.measure, frame.value)) == [
        ("411402", "month", 10.5), ("411402", "ytd", 100.5), ("411402", "ytd_yoy", 5.1),
        ("411403", "month", 9.5), ("411403", "ytd", 90.5)]
    assert set(frame.period) == {"2026-10"}
    skipped = [(p.row, p.column, p.reason) for p in checked.problems.items if p.severity == "skipped"]
    assert skipped == [(1, "G", "模板外的列，不导入")]  # 增速 of which span: not guessed


def test_a_bad_cell_in_a_measure_column_is_named_by_its_row_and_column(store):
    rows = [["梁园区", "社会消费品零售总额", "2026-10", 10.5, "约100", 5.1, None, "亿元"]]
    checked, text = attempt(store, xlsx(rows, header=SEMI_LONG))
    assert [(p.row, p.column, p.value) for p in errors(checked)] == [(2, "E（本年累计）", "约100")]
    assert "数据/第2行/E（本年累计）：“约100”不是数字" in text


def test_unknown_region_and_indicator_are_listed_as_not_imported_and_the_rest_imports(store):
    rows = [["开封市", "社会消费品零售总额", "2026-10", "累计", 1, "亿元"],
            ["梁园区", "社零", "2026-10", "累计", 1, "亿元"], GOOD[0]]
    checked = V.check_bytes(store, xlsx(rows), "x.xlsx", V.Options(today=TODAY))
    assert checked.ok and len(checked.dataset("observations").frame) == 1
    got = [(p.row, p.column, p.value, p.reason) for p in checked.problems.skipped]
    assert got == [(2, "A（地区）", "1", "未识别的地区名称“开封市”，不导入"),
                   (3, "B（指标）", "1", "未识别的指标名称“社零”，不导入")]
    assert [(u["kind"], u["text"], u["count"]) for u in checked.unknown] == [("region", "开封市", 1),
                                                                            ("indicator", "社零", 1)]
    assert "2 处内容未导入" in checked.problems.summary()


def test_a_county_named_with_its_city_first_is_that_county_and_another_citys_is_not(store):
    # Provincial and city systems export "商丘市梁园区"; a county of another city stays unknown.
    rows = [["商丘市梁园区", "社会消费品零售总额", "2026-10", "累计", 1, "亿元"],
            ["商丘市 永城市", "社会消费品零售总额", "2026-10", "累计", 2, "亿元"],
            ["商丘睢县", "社会消费品零售总额", "2026-10", "累计", 3, "亿元"],
            ["开封市梁园区", "社会消费品零售总额", "2026-10", "累计", 4, "亿元"]]
    checked = V.check_bytes(store, xlsx(rows), "x.xlsx", V.Options(today=TODAY))
    frame = checked.dataset("observations").frame
    assert dict(zip(frame.region_code, frame.value)) == {"411402": 1.0, "411481": 2.0, "411422": 3.0}
    assert [(p.row, p.reason) for p in checked.problems.skipped] == [(5, "未识别的地区名称“开封市梁园区”，不导入")]


def test_a_file_whose_names_are_all_unknown_imports_nothing_and_says_why(store):
    checked, text = attempt(store, xlsx([["开封市", "社会消费品零售总额", "2026-10", "累计", 1, "亿元"]]))
    assert "文件中没有可导入的数据" in text and "未识别的地区名称“开封市”" in text


def test_names_as_people_write_them_resolve(store):
    rows = [[" 梁 园 ", "其中：全程网办办件量", "2026年10月", "当月", 10, "件"],
            ["411481", "社会消费品零售总额（亿元）", "2026.10", "累计", 12.5, "亿元"]]
    checked = V.check_bytes(store, xlsx(rows), "x.xlsx", V.Options(today=TODAY))
    assert checked.ok
    frame = checked.dataset("observations").frame
    assert list(zip(frame.region_code, frame.indicator_code)) == [("411402", "GOV_ONLINE_CASES"), ("411481", "RETAIL")]


def test_two_values_for_one_key_name_both_places_and_both_values(store):
    rows = [GOOD[0], GOOD[1], ["梁园", "RETAIL", "2026年10月", "累计", 99, "亿元"]]
    checked, text = attempt(store, xlsx(rows))
    assert ("第4行/E（数值）：“99”与工作表“数据”第 2 行 E（数值）的 123.4 不一致（本格 99），"
            "两格都读作“梁园区社会消费品零售总额2026年10月累计”：同一指标、地区、时期、口径只能有一个数") in text


def test_the_same_value_twice_is_one_figure_and_the_preview_says_where(store):
    rows = [GOOD[0], GOOD[1], ["梁园", "RETAIL", "2026年10月", "累计", 123.4, "亿元"]]
    checked = V.check_bytes(store, xlsx(rows), "x.xlsx", V.Options(today=TODAY))
    assert checked.ok and len(checked.dataset("observations").frame) == 2
    assert any(p.row == 4 and p.reason == "与工作表“数据”第 2 行 E（数值）重复，数值相同，按同一个数导入"
               for p in checked.problems.notes)


def test_period_in_the_future(store):
    _, text = attempt(store, xlsx([GOOD[0][:2] + ["2027-01"] + GOOD[0][3:]]))
    assert "时期 2027-01 在未来（当前为 2026-11）" in text


def test_negative_value_where_impossible(store):
    _, text = attempt(store, xlsx([GOOD[0][:4] + [-5, "亿元"]]))
    assert "不能为负数" in text


def test_wrong_unit_and_out_of_range(store):
    rows = [GOOD[0][:4] + [1_234_000, "万元"], ["睢县", "社会消费品零售总额", "2026-10", "累计", 5000, "亿元"]]
    _, text = attempt(store, xlsx(rows))
    assert "单位与指标目录的“亿元”不一致" in text and "超过指标目录的合理上限 2000" in text


def test_a_measure_the_indicator_does_not_publish_is_listed_not_imported(store):
    checked = V.check_bytes(store, xlsx([["全市", "规模以上工业增加值", "2026-10", "当月", 12, "亿元"], GOOD[0]]),
                            "x.xlsx", V.Options(today=TODAY))
    assert checked.ok and len(checked.dataset("observations").frame) == 1
    assert [p.reason for p in checked.problems.skipped] == [
        "该指标不发布此口径：“规模以上工业增加值”不发布“当月”（发布：当月同比、累计同比），不导入"]


def test_formula_like_and_html_text_is_stored_literally_and_escaped_on_export(store):
    note_formula, note_html = "=HYPERLINK(\"http://x\",\"点我\")", "<script>alert('x')</script>"
    rows = [[1, "推进中", 50, note_formula, "市大数据局"], [2, "已完成", 100, note_html, "市大数据局"],
            [3, "推进中", 30, "+86 电话会商", "市大数据局"]]
    data = csv_bytes(rows, header=["序号", "进展状态", "完成比例", "进展说明", "报送单位"])
    checked = V.check_bytes(store, data, "任务.csv", V.Options(today=TODAY))
    assert checked.ok
    r = C.commit(store, checked, data=data, file_name="任务.csv", created_by="测试员")
    assert r.status == "committed"
    stored = store.latest_task_progress().set_index("task_number").note
    assert stored[1] == note_formula and stored[2] == note_html and stored[3] == "+86 电话会商"
    exported = export_csv(store.latest_task_progress()).decode("utf-8-sig")
    assert "'=HYPERLINK" in exported and "'+86 电话会商" in exported and note_html in exported


@pytest.mark.parametrize("name", ["年" * 300 + ".xlsx", "../../../../tmp/evil.xlsx", "C:\\Windows\\system32\\x.xlsx",
                                  "/etc/passwd"])
def test_long_and_path_like_file_names_are_display_only(store, tmp_path, monkeypatch, name):
    work = tmp_path / "cwd"
    work.mkdir()
    monkeypatch.chdir(work)
    data = xlsx(GOOD)
    checked = V.check_bytes(store, data, name, V.Options(today=TODAY))
    r = C.commit(store, checked, data=data, file_name=name, created_by="测试员")
    assert r.status == "committed"
    assert store.batches().file_name.iloc[0] == name[:255]
    assert list(work.iterdir()) == [] and not Path("/tmp/evil.xlsx").exists()


def test_csv_in_utf8_with_and_without_bom_and_gbk(store):
    for encoding in ("utf-8", "utf-8-sig", "gbk"):
        checked = V.check_bytes(store, csv_bytes(GOOD, encoding=encoding), "x.csv", V.Options(today=TODAY))
        assert checked.ok, (encoding, checked.problems.frame())
        assert list(checked.dataset("observations").frame.region_code) == ["411402", "411481", "411400"]
    checked = V.check_bytes(store, csv_bytes(GOOD, encoding="gbk"), "x.csv", V.Options(today=TODAY))
    assert any("GBK" in p.reason for p in checked.problems.notes)


def test_every_problem_is_listed_at_once_with_excel_row_numbers(store):
    rows = [["开封", "社会消费品零售总额", "2026-10", "累计", 1, "亿元"],
            ["梁园", "社会消费品零售总额", "2026-13", "累计", 1, "亿元"],
            ["梁园", "社会消费品零售总额", "2026-10", "累计", "N/A", "亿元"]]
    checked, _ = attempt(store, xlsx(rows, extra=lambda wb, ws: ws.insert_rows(1)))  # header on row 2
    frame = checked.problems.frame(("error",))
    assert list(frame.columns) == ["级别", "工作表", "行", "列", "值", "原因"]
    assert sorted(frame["行"]) == [4, 5]
    assert [p.row for p in checked.problems.skipped] == [3]


def test_more_unknown_rows_than_the_list_holds_neither_refuse_the_file_nor_hide_an_error(store):
    """5,001 rows of names the catalogue lacks once refused a good file as "校验通过" (the list's
    limit counted as an error), and an error after 5,000 such rows was never shown."""
    unknown = [["梁园区", f"指标{i}", "2026-10", "累计", 1, "亿元"] for i in range(5001)]
    checked = V.check_bytes(store, xlsx([GOOD[0], *unknown]), "报表.xlsx", V.Options(today=TODAY))
    assert checked.ok and checked.problems.count("skipped") == 5001
    assert checked.problems.summary().startswith("校验通过；5,001 处内容未导入")
    assert "另有 1 条未列出" in checked.problems.summary()
    assert C.commit(store, checked, data=b"x", file_name="报表.xlsx", created_by="测试员").status == "committed"

    over = ["梁园区", "社会消费品零售总额", "2026-09", "累计", 5555, "亿元"]  # above the catalogue's bound
    checked, text = attempt(store, xlsx([*unknown, over]))
    assert "第5003行" in text and "5555" in text and "超过指标目录的合理上限" in text
    assert checked.problems.summary().startswith("发现 1 个错误")


@pytest.mark.parametrize("state_, how", [("hidden", "已隐藏"), ("veryHidden", "深度隐藏")])
def test_a_hidden_sheet_is_read_and_said_before_anything_is_written(store, state_, how):
    """A very hidden sheet of last year's figures was imported without a word."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "数据"
    ws.append(HEADER)
    ws.append(GOOD[0])
    old = wb.create_sheet("旧数据")
    old.append(HEADER)
    old.append(["睢阳区", "社会消费品零售总额", "2026-10", "累计", 999, "亿元"])
    old.sheet_state = state_
    buf = io.BytesIO()
    wb.save(buf)
    checked = V.check_bytes(store, buf.getvalue(), "报表.xlsx", V.Options(today=TODAY))
    said = [p for p in checked.problems.warnings if p.sheet == "旧数据"]
    assert len(said) == 1 and how in said[0].reason and "若不应导入，请删除该工作表" in said[0].reason
    assert "有 1 条提醒请核对" in checked.problems.summary()


def test_hidden_rows_of_the_long_layout_are_read_and_said(store):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "数据"
    ws.append(HEADER)
    for r in GOOD:
        ws.append(r)
    ws.row_dimensions[3].hidden = True
    buf = io.BytesIO()
    wb.save(buf)
    checked = V.check_bytes(store, buf.getvalue(), "报表.xlsx", V.Options(today=TODAY))
    assert checked.ok and len(checked.datasets[0].frame) == 3
    assert [(p.row, p.reason) for p in checked.problems.notes if "隐藏行" in p.reason] == [(3, "隐藏行 1 行（第 3 行），已照常读取")]


def test_invisible_characters_in_a_heading_or_a_name_are_ignored(store):
    """A zero-width space after 地区 (a copy from a web page) gave "缺少必需的列：地区" beside a
    "地区" that looked the same; a BOM before 梁园区 made it an unknown name."""
    header = ["地区\u200b", *HEADER[1:]]
    rows = [["\ufeff梁园区", "社会消费品零售总额", "2026-10", "累计", "1\u200b23.4", "亿元"], GOOD[1]]
    checked = V.check_bytes(store, xlsx(rows, header=header), "报表.xlsx", V.Options(today=TODAY))
    assert checked.ok, [p.line() for p in checked.problems.items]
    frame = checked.datasets[0].frame.set_index("region_code")
    assert frame.loc["411402", "value"] == 123.4 and not checked.problems.skipped


def test_a_percent_sign_on_an_amount_is_refused_and_on_a_rate_is_read(store):
    rows = [["永城市", "社会消费品零售总额", "2026-10", "累计", "300%", "亿元"]]
    checked, text = attempt(store, xlsx(rows))
    assert "第2行/E（数值）：“300%”数值带百分号，而“社会消费品零售总额”的累计以“亿元”计" in text
    assert "按“百分号”规则读取" not in text  # an error, not also "read as 300"
    ok = [["永城市", "社会消费品零售总额", "2026-10", "累计同比", "5.2%", "%"], ["全市", "城镇调查失业率", "2026-10", "当月", "4.8%", "%"]]
    checked = V.check_bytes(store, xlsx(ok), "报表.xlsx", V.Options(today=TODAY))
    assert checked.ok and sorted(checked.datasets[0].frame.value) == [4.8, 5.2]


def test_a_reporting_unit_too_long_for_the_store_is_refused_naming_the_cell(store):
    """PostgreSQL refused it at the write ("写入时出错…请联系管理员", no row named); SQLite kept it."""
    rows = [[1, "推进中", 50, "", "市大数据局" * 13]]
    checked, text = attempt(store, xlsx(rows, header=["序号", "进展状态", "完成比例", "进展说明", "报送单位"], sheet="任务进展"))
    assert "任务进展/第2行/E（报送单位）" in text and "报送单位超过 64 个字" in text


@pytest.mark.parametrize("cells, advice", [(False, "请选中数据下方的空行删除后保存"), (True, "请分成几个文件上传")])
def test_too_many_rows_says_whether_they_are_empty_formatted_rows_or_data(store, cells, advice):
    """A border run down a whole column makes a million rows with nothing in them: "分成几个文件上传"
    was the wrong advice for that."""
    data = xlsx([GOOD[0]])
    sheet = zipfile.ZipFile(io.BytesIO(data)).read("xl/worksheets/sheet1.xml").decode()
    rows = "".join((f'<row r="{r}"><c r="A{r}" t="n"><v>1</v></c></row>' if cells else f'<row r="{r}" s="1" customFormat="1"/>')
                   for r in range(3, 260_000))
    sheet = sheet.replace("</sheetData>", rows + "</sheetData>")
    _, text = attempt(store, replace_member(data, "xl/worksheets/sheet1.xml", sheet.encode()))
    assert "行数过多（已超过 250,000 行）" in text and advice in text


def test_two_sheets_whose_names_differ_by_a_space_are_told_apart_in_every_message(store):
    wb = openpyxl.Workbook()
    for ws, value in ((wb.active, 100), (wb.create_sheet("数据 "), 200)):
        if ws.title != "数据 ":
            ws.title = "数据"
        ws.append(HEADER)
        ws.append(["梁园区", "社会消费品零售总额", "2026-10", "累计", value, "亿元"])
    buf = io.BytesIO()
    wb.save(buf)
    checked, text = attempt(store, buf.getvalue())
    assert "[错误] “数据 ”/第2行/E（数值）：“200”与工作表“数据”第 2 行" in text, text
    assert list(checked.problems.frame()["工作表"]) == ["“数据 ”"]


def test_numbers_in_a_csv_are_not_each_noted_as_text_but_in_a_workbook_they_are(store):
    """Every number of a CSV is text: "2 个数值按“文本数字”规则读取，请核对" was noise on every CSV."""
    rows = [GOOD[0][:4] + ["123.4", "亿元"], ["全市", "城镇调查失业率", "2026-10", "当月", "4.8", "%"]]
    said = {}
    for name, data in (("x.csv", csv_bytes(rows)), ("x.xlsx", xlsx(rows))):
        checked = V.check_bytes(store, data, name, V.Options(today=TODAY))
        assert checked.ok and sorted(checked.dataset("observations").frame.value) == [4.8, 123.4]
        said[name] = " ".join(p.reason for p in checked.problems.notes)
    assert "文本数字" not in said["x.csv"] and "2 个数值按“文本数字”规则读取" in said["x.xlsx"]


def test_a_text_file_named_xlsx_is_said_to_be_text_not_a_sheet_called_csv(store):
    """A note renamed 月报.xlsx was refused as holding 工作表“CSV”, which the clerk never made."""
    from cockpit.uploads import validate as V
    checked = V.check_bytes(store, "这是一份说明，不是报表\n请见附件\n".encode(), "月报.xlsx", V.Options())
    said = " ".join(p.reason for p in checked.problems.items)
    assert not checked.ok and "文本（不是 Excel 工作簿）" in said and "“CSV”" not in said, said
