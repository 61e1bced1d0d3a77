"""Every dataset by every door: lists of 12345 tickets, emergency events, weather warnings and the duty
roster come in through the 数据报送 page and `python -m cockpit import`, from the templates on the
模板 tab, keyed by their own numbers. Bad lists are refused whole, in Chinese, naming sheet, row and
column, with nothing stored."""
from __future__ import annotations

import datetime as dt
import io
from contextlib import redirect_stdout

import openpyxl
import pytest
from sqlalchemy import select

from cockpit import schema as s
from cockpit.uploads import commit as C, validate as V
from cockpit.uploads.templates_records import DATASETS, records_template
from tests.conftest import open_app, table
from tests.fixtures.peers import stored
from tests.fixtures.upload_files import csv_bytes

ROWS = {  # one good record per template, in the template's column order
    "hotline_tickets": ["SQ2026112800001", "2026-11-28 09:12", "永城", "供暖", "电话", "办理中", "2026-12-03 09:12", None, None],
    "emergency_events": ["SJ-2026-0088", "道路交通事故", "Ⅲ级", "连霍高速永城段多车追尾", "永城市", "连霍高速 K512", None, None,
                         "2026-11-28 07:40", "处置中", None],
    "weather_warnings": [None, "大雾", "橙色", "睢阳区", "2026-11-28 05:30", "2026-11-28 12:00", "商丘市气象台", "能见度低于200米"],
    "duty_roster": [None, "2026-11-28", "带班领导", "王伟", "市政府办公室", 3701234567.0],
}


def filled(store, dataset: str, rows: list[list]) -> bytes:
    """The downloaded template with rows typed in, as a clerk would."""
    wb = openpyxl.load_workbook(io.BytesIO(records_template(store, dataset)))
    ws = wb.worksheets[1]
    for i, row in enumerate(rows, start=2):
        for j, v in enumerate(row, start=1):
            ws.cell(row=i, column=j, value=v)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def commit(store, data: bytes, name: str = "list.xlsx") -> C.Result:
    checked = V.check_bytes(store, data, name)
    assert checked.ok, [p.line() for p in checked.problems.items]
    return C.commit(store, checked, data=data, file_name=name, created_by="市应急局 张三")


@pytest.mark.parametrize("dataset", DATASETS)
def test_a_filled_template_imports_and_a_resend_updates_in_place(store, dataset):
    first = commit(store, filled(store, dataset, [ROWS[dataset]]))
    assert first.status == "committed" and first.counts == {"new": 1, "changed": 0, "unchanged": 0}
    table_ = getattr(s, dataset)
    row = store.first(select(table_))
    assert row["origin"] == "upload" and row["source_key"]
    changed = list(ROWS[dataset])
    changed[{"hotline_tickets": 5, "emergency_events": 2, "weather_warnings": 2, "duty_roster": 3}[dataset]] = \
        {"hotline_tickets": "已办结", "emergency_events": "Ⅱ级", "weather_warnings": "红色", "duty_roster": "李娜"}[dataset]
    if dataset == "hotline_tickets":
        changed[7] = "2026-11-28 15:00"
    second = commit(store, filled(store, dataset, [changed]), "更正.xlsx")
    assert second.counts == {"new": 0, "changed": 1, "unchanged": 0}, second.message
    assert store.count(table_) == 1 and store.count(s.record_versions) == 1
    again = C.commit(store, V.check_bytes(store, filled(store, dataset, [changed]), "再发.xlsx"),
                     data=b"another file", file_name="再发.xlsx", created_by="张三")
    assert again.status == "unchanged"


def test_values_are_read_as_people_write_them(store):
    commit(store, filled(store, "emergency_events", [ROWS["emergency_events"]]))
    ev = store.first(select(s.emergency_events))
    assert (ev["level"], ev["region_code"], ev["status"]) == (3, "411481", "处置中")
    assert ev["lon"] is not None and 115 < ev["lon"] < 117  # no coordinates: the county's centre
    commit(store, filled(store, "duty_roster", [ROWS["duty_roster"]]))
    duty = store.first(select(s.duty_roster))
    assert duty["phone"] == "3701234567" and duty["source_key"] == "2026-11-28|带班领导|市政府办公室"
    commit(store, filled(store, "weather_warnings", [ROWS["weather_warnings"]]))
    assert store.first(select(s.weather_warnings))["level"] == 2


def test_a_hotline_systems_own_export_is_read_by_its_headers_under_a_title(store):
    """Headers as 12345 systems export them (诉求类型, 所属区县, 回访结果, 办理期限), a title above, a
    序号 and a content column beside, a 合计 line below: read without the template."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "工单明细"
    ws.append(["12345政务服务便民热线工单明细（2026年11月）"])
    ws.append(["序号", "工单编号", "受理时间", "诉求类型", "所属区县", "诉求内容", "办理状态", "办结时间", "回访结果", "办理期限"])
    ws.append([1, "SQ202611030001", dt.datetime(2026, 11, 3, 9, 5), "城乡建设", "梁园区", "路灯不亮", "已办结",
               dt.datetime(2026, 11, 4, 10), "满意", "2026-11-08"])
    ws.append([2, "SQ202611030002", "2026/11/3 10:15", "环境保护", "商丘市睢阳区", "噪音扰民", "办理中", None, None,
               "2026年11月8日"])
    ws.append(["合计：2件"])
    buf = io.BytesIO()
    wb.save(buf)
    checked = V.check_bytes(store, buf.getvalue(), "工单明细.xlsx")
    assert checked.ok and checked.sheets == ["工单明细（12345 工单）"], [p.line() for p in checked.problems.items]
    assert [(p.row, p.column, p.value) for p in checked.problems.items] == [(2, "F", "诉求内容")]  # said, not imported
    frame = checked.dataset("hotline_tickets").frame.sort_values("source_key")
    assert list(zip(frame.region_code, frame.category, frame.status, frame.satisfaction.fillna(""))) == [
        ("411402", "城乡建设", "已办结", "满意"), ("411403", "环境保护", "办理中", "")]
    assert [str(d)[:10] for d in frame.due_at] == ["2026-11-08", "2026-11-08"]


def test_a_missing_column_is_named_with_the_other_names_it_may_have(store):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["工单编号", "受理时间", "诉求类别", "地区", "办理状态", "承诺时限"])
    ws.append(["SQ1", "2026-11-03 09:05", "供暖", "梁园区", "办理中", "2026-11-08"])
    buf = io.BytesIO()
    wb.save(buf)
    before = stored(store)
    checked = V.check_bytes(store, buf.getvalue(), "工单.xlsx")
    assert C.commit(store, checked, data=buf.getvalue(), file_name="工单.xlsx", created_by="测试").status == "rejected"
    assert [p.line() for p in checked.problems.errors] == [
        "[错误] Sheet/第1行：缺少必需的列：办理时限（表头在第 1 行；可调换顺序，名称须与模板一致。"
        "“办理时限”也可写作“截止时间”“办结时限”“办理期限”）"]
    assert stored(store) == before


@pytest.mark.parametrize("written,stored_as", [
    ("2026/11/28 下午 3:05:07", "2026-11-28 15:05:07"), ("2026/11/28 3:05 下午", "2026-11-28 15:05:00"),
    ("2026年11月28日 上午9时5分", "2026-11-28 09:05:00"), ("2026/11/28 中午12:10", "2026-11-28 12:10:00"),
    (46354.378, "2026-11-28 09:04:19"),  # a cell that lost its date format: Excel's serial day
    (1764300000000, "2025-11-28 11:20:00"), ("1764300000", "2025-11-28 11:20:00"),  # Unix ms / s: a Java system's export
    ("/Date(1764300000000+0800)/", "2025-11-28 11:20:00"),  # .NET's JSON date (UTC milliseconds; the zone is a note)
    ("Fri Nov 28 09:12:00 CST 2025", "2025-11-28 09:12:00"),  # Java's own way to print a time (CST: China)
    (20251128, "2025-11-28 00:00:00")])  # a date as a database keeps it in a number
def test_a_time_as_chinese_windows_writes_it_or_as_a_serial_day_is_that_time(store, written, stored_as):
    row = list(ROWS["hotline_tickets"])
    row[1] = written
    commit(store, filled(store, "hotline_tickets", [row]))
    assert str(store.first(select(s.hotline_tickets))["created_at"])[:19] == stored_as


def test_a_system_s_no_date_in_a_list_is_read_as_none_and_said_once(store):
    rows = [list(ROWS["hotline_tickets"]), list(ROWS["hotline_tickets"])]
    rows[0][7], rows[1][0], rows[1][7] = "0000-00-00 00:00:00", "SQ2026112800002", dt.datetime(1900, 1, 1)
    checked = V.check_bytes(store, filled(store, "hotline_tickets", rows), "工单.xlsx")
    assert checked.ok, [p.line() for p in checked.problems.items]
    assert [(p.row, p.column[:1], p.reason) for p in checked.problems.notes] == [
        (2, "H", "2 处为业务系统表示“无日期”的写法（0000-00-00、1900-01-01），按空值读取")]
    commit(store, filled(store, "hotline_tickets", rows))
    assert store.frame(s.hotline_tickets.select()).closed_at.isna().all()


def test_status_and_rating_words_of_hotline_and_emergency_systems_are_read_and_no_rating_stays_empty(store):
    rows = []
    for i, (status, rating) in enumerate([("已派单", None), ("待回访", None), ("已回访", "较满意"),
                                          ("已退回", None), ("已归档", "未评价"), ("已超期", None)]):
        row = list(ROWS["hotline_tickets"])
        row[0], row[5], row[8] = f"SQ{i}", status, rating
        row[7] = "2026-11-28 15:00" if rating else None
        rows.append(row)
    commit(store, filled(store, "hotline_tickets", rows))
    frame = store.frame(select(s.hotline_tickets.c.source_key, s.hotline_tickets.c.status,
                               s.hotline_tickets.c.satisfaction))
    got = {k: (st, sat if isinstance(sat, str) else None) for k, st, sat in frame.itertuples(index=False)}
    assert got == {"SQ0": ("办理中", None), "SQ1": ("已办结", None), "SQ2": ("已办结", "基本满意"),
                   "SQ3": ("办理中", None), "SQ4": ("已办结", None), "SQ5": ("办理中", None)}
    events = []
    for i, status in enumerate(["已上报", "续报", "已解除", "处置完成"]):
        row = list(ROWS["emergency_events"])
        row[0], row[9] = f"SJ{i}", status
        row[10] = "2026-11-28 10:00" if i > 1 else None
        events.append(row)
    commit(store, filled(store, "emergency_events", events))
    frame = store.frame(select(s.emergency_events.c.source_key, s.emergency_events.c.status))
    assert dict(frame.itertuples(index=False)) == {"SJ0": "处置中", "SJ1": "处置中", "SJ2": "已结束", "SJ3": "已结束"}


def test_a_code_exported_as_an_excel_text_formula_keeps_its_leading_zeros(store):
    """Systems write ="0012345" into a CSV so that Excel keeps the zeros: the number is 0012345."""
    data = ('工单编号,受理时间,诉求类别,地区,办理状态,办理时限\n'
            '="0012345",2026-11-03 09:05,供暖,梁园区,办理中,2026-11-08 09:05\n').encode("utf-8")
    commit(store, data, "工单.csv")
    assert store.first(select(s.hotline_tickets))["source_key"] == "0012345"


HOSTILE = [
    # what a careless clerk or a curious attacker sends, and the words of the refusal
    ("closed before it came in", 7, "2025-11-28 15:00", "办结时间 2025-11-28 15:00 早于受理时间 2026-11-28 09:12：请核对年份、日期"),
    ("due before it came in", 6, "2026-11-20 09:12", "办理时限 2026-11-20 09:12 早于受理时间 2026-11-28 09:12"),
    ("a time that is not one", 1, "下周一", "受理时间应为日期时间"),
    ("a year alone in a date cell, which Excel shows as 1905", 1, 2026, "受理时间 1905-07-18 早于 1950 年"),
    ("a year alone as text, which reads as midnight on New Year's day", 1, "2026", "受理时间应为日期时间"),
    ("a month alone", 1, "2026年11月", "受理时间应为日期时间"),
    ("a number too large to be Unix milliseconds", 7, 17643000000000, "办结时间应为日期时间"),
    ("a status of its own", 5, "研究中", "办理状态应为 办理中、已办结"),
    ("a category too long for the store", 3, "供暖" * 10, "诉求类别超过 16 个字"),
    ("no ticket number", 0, None, "工单编号为空"),
    # PostgreSQL refused a 152-character number at the write, naming no row; SQLite kept it
    ("a ticket number too long for the store", 0, "GD" + "1" * 150, "工单编号超过 128 个字"),
    ("an 18-digit ticket number kept as a number", 0, 202611280000012345,
     "工单编号以数字保存，超过 15 位：Excel 只保留 15 位有效数字"),
    ("a deadline as an Excel error", 6, "#DIV/0!", "Excel 错误值 #DIV/0!"),
    ("received the day after tomorrow", 1, f"{dt.datetime.now() + dt.timedelta(days=2):%Y-%m-%d %H:%M}",
     "晚于当前时间"),
]


@pytest.mark.parametrize("what,col,value,words", HOSTILE, ids=[h[0] for h in HOSTILE])
def test_a_bad_ticket_list_is_refused_whole_naming_the_cell(store, what, col, value, words):
    bad = list(ROWS["hotline_tickets"])
    bad[col] = value
    data = filled(store, "hotline_tickets", [ROWS["hotline_tickets"], bad])
    before = stored(store)
    checked = V.check_bytes(store, data, "工单.xlsx")
    assert not checked.ok
    hit = [p for p in checked.problems.errors if words in p.reason]
    assert hit and hit[0].sheet == "12345 工单" and hit[0].row == 3 and hit[0].column.startswith("ABCDEFGHI"[col])
    assert C.commit(store, checked, data=data, file_name="工单.xlsx", created_by="张三").status == "rejected"
    assert stored(store) == before


@pytest.mark.parametrize("dataset,col,value,words", [
    ("emergency_events", 10, "2026-11-27 07:40", "结束时间 2026-11-27 07:40 早于发生时间 2026-11-28 07:40"),
    ("weather_warnings", 5, "2026-11-28 04:00", "解除时间 2026-11-28 04:00 早于发布时间 2026-11-28 05:30")])
def test_an_event_ended_or_a_warning_lifted_before_it_began_is_refused(store, dataset, col, value, words):
    row = list(ROWS[dataset])
    row[col] = value
    before = stored(store)
    checked = V.check_bytes(store, filled(store, dataset, [row]), "list.xlsx")
    assert any(words in p.reason for p in checked.problems.errors), [p.line() for p in checked.problems.items]
    assert stored(store) == before


def test_an_event_later_than_the_clock_is_refused_beyond_an_hour_of_clock_skew(store):
    """Another system's clock may run a little ahead; a wrong year or day may not (已持续 would be negative)."""
    soon, later = (dt.datetime.now() + dt.timedelta(minutes=m) for m in (30, 24 * 60))
    event = list(ROWS["emergency_events"])
    event[8] = f"{soon:%Y-%m-%d %H:%M}"
    assert V.check_bytes(store, filled(store, "emergency_events", [event]), "事件.xlsx").ok
    event[8] = f"{later:%Y-%m-%d %H:%M}"
    before = stored(store)
    checked = V.check_bytes(store, filled(store, "emergency_events", [event]), "事件.xlsx")
    [error] = checked.problems.errors
    assert error.reason.startswith(f"发生时间 {later:%Y-%m-%d %H:%M} 晚于当前时间 ") and "来源系统的时钟" in error.reason
    assert (error.row, error.column[0]) == (2, "I") and stored(store) == before


def test_the_same_ticket_twice_in_one_list_is_refused_unless_word_for_word(store):
    changed = list(ROWS["hotline_tickets"])
    changed[5] = "已办结"
    changed[7] = "2026-11-28 15:00"
    data = filled(store, "hotline_tickets", [ROWS["hotline_tickets"], changed])
    before = stored(store)
    checked = V.check_bytes(store, data, "工单.xlsx")
    assert not checked.ok and "工单编号“SQ2026112800001”重复（第 2 行已有）" in checked.problems.errors[0].reason
    assert C.commit(store, checked, data=data, file_name="工单.xlsx", created_by="张三").status == "rejected"
    assert stored(store) == before
    # Listed twice word for word (the pages of a system's export overlapping): one ticket, said once.
    other = list(ROWS["hotline_tickets"])
    other[0] = "SQ2026112800002"
    data = filled(store, "hotline_tickets", [ROWS["hotline_tickets"], other, ROWS["hotline_tickets"], other])
    checked = V.check_bytes(store, data, "工单.xlsx")
    assert checked.ok and [(p.row, p.reason) for p in checked.problems.notes] == [
        (4, "2 行与前面某行完全相同（同一记录重复列出），各按一条导入")]
    commit(store, data)
    assert store.count(s.hotline_tickets) == 2


def test_text_that_looks_like_a_formula_or_markup_is_stored_as_written(store):
    row = list(ROWS["emergency_events"])
    row[3] = "=HYPERLINK(\"http://x\")<script>"
    commit(store, csv_bytes([row], header=[f.split("*")[0] for f in _headers(store, "emergency_events")]), "e.csv")
    assert store.first(select(s.emergency_events))["title"] == row[3]


def _headers(store, dataset):
    wb = openpyxl.load_workbook(io.BytesIO(records_template(store, dataset)))
    return [c.value for c in wb.worksheets[1][1]]


def test_the_command_line_imports_a_folder_of_lists(store, tmp_path, monkeypatch):
    from service.cli import main
    monkeypatch.setenv("COCKPIT_DB_URL", store.url)
    monkeypatch.setenv("COCKPIT_CONFIG", "")
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "值班表.xlsx").write_bytes(filled(store, "duty_roster", [ROWS["duty_roster"]]))
    (folder / "预警.xlsx").write_bytes(filled(store, "weather_warnings", [ROWS["weather_warnings"]]))
    out = io.StringIO()
    with redirect_stdout(out):
        assert main(["import", str(folder), "--user", "值班室"]) == 0
    assert "值班表" in out.getvalue() and store.count(s.duty_roster) == 1 and store.count(s.weather_warnings) == 1


def test_the_upload_page_offers_the_templates_and_imports_a_ticket_list(demo_copy, monkeypatch):
    at = open_app(monkeypatch, demo_copy, "pages/upload.py")
    at.radio(key="tpl_kind").set_value("hotline_tickets").run()
    assert not at.exception and any(b.label == "下载模板" for b in at.get("download_button"))
    from cockpit.config import Settings
    from cockpit.store import Store
    store = Store(demo_copy, Settings(demo_on_empty=False))
    before = store.count(s.hotline_tickets)
    data = filled(store, "hotline_tickets", [ROWS["hotline_tickets"]])
    at.text_input(key="upload_user").set_value("热线办 李四")
    at.file_uploader(key="upload_file").set_value(("工单.xlsx", data, "application/octet-stream")).run()
    assert any("12345 工单" in c.value for c in at.caption)
    assert [m.value for m in at.metric if m.label == "新增"] == ["1 个"]
    next(b for b in at.button if b.key == "upload_confirm").click().run()
    assert not at.exception and store.count(s.hotline_tickets) == before + 1
    at.switch_page("pages/upload.py").run()
    assert "12345 工单" in table(at, "批次", "数据")["数据"].tolist()
