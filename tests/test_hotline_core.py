"""12345 aggregates run in the database (SQLite and PostgreSQL) and count what pandas counts."""
from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from cockpit import hotline, schema as s

LAST = dt.datetime(2026, 3, 10, 21, 0)
END = dt.datetime(2026, 3, 11)


def _tickets() -> pd.DataFrame:
    rows = []

    def add(at, region, category, closed_after_h=None, sat=None):
        closed = at + dt.timedelta(hours=closed_after_h) if closed_after_h is not None else None
        rows.append({"created_at": at, "region_code": region, "category": category, "channel": "电话",
                     "status": "已办结" if closed else "办理中", "due_at": at + dt.timedelta(days=5),
                     "closed_at": closed, "satisfaction": sat})
    for i in range(12):  # 供暖 surges in 睢阳区 over the last 7 days
        add(END - dt.timedelta(hours=5 + 12 * i), "411403", "供暖", 20, "满意" if i % 3 else "不满意")
    for i in range(4):  # ... against one a week before
        add(END - dt.timedelta(days=8 + 7 * i), "411403", "供暖", 30, "基本满意")
    for week in range(5):  # 城市管理 in 梁园区: steady, three a week
        for k in range(3):
            add(END - dt.timedelta(days=7 * week + 1 + 2 * k, hours=3), "411402", "城市管理",
                200 if k == 0 else (None if week == 0 and k == 1 else 10), None)
    add(LAST, "411481", "供水")  # the newest ticket, still open
    add(dt.datetime(2025, 2, 20, 9), "411400-SFQ", "政务服务", 24, "满意")  # the first ticket
    add(dt.datetime(2025, 3, 5, 9), "411402", "城市管理", 24, "满意")  # last year, same month
    add(dt.datetime(2025, 12, 1, 9), "411481", "供水")  # open long past its due time
    return pd.DataFrame(rows)


@pytest.fixture
def filled(store):
    frame = _tickets()
    with store.begin() as conn:
        batch = store.new_batch(conn, source="test", dataset="hotline_tickets", created_by="test")
        store.bulk_insert(conn, s.hotline_tickets, frame.assign(batch_id=batch))
    return store, frame


def test_the_anchor_is_midnight_after_the_newest_ticket(filled):
    store, _ = filled
    first, last = hotline.span(store)
    assert last == LAST and first == dt.datetime(2025, 2, 20, 9)
    assert hotline.anchor_end(last) == END


def test_volume_buckets_count_each_ticket_once(filled):
    store, frame = filled
    first, _ = hotline.span(store)
    for grain in ("day", "week", "month"):
        edges = hotline.bucket_edges(END, grain, first)
        vol = hotline.volume(store, edges)
        inside = frame[(frame.created_at >= edges[0]) & (frame.created_at < edges[-1])]
        assert vol.tickets.sum() == len(inside), grain
    month = hotline.volume(store, hotline.bucket_edges(END, "month", first), region="411403")
    assert month.set_index("start").tickets[dt.datetime(2026, 3, 1)] == \
        len(frame[(frame.region_code == "411403") & (frame.created_at >= dt.datetime(2026, 3, 1))])


def test_summary_rates_and_overdue_follow_the_definitions(filled):
    store, frame = filled
    w = hotline.last_days(END, 7)
    got = hotline.summary(store, w, END)
    mine = frame[(frame.created_at >= w.start) & (frame.created_at < w.stop)]
    surveyed = mine.satisfaction.notna()
    assert got["received"] == len(mine)
    assert got["closed"] == mine.closed_at.notna().sum()
    assert got["satisfied_rate"] == round(100 * mine.satisfaction.isin(["满意", "基本满意"]).sum() / surveyed.sum(), 1)
    late = (mine.closed_at.isna() & (mine.due_at < END)) | (mine.closed_at > mine.due_at)
    assert got["overdue"] == late.sum() >= 1  # the ticket closed after 200 hours


def test_surge_flags_heating_in_suiyang_and_not_the_steady_category(filled):
    store, _ = filled
    table = hotline.surge(store, END, hotline.SurgeRule.of())
    top = table.iloc[0]
    assert (top.category, top.region_code, top.window, top.base) == ("供暖", "411403", 12, 4)
    assert top.ratio == 12.0 and bool(top.surge)
    steady = table[(table.category == "城市管理")].iloc[0]
    assert steady.ratio == 1.0 and not steady.surge


def test_category_growth_compares_weeks_and_the_same_days_last_year(filled):
    store, _ = filled
    month = hotline.month_window("2026-03", END)
    assert month.stop == END and "1—10日" in month.label
    g = hotline.category_growth(store, END, month).set_index("category")
    assert g.loc["供暖", "week"] == 12 and g.loc["供暖", "last_week"] == 1
    assert g.loc["供暖", "week_change"] == 1100.0
    assert g.loc["城市管理", "month_ly"] == 1
    assert g.loc["城市管理", "month_yoy"] == round((g.loc["城市管理", "month"] / 1 - 1) * 100, 1)
    assert pd.isna(g.loc["供暖", "month_yoy"])  # nothing last year: a gap, not +inf


def test_no_year_on_year_when_tickets_do_not_reach_back_a_year(filled):
    store, _ = filled
    g = hotline.category_growth(store, END, hotline.month_window("2026-02", END)).set_index("category")
    # February 2025 is only partly covered (first ticket on the 20th): no 同比 at all
    assert g.month_yoy.isna().all() and g.month_ly.isna().all()


def test_open_overdue_lists_the_longest_overdue_first(filled):
    store, frame = filled
    total, rows = hotline.open_overdue(store, END)
    expected = frame[frame.closed_at.isna() & (frame.due_at < END)]
    assert total == len(expected)
    assert rows.created_at.iloc[0] == dt.datetime(2025, 12, 1, 9)
    assert rows.days_overdue.iloc[0] == round((END - dt.datetime(2025, 12, 6, 9)).total_seconds() / 86400, 1)
    assert hotline.open_overdue(store, END, region="411403")[0] == 0


# ---- the heat map as a reader sees it ---------------------------------------------------------------
def _colour_at(trace, z: float) -> tuple[int, ...]:
    """The fill Plotly gives a cell of value z (its colorscale, linear between stops)."""
    p = (z - trace.zmin) / (trace.zmax - trace.zmin)
    stops = [(float(at), tuple(int(c[i:i + 2], 16) for i in (1, 3, 5))) for at, c in trace.colorscale]
    for (a, ca), (b, cb) in zip(stops, stops[1:]):
        if a <= p <= b and b > a:
            k = (p - a) / (b - a)
            return tuple(round(x + k * (y - x)) for x, y in zip(ca, cb))
    raise AssertionError(f"z={z} is off the colour scale")


def test_every_heat_map_cell_says_what_it_is_on_a_colour_of_its_own():
    from cockpit import charts
    counts = pd.DataFrame([  # 教育 in 乙县: not one ticket, no row at all
        {"category": "供暖", "region_code": "A", "window": 12, "base": 16},  # 3 倍
        {"category": "供暖", "region_code": "B", "window": 1, "base": 0},  # nothing before: no ratio
        {"category": "教育", "region_code": "A", "window": 4, "base": 16},  # 持平
    ])
    table = hotline.flag_surges(counts, hotline.SurgeRule.of()).assign(
        county=lambda d: d.region_code.map({"A": "甲县", "B": "乙县"}))
    trace = charts.surge_heatmap(table, title="诉求类别 × 县区", caliber="近 7 日 ÷ 前 28 日周均", source="12345",
                                 as_of="2026年03月10日").figure.data[0]
    cells = {(y, x): [trace.text[i][j], trace.z[i][j]] for i, y in enumerate(trace.y) for j, x in enumerate(trace.x)}
    # Every cell carries its count, 0 included; an empty cell (NaN) drew nothing, so the page's
    # white and the wall's navy showed through, navy reading as the darkest "≥3".
    assert {k: v[0] for k, v in cells.items()} == {("供暖", "甲县"): "12", ("供暖", "乙县"): "1",
                                                   ("教育", "甲县"): "4", ("教育", "乙县"): "0"}
    assert not any(pd.isna(v[1]) for v in cells.values())
    for i, y in enumerate(trace.y):  # and its hover says what the colour means
        for j, x in enumerate(trace.x):
            cells[(y, x)].append(trace.customdata[i][j])
    new, none = cells[("供暖", "乙县")], cells[("教育", "乙县")]
    level = _colour_at(trace, cells[("教育", "甲县")][1])
    grey = _colour_at(trace, new[1])
    assert grey == _colour_at(trace, none[1]) and grey not in (level, _colour_at(trace, 0.0), _colour_at(trace, 3.0))
    assert 150 < sum(grey) / 3 < 235  # a fill of its own, neither the page's white nor the wall's navy
    named = dict(zip(trace.colorbar.tickvals, trace.colorbar.ticktext))
    assert named[new[1]] == "此前无" and "此前无此类工单" in new[2] and "1.00 倍" in cells[("教育", "甲县")][2]
