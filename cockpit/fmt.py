"""Number formatting as Chinese statistical releases print it."""
from __future__ import annotations

import math

NA = "—"  # what a release prints for "not available"

# Units of things counted one by one: a release prints them whole ("2,072 例", never "2,072.00 例").
# A count in 万 (万户, 万人) is a scaled figure and keeps its decimals, as money does.
COUNT_UNITS = frozenset({"件", "户", "例", "人次", "个", "家", "人", "次", "起", "项", "条", "处", "台", "辆", "套",
                         "所", "座", "宗", "名", "份"})
ONE_DECIMAL_UNITS = frozenset({"%", "上年同月=100", "微克/立方米"})


def decimals(unit: str | None) -> int:
    """Decimals a figure in `unit` is printed with: counts whole, rates and indices one, money two."""
    if unit in COUNT_UNITS:
        return 0
    return 1 if unit in ONE_DECIMAL_UNITS else 2


def digits(value: float, unit: str = "", decimals_: int | None = None) -> str:
    """The figure alone, with thousands separators and the unit's decimals ("12,184", "1,702.99")."""
    return f"{value:,.{decimals(unit) if decimals_ is None else decimals_}f}"


def number(value: float | None, unit: str = "", decimals: int | None = None) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return NA
    text = digits(value, unit, decimals)
    if unit in ("%",):
        return text + "%"
    return f"{text} {unit}".strip() if unit and unit != "上年同月=100" else text


def _signed(value: float) -> str:
    # + 0.0: a change that rounds to nothing reads +0.0, not "-0.0" (-0.04 rounds to -0.0)
    return f"{round(value, 1) + 0.0:+.1f}"


def pct_change(value: float | None) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return NA
    return f"{_signed(value)}%"


def pp(value: float | None) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return NA
    return f"{_signed(value)}个百分点"


def usual(expected: float) -> str:
    """A usual count (a mean over weeks, so fractional) as the ratio beside it was reckoned: below 10
    with two decimals, trailing zeros dropped. 0.75 printed as "0.8" made "26 件，34.7 倍" read wrong
    (26 ÷ 0.8 = 32.5)."""
    return f"{expected:,.1f}" if expected >= 10 else f"{expected:.2f}".rstrip("0").rstrip(".")


# Dates as Chinese documents print them: no leading zeros (2026年9月30日, 9月5日 08:00).
def day(d) -> str:
    return f"{d.year}年{d.month}月{d.day}日"


def minute(d) -> str:
    return f"{day(d)} {d:%H:%M}"


def month_day(d) -> str:
    return f"{d.month}月{d.day}日"


def year_month(d) -> str:
    return f"{d.year}年{d.month}月"

