"""python -m cockpit, as an operator or a cron job runs it."""
from __future__ import annotations

import os
import subprocess
import sys

import pytest

from tests.conftest import ROOT


def run(*args, db, stdin: str = "", **env_extra):
    env = {**os.environ, "COCKPIT_DB_URL": db, "COCKPIT_CONFIG": "", **env_extra}
    return subprocess.run([sys.executable, "-m", "cockpit", *args], cwd=ROOT, env=env, input=stdin,
                          capture_output=True, text=True, timeout=300)


def test_init_on_an_empty_store_loads_demo_once(tmp_path):
    db = f"sqlite:///{tmp_path / 'c.db'}"
    r = run("init", db=db, COCKPIT_DEMO_TICKETS="1500")
    assert r.returncode == 0, r.stderr
    assert "数据库已就绪" in r.stdout and "已载入演示数据" in r.stdout and "写入演示 12345 工单（1,5" in r.stdout
    r = run("init", db=db)
    assert r.returncode == 0 and "已载入演示数据" not in r.stdout
    r = run("demo", db=db)
    assert r.returncode == 0 and "已有演示数据" in r.stdout


def test_demo_on_request_when_automatic_demo_is_off(tmp_path):
    db = f"sqlite:///{tmp_path / 'c.db'}"
    r = run("init", db=db, COCKPIT_DEMO_ON_EMPTY="0")
    assert r.returncode == 0 and "已载入演示数据" not in r.stdout
    r = run("demo", "--tickets", "1200", "--end", "2025-12", db=db, COCKPIT_DATA_DIR=str(tmp_path))
    assert r.returncode == 0, r.stderr
    assert "演示数据已加载" in r.stdout and "12345 工单 1,2" in r.stdout
    # The rules are evaluated afterwards, in a detached process (issue 14), as after an import.
    assert "预警将在后台重新评估" in r.stdout and "预警已评估" not in r.stdout
    assert (tmp_path / "logs" / "warnings-background.log").exists()


def test_bad_month_exits_non_zero_with_a_chinese_message(tmp_path):
    r = run("demo", "--end", "2025-13", db=f"sqlite:///{tmp_path / 'c.db'}")
    assert r.returncode == 2 and "月份“2025-13”不存在" in r.stderr


def test_unknown_subcommand_is_refused(tmp_path):
    r = run("frobnicate", db=f"sqlite:///{tmp_path / 'c.db'}")
    assert r.returncode != 0


def test_warnings_fits_the_forecasts_and_evaluates_once(store, tmp_path):
    """What cron runs: the forecast cache is written and the surge in the store fires."""
    from cockpit import alert_store
    from service import warnings
    from tests.test_forecast import _load, _obs, _seasonal
    y = _seasonal(60, seed=4)
    y[-1] *= 1.8
    _load(store, _obs("FEVER_VISITS", [round(v) for v in y], region="411425"))
    r = run("warnings", "--workers", "1", db=store.url, COCKPIT_DATA_DIR=str(tmp_path))
    assert r.returncode == 0, r.stderr
    firing = alert_store.alerts(store, ["firing"])
    assert f"预警评估完成：正在触发 {len(firing)} 条" in r.stdout
    assert "FEVER_VISITS|411425" in set(firing[firing.rule == "forecast_interval"].subject)
    assert warnings.cached_forecasts(store) is not None


def test_an_unreachable_database_gets_a_message_not_a_traceback():
    r = run("warnings", db="postgresql://cockpit:secret@127.0.0.1:1/cockpit")
    assert r.returncode == 3
    assert "无法使用数据库 postgresql://cockpit:***@127.0.0.1:1/cockpit" in r.stderr and "COCKPIT_DB_URL" in r.stderr
    assert "Traceback" not in r.stderr and "secret" not in r.stderr


def test_every_without_minutes_runs_on_the_schedule_in_rules_toml(tmp_path):
    from cockpit.config import Settings
    from service import warnings
    cfg = Settings(data_dir=tmp_path)
    assert warnings.every_minutes(None, cfg) is None and warnings.every_minutes(15.0, cfg) == 15.0
    assert warnings.every_minutes(warnings.SCHEDULED, cfg) == 60.0  # rules.toml [schedule]
    (tmp_path / "rules.local.toml").write_text("[schedule]\ninterval_minutes = 20\n", encoding="utf-8")
    assert warnings.every_minutes(warnings.SCHEDULED, cfg) == 20.0
    (tmp_path / "rules.local.toml").write_text("[schedule]\ninterval_minute = 20\n", encoding="utf-8")
    with pytest.raises(ValueError, match="interval_minute"):
        warnings.every_minutes(warnings.SCHEDULED, cfg)


# ---- operator safety (issue 15) --------------------------------------------------------------------
def _batches(store, *values):
    from tests.test_backup import _batch
    return [_batch(store, v)[0] for v in values]


def _backed_up_then_one_more(store, tmp_path):
    """Two batches in a backup, a third committed after it: what a restore would lose."""
    from cockpit import backup
    _batches(store, 1.0, 2.0)
    path = backup.backup(store, tmp_path / ("b.db" if store.engine.dialect.name == "sqlite" else "b.dump"))
    (third,) = _batches(store, 3.0)
    return path, third


def test_restore_says_what_will_be_lost_and_restores_nothing_without_a_yes(store, tmp_path):
    path, third = _backed_up_then_one_more(store, tmp_path)
    for answer in ("n\n", ""):  # a no, and no terminal at all (cron without --yes)
        r = run("restore", str(path), db=store.url, stdin=answer, COCKPIT_DATA_DIR=str(tmp_path))
        assert r.returncode == 1 and "未恢复：没有确认" in r.stderr, r.stderr
        assert "恢复后以下 1 个批次将回到备份时的样子" in r.stdout and f"批次 {third}" in r.stdout
        assert "备份后导入，将失去" in r.stdout
        assert third in set(store.batches().id)  # nothing changed
    assert not (tmp_path / "backups").exists()


def test_restore_backs_up_the_current_store_first_and_ends_every_login(store, tmp_path):
    from cockpit import backup
    path, third = _backed_up_then_one_more(store, tmp_path)
    r = run("restore", str(path), db=store.url, stdin="是\n", COCKPIT_DATA_DIR=str(tmp_path))
    assert r.returncode == 0, r.stderr
    assert "已先备份当前数据" in r.stdout and "已恢复并核对：2 个批次" in r.stdout and "重新登录" in r.stdout
    assert third not in set(store.batches().id)
    (saved,) = [p for p in (tmp_path / "backups").iterdir() if p.name.startswith("before-restore-")
                and not p.name.endswith(".json")]
    assert backup.lost(store, saved).empty  # the copy holds everything the store had ...
    r = run("restore", str(saved), "--yes", db=store.url, COCKPIT_DATA_DIR=str(tmp_path))
    assert r.returncode == 0 and third in set(store.batches().id)  # ... so the restore can be undone


def test_restore_refuses_while_the_web_server_runs_unless_forced(demo_db, tmp_path):
    from cockpit import backup
    from cockpit.store import Store
    from tests.conftest import copy_db
    from tests.e2e.test_browser import serving
    db = copy_db(demo_db, tmp_path / "cockpit.db")
    store = Store(db)
    path = backup.backup(store, tmp_path / "b.db")
    before = len(store.batches())
    with serving(db, "restore"):
        r = run("restore", str(path), "--yes", db=db, COCKPIT_DATA_DIR=str(tmp_path))
        assert r.returncode == 1 and "驾驶舱网页服务正在使用该数据库" in r.stderr and "--force" in r.stderr
        assert not (tmp_path / "backups").exists() and len(store.batches()) == before
        r = run("restore", str(path), "--yes", "--force", db=db, COCKPIT_DATA_DIR=str(tmp_path))
        assert r.returncode == 0, r.stderr
    r = run("restore", str(path), "--yes", db=db, COCKPIT_DATA_DIR=str(tmp_path))  # the server stopped
    assert r.returncode == 0, r.stderr


def test_restore_of_a_file_that_is_not_there_is_named(store, tmp_path):
    r = run("restore", str(tmp_path / "nope.db"), "--yes", db=store.url, COCKPIT_DATA_DIR=str(tmp_path))
    assert r.returncode == 2 and "备份文件不存在" in r.stderr and "Errno" not in r.stderr


def test_users_list_has_a_header_and_no_nan(store):
    from cockpit import auth
    auth.add_user(store, "领导甲", "leader", "correct horse battery")
    auth.add_user(store, "永城", "county", "correct horse battery", region_code="411481")
    r = run("users", "list", db=store.url)
    lines = r.stdout.splitlines()
    assert r.returncode == 0 and lines[0].split("\t") == ["用户名", "角色", "范围", "状态", "创建时间"]
    assert lines[1].split("\t")[:4] == ["永城", "县区用户", "永城市", "正常"]
    assert lines[2].split("\t")[:4] == ["领导甲", "领导", "全市", "正常"]
    assert "nan" not in r.stdout and "None" not in r.stdout


@pytest.mark.parametrize("written,code", [("梁园区", "411402"), ("梁园", "411402"), (" 梁 园 区 ", "411402"),
                                          ("411402", "411402"), ("示范区", "411400-SFQ"), ("永城", "411481")])
def test_users_add_takes_the_region_as_the_importer_reads_it(store, written, code):
    from cockpit import auth
    r = run("users", "add", "县区甲", "--role", "county", "--region", written, db=store.url,
            stdin="correct horse battery\n")
    assert r.returncode == 0, r.stderr
    assert auth.list_users(store).set_index("name").loc["县区甲", "region_code"] == code


@pytest.mark.parametrize("written", ["火星区", "<b>梁园区</b>", "梁园区\n411403", "x" * 500, "4114"])
def test_users_add_refuses_a_region_nobody_knows_and_creates_no_one(store, written):
    from cockpit import auth
    r = run("users", "add", "县区甲", "--role", "county", "--region", written, db=store.url,
            stdin="correct horse battery\n")
    assert r.returncode == 2 and "未知的县区" in r.stderr and "Traceback" not in r.stderr
    assert auth.list_users(store).empty


def test_a_missing_import_file_is_named_in_chinese_and_nothing_is_imported(store, tmp_path):
    good = tmp_path / "good.csv"
    good.write_text("indicator_code,region_code,period,measure,value\nRETAIL,411402,2026-09,month,12.5\n",
                    encoding="utf-8")
    before = len(store.batches())
    r = run("import", str(good), str(tmp_path / "十月报表.xlsx"), db=store.url)
    assert r.returncode == 2 and "找不到文件或文件夹“" in r.stderr and "十月报表.xlsx" in r.stderr
    assert "Errno" not in r.stderr and len(store.batches()) == before


@pytest.mark.parametrize("args", [["--help"], ["users", "add", "--help"], ["restore", "-h"], ["warnings", "--help"]])
def test_help_is_in_chinese(tmp_path, args):
    r = run(*args, db=f"sqlite:///{tmp_path / 'c.db'}")
    assert r.returncode == 0 and r.stdout.startswith("用法：") and "显示本帮助并退出" in r.stdout
    for english in ("usage:", "options:", "show this help message", "positional arguments"):
        assert english not in r.stdout


@pytest.mark.parametrize("args,says", [
    (["users", "add"], "缺少必填参数"),
    (["frobnicate"], "取值 'frobnicate' 无效"),
    (["warnings", "--workers", "two"], "参数 --workers 应为 1 到 64 之间的整数，现为“two”"),
    (["warnings", "--workers", "0"], "参数 --workers 应为 1 到 64 之间的整数，现为“0”"),
    (["warnings", "--every", "0"], "参数 --every 应为 1 到 10080 之间的数字，现为“0”"),
    (["users", "add", "甲", "--role", "leader", "--region", "1", "--department", "2"], "不能与"),
    (["init", "--colour"], "无法识别的参数"),
    # import reads its arguments twice (cockpit/__main__.py, to start reading early): said once, in Chinese
    (["import"], "缺少必填参数"),
    (["import", "--max-mb", "many", "报表.xlsx"], "参数 --max-mb 应为大于 0、不超过 1024 的数字，现为“many”"),
    # numbers out of range: said with the argument and its range, not a driver's or a socket's traceback
    (["rollback", "99999999999999999999999", "--reason", "x"],
     "参数 BATCH 应为 1 到 2147483647 之间的整数，现为“99999999999999999999999”"),
    (["rollback", "0", "--reason", "x"], "参数 BATCH 应为 1 到 2147483647 之间的整数，现为“0”"),
    (["serve", "--port", "99999"], "参数 --port 应为 1 到 65535 之间的整数，现为“99999”"),
    (["serve", "--port", "-1"], "参数 --port 应为 1 到 65535 之间的整数，现为“-1”"),
    (["demo", "--tickets", "0"], "参数 --tickets 应为 1 到 100000000 之间的整数，现为“0”"),
])
def test_a_bad_command_line_is_refused_in_chinese(tmp_path, args, says):
    r = run(*args, db=f"sqlite:///{tmp_path / 'c.db'}")
    assert r.returncode == 2 and r.stderr.startswith("用法：") and says in r.stderr and "错误：" in r.stderr
    assert "error:" not in r.stderr and "usage:" not in r.stderr


@pytest.mark.parametrize("value", ["nan", "inf", "-1", "0", "2048"])
def test_an_import_size_limit_out_of_range_is_refused_in_chinese(store, tmp_path, value):
    good = tmp_path / "good.csv"
    good.write_text("indicator_code,region_code,period,measure,value\nRETAIL,411402,2026-09,month,12.5\n",
                    encoding="utf-8")
    before = len(store.batches())
    r = run("import", str(good), "--max-mb", value, db=store.url)
    assert r.returncode == 2, r.stderr
    assert f"参数 --max-mb 应为大于 0、不超过 1024 的数字，现为“{value}”" in r.stderr
    assert "Traceback" not in r.stderr and len(store.batches()) == before


# ---- a wrong setting: the file (or variable), the setting and what is allowed; exit 2, no traceback --
@pytest.mark.parametrize("line, command, says", [
    ('session_minutes = "abc"', ["rollback", "1", "--reason", "x"],
     "设置 session_minutes 应为 1 到 525600 之间的整数分钟，现为“abc”"),
    ("session_minutes = 0", ["warnings"], "设置 session_minutes 应为 1 到 525600 之间的整数分钟，现为“0”"),
    ("data_dir = 5", ["init"], "设置 data_dir 应为路径（加引号的文字，不能为空），现为“5”"),
    ("db_ulr = 1", ["users", "list"], "中有未知的设置项：db_ulr"),
    ('demo_on_empty = "false"', ["init"], "设置 demo_on_empty 应为 true 或 false（不加引号），现为“false”"),
    ('proxy_addresses = "10.0.0.1"', ["serve"], '设置 proxy_addresses 应为代理服务器 IP 地址的列表（一个也写成列表，如 ["10.0.0.1"]'),
    ('screen_refresh_seconds = 0', ["import", "FILE"], "设置 screen_refresh_seconds 应为 1 到 86400 之间的整数秒"),
])
def test_a_wrong_setting_in_the_file_is_said_in_chinese_with_exit_code_2(tmp_path, line, command, says):
    cfg = tmp_path / "cockpit.toml"
    cfg.write_text(f"[cockpit]\n{line}\n", encoding="utf-8")
    (tmp_path / "f.csv").write_text("a,b\n1,2\n", encoding="utf-8")
    command = [str(tmp_path / "f.csv") if a == "FILE" else a for a in command]
    r = run(*command, db=f"sqlite:///{tmp_path / 'c.db'}", COCKPIT_CONFIG=str(cfg))
    assert r.returncode == 2 and f"配置文件 {cfg}" in r.stderr and says in r.stderr
    assert "Traceback" not in r.stderr and "Error" not in r.stderr and not (tmp_path / "c.db").exists()


@pytest.mark.parametrize("command", [["rollback", "1", "--reason", "x"], ["serve"]])
def test_a_wrong_environment_variable_is_named_with_exit_code_2(tmp_path, command):
    r = run(*command, db=f"sqlite:///{tmp_path / 'c.db'}", COCKPIT_SESSION_MINUTES="abc")
    assert r.returncode == 2
    assert "错误：环境变量 COCKPIT_SESSION_MINUTES：设置 session_minutes 应为 1 到 525600 之间的整数分钟，现为“abc”" in r.stderr
    assert "Traceback" not in r.stderr


def test_fitting_prints_no_statsmodels_warnings_in_a_fresh_process():
    """The first fit of a process imports statsmodels, whose import adds "always show" filters."""
    probe = ("import numpy as np\nfrom models.candidates import MODELS, run_models\n"
             "for seed in range(3):\n"
             "    y = np.cumsum(np.random.default_rng(seed).normal(0, 1, 40)) + 100 + 10 * np.sin(np.arange(40) / 1.9)\n"
             "    run_models(y, 6, 12, list(MODELS), bands=True)\n")
    r = subprocess.run([sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert r.returncode == 0 and "Warning" not in r.stderr, r.stderr


# ---- the store an operator names: a typo is said, not answered from a new empty store ------------
@pytest.mark.parametrize("command", [["users", "list"], ["backup"], ["rollback", "1", "--reason", "x"],
                                     ["aliases", "list"], ["briefing", "--month", "2026-10", "--out", "x"],
                                     ["import", "县区月报.xlsx"], ["pull", "--all"], ["pull", "--list"], ["warnings"]])
def test_a_mistyped_sqlite_path_is_said_and_no_empty_store_is_made(tmp_path, command):
    """`users list` on sqlite:///data/cockipt.db answered "尚无用户：驾驶舱处于开放模式" (exit 0) from a
    store it had just made."""
    typo = tmp_path / "cockipt.db"
    r = run(*command, db=f"sqlite:///{typo}")
    assert r.returncode == 3 and f"错误：找不到数据库文件 {typo}" in r.stderr and "python -m cockpit init" in r.stderr
    assert not typo.exists() and "Traceback" not in r.stderr


@pytest.mark.parametrize("url", ["foo://bar", "not a url"])
def test_an_address_that_is_no_database_address_is_said_in_chinese(tmp_path, url):
    r = run("users", "list", db=url)
    assert r.returncode == 3 and "不是可用的地址，应如 sqlite:///data/cockpit.db" in r.stderr
    assert "Traceback" not in r.stderr and "Error" not in r.stderr


def test_a_backup_into_a_folder_is_a_new_file_in_it_with_its_manifest(store, tmp_path):
    folder = tmp_path / "备份"
    folder.mkdir()
    r = run("backup", "--out", str(folder), db=store.url)
    assert r.returncode == 0 and "Traceback" not in r.stderr, r.stderr
    made = sorted(p.name for p in folder.iterdir())
    assert len(made) == 2 and made[1] == made[0] + ".manifest.json", made


def _zero_a_page(path, page: int) -> None:
    with open(path, "r+b") as f:
        f.seek(4096 * page)
        f.write(b"\0" * 4096)


def test_a_damaged_backup_is_refused_before_anything_is_copied_or_replaced(store, tmp_path):
    """A backup with a zeroed page was restored "已恢复并核对" (its row counts still matched) and left
    the tickets unreadable; a truncated file or a text file failed half-way with a traceback."""
    from cockpit import backup
    path, third = _backed_up_then_one_more(store, tmp_path)
    before = backup.manifest(store)
    sqlite = store.engine.dialect.name == "sqlite"
    text = tmp_path / "notes.db"
    text.write_text("这不是备份\n", encoding="utf-8")
    cases = [(text, "不是数据库文件" if sqlite else "不是完整的 pg_dump 备份")]
    if sqlite:
        with open(path, "ab") as f:  # pages enough to damage one inside the tickets' table
            f.truncate(max(path.stat().st_size, 4096 * 8))
        whole = path.read_bytes()
        cut = tmp_path / "cut.db"
        cut.write_bytes(whole[: len(whole) // 2])
        damaged = tmp_path / "damaged.db"
        damaged.write_bytes(whole)
        _zero_a_page(damaged, 3)  # a page of a table, not the header
        cases += [(damaged, "已损坏"), (cut, "已损坏")]
    for bad, said in cases:
        r = run("restore", str(bad), "--yes", db=store.url, COCKPIT_DATA_DIR=str(tmp_path))
        assert r.returncode == 2 and said in r.stderr and "未恢复" in r.stderr, r.stderr
        assert "Traceback" not in r.stderr and "sqlite3." not in r.stderr
        assert backup.manifest(store) == before  # nothing replaced
        assert not (tmp_path / "backups").exists()  # and no safety copy made for nothing


def test_a_restore_that_does_not_match_its_manifest_is_undone(store, tmp_path):
    import json

    from cockpit import backup
    path, third = _backed_up_then_one_more(store, tmp_path)
    before = backup.manifest(store)
    manifest = tmp_path / f"{path.name}.manifest.json"
    saved = json.loads(manifest.read_text(encoding="utf-8"))
    saved["counts"]["observations"] += 1  # as if a row went missing from the file
    manifest.write_text(json.dumps(saved), encoding="utf-8")
    r = run("restore", str(path), "--yes", db=store.url, COCKPIT_DATA_DIR=str(tmp_path))
    assert r.returncode == 1, r.stderr
    n = saved["counts"]["observations"]
    assert (f"未恢复：恢复后的数据与备份清单不一致（observations 表 {n} 行，实际 {n - 1} 行）" in r.stderr
            and "已撤销：数据库已恢复为恢复前的状态" in r.stderr), r.stderr
    after = backup.manifest(store)
    audited = after["counts"].pop("audit_log") - before["counts"].pop("audit_log")
    assert after == before and third in set(store.batches().id) and audited >= 1
    from sqlalchemy import select

    from cockpit import schema as s
    a = s.audit_log.c
    assert store.frame(select(a.action, a.target).where(a.action == "restore-undone")).target.tolist() == [path.name]
    manifest.write_text("{bad", encoding="utf-8")
    r = run("restore", str(path), "--yes", db=store.url, COCKPIT_DATA_DIR=str(tmp_path))
    assert r.returncode == 2 and "不是有效的 JSON" in r.stderr and "Expecting" not in r.stderr, r.stderr


def test_a_pg_dump_that_fails_says_why_without_a_traceback_or_the_password(tmp_path):
    """pg_dump's own reason was captured and thrown away under a CalledProcessError traceback."""
    fake = tmp_path / "bin"
    fake.mkdir()
    (fake / "pg_dump").write_text("#!/bin/sh\necho 'pg_dump: error: FATAL:  password authentication failed "
                                  "for user \"x\"' >&2\nexit 1\n")
    (fake / "pg_dump").chmod(0o755)
    (tmp_path / "out").mkdir()
    r = run("backup", "--out", str(tmp_path / "out"), db="postgresql+psycopg://x:S3cretPW@127.0.0.1:1/x",
            COCKPIT_DATA_DIR=str(tmp_path), PATH=f"{fake}:{os.environ['PATH']}")
    assert r.returncode == 2, r.stderr
    assert "备份失败：pg_dump 报告：pg_dump: error: FATAL:  password authentication failed" in r.stderr
    assert "Traceback" not in r.stderr and "S3cretPW" not in r.stderr + r.stdout
    assert not any((tmp_path / "out").iterdir())  # no half-written backup left under a backup's name


def test_a_batch_rolled_back_after_the_backup_is_said_to_come_back_not_to_be_lost(store, tmp_path):
    from cockpit.uploads.rollback import rollback
    path, third = _backed_up_then_one_more(store, tmp_path)
    first = int(sorted(store.batches().id)[-2])  # the backup's newest batch, rolled back after it (the later first)
    rollback(store, third, by="管理员", reason="核对")
    rollback(store, first, by="管理员", reason="核对")
    r = run("restore", str(path), db=store.url, stdin="n\n", COCKPIT_DATA_DIR=str(tmp_path))
    lines = {ln.split("\t")[0].strip(): ln for ln in r.stdout.splitlines() if ln.strip().startswith("批次")}
    assert lines[f"批次 {first}"].endswith("现为已回滚，将恢复为生效"), r.stdout
    assert lines[f"批次 {third}"].endswith("备份后导入，将失去"), r.stdout  # whatever its status now
