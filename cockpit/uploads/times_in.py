"""Times in lists (12345 tickets, events, warnings, the duty roster) as systems and clerks write them:
ISO text with or without a zone, 2026/11/30 下午 3:05, 2026年11月30日 8时30分, Excel's serial days,
Unix seconds and milliseconds; a year or a month alone is no time; a system's "no date" written as a
date (0000-00-00, 1900-01-01) is none. Everything is read in China time, as the store keeps it."""
from __future__ import annotations

import datetime as dt
import re
import unicodedata

import numpy as np
import pandas as pd

from .names import norm
from .periods_in import EXCEL_EPOCH, FIRST_SERIAL

def blank(col: pd.Series) -> np.ndarray:
    """None, NaN, NaT or only spaces."""
    na = pd.isna(col).to_numpy()
    if col.dtype != object and not isinstance(col.dtype, pd.StringDtype):  # pandas 3 infers "str" for text
        return na
    return na | col.astype(str).str.strip().eq("").to_numpy()


LAST_SERIAL = 73051  # Excel's day 2100-01-01 (FIRST_SERIAL, 1950-01-01, as for periods)
EARLIEST = pd.Timestamp("1950-01-01")  # no record of ours is older: a time before it is a mistyped cell


_CN_DATE = re.compile(r"(\d{4})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日?")


_ZONED = re.compile(r"(?:Z|[+-]\d\d:?\d\d)$")
ZONE = "Asia/Shanghai"  # the store keeps China Standard Time, as the city's systems write it


# 上午 / 下午 before or after the clock, as Excel on Chinese Windows writes a time as text.
_HALF_DAY = re.compile(r"(上午|下午|中午|晚上)\s*(\d{1,2})(:\d{1,2}(?::\d{1,2})?)|(\d{1,2})(:\d{1,2}(?::\d{1,2})?)\s*(上午|下午|中午|晚上)")


def _half_day(text: str) -> str:
    def clock(m: re.Match) -> str:
        half, hour, rest = (m.group(1), m.group(2), m.group(3)) if m.group(1) else (m.group(6), m.group(4), m.group(5))
        h = int(hour)
        h = h % 12 + 12 if half in ("下午", "晚上") else h % 12 if half == "上午" else h if h >= 11 else h + 12
        return f"{h:02d}{rest}"
    return _HALF_DAY.sub(clock, text)


def parse_times(col: pd.Series) -> pd.Series:
    """Naive China-time datetimes from typed values, ISO text (with a zone: converted), 2026/11/30 8:30,
    2026年11月30日 8时30分, 2026/11/30 下午 3:05, Excel's serial days, Unix times or .NET's /Date(…)/;
    NaT where there is none."""
    if pd.api.types.is_datetime64_any_dtype(col):
        when = pd.to_datetime(col)
        return when.dt.tz_convert(ZONE).dt.tz_localize(None) if when.dt.tz is not None else when
    col = col.reset_index(drop=True)
    when = pd.Series(pd.NaT, index=col.index, dtype="datetime64[ns]")
    empty = blank(col)
    all_text = pd.api.types.infer_dtype(col, skipna=True) == "string"
    if all_text:  # all text (a SQL or JSON source): by column
        text = col.notna().to_numpy()
        zoned = col.str.strip().str.contains(_ZONED, na=False).to_numpy()
        serial = np.zeros(len(col), dtype=bool)
    else:
        text = col.map(lambda v: isinstance(v, str)).to_numpy()
        zoned = text & col.map(lambda v: isinstance(v, str) and bool(_ZONED.search(v.strip()))).to_numpy()
        # A time whose cell lost its date format is Excel's serial day (46329.378 is 2026-11-03 09:04).
        serial = col.map(lambda v: isinstance(v, (int, float)) and not isinstance(v, bool)
                         and FIRST_SERIAL <= v < LAST_SERIAL).to_numpy(dtype=bool)
    if zoned.any():
        z = pd.to_datetime(col[zoned].str.strip(), errors="coerce", utc=True, format="ISO8601")
        when[zoned] = z.dt.tz_convert(ZONE).dt.tz_localize(None).astype("datetime64[ns]")
    if serial.any():
        days = pd.to_timedelta(col[serial].astype(float), unit="D")
        when[serial] = (pd.Timestamp(EXCEL_EPOCH) + days).dt.round("s").astype("datetime64[ns]")
    plain = ~zoned & ~serial & ~empty
    if plain.any():
        values = col[plain] if all_text else col[plain].map(_plain)
        when[plain] = pd.to_datetime(values, errors="coerce", format="ISO8601").astype("datetime64[ns]")
    left = when.isna().to_numpy() & text & ~zoned & ~empty
    if left.any():
        fixed = col[left].map(lambda v: _half_day(_CN_DATE.sub(r"\1-\2-\3 ", unicodedata.normalize("NFKC", v).strip())
                                                   .replace("时", ":").replace("分", "").replace("秒", "").replace("/", "-")
                                                   .replace(" CST ", " ")))
        when[left] = pd.to_datetime(fixed, errors="coerce", format="mixed").astype("datetime64[ns]")
    rest = when.isna().to_numpy() & ~empty
    if rest.any():  # last: it costs nothing where every time was read
        when[rest] = _unix_times(col[rest])
    first = (when.dt.day == 1).to_numpy().copy()
    first[first] = (when[first] == when[first].dt.floor("D")).to_numpy()
    if first.any():  # a year or a month alone reads as midnight on its first day: no time of anything
        when[first] = when[first].where(~col[first].map(lambda v: bool(_NO_DAY.match(norm(v)))).to_numpy(dtype=bool))
    return when


_NULL_DATE = re.compile(r"^\s*(?:0000-00-00|1900-01-01)(?:[ T]00:00(?::00(?:\.0+)?)?)?\s*$")
_NINETEEN_HUNDRED = dt.datetime(1900, 1, 1)


def null_dates(col: pd.Series) -> np.ndarray:
    """Where a system wrote "no date" as a date: MySQL's zero date, SQL Server's day 0 (1900-01-01)."""
    if pd.api.types.is_datetime64_any_dtype(col):
        return (col.dt.tz_localize(None) if col.dt.tz is not None else col).eq(_NINETEEN_HUNDRED).to_numpy()
    if pd.api.types.infer_dtype(col, skipna=True) == "string":
        return col.str.match(_NULL_DATE, na=False).to_numpy(dtype=bool)
    return col.map(lambda v: (isinstance(v, str) and bool(_NULL_DATE.match(v)))
                   or (isinstance(v, dt.datetime) and v.replace(tzinfo=None) == _NINETEEN_HUNDRED)
                   or (type(v) is dt.date and v == _NINETEEN_HUNDRED.date())).to_numpy(dtype=bool)


_NO_DAY = re.compile(r"^\d{4}(?:年|[-/.年]\d{1,2}月?份?)?$")


def _plain(v):
    if hasattr(v, "tzinfo") and v.tzinfo:
        return v.replace(tzinfo=None)
    if _is_number(v):
        # As text: 20261128 from a database is that day (pandas reads a number as a Unix time from 3.0 on).
        return str(int(v)) if float(v).is_integer() else None
    return v


def _is_number(v) -> bool:
    return isinstance(v, (int, float, np.integer, np.floating)) and not isinstance(v, (bool, np.bool_))


UNIX_SECONDS = (946_684_800, 4_102_444_800)  # 2000-01-01 and 2100-01-01 UTC: nothing else has 10 digits here


_DOTNET = re.compile(r"^/Date\((\d{10,13})(?:[+-]\d{4})?\)/$")  # .NET's JSON: /Date(1764300000000+0800)/, UTC ms


def _unix_times(values: pd.Series) -> pd.Series:
    """Unix time in seconds (10 digits) or milliseconds (13), number or text, as the JSON of Java
    systems (fastjson's and Jackson's default) and of .NET ones writes a time; read in China time.
    NaT otherwise."""
    def number(v):
        if isinstance(v, str):
            v = v.strip()
            if m := _DOTNET.match(v):
                return int(m.group(1))
            return int(v) if v.isascii() and v.isdigit() and len(v) in (10, 13) else None
        return v if _is_number(v) else None
    num = pd.to_numeric(values.map(number), errors="coerce").astype(float)
    lo, hi = UNIX_SECONDS
    seconds = num.where((num >= lo) & (num < hi), (num / 1000).where((num >= lo * 1000) & (num < hi * 1000)))
    utc = pd.to_datetime(seconds, unit="s", utc=True, errors="coerce")
    return utc.dt.tz_convert(ZONE).dt.tz_localize(None).dt.round("ms").astype("datetime64[ns]")
