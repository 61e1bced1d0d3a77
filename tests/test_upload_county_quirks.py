"""What a review of real county workbooks found stored wrongly, each now stored right or refused
naming the cell: units on the unit line and after a name, a 填报日期 beside its label, a title
that disagrees with its headers or its sheet, a 增速 row under a sub-item, a bracketed sub-item,
a county's short name in the title, and the 合计 of a county's own table of towns."""
from __future__ import annotations

import datetime as dt
import io

import openpyxl
import pytest

from cockpit.uploads import commit as C, validate as V
from tests.fixtures.upload_files import TODAY, state
from tests.test_upload_workbooks import _book, _figures

OPT = V.Options(today=TODAY)
HEAD = ["指标", "本月", "本年累计", "累计同比增长%"]


def _check(store, rows, sheet="Sheet1", merges=()):
    return V.check_bytes(store, _book(rows, merges, sheet), "县报表.xlsx", OPT)


def _errors(checked) -> list[str]:
    return [f"{p.row}/{p.column}：{p.reason}" for p in checked.problems.errors]


@pytest.mark.parametrize("unit_line", ["单位：万元、%", "金额单位：万元", "计量单位：万元，%"])
def test_amounts_in_wan_yuan_on_a_unit_line_of_several_units_are_refused_not_stored_as_yi(store, unit_line):
    rows = [["2026年10月民权县主要经济指标"], [unit_line], HEAD,
            ["一般公共预算收入", 980, 8800, 6.0], ["社会消费品零售总额", "1,235", 11900, 5.1]]
    checked = _check(store, rows)
    before = state(store)
    assert not checked.ok
    assert _errors(checked) == ["4/（单位行）：单位与指标目录的“亿元”不一致，请换算后填报",  # once a row, not a cell
                                "5/（单位行）：单位与指标目录的“亿元”不一致，请换算后填报"]
    assert {p.value for p in checked.problems.errors} == {"万元"}
    assert C.commit(store, checked, data=b"", file_name="县报表.xlsx", created_by="甲").status == "rejected"
    assert state(store) == before


def test_a_unit_line_of_the_catalogues_units_imports(store):
    rows = [["2026年10月民权县主要经济指标"], ["单位：亿元、%"], HEAD, ["社会消费品零售总额", 12.35, 119.0, 5.1]]
    checked = _check(store, rows)
    assert checked.ok, _errors(checked)
    assert _figures(checked)[("RETAIL", "411421", "2026-10", "month")] == 12.35


@pytest.mark.parametrize("name, unit", [("进出口总额（万美元）", "万美元"), ("全社会用电量(万千瓦时)", "万千瓦时")])
def test_a_unit_after_the_name_is_checked_against_the_catalogue(store, name, unit):
    rows = [["2026年1—10月宁陵县主要经济指标"], HEAD, [name, 85, 820, 6.5]]
    checked = _check(store, rows)
    assert not checked.ok and "3/A：单位与指标目录" in _errors(checked)[0]
    assert {p.value for p in checked.problems.errors} == {unit}
    ok = _check(store, [["2026年1—10月宁陵县主要经济指标"], HEAD, ["进出口总额（亿元）", 0.85, 8.2, 6.5]])
    assert ok.ok and _figures(ok)[("TRADE", "411423", "2026-10", "ytd")] == 8.2


def test_a_filing_date_in_the_cell_beside_its_label_is_not_the_period(store):
    rows = [["民权县主要经济指标完成情况"], ["填报单位：民权县统计局", None, "填报日期：", "2026年11月5日"],
            ["2026年1—10月"], HEAD, ["社会消费品零售总额", 12.3, 119.0, 5.1]]
    checked = _check(store, rows)
    assert checked.ok, _errors(checked)
    assert {k[2] for k in _figures(checked)} == {"2026-10"}  # was 2026-11, the day it was filled in


def test_a_title_whose_month_the_headers_contradict_is_refused(store):
    rows = [["2026年1—9月柘城县主要经济指标"], ["指标", "10月", "1—10月", "增速%"],
            ["社会消费品零售总额", 12.3, 119.0, 5.1]]
    checked = _check(store, rows)
    assert not checked.ok
    assert _errors(checked) == ["1/（标题）：标题的时期为 2026-09，表头却写 10月：时期不一致，请改正标题或表头后重新上传（或选择时期）"]
    same = _check(store, [["2026年1—10月柘城县主要经济指标"], *rows[1:]])
    assert same.ok and {k[2] for k in _figures(same)} == {"2026-10"}


def test_a_growth_row_under_an_unknown_sub_item_is_not_the_parents(store):
    rows = [["2026年1—10月睢县主要经济指标"], ["指标", "10月", "1—10月"],
            ["社会消费品零售总额", 10.2, 98.7], ["　其中：限额以上单位消费品零售额", 4.1, 39.5], ["　　增速(%)", 2.2, 3.1]]
    got = _figures(_check(store, rows, sheet="睢县"))
    assert ("RETAIL", "411422", "2026-10", "ytd_yoy") not in got and ("RETAIL", "411422", "2026-10", "month_yoy") not in got
    assert got[("RETAIL", "411422", "2026-10", "ytd")] == 98.7
    under_parent = rows[:3] + [["　　增速(%)", 2.2, 3.1]]  # right under the indicator: its growth
    assert _figures(_check(store, under_parent, sheet="睢县"))[("RETAIL", "411422", "2026-10", "ytd_yoy")] == 3.1


def test_a_bracketed_sub_item_is_not_taken_for_its_parent(store):
    rows = [["2026年1—10月宁陵县主要经济指标"], HEAD, ["社会消费品零售总额（限额以上）", 3.9, 37.5, 6.1],
            ["一般公共预算收入", 0.98, 8.8, 6.0]]
    checked = _check(store, rows)
    assert not any(k[0] == "RETAIL" for k in _figures(checked))
    assert any("未识别的指标名称“社会消费品零售总额（限额以上）”" in p.reason for p in checked.problems.items)


def test_a_sheet_and_a_title_naming_different_counties_are_refused(store):
    rows = [["2026年1—10月柘城县主要经济指标"], HEAD, ["社会消费品零售总额", 12.3, 119.0, 5.1]]
    checked = _check(store, rows, sheet="宁陵县")
    assert not checked.ok
    assert any("工作表名为宁陵县，标题为柘城县，地区不一致" in e for e in _errors(checked))


def test_a_countys_short_name_in_the_title_is_that_county_not_the_city(store):
    rows = [["2026年1—10月虞城主要经济指标"], HEAD, ["社会消费品零售总额", 12.3, 119.0, 5.1]]
    assert {k[1] for k in _figures(_check(store, rows))} == {"411425"}  # was 商丘市


def test_the_total_of_a_countys_table_of_towns_is_the_countys_and_of_a_table_of_counties_the_citys(store):
    towns = [["2026年1—10月民权县各乡镇社会消费品零售总额"], ["乡镇", "1—10月", "同比增长%"],
             ["城关镇", 35.2, 5.5], ["王庄寨镇", 8.1, 4.2], ["合计", 57.3, 5.0]]
    got = _figures(_check(store, towns))
    assert got == {("RETAIL", "411421", "2026-10", "ytd"): 57.3, ("RETAIL", "411421", "2026-10", "ytd_yoy"): 5.0}
    counties = [["2026年1—10月各县区社会消费品零售总额"], ["县区", "1—10月", "同比增长%"],
                ["民权县", 57.3, 5.0], ["睢县", 40.1, 4.0], ["合计", 1100.0, 4.1]]
    assert _figures(_check(store, counties))[("RETAIL", "411400", "2026-10", "ytd")] == 1100.0


def test_a_quarterly_row_in_a_monthly_table_is_not_imported_and_the_rest_is(store):
    rows = [["2026年1—10月民权县主要经济指标"], HEAD, ["地区生产总值（前三季度）", None, 260.1, 5.2],
            ["社会消费品零售总额", 12.3, 119.0, 5.1]]
    checked = _check(store, rows)
    assert checked.ok, _errors(checked)  # was refused, twice, at column （标题）
    said = [p.reason for p in checked.problems.skipped]
    assert "季度指标只在 3、6、9、12 月报送，本行时期为 2026-10，不导入" in said
    assert not any(k[0] == "GDP" for k in _figures(checked)) and ("RETAIL", "411421", "2026-10", "ytd") in _figures(checked)


def test_a_trailing_star_after_a_county_is_a_note_mark(store):
    rows = [["2026年1—10月各县区社会消费品零售总额"], ["县区", "1—10月", "同比增长%"], ["民权县★", 57.3, 5.0]]
    assert ("RETAIL", "411421", "2026-10", "ytd") in _figures(_check(store, rows))


@pytest.mark.parametrize("where, sheet", [
    ([["民权县主要经济指标"], ["统计期：2026.10"]], "Sheet1"),
    ([["2026年度1-10月份民权县主要经济指标"]], "Sheet1"),
    ([["2026年民权县主要经济指标"]], "10月"),  # a sheet a month under a title giving the year
])
def test_the_period_is_found_in_the_forms_county_offices_write_it(store, where, sheet):
    import datetime as dt
    checked = _check(store, [*where, HEAD, ["社会消费品零售总额", 12.3, 119.0, 5.1]], sheet=sheet)
    assert checked.ok, _errors(checked)
    assert {k[2] for k in _figures(checked)} == {"2026-10"}
    dated = _check(store, [["民权县主要经济指标"], [dt.datetime(2026, 10, 1)], HEAD, ["社会消费品零售总额", 12.3, 119.0, 5.1]])
    assert {k[2] for k in _figures(dated)} == {"2026-10"}  # an Excel date shown as 2026年10月


def test_a_ytd_equal_to_its_month_after_january_is_a_warning(store):
    rows = [["2026年1—10月民权县主要经济指标"], HEAD, ["社会消费品零售总额", 12.3, 12.3, 5.1]]
    checked = _check(store, rows)
    assert checked.ok
    assert [p.reason for p in checked.problems.warnings] == ["累计 12.3 与当月数相同：累计一栏是否填了当月数？请核对（仅提醒，不影响导入）"]


def test_group_labels_centred_across_not_merged_reach_their_columns_beside_a_vertical_merge(store):
    rows = [["2026年1—10月民权县主要经济指标"], [], ["指标", "本月", None, "累计", None],
            [None, "绝对值", "同比增长%", "绝对值", "同比增长%"], ["全社会用电量", 1.52, -3.2, 15.8, None]]
    got = _figures(_check(store, rows, merges=["A3:A4"]))  # only 指标 is merged, over both header rows
    assert got[("POWER", "411421", "2026-10", "month_yoy")] == -3.2  # was stored as 累计同比
    assert ("POWER", "411421", "2026-10", "ytd_yoy") not in got and got[("POWER", "411421", "2026-10", "ytd")] == 15.8


@pytest.mark.parametrize("header, rows, expected", [
    (["指标", "10月", "增速", "1—10月", "增速"], [["社会消费品零售总额", 12.3, 4.0, 119.0, 5.1]],
     {"month": 12.3, "month_yoy": 4.0, "ytd": 119.0, "ytd_yoy": 5.1}),  # both 增速 were 累计同比, a clash
    (["指标", "本月", "累计", "同比±%"], [["社会消费品零售总额", 12.3, 119.0, 5.1]],
     {"month": 12.3, "ytd": 119.0, "ytd_yoy": 5.1}),
])
def test_a_bare_growth_column_is_the_growth_of_the_level_before_it(store, header, rows, expected):
    got = _figures(_check(store, [["2026年1—10月民权县主要经济指标"], header, *rows]))
    assert {k[3]: v for k, v in got.items()} == expected


def test_a_month_group_over_this_year_and_last_year_is_the_months(store):
    rows = [["2026年1—10月夏邑县主要经济指标"], ["指标", "本月", None, None, "累计", None, None],
            [None, "本年", "上年", "增减%", "本年", "上年", "增减%"], ["社会消费品零售总额", 12.6, 12.1, 4.1, 120.5, 115.2, 4.6]]
    got = _figures(_check(store, rows, merges=["B2:D2", "E2:G2"]))
    assert {k[3]: v for k, v in got.items()} == {"month": 12.6, "month_yoy": 4.1, "ytd": 120.5, "ytd_yoy": 4.6}


def test_a_growth_after_the_ytd_under_a_months_group_is_the_ytds(store):
    rows = [["民权县主要经济指标"], ["指标", "2026年10月", None, None], [None, "本月", "累计", "同比±%"],
            ["一般公共预算收入", 9.8, 88.0, 8.2]]
    got = _figures(_check(store, rows, merges=["B2:D2"]))
    assert {k[3]: v for k, v in got.items()} == {"month": 9.8, "ytd": 88.0, "ytd_yoy": 8.2}  # was dropped



def test_a_number_above_the_table_is_no_period(store):
    """2026.1 in a cell formatted 0.00 shows 2026.10: read as January, October's figures were stored
    as January's. A number says no period; the file then asks for one."""
    for rows in ([["民权县主要经济指标"], [2026.1], HEAD, ["社会消费品零售总额", 12.35, 118.6, 5.1]],
                 [["民权县主要经济指标"], ["统计期：", 2026.1], HEAD, ["社会消费品零售总额", 12.35, 118.6, 5.1]]):
        checked = _check(store, rows)
        assert not checked.ok and any("无法确定时期" in e for e in _errors(checked))


@pytest.mark.parametrize("title, name", [("2026年1—10月民权县主要经济指标", "进出口总额（1—9月）"),
                                         ("2026年1—9月民权县主要经济指标", "地区生产总值（上半年）")])
def test_a_row_whose_name_gives_another_period_than_the_table_is_refused(store, title, name):
    checked = _check(store, [[title], HEAD, [name, None, 7.04, -12.5], ["社会消费品零售总额", 12.3, 119.0, 5.1]])
    assert not checked.ok
    assert any("名称括注的时期与本表时期" in e and e.startswith("3/A") for e in _errors(checked)), _errors(checked)


def test_a_city_title_that_says_what_it_includes_is_the_citys(store):
    rows = [["2026年1—10月全市（含示范区）主要经济指标"], HEAD, ["社会消费品零售总额", 120.5, 1234.5, 5.0]]
    assert {k[1] for k in _figures(_check(store, rows))} == {"411400"}  # was 示范区


@pytest.mark.parametrize("unit_line, rows", [
    ("单位：亿元", [["社会消费品零售总额", 12.3, 119.0, 5.1], ["全社会用电量", 1.52, 15.8, 2.5]]),
    ("单位：亿元、万元、%", [["社会消费品零售总额", 12.3, 119.0, 5.1]]),
])
def test_a_unit_line_speaks_only_of_its_own_kind_of_unit(store, unit_line, rows):
    checked = _check(store, [["2026年1—10月民权县主要经济指标"], [unit_line], HEAD, *rows])
    assert checked.ok, _errors(checked)  # 亿元 said nothing of 亿千瓦时; 亿元、万元 both name money


@pytest.mark.parametrize("header, values, expected", [
    (["指标", "10月", "位次", "增速", "位次"], [12.3, 3, 4.2, 5], {"month": 12.3, "month_yoy": 4.2}),
    (["指标", "本月", "上年同月", "同比±%", "累计", "上年同期", "同比±%"], [12.3, 11.8, 4.2, 119.0, 113.2, 5.1],
     {"month": 12.3, "month_yoy": 4.2, "ytd": 119.0, "ytd_yoy": 5.1}),
    (["指标", "2026年1—10月", "2025年1—10月", "增长%"], [119.0, 113.2, 5.1], {"ytd": 119.0, "ytd_yoy": 5.1}),
])
def test_a_growth_after_a_rank_or_last_years_figure_is_still_its_levels(store, header, values, expected):
    checked = _check(store, [["2026年1—10月民权县主要经济指标"], header, ["社会消费品零售总额", *values]])
    assert checked.ok, _errors(checked)
    assert {k[3]: v for k, v in _figures(checked).items()} == expected
    assert not [p for p in checked.problems.warnings if "位次" in p.reason]  # one county's figure ranks nothing


@pytest.mark.parametrize("title", ["2026年1—10月民权县社会消费品零售总额分月情况", "2026年民权县社会消费品零售总额分月情况"])
def test_a_table_of_months_across_gives_each_column_its_month(store, title):
    rows = [[title], ["单位：亿元"], ["指标", *(f"{m}月" for m in range(1, 11))],
            ["社会消费品零售总额", *(10.0 + m / 10 for m in range(1, 11))]]
    checked = _check(store, rows)
    assert checked.ok, _errors(checked)  # was refused: every column read as 10月当月
    got = _figures(checked)
    assert got == {("RETAIL", "411421", f"2026-{m:02d}", "month"): 10.0 + m / 10 for m in range(1, 11)}


def test_cumulative_months_across_are_each_months_ytd_and_two_month_columns_stay_the_usual_report(store):
    rows = [["2026年民权县社会消费品零售总额"], ["指标", "1—8月", "1—9月", "1—10月"], ["社会消费品零售总额", 95.0, 107.0, 119.0]]
    assert _figures(_check(store, rows)) == {("RETAIL", "411421", "2026-08", "ytd"): 95.0,
                                             ("RETAIL", "411421", "2026-09", "ytd"): 107.0,
                                             ("RETAIL", "411421", "2026-10", "ytd"): 119.0}
    usual = [["2026年1—10月民权县主要经济指标"], ["指标", "10月", "1—10月", "增速"], ["社会消费品零售总额", 12.3, 119.0, 5.1]]
    assert {k[2:] for k in _figures(_check(store, usual))} == {("2026-10", "month"), ("2026-10", "ytd"), ("2026-10", "ytd_yoy")}


MONTHS = [f"{m}月" for m in range(1, 11)]
REVENUE = [5.1, 4.2, 5.3, 4.4, 5.5, 4.6, 5.7, 4.8, 5.9, 5.0]


@pytest.mark.parametrize("total", ["合计", "全年", "总计", "月均", "平均值", "全年合计"])
@pytest.mark.parametrize("label", ["indicators", "regions"])
def test_a_total_or_mean_beside_months_across_is_listed_not_stored_as_a_region_or_a_month(store, total, label):
    """"合计" after 1月 … 10月 was read as the region 全市 and stored as the city's October (50.5 亿元
    of one county's months), or refused as a second October; 全年 was stored as 1—10月's 累计."""
    if label == "indicators":
        rows = [["永城市2026年主要经济指标（当月值）"], ["单位：亿元"], ["指标", *MONTHS, total],
                ["一般公共预算收入", *REVENUE, 50.5]]
    else:
        rows = [["2026年各县区一般公共预算收入（当月）"], ["单位：亿元"], ["县区", *MONTHS, total],
                ["永城市", *REVENUE, 50.5], ["夏邑县", *REVENUE, 50.5]]
    checked = _check(store, rows)
    assert checked.ok, _errors(checked)
    got = _figures(checked)
    regions = {"411481"} if label == "indicators" else {"411481", "411426"}
    assert got == {("REVENUE", r, f"2026-{m:02d}", "month"): v for r in regions for m, v in enumerate(REVENUE, 1)}
    [skipped] = [p for p in checked.problems.frame().itertuples() if p.级别 == "未导入"]
    assert skipped.列 == f"L（{total}）" and skipped.原因.startswith("各月合计（或平均）列，不导入")
    assert C.commit(store, checked, created_by="统计员").status == "committed"
    assert set(store.observations().region_code) == regions  # nothing under the city


def test_months_across_then_a_ytd_and_its_growth_are_read_by_their_own_headers(store):
    """1月 … 10月 | 1—10月 | 同比% was refused (无法确定时期): the 累计 column made the months "mixed"."""
    rows = [["永城市2026年主要经济指标"], ["单位：亿元"], ["指标", *MONTHS, "1—9月", "同比%", "累计"],
            ["一般公共预算收入", *REVENUE, 45.5, 3.2, 50.5]]
    got = _figures(_check(store, rows))
    assert got[("REVENUE", "411481", "2026-09", "ytd")] == 45.5  # its own month, not the last column's
    assert got[("REVENUE", "411481", "2026-09", "ytd_yoy")] == 3.2
    assert got[("REVENUE", "411481", "2026-10", "ytd")] == 50.5  # a bare 累计 beside 1月 … 10月 is 1—10月's
    assert len(got) == 13


def test_a_growth_after_each_month_across_is_that_months(store):
    rows = [["2026年民权县规模以上工业增加值"], ["指标", *[x for m in MONTHS[:4] for x in (m, "同比%")]],
            ["规模以上工业增加值", 10.0, 7.1, 11.0, 6.2, 12.0, 5.3, 13.0, 4.4]]
    checked = _check(store, rows)
    got = {k: v for k, v in _figures(checked).items() if k[3] == "month_yoy"}
    assert got == {("IND_VA", "411421", f"2026-{m:02d}", "month_yoy"): v
                   for m, v in zip(range(1, 5), (7.1, 6.2, 5.3, 4.4))}, checked.problems.frame().to_string()


def test_tables_set_side_by_side_are_each_read_with_their_own_columns(store):
    """县区 | 社零 | 县区 | 一般公共预算收入: only the right-hand table was read, the left listed as
    "标签左侧的列（如序号）"."""
    rows = [["2026年1—10月各县区主要指标"], ["单位：亿元、%"],
            ["序号", "县区", "社会消费品零售总额", None, None, "县区", "一般公共预算收入", None],
            [None, None, "累计", "同比%", None, None, "累计", "同比%"],
            [1, "永城市", 100.1, 5.1, None, "夏邑县", 10.2, 3.3],
            [2, "虞城县", 90.5, 4.2, None, "柘城县", 9.8, 2.1],
            [3, "民权县", 80.0, 3.9, None, "宁陵县", None, None]]
    checked = _check(store, rows)
    assert checked.ok, _errors(checked)
    assert _figures(checked) == {
        ("RETAIL", "411481", "2026-10", "ytd"): 100.1, ("RETAIL", "411481", "2026-10", "ytd_yoy"): 5.1,
        ("RETAIL", "411425", "2026-10", "ytd"): 90.5, ("RETAIL", "411425", "2026-10", "ytd_yoy"): 4.2,
        ("RETAIL", "411421", "2026-10", "ytd"): 80.0, ("RETAIL", "411421", "2026-10", "ytd_yoy"): 3.9,
        ("REVENUE", "411426", "2026-10", "ytd"): 10.2, ("REVENUE", "411426", "2026-10", "ytd_yoy"): 3.3,
        ("REVENUE", "411424", "2026-10", "ytd"): 9.8, ("REVENUE", "411424", "2026-10", "ytd_yoy"): 2.1}
    skipped = [p for p in checked.problems.items if p.severity == "skipped"]
    assert [p.column for p in skipped] == ["A（序号）"]  # 序号 only, not the left-hand table


def test_a_printed_reports_two_halves_of_indicators_are_both_read(store):
    rows = [["永城市主要经济指标（2026年1—10月）"],
            ["指标", "本月", "累计", "累计同比%", "指标", "本月", "累计", "累计同比%"],
            ["社会消费品零售总额", 12.3, 119.0, 5.3, "一般公共预算收入", 5.0, 50.5, 3.2],
            ["规模以上工业增加值", None, None, 6.8, "固定资产投资", None, None, 9.1]]
    checked = _check(store, rows)
    assert checked.ok, _errors(checked)
    got = _figures(checked)
    assert got[("RETAIL", "411481", "2026-10", "ytd")] == 119.0 and got[("IND_VA", "411481", "2026-10", "ytd_yoy")] == 6.8
    assert got[("REVENUE", "411481", "2026-10", "ytd")] == 50.5 and got[("FAI", "411481", "2026-10", "ytd_yoy")] == 9.1
    assert got[("REVENUE", "411481", "2026-10", "month")] == 5.0 and len(got) == 8


@pytest.mark.parametrize("head, rows", [
    (["指标", "计量单位", "本月", "1—10月"], [["规模以上工业增加值", "%", 7.2, 6.8], ["固定资产投资", "％", None, 9.1],
                                          ["社会消费品零售总额", "亿元", 12.3, 119.0], ["社会消费品零售总额", "%", 4.9, 5.3]]),
    (["指标", "本月", "1—10月"], [["规模以上工业增加值（%）", 7.2, 6.8], ["固定资产投资(%)", None, 9.1],
                                 ["社会消费品零售总额（亿元）", 12.3, 119.0], ["社会消费品零售总额（%）", 4.9, 5.3]]),
])
def test_a_row_whose_own_unit_is_percent_holds_growth_rates_under_the_month_and_ytd_columns(store, head, rows):
    """规模以上工业增加值 | % | 7.2 | 6.8 under 本月 | 1—10月: the rates were listed as 不发布当月值 and the
    indicator went missing from the county's month; an amount's rate row read as a wrong unit."""
    checked = _check(store, [["2026年10月民权县主要经济指标"], head, *rows])
    assert checked.ok, _errors(checked)
    got = {k: v for k, v in _figures(checked).items() if k[1] == "411421"}
    assert got == {("IND_VA", "411421", "2026-10", "month_yoy"): 7.2, ("IND_VA", "411421", "2026-10", "ytd_yoy"): 6.8,
                   ("FAI", "411421", "2026-10", "ytd_yoy"): 9.1,
                   ("RETAIL", "411421", "2026-10", "month"): 12.3, ("RETAIL", "411421", "2026-10", "ytd"): 119.0,
                   ("RETAIL", "411421", "2026-10", "month_yoy"): 4.9, ("RETAIL", "411421", "2026-10", "ytd_yoy"): 5.3}
    said = [p.reason for p in checked.problems.items if p.reason.startswith("单位为“%”")]
    assert len(said) == 3  # each such row is said once, so the clerk sees how it was read


def test_a_rate_in_percent_stays_a_level_and_an_index_in_percent_is_refused(store):
    rows = [["2026年10月全市主要经济指标"], ["指标", "单位", "本月"], ["城镇调查失业率", "%", 5.1]]
    checked = _check(store, rows)
    assert checked.ok and _figures(checked) == {("UNEMP", "411400", "2026-10", "month"): 5.1}
    # CPI "in %" may be the index (101.2) or its change (1.2): refused, not guessed
    refused = _check(store, [*rows[:2], ["居民消费价格指数", "%", 101.2]])
    assert _errors(refused) == ["3/B：单位与指标目录的“上年同月=100”不一致，请换算后填报"]


MINQUAN_YTD = {("RETAIL", "411421", "2026-10", "month"): 12.35, ("RETAIL", "411421", "2026-10", "ytd"): 118.6,
               ("RETAIL", "411421", "2026-10", "ytd_yoy"): 5.1}


@pytest.mark.parametrize("title", ["2026年1月至10月民权县主要经济指标", "2026年1月份-10月份民权县主要经济指标",
                                   "2026年1——10月民权县主要经济指标", "2026年1–10月民权县主要经济指标",
                                   "2026年前10个月民权县主要经济指标", "二〇二六年一至十月民权县主要经济指标"])
def test_a_span_of_months_however_written_is_the_months_to_its_end(store, title):
    """"2026年1月至10月" and "1月份-10月份" stored every figure as January; "1——10月" (an input
    method's double dash) read as 当月; an en dash, 前10个月 and Chinese numerals found no period."""
    checked = _check(store, [[title], HEAD, ["社会消费品零售总额", 12.35, 118.6, 5.1]])
    assert checked.ok, _errors(checked)
    assert _figures(checked) == MINQUAN_YTD


def test_a_double_dash_in_a_header_is_a_span_not_a_month(store):
    rows = [["2026年10月宁陵县主要经济指标"], ["指标", "1——10月", "增长%"], ["社会消费品零售总额", 95.2, 5.0]]
    checked = _check(store, rows)
    assert checked.ok and _figures(checked) == {("RETAIL", "411423", "2026-10", "ytd"): 95.2,
                                                ("RETAIL", "411423", "2026-10", "ytd_yoy"): 5.0}


@pytest.mark.parametrize("head, skipped", [
    (["指标", "本年累计", "上年同期", "同比增减额"], {"C": "上年同期数，不导入", "D": "增减额（绝对量）列，不导入"}),
    (["指标", "本年累计", "增减量", "累计同比增长%"], {"C": "增减额（绝对量）列，不导入"}),
    (["指标", "本年累计", "累计同比增长%", "上年同期增速%"], {"D": "上年同期数，不导入"}),
    (["指标", "本年累计", "累计同比增长%", "增速较1-9月±"], {"D": "增减百分点列，不导入"}),
    (["指标", "本年累计", "累计同比增长%", "上月累计"], {"D": "上月（上期）数，不导入"}),
])
def test_columns_of_amounts_changed_last_years_rate_or_last_months_total_are_not_growth(store, head, skipped):
    """同比增减额 (亿元) was stored as a growth rate; 上年同期增速 and 增速较1—9月 clashed with the year's
    growth and refused the file; 上月累计 clashed with the 累计."""
    values = {"本年累计": 120.5, "上年同期": 115.0, "同比增减额": 5.5, "增减量": 5.5, "累计同比增长%": 4.8,
              "上年同期增速%": 6.1, "增速较1-9月±": -0.3, "上月累计": 108.0}
    rows = [["2026年1—10月夏邑县主要经济指标"], head, ["社会消费品零售总额", *(values[h] for h in head[1:])]]
    checked = _check(store, rows)
    assert checked.ok, _errors(checked)
    assert _figures(checked) == {("RETAIL", "411426", "2026-10", "ytd"): 120.5,
                                 **({("RETAIL", "411426", "2026-10", "ytd_yoy"): 4.8} if "累计同比增长%" in head else {})}
    said = {p.column[0]: p.reason.split("（第")[0] for p in checked.problems.items if p.severity == "skipped"}
    assert said == skipped


def test_a_filing_date_alone_in_a_corner_is_not_the_period_and_a_sheet_month_must_agree_with_the_title(store):
    """2026年11月5日 unlabelled in D1 stored a 10月 sheet as 2026-11; a sheet "9月" under a title of 1—10月
    imported as October without a word."""
    rows = [["民权县主要经济指标", None, None, "2026年11月5日"], HEAD, ["社会消费品零售总额", 12.35, 118.6, 5.1]]
    checked = _check(store, rows, sheet="2026年10月")
    assert checked.ok and _figures(checked) == MINQUAN_YTD
    clash = _check(store, [["2026年1—10月民权县主要经济指标"], HEAD, ["社会消费品零售总额", 12.35, 118.6, 5.1]],
                   sheet="9月")
    assert _errors(clash) == ["None/（标题）：工作表名“9月”的时期为 2026-09，标题“2026年1—10月民权县主要经济指标”为 2026-10："
                              "时期不一致，请改正其一后重新上传（或选择时期）"]


def test_a_city_table_without_the_zone_is_not_the_zones_nor_the_citys_and_a_total_with_it_is_the_citys(store):
    """"全市主要经济指标（不含示范区）" stored the city's figures as 示范区's. They are not the city's either
    (the city's include the zone): listed as not imported. "全市（含示范区）" as a row is the city."""
    rows = [["2026年1—10月全市主要经济指标（不含示范区）"], HEAD, ["社会消费品零售总额", 120.0, 1187.4, 5.2]]
    checked = _check(store, rows)
    assert not checked.ok and ("RETAIL", "411400-SFQ") not in {k[:2] for k in (_figures(checked) if checked.datasets else {})}
    assert {p.reason for p in checked.problems.items if p.severity == "skipped"} == {
        "标题注明不含示范区：本表的全市数与全市口径（含示范区）不同，不导入；请填报含示范区的全市数"}
    total = _check(store, [["2026年1—10月各县区社会消费品零售总额"], ["地区", "1—10月", "增速"],
                           ["全市（含示范区）", 1232.0, 5.2], ["梁园区", 160.1, 5.1]])
    assert total.ok and _figures(total)[("RETAIL", "411400", "2026-10", "ytd")] == 1232.0


def test_each_bare_growth_column_across_a_table_of_areas_is_its_left_neighbours(store):
    """县区 | 社会消费品零售总额 | 增速 | 一般公共预算收入 | 增速 under a title naming both: the second 增速
    was stored as 社零's (the title's longer name), and without names in the title both were dropped."""
    for title in ("2026年1—10月各县区社会消费品零售总额和一般公共预算收入", "2026年1—10月各县区主要指标"):
        rows = [[title], ["县区", "社会消费品零售总额", "增速", "一般公共预算收入", "增速"],
                ["梁园区", 160.1, 5.1, 12.1, 3.1], ["睢阳区", 150.2, 4.8, 11.3, 2.2]]
        checked = _check(store, rows)
        assert checked.ok, _errors(checked)
        got = _figures(checked)
        assert got[("RETAIL", "411402", "2026-10", "ytd_yoy")] == 5.1
        assert got[("REVENUE", "411402", "2026-10", "ytd_yoy")] == 3.1 and got[("REVENUE", "411403", "2026-10", "ytd")] == 11.3


def test_a_circled_number_before_a_name_is_a_mark(store):
    rows = [["2026年1—10月民权县主要经济指标"], HEAD, ["①社会消费品零售总额", 12.35, 118.6, 5.1]]
    checked = _check(store, rows)
    assert checked.ok and _figures(checked) == MINQUAN_YTD


def test_a_table_set_beside_another_is_listed_not_read_under_the_first_tables_names(store):
    """Two tables side by side, the right one's names unknown (实际利用外资, 招商引资到位资金): its
    累计 and 增长 were stored as 社零's and 用电量's. (Known names on both sides: each table is read.)"""
    rows = [["2026年1-10月永城市主要经济指标"], ["单位：亿元、%"],
            ["指标", "本月", "增长%", None, "指标", "累计", "增长%"],
            ["社会消费品零售总额", 22, 6.3, None, "实际利用外资", 18.2, -4.1],
            ["全社会用电量", 3.1, -2, None, "招商引资到位资金", 25.3, 2]]
    checked = _check(store, rows)
    assert checked.ok, _errors(checked)
    assert _figures(checked) == {("RETAIL", "411481", "2026-10", "month"): 22, ("RETAIL", "411481", "2026-10", "month_yoy"): 6.3,
                                 ("POWER", "411481", "2026-10", "month"): 3.1, ("POWER", "411481", "2026-10", "month_yoy"): -2}
    assert {p.column[0] for p in checked.problems.items if p.reason.startswith("并排的另一张表")} == {"E", "F", "G"}


@pytest.mark.parametrize("title, unit_line", [
    ("2026年1—10月各县区社会消费品零售总额增速", ["单位：%"]),
    ("2026年1—10月各县区社会消费品零售总额增长情况", []),
    ("2026年1—10月各县区社会消费品零售总额", ["单位：%"]),
])
def test_a_table_of_growth_rates_by_its_title_or_unit_line_is_stored_as_growth_not_amounts(store, title, unit_line):
    """10月 | 1—10月 under "…增速" or 单位：% stored 4.5 and 4.1 as 亿元 of 当月 and 累计."""
    rows = [[title], *([unit_line] if unit_line else []), ["县区", "10月", "1—10月", "位次"],
            ["全市", 4.5, 4.1, None], ["梁园区", 5.0, 5.1, 2], ["民权县", 6.0, 6.2, 1]]
    checked = _check(store, rows)
    assert checked.ok, _errors(checked)
    assert _figures(checked) == {("RETAIL", r, "2026-10", m): v for r, vs in
                                 (("411400", (4.5, 4.1)), ("411402", (5.0, 5.1)), ("411421", (6.0, 6.2)))
                                 for m, v in zip(("month_yoy", "ytd_yoy"), vs)}
    assert any("按同比增速读取" in p.reason for p in checked.problems.items)


def test_a_growth_title_over_amounts_beside_their_own_rates_keeps_the_amounts(store):
    rows = [["2026年1—10月各县区社会消费品零售总额增长情况"], ["单位：亿元、%"], ["县区", "1—10月", "同比增长%"],
            ["梁园区", 150.0, 5.1], ["民权县", 80.0, 6.2]]
    assert _figures(_check(store, rows)) == {("RETAIL", "411402", "2026-10", "ytd"): 150.0,
                                             ("RETAIL", "411402", "2026-10", "ytd_yoy"): 5.1,
                                             ("RETAIL", "411421", "2026-10", "ytd"): 80.0,
                                             ("RETAIL", "411421", "2026-10", "ytd_yoy"): 6.2}


def test_a_county_table_of_one_amount_with_percent_headers_holds_its_growth(store):
    rows = [["2026年1—10月各县区社会消费品零售总额"], ["县区", "10月（%）", "1—10月（%）"], ["全市", 4.5, 4.1],
            ["梁园区", 5.0, 5.1]]
    checked = _check(store, rows)  # was "单位与指标目录的“亿元”不一致，请换算后填报": no rate can be converted
    assert _figures(checked) == {("RETAIL", "411400", "2026-10", "month_yoy"): 4.5, ("RETAIL", "411400", "2026-10", "ytd_yoy"): 4.1,
                                 ("RETAIL", "411402", "2026-10", "month_yoy"): 5.0, ("RETAIL", "411402", "2026-10", "ytd_yoy"): 5.1}


def test_a_rate_only_indicator_under_month_and_ytd_is_listed_not_taken_for_its_growth(store):
    """Counties print 规模以上工业增加值 in 亿元 with its 同比 "—": read as growth, 30.2 and 290.5 were
    stored as rates. Its own 同比 column still counts."""
    rows = [["2026年1—10月民权县主要经济指标"], HEAD, ["规模以上工业增加值", 30.2, 290.5, "—"],
            ["全社会用电量", 1.5, 15.0, 2.0]]
    checked = _check(store, rows)
    assert not {k for k in _figures(checked) if k[0] == "IND_VA"}
    assert any("不发布“当月”" in p.reason for p in checked.problems.items if p.severity == "skipped")
    template = [["2026年1—10月民权县主要经济指标"], HEAD, ["规模以上工业增加值", "—", "—", 6.8]]
    assert _figures(_check(store, template)) == {("IND_VA", "411421", "2026-10", "ytd_yoy"): 6.8}


@pytest.mark.parametrize("header", ["全市增速%", "全省增速%", "全市同比增长", "全国平均增速"])
def test_the_city_or_provinces_rate_beside_a_countys_figures_is_not_the_countys(store, header):
    """民权县's "—" beside 全市增速% 2.3: the city's rate was stored as 民权县's 累计同比."""
    rows = [["2026年1—10月民权县主要经济指标"], ["指标", "累计", "增速%", header],
            ["全社会用电量", 15.8, "—", 2.3], ["一般公共预算收入", 8.8, 3.1, 3.3]]
    checked = _check(store, rows)
    assert checked.ok, _errors(checked)
    assert _figures(checked) == {("POWER", "411421", "2026-10", "ytd"): 15.8, ("REVENUE", "411421", "2026-10", "ytd"): 8.8,
                                 ("REVENUE", "411421", "2026-10", "ytd_yoy"): 3.1}
    [skipped] = [p for p in checked.problems.items if p.severity == "skipped"]
    assert skipped.column == f"D（{header}）" and skipped.reason.startswith("全市（全省、全国）的对比数")


def test_the_reporting_office_names_the_county_and_a_sheet_naming_none_is_a_reminder(store):
    """填报单位：民权县统计局 above 主要经济指标完成情况: its figures went in as the city's, with a 说明."""
    rows = [["主要经济指标完成情况"], ["填报单位：民权县统计局"], ["2026年1—10月"], HEAD,
            ["社会消费品零售总额", 12.3, 119.0, 5.1]]
    checked = _check(store, rows)
    assert {k[1] for k in _figures(checked)} == {"411421"}
    assert "地区：民权县（取自“民权县统计局”）" in [p.reason for p in checked.problems.items]
    unnamed = _check(store, [rows[0], rows[2], *rows[3:]])
    [said] = [p for p in unnamed.problems.items if p.reason.startswith("地区：")]
    assert said.severity == "warning" and "都未注明地区，按全市" in said.reason


@pytest.mark.parametrize("title, extra, where, unit", [
    ("2026年1—10月民权县主要经济指标（单位：万元）", [], "（标题）", "万元"),
    ("2026年1—10月民权县主要经济指标", [["注：金额单位为万元。"]], "（表注）", "万元"),
    ("2026年1—10月民权县主要经济指标", None, "（单位行）", "亿美元"),
])
def test_a_unit_in_the_title_a_note_or_in_dollars_is_checked_against_the_catalogue(store, title, extra, where, unit):
    """850 万元 in a title's "（单位：万元）" or a note under the table, and 亿美元 on the unit line,
    were stored as 亿元 (850 is under the catalogue's ceiling: nothing was said)."""
    rows = [[title], *([["单位：亿美元、%"]] if extra is None else []), HEAD, ["进出口总额", 850, 990, 6.5], *(extra or [])]
    checked = _check(store, rows)
    before = state(store)
    row = 4 if extra is None else 3  # under the unit line, or right under the title
    assert _errors(checked) == [f"{row}/{where}：单位与指标目录的“亿元”不一致，请换算后填报"]
    assert {p.value for p in checked.problems.errors} == {unit}
    assert C.commit(store, checked, created_by="甲").status == "rejected" and state(store) == before


@pytest.mark.parametrize("merges", [(), ("A3:D3",)])
def test_a_section_row_right_under_the_header_is_part_of_the_table(store, merges):
    """一、消费 under the header made the header look like a title: 不是数据表（找不到表头）."""
    rows = [["2026年1—10月民权县主要经济指标"], HEAD, ["一、消费", None, None, None],
            ["社会消费品零售总额", 12.3, 119.0, 5.3], ["二、财政", None, None, None], ["一般公共预算收入", 0.98, 8.8, 6.0]]
    checked = _check(store, rows, merges=merges)
    assert checked.ok, _errors(checked)
    assert len(_figures(checked)) == 6 and _figures(checked)[("REVENUE", "411421", "2026-10", "ytd")] == 8.8


@pytest.mark.parametrize("title, name", [("2026年民权县社会消费品零售总额（累计值）", "社会消费品零售总额"),
                                         ("2026年民权县主要指标分月情况", "社会消费品零售总额（累计）")])
def test_months_across_said_to_be_cumulative_are_each_months_ytd(store, title, name):
    rows = [[title], ["单位：亿元"], ["指标", *MONTHS], [name, *(10.0 * m for m in range(1, 11))]]
    assert _figures(_check(store, rows)) == {("RETAIL", "411421", f"2026-{m:02d}", "ytd"): 10.0 * m for m in range(1, 11)}


def test_this_year_last_year_and_growth_rows_under_months_across(store):
    """本年 was read as 累计 (a YTD word) and 增长% as an unknown indicator."""
    rows = [["2026年民权县社会消费品零售总额分月情况"], ["单位：亿元"], ["项目", *MONTHS[:6]],
            ["本年", *(10.0 + m for m in range(6))], ["上年同期", *(9.0 + m for m in range(6))], ["增长%", *[5.0] * 6]]
    checked = _check(store, rows)
    assert _figures(checked) == {**{("RETAIL", "411421", f"2026-{m:02d}", "month"): 9.0 + m for m in range(1, 7)},
                                 **{("RETAIL", "411421", f"2026-{m:02d}", "month_yoy"): 5.0 for m in range(1, 7)}}
    assert [(p.row, p.reason) for p in checked.problems.items if p.severity == "skipped"] == [(5, "上年同期数，不导入")]


def test_a_county_including_the_zone_is_not_that_countys_figure(store):
    rows = [["2026年1—10月各县区社会消费品零售总额"], ["县区", "1—10月", "同比增长%"], ["梁园区", 150.0, 5.1],
            ["睢阳区（含示范区）", 190.0, 4.9], ["全市（含示范区）", 1100.0, 4.1]]
    checked = _check(store, rows)
    assert {k[1] for k in _figures(checked)} == {"411402", "411400"}  # 睢阳区's own 口径 is without the zone
    assert "未识别的地区名称“睢阳区（含示范区）”，不导入" in [p.reason for p in checked.problems.items]


def test_a_sheet_holding_no_table_does_not_stop_the_workbook(store):
    """A chart's helper sheet (月份 | 社零) said 无法确定时期 and refused the whole file."""
    wb = openpyxl.Workbook()
    report, helper = wb.active, wb.create_sheet("图表数据")
    report.title = "主要指标"
    for r in [["2026年1—10月民权县主要经济指标"], HEAD, ["社会消费品零售总额", 12.3, 119.0, 5.1]]:
        report.append(r)
    for r in [["月份", "社零"], ["1月", 10.1], ["2月", 9.8], ["3月", 11.0]]:
        helper.append(r)
    buf = io.BytesIO()
    wb.save(buf)
    data = buf.getvalue()
    checked = V.check_bytes(store, data, "县报表.xlsx", OPT)
    assert checked.ok, _errors(checked)
    assert [p.reason for p in checked.problems.items if p.sheet == "图表数据"] == ["不是数据表（找不到表头），已跳过"]



def test_the_names_statistics_offices_use_for_the_catalogues_indicators_are_known_and_sub_items_are_not(store):
    """社零总额, 地方一般公共预算收入 (the catalogue's own 口径 words) … were 未识别 in every county's first file."""
    rows = [["2026年1—10月民权县主要经济指标"], HEAD, ["社零总额", 12.3, 119.0, 5.1], ["地方一般公共预算收入", 0.98, 8.8, 6.0],
            ["规上工业增加值", "—", "—", 6.8], ["固定资产投资（不含农户）", "—", "—", 9.1], ["外贸进出口总额", 0.1, 1.0, 3.0],
            ["新登记市场主体", 1200, 12000, 8.0], ["限上社会消费品零售总额", 4.0, 39.0, 5.0], ["工业用电量", 1.0, 9.0, 1.0]]
    checked = _check(store, rows)
    assert {k[0] for k in _figures(checked)} == {"RETAIL", "REVENUE", "IND_VA", "FAI", "TRADE", "NEW_ENTITIES"}
    unknown = {p.reason for p in checked.problems.items if p.severity == "skipped"}
    assert unknown == {"未识别的指标名称“限上社会消费品零售总额”，不导入", "未识别的指标名称“工业用电量”，不导入"}


@pytest.mark.parametrize("header, reason", [("两年平均增长%", "多年平均增速列（如两年平均增长），不导入"),
                                            ("去年1—10月", "上年同期数，不导入")])
def test_a_two_year_average_or_last_years_total_is_listed_not_clashing_with_the_years_own(store, header, reason):
    rows = [["2026年1—10月民权县主要经济指标"], ["指标", "本年累计", "同比增长%", header], ["社会消费品零售总额", 119.0, 5.1, 4.0]]
    checked = _check(store, rows)  # the whole file was refused: two values for the one 累计同比
    assert checked.ok, _errors(checked)
    assert _figures(checked) == {("RETAIL", "411421", "2026-10", "ytd"): 119.0, ("RETAIL", "411421", "2026-10", "ytd_yoy"): 5.1}
    assert [p.reason.split("（第")[0] for p in checked.problems.items if p.severity == "skipped"] == [reason]


@pytest.mark.parametrize("county, code, total", [("民权县", "411421", "全县"), ("梁园区", "411402", "全区")])
def test_the_total_row_of_a_countys_towns_is_the_countys(store, county, code, total):
    rows = [[f"2026年1—10月{county}各乡镇社会消费品零售总额"], ["乡镇", "1—10月", "同比增长%"], [total, 57.3, 5.0],
            ["城关镇", 35.2, 5.5]]
    checked = _check(store, rows)
    assert _figures(checked) == {("RETAIL", code, "2026-10", "ytd"): 57.3, ("RETAIL", code, "2026-10", "ytd_yoy"): 5.0}


def test_a_county_level_city_calling_itself_the_city_on_its_own_sheet_is_itself(store):
    """永城市's 全市 column was stored as 商丘市's 1—10月."""
    rows = [["2026年1—10月永城市主要经济指标"], ["指标", "全市", "增长%"], ["社会消费品零售总额", 157.3, 5.0]]
    assert _figures(_check(store, rows)) == {("RETAIL", "411481", "2026-10", "ytd"): 157.3,
                                             ("RETAIL", "411481", "2026-10", "ytd_yoy"): 5.0}


@pytest.mark.parametrize("heading", [lambda m: dt.datetime(2026, m, 1), lambda m: f"2026.{m:02d}", lambda m: f"2026-{m}"])
def test_months_across_headed_by_dates_or_year_dot_month_are_each_their_month(store, heading):
    """Month headings typed as Excel dates (shown 2026年1月) or as 2026.01: 不是数据表（找不到表头）."""
    rows = [["民权县社会消费品零售总额分月情况"], ["单位：亿元"], ["指标", *(heading(m) for m in range(1, 11))],
            ["社会消费品零售总额", *(10.0 + m / 10 for m in range(1, 11))]]
    checked = _check(store, rows)
    assert checked.ok, _errors(checked)
    assert _figures(checked) == {("RETAIL", "411421", f"2026-{m:02d}", "month"): 10.0 + m / 10 for m in range(1, 11)}


@pytest.mark.parametrize("said, period", [("1-3季度", "2026-09"), ("1—2季度", "2026-06"), ("第一季度", "2026-03"),
                                          ("前3季度", "2026-09")])
def test_cumulative_quarters_however_written_are_the_quarters_end(store, said, period):
    rows = [[f"2026年{said}民权县主要经济指标"], ["指标", "累计", "增长%"], ["地区生产总值", 260.1, 5.2]]
    assert _figures(_check(store, rows)) == {("GDP", "411421", period, "ytd"): 260.1, ("GDP", "411421", period, "ytd_yoy"): 5.2}


def test_a_single_quarter_is_refused_saying_the_store_keeps_cumulative_quarters(store):
    checked = _check(store, [["2026年三季度民权县主要经济指标"], ["指标", "累计", "增长%"], ["地区生产总值", 260.1, 5.2]])
    assert not checked.ok
    assert "“三季度”是单季，本系统按累计报送季度数，请写“前三季度”“1—9月”这样的累计时期" in _errors(checked)[0]


def test_months_across_with_a_column_of_each_rows_scope(store):
    """指标 | 口径 | 1月 … 6月, rows 当月 / 累计 / 累计增长%: every row was read as 当月 and the file refused."""
    rows = [["2026年民权县社会消费品零售总额分月情况"], ["指标", "口径", *MONTHS[:6]],
            ["社会消费品零售总额", "当月", *(10.0 + m for m in range(6))],
            ["社会消费品零售总额", "累计", *(10.0 * (m + 1) for m in range(6))],
            ["社会消费品零售总额", "累计增长%", *[5.0] * 6]]
    checked = _check(store, rows)
    assert checked.ok, _errors(checked)
    got = _figures(checked)
    assert got[("RETAIL", "411421", "2026-06", "month")] == 15.0 and got[("RETAIL", "411421", "2026-06", "ytd")] == 60.0
    assert got[("RETAIL", "411421", "2026-03", "ytd_yoy")] == 5.0 and len(got) == 18


def test_a_words_column_headed_scope_beside_month_and_ytd_is_listed_and_the_rows_read(store):
    rows = [["2026年1—10月民权县主要经济指标"], ["指标", "口径", "本月", "本年累计"],
            ["社会消费品零售总额", "按经营单位所在地", 12.3, 119.0]]
    checked = _check(store, rows)
    assert _figures(checked) == {("RETAIL", "411421", "2026-10", "month"): 12.3, ("RETAIL", "411421", "2026-10", "ytd"): 119.0}
    assert [p.column for p in checked.problems.items if p.severity == "skipped"] == ["B（口径）"]


def test_a_unit_at_the_end_of_the_header_row_is_the_sheets_unit(store):
    """指标 | 本月 | 本年累计 | 累计同比增长% | 单位：万元 made the header a preamble line: 找不到表头."""
    rows = [["2026年1—10月民权县主要经济指标"], [*HEAD, "单位：万元"], ["进出口总额", 850, 990, 6.5]]
    checked = _check(store, rows)
    assert _errors(checked) == ["3/（单位行）：单位与指标目录的“亿元”不一致，请换算后填报"]
    rows[1][-1] = "单位：亿元"
    assert _figures(_check(store, rows))[("TRADE", "411421", "2026-10", "ytd")] == 990


def test_tables_side_by_side_under_group_labels_and_a_title_giving_only_the_year(store):
    """10月 over the left table and 1—10月 over the right, under "2026年各县区…": 找不到表头, then
    无法确定时期 (the year is the title's, the month the headers')."""
    rows = [["2026年各县区社会消费品零售总额"], ["10月", None, None, None, "1—10月", None, None],
            ["县区", "绝对值", "增速%", None, "县区", "绝对值", "增速%"],
            ["梁园区", 15.0, 4.0, None, "梁园区", 150.0, 5.1], ["睢阳区", 14.0, 3.0, None, "睢阳区", 140.0, 4.9]]
    checked = _check(store, rows, merges=("A2:C2", "E2:G2"))
    assert checked.ok, _errors(checked)
    assert _figures(checked) == {("RETAIL", r, "2026-10", m): v for r, vs in
                                 (("411402", (15.0, 4.0, 150.0, 5.1)), ("411403", (14.0, 3.0, 140.0, 4.9)))
                                 for m, v in zip(("month", "month_yoy", "ytd", "ytd_yoy"), vs)}
    assert "时期取自标题“2026年各县区社会消费品零售总额”的年份和表头的月份：2026-10" in [p.reason for p in checked.problems.items]


def test_a_percent_unit_line_over_shares_keeps_them_levels(store):
    """单位：% over 优良天数比例 or 失业率 is their own unit, not a table of growth rates."""
    rows = [["2026年1—10月各县区空气质量优良天数比例"], ["单位：%"], ["县区", "10月", "1—10月"], ["梁园区", 80.6, 75.2]]
    assert _figures(_check(store, rows)) == {("AQI_GOOD", "411402", "2026-10", "month"): 80.6,
                                             ("AQI_GOOD", "411402", "2026-10", "ytd"): 75.2}
    mixed = [["2026年1—10月民权县主要指标"], ["单位：%"], ["指标", "本月", "本年累计"], ["空气质量优良天数比例", 80.6, 75.2],
             ["社会消费品零售总额", 4.9, 5.3]]
    got = _figures(_check(store, mixed))
    assert got[("AQI_GOOD", "411421", "2026-10", "month")] == 80.6 and got[("RETAIL", "411421", "2026-10", "ytd_yoy")] == 5.3


def test_a_rank_in_the_city_is_still_a_rank_column(store):
    rows = [["2026年1—10月各县区社会消费品零售总额"], ["县区", "1—10月", "同比增长%", "全市位次"], ["梁园区", 150.0, 5.1, 1],
            ["睢阳区", 140.0, 4.9, 2]]
    checked = _check(store, rows)
    assert [p.reason.split("（第")[0] for p in checked.problems.items if p.severity == "skipped"] == ["位次列（只用于核对，不导入）"]


@pytest.mark.parametrize("rows", [
    [["2026年1—10月民权县主要经济指标增长情况"], ["单位：亿元、%"], ["指标", "本月", "累计"], ["社会消费品零售总额", 12.3, 119.0]],
    [["2026年1—10月民权县主要经济指标增长情况"], ["指标", "单位", "本月", "累计"], ["社会消费品零售总额", "亿元", 12.3, 119.0]],
    [["2026年1—10月民权县主要经济指标增长情况"], ["指标", "本月", "累计"], ["社会消费品零售总额（亿元）", 12.3, 119.0]],
    [["2026年1—10月民权县主要指标增速"], ["指标", "10月", "1—10月"], ["全社会用电量", 2.0, 3.1], [None],
     ["指标", "本月", "本年累计"], ["社会消费品零售总额", 12.3, 119.0]],
])
def test_an_amounts_unit_or_a_second_tables_header_outweighs_a_growth_title(store, rows):
    """A …增长情况 title over 单位：亿元 (or a 单位 column, or （亿元） after the name), and the second
    table under a …增速 title, stored 119 亿元 as a 累计同比 of 119%."""
    got = _figures(_check(store, rows))
    assert got[("RETAIL", "411421", "2026-10", "ytd")] == 119.0 and ("RETAIL", "411421", "2026-10", "ytd_yoy") not in got


def test_growth_titles_with_their_rank_after_them_hold_rates(store):
    rows = [["2026年1—10月各县区社会消费品零售总额增速及位次"], ["县区", "10月", "1—10月", "位次"], ["梁园区", 5.0, 5.1, 2]]
    assert _figures(_check(store, rows)) == {("RETAIL", "411402", "2026-10", "month_yoy"): 5.0,
                                             ("RETAIL", "411402", "2026-10", "ytd_yoy"): 5.1}


def test_months_across_under_a_title_saying_cumulative_but_headed_month_stay_the_months(store):
    rows = [["2026年1—6月民权县社会消费品零售总额累计值"], ["单位：亿元"], ["指标", *["当月"] * 6], [None, *MONTHS[:6]],
            ["社会消费品零售总额", 10.0, 9.0, 12.0, 11.0, 13.0, 12.0]]
    got = _figures(_check(store, rows, merges=("B3:G3",)))
    assert {k[3] for k in got} == {"month"} and len(got) == 6


def test_a_title_naming_the_city_is_the_citys_whoever_filled_it_in(store):
    rows = [["2026年1—10月商丘市主要经济指标"], ["填报单位：民权县统计局"], HEAD, ["社会消费品零售总额", 120, 1190, 5.1]]
    assert {k[1] for k in _figures(_check(store, rows))} == {"411400"}


def test_a_county_level_citys_sheet_with_the_citys_columns_beside_its_own(store):
    """永城市 | 全市 (商丘市) over 累计 | 增速: 商丘市's 1190 was stored as 永城市's where 永城's own was "—"."""
    rows = [["2026年1—10月永城市主要经济指标"], ["指标", "永城市", None, "全市", None], [None, "累计", "增速%", "累计", "增速%"],
            ["社会消费品零售总额", "—", "—", 1190.0, 5.1]]
    got = _figures(_check(store, rows, merges=("B2:C2", "D2:E2", "A2:A3")))
    assert got == {("RETAIL", "411400", "2026-10", "ytd"): 1190.0, ("RETAIL", "411400", "2026-10", "ytd_yoy"): 5.1}


def test_a_note_giving_one_indicator_its_unit_is_that_indicators_alone(store):
    rows = [["2026年1—10月民权县主要经济指标"], HEAD, ["社会消费品零售总额", 12.3, 119.0, 5.1], ["进出口总额", 85, 850, 6.5],
            ["注：金额单位为亿元，进出口总额单位为万元。"]]
    checked = _check(store, rows)
    assert _errors(checked) == ["4/（表注）：单位与指标目录的“亿元”不一致，请换算后填报"]  # 进出口's row, not 社零's


@pytest.mark.parametrize("header", [dt.datetime(2026, 11, 1), "全省"])
def test_a_stray_date_or_a_province_group_in_the_header_leaves_the_table_as_it_is(store, header):
    rows = [["2026年1—10月民权县主要经济指标"], [*HEAD, header], ["社会消费品零售总额", 12.3, 119.0, 5.1, 4.0]]
    checked = _check(store, rows)
    assert checked.ok, _errors(checked)
    assert len(_figures(checked)) == 3
