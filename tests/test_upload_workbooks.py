"""The workbooks counties really send (issue 9): each imports, or says exactly why.

The corpus of generated 统计月报 variants is imported figure by figure; the statistics conventions
of a 分县区 sheet, the repeated 全市 row, 位次, "—" for a stored figure (保留原值 / 撤回) and the
not-imported list kept with the batch are tested one behaviour at a time.
"""
from __future__ import annotations

import io

import openpyxl
import pytest

from cockpit.uploads import commit as C, history as H, validate as V
from cockpit.uploads.rollback import rollback
from tests.fixtures import workbooks as W
from tests.fixtures.upload_files import TODAY, state

OPT = V.Options(today=TODAY)


def _book(rows: list[list], merges=(), sheet="表1") -> bytes:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = sheet
    for r in rows:
        ws.append(r)
    for m in merges:
        ws.merge_cells(m)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def _figures(checked) -> dict:
    return {tuple(r[:4]): r[4] for r in checked.dataset("observations").frame.itertuples(index=False)}


@pytest.mark.parametrize("n", range(len(W.CORPUS)), ids=[f"variant{i}" for i in range(len(W.CORPUS))])
def test_every_workbook_variant_imports_figure_by_figure(store, n):
    written = W.book(W.CORPUS[n])
    checked = V.check_bytes(store, written.data, f"月报{n}.xlsx", OPT)
    assert checked.ok, checked.problems.frame().to_string()
    result = C.commit(store, checked, data=written.data, file_name=f"月报{n}.xlsx", created_by="统计员")
    assert result.status == "committed", result.message
    stored = store.observations()
    got = {(r.indicator_code, r.region_code, r.period, r.measure): r.value for r in stored.itertuples()}
    assert got == pytest.approx(written.expected)
    assert {u["text"].replace("其中：", "") for u in checked.unknown} == written.skipped_names


COUNTY_SHEET = [
    ["各县（市、区）主要经济指标（2026年1—10月）"],
    ["单位：亿元、%", None, None, None, "填报日期：2026年11月8日"],
    ["县（市、区）", "社会消费品零售总额", None, None, "规模以上工业增加值", None],
    [None, "绝对值", "增速", "位次", "增速", "位次"],
    ["全　市", 1100.0, 4.1, None, 7.1, None],
    ["梁　园", 150.0, 5.1, 1, -1.4, 9],
    ["睢阳区", 140.0, 4.9, 2, 8.0, 1],
    ["示范区", "—", "—", "—", 3.0, None],
    ["注：示范区不参与排位。"],
]


def test_on_a_county_sheet_of_1_to_10_months_a_bare_rate_is_ytd_growth_and_rank_is_checked_not_stored(store):
    checked = V.check_bytes(store, _book(COUNTY_SHEET, ["B3:D3", "E3:F3", "A3:A4"]), "分县区.xlsx", OPT)
    assert checked.ok, checked.problems.frame().to_string()
    got = _figures(checked)
    assert got[("IND_VA", "411402", "2026-10", "ytd_yoy")] == -1.4  # a growth rate may be negative
    assert got[("RETAIL", "411402", "2026-10", "ytd")] == 150.0 and got[("RETAIL", "411400", "2026-10", "ytd_yoy")] == 4.1
    assert {k[3] for k in got} == {"ytd", "ytd_yoy"}  # no 位次 stored, no level read from a rate
    warnings = [p for p in checked.problems.warnings if "位次" in p.reason]
    # 梁园 -1.4 is below 睢阳 8.0: its place among the nine is 2—9, so its 9 stands; 睢阳's 1 too.
    assert warnings == []
    wrong = [[*r[:5], 1] if r[0] == "梁　园" else r for r in COUNTY_SHEET]  # first, below 睢阳: cannot be
    said = [p for p in V.check_bytes(store, _book(wrong, ["B3:D3", "E3:F3", "A3:A4"]), "分县区.xlsx", OPT)
            .problems.warnings if "位次" in p.reason]
    assert [(p.row, p.value) for p in said] == [(6, "1")] and "在 2 个县（市、区）中应在第 2—9 位之间" in said[0].reason
    skipped = [p.reason for p in checked.problems.skipped]
    assert any(r.startswith("位次列（只用于核对，不导入）") for r in skipped)


def test_the_month_column_of_a_city_sheet_holds_month_growth_and_cumulative_rows_beside_it(store):
    rows = [["商丘市主要经济指标"], ["2026年1—10月"], ["指标", "10月", None, "1—10月", None],
            [None, "绝对值", "同比增长（%）", "绝对值", "同比增长（%）"],
            ["社会消费品零售总额", 130.1, 4.5, 1100.0, 4.1], ["税收收入", 12.0, 3.2, 120.0, 2.9],
            ["居民消费价格指数（上年同月=100）", None, 100.8, None, 100.3]]
    checked = V.check_bytes(store, _book(rows, ["B3:C3", "D3:E3"]), "月报.xlsx", OPT)
    assert checked.ok, checked.problems.frame().to_string()
    got = _figures(checked)
    assert got[("RETAIL", "411400", "2026-10", "month_yoy")] == 4.5
    assert got[("CPI", "411400", "2026-10", "month")] == 100.8  # an index under 同比: read as the index
    reasons = [p.reason for p in checked.problems.skipped]
    assert reasons.count("未识别的指标名称“税收收入”，不导入") == 4
    assert any("“居民消费价格指数”不发布“累计”" in r for r in reasons)  # the 1—10月 average


def test_the_crash_of_issue_9_repeated_and_unknown_rows_through_the_upload_door(store):
    """A repeated row and a row whose name is unknown in one file: this crashed on pandas 3."""
    from service.uploads import check_file
    from service.sandbox import Sandbox
    from service.uploads import PRELOAD
    data = W.book(W.Variant()).data
    box = Sandbox(preload=PRELOAD)
    try:
        checked, pv = check_file(store, data, "县区月报.xlsx", OPT, box=box)
    finally:
        box.close()
    assert checked.ok, checked.problems.frame().to_string()
    assert pv.counts["new"] == len(W.book(W.Variant()).expected)
    assert any("重复，数值相同，按同一个数导入" in p.reason for p in checked.problems.notes)


def test_a_dash_where_a_figure_is_stored_is_kept_or_withdrawn_as_the_clerk_chooses(store):
    first = _book([["商丘市主要经济指标（2026年1—10月）"], ["指标", "1—10月累计", "累计同比(%)"],
                   ["社会消费品零售总额", 1100.0, 4.1]])
    C.commit(store, V.check_bytes(store, first, "a.xlsx", OPT), data=first, file_name="a.xlsx", created_by="甲")
    again = _book([["商丘市主要经济指标（2026年1—10月）"], ["指标", "1—10月累计", "累计同比(%)"],
                   ["社会消费品零售总额", 1101.0, "—"]])
    checked = V.check_bytes(store, again, "b.xlsx", OPT)
    pv = C.preview(store, checked)
    assert list(zip(pv.withdrawable.measure, pv.withdrawable.old)) == [("ytd_yoy", 4.1)]

    def yoy():
        obs = store.observations(measures=["ytd_yoy"])
        return list(obs.value)
    kept = C.commit(store, checked, data=again, file_name="b.xlsx", created_by="乙")
    assert yoy() == [4.1] and "撤回" not in kept.message
    rollback(store, kept.batch_ids[0], by="乙", reason="改为撤回")
    gone = C.commit(store, checked, data=again, file_name="b.xlsx", created_by="乙", withdraw=True)
    assert yoy() == [] and "撤回 1 个原值" in gone.message
    rows = H.batch_rows(store, gone.batch_ids[0])
    assert rows.withdrawn.astype(bool).any()  # the page labels it 撤回（文件中为“—”）
    rollback(store, gone.batch_ids[0], by="乙", reason="撤回有误")
    assert yoy() == [4.1]


def test_the_not_imported_list_is_kept_with_the_batch(store):
    written = W.book(W.Variant())
    checked = V.check_bytes(store, written.data, "月报.xlsx", OPT)
    result = C.commit(store, checked, data=written.data, file_name="月报.xlsx", created_by="统计员")
    kept = H.skipped(store, result.batch_ids[0])
    assert list(kept.columns) == ["sheet", "row", "col", "value", "reason"]  # labelled by the page
    assert len(kept) == len(checked.problems.skipped) > 0
    assert "未识别的指标名称“税收收入”，不导入" in set(kept["reason"])


def test_a_cumulative_figure_below_last_months_is_a_warning(store):
    def month(m, value):
        return _book([[f"商丘市主要经济指标（2026年1—{m}月）"], ["指标", "累计"], ["社会消费品零售总额", value]])
    data = month(9, 1000.0)
    C.commit(store, V.check_bytes(store, data, "9.xlsx", OPT), data=data, file_name="9.xlsx", created_by="甲")
    checked = V.check_bytes(store, month(10, 990.0), "10.xlsx", OPT)
    assert checked.ok
    assert any("累计 990 低于上期（2026-09）累计 1000" in p.reason for p in checked.problems.warnings)


def test_a_workbook_that_breaks_the_checker_is_a_message_naming_the_file_and_nothing_changes(store, monkeypatch):
    monkeypatch.setattr("cockpit.uploads.figures.check", lambda *a, **k: 1 / 0)
    before = state(store)
    checked = V.check_bytes(store, W.book(W.Variant()).data, "坏了.xlsx", OPT)
    assert not checked.ok and "文件“坏了.xlsx”无法校验" in checked.problems.errors[0].reason
    assert C.commit(store, checked, created_by="甲").status == "rejected" and state(store) == before


# ---- both doors: the page's check_file and `python -m cockpit import` --------------------------
def _cli(*args, db, env=None):
    import os
    import subprocess
    import sys

    from tests.conftest import ROOT
    full = {**os.environ, "COCKPIT_DB_URL": db, "COCKPIT_CONFIG": "", "COCKPIT_DEMO_ON_EMPTY": "0",
            **(env or {})}
    return subprocess.run([sys.executable, "-m", "cockpit", *args], cwd=ROOT, env=full, capture_output=True,
                          text=True, timeout=300)


def _breaking_env(tmp_path) -> dict:
    """A sitecustomize that makes the figure check raise in every process started with it (the
    command line and the sandbox child it starts): an error nobody foresaw, through the real doors."""
    import os

    from tests.conftest import ROOT
    (tmp_path / "sitecustomize.py").write_text(
        "import cockpit.uploads.figures as f\n"
        "def _boom(*a, **k):\n    raise TypeError('sequence item 0: expected str instance, float found')\n"
        "f.check = _boom\n", encoding="utf-8")
    return {"PYTHONPATH": os.pathsep.join([str(tmp_path), str(ROOT)])}


def test_the_issue_9_workbook_imports_from_the_command_line_and_lists_what_it_left(tmp_path, empty_db):
    path = tmp_path / "县区月报.xlsx"
    path.write_bytes(W.book(W.Variant()).data)
    r = _cli("import", str(path), db=empty_db)
    assert r.returncode == 0, r.stdout + r.stderr
    assert "Traceback" not in r.stdout + r.stderr
    assert "[未导入] 全市/第10行/B（10月｜绝对值）：“" in r.stdout and "未识别的指标名称“税收收入”，不导入" in r.stdout
    assert "处内容未导入" in r.stdout and "已写入批次 #1" in r.stdout


def test_an_unforeseen_error_is_a_chinese_message_naming_the_file_through_both_doors(store, tmp_path, empty_db):
    from service.sandbox import Sandbox
    from service.uploads import PRELOAD, check_file
    env = _breaking_env(tmp_path)
    data = W.book(W.Variant()).data
    before = state(store)
    box = Sandbox(preload=PRELOAD, env=env)
    try:
        checked, pv = check_file(store, data, "县区月报.xlsx", OPT, box=box)
    finally:
        box.close()
    assert pv is None and not checked.ok
    assert "文件“县区月报.xlsx”无法校验" in checked.problems.errors[0].reason and state(store) == before
    path = tmp_path / "县区月报.xlsx"
    path.write_bytes(data)
    db = empty_db
    r = _cli("import", str(path), db=db, env=env)
    assert r.returncode == 1 and "Traceback" not in r.stdout  # the person reads stdout ...
    assert "ERROR cockpit.uploads.validate: checking '县区月报.xlsx' failed" in r.stderr  # ... the log has the rest
    assert "文件“县区月报.xlsx”无法校验" in r.stdout and "共 1 个文件，0 个通过，1 个未通过" in r.stdout


def _failure_classes() -> dict[str, tuple[bytes, str]]:
    """One file per way a workbook can fail, with the words its message must hold."""
    title = ["商丘市主要经济指标（2026年1—10月）"]
    head = ["指标", "1—10月累计", "累计同比(%)"]
    return {
        "空文件.xlsx": (b"", "文件是空的"),
        "图片.xlsx": (b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4, "不是 Excel 工作簿"),
        "加密.xlsx": (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 504 + "EncryptedPackage".encode("utf-16-le"),
                    "文件已加密"),
        "不是数字.xlsx": (_book([title, head, ["社会消费品零售总额", "约1100", 4.1]]), "“约1100”不是数字"),
        "两个数.xlsx": (_book([title, head, ["社会消费品零售总额", 1100, 4.1], ["社零", 1, 1],
                              ["社会消费品零售总额", 1200, 4.1]]), "的 1100 不一致（本格 1200）"),
        "不可能.xlsx": (_book([title, head, ["社会消费品零售总额", -5, 4.1]]), "不能为负数"),
        "无时期.xlsx": (_book([["商丘市主要经济指标"], head, ["社会消费品零售总额", 1100, 4.1]]), "无法确定时期"),
        "全未识别.xlsx": (_book([title, head, ["税收收入", 100, 4.1]]), "文件中没有可导入的数据"),
    }


def test_every_failure_class_is_a_chinese_message_through_both_doors_and_nothing_changes(store, tmp_path, empty_db):
    from service.sandbox import Sandbox
    from service.uploads import PRELOAD, check_file
    files = _failure_classes()
    before = state(store)
    box = Sandbox(preload=PRELOAD)
    try:
        for name, (data, words) in files.items():
            checked, pv = check_file(store, data, name, OPT, box=box)
            assert not checked.ok and pv is None, name
            assert any(words in p.line() for p in checked.problems.errors), (name, checked.problems.errors)
    finally:
        box.close()
    assert state(store) == before
    folder = tmp_path / "报表"
    folder.mkdir()
    for name, (data, _) in files.items():
        (folder / name).write_bytes(data)
    db = empty_db
    r = _cli("import", str(folder), db=db)
    assert r.returncode == 1 and "Traceback" not in r.stdout + r.stderr
    for name, (_, words) in files.items():
        section = r.stdout.split(f"== {name}")[1].split("== ")[0]
        assert words in section and "个错误" in section, (name, section)
    assert f"共 {len(files)} 个文件，0 个通过，{len(files)} 个未通过" in r.stdout


def test_hidden_rows_and_columns_are_read_like_any_other_and_said_so(store):
    written = W.book(W.Variant(hidden=True))
    checked = V.check_bytes(store, written.data, "隐藏.xlsx", OPT)
    assert checked.ok and _figures(checked) == pytest.approx(written.expected)
    notes = [p.reason for p in checked.problems.notes]
    assert any(r.startswith("隐藏行 1 行（第") and r.endswith("已照常读取") for r in notes)
    assert "隐藏列，已照常读取" in notes
