"""数据源 (/sources) in AppTest: leaders and admins read each source's last success, last error in Chinese,
rows and freshness against its schedule, and the pulls; only admins pull at once; others do not get
the page. What a remote system sent (a column name in an error, a title) is shown as text."""
from __future__ import annotations

import datetime as dt
import os

import pytest

from sqlalchemy import update

from cockpit import auth, schema as s
from cockpit.store import Store
from service import sources as S
from tests.conftest import open_app, point_app, table
from tests.fixtures.peers import write_sources

PW = "correct horse battery"


@pytest.fixture
def db(demo_copy, monkeypatch, tmp_path):
    point_app(monkeypatch, demo_copy)
    drop = tmp_path / "drop"
    drop.mkdir()
    body = (f'[sources.hotline]\nkind = "folder"\ntitle = "12345 热线导出 ![x](http://evil.example/p.png)"\n'
            f'path = "{tmp_path / "gone"}"\nschedule = "daily 08:30"\n'
            f'[sources.drop]\nkind = "folder"\ntitle = "县区投递文件夹"\npath = "{drop}"\n')
    monkeypatch.setenv("COCKPIT_SOURCES", str(write_sources(tmp_path / "sources.toml", body)))
    store = Store(demo_copy)
    S.record(store, "hotline", started=dt.datetime(2026, 11, 1, 8, 30), ok=True, status="written", rows=1200,
             written=35, batches=[9], message="已写入批次 #9")
    with store.begin() as conn:  # that success was a month ago
        conn.execute(update(s.source_state).values(last_success_at=dt.datetime(2026, 11, 1, 8, 31)))
    S.record(store, "hotline", started=dt.datetime.now(), ok=False, status="failed", rows=0, written=0, batches=[],
             message="数据源返回的数据中没有“sqlb”（诉求类别）；原有数据不变。")
    return store


def login(at, name):
    at.text_input(key="login_name").input(name)
    at.text_input(key="login_password").input(PW)
    next(b for b in at.button if b.label == "登录").click().run()
    return at


def test_a_leader_reads_each_source_s_freshness_and_last_error(db):
    S.record(db, "drop", started=dt.datetime.now(), ok=True, status="written", rows=3, written=3, batches=[],
             message="ok")  # a source that has never failed
    auth.add_user(db, "领导甲", "leader", PW)
    at = login(open_app(), "领导甲")
    at.switch_page("pages/sources.py").run()
    assert not at.exception
    rows = table(at, "数据源", "新鲜度").set_index("名称")
    assert rows.loc["hotline", "新鲜度"].startswith("超期") and rows.loc["hotline", "计划"] == "每日 08:30"
    assert "没有“sqlb”（诉求类别）" in rows.loc["hotline", "最近错误"]
    assert rows.loc["hotline", "读到/写入"] == "1,200 / 35"
    assert rows.loc["hotline", "数据源"] == "12345 热线导出 ![x](http://evil.example/p.png)"  # text, in a table
    assert rows.loc["drop", "新鲜度"].startswith("未设计划") and rows.loc["drop", "最近成功"] != "—"
    assert rows.loc["drop", "最近错误"] in ("", "—")  # never failed: it read "— nan"
    assert {m.label: m.value for m in at.metric}["超期"] == "1 个"
    assert list(table(at, "开始时间", "结果")["结果"][:3]) == ["写入新数据", "失败", "写入新数据"]
    assert not [b for b in at.button if b.key == "src_pull"]  # leaders read; admins pull


def test_an_admin_pulls_a_source_at_once_and_reads_the_outcome(db):
    auth.add_user(db, "管理员乙", "admin", PW)
    at = login(open_app(), "管理员乙")
    at.switch_page("pages/sources.py").run()
    at.selectbox(key="src_pick").set_value("hotline").run()
    next(b for b in at.button if b.key == "src_pull").click().run()
    assert not at.exception
    assert any("找不到文件夹" in e.value and "12345 热线导出" in e.value for e in at.error)
    assert not any("![x]" in e.value for e in at.error)  # the title went through md(): no image
    assert S.runs(db).iloc[0].status == "failed"


def test_an_admin_tries_a_source_and_reads_what_it_would_bring_with_nothing_written(db, tmp_path):
    from tests.fixtures.upload_files import GOOD, xlsx
    drop = tmp_path / "drop"
    (drop / "梁园区10月.xlsx").write_bytes(xlsx(GOOD))
    os.utime(drop / "梁园区10月.xlsx", (0, 0))
    auth.add_user(db, "管理员乙", "admin", PW)
    at = login(open_app(), "管理员乙")
    at.switch_page("pages/sources.py").run()
    runs = len(S.runs(db))
    at.selectbox(key="src_pick").set_value("drop").run()
    next(b for b in at.button if b.key == "src_dry").click().run()
    assert not at.exception
    said = [m.value.replace("\\", "") for m in at.success]  # as the page shows it, markdown's escapes gone
    assert any("梁园区10月.xlsx：试读通过，未写入：经济与指标数据 3 条，前 3 条：指标=社会消费品零售总额，地区=梁园区，"
               "时期=2026-10，口径=累计，数值=123.4" in m for m in said), said
    assert len(S.runs(db)) == runs and (drop / "梁园区10月.xlsx").exists()


def test_reporters_and_county_users_do_not_get_the_page(db):
    auth.add_user(db, "填报员丙", "reporter", PW)
    at = login(open_app(), "填报员丙")
    with pytest.raises(ValueError, match="Could not find a navigation page"):
        at.switch_page("pages/sources.py").run()
