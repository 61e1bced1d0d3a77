"""Names as people write them -> codes: regions, indicators, headers, measures.

Every normalisation made here is listed in NORMALISATIONS (shown on the page and
in the README) so staff know exactly what the importer forgives.
"""
from __future__ import annotations

import csv
import re
import unicodedata

import pandas as pd

from .. import city
from ..config import ROOT

_EX = city.EXAMPLE  # the examples are the city's own names
NORMALISATIONS = [
    "业务系统“导出 Excel”得到的、实为网页表格的文件按表格读取；CSV 可为逗号或制表符分隔；",
    "全角字母、数字、标点和空格按半角处理（如“１２３”→123、“：”→“:”）；",
    f"名称前后及中间的空格（含全角空格）和看不见的格式字符（如零宽空格）忽略（“{' '.join(_EX['name'])}”“全　市”）；"
    f"县、区、市可省略（{_EX['short_name']}）；示范区的常见写法"
    "（城乡一体化示范区等）均可；",
    "“其中：”“一、”“（一）”等前缀和缩进忽略，名称前后的注释符号（①、*、※、△、[1]）忽略；名称后括注的单位与指标目录核对（“社会消费品零售总额（亿元）”“居民消费价格指数（上年同月=100）”），括注的其他内容是名称的一部分（“社会消费品零售总额（限额以上）”不是社会消费品零售总额）；",
    f"地区可写全称、简称或代码（{_EX['name']}、{_EX['short_name']}、{_EX['code']} 或 12 位的 {_EX['code']}000000；"
    f"全市、{city.NAME}、{city.CODE}），县区名前可带市名（{city.NAME}{_EX['name']}）；"
    "指标可写名称或代码；"
    "在本页对应过的写法以后照此读取；",
    "数值可带千分位逗号（“1,234.5”）、全角数字、前后空格；写成文本的数字按数字读取；“12.5%”按 12.5 读取（同比以百分数的数值填报），设为百分比格式的单元格也按显示的 12.5% 读取；"
    "负号也可为排版用的“−”“–”（从文档中复制来的“−5.2”按 -5.2 读取）；",
    "“—”“－”“-”“…”“/”“x”“*”“未公布”“暂无”或空白表示暂无数据，不导入、不当作 0；库中已有数值而文件为“—”时，由报送人选择保留原值或撤回；",
    "任务进展表可不设“报送单位”“报送日期”列，而在表头上方写一行“填报单位：市大数据局”“填报日期：2026年10月31日”；",
    "12345 工单等清单中的时间可写 2026-11-30 08:30、2026/11/30 下午 3:05、2026年11月30日 8时30分，丢了日期格式的 Excel 日期序号也按日期读取，"
    "业务系统导出的时间戳（13 位毫秒数或 10 位秒数）按北京时间读取；只有年份或年月的时间、早于 1950 年的时间报错并指明单元格；"
    "业务系统表示“无日期”的 0000-00-00、1900-01-01 按空值读取；"
    "以数字保存的超过 15 位的编号（Excel 已改动其末几位）报错，请把该列设为文本格式后重新导出；"
    "同一条记录逐字重复列出（导出时分页重叠）按一条导入，同一编号而内容不同则报错；",
    "时期可写 2026-10、2026年10月（份）、2026.10、202610、2026/10/31 或 Excel 日期，累计数也可写 2026年1—10月、2026年前三季度；"
    "年份和月份也可分两列（“年份”2026、“月份”10）；统计月报取标题、日期行或工作表名中的“2026年1—10月”，"
    "也可写 1月至10月、1月份-10月份、1——10月、前10个月、二〇二六年一至十月；单独一格的填报日期（2026年11月5日）不作时期；标题只写年份（“2026年各县区…”）时，月份取自表头（10月、1—10月）；",
    "表头后括注的内容忽略（“数值（亿元）”“时期（年月）”），括注的单位与指标目录核对；"
    "逐行格式中向下合并的地区、指标、时期、口径单元格按所合并的每一行读取（数值单元格不按此处理）；"
    "逐行格式也可不设“口径”“数值”两列，而把各口径分列（“本月”“本年累计”“累计同比增长(%)”），每列按列标题的口径读取；",
    "统计月报的表头可为一行或两行（合并单元格），标题、单位行、填报日期行顺序不限；单位行可列几个单位（“单位：万元、%”“金额单位：万元”），各指标按其同类单位与指标目录核对；标题与表头的月份、工作表名与标题的县区和月份须一致；标题注明“不含示范区”的全市数不导入（全市数含示范区），“全市（含示范区）”即全市；各月横排的表（1月、2月…10月，或1—8月、1—9月…）各列按其月份读取；10月/本月/当月，1—10月/1-10月/1～10月/本年累计/"
    "自年初累计，同比±%/比上年同期增长%/增长%/增减(%)/增速(%) 均可识别（增减百分点、增速较上期±、增减额/增减量、上年同期增速、上月累计列不导入）；县区按行时，每个指标列后的“增速”列是该指标的增速；标题或表头为“1—10月”时，单写“增速”的列按累计同比读取；"
    "指标按行时，指标下一行的“增速”、“规模以上工业增加值增速”这样的行、或自身单位为“%”的金额类指标行，按该指标的同比读取；"
    "一张工作表中上下排列的几张表（一、工业 … 二、投资 …）各按自己的表头读取，左右并排的几张表（县区 | 社零… | 县区 | 财政收入…）各按自己的列读取；"
    "标题为“…增速”“…增长情况”或单位行只写“%”、没有单独的增速列、也没有写金额单位（单位：亿元、单位列、“（亿元）”）的表，金额类指标的数按同比增速读取；"
    "“全市增速”“全省增速”等对比列不是本县区的数，“两年平均增长”“去年1—10月”列不导入；县区自己的乡镇表中“全县”“全区”行是该县区的数，永城市表中的“全市”列是永城市的数；标题未写县区时取“填报单位：××县统计局”；标题括注或表注中的单位（“（单位：万元）”“注：金额单位为万元”）与指标目录核对，表注写明某指标的单位（“进出口总额单位为万元”）只对该指标；"
    "各月横排的表中，“合计”“全年”“月均”列不导入，“累计”“1—9月”列按其所写时期读取，标题或名称注明“累计”时各月按累计读取，“本年 | 上年同期 | 增长%”三行按当月值和当月同比读取，设“口径”列（当月、累计、累计增长%）时各行按所写口径读取；表头行末尾的“单位：万元”即本表的单位行；"
    "标题写明一个指标、县区横排、每行一个口径（“累计（亿元）”“同比增长（%）”）的表按该指标读取；",
    "位次、排序、排名列不导入，只与数值核对（不符时提醒）；示范区与各县区并列列出，不参与排位；",
    "同一数值在文件中出现两次（如全市表和分县区表的“全市”行）按一个数导入；同一项两个不同数值则报错并列出两处；",
    "目录中没有的指标或地区、该指标不发布的口径、说明文字和表尾注释都列为“未导入”并注明原因，其余数据照常导入；隐藏的行和列照常读取并注明。",
]

_SPACE = re.compile(r"\s+")
# Format characters (Unicode Cf) a copy from a web page or a BOM leaves in a cell: invisible, so a
# "地区" holding one looked right and was not found. NFKC keeps them; they are dropped with the spaces.
INVISIBLE = re.compile("[\u00ad\u180e\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u206f\ufeff]")
_PREFIX = re.compile(r"^(其中|内|含|#)[:：]?")
# A unit, a base or a period in brackets after a name (（亿元）, (万千瓦时), （上年同月=100）, （前三季度）)
# is taken off before the name is looked up (a unit is then checked against the catalogue's);
# anything else in brackets is part of the name: 社会消费品零售总额（限额以上） is a sub-item.
_NOTE_WORD = (r"(?:[十百千万亿]*(?:美元|元|吨标准煤|吨|千瓦时|人次|人|户|个|件|例|辆|台|套|家|项|平方米|立方米|公里|米|头|亩|公顷)"
              r"(?:/[^()（）]{1,6})?|%|‰|个?百分点|微克/立方米|[^()（）=]{0,6}=100"
              r"|一季度|上半年|前三季度|全年|(?:1[-—－~～至])?\d{1,2}月(?:份)?(?:累计)?|累计|当月|本月)")
_PAREN_TAIL = re.compile(rf"[（(]{_NOTE_WORD}[)）]$")
_ORDINAL = re.compile(r"^(\d+|[一二三四五六七八九十]+)[、.．]\s*|^[（(][一二三四五六七八九十\d]+[)）]\s*")
# Marks for "not published / no data", compared after NFKC and lower-casing ("…" becomes "...").
NOT_AVAILABLE = {"", "—", "-", "--", "——", "…", "……", "...", "......", "－", "/", "x", "×", "无数据", "–", "−", "‒", "‐",
                 "*", "未公布", "暂无", "暂缺", "保密"}  # * marks a figure kept confidential (保密) in releases
# The total row of a table of areas: the city's, unless the table is a county's own (layout_wide).
TOTALS = ("全市", "合计", "全市合计", "总计", "全市总计")
ZONE_NAMES = ("示范区", "城乡一体化示范区", "一体化示范区", "城乡一体化",
              *(f"{prefix}{zone}" for prefix in dict.fromkeys([city.SHORT, city.NAME]) for zone in ("示范区", "城乡一体化示范区")))


def norm(text) -> str:
    """NFKC (full-width -> half-width), all whitespace removed, and a span of months written as one
    form (1—10月: see _spans)."""
    if text is None or (isinstance(text, float) and pd.isna(text)):
        return ""
    t = _SPACE.sub("", INVISIBLE.sub("", unicodedata.normalize("NFKC", str(text))))
    return _spans(t) if "月" in t else t


# The ways clerks write a span of months from January, made 1—10月: 1月至10月, 1月份-10月份, 1——10月
# (an input method's double dash), 1–10月 (en dash), 前10个月, and Chinese numerals (二〇二六年十月).
# "2026年1月至10月" was read as January; "1——10月" as a single month.
_CN_DIGITS = str.maketrans("〇零一二三四五六七八九", "00123456789")
_CN_YEAR = re.compile(r"([〇零一二三四五六七八九]{4})年")
_CN_MONTH = re.compile(r"(?<=[年前至到—-])(十[一二]?|[一二三四五六七八九])(?=个?月|[至到—-])")
_FIRST_MONTHS = re.compile(r"前(\d{1,2})个月")
_SPAN = re.compile(r"(?<!\d)1(?:月份?)?(?:[-—–―~〜至到]|－)+(\d{1,2})(?=月)")


def _cn_month(m: re.Match) -> str:
    t = m.group(1)
    return str(10 + (0 if t == "十" else "一二".index(t[1]) + 1)) if t.startswith("十") else t.translate(_CN_DIGITS)


def _spans(t: str) -> str:
    t = _CN_YEAR.sub(lambda m: m.group(1).translate(_CN_DIGITS) + "年", t)
    t = _CN_MONTH.sub(_cn_month, t)
    t = _FIRST_MONTHS.sub(r"1—\1月", t)
    return _SPAN.sub(r"1—\1", t).replace("1—1月", "1月")


# Footnote marks around a name (社会消费品零售总额①, 梁园区*, △规模以上工业增加值), taken off before NFKC,
# which would make ① and ¹ a digit like any other.
_NOTE_MARKS = re.compile(r"^[△▲☆★※*＊\u2460-\u2473\u3251-\u325f\u32b1-\u32bf]+|(?:[\u2460-\u2473\u3251-\u325f\u32b1-\u32bf\u00b9\u00b2\u00b3"
                         r"\u2070-\u2079*＊※†‡§△▲☆★]|\[\d{1,2}\]|［\d{1,2}］)+$")


def name_key(text) -> str:
    """A region or indicator name stripped of what people add around it."""
    t = norm(_NOTE_MARKS.sub("", text.strip()) if isinstance(text, str) else text)
    t = _ORDINAL.sub("", t)
    t = _PREFIX.sub("", t)
    return t.strip(":：")


class Resolver:
    """Text -> code with the forgiving rules above; unknown text -> None."""

    def __init__(self, pairs: dict[str, str]):
        self.map = {}
        for text, code in pairs.items():
            self.map.setdefault(name_key(text).upper(), code)

    def __call__(self, text) -> str | None:
        if isinstance(text, float) and text.is_integer():
            text = int(text)  # a region code typed as a number
        key = name_key(text).upper()
        if not key:
            return None
        hit = self.map.get(key)
        if hit is None:
            stripped = _PAREN_TAIL.sub("", key)
            hit = self.map.get(stripped)
        return hit


# What a total includes or leaves out, in brackets: 全市（含示范区）, 全市主要经济指标（不含示范区）
INCLUDING = re.compile(r"[(（](不)?(?:含|包括)([^()（）]*)[)）]")


class RegionResolver(Resolver):
    """Also the 9- and 12-digit codes of the national division code (统计用区划代码: 411402000000 is
    411402, as the systems of the province and the ministries write a county); a township's own code
    (411402001000) is not its county's and stays unknown."""

    def __call__(self, text) -> str | None:
        hit = super().__call__(text)
        if hit is None:
            key = name_key(int(text) if isinstance(text, float) and text.is_integer() else text)
            if key.isascii() and key.isdigit() and len(key) in (9, 12) and not key[6:].strip("0"):
                hit = self.map.get(key[:6])
            elif (m := INCLUDING.search(key)) and m.end() == len(key) and not m.group(1):
                # 全市（含示范区） is the city's total; 睢阳区（含示范区） is not 睢阳区's 口径 (nor is 不含)
                whole = self.map.get(key[:m.start()].upper())
                hit = whole if whole is not None and whole == self.map.get("全市") else None
        return hit


def region_resolver(regions: pd.DataFrame, aliases: dict[str, str] | None = None) -> Resolver:
    """Codes, names, short names (suffix 县/区/市 left off), the city's totals and the zone's common
    names; then the aliases staff stored. (市本级 is the city government's own part, not the city.)"""
    pairs = {}
    for r in regions.itertuples():
        pairs[r.code] = r.code
        pairs[r.name] = r.code
        pairs[r.short_name] = r.code
    city = regions[regions.level == "city"]
    if len(city):
        for alias in TOTALS:
            pairs[alias] = city.code.iloc[0]
        # Exports of provincial and city systems name a county with its city first (the city's name, then 梁园区).
        for prefix in dict.fromkeys([city.name.iloc[0], city.short_name.iloc[0]]):
            for r in regions[regions.level != "city"].itertuples():
                pairs.setdefault(prefix + r.name, r.code)
                pairs.setdefault(prefix + r.short_name, r.code)
    zone = regions[regions.level == "zone"]
    if len(zone):
        for alias in ZONE_NAMES:
            pairs.setdefault(alias, zone.code.iloc[0])
    return RegionResolver({**pairs, **{k: v for k, v in (aliases or {}).items() if k not in pairs}})


def _synonyms() -> dict[str, str]:
    """data/indicator_synonyms.csv: the other names statistics offices give the catalogue's
    indicators (社零总额, 规上工业增加值, 地方一般公共预算收入 — the catalogue's own 口径 wording). Each
    county's first file lost these rows until someone mapped them."""
    with (ROOT / "data" / "indicator_synonyms.csv").open(encoding="utf-8", newline="") as fh:
        return {r["synonym"]: r["code"] for r in csv.DictReader(fh)}


SYNONYMS = _synonyms()


def indicator_resolver(indicators: pd.DataFrame, aliases: dict[str, str] | None = None) -> Resolver:
    """Codes and names, then the names staff mapped, then the shipped synonyms of indicators the
    catalogue has (a city's own catalogue may lack one)."""
    pairs = {}
    for r in indicators.itertuples():
        pairs[r.code] = r.code
        pairs[r.name] = r.code
    for k, v in (aliases or {}).items():
        pairs.setdefault(k, v)
    known = set(indicators.code)
    for k, v in SYNONYMS.items():
        if v in known:
            pairs.setdefault(k, v)
    return Resolver(pairs)


# Measures: codes, their Chinese names, and what 统计月报 headers say.
MEASURE_WORDS = {
    "month": "month", "当月": "month", "本月": "month", "当月值": "month", "本月值": "month",
    "ytd": "ytd", "累计": "ytd", "本年累计": "ytd", "累计值": "ytd", "年初至今": "ytd",
    "month_yoy": "month_yoy", "当月同比": "month_yoy", "本月同比": "month_yoy", "当月增速": "month_yoy",
    "当月同比增长": "month_yoy", "当月同比增长(%)": "month_yoy", "当月同比(%)": "month_yoy",
    "ytd_yoy": "ytd_yoy", "累计同比": "ytd_yoy", "累计增速": "ytd_yoy", "累计同比增长": "ytd_yoy",
    "累计同比增长(%)": "ytd_yoy", "累计同比(%)": "ytd_yoy", "本年累计同比": "ytd_yoy",
}


def measure_code(text) -> str | None:
    t = norm(text)
    if t in MEASURE_WORDS:
        return MEASURE_WORDS[t]
    return measure_from_header(t)


# Column wording of 统计月报 headers, as statistics offices write it (after NFKC, spaces removed).
_RANGE = r"1[-—–~至到]\d{1,2}月"
YTD_WORDS = re.compile(_RANGE + r"|累计|本年|年初|自年初|全年|季度|上半年|前三季度|1月份?至")
MONTH_WORDS = re.compile(r"当月|本月|单月|(?<![\d-])\d{1,2}月(份)?(?!\d)")
YOY_WORDS = re.compile(r"同比|增长|增速|增幅|增减|比上年|比去年|±|升降|涨跌")
POINTS_WORDS = re.compile(r"百分点")  # a rate's change in points (失业率 比上年 ±0.2 个百分点): no growth rate
# 增速较1—9月±: the growth rate's change since the period before, in points even when not said
RATE_CHANGE_WORDS = re.compile(r"(?:增速|增幅|同比)(?:较|比)(?:1—\d{1,2}月|上月|上期|上季)")
CHANGE_WORDS = re.compile(r"增减额|增减量|增减数|增减值|增加额|增长额|减少额|增量")  # an amount, not a rate
BEFORE_WORDS = re.compile(r"^(?:上月|上期)(?:累计|数|值)?")  # last month's figure, beside this month's
THIS_YEAR_OVER = re.compile(r"比上年|较上年|比去年|较去年|同比")
LAST_YEARS_RATE = re.compile(r"^(?:上年|去年)(?:同期|同月)?(?:增速|增长率|增幅|增长)")  # 上年同期增速: last year's own
MOM_WORDS = re.compile(r"环比|比上月|较上月")
LAST_YEAR_WORDS = re.compile(r"上年同期|去年同期|上年同月|上年累计|上年|去年")  # 今年1-10月 | 去年1-10月
AVERAGE_WORDS = re.compile(r"[两三五]年平均|年均|几何平均")  # 两年平均增长%: no year's own growth
SHARE_WORDS = re.compile(r"占比|比重|占全市|占全省|结构")
RANK_WORDS = re.compile(r"位次|排序|排名|名次|位序")
PLAN_WORDS = re.compile(r"目标|计划|任务|预计")
VALUE_WORDS = re.compile(r"绝对|数值|总量|总额|金额|完成|本期|实绩|数据|^值$|^数$|[亿万千]?元|千瓦时|吨|人次|户|件|例|^%$")


def scope_of(text) -> str | None:
    """ytd when a text names a cumulative period (1—10月, 累计, 本年), month when a single month."""
    t = norm(text)
    month = MONTH_WORDS.search(t)
    if month:  # 本月 over 本年 | 上年: this year's month, not 本年(累计)
        t = t.replace("本年", "")
    return "ytd" if YTD_WORDS.search(t) else ("month" if month else None)


def read_header(text: str) -> tuple[str, str | None, str | None]:
    """(what, scope, rate) of a column header: what is value | rank | mom | points | change | before | average
    | last_year | share | plan | unknown;
    scope ytd | month | None (not said); rate "yoy" or None."""
    t = norm(text)
    if RANK_WORDS.search(t):
        return "rank", None, None
    if MOM_WORDS.search(t):
        return "mom", None, None
    if POINTS_WORDS.search(t) or RATE_CHANGE_WORDS.search(t):
        return "points", None, None
    if CHANGE_WORDS.search(t):
        return "change", None, None
    if BEFORE_WORDS.search(t):
        return "before", None, None
    if AVERAGE_WORDS.search(t):
        return "average", None, None
    yoy = bool(YOY_WORDS.search(t))
    # 上年同期 | 上年同期增速%: last year's figure or its rate; 比上年同期增长% is this year's growth
    if LAST_YEAR_WORDS.search(t) and not (yoy and (THIS_YEAR_OVER.search(t) or not LAST_YEARS_RATE.search(t))):
        return "last_year", None, None
    if SHARE_WORDS.search(t) and not yoy:
        return "share", None, None
    if PLAN_WORDS.search(t):
        return "plan", None, None
    scope = scope_of(t)
    if scope is None and not yoy and not VALUE_WORDS.search(t):
        return "unknown", None, None
    return "value", scope, "yoy" if yoy else None


def measure_from_header(text: str, default_scope: str | None = None) -> str | None:
    """A 统计月报 column header (group and sub-header joined) -> measure, or None.
    `default_scope` is the sheet's (a title "1—10月" makes a bare 增速 column 累计同比)."""
    what, scope, rate = read_header(text)
    scope = scope or default_scope
    if what != "value" or scope is None:
        return None
    return f"{scope}_yoy" if rate else scope


_UNIT_IN = re.compile(r"[(（]([^()（）]{1,8})[)）]$")
_NO_UNIT = re.compile(r"\d{4}|年|上年|同期")  # (2026年), (上年同期): a period, not a unit


def unit_in(headers: list[str]) -> str | None:
    """The unit a column header names in brackets (1—10月（万元）, 数值(亿元)), never its period."""
    for h in headers:
        m = _UNIT_IN.search(norm(h))
        if m and scope_of(m.group(1)) is None and not _NO_UNIT.search(m.group(1)):
            return m.group(1)
    return None


_RATE = re.compile(r"(?:同比|比上年同期|比上年|比去年同期)?(?:增速|增长率|增长|增幅|增减|±)(?:\(%\)|%)?$|同比(?:\(%\)|%)?$")


def rate_of(name) -> str | None:
    """What a row label names the growth rate of: "" for a bare 增速 (the indicator above), the
    indicator's own name for 规模以上工业增加值增速; None when the label is no rate."""
    t = name_key(name)
    m = _RATE.search(t)
    return t[:m.start()] if m else None
