"""Names as people write them -> codes: regions, indicators, headers, measures.

Every normalisation made here is listed in NORMALISATIONS (shown on the page and
in the README) so staff know exactly what the importer forgives.
"""
from __future__ import annotations

import re
import unicodedata

import pandas as pd

NORMALISATIONS = [
    "全角字母、数字、标点和空格按半角处理（如“１２３”→123、“：”→“:”）；",
    "名称前后及中间的空格忽略（“梁 园 区”→梁园区）；",
    "“其中：”“其中:”等前缀忽略（“其中：全程网办办件量”）；名称后括注的单位忽略（“社会消费品零售总额（亿元）”）；",
    "地区可写全称、简称或代码（梁园区、梁园、411402；全市、商丘市、411400）；指标可写名称或代码；",
    "数值可带千分位逗号（“1,234.5”）、前后空格；写成文本的数字按数字读取；“12.5%”按 12.5 读取（同比以百分数的数值填报）；",
    "“—”“-”“…”或空白表示暂无数据，不导入、不当作 0；",
    "时期可写 2026-10、2026年10月、2026.10、202610、2026/10/31 或 Excel 日期；",
    "表头可调换顺序，全角字符和多余空格忽略；模板外的列（如“位次”“备注”）列出后忽略。",
]

_SPACE = re.compile(r"\s+")
_PREFIX = re.compile(r"^(其中|内|含|#)[:：]?")
_PAREN_TAIL = re.compile(r"[（(][^（()）]*[)）]$")
_ORDINAL = re.compile(r"^(\d+|[一二三四五六七八九十]+)[、.．]\s*|^[（(][一二三四五六七八九十\d]+[)）]\s*")
NOT_AVAILABLE = {"", "—", "-", "--", "——", "…", "……", "－", "/", "无数据"}


def norm(text) -> str:
    """NFKC (full-width -> half-width), all whitespace removed."""
    if text is None or (isinstance(text, float) and pd.isna(text)):
        return ""
    return _SPACE.sub("", unicodedata.normalize("NFKC", str(text)))


def name_key(text) -> str:
    """A region or indicator name stripped of what people add around it."""
    t = norm(text)
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


def region_resolver(regions: pd.DataFrame) -> Resolver:
    pairs = {}
    for r in regions.itertuples():
        pairs[r.code] = r.code
        pairs[r.name] = r.code
        pairs[r.short_name] = r.code
    city = regions[regions.level == "city"]
    if len(city):
        for alias in ("全市", "市本级", "合计", "全市合计"):
            pairs[alias] = city.code.iloc[0]
    return Resolver(pairs)


def indicator_resolver(indicators: pd.DataFrame) -> Resolver:
    pairs = {}
    for r in indicators.itertuples():
        pairs[r.code] = r.code
        pairs[r.name] = r.code
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


_YTD_WORDS = re.compile(r"累计|1[-—－~至]\d{1,2}月|本年|年初|全年|季度|上半年")
_MONTH_WORDS = re.compile(r"当月|本月|单月")
_YOY_WORDS = re.compile(r"同比|增长|增速|增幅|比上年|±%")


def measure_from_header(text: str) -> str | None:
    """A 统计月报 column header (group and sub-header joined) -> measure, or None."""
    t = norm(text)
    if not t:
        return None
    yoy = bool(_YOY_WORDS.search(t))
    if _YTD_WORDS.search(t):
        return "ytd_yoy" if yoy else "ytd"
    if _MONTH_WORDS.search(t):
        return "month_yoy" if yoy else "month"
    return None
