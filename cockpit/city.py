"""The city this deployment serves: the one row of data/regions.csv whose level is "city". Its name
heads every page, the wall, the briefing and the demo-data notices, so a city that ships its own
regions.csv changes no code. Read with the csv module: the command line imports this before pandas.
"""
from __future__ import annotations

import csv

from .config import ROOT


def _rows() -> list[dict]:
    with (ROOT / "data" / "regions.csv").open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


_ALL = _rows()
_CITIES = [r for r in _ALL if r["level"] == "city"]
if len(_CITIES) != 1:
    raise ValueError(f"data/regions.csv 应有且只有一个市级地区（level = city），现有 {len(_CITIES)} 个")
CODE: str = _CITIES[0]["code"]
NAME: str = _CITIES[0]["name"]
SHORT: str = _CITIES[0]["short_name"]
TITLE = f"{NAME}数字政府领导驾驶舱"
NOT_REAL = f"不代表{NAME}实际情况"  # the demo-data notices
# A county the help texts write their examples with (the first in the file's order).
EXAMPLE = next((r for r in _ALL if r["level"] == "county"), _CITIES[0])
