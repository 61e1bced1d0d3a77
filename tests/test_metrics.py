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


@pytest.mark.parametrize("gap,expected", [(5.0, "green"), (-9.9, "green"), (-10.1, "yellow"),
                                          (-30.0, "yellow"), (-30.1, "red"), (None, None)])
def test_progress_light_bands(gap, expected):
    assert metrics.light(gap, Settings(lag_red_pp=30, lag_yellow_pp=10)) == expected


def test_plan_status_reads_completion_against_target_and_schedule():
    ind = pd.DataFrame([{"code": "P", "name": "上云率", "unit": "%", "target_2025": 80.0}])
    obs = _obs([("P", "411400", "2024-12", "month", 60.0), ("P", "411400", "2025-06", "month", 64.0)])
    st = metrics.plan_status(ind, obs, dt.date(2024, 7, 2)).iloc[0]
    assert st.value == 64.0 and st.completion == 80.0
    assert st.schedule == pytest.approx(50.0, abs=0.2)
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
