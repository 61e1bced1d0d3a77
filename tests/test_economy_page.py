"""经济运行 in AppTest: the filter bar, county drill-down, rankings and notes against the store."""
from __future__ import annotations

import json

import pytest

from cockpit import annotations, fmt, schema as s
from cockpit.store import Store
from tests.conftest import DEMO_END, open_app


@pytest.fixture
def app(demo_db, monkeypatch):
    return open_app(monkeypatch, demo_db, "pages/economy.py")


def _table(at, i=0):
    return at.table[i].value


def _stored(store, code, region, measure, period=DEMO_END):
    obs = store.observations(indicators=[code], regions=[region], measures=[measure])
    hit = obs[obs.period == period]
    return float(hit.value.iloc[0]) if len(hit) else None


def test_city_table_shows_every_economic_indicator_with_gaps_as_dashes(app, demo_store):
    table = _table(app).set_index("指标")
    assert len(table) == len(demo_store.indicators(domain="宏观经济"))
    assert table.loc["社会消费品零售总额", "累计"] == fmt.number(_stored(demo_store, "RETAIL", "411400", "ytd"), "亿元")
    assert table.loc["社会消费品零售总额", "当月同比"] == fmt.pct_change(_stored(demo_store, "RETAIL", "411400", "month_yoy"))
    # Rates-only industry: no value is published, so the value cells are "—", never 0.
    assert table.loc["规模以上工业增加值", "累计"] == "—"
    assert table.loc["规模以上工业增加值", "累计同比"] == fmt.pct_change(_stored(demo_store, "IND_VA", "411400", "ytd_yoy"))
    assert table.loc["地区生产总值", "时期"] == "2026年前三季度"
    # CPI is already a year-on-year index: no 同比 of it is invented.
    assert table.loc["居民消费价格指数", "当月同比"] == "—"


def test_drilling_to_a_county_and_back(app, demo_store):
    app.selectbox(key="f_region").set_value("411481").run()
    assert any(h.value == "永城市主要指标（2026年10月）" for h in app.subheader)
    table = _table(app).set_index("指标")
    assert table.loc["社会消费品零售总额", "累计"] == fmt.number(_stored(demo_store, "RETAIL", "411481", "ytd"), "亿元")
    app.button(key="f_back").click().run()
    assert app.selectbox(key="f_region").value == "411400"
    assert any(h.value == "商丘市主要指标（2026年10月）" for h in app.subheader)


def test_ranking_names_the_county_that_drags_industry(app, demo_store):
    app.selectbox(key="e_indicator").set_value("IND_VA").run()
    ytd = {r: _stored(demo_store, "IND_VA", r, "ytd_yoy") for r in
           ["411400", "411402", "411403", "411421", "411422", "411423", "411424", "411425", "411426", "411481", "411400-SFQ"]}
    counties = {r: v for r, v in ytd.items() if r not in ("411400", "411400-SFQ")}  # 示范区 is not ranked
    worst = min((v, r) for r, v in counties.items())[1]
    names = dict(zip(demo_store.regions().code, demo_store.regions().name))
    sentence = " ".join(i.value for i in app.info)
    assert f"全市同比 {fmt.pct_change(ytd['411400'])}" in sentence
    assert f"{names[worst]} {fmt.pct_change(ytd[worst])}" in sentence
    assert f"低于全市 {abs(round(ytd[worst] - ytd['411400'], 1)):.1f} 个百分点" in sentence
    rank = app.table[1].value
    assert rank.iloc[-2]["县区"] == names[worst] and rank.iloc[0]["同比"] == max(counties.values())
    assert list(rank["位次"]) == [str(i) for i in range(1, 10)] + ["不排位"] and rank.iloc[-1]["县区"] == "示范区"


def test_switching_basis_to_month_uses_monthly_figures(app, demo_store):
    app.radio(key="f_basis").set_value("month").run()
    app.selectbox(key="e_indicator").set_value("RETAIL").run()
    rank = app.table[1].value.set_index("县区")
    assert rank.loc["梁园区", "同比"] == _stored(demo_store, "RETAIL", "411402", "month_yoy")


def test_other_domains_use_the_same_page(app, demo_store):
    app.segmented_control(key="e_domain").set_value("卫生健康").run()
    table = _table(app).set_index("指标")
    assert set(table.index) == {"法定传染病报告病例数", "发热门诊就诊人次"}
    assert table.loc["发热门诊就诊人次", "当月同比"] == fmt.pct_change(_stored(demo_store, "FEVER_VISITS", "411400", "month_yoy"))


def test_a_note_pinned_to_a_county_is_stored_and_listed(demo_copy, monkeypatch):
    url = demo_copy
    at = open_app(monkeypatch, url, "pages/economy.py")
    at.selectbox(key="f_region").set_value("411425").run()
    # Inside a form the text is sent with the submit click, in one run.
    at.text_area(key="e_note_text").input("10月受<script>alert(1)</script>停产检修影响")
    next(b for b in at.button if b.label == "添加批注").click().run()
    assert not at.exception
    notes = annotations.for_indicator(Store(url), "GDP", "411425")
    assert notes.text.tolist() == ["10月受<script>alert(1)</script>停产检修影响"]
    assert notes.period.tolist() == ["2026-09"]  # GDP's latest quarter at or before the period chosen
    listed = at.table[-1].value
    assert listed["内容"].tolist() == ["10月受<script>alert(1)</script>停产检修影响"]
    assert Store(url).count(s.audit_log) > 0


def test_growth_trend_draws_the_years_target_line(app):
    app.selectbox(key="e_indicator").set_value("RETAIL").run()
    import json
    fig = json.loads(app.get("plotly_chart")[0].proto.spec)
    lines = [s for s in fig["layout"].get("shapes", []) if s.get("type") == "line"]
    assert any(s["y0"] == 5.5 == s["y1"] for s in lines)  # data/targets.csv: RETAIL 2026 ytd_yoy 5.5


def test_every_chart_reaches_the_browser_on_the_white_template(app):
    """plotly_white is Plotly's default in cockpit/charts.py rather than named on each figure (which
    validated it anew every time): the charts sent are drawn on it all the same."""
    specs = [json.loads(chart.proto.spec)["layout"]["template"]["layout"] for chart in app.get("plotly_chart")]
    assert len(specs) == 2
    assert all(s["plot_bgcolor"] == "white" and s["xaxis"]["gridcolor"] == "#EBF0F8" for s in specs)


def test_the_county_map_is_built_only_while_its_expander_is_open(app):
    """Closed, nothing of the map reaches the browser (no WebGL set-up on each filter change);
    opened, it shows every county's 同比 of the ranked indicator, with its key."""
    assert not app.get("deck_gl_json_chart")
    app.session_state["e_map_open"] = True
    app.run()
    decks = app.get("deck_gl_json_chart")
    assert len(decks) == 1
    deck = json.loads(decks[0].proto.json)
    outlines = next(layer for layer in deck["layers"] if layer["@@type"] == "GeoJsonLayer")
    assert all(f["properties"]["label"] == "无数据" or f["properties"]["label"].endswith("%")
               for f in outlines["data"]["features"])
    assert any("图例（同比" in h.proto.body for h in app.get("html"))
