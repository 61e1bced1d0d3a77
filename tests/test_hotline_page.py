"""社情民意 in AppTest on the demo data: counts a leader reads equal counts over the raw tickets."""
from __future__ import annotations

import datetime as dt
import json

import pandas as pd
import pytest

from cockpit import fmt, schema as s
from tests.conftest import metric as _metric, open_app, tables as _frames


@pytest.fixture
def app(demo_db, monkeypatch):
    return open_app(monkeypatch, demo_db, "pages/hotline.py")


@pytest.fixture(scope="module")
def tickets(demo_store) -> pd.DataFrame:
    return demo_store.frame(s.hotline_tickets.select())


@pytest.fixture(scope="module")
def end(tickets) -> dt.datetime:
    return dt.datetime.combine(tickets.created_at.max().date() + dt.timedelta(days=1), dt.time())


def _between(t, start, stop):
    return t[(t.created_at >= start) & (t.created_at < stop)]


def _numbers(values) -> list:
    """Plotly sends numeric arrays as base64 typed arrays; decode them."""
    if isinstance(values, dict) and "bdata" in values:
        import base64

        import numpy as np
        return np.frombuffer(base64.b64decode(values["bdata"]), dtype=values["dtype"]).tolist()
    return list(values)


def test_last_seven_days_volume_rates_and_overdue_match_the_tickets(app, tickets, end):
    week = _between(tickets, end - dt.timedelta(days=7), end)
    before = _between(tickets, end - dt.timedelta(days=14), end - dt.timedelta(days=7))
    m = _metric(app, "受理量（近 7 日）")
    assert m.value == f"{len(week):,} 件"
    assert m.delta == fmt.pct_change((len(week) / len(before) - 1) * 100)
    assert _metric(app, "办结率").value == fmt.number(round(100 * week.closed_at.notna().sum() / len(week), 1), "%")
    sat = week.satisfaction.isin(["满意", "基本满意"]).sum() / week.satisfaction.notna().sum()
    assert _metric(app, "满意率").value == fmt.number(round(100 * sat, 1), "%")
    late = (week.closed_at.isna() & (week.due_at < end)) | (week.closed_at > week.due_at)
    assert _metric(app, "超期工单").value == f"{late.sum():,} 件"


def test_heating_surge_in_suiyang_is_named_first(app, tickets, end):
    warning = next(w.value for w in app.warning if "激增诉求" in w.value)
    assert warning.split("\n")[1].startswith("- **睢阳区 · 供暖**")
    heat = tickets[(tickets.region_code == "411403") & (tickets.category == "供暖")]
    last7 = len(_between(heat, end - dt.timedelta(days=7), end))
    prev28 = len(_between(heat, end - dt.timedelta(days=35), end - dt.timedelta(days=7)))
    row = _frames(app, "前28日周均")[0].iloc[0]
    assert (row["县区"], row["诉求类别"], row["近7日"], row["前28日周均"]) == ("睢阳区", "供暖", last7, round(prev28 / 4, 2))
    assert bool(row["激增"]) and last7 >= 2 * prev28 / 4


def test_category_table_compares_this_week_with_last(app, tickets, end):
    table = _frames(app, "上周")[0].set_index("诉求类别")
    week = _between(tickets, end - dt.timedelta(days=7), end)
    prev = _between(tickets, end - dt.timedelta(days=14), end - dt.timedelta(days=7))
    for cat in ("供暖", "城市管理"):
        now, before = (week.category == cat).sum(), (prev.category == cat).sum()
        assert table.loc[cat, "近7日"] == now and table.loc[cat, "上周"] == before
        assert table.loc[cat, "环比"] == round((now / before - 1) * 100, 1)
    assert table.index[0] == "供暖"  # the most called-about category this week


def test_drilling_to_a_county_counts_only_its_tickets(app, tickets, end):
    app.selectbox(key="f_region").set_value("411403").run()
    week = _between(tickets[tickets.region_code == "411403"], end - dt.timedelta(days=7), end)
    assert _metric(app, "受理量（近 7 日）").value == f"{len(week):,} 件"
    open_late = tickets[(tickets.region_code == "411403") & tickets.closed_at.isna() & (tickets.due_at < end)]
    assert any(h.value == f"超期未办结工单（{len(open_late):,} 件）" for h in app.subheader)
    app.button(key="f_back").click().run()
    assert app.selectbox(key="f_region").value == "411400"


def test_chosen_month_window_counts_the_month(app, tickets, end):
    app.radio(key="hl_window").set_value("month").run()
    app.selectbox(key="f_period").set_value("2026-10").run()
    oct_ = _between(tickets, dt.datetime(2026, 10, 1), dt.datetime(2026, 11, 1))
    assert _metric(app, "受理量（2026年10月）").value == f"{len(oct_):,} 件"
    # demo tickets reach back two years, so October 2025 exists for a 同比
    ly = _between(tickets, dt.datetime(2025, 10, 1), dt.datetime(2025, 11, 1))
    assert _metric(app, "受理量（2026年10月）").delta == fmt.pct_change((len(oct_) / len(ly) - 1) * 100)


def test_monthly_volume_chart_adds_up_to_every_ticket(app, tickets):
    app.radio(key="hl_grain").set_value("month").run()
    specs = [json.loads(p.proto.spec) for p in app.get("plotly_chart")]
    spec = next(x for x in specs if "受理量（每月）" in x["layout"]["title"]["text"])
    assert sum(_numbers(spec["data"][0]["y"])) == len(tickets)


def test_county_table_and_map_show_the_weeks_tickets(app, tickets, end):
    week = _between(tickets, end - dt.timedelta(days=7), end)
    table = _frames(app, "受理量")[0].set_index("县区")
    assert table.loc["睢阳区", "受理量"] == (week.region_code == "411403").sum()
    assert table.index[0] == "睢阳区"  # the heating surge makes it the hot spot
    specs = [json.loads(p.proto.spec) for p in app.get("plotly_chart")]
    county_map = next(x for x in specs if x["layout"]["title"]["text"].startswith("各县区12345受理量"))
    hover = {t["text"].split("：")[0]: t["text"] for t in county_map["data"] if t.get("fill") == "toself"}
    assert hover["睢阳区"].startswith(f"睢阳区：{(week.region_code == '411403').sum():,} 件")
    assert not app.get("deck_gl_json_chart") and "http" not in json.dumps(county_map)  # no WebGL, nothing fetched


def test_open_overdue_tickets_are_listed_longest_first(app, tickets, end):
    late = tickets[tickets.closed_at.isna() & (tickets.due_at < end)].sort_values("due_at")
    assert any(h.value == f"超期未办结工单（{len(late):,} 件）" for h in app.subheader)
    table = _frames(app, "超期天数")[0]
    assert len(table) == min(len(late), 200)
    assert table["工单号"].iloc[0] == late.id.iloc[0]


def test_a_ticket_number_is_shown_as_an_identifier_without_separators(demo_db, monkeypatch, end):
    from tests.conftest import shown_cells, table_element

    import ui.hotline_panels as hp
    real = hp.open_overdue

    def long_numbers(v, now, region):  # a city's ticket numbers run past 10,000 (the demo here has 4,000)
        total, rows = real(v, now, region)
        return total, rows.assign(id=rows.id + 19_000)
    monkeypatch.setattr(hp, "open_overdue", long_numbers)
    app = open_app(monkeypatch, demo_db, "pages/hotline.py")
    shown = shown_cells(table_element(app, "超期天数"))["工单号"]
    assert shown.str.fullmatch(r"\d{5,}").all(), list(shown[:3])  # "19185", never "19,185"


def test_a_month_whose_last_year_the_tickets_only_partly_cover_gets_no_同比_anywhere(app, tickets):
    """The county table said 梁园区 +630.8%: last year's month held only the days after the first ticket.
    The tiles and the category table already left the 同比 empty; the map and its table now do too."""
    first = tickets.created_at.min()
    assert first.day > 1  # the first month is a part of a month
    month = f"{first.year + 1}-{first.month:02d}"
    app.radio(key="hl_window").set_value("month").run()
    app.selectbox(key="f_period").set_value(month).run()
    assert not app.exception
    label = f"受理量（{first.year + 1}年{first.month}月）"
    assert _metric(app, label).value.endswith("件") and not _metric(app, label).delta
    assert not _metric(app, label).proto.delta_description  # no bare "同比" under nothing
    county = _frames(app, "较上年同期")[0]
    assert county["受理量"].sum() > 0 and county["较上年同期"].isna().all()
    categories = _frames(app, "上年同期")
    assert any(t["同比"].isna().all() for t in categories if "同比" in t)
