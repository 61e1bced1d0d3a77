"""Numbers as a Chinese reader expects to see them: counts whole, no SI suffixes on chart axes, date
axes that never print one label twice, a reference line that leaves the bar labels readable."""
from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from cockpit import charts, fmt

# ---- counts are whole, money and rates keep their decimals -------------------------------------
@pytest.mark.parametrize("value, unit, shown", [
    (2072.0, "例", "2,072 例"),
    (63314.0, "人次", "63,314 人次"),
    (1669.0, "件", "1,669 件"),
    (12.0, "户", "12 户"),
    (37.0, "家", "37 家"),
    (1702.987, "亿元", "1,702.99 亿元"),  # money keeps two
    (52.37, "万户", "52.37 万户"),  # a count in 万 is a scaled figure
    (5.24, "%", "5.2%"),
    (102.34, "上年同月=100", "102.3"),
])
def test_a_count_reads_as_a_whole_number_with_separators(value, unit, shown):
    assert fmt.number(value, unit) == shown


def test_every_count_unit_of_the_catalogue_is_whole():
    units = set(pd.read_csv("data/indicators.csv").unit)
    counted = {u for u in units if u in ("件", "户", "例", "人次", "个", "家", "人", "次")}
    assert counted and all(fmt.decimals(u) == 0 for u in counted)
    assert fmt.decimals("亿元") == 2 and fmt.decimals("%") == 1


# ---- value axes: plain digits, never 5k / 10k ---------------------------------------------------------
META = {"caliber": "口径", "source": "来源", "as_of": "2026年10月"}
MONTHS = pd.DataFrame({"period": [f"2026-{m:02d}" for m in range(1, 11)],
                       "value": [5200.0, 7400, 9100, 10400, 8800, 6100, 5000, 7000, 9900, 12184]})


def _all_charts() -> dict[str, charts.Chart]:
    days = pd.DataFrame({"day": pd.date_range("2026-10-01", periods=30), "tickets": range(9000, 9030)})
    vol = pd.DataFrame({"start": pd.date_range("2026-09-01", periods=10), "stop": pd.date_range("2026-09-02", periods=10),
                        "tickets": range(20000, 20010)})
    rank = pd.DataFrame({"name": ["甲县", "乙县"], "yoy": [-1.0, 3.0]})
    ev = {"kind": "line", "x": list(MONTHS.period), "y": list(MONTHS.value), "unit": "人次"}
    return {
        "monthly_line": charts.monthly_line(MONTHS, title="发热门诊", unit="人次", **META),
        "trend": charts.trend(MONTHS, title="发热门诊", unit="人次", **META),
        "daily_volume": charts.daily_volume(days, title="受理量", unit="件", **META),
        "volume_bars": charts.volume_bars(vol, "day", title="受理量", **META),
        "ranking": charts.ranking(rank, city_value=-1.3, title="同比", unit="%", higher_is_better=True, **META),
        "evidence": charts.evidence(ev, "证据", "口径", "2026年10月"),
    }


@pytest.mark.parametrize("name", list(_all_charts()))
def test_value_axes_show_plain_digits_with_thousands_separators(name):
    fig = _all_charts()[name].figure
    for axis in (fig.layout.xaxis, fig.layout.yaxis):
        if axis.type in ("date", "category") or axis.tickformat:
            continue
        assert axis.exponentformat == "none", f"{name}: Plotly's SI suffixes (5k, 10k)"
        assert axis.separatethousands is True


# ---- date axes: no label twice, whatever spacing Plotly picks -------------------------------------------
HOUR_MS, DAY_MS, AVG_MONTH_MS = 3_600_000, 86_400_000, 2_629_800_000  # Plotly's ONEAVGMONTH
# The spacings Plotly chooses on a date axis, from hours to years.
SPACINGS = [HOUR_MS, 2 * HOUR_MS, 3 * HOUR_MS, 6 * HOUR_MS, 12 * HOUR_MS, DAY_MS, 2 * DAY_MS, 7 * DAY_MS,
            14 * DAY_MS, "M1", "M2", "M3", "M6", "M12"]


def _ms(dtick) -> float:
    return float(dtick[1:]) * AVG_MONTH_MS if isinstance(dtick, str) else float(dtick)


def shown_format(axis, dtick) -> str:
    """The tick format Plotly uses at this spacing (plotly.js Axes.getTickFormat, date axes)."""
    for stop in axis.tickformatstops or ():
        lo, hi = stop.dtickrange
        if stop.enabled is not False and (lo is None or _ms(lo) <= _ms(dtick)) and (hi is None or _ms(hi) >= _ms(dtick)):
            return stop.value
    return axis.tickformat


def _ticks(dtick, n=6) -> list[dt.datetime]:
    t = dt.datetime(2026, 11, 1)
    if isinstance(dtick, str):
        out, months = [], int(dtick[1:])
        for k in range(n):
            m = t.month - 1 + k * months
            out.append(t.replace(year=t.year + m // 12, month=m % 12 + 1))
        return out
    return [t + dt.timedelta(milliseconds=k * dtick) for k in range(n)]


ONE_EVENT = pd.DataFrame({"occurred_at": [pd.Timestamp("2026-11-25 09:30")], "event_type": ["火灾"], "level": [3],
                          "is_open": [True], "title": ["某仓库火灾"], "status": ["处置中"]})


def date_axes() -> dict[str, object]:
    figs = {k: c.figure for k, c in _all_charts().items() if k != "ranking"}
    figs["event_timeline"] = charts.event_timeline(ONE_EVENT, title="突发事件时间轴", **META).figure
    return {k: f.layout.xaxis for k, f in figs.items()}


@pytest.mark.parametrize("name", list(date_axes()))
def test_a_date_axis_never_prints_the_same_label_twice(name):
    axis = date_axes()[name]
    for dtick in SPACINGS:
        labels = [t.strftime(shown_format(axis, dtick)) for t in _ticks(dtick)]
        assert len(set(labels)) == len(labels), f"{name} at a spacing of {dtick}: {labels}"


# ---- the city's reference line leaves the bar labels readable -----------------------------------------
def test_the_bar_values_stand_clear_of_the_city_line():
    rank = pd.DataFrame({"name": ["柘城县", "睢阳区", "梁园区"], "yoy": [-1.0, -0.9, -6.9]})
    fig = charts.ranking(rank, city_value=-1.3, title="同比", unit="%", higher_is_better=False, **META).figure
    assert any(s.line.dash == "dash" and s.x0 == -1.3 for s in fig.layout.shapes)
    # Written at the bar's end, "-1.0" and "-0.9" sat on the dashed line at -1.3; the values now stand
    # in a column right of the plot area, where no line of the plot runs, each level with its bar.
    assert not fig.data[0].text
    values = {a.y: a.text for a in fig.layout.annotations if a.xref == "paper" and a.x >= 1 and a.xanchor == "left"}
    assert values == {"柘城县": "-1.0", "睢阳区": "-0.9", "梁园区": "-6.9"}
    assert fig.layout.margin.r >= 60  # room for "+12.3"


def test_a_county_without_a_figure_keeps_its_row_and_a_computed_one_says_so():
    """With three of nine counties reporting, the others vanished from the bars and a computed 同比
    looked published; the sentence beside it said 推算."""
    rank = pd.DataFrame({"name": ["睢阳区", "梁园区", "民权县", "睢县"], "yoy": [6.9, 4.7, None, None],
                         "estimated": [True, False, False, False]})
    fig = charts.ranking(rank, city_value=5.0, title="同比", unit="%", higher_is_better=True, **META).figure
    assert list(fig.data[0].y) == ["民权县", "睢县", "梁园区", "睢阳区"]  # drawn bottom up: the missing at the foot
    values = {a.y: a.text for a in fig.layout.annotations if a.xref == "paper" and a.x >= 1 and a.xanchor == "left"}
    assert values == {"睢阳区": "+6.9 推算", "梁园区": "+4.7", "民权县": "暂缺", "睢县": "暂缺"}


def test_a_trend_of_one_month_is_ticked_by_month_not_by_day():
    """A county's one computed 累计 point drew day ticks (10月18日 … 11月15日) under a 1—11月 figure."""
    one = charts.trend(pd.DataFrame({"period": ["2026-11"], "value": [6.9]}), title="同比", unit="%", **META).figure
    assert one.layout.xaxis.dtick == "M1"
    many = charts.trend(pd.DataFrame({"period": ["2025-11", "2026-05", "2026-11"], "value": [1.0, 2.0, 3.0]}),
                        title="同比", unit="%", **META).figure
    assert many.layout.xaxis.dtick is None  # Plotly spaces a longer span itself
