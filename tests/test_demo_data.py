"""The demo generator: deterministic, complete, and numbers that add up."""
from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

from cockpit import alert_store, geo, metrics, schema as s
from cockpit.config import settings
from connectors import demo
from connectors.demo import WEIGHTS, DemoConnector
from tests.conftest import DEMO_END, DEMO_TICKETS


def test_demo_is_deterministic():
    a = DemoConnector(end="2024-06", tickets=500).observations()
    b = DemoConnector(end="2024-06", tickets=500).observations()
    pd.testing.assert_frame_equal(a, b)


def test_early_in_a_month_the_demo_puts_nothing_after_the_clock(monkeypatch):
    """On 6 December the last complete month is November; 26 days after it would be the 26th, so
    events, tickets and signals would lie in the future and durations come out negative."""
    now = dt.datetime(2026, 12, 6, 6, 17)
    monkeypatch.setattr(demo, "_clock", lambda: now)
    c = DemoConnector(end="2026-11", tickets=5000)
    assert c.now == now and c.today == now.date()
    assert c.events().occurred_at.max() <= now and c.hotline().created_at.max() <= now
    weather = c.weather()
    assert weather.issued_at.max() <= now and (weather.expires_at > now).any()  # a signal is in force
    late = dt.datetime(2027, 1, 3)  # weeks after: the demo stands 26 days after its month, as before
    monkeypatch.setattr(demo, "_clock", lambda: late)
    assert DemoConnector(end="2026-11", tickets=5000).now == dt.datetime(2026, 12, 26, 8, 0)


def test_demo_covers_every_county_and_month(demo_store):
    obs = demo_store.observations(indicators=["RETAIL"], measures=["ytd"])
    assert set(obs.region_code) == set(WEIGHTS) | {"411400"}
    assert obs.period.min() == "2019-02" and obs.period.max() == DEMO_END


def test_county_figures_add_up_to_the_city(demo_store):
    obs = demo_store.observations(indicators=["RETAIL", "REVENUE"], measures=["month", "ytd"])
    city = obs[obs.region_code == "411400"].set_index(["indicator_code", "period", "measure"]).value
    counties = obs[obs.region_code != "411400"].groupby(["indicator_code", "period", "measure"]).value.sum()
    assert np.allclose(city.sort_index(), counties.loc[city.sort_index().index], atol=0.011)


def test_a_part_never_exceeds_its_whole(demo_store):
    """全程网办办件量 is a part of 政务服务办件量: the demo once made it 115% of the whole."""
    obs = demo_store.observations(indicators=["GOV_CASES", "GOV_ONLINE_CASES"], measures=["month", "ytd"])
    both = obs.pivot_table(index=["region_code", "period", "measure"], columns="indicator_code", values="value")
    assert len(both) > 1000 and (both.GOV_ONLINE_CASES <= both.GOV_CASES).all()


def test_china_publishes_no_january_for_retail_and_industry(demo_store):
    obs = demo_store.observations(indicators=["RETAIL", "IND_VA", "FAI"])
    assert not obs.period.str.endswith("-01").any()
    feb = obs[obs.period.str.endswith("-02")]
    assert set(feb.measure) <= {"ytd", "ytd_yoy"}


def test_industry_is_published_as_rates_only(demo_store):
    obs = demo_store.observations(indicators=["IND_VA"])
    assert set(obs.measure) == {"month_yoy", "ytd_yoy"}


def test_quarterly_gdp_growth_compares_with_the_same_quarter(demo_store):
    obs = demo_store.observations(indicators=["GDP"], regions=["411400"])
    assert set(obs.period.str[5:]) == {"03", "06", "09", "12"}
    ytd_yoy = obs[obs.measure == "ytd_yoy"].value
    assert ytd_yoy[obs.period >= "2023-01"].between(-5, 15).all()


def test_events_lie_inside_their_county(demo_store):
    events = demo_store.frame(s.emergency_events.select())
    features = geo.features_by_code(settings().geojson)
    for code, group in events.groupby("region_code"):
        assert geo.contains(features[code]["geometry"], group.lon.to_numpy(), group.lat.to_numpy()).all()
    assert events.level.isin([1, 2, 3, 4]).all() and (events.status == "处置中").any()


def test_ticket_volume_follows_the_parameter(demo_store):
    n = demo_store.count(s.hotline_tickets)
    assert DEMO_TICKETS <= n <= DEMO_TICKETS * 1.05  # plus the seeded 供暖 surge


def test_every_plan_task_has_progress(demo_store):
    progress = demo_store.latest_task_progress()
    assert sorted(progress.task_number) == list(range(1, 173))
    assert progress.percent.between(0, 100).all()


def test_demo_batches_are_labelled_demo(demo_store):
    assert demo_store.demo_datasets() == {"observations", "task_progress", "emergency_events", "hotline_tickets",
                                          "weather_warnings", "duty_roster"}


def test_a_weather_warning_is_in_force_and_duty_is_staffed_today(demo_store):
    import datetime as dt
    now = dt.datetime.combine(DemoConnector(end=DEMO_END).today, dt.time(8, 0))
    ww = demo_store.frame(s.weather_warnings.select())
    assert ((ww.issued_at <= now) & (ww.expires_at > now)).any()
    duty = demo_store.frame(s.duty_roster.select())
    assert {"带班领导", "总值班"} <= set(duty[duty.duty_date == now.date()].role)


def test_fever_clinic_visits_surge_in_one_county_last_month(demo_store):
    obs = demo_store.observations(indicators=["FEVER_VISITS"], measures=["month_yoy"], regions=["411425", "411402"])
    last = obs[obs.period == DEMO_END].set_index("region_code").value
    assert last["411425"] > 40 and last["411402"] < 30


def test_warnings_fire_for_overdue_tasks_and_lagging_indicators(demo_store):
    firing = alert_store.alerts(demo_store, ["firing"])
    assert (firing.rule == "task_overdue").any()
    status = metrics.plan_status(demo_store.indicators(), demo_store.observations(), pd.Timestamp("2026-11-26").date())
    lagging = set(status[status.light.isin(["red", "yellow"])].code)
    assert lagging == set(firing[firing.rule == "plan_lag"].indicator_code)
