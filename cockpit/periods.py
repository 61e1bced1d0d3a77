"""The statistics calendar: months as 'YYYY-MM', 累计 periods and 序时进度."""
from __future__ import annotations

import calendar
import datetime as dt
import functools


def month_key(d: dt.date) -> str:
    return f"{d.year:04d}-{d.month:02d}"


def parse_month(key: str) -> tuple[int, int]:
    try:
        y, m = key.split("-")
        y, m = int(y), int(m)
    except (AttributeError, ValueError):
        raise ValueError(f"月份“{key}”格式不对，应为 YYYY-MM") from None
    if not 1 <= m <= 12:
        raise ValueError(f"月份“{key}”不存在")
    return y, m


@functools.lru_cache(maxsize=4096)  # pure; a 100,000-row upload asks about a few dozen months
def shift_month(key: str, months: int) -> str:
    y, m = parse_month(key)
    total = y * 12 + (m - 1) + months
    return f"{total // 12:04d}-{total % 12 + 1:02d}"


def same_period_last_year(key: str) -> str:
    return shift_month(key, -12)


def last_complete_month(today: dt.date | None = None) -> str:
    today = today or dt.date.today()
    return shift_month(month_key(today), -1)


def month_range(start: str, end: str) -> list[str]:
    out, cur = [], start
    while cur <= end:
        out.append(cur)
        cur = shift_month(cur, 1)
    return out


def month_end(key: str) -> dt.date:
    y, m = parse_month(key)
    return dt.date(y, m, calendar.monthrange(y, m)[1])


def is_quarter_end(key: str) -> bool:
    return parse_month(key)[1] % 3 == 0


def label(key: str, measure: str = "month", frequency: str = "M") -> str:
    """How a Chinese statistical release names the period of a figure."""
    y, m = parse_month(key)
    if frequency == "Q":
        return {3: f"{y}年一季度", 6: f"{y}年上半年", 9: f"{y}年前三季度", 12: f"{y}年全年"}.get(
            m, f"{y}年1—{m}月")
    if measure.startswith("ytd"):
        return f"{y}年1月" if m == 1 else f"{y}年1—{m}月"
    return f"{y}年{m}月"


def schedule_share(start: dt.date, end: dt.date, on: dt.date) -> float:
    """序时进度: the share of [start, end] elapsed at `on`, in percent (0..100)."""
    if on <= start:
        return 0.0
    if on >= end:
        return 100.0
    return 100.0 * (on - start).days / (end - start).days
