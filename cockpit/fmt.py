"""Number formatting as Chinese statistical releases print it."""
from __future__ import annotations

import math

NA = "—"  # what a release prints for "not available"


def number(value: float | None, unit: str = "", decimals: int | None = None) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return NA
    if decimals is None:
        decimals = 0 if unit in ("件", "户") else (1 if unit in ("%", "上年同月=100", "微克/立方米") else 2)
    text = f"{value:,.{decimals}f}"
    if unit in ("%",):
        return text + "%"
    return f"{text} {unit}".strip() if unit and unit != "上年同月=100" else text


def pct_change(value: float | None) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return NA
    return f"{value:+.1f}%"


def pp(value: float | None) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return NA
    return f"{value:+.1f}个百分点"
