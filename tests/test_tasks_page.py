"""督查督办 in AppTest on the demo data: what a leader reads matches the store."""
from __future__ import annotations

import datetime as dt
import io

import pandas as pd
import pytest
from openpyxl import load_workbook

from cockpit import schema as s, tasks
from tests.conftest import metric as _metric, open_app, table_backgrounds as _backgrounds, tables as _frames

TODAY = dt.date(2026, 11, 26)
ALIASES = {"市发改委": "市发展改革委"}


def _open(demo_db, monkeypatch, today=TODAY):
    monkeypatch.setattr("ui.state.today", lambda: today)
    return open_app(monkeypatch, demo_db, "pages/tasks.py")


@pytest.fixture
def app(demo_db, monkeypatch):
    return _open(demo_db, monkeypatch)


@pytest.fixture(scope="module")
def expected(demo_store) -> pd.DataFrame:
    """Each task's latest report and whether it is overdue, computed here from the raw tables."""
    plan = demo_store.frame(s.plan_tasks.select())
    rep = demo_store.frame(s.task_progress.select().where(s.task_progress.c.active.is_(True)))
    latest = rep.sort_values(["task_number", "reported_on", "id"]).groupby("task_number").tail(1)
    out = plan.merge(latest, left_on="number", right_on="task_number", how="left")
    out["late"] = out.deadline_date.notna() & (out.status != "已完成") & \
        out.deadline_date.map(lambda d: d is not None and not pd.isna(d) and d < TODAY)
    return out


def test_headline_counts_tasks_done_and_overdue_as_stored(app, expected):
    assert _metric(app, "重点任务").value == "172 项"
    assert _metric(app, "已完成").value == f"{(expected.status == '已完成').sum()} 项"
    assert _metric(app, "已逾期未完成").value == f"{expected.late.sum()} 项"
    assert _metric(app, "持续推进/适时推进").value == f"{(expected.deadline_kind != 'date').sum()} 项"


def test_overdue_list_names_every_late_task_its_units_and_a_red_light(app, expected):
    late = expected[expected.late]
    assert any(h.value == f"逾期未完成任务（{len(late)} 项）" for h in app.subheader)
    table = app.table[0].value
    assert sorted(table["序号"]) == sorted(late.number)
    assert set(table["进度灯"]) == {"红灯"}
    light = list(table.columns).index("进度灯")
    colours = _backgrounds(app.table[0])
    assert {colours[(i, light)] for i in range(len(table))} == {"#c62828"}  # red light, drawn red
    row = table.set_index("序号").loc[int(late.number.iloc[0])]
    first = late.iloc[0]
    assert row["逾期时长"] == tasks.overdue_text(first.deadline_date, TODAY)  # the plan's period is over
    for unit in first.lead_units.split("|"):
        assert ALIASES.get(unit, unit) in row["牵头单位"]


def test_after_the_plan_period_the_page_shows_done_and_overdue_with_how_long_not_due_soon(app, expected):
    """"60 日内到期" can never show anything once every deadline has passed."""
    assert not [m for m in app.metric if "日内到期" in m.label]
    late = expected[expected.late]
    assert _metric(app, "逾期一年以上").value == f"{(late.deadline_date < TODAY - dt.timedelta(days=365)).sum()} 项"
    assert any(h.value == f"已完成任务（{(expected.status == '已完成').sum()} 项）" for h in app.subheader)
    overdue = _frames(app, "逾期时长")[0]
    first = late.sort_values(["deadline_date", "number"]).iloc[0]
    assert overdue.set_index("序号").loc[int(first.number), "逾期时长"] == tasks.overdue_text(first.deadline_date, TODAY)
    assert any("规划期（2023—2025 年）已于 2025年12月31日 结束" in c.value for c in app.caption)


def test_before_the_last_deadline_unfinished_tasks_show_as_due_soon(demo_db, monkeypatch, expected):
    at = _open(demo_db, monkeypatch, today=dt.date(2025, 11, 15))
    soon = expected[(expected.deadline_date == dt.date(2025, 12, 31)) & (expected.status != "已完成")]
    assert len(soon) >= 1
    assert _metric(at, "60 日内到期").value == f"{len(soon)} 项"
    table = next(d.value for d in at.table if "进度灯" in d.value.columns and set(d.value["进度灯"]) == {"黄灯"})
    assert sorted(table["序号"]) == sorted(soon.number)


def test_filtering_by_unit_merges_its_other_spelling(app, expected):
    app.selectbox(key="t_unit").set_value("市发展改革委").run()
    mine = expected[expected.lead_units.str.split("|").map(lambda us: bool({"市发展改革委", "市发改委"} & set(us)))]
    assert any(c.value == f"共 {len(mine)} 项" for c in app.caption)
    app.toggle(key="t_only_overdue").set_value(True).run()
    assert any(c.value == f"共 {int(mine.late.sum())} 项" for c in app.caption)


def test_black_list_puts_the_unit_with_most_overdue_tasks_first(app, expected):
    units = expected.assign(unit=expected.lead_units.str.split("|")).explode("unit")
    units["unit"] = units.unit.replace({"市发改委": "市发展改革委", "市政府办": "市政府办公室", "市卫健委": "市卫生健康委",
                                        "市工业和信息化局": "市工信局", "市人力资源社会保障局": "市人社局",
                                        "市交通运输厅": "市交通运输局"})
    units = units.drop_duplicates(["number", "unit"])
    late = units[units.late].groupby("unit").size().sort_values(ascending=False)
    black = _frames(app, "最长逾期天数")[0]  # 黑榜 precedes the full ranking
    assert black["牵头单位"].iloc[0] == late.index[0]
    assert black["逾期未完成"].iloc[0] == late.iloc[0]
    red = next(d for d in _frames(app, "总排名") if "逾期未完成" not in d.columns)
    assert not set(red["牵头单位"]) & set(late.index)


def test_a_tasks_history_lists_every_report(app, demo_store):
    app.selectbox(key="t_task").set_value(11).run()
    rep = demo_store.frame(s.task_progress.select().where(s.task_progress.c.task_number == 11))
    table = _frames(app, "报送日期")[0]
    assert len(table) == len(rep)
    newest = rep.sort_values("reported_on").iloc[-1]
    assert table["报送日期"].iloc[0] == newest.reported_on
    assert table["完成进度"].iloc[0] == newest.percent


def test_export_writes_the_filtered_list_with_its_filters_and_typed_numbers(app, expected, monkeypatch):
    built = []

    def now(build):  # build each table's workbook at once instead of when its button is pressed
        built.append(build())
        return build
    monkeypatch.setattr("ui.tables.later", now)
    app.multiselect(key="t_sections").set_value(["四"]).run()
    books = [load_workbook(io.BytesIO(b)).active for b in built]
    ws = next(w for w in books if w["A1"].value == "商丘市数字政府建设重点任务推进情况")
    top = [ws.cell(row=r, column=1).value for r in range(1, 8)]
    assert "筛选条件：部分 四" in top and any(str(t).startswith("演示数据") for t in top if t)
    header = next(r for r in range(1, 10) if ws.cell(row=r, column=1).value == "序号")
    names = [c.value for c in ws[header]]
    assert names[:4] == ["序号", "部分", "部分名称", "任务内容"]
    rows = [r for r in ws.iter_rows(min_row=header + 1, values_only=True) if r[0] is not None]
    assert sorted(r[0] for r in rows) == sorted(expected[expected.section == "四"].number)
    percent = names.index("完成进度(%)")
    assert all(isinstance(r[percent], (int, float)) for r in rows if r[percent] is not None)
    assert any(b.label == "导出 Excel" and b.key == "t_list_xlsx" for b in app.get("download_button"))


def test_a_long_task_name_in_the_select_ends_at_a_phrase_with_an_ellipsis_and_reads_whole_below(app, expected):
    """The select showed "1．围绕…构建市经济治理基础数据库,开展关键": cut mid-phrase, with no "…"."""
    box = app.selectbox(key="t_task")
    texts = dict(zip(expected.number, expected.text))
    labels = dict(zip(sorted(texts), box.options))
    cut = 0
    for number, label in labels.items():
        head, text = f"{number}．", texts[number]
        assert label.startswith(head)
        body = label[len(head):]
        if body == text:
            continue
        cut += 1
        assert body.endswith("…") and text.startswith(body[:-1]), label
        assert len(body) <= tasks.LABEL_CHARS + 1, label
        # at a phrase's end (or, where a long phrase has none, exactly as long as a label may be)
        assert text[len(body) - 1] in tasks.PHRASE_ENDS or len(body) == tasks.LABEL_CHARS + 1, label
    assert cut >= 50  # most of the plan's tasks are longer than a select box
    box.set_value(1).run()
    assert [t.value for t in app.get("text")] == [texts[1]]  # the whole name, under the select
