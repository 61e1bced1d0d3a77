"""Periods as they appear in cells and titles -> 'YYYY-MM', with a reason when they cannot be."""
from __future__ import annotations

import datetime as dt
import re

from .names import norm

EXCEL_EPOCH = dt.date(1899, 12, 30)
_YM = re.compile(r"^(\d{4})(?:[-/.年])(\d{1,2})(?:月(?:份|末|底)?)?(?:(?:[-/.])(\d{1,2})日?)?(?:\s*0?0:00:00)?$")
_COMPACT = re.compile(r"^(\d{4})(\d{2})$")
_TITLE = re.compile(r"(\d{4})年度?\s*(?:1\s*[-—－~～至]\s*)?(\d{1,2})\s*月|(?:^|:)(\d{4})\.(\d{1,2})$")  # 2026.10 alone or after a label
_TITLE_Q = re.compile(r"(\d{4})年\s*(第?[一1]季度|上半年|前三季度|前3季度|1[-—－~～至][234]季度|前两季度|全年|1[-—－~至]3月)")
_QUARTERS = {"一季度": 3, "第一季度": 3, "1季度": 3, "第1季度": 3, "上半年": 6, "前两季度": 6, "前三季度": 9,
             "前3季度": 9, "全年": 12}
_SPAN_Q = re.compile(r"1[-—－~～至]([234])季度")  # 1-3季度: 前三季度, 1—10月's like
# 二季度 / 第三季度 alone is that quarter's own figure (当季), which no indicator here is reported as.
ONE_QUARTER = re.compile(r"\d{4}年\s*(第?[二三四234]季度)")
# A column header naming a month of its own: 10月, 2026年10月, 1—10月, 1-10月累计 (groups: year, the
# range's "1—", the month).
MONTH_HEADER = re.compile(r"(?:(\d{4})年)?(1[—\-~～至到])?(\d{1,2})月份?(?:止?累计)?")
# A period in brackets after a name: 进出口总额（1—9月）, 地区生产总值（上半年）.
_PERIOD_NOTE = re.compile(r"[（(](?:(一季度|上半年|前三季度|全年)|(?:1[-—－~～至])?(\d{1,2})月(?:份)?(?:累计)?)[)）]$")


def note_month(name) -> int | None:
    """The month a period in brackets after a name ends with: 进出口总额（1—9月） 9, 地区生产总值（上半年） 6."""
    m = _PERIOD_NOTE.search(norm(name)) if isinstance(name, str) else None
    return None if m is None else _QUARTERS[m.group(1)] if m.group(1) else int(m.group(2))
# A cumulative period in a cell, as bulletins and the cockpit itself write it: 2026年1—10月, 2026年前三季度.
_RANGE = re.compile(r"^(\d{4})年(?:1[-—－~～至](\d{1,2})月份?|(一季度|上半年|前三季度|全年))$")


# A month without its year (10, 10月, 10月份): a 月份 column beside a 年份 one (layout_long joins
# the two), or a year left out.
MONTH_ONLY = re.compile(r"^(\d{1,2})(?:月份?)?$")
# Excel's day 18264 is 1950-01-01: a smaller number in a period cell is no date anyone reports
# (10 would be 1900-01-09), but a month or a count typed there.
FIRST_SERIAL = 18264


class PeriodError(ValueError):
    pass


def _ym(y: int, m: int, d: int | None = None) -> str:
    if not 1 <= m <= 12:
        raise PeriodError(f"月份 {m} 不存在")
    if not 1900 <= y <= 2100:
        raise PeriodError(f"年份 {y} 不合理")
    if d is not None:
        try:
            dt.date(y, m, d)
        except ValueError:
            raise PeriodError(f"日期 {y}年{m}月{d}日 不存在") from None
    return f"{y:04d}-{m:02d}"


def parse_period(value) -> tuple[str, str | None]:
    """(YYYY-MM, note) where note says how a number was read; raises PeriodError."""
    if isinstance(value, (dt.datetime, dt.date)):
        return _ym(value.year, value.month), None
    if isinstance(value, bool):
        raise PeriodError("不是月份")
    if isinstance(value, (int, float)):
        if float(value).is_integer() and 190001 <= value <= 210012:
            v = int(value)
            return _ym(v // 100, v % 100), None
        if float(value).is_integer() and 1 <= value <= 12:
            raise PeriodError(_no_year(int(value)))
        if FIRST_SERIAL <= value < 2958466:  # Excel's serial day numbers up to 9999-12-31
            day = EXCEL_EPOCH + dt.timedelta(days=int(value))
            return _ym(day.year, day.month), f"Excel 日期序号 {int(value)} 按 {day:%Y-%m-%d} 读取"
        raise PeriodError(f"数字 {value:g} 不是月份（应写成 2026-10 或 2026年10月）")
    t = norm(value)
    m = _YM.match(t)
    if m:
        return _ym(int(m.group(1)), int(m.group(2)), int(m.group(3)) if m.group(3) else None), None
    m = _COMPACT.match(t)
    if m:
        return _ym(int(m.group(1)), int(m.group(2))), None
    m = _RANGE.match(t)
    if m:  # the month it runs to; the measure must then be cumulative (figures.check)
        return _ym(int(m.group(1)), int(m.group(2)) if m.group(2) else _QUARTERS[m.group(3)]), None
    m = MONTH_ONLY.match(t)
    if m and 1 <= int(m.group(1)) <= 12:
        raise PeriodError(_no_year(int(m.group(1))))
    raise PeriodError("不是有效的月份（应写成 2026-10 或 2026年10月）")


def _no_year(month: int) -> str:
    return (f"只有月份 {month}，没有年份：请写成 2026-{month:02d} 或 2026年{month}月，"
            "或在“月份”列旁加一列“年份”")


def cumulative(value) -> bool:
    """Whether a period cell names a span from January (2026年1—10月), not one month."""
    return isinstance(value, str) and bool(_RANGE.match(norm(value)))


def month_only(value) -> int | None:
    """The month of a cell that names a month and no year (10, "10月份"), else None."""
    return _whole(value, MONTH_ONLY, 1, 12)


_YEAR = re.compile(r"^(\d{4})(?:年度?)?$")


def year_of(value) -> int | None:
    """The year of a 年份 cell (2026, "2026年", "2026年度"), else None."""
    return _whole(value, _YEAR, 1900, 2100)


def _whole(value, pattern: re.Pattern, lo: int, hi: int) -> int | None:
    """A whole number from lo to hi, typed as one or as text the pattern reads."""
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        n = int(value) if float(value).is_integer() else 0
    else:
        hit = pattern.match(norm(value)) if isinstance(value, str) else None
        n = int(hit.group(1)) if hit else 0
    return n if lo <= n <= hi else None


def period_from_title(text: str) -> str | None:
    t = norm(text)
    m = _TITLE_Q.search(t)
    if m:
        q = m.group(2)
        span = _SPAN_Q.fullmatch(q)
        return f"{int(m.group(1)):04d}-{int(span.group(1)) * 3 if span else _QUARTERS.get(q, 3):02d}"
    m = _TITLE.search(t)
    if m:
        year, month = (m.group(1), m.group(2)) if m.group(1) else (m.group(3), m.group(4))
        if 1 <= int(month) <= 12:
            return f"{int(year):04d}-{int(month):02d}"
    return None
