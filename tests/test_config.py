"""Operators configure by file and environment, and hear clearly when it is wrong."""
from __future__ import annotations

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
