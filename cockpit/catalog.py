"""The shipped catalogue, read from data/: regions (GB/T 2260 codes), indicators, the plan's
tasks and the annual targets. Nothing about one city or one plan is written in code: the city
is the row of data/regions.csv whose level is "city".
"""
from __future__ import annotations

import csv
import datetime as dt
from functools import lru_cache
from pathlib import Path

import pandas as pd

from . import geo
from .config import ROOT, Settings

DATA = ROOT / "data"
TARGETS_FILE = DATA / "targets.csv"


def _read_csv(path: Path) -> list[dict]:
    with path.open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def _opt_float(v: str) -> float | None:
    return float(v) if v not in ("", None) else None


def _opt_bool(v: str) -> bool | None:
    return None if v in ("", None) else v == "1"


def region_rows(cfg: Settings) -> list[dict]:
    cents = geo.centroids(cfg.geojson)
    rows = []
    for r in _read_csv(DATA / "regions.csv"):
        lon, lat = cents.get(r["code"], (None, None))
        rows.append({**r, "parent_code": r["parent_code"] or None, "sort": int(r["sort"]),
                     "lon": lon, "lat": lat})
    return rows


def indicator_rows() -> list[dict]:
    rows = []
    for r in _read_csv(DATA / "indicators.csv"):
        rows.append({**r, "definition": r["caliber"], "higher_is_better": _opt_bool(r["higher_is_better"]),
                     "min_value": _opt_float(r["min_value"]), "max_value": _opt_float(r["max_value"]),
                     "target_2025": None, "sort": int(r["sort"])})
    for r in _read_csv(DATA / "plan" / "indicators.csv"):
        rows.append({
            "code": r["code"], "name": r["name"], "definition": r["definition"], "unit": r["unit"],
            "domain": "数字政府", "frequency": "Q", "kind": "ratio", "higher_is_better": True,
            "source_dept": "市行政审批和政务信息管理局", "measures": "month",
            "caliber": "《商丘市加强数字政府建设实施方案(2023-2025年)》主要指标表",
            "min_value": 0.0, "max_value": 100.0, "target_2025": float(r["target_2025"]),
            "sort": 1000 + int(r["seq"])})
    return rows


def task_rows() -> list[dict]:
    rows = []
    for r in _read_csv(DATA / "plan" / "tasks.csv"):
        rows.append({
            **{k: r[k] for k in ("section", "section_title", "subsection", "text", "deadline_text",
                                 "deadline_kind", "units_text", "lead_units", "responsible_units")},
            "number": int(r["number"]), "section_no": int(r["section_no"]),
            "deadline_date": dt.date.fromisoformat(r["deadline_date"]) if r["deadline_date"] else None,
        })
    return rows


def _city_code() -> str:
    cities = [r["code"] for r in _read_csv(DATA / "regions.csv") if r["level"] == "city"]
    if len(cities) != 1:
        raise ValueError(f"data/regions.csv 应有且只有一个市级地区（level = city），现有 {len(cities)} 个")
    return cities[0]


CITY = _city_code()  # 商丘市 411400


@lru_cache(maxsize=4)
def _read_targets(path: str, mtime: float) -> pd.DataFrame:
    return pd.read_csv(path, dtype={"region_code": str, "indicator_code": str})


def load_targets(path: Path = TARGETS_FILE) -> pd.DataFrame:
    """Annual targets (indicator_code, region_code, year, measure, target, note); re-read when
    the file changes."""
    if not path.is_file():
        return pd.DataFrame(columns=["indicator_code", "region_code", "year", "measure", "target", "note"])
    return _read_targets(str(path), path.stat().st_mtime).copy()
