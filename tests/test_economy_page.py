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
    # CPI is already a year-on-year index: its 同比 is the index less 100, read as a bulletin reads it
    # ("100.6" beside a "—" hid the one figure the row is for), and its base is named.
    cpi = _stored(demo_store, "CPI", "411400", "month")
    assert table.loc["居民消费价格指数", "当月"] == f"{cpi:.1f}（上年同月=100）"
    assert table.loc["居民消费价格指数", "当月同比"] == fmt.pct_change(cpi - 100) and "推算" not in table.loc["居民消费价格指数", "当月同比"]


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
    # Equal rates share a place (并列): the place is 1 + the number of counties doing better.
    places = sorted(1 + sum(w > v for w in counties.values()) for v in counties.values())
    assert list(rank["位次"]) == [str(p) for p in places] + ["不排位"] and rank.iloc[-1]["县区"] == "示范区"


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
    # data/targets.csv: RETAIL 2026 ytd_yoy 5.5, drawn over 2026 only: across 2025 it read as 2025's target
    assert [(s["x0"], s["x1"], s["y0"], s["y1"]) for s in lines] == [("2026-01-01", "2026-12-31", 5.5, 5.5)]
    label = [a for a in fig["layout"]["annotations"] if "目标" in a["text"]]
    assert [a["text"] for a in label] == ["2026年目标 5.5%"]
    # it ends where the axis ends (from January it ran out of a chart ending in October)
    assert label[0]["xanchor"] == "right" and label[0]["x"][:10] <= fig["layout"]["xaxis"]["range"][1][:10]
    first = min(fig["data"][0]["x"])
    assert first < "2026-01-01"  # the line does run through 2025, where no target is drawn


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


def _charts(at) -> list[dict]:
    return [json.loads(c.proto.spec) for c in at.get("plotly_chart")]


def _said(at) -> str:
    return " ".join(i.value for i in at.info)


def _choose(at, region: str, basis: str, code: str) -> None:
    at.selectbox(key="f_region").set_value(region).run()
    at.radio(key="f_basis").set_value(basis).run()
    at.selectbox(key="e_indicator").set_value(code).run()


def test_a_quarterly_total_asked_for_a_month_says_so_and_draws_no_empty_chart(app):
    """虞城县 · 当月 · 地区生产总值 drew two empty frames on −1…6 axes and a ranking of "—", unexplained."""
    _choose(app, "411425", "month", "GDP")
    assert not app.exception
    assert "地区生产总值按季度发布累计数据，没有当月数据；请选择“累计”口径。" in _said(app)
    assert _charts(app) == []
    assert len(app.table) == 1  # the overview table only: no ranking of dashes
    assert not [e for e in app.expander if e.label == "县区分布图"]
    app.radio(key="f_basis").set_value("ytd").run()  # as the page advises
    assert len(_charts(app)) == 2 and "没有当月数据" not in _said(app)


def test_a_city_only_figure_asked_for_a_county_names_what_to_pick(app):
    _choose(app, "411425", "month", "UNEMP")
    said = _said(app)
    assert "城镇调查失业率只有全市数据，不分县区，没有虞城县的数据；请将地区选为“商丘市”。" in said
    assert "城镇调查失业率只有全市数据，不分县区，无法排名县区" in said
    assert _charts(app) == [] and len(app.table) == 1


def test_an_index_has_no_growth_of_its_own_and_the_page_says_to_read_its_values(app):
    _choose(app, "411400", "month", "CPI")
    assert "居民消费价格指数本身就是与上年同期相比的指数（上年同期＝100），不另计同比；请选择“数值”趋势。" in _said(app)
    assert _charts(app) == []
    app.radio(key="e_series").set_value("value").run()
    assert len(_charts(app)) == 1 and "不另计同比" not in _said(app)


@pytest.mark.parametrize("region", ["411400", "411425"])
def test_every_chart_of_the_page_has_figures_or_a_sentence_saying_why_not(app, demo_store, region):
    """Every indicator of every domain, 当月 and 累计, for the city and a county: a chart drawn has
    points; a chart left out is replaced by a message (one message when the 口径 is not published)."""
    app.selectbox(key="f_region").set_value(region).run()
    ind = demo_store.indicators()
    for domain, code in zip(ind.domain, ind.code):
        if domain == "数字政府":  # the plan's indicators have their own page
            continue
        app.segmented_control(key="e_domain").set_value(domain).run()
        for basis in ("month", "ytd"):
            app.radio(key="f_basis").set_value(basis).run()
            app.selectbox(key="e_indicator").set_value(code).run()
            where = (region, domain, code, basis)
            assert not app.exception, where
            charts = _charts(app)
            for fig in charts:
                ys = [y for trace in fig["data"] for y in _values(trace.get("x" if trace.get("orientation") == "h"
                                                                                 else "y"))]
                assert any(y == y for y in ys), where  # a point, not an empty frame
            said = [i.value for i in app.info if "请" in i.value or "无法" in i.value]
            assert len(charts) + len(said) == 2 or (charts == [] and len(said) == 1 and "口径" in said[0]), \
                (where, len(charts), said)


def _values(data) -> list:
    import base64

    import numpy as np
    if isinstance(data, dict):  # Plotly sends a numeric array as base64 ("bdata")
        return np.frombuffer(base64.b64decode(data["bdata"]), dtype=data["dtype"]).tolist()
    return [y for y in (data or []) if isinstance(y, (int, float))]


def test_a_trend_says_its_data_end_where_its_line_ends_not_at_the_month_chosen(app):
    """With 2026年2月 chosen, the trend ran to 2026-10 under "数据截至：2026年2月"."""
    app.selectbox(key="f_period").set_value("2026-02").run()
    app.selectbox(key="e_indicator").set_value("RETAIL").run()
    specs = [json.loads(p.proto.spec) for p in app.get("plotly_chart")]
    trend = next(x for x in specs if "社会消费品零售总额同比" in json.dumps(x, ensure_ascii=False))
    said = json.dumps(trend, ensure_ascii=False)
    assert "数据截至：2026年10月" in said and "数据截至：2026年2月" not in said


def test_quarterly_gdp_is_dated_as_released_and_its_totals_do_not_run_across_new_year(app):
    """GDP's charts said "数据截至：2026年9月" under a 前三季度 figure and its hover "2026年9月"; the
    累计 line ran from each 全年 straight down to the next 一季度, a fall through January that never was."""
    _choose(app, "411400", "ytd", "GDP")
    trend, rank = _charts(app)
    footers = [a["text"] for c in (trend, rank) for a in c["layout"]["annotations"] if "数据截至" in a["text"]]
    assert footers and all(t.endswith("数据截至：2026年前三季度") for t in footers), footers
    app.radio(key="e_series").set_value("value").run()
    line = _charts(app)[0]["data"][0]
    labels = [t for t in line["text"] if t]
    assert "2026年前三季度" in labels and "2025年全年" in labels and not any(t.endswith("月") for t in labels)
    assert "%{text}" in line["hovertemplate"]
    ys = line["y"]
    if isinstance(ys, dict):  # Plotly sends a numeric array as base64 ("bdata")
        import base64

        import numpy as np
        ys = np.frombuffer(base64.b64decode(ys["bdata"]), dtype=ys["dtype"]).tolist()
    breaks = [line["x"][i] for i, v in enumerate(ys) if v is None or v != v]
    years = sorted({x[:4] for x in line["x"]})
    assert len(breaks) == len(years) - 1 and all(b[5:10] == "12-02" for b in breaks), breaks  # after each 全年


def test_a_joint_releases_february_month_says_it_is_not_published_not_that_last_year_is_missing(app):
    """2026年2月 · 当月 · 社会消费品零售总额 said "没有同比数据（需要上年同期数）": no one publishes a
    2月当月 of a 1—2月 joint release, and the page sent the reader after it."""
    app.selectbox(key="f_period").set_value("2026-02").run()
    _choose(app, "411400", "month", "RETAIL")
    said = _said(app)
    assert "社会消费品零售总额1—2月合并发布，2月没有单独的当月数据；请选择“累计”口径（2026年1—2月）或其他月份。" in said
    assert "需要上年同期数" not in said


def test_januarys_table_does_not_reach_back_into_last_year_for_a_monthly_indicator(app, demo_store):
    """2026年1月's table read "社会消费品零售总额 | 2025年1—12月 | 177.73 亿元 …" (December's figures)
    under 主要指标（2026年1月）; a joint release says so, GDP's last 全年 stays (a quarter's figure)."""
    app.selectbox(key="f_period").set_value("2026-01").run()
    table = _table(app).set_index("指标")
    assert table.loc["社会消费品零售总额", "时期"] == "1—2月合并发布"
    assert (table.loc["社会消费品零售总额", ["当月", "累计", "累计同比"]] == "—").all()
    assert table.loc["地区生产总值", "时期"] == "2025年全年"
    assert not table["时期"].str.startswith("2025年1—12月").any()
    revenue = _stored(demo_store, "REVENUE", "411400", "month", "2026-01")
    assert table.loc["一般公共预算收入", "当月"] == fmt.number(revenue, "亿元")  # January of its own
