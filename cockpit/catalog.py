"""The shipped catalogue, read from data/: regions (GB/T 2260 codes), indicators, the plan's
tasks and the annual targets. Nothing about one city or one plan is written in code: the city
is the row of data/regions.csv whose level is "city", and the plan (its title, period and
targets) is data/plan/plan.toml with the files beside it.
"""
from __future__ import annotations

import csv
import datetime as dt
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import pandas as pd

from . import city, geo
from .config import ROOT, Settings, read_toml, settings

DATA = ROOT / "data"
TARGETS_FILE = DATA / "targets.csv"


def _read_csv(path: Path) -> list[dict]:
    with path.open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def _opt_float(v: str) -> float | None:
    return float(v) if v not in ("", None) else None


def _opt_bool(v: str) -> bool | None:
    return None if v in ("", None) else v == "1"


def region_rows(cfg: Settings) -> list[dict]:
    cents = geo.centroids(cfg.geojson)
    rows = []
    for r in _read_csv(DATA / "regions.csv"):
        lon, lat = cents.get(r["code"], (None, None))
        rows.append({**r, "parent_code": r["parent_code"] or None, "sort": int(r["sort"]),
                     "lon": lon, "lat": lat})
    return rows


@dataclass(frozen=True)
class Plan:
    """A plan with a period: its indicators' targets are due at `end`, its tasks by their deadlines.
    Before `end` progress is read against 序时进度; after it, as the final assessment."""
    id: str
    title: str  # as the document is titled, without 《》
    start: dt.date
    end: dt.date
    target_column: str  # the column of indicators.csv holding the targets
    folder: Path
    # The column holding each indicator's base (基期值, the level the plan starts from), where the plan
    # states one: progress is measured from it (metrics.plan_status), else from the store's figures.
    base_column: str | None = None

    @property
    def caliber(self) -> str:
        return f"《{self.title}》"

    @property
    def years(self) -> str:
        return f"{self.start.year}—{self.end.year} 年"

    @property
    def target_label(self) -> str:
        return f"{self.end.year}年目标"

    def ended(self, today: dt.date) -> bool:
        return today > self.end

    def bases(self) -> dict[str, float]:
        """code -> the base the plan states (blank: none stated, the store's figures decide)."""
        if not self.base_column:
            return {}
        path = self.folder / "indicators.csv"
        return _read_bases(path, path.stat().st_mtime, self.base_column)


PLAN_KEYS = {"id": str, "title": str, "start": dt.date, "end": dt.date, "target_column": str}
OPTIONAL_PLAN_KEYS = {"base_column": str}


@lru_cache(maxsize=4)
def _read_bases(path: Path, mtime: float, column: str) -> dict[str, float]:
    out = {}
    for line, r in enumerate(_read_csv(path), start=2):
        text = (r.get(column) or "").strip()
        if column not in r:
            raise ValueError(f"{path} 没有 plan.toml 中 base_column 指定的“{column}”列")
        if not text:
            continue
        try:
            out[r["code"]] = float(text)
        except ValueError:
            raise ValueError(f"{path} 第 {line} 行（{r['code']}）“{column}”列为“{text}”，应为数字或留空") from None
    return out


@lru_cache(maxsize=4)
def _read_plan(folder: Path, mtime: float) -> Plan:
    path = folder / "plan.toml"
    doc = read_toml(path, "规划文件")
    for key, kind in PLAN_KEYS.items():
        if not isinstance(doc.get(key), kind) or isinstance(doc.get(key), dt.datetime):
            raise ValueError(f"{path} 中的 {key} 缺失或格式不对（应为{'日期，如 2026-01-01' if kind is dt.date else '文字'}）")
    unknown = sorted(set(doc) - set(PLAN_KEYS) - set(OPTIONAL_PLAN_KEYS))
    if unknown:
        raise ValueError(f"{path} 中有未知的设置项：{', '.join(unknown)}")
    for key, kind in OPTIONAL_PLAN_KEYS.items():
        if key in doc and not isinstance(doc[key], kind):
            raise ValueError(f"{path} 中的 {key} 格式不对（应为文字）")
    if doc["end"] <= doc["start"]:
        raise ValueError(f"{path} 的规划期结束日 {doc['end']} 应晚于开始日 {doc['start']}")
    plan = Plan(folder=folder, **{k: doc[k] for k in PLAN_KEYS}, **{k: doc[k] for k in OPTIONAL_PLAN_KEYS if k in doc})
    plan.bases()  # a base that is no number stops `init` and the server's start, naming its cell
    return plan


def load_plan(folder: Path | None = None) -> Plan:
    """The plan in force: `plan_dir` (data/plan) holds plan.toml; re-read when the file changes."""
    folder = Path(folder or settings().plan_dir)
    if not (folder / "plan.toml").is_file():  # "文件或文件夹不存在" named no setting to look at
        raise OSError(f"找不到规划文件 {folder / 'plan.toml'}：请检查设置项 plan_dir（环境变量 COCKPIT_PLAN_DIR）")
    return _read_plan(folder, (folder / "plan.toml").stat().st_mtime)


def plan_indicators(indicators: pd.DataFrame, plan: Plan) -> pd.DataFrame:
    """The indicators of `plan` (a store keeps the indicators of earlier plans, with their targets)."""
    return indicators[(indicators.plan_id == plan.id) & indicators.plan_target.notna()]


# What an indicator's figures are; it decides how the cockpit computes a 同比 and what adds up.
KINDS = {
    "flow": "流量：逐月可加，累计为各月之和（零售额、办件量）；同比为百分比",
    "stock": "存量：期末时点数（实有经营主体）；同比为百分比",
    "ratio": "比率：百分数（失业率、优良天数比例）；同比、环比为增减的百分点",
    "index": "指数：上年同月=100（CPI），本身即同比，不再推算",
    "level": "水平值：平均数或浓度（PM2.5 平均浓度），不可相加；同比为百分比",
}


def indicator_rows(plan: Plan | None = None) -> list[dict]:
    plan = plan or load_plan()
    rows = []
    for line, r in enumerate(_read_csv(DATA / "indicators.csv"), start=2):
        if r["kind"] not in KINDS:
            raise ValueError(f"data/indicators.csv 第 {line} 行（{r['code']}）kind 列为“{r['kind']}”，"
                             f"应为 {'、'.join(KINDS)} 之一：" + "；".join(f"{k} {v}" for k, v in KINDS.items()))
        rows.append({**r, "definition": r["caliber"], "higher_is_better": _opt_bool(r["higher_is_better"]),
                     "min_value": _opt_float(r["min_value"]), "max_value": _opt_float(r["max_value"]),
                     "plan_target": None, "plan_id": None, "sort": int(r["sort"])})
    for r in _read_csv(plan.folder / "indicators.csv"):
        rows.append({
            "code": r["code"], "name": r["name"], "definition": r["definition"], "unit": r["unit"],
            "domain": "数字政府", "frequency": "Q", "kind": "ratio", "higher_is_better": _opt_bool(r["higher_is_better"]),
            "source_dept": "市行政审批和政务信息管理局", "measures": "month",
            "caliber": f"{plan.caliber}主要指标表",
            "min_value": 0.0, "max_value": 100.0, "plan_target": float(r[plan.target_column]),
            "plan_id": plan.id, "sort": 1000 + int(r["seq"])})
    return rows


def task_rows(plan: Plan | None = None) -> list[dict]:
    plan = plan or load_plan()
    rows, path = [], plan.folder / "tasks.csv"
    for line, r in enumerate(_read_csv(path), start=2):
        try:
            rows.append({
                **{k: r[k] for k in ("section", "section_title", "subsection", "text", "deadline_text",
                                     "deadline_kind", "units_text", "lead_units", "responsible_units")},
                "number": int(r["number"]), "section_no": int(r["section_no"]),
                "deadline_date": dt.date.fromisoformat(r["deadline_date"]) if r["deadline_date"] else None,
            })
        except (ValueError, KeyError) as exc:  # "invalid literal for int() with base 10" named no file or row
            raise ValueError(f"{path} 第 {line} 行有误（序号、章节号应为整数，时限日期应为 YYYY-MM-DD；"
                             f"缺列或值不对：{exc.args[0] if isinstance(exc, KeyError) else r.get('number')}）") from None
    return rows


CITY = city.CODE  # the one region of level "city" in data/regions.csv


@lru_cache(maxsize=4)
def _read_targets(path: str, mtime: float) -> pd.DataFrame:
    return pd.read_csv(path, dtype={"region_code": str, "indicator_code": str})


def load_targets(path: Path = TARGETS_FILE) -> pd.DataFrame:
    """Annual targets (indicator_code, region_code, year, measure, target, note); re-read when
    the file changes."""
    if not path.is_file():
        return pd.DataFrame(columns=["indicator_code", "region_code", "year", "measure", "target", "note"])
    return _read_targets(str(path), path.stat().st_mtime).copy()
