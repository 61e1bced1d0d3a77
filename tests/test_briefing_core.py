"""The briefing pack's core without pictures: what goes in, the commentary checked figure by figure
against the store, the county scope, and the data workbook opened with openpyxl."""
from __future__ import annotations

import datetime as dt
import io
import re

import pandas as pd
import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from cockpit import charts, schema as s
from cockpit.auth import Scope
from cockpit.briefing import commentary, content, figure, sections, workbook
from cockpit.catalog import CITY
from cockpit.store import Store, now
from tests.conftest import DEMO_END

TODAY = dt.date(2026, 11, 20)  # the demo store ends 2026-10
YONGCHENG = "411481"


@pytest.fixture(scope="module")
def city_pack(demo_db):
    return content.build(Store(demo_db), DEMO_END, today=TODAY)


@pytest.fixture(scope="module")
def county_pack(demo_db):
    return content.build(Store(demo_db), DEMO_END, scope=Scope.of([YONGCHENG]), today=TODAY)


def _numbers(text: str) -> list[float]:
    return [float(x) for x in re.findall(r"\d+(?:\.\d+)?", text)]


def _stored(store: Store, code: str, region: str, measure: str, period: str) -> float | None:
    obs = store.observations(indicators=[code], regions=[region], measures=[measure])
    hit = obs[obs.period == period]
    return float(hit.value.iloc[0]) if len(hit) else None


def _allowed(store: Store, code: str, regions: list[str], period: str, before: str | None) -> set[float]:
    """Every figure a sentence about `code` at `period` may print, read straight from the store: the
    累计 values, the published 累计同比 (now and at the period compared with), and their differences."""
    out = set()
    for r in regions:
        ytd = _stored(store, code, r, "ytd", period)
        yoy = _stored(store, code, r, "ytd_yoy", period)
        prev = _stored(store, code, r, "ytd_yoy", before) if before else None
        out |= {round(abs(x), 2) for x in (ytd, yoy) if x is not None}
        if yoy is not None and prev is not None:
            out.add(round(abs(yoy - prev), 1))
    return out


def test_every_figure_in_the_city_commentary_is_a_figure_of_the_store(city_pack, demo_store):
    counties = list(demo_store.regions().query("level == 'county'").code)
    for section in city_pack.charts:
        ind = demo_store.indicators().set_index("code").loc[section.code]
        if "ytd" not in ind.measures:
            continue  # a month's level (CPI, 失业率): the next test
        period = "2026-09" if ind.frequency == "Q" else DEMO_END
        before = "2026-06" if ind.frequency == "Q" else "2026-09"
        allowed = _allowed(demo_store, section.code, [CITY, *counties], period, before)
        months = {1.0, 9.0, 10.0} if ind.frequency == "M" else set()  # 1—10月, 1—9月
        text = section.text
        assert text.startswith(("1—10月，全市", "前三季度，全市")), text
        for n in _numbers(text):
            assert n in allowed | months, (n, text)


def test_a_levels_axis_spans_at_least_a_point_either_side(city_pack):
    """城镇调查失业率 on 5.0—5.4 drew moves of 0.1 个百分点 as spikes."""
    for code in ("UNEMP", "CPI"):
        fig = next(s for s in city_pack.charts if s.code == code).chart.figure
        lo, hi = fig.layout.yaxis.range
        ys = [y for y in fig.data[0].y if y is not None]
        assert hi - lo >= 2 and lo <= min(ys) and hi >= max(ys)


def test_cpi_and_unemployment_have_a_chart_each_and_their_sentences_read_the_store(city_pack, demo_store):
    """An economic briefing without 居民消费价格指数 or 城镇调查失业率 left out the two figures every
    month's meeting asks for: each is a month's level, said as the bulletin says it."""
    sections = {s.code: s for s in city_pack.charts}
    cpi, jobs = sections["CPI"], sections["UNEMP"]
    v, prev = (_stored(demo_store, "CPI", CITY, "month", p) for p in (DEMO_END, "2026-09"))
    now_, then = round(v - 100, 1), round(prev - 100, 1)
    assert cpi.text.startswith(f"10月，全市居民消费价格指数（上年同月=100）为{v:.1f}，"
                               + (f"同比上涨{now_:.1f}%" if now_ > 0 else f"同比下降{-now_:.1f}%")), cpi.text
    assert f"{abs(now_ - then):.1f}个百分点" in cpi.text and "9月" in cpi.text
    u, u_prev, u_year = (_stored(demo_store, "UNEMP", CITY, "month", p) for p in (DEMO_END, "2026-09", "2025-10"))
    step, yearly = round(u - u_prev, 1), round(u - u_year, 1)
    assert jobs.text.startswith(f"10月，全市城镇调查失业率为{u:.1f}%，"), jobs.text
    assert (f"比9月{'上升' if step > 0 else '下降'}{abs(step):.1f}个百分点" in jobs.text) or (step == 0 and "与9月持平" in jobs.text)
    assert (f"比上年同月{'上升' if yearly > 0 else '下降'}{abs(yearly):.1f}个百分点" in jobs.text
            or (yearly == 0 and "与上年同月持平" in jobs.text))
    assert "累计" not in cpi.chart.title + jobs.chart.title  # a level, never summed into 1—10月
    assert len(cpi.data) == content.TREND_MONTHS and cpi.data["时期"].iloc[-1] == "2026年10月"
    assert cpi.data["居民消费价格指数（上年同月=100）"].iloc[-1] == v


def test_the_index_sentence_says_a_turn_from_fall_to_rise_and_a_narrowing_fall():
    ind = pd.Series({"code": "CPI", "name": "居民消费价格指数", "unit": "上年同月=100", "kind": "index"})

    def said(now_, before=None):
        obs = pd.DataFrame({"indicator_code": "CPI", "region_code": CITY, "measure": "month", "demo": False,
                            "period": ["2026-09", "2026-10"], "value": [before, now_]}).dropna()
        return commentary.monthly_level(obs, ind, CITY, "全市", "2026-10", year=2026)
    assert said(100.3, 99.8).endswith("同比上涨0.3%，9月同比下降0.2%。")
    assert said(99.7, 99.4).endswith("同比下降0.3%，降幅比9月收窄0.3个百分点。")
    assert said(100.0, 100.2).endswith("与上年同月持平，9月同比上涨0.2%。")
    assert said(101.0).endswith("同比上涨1.0%，9月数据暂缺，无法比较。")  # a gap is said, never filled
    assert said(100.6, 100.6).endswith("同比上涨0.6%，涨幅与9月持平。")  # not 涨跌幅与9月相同
    assert said(99.5, 99.5).endswith("同比下降0.5%，降幅与9月持平。")


def test_the_city_sentence_reads_like_a_statistics_bulletin(city_pack, demo_store):
    retail = next(s for s in city_pack.charts if s.code == "RETAIL")
    ytd = _stored(demo_store, "RETAIL", CITY, "ytd", DEMO_END)
    yoy = _stored(demo_store, "RETAIL", CITY, "ytd_yoy", DEMO_END)
    prev = _stored(demo_store, "RETAIL", CITY, "ytd_yoy", "2026-09")
    assert retail.text.startswith(f"1—10月，全市社会消费品零售总额{ytd:.2f}亿元，同比增长{yoy:.1f}%，")
    diff = round(yoy - prev, 1)
    assert (f"增速比1—9月{'提高' if diff > 0 else '回落'}{abs(diff):.1f}个百分点" in retail.text
            or (diff == 0 and "增速与1—9月持平" in retail.text))
    county = retail.data.iloc[1:10].dropna(subset=["累计同比（%）"])  # the nine ranked units, city first
    best = county.loc[county["累计同比（%）"].idxmax(), "地区"]
    assert f"分县区看，{best}增长最快" in retail.text


def test_a_rate_only_indicator_says_only_its_rate(city_pack):
    industry = next(s for s in city_pack.charts if s.code == "IND_VA")
    assert re.match(r"1—10月，全市规模以上工业增加值同比(增长|下降)\d+\.\d%", industry.text), industry.text


def test_a_computed_rate_is_marked_and_a_missing_figure_is_said_to_be_missing():
    ind = pd.Series({"code": "X", "name": "某指标", "unit": "亿元", "kind": "flow", "frequency": "M",
                     "higher_is_better": True})
    obs = pd.DataFrame({"indicator_code": "X", "region_code": CITY, "measure": "ytd", "demo": False,
                        "period": ["2025-10", "2026-10"], "value": [100.0, 110.0]})
    text = commentary.indicator(obs, ind, CITY, "全市", "2026-10")
    assert "全市某指标110.00亿元，同比增长10.0%（推算）" in text
    assert "1—9月增速暂缺，无法比较" in text  # gaps are said, never filled
    assert commentary.indicator(obs, ind, CITY, "全市", "2026-08") == "1—8月，全市某指标数据暂缺（尚未报送或未发布）。"


def test_after_the_plan_period_the_pack_gives_the_final_assessment_and_during_it_the_lights(city_pack, demo_db):
    from cockpit import metrics
    from cockpit.config import Settings
    store = Store(demo_db)
    ind = store.indicators()
    for pack, today in ((city_pack, TODAY), (content.build(store, "2025-06", today=dt.date(2025, 6, 30)), dt.date(2025, 6, 30))):
        section = next(t for t in pack.tables if t.title == "数字政府建设主要指标")
        month = DEMO_END if today == TODAY else "2025-06"
        expected = metrics.plan_status(ind, store.observations(indicators=list(ind[ind.plan_target.notna()].code),
                                                               until=month), today, Settings())
        assert len(section.frame) == 12 and "2025年目标" in section.frame.columns
        if today == TODAY:  # the plan ran 2023—2025
            words = {"met": "已达标", "missed": "未达标"}
            assert section.frame["状态"].tolist() == [words[a] for a in expected.assessment]
            assert "差距" in section.frame.columns and "较序时进度（百分点）" not in section.frame.columns
            assert "规划期 2023—2025 年已结束" in section.note
            n = expected.assessment.value_counts()
            assert f"已达标{n.get('met', 0)}项" in section.text and f"未达标{n.get('missed', 0)}项" in section.text
        else:
            lights = {"red": "红灯", "yellow": "黄灯", "green": "绿灯"}
            assert section.frame["状态"].tolist() == [lights[x] for x in expected.light]
            assert "较序时进度（百分点）" in section.frame.columns


def test_a_county_users_pack_holds_only_their_county(county_pack, demo_store):
    names = set(demo_store.regions().name) - {"永城市"}
    assert county_pack.region == YONGCHENG and county_pack.title.startswith("永城市")
    for section in county_pack.charts:
        assert "地区" not in section.data.columns  # a trend of their county, not a ranking
        assert section.text.startswith(("1—10月，永城市", "前三季度，永城市")), section.text
        assert not any(n in section.text or n in section.chart.title for n in names)
    assert all(t.title != "数字政府建设主要指标" for t in county_pack.tables)
    assert any("全市指标" in n for n in county_pack.notes)
    # The county has no CPI of its own: said on the title page, not left out unsaid.
    assert not {"CPI", "UNEMP"} & {s.code for s in county_pack.charts}
    assert "城镇调查失业率、居民消费价格指数近两年没有永城市的数据（通常仅发布全市数据），本简报不含该部分。" in county_pack.notes
    # Its 累计 trends break at each new year (全年 drawn down into the next 1月 read as a collapse),
    # and GDP's points are named as released.
    gdp = next(s for s in county_pack.charts if s.code == "GDP").chart.figure.data[0]
    assert None in list(gdp.y) and "2025年前三季度" in list(gdp.text or gdp.customdata.ravel())


def test_a_city_without_its_own_cpi_is_not_told_only_city_figures_are_published(demo_copy):
    from sqlalchemy import delete
    store = Store(demo_copy)
    with store.engine.begin() as conn:
        conn.execute(delete(s.observations).where(s.observations.c.indicator_code.in_(["CPI", "UNEMP"])))
    pack = content.build(store, DEMO_END, today=TODAY)
    assert "城镇调查失业率、居民消费价格指数近两年没有商丘市的数据，本简报不含该部分。" in pack.notes


@pytest.mark.parametrize("month, region, scope, message", [
    ("2026-13", None, Scope(), "月份“2026-13”不存在"),
    ("十月", None, Scope(), "格式不对"),
    ("2027-01", None, Scope(), "尚未到来"),
    ("2026-1", None, Scope(), "月份“2026-1”格式不对，应为 YYYY-MM"),  # was a pack of 数据暂缺
    ("２０２５-１１", None, Scope(), "格式不对，应为 YYYY-MM"),  # full-width digits (an IME) read as 尚未到来
    (" 2026-05", None, Scope(), "格式不对"),
    ("1999-01", None, Scope(), "商丘市1999年1月没有经济指标数据（最近有数据的是"),
    (DEMO_END, "999999", Scope(), "未知的地区“999999”，可写名称或代码"),
    (DEMO_END, "411402", Scope.of([YONGCHENG]), "只能生成永城市的简报，不能生成梁园区的"),
])
def test_a_request_the_pack_cannot_be_made_for_is_refused_in_chinese(demo_store, month, region, scope, message):
    with pytest.raises(content.BriefingRefused, match=message):
        content.build(demo_store, month, region, scope, today=TODAY)


def test_the_pictures_carry_the_demo_mark_and_the_pinned_notes():
    values = pd.DataFrame({"period": ["2026-08", "2026-09", "2026-10"], "value": [5.0, 6.0, 7.0]})
    notes = pd.DataFrame({"period": ["2026-09"], "text": ["受大项目投产拉动"]})
    chart = charts.trend(values, title="某指标", unit="%", caliber="口径", source="来源", as_of="2026年10月",
                         notes=notes)
    texts = [a.text for a in figure.printable(chart, demo=True).layout.annotations]
    assert "批注：受大项目投产拉动" in texts and figure.DEMO_MARK in texts
    assert any("数据截至：2026年10月" in t for t in texts)
    assert figure.DEMO_MARK not in [a.text for a in figure.printable(chart, demo=False).layout.annotations]
    assert not any("批注：" in (a.text or "") for a in chart.figure.layout.annotations)


def test_a_pack_picture_is_headed_by_its_unit_since_its_page_heads_it_with_the_title():
    chart = charts.trend(pd.DataFrame({"period": ["2026-09", "2026-10"], "value": [5.0, 6.0]}), title="某指标累计同比",
                         unit="%", caliber="口径", source="来源", as_of="2026年10月")
    assert figure.printable(chart, demo=False, size=figure.PACK).layout.title.text == "单位：%"
    assert figure.printable(chart, demo=False).layout.title.text == "某指标累计同比（%）"  # a download stands alone


def test_date_axes_speak_chinese_and_end_with_the_data(city_pack, county_pack):
    gdp = next(s for s in county_pack.charts if s.code == "GDP").chart.figure
    assert gdp.layout.xaxis.tickformat == "%Y年%-m月"  # 2026年4月, not 2026年04月
    last = pd.Timestamp(gdp.layout.xaxis.range[1])
    assert last < pd.Timestamp("2026-10-01")  # the data end 2026-09; no axis out to 2027


def test_the_workbook_holds_every_charts_figures_as_numbers_with_their_labels(demo_copy):
    store = Store(demo_copy)
    with store.begin() as conn:  # an alert whose title a spreadsheet would run as a formula
        conn.execute(s.alerts.insert().values(rule="threshold", subject="x", state="firing", level=1,
                                              title="=HYPERLINK(\"http://evil\",\"点我\")", message="",
                                              started_at=now(), updated_at=now()))
    pack = content.build(store, DEMO_END, today=TODAY)
    wb = load_workbook(io.BytesIO(workbook.write(pack)))
    assert wb.sheetnames[0] == "说明" and len(wb.sheetnames) == 1 + len(pack.charts) + len(pack.tables)
    cover = [r[0] for r in wb["说明"].iter_rows(values_only=True)]
    assert "地区：商丘市　时期：2026年10月　口径：累计（城镇调查失业率、居民消费价格指数为当月）" in cover
    assert any("演示数据" in (c or "") for c in cover)
    cpi = [r[0] for r in wb["商丘市居民消费价格指数"].iter_rows(max_row=8, values_only=True)]
    assert "地区：商丘市　时期：2026年10月　口径：当月" in cpi  # the sheet's own 口径, not the pack's 累计
    ws = wb["社会消费品零售总额累计同比"]
    head = [r[0] for r in ws.iter_rows(max_row=8, values_only=True)]
    assert head[0] == "各县区社会消费品零售总额累计同比（2026年1—10月）"
    assert {"口径", "来源", "数据截至"} <= {h.split("：")[0] for h in head if h and "：" in h}
    header_row = next(r for r in ws.iter_rows() if r[0].value == "地区代码")
    cols = {c.value: c.column for c in header_row}
    city = ws.cell(row=header_row[0].row + 1, column=1)
    assert city.value == CITY and city.data_type == "s" and city.number_format == "@"  # a code stays text
    value = ws.cell(row=city.row, column=cols["累计值（亿元）"])
    assert value.value == _stored(store, "RETAIL", CITY, "ytd", DEMO_END) and value.number_format == "#,##0.00"
    assert isinstance(ws.cell(row=city.row, column=cols["累计同比（%）"]).value, float)
    assert ws.column_dimensions["B"].width >= 8
    warnings = wb["预警情况（生成简报时）"]
    titles = [r[1] for r in warnings.iter_rows(values_only=True)]
    assert "'=HYPERLINK(\"http://evil\",\"点我\")" in titles  # shown, never run


@pytest.fixture(scope="module")
def early_packs(demo_db):
    store = Store(demo_db)
    return {m: content.build(store, m, today=TODAY) for m in ("2026-01", "2026-02")}


def _text(pack, code):
    return next(s for s in pack.charts if s.code == code).text


def test_a_figure_of_the_year_before_names_its_year_and_a_joint_release_is_not_said_missing(early_packs, demo_store):
    """February's bulletin read "全年，全市地区生产总值…" (2025's year under a 2026 title), and said of
    社零 "1月增速暂缺，无法比较" though 1—2月 is its first release; January's called it 数据暂缺."""
    feb, jan = early_packs["2026-02"], early_packs["2026-01"]
    gdp = _stored(demo_store, "GDP", CITY, "ytd", "2025-12")
    assert _text(feb, "GDP").startswith(f"2025年全年，全市地区生产总值{gdp:.2f}亿元")
    for code in ("RETAIL", "IND_VA", "FAI"):
        assert _text(feb, code).startswith("1—2月，全市") and "1月" not in _text(feb, code).split("；")[0]
        # January has no chart of it: no empty axes, its sentence on the title page instead.
        assert code not in {c.code for c in jan.charts}
    said = next(n for n in jan.notes if "不单独发布" in n)
    assert said.startswith("1月，全市") and said.endswith("不单独发布（与2月合并为1—2月发布），本简报不含该部分。")
    names = demo_store.indicators().set_index("code").name
    assert all(names[c] in said for c in ("RETAIL", "IND_VA", "FAI"))
    assert "12月增速" not in _text(jan, "REVENUE")  # January is the year's first: compared with nothing


def test_a_region_may_be_named_and_its_warnings_are_its_own(demo_store):
    pack = content.build(demo_store, DEMO_END, "永城", today=TODAY)
    assert pack.region == YONGCHENG
    [warnings] = [t for t in pack.tables if t.title == "预警情况（生成简报时）"]
    firing = demo_store.frame(select(s.alerts.c.region_code).where(s.alerts.c.state == "firing")).region_code
    assert firing.notna().any() and set(firing.dropna()) - {YONGCHENG}  # other counties' alerts exist
    theirs = set(firing.dropna()) - {YONGCHENG}
    names = set(demo_store.regions().set_index("code").name[list(theirs)])
    assert not any(n in t for t in warnings.frame["预警"] for n in names)
    assert warnings.text.startswith("截至") and "（生成简报时）" in warnings.text


def test_a_past_months_pack_lists_the_alerts_firing_at_its_end_read_back_from_their_history(demo_copy):
    """September's pack made in November listed November's alerts, labelled 生成简报时."""
    from models.rules.base import Finding
    from service import alerts
    store = Store(demo_copy)
    def finding(subject):
        return Finding("drill", subject, 2, f"{subject}预警", "说明", region_code=YONGCHENG)
    alerts.apply(store, [finding("九月起")], {"drill"}, {}, at=dt.datetime(2026, 9, 20, 8, 0))
    alerts.apply(store, [finding("九月起"), finding("十月中")], {"drill"}, {}, at=dt.datetime(2026, 10, 15, 8, 0))
    alerts.apply(store, [finding("十一月起")], {"drill"}, {}, at=dt.datetime(2026, 11, 3, 8, 0))
    tables = {t.title.split("（")[0]: t for t in content.build(store, "2026-09", today=TODAY).tables}
    september = tables["预警情况"]
    assert september.title == "预警情况（2026年9月末）" and list(september.frame["预警"]) == ["九月起预警"]
    assert september.text == "截至2026年9月末，正在触发的预警1条，其中Ⅱ级（橙色）1条。"
    assert september.frame["开始时间"].iloc[0] == pd.Timestamp("2026-09-20 08:00")
    october = {t.title: t for t in content.build(store, DEMO_END, today=TODAY).tables}["预警情况（2026年10月末）"]
    assert list(october.frame["预警"]) == ["十月中预警", "九月起预警"]  # both firing on 31 October, newest first
    [now] = [t for t in content.build(store, "2026-11", today=TODAY).tables if t.title.startswith("预警情况")]
    assert now.title == "预警情况（生成简报时）" and "十一月起预警" in list(now.frame["预警"])  # a month still running
    assert not {"九月起预警", "十月中预警"} & set(now.frame["预警"])


def test_a_past_month_before_the_alerts_history_says_it_cannot_be_read_back(city_pack):
    [t] = [t for t in city_pack.tables if t.title.startswith("预警情况")]
    assert t.title == "预警情况（生成简报时）" and "（生成简报时）" in t.text
    assert re.search(r"预警记录始于\d{4}年\d{1,2}月\d{1,2}日，无法回溯到2026年10月末", t.note)


def test_the_tasks_of_a_month_still_running_are_counted_to_the_day(demo_db, city_pack):
    running = content.build(Store(demo_db), "2026-11", today=TODAY)
    said = next(t for t in running.tables if t.title == "逾期未完成的重点任务").text
    assert said.startswith("截至2026年11月20日，")
    assert next(t for t in city_pack.tables if t.title == "逾期未完成的重点任务").text.startswith("截至2026年10月末，")


def test_a_table_of_long_tasks_is_cut_where_the_slide_ends_and_its_columns_fit_their_content():
    import io as _io

    from pptx import Presentation
    long_task = "推进政务数据共享交换平台建设，" * 9  # 135 characters, as the plan's longest
    frame = pd.DataFrame({"序号": range(1, 11), "任务内容": [long_task] * 10, "任务时限": ["2024年底前"] * 10,
                          "牵头单位": ["市政务服务和大数据管理局"] * 10, "最新状态": ["推进中"] * 10,
                          "逾期天数": [100.0] * 10})
    table = sections.TableSection("逾期未完成的重点任务", "截至2026年10月末，…", frame, "口径：…", "2026年10月31日")
    parts = table.pages()
    assert len(parts) > 1 and sum(map(len, parts)) == 10  # ten rows of four lines do not fit one slide
    short = sections.TableSection("t", "", frame.assign(任务内容="短任务"), "", "").pages()
    assert len(short) == 1
    pack = content.Pack("2026-10", CITY, "商丘市", "累计", "2026年10月", dt.datetime(2026, 11, 1), False, [], [table], [])
    from cockpit.briefing import slides
    deck = Presentation(_io.BytesIO(slides.write(pack, [])))
    [first, *_] = [sh.table for sl in deck.slides for sh in sl.shapes if sh.has_table]
    cols = [c.width for c in first.columns]
    assert cols[1] == max(cols) and cols[0] < cols[1] / 4  # 序号 narrow, 任务内容 wide
    # every slide has its title in the title placeholder: PowerPoint's outline names it
    assert [sl.shapes.title.text for sl in deck.slides] == ["商丘市经济运行月度简报", *(
        f"逾期未完成的重点任务（{i}/{len(parts)}）" for i in range(1, len(parts) + 1))]


def test_the_task_table_is_dated_by_its_latest_report_not_the_months_end(city_pack, demo_store):
    from cockpit import tasks
    h = tasks.progress_history(demo_store)
    last = pd.Timestamp(h[pd.to_datetime(h.reported_on) <= pd.Timestamp(2026, 10, 31)].reported_on.max())
    [table] = [t for t in city_pack.tables if t.title == "逾期未完成的重点任务"]
    assert table.as_of == f"{last.year}年{last.month}月{last.day}日报送（逾期天数按2026年10月末计）"  # no leading zeros


@pytest.mark.parametrize("width", [22, 31, 47, 75, 120])
def test_the_pdfs_lines_never_split_a_number_nor_begin_with_a_closing_mark(city_pack, width):
    from cockpit.briefing import document
    doc = document._Doc(city_pack)
    doc.set_font("cjk", size=11)
    text = "1—10月，全市社会消费品零售总额1833.32亿元，同比增长6.6%，比上半年回落0.2个百分点；永城市增长最慢（增长-1.1%）。"
    lines = doc.wrapped(text, width).split("\n")
    assert "".join(lines) == text and len(lines) > 1
    assert not any(line[0] in "，。、；：）%" for line in lines), lines
    for number in ("1—10月", "1833.32", "6.6%", "0.2", "-1.1%"):
        assert any(number in line for line in lines), (number, lines)
    assert all(doc.get_string_width(line) <= width - 2 * doc.c_margin for line in lines)  # multi_cell keeps them whole


def test_a_county_trend_says_a_joint_januarys_figure_is_not_published_and_a_quarter_is_dated_as_released(county_pack):
    retail = next(c for c in county_pack.charts if c.code == "RETAIL")
    january = retail.data[retail.data["时期"].str.endswith("年1月")]
    assert len(january) and set(january["说明"]) == {"不单独发布"}  # was 暂缺, as if a figure were missing
    assert retail.chart.title == "永城市社会消费品零售总额累计同比（2026年1—10月）"
    gdp = next(c for c in county_pack.charts if c.code == "GDP")
    assert gdp.chart.as_of == "2026年前三季度"  # was 2026年9月


def test_counties_that_print_the_same_rate_share_the_fastest_or_slowest_place():
    """One county was named 增长最快 when two printed the same 9.1%; the page's sentences say 并列."""
    rank = pd.DataFrame({"name": ["甲县", "乙县", "丙县", "丁县"], "yoy": [9.12, 9.08, 3.2, 3.24],
                         "estimated": [False, False, False, True], "ranked": True})
    assert commentary.counties(rank) == "；分县区看，甲县、乙县并列增长最快（增长9.1%），丁县、丙县并列增长最慢（增长3.2%，推算）"
    same = rank.assign(yoy=5.0)
    assert commentary.counties(same) == "；分县区看，甲县、乙县、丙县、丁县并列增长最快（增长5.0%，推算）"


def test_falls_and_standstills_are_worded_as_a_bulletin_words_them():
    """"永城市增长最快（下降11.0%）", "增速比1月回落11.6个百分点" of −4.3 → −15.9, and "增长0.0%"."""
    rank = pd.DataFrame({"name": ["甲县", "乙县", "丙县"], "yoy": [-2.0, -5.5, -11.04],
                         "estimated": False, "ranked": True})
    assert commentary.counties(rank) == "；分县区看，甲县降幅最小（下降2.0%），丙县降幅最大（下降11.0%）"
    mixed = rank.assign(yoy=[3.0, 0.04, -1.0])
    assert commentary.counties(mixed) == "；分县区看，甲县增长最快（增长3.0%），丙县降幅最大（下降1.0%）"
    still = rank.assign(yoy=[0.0, -0.02, -1.0])
    assert commentary.counties(still) == "；分县区看，甲县、乙县并列增速最高（持平），丙县降幅最大（下降1.0%）"
    few = rank.assign(yoy=[6.9, None, 4.7], estimated=[True, False, False])
    assert commentary.counties(few) == ("；分县区看，已有数据的2个县区中，甲县增长最快（增长6.9%，推算），"
                                        "丙县增长最慢（增长4.7%）；乙县数据暂缺")
    assert commentary._change(-15.9, -4.3, "1月") == "，降幅比1月扩大11.6个百分点"
    assert commentary._change(-3.2, -4.6, "1—6月") == "，降幅比1—6月收窄1.4个百分点"
    assert commentary._change(-3.2, -3.2, "1—6月") == "，降幅与1—6月持平"
    assert commentary._change(-1.0, 2.0, "1—6月") == "，增速比1—6月回落3.0个百分点"
    assert commentary._change(7.2, 7.5, "1—9月") == "，增速比1—9月回落0.3个百分点"


def test_only_the_pages_of_demo_data_are_marked_demo(demo_copy):
    """A store whose figures were real and whose task reports were still the demo's stamped every
    page, chart and sheet 演示数据, real figures included."""
    from sqlalchemy import update
    store = Store(demo_copy)
    with store.engine.begin() as conn:  # the figures' batches as a city's own import would hold them
        conn.execute(update(s.upload_batches).where(s.upload_batches.c.dataset == "observations").values(source="excel"))
    pack = content.build(store, DEMO_END, today=TODAY)
    assert pack.demo and not any(c.demo for c in pack.charts)
    marked = {t.title.split("（")[0]: t.demo for t in pack.tables}
    assert marked == {"12345热线受理情况": True, "预警情况": True, "逾期未完成的重点任务": True, "数字政府建设主要指标": False}
    assert "演示数据" not in pack.footer(pack.charts[0].basis, pack.charts[0].chart.as_of, pack.charts[0].demo)
    assert pack.demo_notice.startswith("【演示数据】本简报中标有“演示数据”的页面为系统生成的演示数据")
    sheets = load_workbook(io.BytesIO(workbook.write(pack)))
    assert not any("演示数据" in str(c.value) for c in sheets[sheets.sheetnames[1]]["A"])
    assert any("演示数据" in str(c.value) for c in sheets["逾期未完成的重点任务"]["A"])


def test_the_plans_last_month_is_assessed_as_the_month_after_assesses_it(demo_store):
    """December 2025's pack lit 黄灯 against a 序时进度 of 100% where January's said 未达标 for the
    same figures: the plan's period was over."""
    def plan_table(month, today):
        pack = content.build(demo_store, month, today=today)
        return next(t for t in pack.tables if t.title == "数字政府建设主要指标").frame
    december, january = plan_table("2025-12", dt.date(2026, 1, 10)), plan_table("2026-01", dt.date(2026, 2, 10))
    assert "完成率（%）" in december.columns and "序时进度（%）" not in december.columns
    assert december["状态"].tolist() == january["状态"].tolist()
    assert set(december["状态"]) <= {"已达标", "未达标", "—"}
