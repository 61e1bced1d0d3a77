"""Operators configure by file and environment, and hear clearly when it is wrong."""
from __future__ import annotations

import re

import pytest

from cockpit.config import ROOT, load_settings


def test_default_is_the_sqlite_file_under_data():
    s = load_settings({"COCKPIT_CONFIG": "/nonexistent.toml"})
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
    s = load_settings({"COCKPIT_CONFIG": "/nonexistent.toml", "COCKPIT_GEOJSON": "data/geo/x.geojson"})
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
    ("screen_refresh_seconds = 1.5", "screen_refresh_seconds 应为整数秒"),
    ("screen_refresh_seconds = true", "screen_refresh_seconds 应为整数秒"),
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
    ("COCKPIT_SCREEN_REFRESH_SECONDS", "1e3", "screen_refresh_seconds 应为整数秒"),
    ("COCKPIT_SCREEN_CAROUSEL_SECONDS", " ", "screen_carousel_seconds 应为整数秒"),
    ("COCKPIT_SCREEN_RELOAD_AT", "24:00", "screen_reload_at 应为“时:分”"),
])
def test_a_wrong_wall_setting_from_the_environment_is_refused_with_its_name(var, value, named):
    with pytest.raises(ValueError, match=re.escape(named)):
        load_settings({"COCKPIT_CONFIG": "/nonexistent.toml", var: value})


def test_wall_settings_read_from_file_and_environment(tmp_path):
    cfg = tmp_path / "cockpit.toml"
    cfg.write_text('[cockpit]\nscreen_boards = ["tasks", "overview"]\nscreen_carousel_seconds = 0\n'
                   'screen_reload_at = "03:30"\n', encoding="utf-8")
    s = load_settings({"COCKPIT_CONFIG": str(cfg), "COCKPIT_SCREEN_REFRESH_SECONDS": "15"})
    assert (s.screen_boards, s.screen_carousel_seconds, s.screen_refresh_seconds, s.screen_reload_at) == (
        ("tasks", "overview"), 0, 15, "03:30")
    default = load_settings({"COCKPIT_CONFIG": "/nonexistent.toml"})
    assert default.screen_boards == ("overview", "economy", "hotline", "emergency", "tasks")
    assert (default.screen_carousel_seconds, default.screen_refresh_seconds, default.screen_reload_at) == (30, 60, "")


def test_the_boards_a_setting_may_name_are_the_boards_the_wall_draws():
    from cockpit.config import SCREEN_BOARDS
    from ui.screen.boards import BOARDS
    assert tuple(BOARDS) == SCREEN_BOARDS
