"""`python -m cockpit briefing`, the door a scheduled job uses, against what a careless clerk and a
curious user would send: each refusal is one Chinese line, exit code 2, no file written and nothing
stored (these refusals come before any picture is drawn, so no browser starts here)."""
from __future__ import annotations

import os

import pytest
from sqlalchemy import func, select

from cockpit import auth, schema as s
from cockpit.store import Store
from service import cli

PASSWORD = "county-pass-2026"


@pytest.fixture
def door(demo_copy, tmp_path, monkeypatch):
    root = tmp_path / "briefings"
    monkeypatch.setenv("COCKPIT_DB_URL", demo_copy)
    monkeypatch.setenv("COCKPIT_CONFIG", "")
    monkeypatch.setenv("COCKPIT_BRIEFING_DIR", str(root))
    store = Store(demo_copy)
    auth.add_user(store, "永城统计", "county", PASSWORD, region_code="411481")
    auth.add_user(store, "填报员", "reporter", PASSWORD)
    return store, root


def _audit_rows(store: Store) -> int:
    return store.scalar(select(func.count()).select_from(s.audit_log))


def _files(root) -> list:
    return sorted(p for p in root.rglob("*") if p.is_file()) if root.exists() else []


@pytest.mark.parametrize("args, message", [
    (["--month", "2026-13"], "--month：月份“2026-13”不存在"),
    (["--month", "2026/10"], "--month：月份“2026/10”格式不对，应为 YYYY-MM"),
    (["--month", "2999-01"], "--month：2999-01 尚未到来"),
    (["--month", "2026-1"], "--month：月份“2026-1”格式不对，应为 YYYY-MM"),
    (["--month", ""], "--month：月份“”格式不对"),  # not last month's pack
    (["--month", "1999-01"], "1999年1月没有经济指标数据"),
    (["--month", "2026-10", "--region", "411499"], "--region：未知的地区“411499”"),
    (["--month", "2026-10", "--region", "'; DROP TABLE observations; --"], "--region：未知的地区"),
    (["--month", "2026-10", "--out", "../../etc"], "--out：只能写入简报目录"),
    (["--month", "2026-10", "--out", "/tmp/elsewhere"], "--out：只能写入简报目录"),
    (["--month", "2026-10", "--out", ""], "--out：请写明子目录名"),  # wrote into the root itself
    (["--month", "2026-10", "--out", "简报\n十月"], "--out：目录名不能含 换行等控制字符"),
    (["--month", "2026-10", "--out", "十月:终稿?"], "--out：目录名不能含 :、?"),
    (["--month", "2026-10", "--out", "长" * 300], "--out：目录名过长"),  # was 系统错误（错误号 36）
    (["--month", "2026-10", "--user", "永城统计", "--region", "411402"], "只能生成永城市的简报，不能生成梁园区的"),
    (["--month", "2026-10", "--user", "无此人"], "--user：没有可用的用户“无此人”"),
    (["--month", "2026-10", "--user", "填报员"], "无权生成简报"),
])
def test_a_bad_request_is_refused_in_chinese_and_nothing_is_written(door, capsys, args, message):
    store, root = door
    before = _audit_rows(store)
    if "--out" not in args:
        args = [*args, "--out", "monthly"]
    assert cli.main(["briefing", *args]) == 2
    err = capsys.readouterr().err
    assert message in err and "Traceback" not in err
    assert _audit_rows(store) == before
    assert _files(root) == [] and not (root / "monthly").exists()  # not even an empty folder
    assert not (root.parent / "elsewhere").exists()


def test_an_out_folder_that_cannot_be_written_is_named(door, capsys):
    store, root = door
    root.mkdir(parents=True)
    (root / "taken").write_text("一个文件，不是目录")  # root bypasses permissions; a file in the way does not
    before = _audit_rows(store)
    assert cli.main(["briefing", "--month", "2026-10", "--out", "taken/sub"]) == 2
    err = capsys.readouterr().err
    assert "--out：目录" in err and "无法写入" in err
    assert _audit_rows(store) == before and _files(root) == [root / "taken"]


def test_a_link_out_of_the_briefing_folder_is_refused(door, capsys, tmp_path):
    store, root = door
    root.mkdir(parents=True)
    outside = tmp_path / "outside"
    outside.mkdir()
    os.symlink(outside, root / "link")
    assert cli.main(["briefing", "--month", "2026-10", "--out", "link"]) == 2
    assert "只能写入简报目录" in capsys.readouterr().err
    assert list(outside.iterdir()) == []
