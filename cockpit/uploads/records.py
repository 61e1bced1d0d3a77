"""Checking records that change over time: 12345 tickets, emergency events, weather warnings, duty.

One check for every door: a sheet on the 数据报送 page, a file in a drop folder, rows of a SQL query,
records of an HTTP API, a CAP alert. The input is a raw frame with our field names (values as the
source wrote them: names or codes, text or typed times) plus `sheet`, `row` and `c_<field>` (where
each came from, for the messages); the output is the typed frame ingest writes, keyed by
`source_key`. Work is done on distinct values or whole columns, so a million tickets check in seconds.
"""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

import numpy as np
import pandas as pd

from .. import schema as s
from ..datasets import DATASET_COLUMNS
from .messages import ERROR, INFO, SKIPPED, Problems
from .names import norm
from .times_in import EARLIEST, blank, null_dates, parse_times


def width(table: str, column: str) -> int | None:
    """The store's width of a text column (None: unbounded). Checked before anything is written:
    SQLite stores a longer text as it is, PostgreSQL refuses the whole batch at the write with no
    row named, so the limit is the schema's, read from it, for every layout."""
    return getattr(s.metadata.tables[table].c[column].type, "length", None)


@dataclass(frozen=True)
class Field:
    title: str  # the template's header, and the name in messages
    kind: str  # key | text | region | datetime | date | level | choice | number
    required: bool = True
    default: object = None  # used where the source leaves it empty (not required)
    past: bool = False  # a time that has happened: later than now is a wrong year or a wrong clock


TICKET_STATUS = {
    **dict.fromkeys(["办理中", "处理中", "受理", "已受理", "待办", "在办", "未办结",
                     # a ticket's way through a hotline system before it is answered
                     "待受理", "派单", "已派单", "签收", "已签收", "转办", "已转办", "转办中", "待办理", "正在办理",
                     "待审核", "审核中", "退回", "已退回", "重办", "延期", "延期办理", "超期", "已超期"], "办理中"),
    **dict.fromkeys(["已办结", "办结", "已完成", "已关闭", "已结案", "结案", "办理完成", "已办理", "已回复", "已答复",
                     "待回访", "已回访", "归档", "已归档"], "已办结")}
SATISFACTION = {"满意": "满意", "非常满意": "满意", "很满意": "满意", "基本满意": "基本满意", "较满意": "基本满意",
                "比较满意": "基本满意", "一般": "基本满意", "不满意": "不满意", "非常不满意": "不满意"}
# Answers that are no rating: kept empty, not refused.
NO_ANSWER = {"hotline_tickets.satisfaction": {"未评价", "未回访", "无", "拒评", "拒绝评价", "联系不上", "无法联系", "未接通"}}
EVENT_STATUS = {
    **dict.fromkeys(["处置中", "处理中", "进行中", "未结束", "待处置", "正在处置", "应急处置中", "响应中", "已上报",
                     "上报", "续报"], "处置中"),
    **dict.fromkeys(["已结束", "结束", "处置完毕", "已处置", "已完成", "已关闭", "处置完成", "处理完毕", "已办结",
                     "已解除", "解除", "响应结束", "已终止", "终止"], "已结束")}
CHOICES = {"hotline_tickets.status": TICKET_STATUS, "hotline_tickets.satisfaction": SATISFACTION,
           "emergency_events.status": EVENT_STATUS}

FIELDS: dict[str, dict[str, Field]] = {
    "hotline_tickets": {
        "source_key": Field("工单编号", "key"), "created_at": Field("受理时间", "datetime", past=True),
        "region_code": Field("地区", "region"), "category": Field("诉求类别", "text"),
        "channel": Field("受理渠道", "text", False, "其他"), "status": Field("办理状态", "choice"),
        "due_at": Field("办理时限", "datetime"), "closed_at": Field("办结时间", "datetime", False, past=True),
        "satisfaction": Field("满意度", "choice", False),
    },
    "emergency_events": {
        "source_key": Field("事件编号", "key"), "event_type": Field("事件类型", "text"),
        "level": Field("事件级别", "level"), "title": Field("事件名称", "text"),
        "region_code": Field("地区", "region"), "place": Field("发生地点", "text", False, ""),
        "lon": Field("经度", "number", False), "lat": Field("纬度", "number", False),
        "occurred_at": Field("发生时间", "datetime", past=True), "status": Field("处置状态", "choice"),
        "closed_at": Field("结束时间", "datetime", False, past=True),
    },
    "weather_warnings": {
        "source_key": Field("预警编号", "key", False), "kind": Field("预警种类", "text"),
        "level": Field("预警级别", "level"), "region_code": Field("地区", "region"),
        "issued_at": Field("发布时间", "datetime", past=True), "expires_at": Field("解除时间", "datetime", False),
        "issuer": Field("发布单位", "text"), "text": Field("预警内容", "text", False, ""),
    },
    "duty_roster": {
        "source_key": Field("值班编号", "key", False), "duty_date": Field("值班日期", "date"),
        "role": Field("值班岗位", "text"), "name": Field("姓名", "text"),
        "unit": Field("值班单位", "text"), "phone": Field("联系电话", "text"),
    },
}
# Where a source has no key of its own, the record's identity: the same warning signal, the same duty slot.
DERIVED_KEY = {"weather_warnings": ("kind", "region_code", "issued_at"), "duty_roster": ("duty_date", "role", "unit")}
TITLES = {"hotline_tickets": "12345 工单", "emergency_events": "突发事件", "weather_warnings": "气象预警",
          "duty_roster": "值班表"}
# Levels as releases write them: Ⅰ–Ⅳ 红橙黄蓝, 特别重大/重大/较大/一般 (events), 1–4.
_LEVEL_WORDS = {1: ("1", "Ⅰ", "I", "一", "红", "特别重大"), 2: ("2", "Ⅱ", "II", "二", "橙", "重大"),
                3: ("3", "Ⅲ", "III", "三", "黄", "较大"), 4: ("4", "Ⅳ", "IV", "四", "蓝", "一般")}
_LEVEL_TAIL = re.compile(r"(级|色|色预警|预警|预警信号|信号|事件|级别)+$")


def level_of(v) -> int | None:
    """1..4 from 1, "Ⅱ级", "橙色", "橙色预警", "较大", "III"; None when it is none of them."""
    if isinstance(v, (int, float, np.integer, np.floating)) and not isinstance(v, bool):
        return int(v) if float(v) in (1.0, 2.0, 3.0, 4.0) else None
    t = _LEVEL_TAIL.sub("", norm(v).upper())
    for level, words in _LEVEL_WORDS.items():
        if t in words:
            return level
    return None


class _Check:
    def __init__(self, name: str, raw: pd.DataFrame, problems: Problems):
        self.name, self.raw, self.problems = name, raw.reset_index(drop=True), problems
        self.bad = np.zeros(len(self.raw), dtype=bool)
        self.out = np.zeros(len(self.raw), dtype=bool)

    def report(self, mask: np.ndarray, field: str, reason, severity: str = ERROR) -> None:
        raw = self.raw
        idx = np.flatnonzero(mask & ~self.bad & ~self.out)
        room = self.problems.room(severity)
        for i in idx[:room]:
            self.problems.add(reason(i) if callable(reason) else reason, sheet=str(raw.at[i, "sheet"]),
                              row=int(raw.at[i, "row"]), column=str(raw.at[i, "c_" + field]),
                              value=raw.at[i, field], severity=severity)
        self.problems.unlisted(severity, max(0, len(idx) - room))  # a million bad rows: the rest counted
        (self.bad if severity == ERROR else self.out)[idx] = True


def check(name: str, raw: pd.DataFrame, problems: Problems, region_of, regions: pd.DataFrame,
          now: dt.datetime | None = None) -> pd.DataFrame | None:
    """The typed frame of `raw`'s good rows (DATASET_COLUMNS + source_key), or None when an error
    refuses them all (every problem added to `problems`). Rows of regions we do not know are
    listed as not imported, as in the upload of figures. A time that has happened (受理, 发生,
    办结, 发布) may not be later than `now` (the clock, China time) by more than CLOCK_SKEW."""
    latest = pd.Timestamp(now or dt.datetime.now()) + CLOCK_SKEW
    fields = FIELDS[name]
    raw = raw.reset_index(drop=True)
    for f in fields:
        if f not in raw:
            raw[f] = None
        if "c_" + f not in raw:
            raw["c_" + f] = fields[f].title
    c = _Check(name, raw, problems)
    if "bad" in raw:  # a row already refused where it was read (an Excel error value): said once
        c.bad |= raw["bad"].to_numpy(dtype=bool)
    out = {}
    for f, spec in fields.items():
        col = raw[f]
        empty = blank(col)
        if spec.kind in ("datetime", "date") and (none := null_dates(col) & ~empty).any():
            i = int(np.flatnonzero(none)[0])
            problems.add(f"{int(none.sum()):,} 处为业务系统表示“无日期”的写法（0000-00-00、1900-01-01），按空值读取",
                         sheet=str(c.raw.at[i, "sheet"]), row=int(c.raw.at[i, "row"]), column=str(c.raw.at[i, "c_" + f]),
                         value=col.iat[i], severity=INFO)
            col, empty = col.where(~none, None), empty | none
        if spec.required and spec.kind != "key":
            c.report(empty, f, f"{spec.title}为空")
        out[f] = _typed(c, f, spec, col, empty, region_of)
        if spec.past:
            c.report((out[f] > latest).to_numpy(), f, lambda i, f=f: (
                f"{fields[f].title} {out[f].iat[i]:%Y-%m-%d %H:%M} 晚于当前时间 {latest - CLOCK_SKEW:%Y-%m-%d %H:%M}："
                "请核对年份、日期，或来源系统的时钟"))
    for first, then in ORDER.get(name, ()):  # a ticket closed before it came in: a year or month mistyped
        early = (out[then] < out[first] - CLOCK_SKEW).to_numpy(dtype=bool)
        c.report(early, then, lambda i, a=first, b=then: (
            f"{fields[b].title} {out[b].iat[i]:%Y-%m-%d %H:%M} 早于{fields[a].title} {out[a].iat[i]:%Y-%m-%d %H:%M}："
            "请核对年份、日期"))
    frame = pd.DataFrame(out)
    centroid = regions.set_index("code")
    if name == "emergency_events":  # no coordinates: the region's centre, so the event is on the map
        for axis in ("lon", "lat"):
            frame[axis] = frame[axis].fillna(frame.region_code.map(centroid[axis]))
            c.report(frame[axis].isna().to_numpy(), axis, f"{fields[axis].title}为空，且所在地区没有中心坐标")
        bad_lon = ~frame.lon.between(-180, 180).to_numpy() & frame.lon.notna().to_numpy()
        bad_lat = ~frame.lat.between(-90, 90).to_numpy() & frame.lat.notna().to_numpy()
        c.report(bad_lon, "lon", "经度应在 -180 至 180 之间")
        c.report(bad_lat, "lat", "纬度应在 -90 至 90 之间")
    _keys(c, name, frame)
    if not problems.ok:
        return None
    keep = ~c.bad & ~c.out
    return frame[keep][[*DATASET_COLUMNS[name], "source_key"]].reset_index(drop=True)


def _typed(c: _Check, f: str, spec: Field, col: pd.Series, empty: np.ndarray, region_of) -> pd.Series:
    if spec.kind == "key" and pd.api.types.infer_dtype(col, skipna=True) not in ("string", "empty"):
        # 18 digits typed or exported as a number: Excel keeps 15, so the key's last digits are not its own.
        # (A whole number from a database or JSON is exact: only a float has lost them.)
        long = col.map(lambda v: isinstance(v, float) and abs(v) >= 1e15)
        c.report(long.to_numpy(dtype=bool), f, f"{spec.title}以数字保存，超过 15 位：Excel 只保留 15 位有效数字，"
                 "末几位已不是原编号；请把该列设为文本格式（或在编号前加英文单引号）后重新导出")
    if spec.kind in ("key", "text"):
        text = _as_text(col).where(~empty, None)
        if size := width(c.name, f):
            long = text.map(lambda t: t is not None and len(t) > size).to_numpy()
            c.report(long, f, f"{spec.title}超过 {size} 个字")
        return text.where(~pd.isna(text), spec.default) if spec.default is not None else text
    if spec.kind == "region":
        codes = _mapped(col, lambda v: region_of(v) if v is not None and str(v).strip() else None)
        c.report(codes.isna().to_numpy() & ~empty, f, lambda i: f"未识别的地区“{str(c.raw.at[i, f]).strip()}”，不导入"
                 + _which(c.raw, i), SKIPPED)
        return codes
    if spec.kind in ("datetime", "date"):
        when = parse_times(col)
        c.report(when.isna().to_numpy() & ~empty, f, f"{spec.title}应为日期{'时间' if spec.kind == 'datetime' else ''}"
                 "（如 2026-11-30 08:30）")
        old = (when < EARLIEST).to_numpy(dtype=bool)  # 2026 typed into a date cell is 1905-07-18
        c.report(old, f, lambda i: f"{spec.title} {when.iat[i]:%Y-%m-%d} 早于 1950 年：多半是把年份或编号写进了日期格式的单元格，"
                 "请核对")
        when = when.where(~old)
        if spec.kind == "date":
            return when.dt.date.astype(object).where(when.notna(), None)
        return when.dt.floor("s")
    if spec.kind == "level":
        levels = _mapped(col, level_of)
        c.report(levels.isna().to_numpy() & ~empty, f, f"{spec.title}应为 1—4、Ⅰ—Ⅳ级或红、橙、黄、蓝")
        return levels.astype("Int64")
    if spec.kind == "choice":
        table, none = CHOICES[f"{c.name}.{f}"], NO_ANSWER.get(f"{c.name}.{f}", set())
        values = _mapped(col, lambda v: table.get(norm(v)) if v is not None else None)
        unanswered = _mapped(col, lambda v: v is not None and norm(v) in none).to_numpy(dtype=bool)
        allowed = "、".join(dict.fromkeys(table.values()))
        c.report(values.isna().to_numpy() & ~empty & ~unanswered, f, f"{spec.title}应为 {allowed}")
        return values
    numbers = pd.to_numeric(col.map(lambda v: norm(v) if isinstance(v, str) else v), errors="coerce")
    c.report(numbers.isna().to_numpy() & ~empty, f, f"{spec.title}应为数字")
    return numbers.astype(float)


def _mapped(col: pd.Series, fn) -> pd.Series:
    """fn over the distinct values only (a million tickets name a dozen regions)."""
    try:
        uniques = pd.unique(col.to_numpy(dtype=object))
    except TypeError:  # JSON may hold lists and objects where a name should be: not names
        col = col.map(lambda v: str(v) if isinstance(v, (list, dict, set)) else v)
        uniques = pd.unique(col.to_numpy(dtype=object))
    cache = {}
    for u in uniques:
        try:
            cache[u] = fn(None if pd.isna(u) else u)
        except (TypeError, ValueError):  # a value of a kind no name has
            cache[u] = None
    return col.map(cache).astype(object)


def _as_text(col: pd.Series) -> pd.Series:
    """Text as written; a whole number read as a float (a phone number in Excel) loses its ".0"."""
    if pd.api.types.infer_dtype(col, skipna=True) in ("string", "empty"):  # a large pull: text already
        return col.astype(object).str.strip().where(col.notna(), None).reset_index(drop=True)

    def one(v):
        if v is None or v is pd.NA or (isinstance(v, float) and np.isnan(v)):
            return None
        if isinstance(v, (float, np.floating)) and float(v).is_integer():
            return str(int(v))
        return str(v).strip()
    return pd.Series([one(v) for v in col.to_numpy(dtype=object)], dtype=object)


CLOCK_SKEW = pd.Timedelta(hours=1)  # how far another system's clock may run ahead of ours
# Times that cannot come before another of the same record (by more than CLOCK_SKEW: two systems' clocks).
ORDER = {"hotline_tickets": [("created_at", "due_at"), ("created_at", "closed_at")],
         "emergency_events": [("occurred_at", "closed_at")], "weather_warnings": [("issued_at", "expires_at")]}


def _keys(c: _Check, name: str, frame: pd.DataFrame) -> None:
    """Every record has its source's key (or one made of what identifies it), once in a pull."""
    key = frame["source_key"]
    missing = key.isna().to_numpy()
    if name in DERIVED_KEY:
        parts = [frame[p].map(lambda v: "" if v is None or v is pd.NaT else str(v)) for p in DERIVED_KEY[name]]
        made = parts[0].str.cat(parts[1:], sep="|")
        frame["source_key"] = key.where(~missing, made)
    else:
        c.report(missing, "source_key", f"{FIELDS[name]['source_key'].title}为空（用来识别同一条记录的更新）")
    key = frame["source_key"]
    dup = key.duplicated(keep=False).to_numpy() & key.notna().to_numpy() & ~c.bad & ~c.out
    if dup.any():  # the same record twice, word for word (an export's pages overlapping): one record
        cols = [*DATASET_COLUMNS[name], "source_key"]
        again = np.zeros(len(frame), dtype=bool)
        again[dup] = frame.loc[dup, cols].astype(str).duplicated(keep="first").to_numpy()
        if again.any():
            i = int(np.flatnonzero(again)[0])
            c.problems.add(f"{int(again.sum()):,} 行与前面某行完全相同（同一记录重复列出），各按一条导入",
                           sheet=str(c.raw.at[i, "sheet"]), row=int(c.raw.at[i, "row"]),
                           column=str(c.raw.at[i, "c_source_key"]), value=key.iat[i], severity=INFO)
            c.out |= again
            dup = key.duplicated(keep=False).to_numpy() & key.notna().to_numpy() & ~c.bad & ~c.out
    if dup.any():
        first = {}
        for i in np.flatnonzero(dup):
            first.setdefault(key.iat[i], int(c.raw.at[i, "row"]))
        c.report(dup & key.duplicated(keep="first").to_numpy(), "source_key",
                 lambda i: f"{FIELDS[name]['source_key'].title}“{key.iat[i]}”重复（第 {first[key.iat[i]]} 行已有），"
                           "同一条记录只能出现一次")


def _which(raw: pd.DataFrame, i) -> str:
    """A record's own number, for a record left out: "第3行" of a pull was a place in that pull's
    answer, which no one could find in the source system afterwards."""
    key = raw.at[i, "source_key"] if "source_key" in raw.columns else None
    return f"（编号 {str(key).strip()}）" if key is not None and not pd.isna(key) and str(key).strip() else ""
