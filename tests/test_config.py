"""Operators configure by file and environment, and hear clearly when it is wrong."""
from __future__ import annotations

import re

import pytest

from cockpit.config import ROOT, load_settings


def test_default_is_the_sqlite_file_under_data():
    s = load_settings({"COCKPIT_CONFIG": ""})
    assert s.database_url == f"sqlite:///{ROOT / 'data' / 'cockpit.db'}"


def test_environment_overrides_the_file(tmp_path):
    cfg = tmp_path / "cockpit.toml"
    cfg.write_text('[cockpit]\ndb_url = "sqlite:///from-file.db"\ndemo_tickets = 1000\n', encoding="utf-8")
    s = load_settings({"COCKPIT_CONFIG": str(cfg), "COCKPIT_DB_URL": "postgresql+psycopg://x/y"})
    assert s.database_url == "postgresql+psycopg://x/y" and s.demo_tickets == 1000


def test_unknown_setting_is_named(tmp_path):
    cfg = tmp_path / "cockpit.toml"
    cfg.write_text('[cockpit]\ndb_ulr = "x"\n', encoding="utf-8")
    with pytest.raises(ValueError, match="db_ulr"):
        load_settings({"COCKPIT_CONFIG": str(cfg)})


def test_relative_paths_are_relative_to_the_project(tmp_path):
    s = load_settings({"COCKPIT_CONFIG": "", "COCKPIT_GEOJSON": "data/geo/x.geojson"})
    assert s.geojson == ROOT / "data/geo/x.geojson"


# ---- the wall display's settings (a door: an operator's file and environment) -----------------
@pytest.mark.parametrize("line, named", [
    ('screen_boards = ["overview", "budget"]', "screen_boards 有误：budget"),
    ('screen_boards = ["overview", "overview"]', "screen_boards 有误：为空或有重复"),
    ("screen_boards = []", "screen_boards 有误：为空或有重复"),
    ('screen_boards = ["<script>alert(1)</script>"]', "screen_boards 有误：<script>alert(1)</script>"),
    ("screen_boards = [1, 2]", "screen_boards 应为大屏名称的列表"),
    ("screen_boards = 7", "screen_boards 应为大屏名称的列表"),
    ("screen_refresh_seconds = 0", "screen_refresh_seconds 应为 1 到 86400"),
    ("screen_refresh_seconds = 1.5", "screen_refresh_seconds 应为 1 到 86400 之间的整数秒，现为“1.5”"),
    ("screen_refresh_seconds = true", "screen_refresh_seconds 应为 1 到 86400 之间的整数秒，现为“true”"),
    ("screen_refresh_seconds = -5", "screen_refresh_seconds 应为 1 到 86400"),
    ("screen_carousel_seconds = -1", "screen_carousel_seconds 应为 0（不轮播）到 86400"),
    ("screen_carousel_seconds = 100000", "screen_carousel_seconds 应为 0（不轮播）到 86400"),
    ('screen_reload_at = "25:00"', "screen_reload_at 应为“时:分”"),
    ('screen_reload_at = "3:30"', "screen_reload_at 应为“时:分”"),
    ('screen_reload_at = "03:30; location=evil"', "screen_reload_at 应为“时:分”"),
    ("screen_reload_at = 330", "screen_reload_at 应为“时:分”"),
])
def test_a_wrong_wall_setting_is_refused_with_its_name(tmp_path, line, named):
    cfg = tmp_path / "cockpit.toml"
    cfg.write_text(f"[cockpit]\n{line}\n", encoding="utf-8")
    with pytest.raises(ValueError, match=re.escape(named)):
        load_settings({"COCKPIT_CONFIG": str(cfg)})


@pytest.mark.parametrize("var, value, named", [
    ("COCKPIT_SCREEN_BOARDS", "overview,,tasks,hotline,x", "screen_boards 有误：x"),
    ("COCKPIT_SCREEN_REFRESH_SECONDS", "1e3", "screen_refresh_seconds 应为 1 到 86400 之间的整数秒，现为“1e3”"),
    ("COCKPIT_SCREEN_CAROUSEL_SECONDS", " ", "screen_carousel_seconds 应为 0（不轮播）到 86400 之间的整数秒"),
    ("COCKPIT_SCREEN_RELOAD_AT", "24:00", "screen_reload_at 应为“时:分”"),
])
def test_a_wrong_wall_setting_from_the_environment_is_refused_with_its_name(var, value, named):
    with pytest.raises(ValueError, match=re.escape(named)):
        load_settings({"COCKPIT_CONFIG": "", var: value})


def test_wall_settings_read_from_file_and_environment(tmp_path):
    cfg = tmp_path / "cockpit.toml"
    cfg.write_text('[cockpit]\nscreen_boards = ["tasks", "overview"]\nscreen_carousel_seconds = 0\n'
                   'screen_reload_at = "03:30"\n', encoding="utf-8")
    s = load_settings({"COCKPIT_CONFIG": str(cfg), "COCKPIT_SCREEN_REFRESH_SECONDS": "15"})
    assert (s.screen_boards, s.screen_carousel_seconds, s.screen_refresh_seconds, s.screen_reload_at) == (
        ("tasks", "overview"), 0, 15, "03:30")
    default = load_settings({"COCKPIT_CONFIG": ""})
    assert default.screen_boards == ("overview", "economy", "hotline", "emergency", "tasks")
    assert (default.screen_carousel_seconds, default.screen_refresh_seconds, default.screen_reload_at) == (30, 60, "")


def test_the_boards_a_setting_may_name_are_the_boards_the_wall_draws():
    from cockpit.config import SCREEN_BOARDS
    from ui.screen.boards import BOARDS
    assert tuple(BOARDS) == SCREEN_BOARDS


# ---- every setting is typed: the file, the setting and what is allowed (one table, cockpit/config.py) --
@pytest.mark.parametrize("line, says", [
    ('session_minutes = "abc"', "设置 session_minutes 应为 1 到 525600 之间的整数分钟，现为“abc”"),
    ('session_minutes = "480"', "设置 session_minutes 应为 1 到 525600 之间的整数分钟，现为“480”"),
    ("session_minutes = 0", "设置 session_minutes 应为 1 到 525600 之间的整数分钟，现为“0”"),
    ("session_minutes = -5", "设置 session_minutes 应为 1 到 525600 之间的整数分钟，现为“-5”"),
    ("demo_tickets = 0", "设置 demo_tickets 应为 1 到 100000000 之间的整数，现为“0”"),
    ("data_dir = 5", "设置 data_dir 应为路径（加引号的文字，不能为空），现为“5”"),
    ('data_dir = ""', "设置 data_dir 应为路径（加引号的文字，不能为空）"),
    ("db_url = 1", "设置 db_url 应为文字（加引号），现为“1”"),
    ('demo_on_empty = "false"', "设置 demo_on_empty 应为 true 或 false（不加引号），现为“false”"),
    ('proxy_addresses = "10.0.0.1"', '设置 proxy_addresses 应为代理服务器 IP 地址的列表（一个也写成列表，如 ["10.0.0.1"]'),
    ('proxy_addresses = ["10.0.0.0/8", "proxy"]', "设置 proxy_addresses 中的“10.0.0.0/8、proxy”不是 IP 地址"),
    ("lag_red_pp = nan", "设置 lag_red_pp 应为 0 到 100 之间的数（百分点），现为“NaN”"),
    ('lag_red_pp = "30"', "设置 lag_red_pp 应为 0 到 100 之间的数（百分点）"),
    ("lag_yellow_pp = 40", "设置 lag_yellow_pp（40）不能大于 lag_red_pp（30）"),
    ('log_level = "LOUD"', "设置 log_level 应为 DEBUG, INFO, WARNING, ERROR, CRITICAL 之一，现为“LOUD”"),
])
def test_a_wrong_value_is_refused_naming_the_file_the_setting_and_what_is_allowed(tmp_path, line, says):
    cfg = tmp_path / "cockpit.toml"
    cfg.write_text(f"[cockpit]\n{line}\n", encoding="utf-8")
    with pytest.raises(ValueError, match=re.escape(f"配置文件 {cfg}：{says}")):
        load_settings({"COCKPIT_CONFIG": str(cfg)})


@pytest.mark.parametrize("text, says", [
    ("session_minutes = \n", "不是有效的 TOML：第 1 行第 19 列附近有误"),
    ("[cockpit]\ndb_url = sqlite:///x.db\n", "不是有效的 TOML：第 2 行第 10 列附近有误"),
    ("cockpit = 1\n", "cockpit 应为一个表"),
    # read as nothing at all before: a setting above the [cockpit] line, or under a misspelt table
    ("session_minutes = 30\n[cockpit]\n", "[cockpit] 表以外的内容：session_minutes；设置应写在 [cockpit] 一行之下"),
    ("[cockpt]\nsession_minutes = 30\n", "[cockpit] 表以外的内容：cockpt"),
])
def test_a_file_that_is_not_a_settings_file_is_said_in_chinese(tmp_path, text, says):
    cfg = tmp_path / "cockpit.toml"
    cfg.write_text(text, encoding="utf-8")
    with pytest.raises(ValueError, match=re.escape(f"配置文件 {cfg}")) as e:
        load_settings({"COCKPIT_CONFIG": str(cfg)})
    assert says in str(e.value) and "Expected" not in str(e.value)


@pytest.mark.parametrize("var, value, says", [
    ("COCKPIT_SESSION_MINUTES", "abc", "环境变量 COCKPIT_SESSION_MINUTES：设置 session_minutes 应为 1 到 525600"),
    ("COCKPIT_SESSION_MINUTES", "0", "环境变量 COCKPIT_SESSION_MINUTES：设置 session_minutes 应为 1 到 525600"),
    ("COCKPIT_DEMO_TICKETS", "many", "环境变量 COCKPIT_DEMO_TICKETS：设置 demo_tickets 应为 1 到 100000000"),
    ("COCKPIT_DEMO_ON_EMPTY", "flase", "设置 demo_on_empty 应为 true 或 false（也可写 1/0、yes/no、on/off），现为“flase”"),
    ("COCKPIT_PROXY_ADDRESSES", "10.0.0.1,gateway", "设置 proxy_addresses 中的“gateway”不是 IP 地址"),
    ("COCKPIT_LOG_LEVEL", "loud", "环境变量 COCKPIT_LOG_LEVEL：设置 log_level 应为 DEBUG"),
])
def test_a_wrong_environment_variable_is_named(var, value, says):
    with pytest.raises(ValueError, match=re.escape(says)):
        load_settings({"COCKPIT_CONFIG": "", var: value})


def test_right_values_read_from_file_and_environment(tmp_path):
    cfg = tmp_path / "cockpit.toml"
    cfg.write_text('[cockpit]\nsession_minutes = 30\ndemo_on_empty = false\nproxy_addresses = ["10.0.0.1", "::1"]\n'
                   'lag_red_pp = 25\nlag_yellow_pp = 7.5\nlog_level = "debug"\n', encoding="utf-8")
    s = load_settings({"COCKPIT_CONFIG": str(cfg)})
    assert (s.session_minutes, s.demo_on_empty, s.proxy_addresses, s.lag_red_pp, s.lag_yellow_pp, s.log_level) == (
        30, False, ("10.0.0.1", "::1"), 25.0, 7.5, "DEBUG")
    for word, on in [("0", False), ("false", False), ("No", False), ("off", False), ("1", True), ("TRUE", True),
                     ("yes", True)]:
        assert load_settings({"COCKPIT_CONFIG": "", "COCKPIT_DEMO_ON_EMPTY": word}).demo_on_empty is on
    s = load_settings({"COCKPIT_CONFIG": "", "COCKPIT_PROXY_ADDRESSES": " 10.0.0.1, 10.0.0.2 ",
                       "COCKPIT_SESSION_MINUTES": " 15 "})
    assert (s.proxy_addresses, s.session_minutes) == (("10.0.0.1", "10.0.0.2"), 15)


def test_a_config_file_named_but_missing_is_refused_and_an_empty_name_means_none(tmp_path):
    """COCKPIT_CONFIG with a typo in a service unit ran the cockpit on the defaults without a word."""
    with pytest.raises(ValueError, match="环境变量 COCKPIT_CONFIG 指定的配置文件 .*cokpit.toml 不存在"):
        load_settings({"COCKPIT_CONFIG": str(tmp_path / "cokpit.toml")})
    assert load_settings({"COCKPIT_CONFIG": ""}).source_file is None


def test_a_plan_folder_or_task_list_that_is_wrong_names_the_setting_the_file_and_the_row(tmp_path):
    import shutil

    from cockpit import catalog
    with pytest.raises(OSError, match="找不到规划文件 .*plan.toml：请检查设置项 plan_dir（环境变量 COCKPIT_PLAN_DIR）"):
        catalog.load_plan(tmp_path / "noplan")
    plan = tmp_path / "plan"
    shutil.copytree(catalog.load_plan().folder, plan)
    lines = (plan / "tasks.csv").read_text(encoding="utf-8").splitlines()
    head = lines[0].split(",")
    row = lines[3].split(",")
    row[head.index("number")] = "garbage"
    (plan / "tasks.csv").write_text("\n".join([*lines[:3], ",".join(row), *lines[4:]]) + "\n", encoding="utf-8")
    with pytest.raises(ValueError, match=r"tasks.csv 第 4 行有误.*garbage") as err:
        catalog.task_rows(catalog.load_plan(plan))
    assert "invalid literal" not in str(err.value)


def test_a_data_folder_that_is_a_file_is_said_as_such(tmp_path):
    afile = tmp_path / "afile"
    afile.write_text("x")
    with pytest.raises(ValueError, match="设置 data_dir（环境变量 COCKPIT_DATA_DIR）应为文件夹，.*afile 是一个文件"):
        load_settings({"COCKPIT_CONFIG": "", "COCKPIT_DATA_DIR": str(afile)})
