"""Commit, duplicates, corrections, rollback, locks, templates, 报送情况 and the command line."""
from __future__ import annotations

import datetime as dt
import io
import os
import signal
import subprocess
import sys
import threading

import openpyxl
import pytest

from cockpit import auth, reporting
from cockpit.uploads import commit as C, status, templates as T, validate as V
from cockpit.uploads.rollback import RollbackRefused, rollback
from tests.conftest import ROOT
from tests.fixtures.upload_files import GOOD, TODAY, state, xlsx

OPT = V.Options(today=TODAY)


def upload(store, data, name="报表.xlsx", user="张三", options=OPT, **kw):
    checked = V.check_bytes(store, data, name, options)
    assert checked.ok, checked.problems.frame()
    return C.commit(store, checked, data=data, file_name=name, created_by=user, **kw)


def value(store, code="RETAIL", region="411402", period="2026-10", measure="ytd"):
    obs = store.observations(indicators=[code], regions=[region], measures=[measure])
    hit = obs[obs.period == period]
    return None if hit.empty else float(hit.value.iloc[0])


def test_commit_writes_one_batch_with_file_hash_user_and_counts(store):
    data = xlsx(GOOD)
    r = upload(store, data)
    assert r.status == "committed" and r.counts == {"new": 3, "changed": 0, "unchanged": 0}
    b = store.batches().iloc[0]
    assert (b.file_name, b.sha256, b.created_by, b.row_count, b.status) == (
        "报表.xlsx", C.sha256(data), "张三", 3, "committed")
    assert value(store) == 123.4


def test_duplicate_upload_is_a_no_op_naming_the_first_batch(store):
    data = xlsx(GOOD)
    first = upload(store, data)
    before = state(store)
    again = upload(store, data, name="又一次.xlsx", user="李四")
    assert again.status == "duplicate" and again.batch_ids == first.batch_ids
    assert f"与批次 #{first.batch_ids[0]} 完全相同" in again.message and "张三" in again.message
    assert state(store) == before


def test_preview_shows_new_changed_unchanged_with_old_and_new(store):
    upload(store, xlsx(GOOD))
    rows = [GOOD[0][:4] + [130.0, "亿元"], GOOD[1], ["睢县", "RETAIL", "2026-10", "累计", 50, "亿元"]]
    pv = C.preview(store, V.check_bytes(store, xlsx(rows), "x.xlsx", OPT))
    got = {(r.region_code, r.change): (r.old, r.new) for r in pv.observations.itertuples()}
    assert got[("411402", "changed")] == (123.4, 130.0)
    assert got[("411481", "unchanged")] == (5.2, 5.2)
    assert pv.counts == {"new": 1, "changed": 1, "unchanged": 1}


def test_correction_supersedes_keeps_history_and_rollback_restores(store):
    first = upload(store, xlsx(GOOD))
    corrected = upload(store, xlsx([GOOD[0][:4] + [130.0, "亿元"], GOOD[1]]), name="更正.xlsx")
    assert corrected.counts == {"new": 0, "changed": 1, "unchanged": 1}
    assert value(store) == 130.0
    assert store.batches().row_count.iloc[0] == 1  # the unchanged figure was not written again
    with pytest.raises(RollbackRefused, match=f"请先回滚批次 #{corrected.batch_ids[0]}"):
        rollback(store, first.batch_ids[0], by="王五", reason="错了")
    msg = rollback(store, corrected.batch_ids[0], by="王五", reason="更正有误")
    assert "恢复了它替换的 1 个原值" in msg
    assert value(store) == 123.4
    b = store.batches().set_index("id").loc[corrected.batch_ids[0]]
    assert (b.status, b.rolled_back_by, b.rollback_reason) == ("rolled_back", "王五", "更正有误")
    rollback(store, first.batch_ids[0], by="王五", reason="整批作废")
    assert value(store) is None and store.count(__import__("cockpit.schema").schema.observations) == 4  # nothing deleted


def test_rollback_needs_a_reason_and_happens_once(store):
    r = upload(store, xlsx(GOOD))
    with pytest.raises(RollbackRefused, match="请填写回滚原因"):
        rollback(store, r.batch_ids[0], by="王五", reason="  ")
    rollback(store, r.batch_ids[0], by="王五", reason="重复")
    with pytest.raises(RollbackRefused, match="已于 .* 由 王五 回滚"):
        rollback(store, r.batch_ids[0], by="王五", reason="再来")


def test_same_file_may_be_uploaded_again_after_its_batch_was_rolled_back(store):
    data = xlsx(GOOD)
    r = upload(store, data)
    rollback(store, r.batch_ids[0], by="王五", reason="先撤回")
    again = upload(store, data)
    assert again.status == "committed" and value(store) == 123.4


def test_task_progress_correction_and_rollback(store):
    header = ["序号", "进展状态", "完成比例", "进展说明", "报送单位"]
    opt = V.Options(today=TODAY, period="2026-10")
    a = upload(store, xlsx([[5, "推进中", 40, "第一次", "市大数据局"]], header=header, sheet="任务进展"), options=opt)
    b = upload(store, xlsx([[5, "推进中", 45, "更正", "市大数据局"]], header=header, sheet="任务进展"), options=opt)
    latest = store.latest_task_progress().set_index("task_number")
    assert latest.loc[5, "percent"] == 45 and str(latest.loc[5, "reported_on"]) == "2026-10-31"
    with pytest.raises(RollbackRefused):
        rollback(store, a.batch_ids[0], by="王五", reason="x")
    rollback(store, b.batch_ids[0], by="王五", reason="更正错了")
    assert store.latest_task_progress().set_index("task_number").loc[5, "percent"] == 40


def test_second_upload_of_the_same_dataset_is_told_while_the_first_writes(store):
    first_inside, release = threading.Event(), threading.Event()
    results = {}

    def slow_progress(frac, text):
        if frac == 0:
            first_inside.set()
            release.wait(20)

    def first():
        results["first"] = upload(store, xlsx(GOOD), progress=slow_progress)

    t = threading.Thread(target=first)
    t.start()
    assert first_inside.wait(20)
    before = state(store)
    other = upload(store, xlsx([["睢县", "RETAIL", "2026-10", "累计", 50, "亿元"]]), user="李四")
    assert other.status == "busy" and "正在写入同一类数据" in other.message and "张三" in other.message
    assert state(store) == before  # refused: not a batch, a figure or a lock of its own
    release.set()
    t.join(20)
    assert results["first"].status == "committed"
    assert store.batches().shape[0] == 1 and value(store, region="411422") is None
    obs = store.observations()  # the loser wrote nothing of its own, and left no lock
    assert set(obs.batch_id) == set(results["first"].batch_ids) and len(obs) == len(GOOD)
    assert state(store)[4] == (0,)


def test_a_lock_ends_with_its_transaction_even_when_the_release_never_runs(store):
    """What once left a lock behind for 30 minutes (the database lost mid-commit, a killed process, a
    reused process id, a backup taken mid-commit) cannot: the lock is the transaction's own."""
    from cockpit import locks

    class Lost(Exception):
        pass
    with pytest.raises(Lost):
        with locks.transaction(store, ["observations"], "张三"):
            raise Lost  # the commit dies half way; no cleanup code of ours runs after this
    assert upload(store, xlsx(GOOD)).status == "committed"  # the PostgreSQL restart: tests/test_faults.py


def _wide(cells: dict, title="商丘市主要经济指标（2026年1—9月）") -> bytes:
    from cockpit.store import Store  # noqa: F401
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "月报"
    ws["A1"], ws["A2"] = title, "单位：亿元、%"
    ws.merge_cells("A1:F1")
    ws["A3"], ws["B3"], ws["D3"], ws["F3"] = "指 标", "当  月", "1-9月累计", "位次"
    ws["B4"], ws["C4"], ws["D4"], ws["E4"] = "绝对额", "同比±%", "绝对额", "同比±%"
    for rng in ("A3:A4", "B3:C3", "D3:E3", "F3:F4"):
        ws.merge_cells(rng)
    for k, v in cells.items():
        ws[k] = v
    ws["A9"] = "注：1.“—”表示无数据。"
    ws["B10"] = 999  # below the footnote: never read
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def test_wide_statistics_report_with_merged_header_title_period_and_footnote(store):
    data = _wide({"A5": "社会消费品零售总额", "B5": 130.1, "C5": 4.5, "D5": 1100.0, "E5": 4.1, "F5": 2,
                  "A6": "  其中：规模以上工业增加值", "B6": "—", "C6": 7.5, "D6": None, "E6": 7.1,
                  "A7": "一般公共预算收入", "B7": 12.0, "C7": "—", "D7": 150.0, "E7": "-"})
    checked = V.check_bytes(store, data, "月报.xlsx", OPT)
    assert checked.ok, checked.problems.frame()
    frame = checked.dataset("observations").frame
    got = {(r.indicator_code, r.measure): r.value for r in frame.itertuples()}
    assert got == {("RETAIL", "month"): 130.1, ("RETAIL", "month_yoy"): 4.5, ("RETAIL", "ytd"): 1100.0,
                   ("RETAIL", "ytd_yoy"): 4.1, ("IND_VA", "month_yoy"): 7.5, ("IND_VA", "ytd_yoy"): 7.1,
                   ("REVENUE", "month"): 12.0, ("REVENUE", "ytd"): 150.0}
    assert set(frame.period) == {"2026-09"} and set(frame.region_code) == {"411400"}
    notes = [p.reason for p in checked.problems.notes]
    assert "时期取自标题“商丘市主要经济指标（2026年1—9月）”：2026-09" in notes
    chosen = V.check_bytes(store, data, "月报.xlsx", V.Options(today=TODAY, period="2026-08"))
    assert set(chosen.dataset("observations").frame.period) == {"2026-08"}
    assert any("时期取自所选：2026-08（标题“" in p.reason for p in chosen.problems.warnings)


def test_wide_report_without_a_period_asks_for_one(store):
    data = _wide({"A5": "社会消费品零售总额", "B5": 130.1}, title="商丘市主要经济指标")
    checked = V.check_bytes(store, data, "月报.xlsx", OPT)
    assert not checked.ok and "无法确定时期" in checked.problems.errors[0].reason


def test_counties_down_the_side_with_indicator_from_the_title(store):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["各县（市、区）社会消费品零售总额（2026年1—10月）"])
    ws.append(["县（市、区）", "累计", "累计同比(%)", "位次"])
    for name, v, g, rank in (("梁园区", 150.0, 5.1, 1), ("睢 阳", 140.0, 4.9, 2), ("示范区", "—", "—", None)):
        ws.append([name, v, g, rank])
    buf = io.BytesIO()
    wb.save(buf)
    checked = V.check_bytes(store, buf.getvalue(), "县区.xlsx", OPT)
    assert checked.ok, checked.problems.frame()
    frame = checked.dataset("observations").frame
    assert set(zip(frame.region_code, frame.measure, frame.value)) == {
        ("411402", "ytd", 150.0), ("411402", "ytd_yoy", 5.1), ("411403", "ytd", 140.0), ("411403", "ytd_yoy", 4.9)}
    assert set(frame.indicator_code) == {"RETAIL"} and set(frame.period) == {"2026-10"}


def _fill(data: bytes, sheet: str, cells: dict) -> bytes:
    wb = openpyxl.load_workbook(io.BytesIO(data))
    for k, v in cells.items():
        wb[sheet][k] = v
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def test_templates_have_lists_frozen_protected_headers_and_read_back(store):
    data = T.long_template(store, ["RETAIL", "UNEMP"], "2026-10")
    wb = openpyxl.load_workbook(io.BytesIO(data))
    assert wb.sheetnames == ["填报说明", "数据", "代码表"] and wb["代码表"].sheet_state == "hidden"
    ws = wb["数据"]
    assert [c.value for c in ws[1]] == ["地区", "指标", "时期", "口径", "数值", "单位"]
    assert ws.freeze_panes == "A2" and ws.protection.sheet and ws["A1"].protection.locked
    assert not ws["E2"].protection.locked and ws["E2"].number_format == "#,##0.00"
    assert {str(dv.sqref).split(":")[0] for dv in ws.data_validations.dataValidation} >= {"A2", "B2", "D2", "E2"}
    # RETAIL: 11 regions x 4 measures; UNEMP: city only, 1 measure.
    assert sum(1 for r in ws.iter_rows(min_row=2) if r[0].value) == 44 + 1
    filled = _fill(data, "数据", {"E2": 120.5, "E46": 4.9})
    checked = V.check_bytes(store, filled, "模板.xlsx", OPT)
    assert checked.ok and len(checked.dataset("observations").frame) == 2

    wide = T.wide_template(store, ["RETAIL", "IND_VA"], "2026-10")
    checked = V.check_bytes(store, _fill(wide, "月报", {"C5": 120.5, "F6": 7.0}), "月报.xlsx", OPT)
    assert checked.ok
    assert set(zip(checked.dataset("observations").frame.indicator_code, checked.dataset("observations").frame.measure)) \
        == {("RETAIL", "month"), ("IND_VA", "ytd_yoy")}

    tasks = T.task_template(store)
    assert openpyxl.load_workbook(io.BytesIO(tasks))["任务进展"].max_row == 173
    checked = V.check_bytes(store, _fill(tasks, "任务进展", {"D2": "推进中", "E2": 60, "F2": "按计划", "G2": "市大数据局"}),
                            "任务.xlsx", OPT)
    assert checked.ok and list(checked.dataset("task_progress").frame.task_number) == [1]


def test_month_on_month_jump_warns_but_does_not_block(store):
    upload(store, xlsx([["梁园区", "社会消费品零售总额", "2026-09", "当月", 10.0, "亿元"]]))
    checked = V.check_bytes(store, xlsx([["梁园区", "社会消费品零售总额", "2026-10", "当月", 25.0, "亿元"]]), "x.xlsx", OPT)
    assert checked.ok
    assert any("较上月（10）变动 +150%" in p.reason for p in checked.problems.warnings)


def test_a_corrections_batch_lists_each_figure_with_the_value_it_replaced(store):
    from cockpit.uploads import history as H
    upload(store, xlsx([["睢阳区", "社会消费品零售总额", "2026-10", "累计", 100.0, "亿元"],
                        ["梁园区", "社会消费品零售总额", "2026-10", "累计", 80.0, "亿元"]]))
    fix = upload(store, xlsx([["睢阳区", "社会消费品零售总额", "2026-10", "累计", 101.5, "亿元"],
                              ["民权县", "社会消费品零售总额", "2026-10", "累计", 60.0, "亿元"]]), name="更正.xlsx")
    rows = H.batch_rows(store, fix.batch_ids[0])
    got = {r.region: (None if r.old != r.old else r.old, r.new) for r in rows.itertuples()}
    assert got == {"睢阳区": (100.0, 101.5), "民权县": (None, 60.0)}


def test_a_rate_moving_far_from_last_month_warns_and_a_small_move_does_not(store):
    upload(store, xlsx([["梁园区", "社会消费品零售总额", "2026-09", "累计同比", 5.0, "%"]]))
    far = V.check_bytes(store, xlsx([["梁园区", "社会消费品零售总额", "2026-10", "累计同比", 40.0, "%"]]), "x.xlsx", OPT)
    assert far.ok
    [warning] = [p for p in far.problems.warnings if "较上月" in p.reason]
    assert warning.reason == "较上月（5）变动 +35.0 个百分点，请核对（仅提醒，不影响导入）"
    assert (warning.sheet, warning.row, warning.column) == ("数据", 2, "E（数值）")
    near = V.check_bytes(store, xlsx([["梁园区", "社会消费品零售总额", "2026-10", "累计同比", 30.0, "%"]]), "x.xlsx", OPT)
    assert not [p for p in near.problems.warnings if "较上月" in p.reason]


def test_a_ytd_below_last_months_ytd_warns_but_a_new_year_and_a_quarter_step_are_read_right(store):
    upload(store, xlsx([["睢县", "社会消费品零售总额", "2026-08", "累计", 100.0, "亿元"],
                        ["睢县", "社会消费品零售总额", "2025-12", "累计", 300.0, "亿元"],
                        ["睢县", "地区生产总值", "2026-06", "累计", 200.0, "亿元"]]))
    checked = V.check_bytes(store, xlsx([["睢县", "社会消费品零售总额", "2026-09", "累计", 90.0, "亿元"],
                                         ["睢县", "社会消费品零售总额", "2026-01", "累计", 20.0, "亿元"],
                                         ["睢县", "地区生产总值", "2026-09", "累计", 150.0, "亿元"]]), "x.xlsx", OPT)
    assert checked.ok
    falling = [(p.row, p.reason) for p in checked.problems.warnings if "累计数不应下降" in p.reason]
    # September below August; January starts a new year; GDP's Q3 is compared with Q2 (three months back).
    assert falling == [(2, "累计 90 低于上期（2026-08）累计 100：同一年内累计数不应下降，请核对（仅提醒，不影响导入）"),
                       (4, "累计 150 低于上期（2026-06）累计 200：同一年内累计数不应下降，请核对（仅提醒，不影响导入）")]


def test_reporting_status_lists_who_is_late_since_when(store):
    upload(store, xlsx([["梁园区", "社会消费品零售总额", "2026-08", "累计", 100.0, "亿元"],
                        ["睢阳区", "社会消费品零售总额", "2026-10", "累计", 100.0, "亿元"]]))
    late = status.reporting_status(store, reporting.Schedule.of(), today=TODAY)
    assert list(late["region"]) == ["梁园区"]
    row = late.iloc[0]
    assert (row["expected"], row["last"], row["missing"], row["overdue_since"], row["department"]) == (
        "2026-10", "2026-08", 2, dt.date(2026, 10, 10), "市统计局")
    assert row["days_late"] == (TODAY - dt.date(2026, 10, 10)).days


# ---- command line ---------------------------------------------------------------------
def run(*args, db, timeout=300):
    env = {**os.environ, "COCKPIT_DB_URL": db, "COCKPIT_CONFIG": "", "COCKPIT_DEMO_ON_EMPTY": "0"}
    return subprocess.run([sys.executable, "-m", "cockpit", *args], cwd=ROOT, env=env, capture_output=True,
                          text=True, timeout=timeout)


def test_cli_import_dry_run_commit_duplicate_and_rejection(tmp_path, empty_db):
    db = empty_db
    good, bad = tmp_path / "good.xlsx", tmp_path / "bad.xlsx"
    good.write_bytes(xlsx([GOOD[0]]))
    bad.write_bytes(xlsx([["开封", "RETAIL", "2026-10", "累计", 5, "亿元"], ["梁园区", "RETAIL", "2026-10", "累计", "N/A", "亿元"]]))
    r = run("import", "--dry-run", str(good), db=db)
    assert r.returncode == 0, r.stderr
    assert "预览：新增 1 个" in r.stdout and "--dry-run：未写入" in r.stdout
    r = run("import", str(good), "--user", "张三", db=db)
    assert r.returncode == 0 and "已写入批次 #1" in r.stdout
    r = run("import", str(tmp_path), db=db)  # a folder: bad.xlsx rejected, good.xlsx a duplicate
    assert r.returncode == 1
    assert "bad.xlsx" in r.stdout and "[未导入] 数据/第2行/A（地区）：“5”未识别的地区名称“开封”" in r.stdout
    assert "[错误] 数据/第3行/E（数值）：“N/A”不是数字" in r.stdout
    assert "与批次 #1 完全相同" in r.stdout and "共 2 个文件，1 个通过，1 个未通过" in r.stdout
    r = run("rollback", "1", "--reason", "测试回滚", "--user", "王五", db=db)
    assert r.returncode == 0 and "已回滚批次 #1" in r.stdout


def test_process_killed_mid_import_leaves_nothing_half_written(tmp_path):
    from cockpit.config import Settings
    from cockpit.store import Store
    db = f"sqlite:///{tmp_path / 'c.db'}"
    store = Store(db, Settings(data_dir=tmp_path, demo_on_empty=False))
    store.init()
    regions = ["梁园区", "睢阳区", "民权县", "睢县", "宁陵县", "柘城县", "虞城县", "夏邑县", "永城市", "示范区"]
    # Big enough (about 13,000 rows) that the write takes far longer than delivering a signal.
    rows = [[reg, ind, f"{y}-{m:02d}", "当月", 1000 + i, "件" if ind != "新登记经营主体" else "户"]
            for i, (reg, ind, y, m) in enumerate(
                (r, ind, y, m) for r in regions for ind in ("政务服务办件量", "全程网办办件量", "新登记经营主体")
                for y in range(1990, 2026) for m in range(1, 13))]
    big = tmp_path / "big.csv"
    from tests.fixtures.upload_files import csv_bytes
    big.write_bytes(csv_bytes(rows * 1))
    before = state(store)
    env = {**os.environ, "COCKPIT_DB_URL": db, "COCKPIT_CONFIG": "", "COCKPIT_DEMO_ON_EMPTY": "0"}
    proc = subprocess.Popen([sys.executable, "-m", "cockpit", "import", str(big)], cwd=ROOT, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    for line in proc.stdout:
        if "写入" in line:  # inside the transaction
            os.kill(proc.pid, signal.SIGKILL)
            break
    proc.wait(30)
    assert proc.returncode == -signal.SIGKILL
    after = state(store)
    assert after[:4] == before[:4]  # no batch, no figure
    r = run("import", str(big), db=db)  # the dead process's lock does not block the next import
    assert r.returncode == 0, r.stdout + r.stderr
    assert store.count(__import__("cockpit.schema").schema.locks) == 0


def test_a_county_reporter_cannot_write_another_countys_figures(store):
    """Scope is enforced by the commit itself, not only by what the page offers."""
    import pandas as pd

    from cockpit import schema as s
    from cockpit.uploads import commit as C
    from cockpit.uploads.messages import Problems
    from cockpit.uploads.validate import Checked
    from connectors.base import Dataset
    frame = pd.DataFrame([{"indicator_code": "RETAIL", "region_code": "411402", "period": "2026-09",
                           "measure": "month", "value": 1.0}])
    checked = Checked(problems=Problems(), datasets=[Dataset("observations", frame)])
    before = store.count(s.observations)
    result = C.commit(store, checked, created_by="永城填报员",
                      scope=auth.WriteScope(regions=frozenset({"411481"}), user="永城填报员"))
    assert result.status == "rejected" and "梁园区" in result.message
    assert store.count(s.observations) == before


def test_a_catalogue_name_that_reads_as_a_formula_is_text_in_every_template(store):
    """A stored name or unit starting with = (from a catalogue file, or added before names were
    checked) went into the templates as live formulas (=HYPERLINK(...) in 数据!B2)."""
    from sqlalchemy import update
    from cockpit import schema as s
    with store.begin() as conn:
        conn.execute(update(s.indicators).where(s.indicators.c.code == "RETAIL")
                     .values(name='=HYPERLINK("http://x.cn","点")', unit="=1+1"))
    for data, sheet in ((T.long_template(store, ["RETAIL"], "2026-10"), "数据"),
                        (T.wide_template(store, ["RETAIL"], "2026-10"), "月报")):
        wb = openpyxl.load_workbook(io.BytesIO(data))
        cells = [c for ws in wb.worksheets for row in ws.iter_rows() for c in row if isinstance(c.value, str)]
        assert not [c.coordinate for c in cells if c.data_type == "f" or c.value.startswith("=")], sheet
        assert any(c.value == "'=HYPERLINK(\"http://x.cn\",\"点\")" for c in cells if c.parent.title == sheet)


def test_text_alone_in_the_first_column_below_the_table_is_listed_not_dropped_unsaid(store):
    """A name alone in 地区 under the table (and 200 rows of long text) was passed over without a word;
    the README promises every non-empty cell not imported is listed with its reason."""
    rows = [*GOOD, [None] * 6, ["注：本表为快报数"], ["某某乡"], *[["备" * 1000]] * 200]
    checked = V.check_bytes(store, xlsx(rows), "月报.xlsx", OPT)
    assert checked.ok and sum(len(d.frame) for d in checked.datasets) == len(GOOD)
    listed = checked.problems.frame()
    said = dict(zip(listed["行"], listed["原因"]))
    assert said[6] == "说明文字，不导入" and said[7] == "只有这一格有内容，没有指标和数值，不导入"
    assert checked.problems.count("skipped") >= 202
