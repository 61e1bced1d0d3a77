"""File sources: a drop folder (each file imported once, then moved to done/ or failed/ with a reason in
Chinese beside it), a single file, and CAP 1.2 alerts from fixture files (tests/fixtures/cap)."""
from __future__ import annotations

import datetime as dt
import os
import shutil
import time
from pathlib import Path

import pandas as pd
import pytest
from sqlalchemy import select

from cockpit import schema as s
from service import sources as S
from service.sources_run import pull
from tests.conftest import make_store
from tests.fixtures.peers import stored, write_sources
from tests.fixtures.upload_files import GOOD, csv_bytes, xlsx

CAP = Path(__file__).parent / "fixtures" / "cap"
TICKETS = csv_bytes([["SQ1", "2026-11-28 09:00", "永城市", "供暖", "电话", "办理中", "2026-12-03 09:00", "", ""]],
                    header=["工单编号", "受理时间", "地区", "诉求类别", "受理渠道", "办理状态", "办理时限", "办结时间", "满意度"])


@pytest.fixture
def store(tmp_path):
    st = make_store("sqlite", tmp_path)
    st.init()
    yield st
    st.engine.dispose()


def run(store, tmp_path, body: str):
    config = S.load(write_sources(tmp_path / "sources.toml", body))
    (out,) = pull(store, config, list(config.sources))
    return out


def folder_source(path: Path, settle: float = 0) -> str:
    return f'[sources.drop]\nkind = "folder"\ntitle = "县区投递文件夹"\npath = "{path}"\nsettle_seconds = {settle}\n'


def reason(path: Path) -> str:
    return path.with_name(path.name + ".reason.txt").read_text(encoding="utf-8-sig")


def test_each_dropped_file_is_imported_once_then_moved_with_its_reason(store, tmp_path):
    drop = tmp_path / "drop"
    drop.mkdir()
    book = xlsx(GOOD)
    (drop / "梁园区10月.xlsx").write_bytes(book)
    (drop / "工单.csv").write_bytes(TICKETS)
    (drop / "坏文件.xlsx").write_bytes(b"PK\x03\x04 this is not a workbook")
    (drop / "说明.docx").write_bytes(b"not for us")
    out = run(store, tmp_path, folder_source(drop))
    # One file was refused: said (exit 1), and the others imported: partly written, not "failed",
    # and the source's last success is now (it read 从未成功 and went on to raise 数据超期).
    assert not out.ok and out.status == "partial" and len(out.batches) == 2
    state = S.states(store).iloc[0]
    assert pd.notna(state.last_success_at) and "坏文件.xlsx" in state.last_error
    fresh = S.freshness(S.load(tmp_path / "sources.toml"), S.states(store), dt.datetime.now())
    assert fresh.iloc[0].failing  # and still shown as failing on the 数据源 page
    assert sorted(p.name for p in (drop / "done").glob("*.xlsx")) == ["梁园区10月.xlsx"]
    assert (drop / "done" / "工单.csv").exists() and (drop / "failed" / "坏文件.xlsx").exists()
    assert (drop / "说明.docx").exists()  # not a workbook: left where it is
    assert reason(drop / "done" / "梁园区10月.xlsx").startswith("已处理") and "批次 #" in reason(drop / "done" / "梁园区10月.xlsx")
    assert reason(drop / "failed" / "坏文件.xlsx").startswith("未导入") and "损坏" in reason(drop / "failed" / "坏文件.xlsx")
    assert store.count(s.hotline_tickets) == 1 and len(store.observations()) == len(GOOD)
    assert "坏文件.xlsx" in out.message and "工单.csv" in out.message
    # The same content under another name is recognised by its hash: stored once, moved to done/.
    before = stored(store)
    (drop / "梁园区10月（重发）.xlsx").write_bytes(book)
    again = run(store, tmp_path, folder_source(drop))
    assert again.ok and stored(store) == before
    assert "完全相同" in reason(drop / "done" / "梁园区10月（重发）.xlsx")
    empty = run(store, tmp_path, folder_source(drop))
    assert empty.ok and empty.message == "没有新的文件。"


def test_a_dropped_xls_is_read_when_it_is_a_systems_web_page_and_explained_when_it_is_excel_97(store, tmp_path):
    drop = tmp_path / "drop"
    drop.mkdir()
    page = "<table>" + "".join("<tr>" + "".join(f"<td>{c}</td>" for c in row) + "</tr>"
                               for row in [["地区", "指标", "时期", "口径", "数值"], GOOD[0][:5]]) + "</table>"
    (drop / "导出.xls").write_bytes(page.encode("utf-8"))
    (drop / "旧版.XLS").write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(512))
    run(store, tmp_path, folder_source(drop))
    assert (drop / "done" / "导出.xls").exists() and len(store.observations()) == 1
    assert "另存为" in reason(drop / "failed" / "旧版.XLS")


def test_a_file_still_being_copied_waits_and_a_link_is_not_followed(store, tmp_path):
    drop = tmp_path / "drop"
    drop.mkdir()
    (drop / "正在复制.xlsx").write_bytes(xlsx(GOOD))
    secret = tmp_path / "secret.csv"
    secret.write_bytes(TICKETS)
    os.symlink(secret, drop / "链接.csv")
    out = run(store, tmp_path, folder_source(drop, settle=30))
    assert (drop / "正在复制.xlsx").exists() and store.count(s.upload_batches) == 0
    assert (drop / "failed" / "链接.csv").is_symlink() and "符号链接" in reason(drop / "failed" / "链接.csv")
    assert not out.ok and secret.exists()
    # Said in the outcome, not only in the log (the pull read "没有新的文件" while it waited).
    assert "1 个文件仍在写入（修改不足 30 秒），下次拉取再读：正在复制.xlsx。" in out.message, out.message


def test_a_file_source_reads_one_path_as_an_upload(store, tmp_path):
    path = tmp_path / "yb.xlsx"
    path.write_bytes(xlsx(GOOD))
    body = f'[sources.yb]\nkind = "file"\npath = "{path}"\n'
    assert run(store, tmp_path, body).status == "written"
    assert run(store, tmp_path, body).status == "unchanged"  # the same content: stored once
    gone = run(store, tmp_path, f'[sources.yb]\nkind = "file"\npath = "{tmp_path / "nothing.xlsx"}"\n')
    assert not gone.ok and "找不到文件" in gone.message


def cap_source(path: Path) -> str:
    return f'[sources.weather]\nkind = "cap"\ntitle = "商丘市气象台预警"\npath = "{path}"\n'


def warnings_in(store) -> dict:
    frame = store.frame(select(s.weather_warnings).order_by(s.weather_warnings.c.region_code))
    return {r.region_code: (r.kind, r.level, r.expires_at) for r in frame.itertuples()}


def test_cap_alerts_become_warning_signals_by_area_with_levels_in_four_colours(store, tmp_path):
    feed = tmp_path / "cap"
    feed.mkdir()
    shutil.copy(CAP / "01_yellow.xml", feed)
    shutil.copy(CAP / "exercise.xml", feed)  # an exercise is not a warning in force
    out = run(store, tmp_path, cap_source(feed))
    assert out.ok and out.written == 2, out.message
    got = warnings_in(store)
    assert set(got) == {"411481", "411426"} and {v[:2] for v in got.values()} == {("寒潮", 3)}
    assert str(got["411481"][2]) == "2026-12-01 08:00:00"  # +08:00 kept as China time
    # The upgrade to 橙色 updates the same signals in place; the cancel ends them at its time.
    shutil.copy(CAP / "02_orange_update.xml", feed)
    assert run(store, tmp_path, cap_source(feed)).written == 2
    assert {v[1] for v in warnings_in(store).values()} == {2} and store.count(s.weather_warnings) == 2
    assert store.count(s.record_versions) == 2
    shutil.copy(CAP / "03_cancel.xml", feed)
    assert run(store, tmp_path, cap_source(feed)).written == 2
    assert {str(v[2]) for v in warnings_in(store).values()} == {"2026-12-01 06:00:00"}


YELLOW = (CAP / "01_yellow.xml").read_text(encoding="utf-8")


@pytest.mark.parametrize("what,alert", [
    ("CAP 1.1", YELLOW.replace("cap:1.2", "cap:1.1").encode()),
    ("no namespace", YELLOW.replace(' xmlns="urn:oasis:names:tc:emergency:cap:1.2"', "").encode()),
    ("in GB2312, as declared", YELLOW.replace('encoding="UTF-8"', 'encoding="GB2312"').encode("gb2312")),
    ("12-digit division codes, the county after its city", YELLOW.replace("<value>411481</value>", "<value>411481000000</value>")
     .replace("<areaDesc>夏邑县</areaDesc>", "<areaDesc>商丘市夏邑县</areaDesc>").encode()),
], ids=lambda v: v if isinstance(v, str) else "")
def test_a_cap_alert_as_provincial_systems_write_it_is_read_alike(store, tmp_path, what, alert):
    path = tmp_path / "alert.xml"
    path.write_bytes(alert)
    out = run(store, tmp_path, cap_source(path))
    assert out.ok and out.written == 2, out.message
    got = warnings_in(store)
    assert set(got) == {"411481", "411426"} and {v[:2] for v in got.values()} == {("寒潮", 3)}
    assert store.first(select(s.weather_warnings))["issuer"] == "商丘市气象台"


@pytest.mark.parametrize("what,alert,words", [
    ("an encoding no one knows", YELLOW.replace('encoding="UTF-8"', 'encoding="x-nobody"').encode(), "编码 x-nobody 无法按此解读"),
    ("an Atom feed where an alert should be", b'<feed xmlns="http://www.w3.org/2005/Atom"><title>t</title></feed>',
     "不是 CAP 预警消息"),
    ("an alert in another namespace", YELLOW.replace("urn:oasis:names:tc:emergency:cap:1.2", "urn:example:alert").encode(),
     "不是 CAP 预警消息"),
])
def test_a_file_that_is_no_cap_alert_is_refused_and_nothing_stored(store, tmp_path, what, alert, words):
    path = tmp_path / "alert.xml"
    path.write_bytes(alert)
    before = stored(store)
    out = run(store, tmp_path, cap_source(path))
    assert not out.ok and words in out.message, out.message
    assert stored(store) == before


def test_a_cap_alert_of_another_category_is_an_emergency_event_on_the_map(store, tmp_path):
    out = run(store, tmp_path, cap_source(CAP / "fire.xml"))
    assert out.ok, out.message
    ev = store.first(select(s.emergency_events))
    assert (ev["event_type"], ev["level"], ev["region_code"], ev["status"]) == ("森林火险", 1, "411481", "处置中")
    assert (ev["lon"], ev["lat"]) == (116.4, 34.16)


def test_a_cap_file_declaring_entities_is_refused(store, tmp_path):
    out = run(store, tmp_path, cap_source(CAP / "doctype.xml"))
    assert not out.ok and "DOCTYPE" in out.message and store.count(s.weather_warnings) == 0


def test_the_folder_leaves_files_it_has_not_settled_on(tmp_path):
    from connectors.folder import FolderConnector
    drop = tmp_path / "drop"
    drop.mkdir()
    (drop / "a.csv").write_bytes(TICKETS)
    old = time.time() - 60
    os.utime(drop / "a.csv", (old, old))
    (drop / "b.csv").write_bytes(TICKETS)
    got = [f.name for f in FolderConnector(path=str(drop), settle_seconds=30).read()]
    assert got == ["a.csv"]


def test_a_county_s_own_drop_folder_takes_that_county_s_figures_only(store, tmp_path):
    drop = tmp_path / "lyq"
    drop.mkdir()
    own = [row for row in GOOD if row[0] == "梁园区"]
    (drop / "a_本县.xlsx").write_bytes(xlsx(own))
    (drop / "b_含永城.xlsx").write_bytes(xlsx(GOOD))  # 梁园区's clerk sent the whole city's sheet
    for f in drop.iterdir():
        os.utime(f, (0, 0))
    body = f'[sources.lyq]\nkind = "folder"\ntitle = "梁园区投递文件夹"\npath = "{drop}"\nonly_region = "梁园区"\n'
    before = store.count(s.observations)
    out = run(store, tmp_path, body)
    assert not out.ok and "只能报送所属地区（梁园区）的数据，文件中含其他地区：商丘市、永城市" in out.message, out.message
    assert store.count(s.observations) == before + 1
    assert (drop / "done" / "a_本县.xlsx").exists() and (drop / "failed" / "b_含永城.xlsx").exists()
    reason = (drop / "failed" / "b_含永城.xlsx.reason.txt").read_text(encoding="utf-8-sig")
    assert "含其他地区：商丘市、永城市" in reason
    (drop / "c_又一份.xlsx").write_bytes(xlsx(own))
    os.utime(drop / "c_又一份.xlsx", (0, 0))
    typo = run(store, tmp_path, body.replace('"梁园区"', '"梁园县"'))  # a region no catalogue has: nothing read
    assert not typo.ok and "only_region“梁园县”不是已知的地区" in typo.message, typo.message
    assert (drop / "c_又一份.xlsx").exists()


def test_a_county_s_folder_refuses_a_ticket_list_of_another_county(store, tmp_path):
    drop = tmp_path / "yc"
    drop.mkdir()
    (drop / "工单.csv").write_bytes(TICKETS)  # a 永城市 ticket, dropped into 梁园区's folder
    os.utime(drop / "工单.csv", (0, 0))
    out = run(store, tmp_path, f'[sources.lyq]\nkind = "folder"\npath = "{drop}"\nonly_region = "梁园区"\n')
    assert not out.ok and "只能报送所属地区（梁园区）的数据，文件中含其他地区：永城市" in out.message, out.message
    assert store.count(s.hotline_tickets) == 0 and (drop / "failed" / "工单.csv").exists()


def test_a_file_named_in_bytes_that_are_not_utf8_goes_to_failed_and_the_others_import(store, tmp_path):
    drop = tmp_path / "drop"
    drop.mkdir()
    with open(os.fsencode(drop) + b"/bad\xff\xfename.csv", "wb") as f:  # a name written on a GBK share, say
        f.write(TICKETS)
    (drop / "good.xlsx").write_bytes(xlsx(GOOD))
    out = run(store, tmp_path, folder_source(drop))
    assert not out.ok and "bad%FF%FEname.csv：文件名含有无法识别的字符（不是 UTF-8 编码" in out.message, out.message
    assert "good.xlsx：已写入批次" in out.message and "未预料" not in out.message
    assert len(store.observations()) == len(GOOD) and store.count(s.hotline_tickets) == 0
    assert (drop / "done" / "good.xlsx").exists() and sorted(os.listdir(os.fsencode(drop))) == [b"done", b"failed"]
    assert (drop / "failed" / "bad%FF%FEname.csv").read_bytes() == TICKETS  # kept, under a name one can type
    assert "不是 UTF-8 编码" in reason(drop / "failed" / "bad%FF%FEname.csv")
    assert S.runs(store).message.iloc[0] == out.message
    later = run(store, tmp_path, folder_source(drop))  # nothing left to block the next pull
    assert later.ok and later.message == "没有新的文件。"


LONG = ("梁园区统计月报" * 12)[:80] + ".xlsx"  # 245 bytes in UTF-8: one more suffix passes the 255 of ext4


def test_a_long_name_s_reason_is_written_under_a_shortened_name_after_its_commit(store, tmp_path):
    drop = tmp_path / "drop"
    drop.mkdir()
    book = xlsx(GOOD)
    (drop / LONG).write_bytes(book)
    (drop / "z_good.csv").write_bytes(TICKETS)
    out = run(store, tmp_path, folder_source(drop))
    assert out.ok and out.status == "written" and len(out.batches) == 2, out.message
    assert f"{LONG}：已写入批次" in out.message and "原有数据不变" not in out.message
    assert len(store.observations()) == len(GOOD) and store.count(s.hotline_tickets) == 1
    assert (drop / "done" / LONG).exists() and (drop / "done" / "z_good.csv.reason.txt").exists()
    (side,) = [p for p in (drop / "done").iterdir() if p.name.startswith("梁园区") and p.name.endswith(".reason.txt")]
    assert len(os.fsencode(side.name)) <= 255 and side.name.endswith(".xlsx.reason.txt") and "~" in side.name
    note = side.read_text(encoding="utf-8-sig")
    assert note.startswith(f"文件：{LONG}\n已处理") and "批次 #" in note
    # The same name dropped again: the copy kept with its time, its name cut short to fit as well.
    (drop / LONG).write_bytes(book)
    again = run(store, tmp_path, folder_source(drop))
    assert again.ok and "完全相同" in again.message, again.message
    moved = [p for p in (drop / "done").iterdir() if p.suffix == ".xlsx"]
    assert len(moved) == 2 and all(len(os.fsencode(p.name)) <= 255 for p in moved)
    assert len([p for p in (drop / "done").iterdir() if p.name.endswith(".xlsx.reason.txt")]) == 2


def test_a_file_that_cannot_be_moved_after_its_commit_is_said_so_not_called_unchanged(store, tmp_path):
    drop = tmp_path / "drop"
    drop.mkdir()
    (drop / "done").write_text("a file where the done/ folder should be")
    (drop / "梁园区10月.xlsx").write_bytes(xlsx(GOOD))
    out = run(store, tmp_path, folder_source(drop))
    assert len(store.observations()) == len(GOOD) and out.batches and out.written == len(GOOD)
    assert not out.ok and "梁园区10月.xlsx：已写入批次" in out.message and "移动文件或写下说明时出错" in out.message
    assert "原有数据不变" not in out.message, out.message
    assert (drop / "梁园区10月.xlsx").exists()  # still there: the next pull finds it stored already
    (drop / "done").unlink()
    again = run(store, tmp_path, folder_source(drop))
    assert again.ok and "完全相同" in reason(drop / "done" / "梁园区10月.xlsx")


def test_a_cap_folder_names_the_file_it_cannot_read_and_imports_the_others(store, tmp_path):
    feed = tmp_path / "cap"
    feed.mkdir()
    shutil.copy(CAP / "01_yellow.xml", feed)
    (feed / "截断.xml").write_bytes(YELLOW.encode()[:200])  # cut off mid-copy
    (feed / "时间.xml").write_text(YELLOW.replace("<sent>2026-11-30", "<sent>30.11.2026 上午"), encoding="utf-8")
    secret = tmp_path / "secret.xml"  # outside the folder: a link to it is not followed
    secret.write_text(YELLOW.replace("411481", "411402"), encoding="utf-8")
    (feed / "链接.xml").symlink_to(secret)
    out = run(store, tmp_path, cap_source(feed))
    assert not out.ok and "截断.xml：CAP 内容不是有效的 XML" in out.message, out.message
    assert "链接.xml：是符号链接，不读取" in out.message
    assert "时间.xml：CAP 预警中的时间无法解读" in out.message and "原有数据不变" not in out.message
    assert out.written == 2 and set(warnings_in(store)) == {"411481", "411426"}


def test_a_file_source_pointed_at_a_folder_says_so(store, tmp_path):
    (tmp_path / "drop").mkdir()
    body = f'[sources.f]\nkind = "file"\npath = "{tmp_path / "drop"}"\n'
    out = run(store, tmp_path, body)
    assert not out.ok and "是文件夹：kind = \"file\" 读一个文件，读文件夹请用 kind = \"folder\"" in out.message, out.message
