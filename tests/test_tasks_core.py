"""督查督办 core: unit aliases, overdue and due-soon rules, ranking and the Excel export."""
from __future__ import annotations

import datetime as dt

import pandas as pd

from cockpit import tasks

TODAY = dt.date(2026, 11, 26)


def _task(number, deadline, kind="date", leads="市发展改革委", section="一"):
    return {"number": number, "section_no": 1, "section": section, "section_title": "标题", "subsection": "",
            "text": f"任务{number}", "deadline_text": "2024 年 6 月底前" if deadline else kind,
            "deadline_date": deadline, "deadline_kind": kind, "units_text": leads, "lead_units": leads,
            "responsible_units": ""}


def _progress(number, status, percent, day=dt.date(2026, 9, 30)):
    return {"task_number": number, "reported_on": day, "status": status, "percent": percent, "note": "",
            "reporting_unit": "x", "batch_id": 1}


def test_a_task_past_its_deadline_and_not_done_is_overdue_by_whole_days():
    plan = pd.DataFrame([_task(1, dt.date(2026, 11, 20)), _task(2, dt.date(2026, 11, 20)),
                         _task(3, None, "持续推进"), _task(4, dt.date(2026, 12, 31)), _task(5, dt.date(2027, 6, 30))])
    latest = pd.DataFrame([_progress(1, "推进中", 60), _progress(2, "已完成", 100), _progress(3, "推进中", 50),
                           _progress(4, "推进中", 70)])
    b = tasks.board(plan, latest, TODAY).set_index("number")
    assert b.loc[1, "overdue"] and b.loc[1, "overdue_days"] == 6 and b.loc[1, "light_text"] == "红灯"
    assert not b.loc[2, "overdue"] and b.loc[2, "light_text"] == "绿灯"  # done in time or late: not overdue
    assert not b.loc[3, "overdue"] and not b.loc[3, "due_soon"]  # 持续推进 has no deadline
    assert b.loc[4, "due_soon"] and b.loc[4, "light_text"] == "黄灯"  # 35 days left
    assert b.loc[5, "status"] == tasks.NO_REPORT and not b.loc[5, "due_soon"]
    assert list(tasks.overdue_list(b.reset_index()).number) == [1]
    assert list(tasks.due_soon_list(b.reset_index()).number) == [4]


def test_unit_spellings_are_merged_for_the_ranking():
    plan = pd.DataFrame([_task(1, dt.date(2024, 6, 30), leads="市发改委|市财政局"),
                         _task(2, dt.date(2024, 6, 30), leads="市发展改革委"),
                         _task(3, dt.date(2024, 6, 30), leads="市卫健委|市卫生健康委")])
    latest = pd.DataFrame([_progress(1, "推进中", 40), _progress(2, "已完成", 100), _progress(3, "已完成", 100)])
    b = tasks.board(plan, latest, TODAY)
    assert b.set_index("number").loc[3, "leads"] == ["市卫生健康委"]
    rank = tasks.unit_ranking(b).set_index("unit")
    assert "市发改委" not in rank.index and rank.loc["市发展改革委", "tasks"] == 2
    assert rank.loc["市发展改革委", "overdue"] == 1 and rank.loc["市发展改革委", "done_rate"] == 50.0
    # fewer overdue first: 市卫生健康委 (0 overdue) ranks above 市发展改革委 and 市财政局
    assert rank.loc["市卫生健康委", "rank"] == 1 and rank.loc["市财政局", "rank"] == 3


def test_the_shipped_plan_has_no_unit_left_under_two_names(demo_store):
    b = tasks.board(demo_store.plan_tasks(), demo_store.latest_task_progress(), TODAY)
    names = set(tasks.units(b))
    for alias in tasks.UNIT_ALIASES:
        assert alias not in names
    raw = demo_store.plan_tasks().lead_units.str.split("|").explode()
    expected = int(raw.isin(["市发展改革委", "市发改委"]).groupby(level=0).any().sum())
    assert tasks.unit_ranking(b).set_index("unit").loc["市发展改革委", "tasks"] == expected == 32
