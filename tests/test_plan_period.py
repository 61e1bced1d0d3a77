"""A plan has a period (data/plan/plan.toml): 序时进度 lights during it, the final assessment after
it, and the next plan loads as data."""
from __future__ import annotations

import datetime as dt
import shutil

import pandas as pd
import pytest

from cockpit import catalog, ingest, metrics, plan as plan_board, tasks
from cockpit.config import Settings
from cockpit.datasets import Dataset
from cockpit.store import Store

AFTER = dt.date(2026, 11, 30)  # the 2023—2025 plan is over
PLAN_IND = pd.DataFrame([
    {"code": "P1", "name": "专网整合率", "unit": "%", "plan_target": 95.0, "plan_id": "2023-2025", "higher_is_better": True},
    {"code": "P2", "name": "上云率", "unit": "%", "plan_target": 90.0, "plan_id": "2023-2025", "higher_is_better": True},
    {"code": "P3", "name": "上一期指标", "unit": "%", "plan_target": 50.0, "plan_id": "2018-2020", "higher_is_better": True},
])


def _obs(rows):
    return pd.DataFrame(rows, columns=["indicator_code", "region_code", "period", "measure", "value"])


def test_after_the_period_a_target_is_met_or_missed_by_its_last_figure_inside_the_period():
    # The case: 89.4% against 95% was 绿灯 a year after the plan ended. A 2026 figure is
    # not the plan's result; the 2025 one is.
    obs = _obs([("P1", "411400", "2025-09", "month", 88.0), ("P1", "411400", "2025-12", "month", 89.4),
                ("P1", "411400", "2026-09", "month", 97.0),
                ("P2", "411400", "2025-12", "month", 91.2), ("P3", "411400", "2020-12", "month", 10.0)])
    status = metrics.plan_status(PLAN_IND, obs, AFTER, Settings()).set_index("code")
    assert list(status.index) == ["P1", "P2"]  # an earlier plan's indicator is not this plan's
    assert status.loc["P1", "period"] == "2025-12" and status.loc["P1", "value"] == 89.4
    assert status.loc["P1", "assessment"] == "missed" and status.loc["P1", "shortfall"] == pytest.approx(5.6)
    assert status.loc["P2", "assessment"] == "met" and pd.isna(status.loc["P2", "shortfall"])
    assert status.light.isna().all() and status.gap_pp.isna().all() and status.ended.all()


def test_during_the_period_progress_from_the_base_is_read_against_序时进度():
    """A statistician's check: 一网智管 from 54.7 to 66.6 against 80 at 2024-09 is (66.6 − 54.7) ÷ (80 −
    54.7) = 47.0% done against 58.3% of the time: yellow. Value ÷ target (83.2%) made it green, and
    every light of the plan green in every quarter while half the targets were missed."""
    obs = _obs([("P1", "411400", "2022-12", "month", 54.7), ("P1", "411400", "2024-09", "month", 66.6),
                ("P2", "411400", "2024-09", "month", 70.0)])
    ind = PLAN_IND.assign(plan_target=[80.0, 90.0, 50.0])
    status = metrics.plan_status(ind, obs, dt.date(2024, 11, 15), Settings()).set_index("code")
    p1 = status.loc["P1"]
    assert (p1.base, p1.base_period, p1.progress) == (54.7, "2022-12", 47.0)
    assert p1.schedule == 58.3  # 638 of 1095 days at the figure's quarter end, not at today (62.5)
    assert p1.gap_pp == -11.3 and p1.light == "yellow" and p1.completion == 83.2
    assert pd.isna(p1.assessment) and not p1.ended
    # One figure only, and that the base: nothing to measure yet, so no light rather than a red one
    p2 = status.loc["P2"]
    assert pd.isna(p2.progress) and pd.isna(p2.light) and p2.value == 70.0


def test_a_base_inside_the_period_runs_序时进度_from_its_own_date_and_a_target_met_at_the_start_stays_met():
    obs = _obs([("P1", "411400", "2023-06", "month", 50.0), ("P1", "411400", "2024-06", "month", 70.0),
                ("P2", "411400", "2022-12", "month", 92.0), ("P2", "411400", "2024-06", "month", 93.0)])
    status = metrics.plan_status(PLAN_IND, obs, dt.date(2024, 8, 1), Settings()).set_index("code")
    p1 = status.loc["P1"]  # 2023-06-30 → 2024-06-30 of 2023-06-30 → 2025-12-31: 366 of 915 days
    assert p1.base_period == "2023-06" and p1.schedule == 40.0 and p1.progress == round(100 * 20 / 45, 1)
    assert status.loc["P2", "progress"] == 100.0 and status.loc["P2", "light"] == "green"


def test_a_target_met_at_the_start_that_slips_a_little_is_not_red_and_lower_is_better_completes_upward():
    """Base 96 against a target of 95, now 94.9: "进度 0.0%" and a red light for a tenth of a point.
    A rate to bring down to 4 at 7 read "完成 175%" while missed, and 3.5 read 87.5% while met."""
    ind = PLAN_IND.assign(higher_is_better=[True, False, True])
    obs = _obs([("P1", "411400", "2022-12", "month", 96.0), ("P1", "411400", "2024-06", "month", 94.9),
                ("P2", "411400", "2022-12", "month", 10.0), ("P2", "411400", "2024-06", "month", 7.0)])
    status = metrics.plan_status(ind.assign(plan_target=[95.0, 4.0, 50.0]), obs, dt.date(2024, 8, 1),
                                 Settings()).set_index("code")
    assert status.loc["P1", "progress"] == 99.9 and status.loc["P1", "light"] == "green"
    assert status.loc["P2", "progress"] == 50.0 and status.loc["P2", "completion"] == round(100 * 4 / 7, 1)
    after = metrics.plan_status(ind.assign(plan_target=[95.0, 4.0, 50.0]),
                                pd.concat([obs, _obs([("P2", "411400", "2025-12", "month", 3.5)])]), AFTER,
                                Settings()).set_index("code")
    assert after.loc["P2", "assessment"] == "met" and after.loc["P2", "completion"] == round(100 * 4 / 3.5, 1)


@pytest.mark.parametrize("deadline,today,text", [
    (dt.date(2025, 12, 31), dt.date(2026, 1, 25), "25 天"),
    (dt.date(2025, 12, 31), dt.date(2026, 11, 30), "11 个月"),
    (dt.date(2023, 12, 31), dt.date(2026, 11, 30), "2 年 11 个月"),
    (dt.date(2024, 6, 30), dt.date(2026, 6, 29), "1 年 11 个月"),
    (dt.date(2024, 6, 30), dt.date(2026, 6, 30), "2 年"),
])
def test_how_long_a_task_is_overdue_reads_as_people_say_it(deadline, today, text):
    assert tasks.overdue_text(deadline, today) == text


def _next_plan(folder):
    """The next plan as a city would ship it: new files, no code."""
    folder.mkdir()
    (folder / "plan.toml").write_text(
        'id = "2026-2030"\ntitle = "商丘市数字政府建设规划(2026-2030年)"\nstart = 2026-01-01\nend = 2030-12-31\n'
        'target_column = "target_2030"\n', encoding="utf-8")
    (folder / "indicators.csv").write_text(
        "code,seq,name,definition,unit,target_2030,higher_is_better\n"
        "NP01,1,数据共享率,按需共享的政务数据占比,%,98.0,1\n"
        "NP02,2,一件事办理率,一件事集成办理的占比,%,80.0,1\n", encoding="utf-8")
    shutil.copy(catalog.DATA / "plan" / "tasks.csv", folder / "tasks.csv")
    (folder / "indicator_units.csv").write_text("code,lead_units,related_tasks\nNP01,市大数据局,1|2\n",
                                               encoding="utf-8")
    return folder


def test_the_next_plan_loads_as_data_and_its_period_runs_序时进度(tmp_path):
    url = f"sqlite:///{tmp_path / 'c.db'}"
    Store(url, Settings(data_dir=tmp_path, demo_on_empty=False)).init()  # the 2023—2025 plan first
    cfg = Settings(data_dir=tmp_path, demo_on_empty=False, plan_dir=_next_plan(tmp_path / "next"))
    store = Store(url, cfg)
    store.init()
    ind = store.indicators()
    assert set(catalog.plan_indicators(ind, catalog.load_plan(cfg.plan_dir)).code) == {"NP01", "NP02"}
    assert ind.set_index("code").loc["PLAN01", "plan_id"] == "2023-2025"  # the old plan's targets are kept
    ingest.load(store, [Dataset("observations", _obs([("NP01", "411400", "2025-12", "month", 20.0),
                                                       ("NP01", "411400", "2026-09", "month", 40.0),
                                                       ("NP02", "411400", "2025-12", "month", 0.5),
                                                       ("NP02", "411400", "2026-09", "month", 1.0)]))],
                source="excel", created_by="测试")
    board = plan_board.board(ind, store.observations(), AFTER, cfg).set_index("code")
    # the base is the old period's last figure; 序时进度 at 2026-09-30 is 272 of 1825 days
    assert list(board.index) == ["NP01", "NP02"] and board.schedule.iloc[0] == pytest.approx(14.9, abs=0.1)
    assert board.loc["NP01", "light"] == "green" and board.loc["NP02", "light"] == "yellow"
    assert board.loc["NP01", "target"] == 98.0 and board.loc["NP01", "lead_units"] == "市大数据局"
    assert board.loc["NP02", "lead_units"] == ""  # no units listed for it: none shown, nothing breaks
    assert "(2026-2030年)" in ind.set_index("code").loc["NP01", "caliber"]


@pytest.mark.parametrize("text,message", [
    ('id = "x"\ntitle = "t"\nstart = 2026-01-01\ntarget_column = "t"\n', "end 缺失或格式不对"),
    ('id = "x"\ntitle = "t"\nstart = "2026-01-01"\nend = 2030-12-31\ntarget_column = "t"\n', "start 缺失或格式不对"),
    ('id = "x"\ntitle = "t"\nstart = 2030-01-01\nend = 2026-12-31\ntarget_column = "t"\n', "应晚于开始日"),
    ('id = "x"\ntitle = "t"\nstart = 2026-01-01\nend = 2030-12-31\ntarget_column = "t"\nyear = 1\n', "未知的设置项：year"),
])
def test_a_wrong_plan_file_is_refused_naming_the_file_and_the_key(tmp_path, text, message):
    (tmp_path / "plan.toml").write_text(text, encoding="utf-8")
    with pytest.raises(ValueError, match=message) as err:
        catalog.load_plan(tmp_path)
    assert "plan.toml" in str(err.value)


def test_no_code_names_the_plan_in_force_or_the_city():
    """The next plan loads by replacing data/plan, another city by its own data/regions.csv: the
    plan's title, id and years and the city's name may appear nowhere in the code (预警中心 once
    printed the 2023—2025 plan's title whatever plan was loaded; the page titles, the demo notices
    and the briefing named 商丘市 in code)."""
    from cockpit import city
    from tests.conftest import ROOT
    p = catalog.load_plan(catalog.DATA / "plan")
    needles = (p.title, p.id, p.id.replace("-", "—"), f"{p.start.year}—{p.end.year}", f"{p.start.year}-{p.end.year}",
               city.NAME, city.SHORT)
    files = [ROOT / "app.py", *(f for d in ("cockpit", "service", "ui", "pages", "models", "connectors")
                                for f in (ROOT / d).rglob("*.py") if "migrations" not in f.parts)]
    named = [f"{f.relative_to(ROOT)}: {n}" for f in files for n in needles if n in f.read_text(encoding="utf-8")]
    assert named == []


def test_a_plan_that_states_its_bases_is_measured_from_them(tmp_path):
    """Plans list 基期值 beside their targets: the next plan names the column (base_column) and
    progress runs from it even before the store holds a figure from before the period."""
    folder = _next_plan(tmp_path / "next")
    (folder / "plan.toml").write_text((folder / "plan.toml").read_text(encoding="utf-8")
                                      + 'base_column = "base_2025"\n', encoding="utf-8")
    (folder / "indicators.csv").write_text(
        "code,seq,name,definition,unit,target_2030,base_2025,higher_is_better\n"
        "NP01,1,数据共享率,按需共享的政务数据占比,%,98.0,78.0,1\n"
        "NP02,2,一件事办理率,一件事集成办理的占比,%,80.0,,1\n", encoding="utf-8")
    cfg = Settings(plan_dir=folder)
    ind = pd.DataFrame([{"code": c, "name": c, "unit": "%", "plan_target": t, "plan_id": "2026-2030",
                         "higher_is_better": True} for c, t in (("NP01", 98.0), ("NP02", 80.0))])
    obs = _obs([("NP01", "411400", "2026-09", "month", 82.0), ("NP02", "411400", "2026-09", "month", 40.0)])
    status = metrics.plan_status(ind, obs, dt.date(2026, 11, 1), cfg).set_index("code")
    assert status.loc["NP01", "base"] == 78.0 and status.loc["NP01", "base_period"] == "2025-12"
    assert status.loc["NP01", "progress"] == 20.0  # (82 − 78) ÷ (98 − 78)
    assert status.loc["NP01", "schedule"] == pytest.approx(14.9, abs=0.1) and status.loc["NP01", "light"] == "green"
    assert pd.isna(status.loc["NP02", "light"])  # no base stated and one figure: nothing to measure yet
    assert "规划所列基期值" in plan_board.basis(catalog.load_plan(folder), status, dt.date(2026, 11, 1))
    (folder / "indicators.csv").write_text(
        "code,seq,name,definition,unit,target_2030,base_2025,higher_is_better\n"
        "NP01,1,数据共享率,按需共享的政务数据占比,%,98.0,约78,1\n", encoding="utf-8")
    with pytest.raises(ValueError, match="第 2 行（NP01）“base_2025”列为“约78”，应为数字或留空"):
        metrics.plan_status(ind, obs, dt.date(2026, 11, 1), cfg)
