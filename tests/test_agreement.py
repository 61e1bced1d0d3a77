"""One definition per measurement: the page that shows it and the warning rule that alerts on it
get the same data and must flag the same things (docs/architecture.md, "one definition")."""
from __future__ import annotations

import datetime as dt

import pandas as pd

from cockpit import emergency, hotline, ingest, periods, plan, reporting, rule_config, schema as s
from cockpit.datasets import Dataset
from cockpit.uploads import status
from models import rules
from service import warnings

END = dt.datetime(2026, 3, 11)  # midnight after the newest ticket
TODAY = dt.date(2026, 2, 25)


def _tickets(store, cells: dict[tuple[str, str], tuple[int, int]]) -> None:
    """(category, county) -> (tickets in the last 7 days, tickets in the 28 days before)."""
    rows = []
    for (category, region), (recent, before) in cells.items():
        for i in range(recent):
            at = END - dt.timedelta(hours=3 + 160 * i / max(recent, 1))
            rows.append((at, region, category))
        for i in range(before):
            at = END - dt.timedelta(days=7, hours=3 + 660 * i / max(before, 1))
            rows.append((at, region, category))
    frame = pd.DataFrame(rows, columns=["created_at", "region_code", "category"]).assign(
        channel="电话", status="办理中", due_at=lambda d: d.created_at + dt.timedelta(days=5), closed_at=None,
        satisfaction=None)
    with store.begin() as conn:
        batch = store.new_batch(conn, source="test", dataset="hotline_tickets", created_by="test")
        store.bulk_insert(conn, s.hotline_tickets, frame.assign(batch_id=batch))


def _load(store, frame: pd.DataFrame) -> None:
    ingest.load(store, [Dataset("observations", frame, {"title": "t"})], source="test", created_by="test")


def _rule(store, name: str, today: dt.date) -> list[rules.Finding]:
    config = rule_config.load(store.cfg)
    return rules.RULES[name](warnings.gather(store, today, config), config["rules"][name])


def test_a_12345_surge_on_the_page_is_a_surge_alert_and_nothing_else_is(store):
    # Around every threshold of rules.toml: 9 tickets (< min_count), 1.6x and 1.75x (< ratio), 2x on 12
    # (chance), 2x on 30 (a surge), and a category from nothing (10 tickets, none before).
    _tickets(store, {("供暖", "411403"): (12, 4), ("供暖", "411425"): (9, 0), ("城市管理", "411402"): (10, 0),
                     ("噪声", "411481"): (16, 40), ("供水", "411421"): (14, 32), ("交通", "411422"): (30, 60),
                     ("燃气", "411423"): (12, 24)})
    page = hotline.surge(store, END, hotline.SurgeRule.of(rule_config.load(store.cfg)["rules"]["hotline_surge"]))
    flagged = set(zip(page[page.surge].category, page[page.surge].region_code))
    found = {tuple(f.subject.split("|")[1:]) for f in _rule(store, "hotline_surge", END.date())
             if "*" not in f.subject}
    assert flagged == found == {("供暖", "411403"), ("城市管理", "411402"), ("交通", "411422")}
    levels = dict(zip(zip(page.category, page.region_code), page.level))
    assert all(levels[tuple(f.subject.split("|")[1:])] == f.level for f in _rule(store, "hotline_surge", END.date())
               if "*" not in f.subject)


def _monthly(code: str, region: str, last: str, n: int = 14, measure: str = "month") -> pd.DataFrame:
    months = periods.month_range(periods.shift_month(last, -(n - 1)), last)
    return pd.DataFrame({"indicator_code": code, "region_code": region, "period": months, "measure": measure,
                         "value": 1.0})


def test_the_reporting_status_lists_exactly_what_the_stale_rule_alerts_on(store):
    _load(store, pd.concat([
        _monthly("REVENUE", "411402", "2026-01"), _monthly("REVENUE", "411403", "2025-12"),  # on time / late
        _monthly("RETAIL", "411402", "2025-12", measure="ytd"),  # no January figure: on time
        _monthly("RETAIL", "411403", "2025-11", measure="ytd"),  # a month behind all the same
        _monthly("GDP", "411402", "2025-09", measure="ytd"), _monthly("GDP", "411403", "2025-12", measure="ytd"),
    ]))
    schedule = reporting.Schedule.of(rule_config.load(store.cfg)["rules"]["stale"])
    page = status.reporting_status(store, schedule, TODAY)
    shown = set(zip(page.indicator, page.region))
    alerted = {(f.title.split("数据未按时报送")[0], row["地区"]) for f in _rule(store, "stale", TODAY)
               for row in f.evidence["rows"]}
    assert shown == alerted == {("一般公共预算收入", "睢阳区"), ("社会消费品零售总额", "睢阳区"), ("地区生产总值", "梁园区")}


def test_a_public_health_surge_on_the_page_is_a_health_alert(store):
    counties = ["411402", "411425", "411481"]
    frames = []
    for code in emergency.HEALTH:
        for region in counties:
            values = [100.0] * 37  # three years of the same month at 100, then this January
            if (code, region) == ("FEVER_VISITS", "411425"):
                values[-1] = 165.0  # +65% 同比 and 65% above the old max: both signals, 橙
            if (code, region) == ("ID_CASES", "411402"):
                values[-1] = 125.0  # +25% 同比 (under 40%), but 25% above the old max (over 20%): one, 黄
            if (code, region) == ("ID_CASES", "411481"):
                values[-13], values[-1] = 150.0, 141.0  # -6% 同比 and under 1.2 x 150: quiet
            frames.append(_monthly(code, region, "2026-01", n=37).assign(value=values))
    _load(store, pd.concat(frames))
    rule = emergency.HealthRule.of(rule_config.load(store.cfg)["rules"]["health_surge"])
    page = emergency.surveillance(store.observations(indicators=list(emergency.HEALTH)), store.regions(), "2026-01",
                                  rule)
    flagged = dict(zip(zip(page[page.surge].indicator_code, page[page.surge].region_code), page[page.surge].level))
    found = {(f.indicator_code, f.region_code): f.level for f in _rule(store, "health_surge", TODAY)}
    assert flagged == found == {("FEVER_VISITS", "411425"): 2, ("ID_CASES", "411402"): 3}


def test_the_plan_lights_on_the_page_are_the_plan_lag_alerts(store):
    ind = store.indicators()
    codes = list(ind[ind.plan_target.notna()].code)
    values = [95.0, 50.0, 30.0, 5.0] * (len(codes) // 4 + 1)
    # each from 0 before the plan's period (its base) to the value at 2024-12
    _load(store, pd.concat([_monthly(c, "411400", p, n=1).assign(value=v if p == "2024-12" else 0.0)
                            for c, v in zip(codes, values) for p in ("2022-12", "2024-12")]))
    during = dt.date(2025, 2, 25)  # lights run during the plan's period (2023—2025) only
    board = plan.board(ind, store.observations(), during, store.cfg)
    lights = dict(zip(board.code, board.light))
    found = {f.indicator_code: f.level for f in _rule(store, "plan_lag", during)}
    assert found == {c: {"red": 2, "yellow": 3}[lt] for c, lt in lights.items() if lt in ("red", "yellow")}
    assert {2, 3} <= set(found.values())  # red and yellow lights both present
