"""Early-warning rules and the alert state machine, table-driven: one row per case."""
from __future__ import annotations

import datetime as dt
import json

import numpy as np
import pandas as pd
import pytest

from cockpit import alert_store, catalog, periods, rule_config
from cockpit.config import Settings
from models import alerts as sm
from models import rules
from models.rules import Context, Finding
from service import alerts

T0 = dt.datetime(2026, 11, 1, 9, 0)
TODAY = dt.date(2026, 11, 26)
IND_COLS = ["code", "name", "unit", "frequency", "kind", "higher_is_better", "measures", "plan_target"]


# ---- state machine ---------------------------------------------------------------------------
TRANSITIONS = [
    # state, condition, for_minutes, held minutes, old level, new level, next state
    (None, False, 0, 0, None, 3, None),
    (None, True, 0, 0, None, 3, "firing"),
    (None, True, 30, 0, None, 3, "pending"),
    ("pending", True, 30, 10, 3, 3, "pending"),
    ("pending", True, 30, 30, 3, 3, "firing"),
    ("pending", False, 30, 10, 3, None, "resolved"),
    ("firing", True, 0, 60, 3, 3, "firing"),
    ("firing", True, 0, 60, 3, 4, "firing"),
    ("firing", False, 0, 60, 3, None, "resolved"),
    ("acknowledged", True, 0, 60, 3, 3, "acknowledged"),
    ("acknowledged", True, 0, 60, 3, 4, "acknowledged"),
    ("acknowledged", True, 0, 60, 3, 2, "firing"),  # escalation re-fires
    ("acknowledged", False, 0, 60, 3, None, "resolved"),
    ("resolved", True, 0, 60, 3, 3, "firing"),
    ("resolved", True, 30, 60, 3, 3, "pending"),
    ("resolved", False, 0, 60, 3, None, "resolved"),
]


@pytest.mark.parametrize("state,active,for_minutes,held,old,new,expected", TRANSITIONS)
def test_state_transition(state, active, for_minutes, held, old, new, expected):
    started = T0 - dt.timedelta(minutes=held)
    assert sm.next_state(state, active, now=T0, started_at=started, for_minutes=for_minutes,
                         old_level=old, new_level=new) == expected


def test_one_surge_tripping_several_rules_reads_as_one_entry():
    firing = pd.DataFrame([
        (1, "yoy_swing", "FEVER|411425", "FEVER", "411425", 2, "虞城县发热门诊同比跳升", "甲"),
        (2, "task_overdue", "task:11", None, None, 2, "任务 11 逾期", "乙"),
        (3, "stl_anomaly", "FEVER|411425", "FEVER", "411425", 2, "虞城县发热门诊异常偏高", "丙"),
        (4, "forecast_interval", "FEVER|411425", "FEVER", "411425", 3, "虞城县发热门诊超出预测区间", "丁"),
        (5, "stl_anomaly", "FEVER|411400", "FEVER", "411400", 3, "商丘市发热门诊异常偏高", "戊"),
        (6, "task_overdue", "task:17", None, None, 2, "任务 17 逾期", "己"),
    ], columns=["id", "rule", "subject", "indicator_code", "region_code", "level", "title", "message"])
    groups = sm.group_by_series(firing)
    assert [g["title"] for g in groups] == ["虞城县发热门诊同比跳升", "任务 11 逾期", "商丘市发热门诊异常偏高", "任务 17 逾期"]
    assert groups[0]["also"] == ["异常值（季节分解残差）", "超出预测区间"] and groups[0]["message"] == "甲"
    assert groups[1]["also"] == groups[2]["also"] == []


@pytest.mark.parametrize("state,expected", [
    ("firing", "acknowledged"), ("pending", ValueError), ("acknowledged", ValueError), ("resolved", ValueError)])
def test_acknowledge_only_from_firing(state, expected):
    if expected is ValueError:
        with pytest.raises(ValueError, match="只能确认正在触发的预警"):
            sm.acknowledge(state)
    else:
        assert sm.acknowledge(state) == expected


def _finding(level=3, subject="X|411400", message="m"):
    return Finding(rule="threshold", subject=subject, level=level, title="标题", message=message,
                   evidence={"kind": "line", "x": ["2026-10"], "y": [1.0]})


# Evaluations in sequence against a real store: (findings present?, level, minutes later, state after)
STORED_STEPS = [
    ("fires at once", [True], [3], [0], ["firing"]),
    ("resolves when the condition goes", [True, False], [3, 3], [0, 60], ["firing", "resolved"]),
    ("reopens after resolving", [True, False, True], [3, 3, 3], [0, 60, 120], ["firing", "resolved", "firing"]),
    ("waits in pending for for_minutes", [True, True, True], [3, 3, 3], [0, 10, 40],
     ["pending", "pending", "firing"]),
]


@pytest.mark.parametrize("name,present,levels,minutes,states", STORED_STEPS, ids=[s[0] for s in STORED_STEPS])
def test_stored_alert_moves_through_states_and_keeps_history(store, name, present, levels, minutes, states):
    for_minutes = {"threshold": 30 if "pending" in name else 0}
    for p, lv, mins, expected in zip(present, levels, minutes, states):
        at = T0 + dt.timedelta(minutes=mins)
        alerts.apply(store, [_finding(lv)] if p else [], {"threshold"}, for_minutes, at)
        row = alert_store.alerts(store).iloc[0]
        assert row.state == expected
    hist = alert_store.events(store, int(row.id))
    changes = [s for s, prev in zip(states, [None, *states[:-1]]) if s != prev]
    assert hist.to_state.tolist() == changes
    assert json.loads(row.evidence)["kind"] == "line"


def test_acknowledge_and_assign_are_stored_with_who_and_a_note(store):
    alerts.apply(store, [_finding()], {"threshold"}, {}, T0)
    aid = int(alert_store.alerts(store).id.iloc[0])
    alerts.acknowledge(store, aid, "张科长", "已知悉")
    alerts.assign(store, aid, "市统计局", "王主任", "请于周五前说明原因")
    row = alert_store.alert(store, aid)
    assert (row["state"], row["acknowledged_by"], row["assignee"]) == ("acknowledged", "张科长", "市统计局")
    assert row["note"] == "请于周五前说明原因"
    hist = alert_store.events(store, aid)
    assert hist.actor.tolist() == ["system", "张科长", "王主任"]
    assert "督办：市统计局" in hist.note.iloc[-1]
    with pytest.raises(ValueError, match="只能确认正在触发"):
        alerts.acknowledge(store, aid, "张科长")


def test_acknowledged_alert_refires_when_it_escalates(store):
    alerts.apply(store, [_finding(3)], {"threshold"}, {}, T0)
    aid = int(alert_store.alerts(store).id.iloc[0])
    alerts.acknowledge(store, aid, "张科长")
    alerts.apply(store, [_finding(3)], {"threshold"}, {}, T0 + dt.timedelta(hours=1))
    assert alert_store.alert(store, aid)["state"] == "acknowledged"
    alerts.apply(store, [_finding(2)], {"threshold"}, {}, T0 + dt.timedelta(hours=2))
    assert alert_store.alert(store, aid)["state"] == "firing"


def test_a_rule_that_did_not_run_keeps_its_alerts(store):
    alerts.apply(store, [_finding()], {"threshold"}, {}, T0)
    alerts.apply(store, [], {"plan_lag"}, {}, T0 + dt.timedelta(hours=1))
    assert alert_store.alerts(store).state.tolist() == ["firing"]


def test_resolved_alert_cannot_be_assigned(store):
    alerts.apply(store, [_finding()], {"threshold"}, {}, T0)
    alerts.apply(store, [], {"threshold"}, {}, T0 + dt.timedelta(hours=1))
    aid = int(alert_store.alerts(store).id.iloc[0])
    with pytest.raises(ValueError, match="已解除"):
        alerts.assign(store, aid, "市统计局", "王主任")


# ---- rules: one row per case -------------------------------------------------------------------
def _indicators(*rows):
    """Rows of IND_COLS; an indicator with a plan_target belongs to the plan in force (data/plan)."""
    frame = pd.DataFrame([dict(zip(IND_COLS, r)) for r in rows], columns=IND_COLS)
    return frame.assign(plan_id=frame.plan_target.map(lambda t: catalog.load_plan().id if pd.notna(t) else None))


REGIONS = pd.DataFrame({"code": ["411400", "411403", "411425"], "name": ["商丘市", "睢阳区", "虞城县"]})


def _monthly(code, region, measure, values, end="2026-10"):
    months = periods.month_range(periods.shift_month(end, -(len(values) - 1)), end)
    return pd.DataFrame({"indicator_code": code, "region_code": region, "period": months,
                         "measure": measure, "value": values})


def _ctx(indicators=None, obs=None, **kw):
    return Context(today=kw.pop("today", TODAY), indicators=indicators if indicators is not None else _indicators(),
                   regions=REGIONS, obs=obs if obs is not None else pd.DataFrame(
                       columns=["indicator_code", "region_code", "period", "measure", "value"]),
                   settings=Settings(), **kw)


def _seasonal(n=60, spike=None, seed=1):
    rng = np.random.default_rng(seed)
    t = np.arange(n)
    y = 100 * (1 + 0.01 * t / 12) * (1 + 0.2 * np.cos(2 * np.pi * t / 12)) * rng.normal(1, 0.01, n)
    if spike:
        y[-1] *= spike
    return np.round(y, 2)


FLOW = ("X", "指标甲", "亿元", "M", "flow", True, "month,ytd", None)
BAD_UP = ("F", "发热门诊就诊人次", "人次", "M", "flow", False, "month,ytd", None)
RATE = ("U", "城镇调查失业率", "%", "M", "ratio", False, "month", None)


def case_threshold(above):
    obs = _monthly("U", "411400", "month", [5.1, 5.2, above])
    cfg = {"items": [{"indicator": "U", "measure": "month", "region": "411400", "above": 5.5, "level": 3}]}
    return rules.threshold(_ctx(_indicators(RATE), obs), cfg)


def case_plan_lag(value, today=dt.date(2024, 7, 1)):
    ind = _indicators(("P1", "全程网办率", "%", "Q", "ratio", True, "month", 100.0))
    # from 0 before the plan's period (its base) to `value` in 2024-06, 序时进度 49.9%
    obs = pd.DataFrame({"indicator_code": "P1", "region_code": "411400", "period": ["2022-12", "2024-06"],
                        "measure": "month", "value": [0.0, value]})
    return rules.plan_lag(_ctx(ind, obs, today=today), {"red_pp": 30, "yellow_pp": 10})


def case_yoy_swing(last_factor):
    base = list(_seasonal(26, seed=3))
    base[-1] = round(base[-13] * last_factor, 2)
    obs = _monthly("F", "411425", "month", base)
    return rules.yoy_swing(_ctx(_indicators(BAD_UP), obs), {"points": 15, "kinds": ["flow"]})


def case_stl(spike):
    obs = _monthly("F", "411425", "month", list(_seasonal(60, spike)))
    return rules.stl_anomaly(_ctx(_indicators(BAD_UP), obs), {"z": 4.0, "min_points": 36})


def case_forecast_interval(actual, ind=BAD_UP):
    rec = {"indicator": ind[0], "region": "411425", "measure": "month", "label": "组合预测",
           "history": {"periods": ["2026-09", "2026-10"], "values": [100.0, actual]},
           "check": {"mean": 100.0, "sd": 5.0, "actual": actual, "period": "2026-10"}}
    return rules.forecast_interval(_ctx(_indicators(ind), forecasts={"k": rec}), {"level_pct": 99})


def case_stale(last, code="X", today=TODAY):
    ind = _indicators((code, "指标甲", "亿元", "M", "flow", True, "month", None))
    obs = _monthly(code, "411403", "month", [1.0, 2.0], end=last)
    return rules.stale(_ctx(ind, obs, today=today), {"monthly_due_day": 20, "skip_january": ["J"]})


def _tasks(deadline):
    return pd.DataFrame([{"number": 7, "deadline_date": deadline, "deadline_text": "2026年6月底前",
                          "deadline_kind": "date", "lead_units": "市大数据局|市发改委", "text": "建设城市运行管理平台"}])


def _progress(percents, status="推进中"):
    days = [dt.date(2026, 3, 31), dt.date(2026, 6, 30), dt.date(2026, 9, 30)][-len(percents):]
    return pd.DataFrame({"task_number": 7, "reported_on": days, "status": status, "percent": percents})


def case_task_overdue(deadline, status="推进中"):
    return rules.task_overdue(_ctx(tasks=_tasks(deadline), progress=_progress([50.0], status)),
                              {"orange_after_days": 180})


def case_task_stalled(percents):
    return rules.task_stalled(_ctx(tasks=_tasks(dt.date(2027, 6, 30)), progress=_progress(percents)),
                              {"reports": 3, "level": 4})


def case_hotline(window_cell, base_cell=4, others=10):
    rows = [("供暖", "411403", window_cell, base_cell), ("供暖", "411425", 1, 4),
            ("城市管理", "411403", others, others * 4), ("城市管理", "411425", others, others * 4)]
    t = pd.DataFrame(rows, columns=["category", "region_code", "window", "base"])
    return rules.hotline_surge(_ctx(tickets=t, ticket_end=dt.datetime(2026, 11, 26)),
                               {"min_count": 20, "ratio_yellow": 1.8, "ratio_orange": 3.0})


def test_a_surge_s_usual_count_is_printed_as_its_ratio_was_reckoned():
    """26 tickets against a usual 0.75 a week is 34.7 times; printed "0.8 件" it read as 32.5."""
    (f,) = case_hotline(26, base_cell=3)
    assert "应约 0.75 件" in f.message and "34.7 倍" in f.message, f.message
    assert f.evidence["numbers"]["常态水平"] == "0.75 件"


def case_target(ytd_now, measure="ytd", target=120.0):
    ind = _indicators(("R", "一般公共预算收入", "亿元", "M", "flow", True, "month,ytd,ytd_yoy", None))
    months = periods.month_range("2023-01", "2026-10")
    month = pd.Series(_seasonal(len(months), seed=5)[:len(months)] / 10, index=months)
    ytd = month.groupby(month.index.str[:4]).cumsum()
    ytd["2026-10"] = ytd_now
    obs = pd.concat([
        pd.DataFrame({"indicator_code": "R", "region_code": "411400", "period": months, "measure": "month",
                      "value": month.values}),
        pd.DataFrame({"indicator_code": "R", "region_code": "411400", "period": months, "measure": "ytd",
                      "value": ytd.values})])
    targets = pd.DataFrame([{"indicator_code": "R", "region_code": "411400", "year": 2026, "measure": measure,
                             "target": target, "note": ""}])
    return rules.target_lag(_ctx(ind, obs, targets=targets),
                            {"red_pp": 15, "yellow_pp": 5, "growth_red_pp": 1.5, "growth_yellow_pp": 0.5})


HEALTH_REGIONS = pd.DataFrame({"code": ["411400", "411425", "411402"], "name": ["商丘市", "虞城县", "梁园区"],
                               "level": ["city", "county", "county"]})


def case_health(last_factor, previous_record=100.0, usual=100.0):
    """发热门诊 in 虞城县: the same month of three years at 100 (or a record), then this October."""
    values = {"2023-10": usual, "2024-10": previous_record, "2025-10": usual, "2026-10": 100.0 * last_factor}
    obs = pd.concat([pd.DataFrame({"indicator_code": "FEVER_VISITS", "region_code": r, "period": list(values),
                                   "measure": "month", "value": list(values.values())}) for r in ("411425", "411402")])
    obs.loc[(obs.region_code == "411402") & (obs.period == "2026-10"), "value"] = usual
    ind = _indicators(("FEVER_VISITS", "发热门诊就诊人次", "人次", "M", "flow", False, "month", None))
    ctx = Context(today=TODAY, indicators=ind, regions=HEALTH_REGIONS, obs=obs, settings=Settings())
    return rules.health_surge(ctx, {"yoy_pct": 40.0, "history_years": 3, "max_margin_pct": 20.0, "from_zero_count": 10})


def case_source(hours_since_success, failed=False, schedule="daily 08:30"):
    """A source pulled daily at 08:30, last successful `hours_since_success` hours before 30 Nov 12:00."""
    from service import sources as S
    at = dt.datetime(2026, 11, 30, 12, 0)
    src = S.Source("hotline", "sql", "12345 热线系统", {}, {}, S.Schedule.parse(schedule))
    last = None if hours_since_success is None else at - dt.timedelta(hours=hours_since_success)
    state = pd.DataFrame([{"source": "hotline", "last_success_at": last, "last_rows": 10, "last_written": 1,
                           "last_error_at": at - dt.timedelta(minutes=5) if failed else None,
                           "last_error": "无法连接数据库" if failed else None}])
    fresh = S.freshness(S.Config({"hotline": src}), state, at)
    ctx = Context(today=at.date(), indicators=pd.DataFrame(), regions=pd.DataFrame(), obs=pd.DataFrame(),
                  settings=Settings(), sources=fresh)
    return rules.source_overdue(ctx, {"grace_minutes": 60, "orange_after_hours": 24})


RULE_CASES = [
    # name, call, expected (rule, level) list, a word the title must hold
    ("threshold: above the line fires", lambda: case_threshold(5.8), [("threshold", 3)], "警戒线"),
    ("threshold: under the line is quiet", lambda: case_threshold(5.3), [], None),
    ("plan_lag: 10-30 pp behind is yellow (level 3)", lambda: case_plan_lag(30.0), [("plan_lag", 3)], "黄灯"),
    ("plan_lag: >30 pp behind is red (level 2)", lambda: case_plan_lag(5.0), [("plan_lag", 2)], "红灯"),
    ("plan_lag: on schedule is quiet", lambda: case_plan_lag(60.0), [], None),
    ("plan_lag: after the plan's period nothing lags 序时进度", lambda: case_plan_lag(5.0, TODAY), [], None),
    ("target_lag: value target 8 pp behind schedule", lambda: case_target(90.0), [("target_lag", 3)], "落后序时进度"),
    ("target_lag: value target 20 pp behind is level 2", lambda: case_target(76.0), [("target_lag", 2)], "落后"),
    ("target_lag: on schedule is quiet", lambda: case_target(101.0), [], None),
    ("yoy_swing: +70 points is level 2", lambda: case_yoy_swing(1.7), [("yoy_swing", 2)], "跳升"),
    ("yoy_swing: +20 points is level 3", lambda: case_yoy_swing(1.2), [("yoy_swing", 3)], "跳升"),
    ("yoy_swing: a normal month is quiet", lambda: case_yoy_swing(1.0), [], None),
    ("stl_anomaly: a spike is found", lambda: case_stl(1.6), [("stl_anomaly", 2)], "异常偏高"),
    ("stl_anomaly: a favourable dip is not a warning", lambda: case_stl(0.5), [], None),
    ("stl_anomaly: a clean series is quiet", lambda: case_stl(None), [], None),
    ("forecast_interval: adverse and far outside is level 2", lambda: case_forecast_interval(140.0),
     [("forecast_interval", 2)], "高于预测区间"),
    ("forecast_interval: adverse, just outside is level 3", lambda: case_forecast_interval(115.0),
     [("forecast_interval", 3)], "高于预测区间"),
    ("forecast_interval: favourable deviation is quiet", lambda: case_forecast_interval(80.0), [], None),
    ("forecast_interval: inside the interval is quiet", lambda: case_forecast_interval(110.0), [], None),
    ("stale: a month late is level 4", lambda: case_stale("2026-09"), [("stale", 4)], "未按时报送"),
    ("stale: three months late is level 3", lambda: case_stale("2026-07"), [("stale", 3)], "未按时报送"),
    ("stale: on time is quiet", lambda: case_stale("2026-10"), [], None),
    ("stale: before the due day is quiet", lambda: case_stale("2026-09", today=dt.date(2026, 11, 15)), [], None),
    ("stale: no January release is not late", lambda: case_stale("2025-12", "J", dt.date(2026, 2, 25)), [], None),
    ("task_overdue: past deadline and open", lambda: case_task_overdue(dt.date(2026, 6, 30)),
     [("task_overdue", 3)], "逾期"),
    ("task_overdue: >180 days is level 2", lambda: case_task_overdue(dt.date(2025, 12, 31)),
     [("task_overdue", 2)], "逾期"),
    ("task_overdue: done is quiet", lambda: case_task_overdue(dt.date(2026, 6, 30), "已完成"), [], None),
    ("task_overdue: not yet due is quiet", lambda: case_task_overdue(dt.date(2027, 6, 30)), [], None),
    ("task_stalled: same percent three times", lambda: case_task_stalled([60.0, 60.0, 60.0]),
     [("task_stalled", 4)], "停滞"),
    ("task_stalled: moving is quiet", lambda: case_task_stalled([40.0, 50.0, 60.0]), [], None),
    ("hotline_surge: one county x category cell, reported once", lambda: case_hotline(30),
     [("hotline_surge", 2)], "睢阳区“供暖”类"),
    ("hotline_surge: a normal week is quiet", lambda: case_hotline(2), [], None),
    ("hotline_surge: below min_count is quiet", lambda: case_hotline(12, base_cell=1, others=5), [], None),
    ("health_surge: +60% and a record is level 2", lambda: case_health(1.6), [("health_surge", 2)], "虞城县发热门诊"),
    ("health_surge: +45% under an old record is level 3", lambda: case_health(1.45, previous_record=140.0),
     [("health_surge", 3)], "异常升高"),
    ("health_surge: an ordinary month is quiet", lambda: case_health(1.1), [], None),
    ("health_surge: 50 where the same months were all 0 is level 3",
     lambda: case_health(0.5, previous_record=0.0, usual=0.0), [("health_surge", 3)], "虞城县发热门诊"),
    ("health_surge: 5 where the same months were all 0 is quiet",
     lambda: case_health(0.05, previous_record=0.0, usual=0.0), [], None),
    ("source_overdue: pulled at 08:30 today is on time", lambda: case_source(3.5), [], None),
    ("source_overdue: half an hour past its time is within the grace",
     lambda: case_source(24.5, schedule="daily 11:30"), [], None),
    ("source_overdue: not since yesterday's 08:30 is level 3", lambda: case_source(26, failed=True),
     [("source_overdue", 3)], "数据超期"),
    ("source_overdue: two days behind is level 2", lambda: case_source(52), [("source_overdue", 2)], "12345 热线系统"),
    ("source_overdue: never pulled is late from its latest scheduled time", lambda: case_source(None),
     [("source_overdue", 3)], "3.5 小时"),
]


@pytest.mark.parametrize("name,call,expected,word", RULE_CASES, ids=[c[0] for c in RULE_CASES])
def test_rule_case(name, call, expected, word):
    found = call()
    assert [(f.rule, f.level) for f in found] == expected
    for f in found:
        assert word in f.title
        assert f.message and f.evidence, "every alert explains itself: numbers and a chart"


def test_every_rule_has_cases_and_a_title():
    covered = {c[0].split(":")[0] for c in RULE_CASES}
    assert covered == set(rules.RULES) == set(rules.RULE_TITLES)


def test_rules_file_ships_every_rule_and_local_overrides_win(tmp_path):
    cfg = Settings(data_dir=tmp_path)
    doc = rule_config.load(cfg)
    assert set(doc["rules"]) == set(rules.RULES)
    rule_config.save_local(cfg, {"rules": {"yoy_swing": {"points": 25.0}}})
    doc = rule_config.load(cfg)
    assert doc["rules"]["yoy_swing"]["points"] == 25.0
    assert doc["rules"]["yoy_swing"]["kinds"] == ["flow", "stock"]  # the rest of the table stays


def test_unknown_rule_in_config_is_refused_by_name(tmp_path):
    (tmp_path / "rules.local.toml").write_text("[rules.typo_rule]\nenabled = true\n", encoding="utf-8")
    with pytest.raises(ValueError, match="typo_rule"):
        rule_config.load(Settings(data_dir=tmp_path))


BAD_SETTINGS = [
    # what a careless clerk or a curious attacker writes into the overrides, and the words refusing it
    ("a misspelt key", {"rules": {"yoy_swing": {"piont": 20.0}}}, "[rules.yoy_swing] 中有未知的设置：piont"),
    ("text for a number", {"rules": {"hotline_surge": {"min_count": "十"}}}, "min_count 应为整数，现为“十”"),
    ("true for a number", {"rules": {"stale": {"monthly_due_day": True}}}, "monthly_due_day 应为整数"),
    ("a fraction for a count", {"rules": {"task_stalled": {"reports": 2.5}}}, "reports 应为整数"),
    ("a number for a switch", {"rules": {"plan_lag": {"enabled": 1}}}, "enabled 应为true 或 false"),
    ("a band the lights own", {"rules": {"plan_lag": {"red_pp": 5}}}, "[rules.plan_lag] 中有未知的设置：red_pp"),
    ("an unknown table", {"webhook": {"url": "http://evil.example"}}, "未知的表：webhook"),
    ("a threshold item with a typo", {"rules": {"threshold": {"items": [{"indicator": "CPI", "abvoe": 1}]}}},
     "items 第 1 项有未知的设置：abvoe"),
    ("a webhook target with a typo", {"notify": {"targets": [{"kind": "json", "uri": "http://x"}]}},
     "targets 第 1 项有未知的设置：uri"),
]


@pytest.mark.parametrize("name,overrides,words", BAD_SETTINGS, ids=[b[0] for b in BAD_SETTINGS])
def test_a_bad_rule_setting_is_refused_by_name_and_the_file_stays_as_it_was(tmp_path, name, overrides, words):
    cfg = Settings(data_dir=tmp_path)
    rule_config.save_local(cfg, {"rules": {"yoy_swing": {"points": 25.0}}})
    before = rule_config.local_file(cfg).read_bytes()
    with pytest.raises(ValueError) as refused:
        rule_config.save_local(cfg, overrides)
    assert words in str(refused.value)
    assert rule_config.local_file(cfg).read_bytes() == before
    assert rule_config.load(cfg)["rules"]["yoy_swing"]["points"] == 25.0


def test_a_hand_edited_override_with_a_typo_is_refused_when_read(tmp_path):
    (tmp_path / "rules.local.toml").write_text("[rules.stale]\nmonthly_due_dya = 5\n", encoding="utf-8")
    with pytest.raises(ValueError, match="monthly_due_dya"):
        rule_config.load(Settings(data_dir=tmp_path))


def test_disabled_rule_runs_nothing_and_resolves(tmp_path):
    config = {"rules": {name: {"enabled": False} for name in rules.RULES}}
    findings, ran, skipped = rules.run(_ctx(), config)
    assert findings == [] and ran == set(rules.RULES) and skipped == {}


def test_forecast_rule_waits_for_forecasts():
    findings, ran, skipped = rules.run(_ctx(), {"rules": {}})
    assert "forecast_interval" in skipped and "forecast_interval" not in ran


# ---- the demo data's planted problems are found -------------------------------------------------
def test_demo_warnings_find_the_planted_problems(demo_store):
    firing = alert_store.alerts(demo_store, ["firing"])
    subjects = set(zip(firing.rule, firing.subject))
    assert ("yoy_swing", "FEVER_VISITS|411425") in subjects
    assert ("yoy_swing", "ID_CASES|411425") in subjects
    assert ("stl_anomaly", "FEVER_VISITS|411425") in subjects
    assert ("hotline_surge", "hotline|供暖|411403") in subjects
    assert (firing.rule == "task_overdue").sum() > 0
    # The plan's period (2023—2025) is over when the demo is evaluated: its indicators are assessed
    # (已达标 / 未达标 on the pages), none lags a 序时进度 that no longer runs.
    assert not (firing.rule == "plan_lag").any()
    surge = firing[firing.rule == "hotline_surge"].iloc[0]
    evidence = json.loads(surge.evidence)
    assert evidence["kind"] == "bar" and sum(evidence["y"][-7:]) == surge.value


# ---- alert texts print a count whole -------------------------------------------------------------
def test_alert_texts_print_counts_whole_and_keep_decimals_for_money():
    # 人次 and 例 are counted: "330.0例", "12,184.0人次" read as if a fraction of a visit were possible.
    (stl,) = case_stl(1.6)
    shown = stl.message.split("，")[0]
    assert shown.endswith("人次") and "." not in shown, stl.message
    (fc,) = case_forecast_interval(12_184.0)
    assert "实际 12,184人次" in fc.message and "预测 100人次" in fc.message and "99% 区间 87—113人次" in fc.message
    money = rules.forecast_interval(_ctx(_indicators(("X", "指标甲", "亿元", "M", "flow", False, "month,ytd", None)),
                                         forecasts={"k": {**_forecast_rec(12_184.0), "indicator": "X"}}),
                                    {"level_pct": 99})
    assert "实际 12,184.0亿元" in money[0].message


def _forecast_rec(actual):
    return {"indicator": "F", "region": "411425", "measure": "month", "label": "组合预测",
            "history": {"periods": ["2026-09", "2026-10"], "values": [100.0, actual]},
            "check": {"mean": 100.0, "sd": 5.0, "actual": actual, "period": "2026-10"}}
