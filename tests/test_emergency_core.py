"""应急指挥 core: open events first, warnings in force at a moment, duty order, surge rules."""
from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from cockpit import emergency, schema as s

NOW = dt.datetime(2026, 11, 26, 10, 0)


@pytest.fixture
def filled(store):
    ev = pd.DataFrame([
        {"event_type": "火灾", "level": 3, "title": "甲", "region_code": "411402", "place": "城区", "lon": 115.6,
         "lat": 34.4, "occurred_at": NOW - dt.timedelta(days=60), "status": "处置中", "closed_at": None},
        {"event_type": "火灾", "level": 1, "title": "乙", "region_code": "411403", "place": "城区", "lon": 115.6,
         "lat": 34.4, "occurred_at": NOW - dt.timedelta(days=2), "status": "已结束", "closed_at": NOW},
        {"event_type": "城市内涝", "level": 2, "title": "丙<b>", "region_code": "411403", "place": "城区", "lon": 115.6,
         "lat": 34.4, "occurred_at": NOW - dt.timedelta(hours=3), "status": "处置中", "closed_at": None},
        {"event_type": "城市内涝", "level": 4, "title": "丁", "region_code": "411481", "place": "城区", "lon": 116.3,
         "lat": 33.9, "occurred_at": NOW - dt.timedelta(days=40), "status": "已结束", "closed_at": NOW},
    ])
    hour = dt.timedelta(hours=1)
    ww = pd.DataFrame([  # kind, level, region, issued, expires
        ("寒潮", 3, "411402", NOW, NOW + hour),
        ("大风", 4, "411402", NOW - 5 * hour, NOW),
        ("大雾", 2, "411403", NOW - 24 * hour, None),
        ("暴雨", 2, "411403", NOW + dt.timedelta(minutes=1), NOW + 24 * hour),
    ], columns=["kind", "level", "region_code", "issued_at", "expires_at"]).assign(issuer="商丘市气象台", text="")
    duty = pd.DataFrame([
        {"duty_date": NOW.date(), "role": "值班员", "name": "甲", "unit": "市公安局", "phone": "1"},
        {"duty_date": NOW.date(), "role": "带班领导", "name": "乙", "unit": "市政府办公室", "phone": "2"},
        {"duty_date": NOW.date() - dt.timedelta(days=1), "role": "带班领导", "name": "丙", "unit": "市政府办公室", "phone": "3"},
    ])
    with store.begin() as conn:
        for table, frame in ((s.emergency_events, ev), (s.weather_warnings, ww), (s.duty_roster, duty)):
            batch = store.new_batch(conn, source="test", dataset=table.name, created_by="test")
            store.bulk_insert(conn, table, frame.assign(batch_id=batch))
    return store


def test_open_events_come_first_most_severe_first_and_stay_whatever_the_range(filled):
    ev = emergency.events(filled, since=NOW - dt.timedelta(days=7))
    assert list(ev.title) == ["丙<b>", "甲", "乙"]  # 甲 is 60 days old but still open
    assert list(ev.is_open) == [True, True, False]
    assert list(emergency.events(filled, types=["城市内涝"]).title) == ["丙<b>", "丁"]
    assert list(emergency.events(filled, levels=[1, 4]).title) == ["乙", "丁"]
    assert list(emergency.events(filled, region="411403").title) == ["丙<b>", "乙"]


def test_a_warning_is_in_force_from_issue_until_just_before_expiry(filled):
    kinds = set(emergency.weather_in_force(filled, NOW).kind)
    assert kinds == {"寒潮", "大雾"}  # 大风 expires at NOW, 暴雨 not issued yet, 大雾 has no expiry
    assert set(emergency.weather_in_force(filled, NOW, region="411402").kind) == {"寒潮"}


def test_duty_lists_today_with_the_leader_first(filled):
    d = emergency.duty(filled, NOW.date())
    assert list(d.role) == ["带班领导", "值班员"] and list(d.name) == ["乙", "甲"]


def _obs(code, region, values: dict, yoy: dict | None = None) -> pd.DataFrame:
    rows = [{"indicator_code": code, "region_code": region, "period": p, "measure": "month", "value": v}
            for p, v in values.items()]
    rows += [{"indicator_code": code, "region_code": region, "period": p, "measure": "month_yoy", "value": v}
             for p, v in (yoy or {}).items()]
    return pd.DataFrame(rows)


REGIONS = pd.DataFrame([{"code": "411400", "name": "商丘市", "level": "city"},
                        {"code": "411425", "name": "虞城县", "level": "county"},
                        {"code": "411402", "name": "梁园区", "level": "county"}])


@pytest.mark.parametrize("history,now,yoy,level", [
    ({"2023-10": 100, "2024-10": 110, "2025-10": 100}, 150, None, 2),   # +50% and 36% above the max
    ({"2023-10": 100, "2024-10": 140, "2025-10": 100}, 145, None, 3),   # +45% only (max 140 barely beaten)
    ({"2023-10": 200, "2024-10": 100, "2025-10": 190}, 250, None, 3),   # 25% above max, only +31.6%
    ({"2023-10": 100, "2024-10": 100, "2025-10": 100}, 118, None, None),  # +18%: normal
    ({"2023-10": 100, "2024-10": 100, "2025-10": 100}, 118, {"2026-10": 45.0}, 3),  # a reported rate wins
    ({}, 500, None, None),  # no history: nothing to compare, no alarm
])
def test_surge_rules(history, now, yoy, level):
    obs = _obs("FEVER_VISITS", "411425", {**history, "2026-10": now}, yoy)
    got = emergency.surveillance(obs, REGIONS, "2026-10")
    row = got[(got.indicator_code == "FEVER_VISITS") & (got.region_code == "411425")].iloc[0]
    assert (row.level if row.surge else None) == level
    assert set(got.region_code) == {"411425", "411402"}  # counties only, the city is not a county


# ---- the event timeline as a reader sees it ---------------------------------------------------------
def test_a_lone_event_on_the_timeline_spans_the_chosen_range_and_no_date_label_repeats():
    from cockpit import charts
    from tests.test_number_display import SPACINGS, _ticks, shown_format
    one = pd.DataFrame({"occurred_at": [pd.Timestamp("2026-11-25 09:30")], "event_type": ["火灾"], "level": [3],
                        "is_open": [True], "title": ["某仓库火灾"], "status": ["处置中"]})
    since, at = NOW - dt.timedelta(days=30), NOW
    axis = charts.event_timeline(one, title="突发事件时间轴（近 30 日）", caliber="按事件发生时间", source="来源",
                                 as_of=f"{at:%Y-%m-%d %H:%M}", span=(since, at)).figure.layout.xaxis
    lo, hi = (pd.Timestamp(x) for x in axis.range)
    # The whole 30 days, not the few hours around the event that Plotly's autorange chose, where
    # its ticks came six hours apart and "11月25日" was printed four times.
    assert lo <= pd.Timestamp(since) and hi >= pd.Timestamp(at) and hi - lo < pd.Timedelta(days=32)
    for dtick in SPACINGS:  # and if zoomed in to hours, the hour is in the label
        labels = [t.strftime(shown_format(axis, dtick)) for t in _ticks(dtick)]
        assert len(set(labels)) == len(labels), (dtick, labels)
