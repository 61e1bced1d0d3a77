"""同比/累计 and progress lights, the way a statistician checks them."""
from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from cockpit import fmt, metrics, periods
from cockpit.config import Settings


def _obs(rows):
    return pd.DataFrame(rows, columns=["indicator_code", "region_code", "period", "measure", "value"])


def test_reported_growth_is_preferred_to_computed():
    obs = _obs([("X", "1", "2026-10", "ytd", 110.0), ("X", "1", "2025-10", "ytd", 100.0),
                ("X", "1", "2026-10", "ytd_yoy", 7.5)])
    assert metrics.growth(obs, "1", "2026-10", "ytd") == (7.5, True)


def test_growth_is_computed_from_the_same_period_last_year_when_not_reported():
    obs = _obs([("X", "1", "2026-10", "ytd", 110.0), ("X", "1", "2025-10", "ytd", 100.0)])
    assert metrics.growth(obs, "1", "2026-10", "ytd") == (10.0, False)


def test_ratio_change_is_in_percentage_points():
    obs = _obs([("U", "1", "2026-10", "month", 5.3), ("U", "1", "2025-10", "month", 5.1)])
    assert metrics.growth(obs, "1", "2026-10", "month", ratio=True) == (0.2, False)


def test_missing_last_year_gives_no_growth_rather_than_zero():
    obs = _obs([("X", "1", "2026-10", "ytd", 110.0)])
    assert metrics.growth(obs, "1", "2026-10", "ytd") == (None, False)


@pytest.mark.parametrize("before, now", [(-2.0, 5.0), (-6.0, -3.0), (0.0, 4.0), (5.0, -2.0)])
def test_no_percent_change_is_computed_on_a_base_of_zero_or_below_nor_into_a_loss(before, now):
    """−2 → 5 printed −350.0%, −6 → −3 −50.0% and 5 → −2 −140.0%: a release says 扭亏, 减亏 or 由盈转亏,
    or nothing."""
    obs = _obs([("X", "1", "2026-10", "ytd", now), ("X", "1", "2025-10", "ytd", before)])
    assert metrics.growth(obs, "1", "2026-10", "ytd") == (None, False)


def test_a_fall_to_zero_is_a_fall_of_a_hundred_percent():
    obs = _obs([("X", "1", "2026-10", "ytd", 0.0), ("X", "1", "2025-10", "ytd", 5.0)])
    assert metrics.growth(obs, "1", "2026-10", "ytd") == (-100.0, False)  # computed (推算)


@pytest.mark.parametrize("gap,expected", [(5.0, "green"), (-9.9, "green"), (-10.1, "yellow"),
                                          (-30.0, "yellow"), (-30.1, "red"), (None, None)])
def test_progress_light_bands(gap, expected):
    assert metrics.light(gap, Settings(lag_red_pp=30, lag_yellow_pp=10)) == expected


def test_plan_status_reads_progress_from_the_base_against_target_and_schedule():
    ind = pd.DataFrame([{"code": "P", "name": "上云率", "unit": "%", "plan_target": 80.0, "plan_id": "2023-2025"}])
    obs = _obs([("P", "411400", "2022-12", "month", 40.0), ("P", "411400", "2024-06", "month", 64.0)])
    st = metrics.plan_status(ind, obs, dt.date(2024, 7, 2)).iloc[0]
    assert st.value == 64.0 and st.completion == 80.0 and st.progress == 60.0  # (64 − 40) ÷ (80 − 40)
    assert st.schedule == pytest.approx(49.9, abs=0.1) and st.gap_pp == pytest.approx(10.1, abs=0.1)
    assert st.light == "green"


@pytest.mark.parametrize("key,measure,freq,text", [
    ("2026-10", "ytd", "M", "2026年1—10月"), ("2026-01", "ytd", "M", "2026年1月"),
    ("2026-10", "month", "M", "2026年10月"), ("2026-06", "ytd", "Q", "2026年上半年"),
    ("2026-09", "ytd", "Q", "2026年前三季度")])
def test_period_labels_read_like_a_release(key, measure, freq, text):
    assert periods.label(key, measure, freq) == text


def test_bad_month_is_a_clear_error():
    with pytest.raises(ValueError, match="2026-13"):
        periods.parse_month("2026-13")


def test_formatting():
    assert fmt.number(1702.987, "亿元") == "1,702.99 亿元"
    assert fmt.number(None, "亿元") == "—"
    assert fmt.number(5.2, "%") == "5.2%"
    assert fmt.pct_change(-0.35) == "-0.3%" or fmt.pct_change(-0.35) == "-0.4%"
    assert fmt.pp(0.2) == "+0.2个百分点"
    assert fmt.pct_change(-0.04) == "+0.0%" and fmt.pp(-0.01) == "+0.0个百分点"  # never "-0.0"


# ---- one definition of 同比, its 推算 label and its provenance (issue 9) ---------------------------
def _demo_obs(rows):
    return pd.DataFrame(rows, columns=["indicator_code", "region_code", "period", "measure", "value", "demo"])


def test_a_computed_yoy_is_never_taken_across_a_demo_and_a_real_figure():
    real_over_demo = _demo_obs([("X", "1", "2026-10", "month", 48.7, False), ("X", "1", "2025-10", "month", 100.0, True)])
    assert metrics.growth(real_over_demo, "1", "2026-10", "month") == (None, False)
    both_real = real_over_demo.assign(demo=False)
    assert metrics.growth(both_real, "1", "2026-10", "month") == (-51.3, False)
    published = pd.concat([real_over_demo, _demo_obs([("X", "1", "2026-10", "month_yoy", 3.2, False)])])
    assert metrics.growth(published, "1", "2026-10", "month") == (3.2, True)  # a published one wins


def test_month_on_month_follows_the_same_definition():
    ind = pd.Series({"code": "X", "kind": "flow"})
    obs = _demo_obs([("X", "1", "2026-10", "month", 110.0, False), ("X", "1", "2026-09", "month", 100.0, True)])
    assert metrics.month_on_month(obs, ind, "1", "2026-10", "2026-09") is None
    assert metrics.month_on_month(obs.assign(demo=False), ind, "1", "2026-10", "2026-09") == 10.0
    assert metrics.month_on_month(obs.assign(demo=False), pd.Series({"code": "X", "kind": "index"}), "1",
                                  "2026-10", "2026-09") is None


def _swing_case():
    from tests.test_rules import BAD_UP, _indicators, _monthly, _seasonal
    base = list(_seasonal(26, seed=3))
    base[-1] = round(base[-13] * 1.7, 2)
    base[5] = None  # a gap: both readers must skip the same periods
    obs = _monthly("F", "411425", "month", base).dropna()
    published = _monthly("F", "411425", "month_yoy", [4.0, 5.0]).assign(period=["2026-03", "2026-04"])
    return _indicators(BAD_UP), pd.concat([obs, published], ignore_index=True)


def test_the_page_and_the_yoy_swing_rule_read_the_same_yoy_from_the_same_data():
    from cockpit import economy
    from models import rules
    from models.rules import indicators as indicator_rules
    from tests.test_rules import _ctx
    ind_frame, obs = _swing_case()
    ind = ind_frame.set_index("code", drop=False).loc["F"]
    page = economy.growth_series(obs, ind, "411425", "month").dropna(subset=["value"]).set_index("period").value
    rule, _ = indicator_rules._yoy(obs, ind, "411425")
    assert page.to_dict() == rule.to_dict() and len(page) >= 13
    assert page["2026-03"] == 4.0  # the published rate wins over the computed one in both
    finding = rules.yoy_swing(_ctx(ind_frame, obs), {"points": 15, "kinds": ["flow"]})[0]
    assert f"{page.iloc[-1]:+.1f}%" in finding.message and f"{page.iloc[-2]:+.1f}%" in finding.message


def _ranking(county_yoys: dict, city: float, higher_is_better=True):
    from cockpit import economy
    regions = pd.DataFrame({"code": ["411400", *county_yoys, "411400-SFQ"],
                            "name": ["商丘市", *[f"县{c}" for c in county_yoys], "示范区"],
                            "level": ["city", *["county"] * len(county_yoys), "zone"]})
    rows = [("R", "411400", "2026-10", "ytd_yoy", city)] + [("R", c, "2026-10", "ytd_yoy", v) for c, v in county_yoys.items()]
    rows.append(("R", "411400-SFQ", "2026-10", "ytd_yoy", 99.0))
    ind = pd.Series({"code": "R", "name": "社零", "kind": "flow", "frequency": "M", "higher_is_better": higher_is_better})
    return economy.county_ranking(_obs(rows), ind, regions, "2026-10", "ytd"), ind


def test_the_zone_is_listed_beside_the_counties_unranked():
    rank, _ = _ranking({"1": 5.0, "2": 7.0}, 6.0)
    assert list(rank.name) == ["县2", "县1", "示范区"] and list(rank["rank"].astype(object)) == [1, 2, pd.NA]


@pytest.mark.parametrize("yoys, city, lead, drag", [
    ({"1": 5.0, "2": 7.0}, 6.0, "县2 +7.0%，高于全市 1.0 个百分点，居各县区首位", "县1 +5.0%，低于全市 1.0 个百分点，居各县区末位"),
    ({"1": 5.0, "2": 7.0}, 4.0, "县2 +7.0%，高于全市 3.0 个百分点", "县1 +5.0%，高于全市 1.0 个百分点，居各县区末位"),
    ({"1": 5.0, "2": 7.0}, 8.0, "县2 +7.0%，低于全市 1.0 个百分点，居各县区首位", "县1 +5.0%，低于全市 3.0 个百分点"),
    ({"1": 5.0, "2": 6.0}, 5.0, "县2 +6.0%，高于全市 1.0 个百分点", "县1 +5.0%，与全市持平，居各县区末位")])
def test_the_sentences_on_the_leading_and_trailing_county_say_above_or_below_as_the_numbers_do(yoys, city, lead, drag):
    from cockpit import economy
    rank, ind = _ranking(yoys, city)
    assert lead in economy.lead_sentence(rank, ind, "2026-10", "ytd")
    assert drag in economy.drag_sentence(rank, ind, "2026-10", "ytd")


def test_a_computed_yoy_is_labelled_estimated_where_shown_and_a_published_one_is_not():
    from cockpit import economy
    ind = pd.DataFrame([{"code": "X", "name": "甲", "unit": "亿元", "kind": "flow", "frequency": "M",
                         "higher_is_better": True, "measures": "month,ytd,ytd_yoy", "source_dept": "局", "caliber": ""}])
    obs = _obs([("X", "1", "2026-10", "month", 110.0), ("X", "1", "2025-10", "month", 100.0),
                ("X", "1", "2026-10", "ytd", 900.0), ("X", "1", "2026-10", "ytd_yoy", 4.2),
                ("X", "1", "2026-09", "month", 100.0)])
    shown = economy.display_table(economy.indicator_table(obs, ind, "1", "2026-10")).iloc[0]
    assert shown["当月同比"] == "+10.0%（推算）" and shown["累计同比"] == "+4.2%" and shown["环比（推算）"] == "+10.0%"


def test_growth_at_one_period_agrees_with_the_yoy_table_on_every_demo_series(demo_store):
    """growth() reads one period from plain arrays (issue 14); yoy_table is the definition. Every
    indicator × region × measure × period of the demo store, published and computed alike."""
    obs = demo_store.observations()
    kinds = dict(zip(demo_store.indicators().code, demo_store.indicators().kind))
    checked = published = 0
    for (code, region), mine in obs.groupby(["indicator_code", "region_code"]):
        for measure in ("month", "ytd"):
            table = metrics.yoy_table(mine, kinds[code], measure).set_index("period")
            for period in sorted(set(mine.period))[-15:]:
                got = metrics.growth(mine, region, period, measure, kind=kinds[code])
                want = ((float(table.value[period]), bool(table.reported[period])) if period in table.index
                        else (None, False))
                assert got == want, (code, region, measure, period)
                checked += 1
                published += got[1]
    assert checked > 5000 and 0 < published < checked


def test_counties_at_the_same_rate_share_their_place_and_the_sentence_names_them_all():
    from cockpit import economy
    rank, ind = _ranking({"1": 5.0, "2": 3.1, "3": 3.1, "4": 3.1, "5": 2.0}, 3.5)
    counties = rank[rank.ranked]
    assert list(counties.name) == ["县1", "县2", "县3", "县4", "县5"]  # ties in the regions' order
    assert list(counties["rank"]) == [1, 2, 2, 2, 5]
    rank, ind = _ranking({"1": 5.0, "2": 3.1, "3": 3.1}, 3.5)
    assert "县2、县3 +3.1%，低于全市 0.4 个百分点，并列各县区末位。" in economy.drag_sentence(rank, ind, "2026-10", "ytd")
    assert "县1 +5.0%，高于全市 1.5 个百分点，居各县区首位" in economy.lead_sentence(rank, ind, "2026-10", "ytd")
    rank, ind = _ranking({"1": 3.1, "2": 3.1}, 3.1)
    assert economy.lead_sentence(rank, ind, "2026-10", "ytd") is None  # all equal: no one leads


def test_a_level_such_as_pm25_changes_in_percent_and_a_ratio_in_points():
    from cockpit import catalog, economy
    ind = pd.DataFrame([{"code": c, "name": n, "unit": u, "kind": k, "frequency": "M", "higher_is_better": False,
                         "measures": "month,ytd", "source_dept": "局", "caliber": ""}
                        for c, n, u, k in (("PM25", "PM2.5平均浓度", "微克/立方米", "level"),
                                           ("UNEMP", "失业率", "%", "ratio"))])
    obs = _obs([("PM25", "1", "2026-10", "month", 36.5), ("PM25", "1", "2025-10", "month", 38.5),
                ("UNEMP", "1", "2026-10", "month", 5.3), ("UNEMP", "1", "2025-10", "month", 5.1)])
    shown = economy.display_table(economy.indicator_table(obs, ind, "1", "2026-10")).set_index("指标")
    assert shown.loc["PM2.5平均浓度", "当月同比"] == "-5.2%（推算）"  # (36.5 / 38.5 - 1) × 100
    assert shown.loc["失业率", "当月同比"].startswith("+0.2个百分点")
    kinds = {r["code"]: r["kind"] for r in catalog.indicator_rows()}
    assert kinds["PM25"] == "level" and kinds["AQI_GOOD"] == "ratio"
    # A county's concentration does not add into the city's: no 拉动 (it read -9.97 points of a -4.6% change).
    regions = pd.DataFrame({"code": ["411400", "1", "2"], "name": ["市", "县1", "县2"], "level": ["city", "county", "county"]})
    values = [(r, p, v) for r, now, before in (("411400", 36.5, 38.5), ("1", 30.0, 33.0), ("2", 40.0, 41.0))
              for p, v in (("2026-10", now), ("2025-10", before))]
    for kind, pulls in (("level", False), ("flow", True)):
        one = ind.iloc[0].copy()
        one["kind"] = kind
        rank = economy.county_ranking(_obs([("PM25", r, p, "month", v) for r, p, v in values]), one, regions, "2026-10", "month")
        assert rank.contribution_pp.notna().all() == pulls and rank.contribution_pp.isna().all() != pulls


def test_an_unknown_kind_in_the_catalogue_is_refused_naming_the_file_row_and_the_kinds(tmp_path, monkeypatch):
    from cockpit import catalog
    text = (catalog.DATA / "indicators.csv").read_text(encoding="utf-8").replace(",M,level,", ",M,average,", 1)
    (tmp_path / "indicators.csv").write_text(text, encoding="utf-8")
    line = next(i for i, x in enumerate(text.splitlines(), start=1) if ",average," in x)
    monkeypatch.setattr(catalog, "DATA", tmp_path)
    with pytest.raises(ValueError, match=f"第 {line} 行（PM25）kind 列为“average”，应为 flow、stock、ratio、index、level 之一"):
        catalog.indicator_rows(catalog.load_plan())


def test_a_rate_published_at_comparable_prices_is_never_computed_from_current_price_values(demo_store):
    """夏邑县's GDP of 391.2 against 350.0 亿元 printed 增长11.8%（推算） and was ranked 增长最快 beside the
    city's published 6.8% at comparable prices, under a 口径 that says 增速按可比价格计算."""
    catalog = demo_store.indicators().set_index("code", drop=False)
    obs = pd.DataFrame({"indicator_code": "GDP", "region_code": "411426", "period": ["2025-09", "2026-09"],
                        "measure": "ytd", "value": [350.0, 391.2]})
    gdp, retail = catalog.loc["GDP"], catalog.loc["RETAIL"]
    assert "可比价格" in gdp.caliber and "可比价" not in retail.caliber
    assert metrics.growth_for(obs, gdp, "411426", "2026-09", "ytd") == (None, False)
    assert metrics.yoy_table(obs, metrics.change_kind(gdp), "ytd").empty
    # A current-price flow still gets its 推算, by the same one definition.
    assert metrics.growth_for(obs.assign(indicator_code="RETAIL"), retail, "411426", "2026-09", "ytd") == (11.8, False)
