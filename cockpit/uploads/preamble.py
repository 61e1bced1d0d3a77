"""What the lines above a 统计月报 table say, and what its title and sheet name give: the title, the
unit line, the period (and whether the headers agree with it), the region of the sheet, and whose
the table's 合计 row is. layout_wide reads the table under them."""
from __future__ import annotations

import datetime as dt
import re

from .cells import cell, present
from .messages import INFO, WARNING, Problems
from .names import INCLUDING, norm
from .parse import Sheet
from .periods_in import MONTH_HEADER, ONE_QUARTER, period_from_title

PREAMBLE = re.compile(r"^(单位|计量单位|日期|报告期|统计期|填报单位|编制单位)[:：]|^(填报|报送|制表|编制|打印)(日期|时间|单位|人)"
                      r"|^\d{4}[-./年]\d{1,2}[-./月]\d{1,2}日?$")
DATE_LINE = re.compile(r"^(填报|报送|制表|编制|打印)?(日期|时间)")
FULL_DATE = re.compile(r"^\d{4}[-./年]\d{1,2}[-./月]\d{1,2}日?$")
UNIT_LINE = re.compile(r"^(?:金额|计量|数量|价值量)?单位[:：]")
RATE_UNITS = {"%", "‰", "百分点", "个百分点"}  # a rate has no unit to check
# A title that says the table is of growth rates: …社会消费品零售总额增速, 主要指标增速（%）, …增长情况
# (not …及增速, a table of both). Its bare 10月 | 1—10月 columns were stored as amounts (4.5 亿元).
GROWTH_TITLE = re.compile(r"(?<![及和与、])(增速|增长率|增幅|增长速度|增长情况|同比增长|同比增速|同比)(及?(位次|排位|排名|排序))?(情况|表)?$")
_TRAILING_NOTE = re.compile(r"[（(][^（()）]*[)）]$")
REPORTER = re.compile(r"^(填报|编制|报送)单位[:：](.+)")


def preamble(rows: list[list], upto: int) -> tuple[str, int | None, str, str]:
    """(title, its row, unit text, the text that gives the period) from the lines above the header."""
    title, title_row, unit, period_text = "", None, "", ""
    for i in range(upto):
        dated = False  # the cell before was a bare "填报日期：": this one is its date
        for c in rows[i]:
            if not present(c):
                continue
            if isinstance(c, (int, float)) and not isinstance(c, bool):
                continue  # 2026.1 shown as 2026.10 by its format: a number is no period (nor a title)
            t = norm(c)
            if isinstance(c, dt.date) and not dated:  # a date cell shown as 2026年10月: the period
                if c.day != 1:
                    continue  # a day's date (2026-11-05) is when it was written, not a month reported
                t = f"{c.year}年{c.month}月"
            if FULL_DATE.match(t):
                continue  # 2026年11月5日 alone in a corner: the filing date, read as 2026-11 before
            if UNIT_LINE.match(t):
                unit = t
            elif DATE_LINE.match(t) or dated:
                # 填报日期 is when it was written, not the period it reports (2026年11月5日 was read
                # as the period of a 1—10月 table when it stood in the cell beside its label)
                dated = DATE_LINE.match(t) is not None and re.search(r"[:：]$", t) is not None
                continue
            else:
                if not title and len(t) >= 4:
                    title, title_row = str(c).strip(), i
                if not period_text and period_from_title(t):
                    period_text = t
    return title, title_row, unit, period_text


def growth_table(title: str, unit_text: str) -> str | None:
    """Where the sheet says its figures are growth rates (its title, or a unit line of % alone); None
    when it does not."""
    t = norm(title)
    while _TRAILING_NOTE.search(t):
        t = _TRAILING_NOTE.sub("", t)
    if t and GROWTH_TITLE.search(t):
        return f"标题“{title}”"
    units = unit_words(unit_text)
    return f"单位行“{unit_text}”" if units and all(u in RATE_UNITS for u in units) else None


def unit_words(line: str) -> list[str]:
    """The units a unit line lists: 单位：亿元、% -> [亿元, %]."""
    return [u for u in re.split(r"[、,，;；]", re.split(r"[:：]", line, maxsplit=1)[-1]) if u] if line else []


def header_months(headers: list[str]) -> set[int]:
    """The months column headers name on their own (10月, 1—10月, 1-10月累计)."""
    return {int(m.group(3)) for h in headers for part in h.split("｜") if (m := MONTH_HEADER.fullmatch(part))}


def name_in(text: str, names: list[tuple[str, str]]) -> str | None:
    """The code of the longest catalogue name found inside `text` (a title or a sheet name)."""
    t = norm(text)
    hits = [(len(n), code) for n, code in names if n and n in t]
    return max(hits)[1] if hits else None


def line_unit(line: str, unit_of: dict[str, str]):
    """indicator code -> the unit the sheet's unit line gives its figures, to be checked against the
    catalogue (None: the line says nothing of it). A row takes the line's unit of its indicator's
    kind (元 for 亿元, 千瓦时 for 亿千瓦时): "单位：万元、%" or "金额单位：万元" over 亿元 rows is
    refused (a line of several units was ignored, and 万元 stored as 亿元), and "单位：亿元" says
    nothing of an electricity row in 亿千瓦时."""
    units = [u for u in unit_words(line) if u not in RATE_UNITS]
    kinds: dict[str, list[str]] = {}
    for u in units:
        kinds.setdefault(_kind(u), []).append(u)

    def of(code: str) -> str | None:
        own = unit_of.get(code) or ""
        same = kinds.get(_kind(own), [])
        return own if own in same else "、".join(same) or None  # 亿元、万元: the row's own is among them
    return of


def _kind(unit: str) -> str:
    """What a unit measures: 元 for 亿元, 万元 and 亿美元 alike (亿美元 over 亿元 rows said nothing, and
    dollars were stored as yuan), 千瓦时 for 亿千瓦时."""
    bare = unit.lstrip("十百千万亿")
    return "元" if bare.endswith("元") else bare


# A unit said elsewhere than a 单位 line: in the title's brackets, "（单位：万元）", or in a note under
# the table, "注：金额单位为万元" (850 万元 was stored as 850 亿元, under the catalogue's ceiling). A note
# naming an indicator, "进出口总额单位为万元", is that indicator's alone.
UNIT_SAID = re.compile(r"([^，,。；;:：\s（()）]*?)(?:金额|计量|数量)?单位(?:为|是|[:：])\s*([^，,。；;、）)\s]+(?:、[^，,。；;、）)\s]+)*)")


def units_said(texts, indicator_of) -> tuple[str, dict[str, str]]:
    """(a unit line made of the first unit said for the whole table, indicator code -> the unit a note
    gives it alone); ("", {}) when none is said."""
    table, own = "", {}
    for t in texts:
        for m in UNIT_SAID.finditer(norm(t)) if isinstance(t, str) else ():
            who = m.group(1).removeprefix("注").removeprefix("其中")
            code = indicator_of(who) if who else None
            if code:
                own.setdefault(code, m.group(2))
            elif not who and not table:
                table = f"单位：{m.group(2)}"
    return table, own


def own_total(rows: list[list], body_start: int, label_col: int, title: str, catalog) -> str | None:
    """The county a table of areas belongs to when its title names one and it lists no county
    (民权县's towns): its 合计 / 全市 row is then that county's total, not the city's, which it
    overwrote before. None for a table that lists counties, or a title naming none."""
    county = name_in(title, catalog.region_names)
    if county is None:
        return None
    listed = {catalog.region_of(cell(rows[i], label_col)) for i in range(body_start, len(rows))}
    return None if listed - {None, catalog.city} else county


def sheet_region(sheet: Sheet, title: str, catalog, options, problems: Problems) -> str:
    """Region of an indicators-down sheet: chosen, else named by the sheet or the title, else the city."""
    names = catalog.region_names
    found_sheet = catalog.region_of(sheet.name) or name_in(sheet.name, names)
    # "全市（含示范区）" and "（不含示范区）": what a total includes or leaves out is not whose it is
    found_title = name_in(INCLUDING.sub("", norm(title)), names)
    # 填报单位：民权县统计局 above a title naming no county: the county's figures went in as the city's.
    reporter = next((m.group(2) for row in sheet.rows[:10] for c in row
                     if isinstance(c, str) and (m := REPORTER.match(norm(c)))), "")
    # A title naming the city (a county forwarding the city's table) is the city's, whoever sent it.
    city_named = any(n and n in norm(title) for n in (catalog.region_name(catalog.city), "全市"))
    found_unit = name_in(reporter, names) if reporter and not city_named else None
    if found_sheet and found_title and found_sheet != found_title and not options.region:
        # Last month's 柘城县 sheet copied for 宁陵县, its title left: neither can be taken on trust.
        problems.add(f"工作表名为{catalog.region_name(found_sheet)}，标题为{catalog.region_name(found_title)}，"
                     "地区不一致：请改正其一后重新上传（或选择地区）", sheet=sheet.name, column="（标题）", value=title)
    region = options.region or found_sheet or found_title or found_unit or catalog.city
    how = ("（取自所选）" if options.region else "（取自工作表名）" if found_sheet
           else "（取自标题）" if found_title else f"（取自“{reporter}”）" if found_unit
           else "（标题、工作表名和填报单位都未注明地区，按全市；县区的数请在标题中写明县区，或选择地区）")
    problems.add(f"地区：{catalog.region_name(region)}{how}", sheet=sheet.name,
                 severity=INFO if region != catalog.city or found_sheet or found_title or found_unit or options.region
                 else WARNING)
    return region


def period(sheet, options, problems, title, title_row, period_text, headers) -> str | None:
    from_text = period_from_title(period_text) if period_text else None
    from_sheet = period_from_title(sheet.name) or _year_and_month(title, sheet.name)
    from_header = next((p for h in headers if (p := period_from_title(h))), None)
    found = from_text or from_sheet or from_header
    source = (f"标题“{title}”" if from_text and period_text == norm(title) else f"“{period_text}”" if from_text
              else f"工作表名“{sheet.name}”" if from_sheet else "表头")
    year, months = re.search(r"(\d{4})年", norm(title)), header_months(headers)
    if not found and year and months:  # 2026年各县区… over 10月 | 1—10月: the title's year, the headers' month
        found, source = f"{year.group(1)}-{max(months):02d}", f"标题“{title}”的年份和表头的月份"
    if options.period:
        clash = found and found != options.period
        problems.add(f"时期取自所选：{options.period}" + (f"（{source}为 {found}，以所选为准）" if clash else ""),
                     sheet=sheet.name, severity=WARNING if clash else INFO)
        return options.period
    if found:
        problems.add(f"时期取自{source}：{found}", sheet=sheet.name,
                     row=title_row + 1 if from_text and title_row is not None else None, severity=INFO)
        if from_text and from_sheet and from_text != from_sheet:
            # a sheet "9月" under a title "2026年1—10月": last month's sheet, or this month's misnamed
            problems.add(f"工作表名“{sheet.name}”的时期为 {from_sheet}，{source}为 {from_text}：时期不一致，"
                         "请改正其一后重新上传（或选择时期）", sheet=sheet.name, column="（标题）", value=period_text)
        said = header_months(headers)
        if said and int(found[5:]) not in said:
            # Last month's file with this month's figures (or the reverse): the title's 1—9月 stored
            # the columns headed 10月 and 1—10月 as September's.
            shown = "、".join(f"{m}月" for m in sorted(said))
            who = "标题的" if from_text else f"{source}的"
            problems.add(f"{who}时期为 {found}，表头却写 {shown}：时期不一致，请改正标题或表头后重新上传（或选择时期）",
                         sheet=sheet.name, row=title_row + 1 if title_row is not None else None, column="（标题）",
                         value=title or period_text)
        return found
    quarter = ONE_QUARTER.search(norm(title or period_text))
    if quarter:  # 2026年三季度: one quarter's own figures, where the store keeps 累计 (前三季度)
        problems.add(f"无法确定时期：“{quarter.group(1)}”是单季，本系统按累计报送季度数，请写“前三季度”“1—9月”这样的累计时期，"
                     "或选择时期（命令行用 --period）", sheet=sheet.name, value=title or None)
        return None
    problems.add("无法确定时期：标题、日期行和工作表名中都没有“2026年1—10月”“2026年10月”“2026.10”这样的字样，"
                 "请在标题中写明，或选择时期（命令行用 --period）", sheet=sheet.name, value=title or None)
    return None


def excluded(title: str) -> str | None:
    """What a title says its figures leave out: "全市主要经济指标（不含示范区）" -> 示范区. Its 全市 is
    then not the city's (whose figures include the zone): stored as 示范区's before, the city's now
    refused."""
    return next((m.group(2) for m in INCLUDING.finditer(norm(title)) if m.group(1) and m.group(2)), None)


def _year_and_month(title: str, sheet_name: str) -> str | None:
    """A workbook of a sheet a month ("10月", "10月报表") under a title giving the year ("2026年民权县…")."""
    year = re.search(r"(\d{4})年", norm(title))
    month = re.fullmatch(r"(\d{1,2})月份?(?:报表|月报|快报|数据|统计表?)?", norm(sheet_name))
    if year and month and 1 <= int(month.group(1)) <= 12:
        return f"{year.group(1)}-{int(month.group(1)):02d}"
    return None
