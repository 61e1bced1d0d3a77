"""Counties that stop adding up to the city: a warning in the preview (never a refusal) that says
which indicator, which period and by how much; rates are never summed; an incomplete set is not judged."""
from __future__ import annotations

from cockpit.uploads import commit as C, validate as V
from tests.fixtures.upload_files import TODAY, xlsx
from tests.test_upload_workbooks import _book

OPT = V.Options(today=TODAY)
COUNTIES = ["梁园区", "睢阳区", "民权县", "睢县", "宁陵县", "柘城县", "虞城县", "夏邑县", "永城市"]


def _rows(city: float, counties: dict[str, float] | None = None, zone: float | None = 5.0,
          indicator="社会消费品零售总额", measure="当月", period="2026-10", unit="亿元") -> list[list]:
    values = {c: 10.0 for c in COUNTIES} | (counties or {})
    rows = [["商丘市", indicator, period, measure, city, unit]]
    rows += [[c, indicator, period, measure, v, unit] for c, v in values.items()]
    if zone is not None:
        rows.append(["示范区", indicator, period, measure, zone, unit])
    return rows


def _sum_warnings(checked) -> list:
    return [p for p in checked.problems.warnings if "各县（市、区）合计" in p.reason]


def test_counties_that_add_up_to_the_city_raise_no_warning(store):
    checked = V.check_bytes(store, xlsx(_rows(95.0)), "月报.xlsx", OPT)
    assert checked.ok and _sum_warnings(checked) == []


def test_a_county_figure_that_breaks_the_total_is_a_warning_naming_the_gap_and_the_file_still_imports(store):
    data = xlsx(_rows(95.0, {"永城市": 30.0}))
    checked = V.check_bytes(store, data, "月报.xlsx", OPT)
    assert checked.ok
    [warning] = _sum_warnings(checked)
    assert warning.reason == ("社会消费品零售总额2026年10月当月：各县（市、区）合计 115 亿元（含示范区 5），比全市 95 亿元"
                              "多 20 亿元（+21.1%），请核对（仅提醒，不影响导入）")
    assert (warning.sheet, warning.row, warning.value) == ("数据", 2, "95")  # at the city's own row
    result = C.commit(store, checked, data=data, file_name="月报.xlsx", created_by="甲")
    assert result.status == "committed"


def test_the_zone_is_counted_when_it_has_a_figure_and_left_out_when_it_has_none(store):
    checked = V.check_bytes(store, xlsx(_rows(100.0, zone=10.0)), "月报.xlsx", OPT)
    assert _sum_warnings(checked) == []
    checked = V.check_bytes(store, xlsx(_rows(120.0, zone=10.0)), "月报.xlsx", OPT)
    assert "合计 100 亿元（含示范区 10），比全市 120 亿元少 20 亿元" in _sum_warnings(checked)[0].reason
    assert _sum_warnings(V.check_bytes(store, xlsx(_rows(90.0, zone=None)), "无示范区.xlsx", OPT)) == []


def test_a_county_revising_its_own_figure_is_checked_against_the_others_in_force(store):
    first = xlsx(_rows(95.0))
    C.commit(store, V.check_bytes(store, first, "全市.xlsx", OPT), data=first, file_name="全市.xlsx", created_by="甲")
    revised = V.check_bytes(store, xlsx([["睢县", "社会消费品零售总额", "2026-10", "当月", 14.0, "亿元"]]), "睢县.xlsx", OPT)
    [warning] = _sum_warnings(revised)
    assert "合计 99 亿元（含示范区 5），比全市 95 亿元多 4 亿元" in warning.reason
    assert (warning.row, warning.value) == (2, "14")


def test_rounding_within_the_published_decimals_is_not_a_discrepancy(store):
    """Small totals published to two decimals: ten roundings may add up to a few hundredths."""
    rows = _rows(5.03, {c: 0.49 for c in COUNTIES}, zone=0.59, indicator="进出口总额")
    assert _sum_warnings(V.check_bytes(store, xlsx(rows), "月报.xlsx", OPT)) == []
    rows = _rows(5.30, {c: 0.49 for c in COUNTIES}, zone=0.59, indicator="进出口总额")
    assert _sum_warnings(V.check_bytes(store, xlsx(rows), "月报.xlsx", OPT))


def test_rates_and_an_incomplete_set_of_counties_are_not_summed(store):
    rates = _rows(5.0, {"永城市": 30.0}, indicator="社会消费品零售总额", measure="累计同比", unit="%")
    assert _sum_warnings(V.check_bytes(store, xlsx(rates), "同比.xlsx", OPT)) == []
    partial = [r for r in _rows(95.0, {"永城市": 30.0}) if r[0] != "夏邑县"]
    assert _sum_warnings(V.check_bytes(store, xlsx(partial), "缺县.xlsx", OPT)) == []


def test_demo_figures_the_upload_retires_are_not_compared_with(demo_copy):
    """A county's first real figures beside the demo ones in force: the demo city total and the
    demo months before it leave with this very commit, so no 合计 and no 较上月 is said of them."""
    from cockpit.store import Store
    from tests.conftest import DEMO_END
    demo = Store(demo_copy)
    kept = demo.observations(indicators=["RETAIL"], regions=["411422"], measures=["month"], until=DEMO_END)
    assert kept.demo.all() and len(kept) > 12  # the demo's 睢县, month by month
    rows = [["睢县", "社会消费品零售总额", DEMO_END, "当月", round(kept.value.iloc[-1] * 3, 1), "亿元"]]
    checked = V.check_bytes(demo, xlsx(rows), "睢县.xlsx", OPT)
    assert checked.ok and checked.problems.warnings == []


def test_a_share_in_percent_written_as_a_fraction_is_a_reminder(store):
    """优良天数比例 0.806 (80.6% in a cell not formatted as a percentage) was stored as 0.806% unsaid."""
    rows = [["2026年1—10月民权县主要经济指标"], ["指标", "本月", "本年累计"], ["空气质量优良天数比例", 0.806, 75.2]]
    checked = V.check_bytes(store, _book(rows), "月报.xlsx", OPT)
    assert checked.ok
    [warning] = [p for p in checked.problems.warnings if "小于 1" in p.reason]
    assert warning.reason.startswith("0.806 小于 1：该指标单位为%，是否把 80.6% 写成了小数？") and warning.column == "B（本月）"
