"""Warning-rule settings: rules.toml in the project root, overridden key by key by
<data_dir>/rules.local.toml (the 预警中心 page writes that file, never the shipped one).

The thresholds of every measurement a page and a rule share (12345 surges, late reporting,
public-health surges) are read from here, so the two can never disagree. A schema names every
key with its type: a misspelt key or a wrong type is refused with its name, before anything
relies on it.
"""
from __future__ import annotations

import copy
from functools import lru_cache
from pathlib import Path

import tomli_w

from .config import ROOT, Settings, read_toml

RULES_FILE = ROOT / "rules.toml"
LOCAL_NAME = "rules.local.toml"
RULE_TITLES = {
    "threshold": "超出阈值", "plan_lag": "规划指标落后序时进度", "target_lag": "年度目标落后序时进度",
    "yoy_swing": "同比大幅波动", "forecast_interval": "超出预测区间", "stl_anomaly": "异常值（季节分解残差）",
    "stale": "数据缺报或逾期", "task_overdue": "重点任务逾期", "task_stalled": "重点任务停滞",
    "hotline_surge": "12345 工单激增", "health_surge": "公共卫生监测异常", "source_overdue": "数据超期",
}
NUMBER = (int, float)
COMMON = {"enabled": bool, "for_minutes": NUMBER}
RULES = {
    "threshold": {"items": list},
    "plan_lag": {},  # its bands are lag_red_pp / lag_yellow_pp in cockpit.toml, shared with the lights
    "target_lag": {"red_pp": NUMBER, "yellow_pp": NUMBER, "growth_red_pp": NUMBER, "growth_yellow_pp": NUMBER},
    "yoy_swing": {"points": NUMBER, "kinds": list},
    "forecast_interval": {"level_pct": int, "adverse_only": bool},
    "stl_anomaly": {"z": NUMBER, "min_points": int, "adverse_only": bool},
    "stale": {"monthly_due_day": int, "quarterly_due_day": int, "skip_january": list},
    "task_overdue": {"orange_after_days": int},
    "task_stalled": {"reports": int, "level": int},
    "hotline_surge": {"days": int, "baseline_days": int, "min_count": int, "ratio_yellow": NUMBER,
                      "ratio_orange": NUMBER, "by": list},
    "health_surge": {"yoy_pct": NUMBER, "history_years": int, "max_margin_pct": NUMBER, "from_zero_count": int},
    "source_overdue": {"grace_minutes": NUMBER, "orange_after_hours": NUMBER},
}
TABLES = {"schedule": {"interval_minutes": NUMBER},
          "notify": {"retries": int, "timeout_seconds": NUMBER, "min_level": int, "targets": list}}
ITEMS = {("rules", "threshold", "items"): {"indicator", "measure", "region", "above", "below", "level"},
         ("notify", "targets"): {"kind", "url"}}
SETTING_NAMES = {  # how the 预警中心 settings form labels each key
    "for_minutes": "持续多少分钟后触发（0 为立即）", "red_pp": "红色：落后超过（个百分点）",
    "yellow_pp": "黄色：落后超过（个百分点）", "growth_red_pp": "增速目标红色：低于目标超过（个百分点）",
    "growth_yellow_pp": "增速目标黄色：低于目标超过（个百分点）", "points": "同比变动超过（个百分点）",
    "level_pct": "预测区间（80、95 或 99）", "z": "残差超过稳健标准差的倍数", "min_points": "至少需要的期数",
    "monthly_due_day": "月度数据：次月几日前报送", "quarterly_due_day": "季度数据：季后次月几日前报送",
    "orange_after_days": "逾期超过多少天为橙色", "reports": "连续几次报送进度不变", "level": "预警级别（1—4）",
    "days": "近期天数", "baseline_days": "对照的此前天数", "min_count": "近期至少多少件",
    "ratio_yellow": "黄色：为常态的倍数", "ratio_orange": "橙色：为常态的倍数", "yoy_pct": "当月同比超过（%）",
    "history_years": "对照近几年同月", "max_margin_pct": "超过同月最高（%）",
    "from_zero_count": "同月历年均为 0 时，本月至少多少例（人次）为异常",
    "grace_minutes": "超过计划时间多少分钟仍未更新即预警", "orange_after_hours": "超期多少小时为橙色",
}
TYPE_WORDS = {bool: "true 或 false", int: "整数", NUMBER: "数字", list: "列表"}


def local_file(cfg: Settings) -> Path:
    return Path(cfg.data_dir) / LOCAL_NAME


def _merge(base: dict, over: dict) -> dict:
    out = copy.deepcopy(base)
    for k, v in over.items():
        out[k] = _merge(out[k], v) if isinstance(v, dict) and isinstance(out.get(k), dict) else v
    return out


def _check_type(where: str, key: str, value, kind) -> None:
    ok = isinstance(value, kind) and not (isinstance(value, bool) and kind is not bool)
    if not ok:
        raise ValueError(f"{where} 的 {key} 应为{TYPE_WORDS[kind]}，现为“{value}”")


def _check_items(where: str, key: str, items: list, allowed: set[str]) -> None:
    for i, item in enumerate(items, start=1):
        unknown = sorted(set(item) - allowed) if isinstance(item, dict) else ["（不是表）"]
        if unknown:
            raise ValueError(f"{where} 的 {key} 第 {i} 项有未知的设置：{'、'.join(unknown)}")


def check(doc: dict, source: str = "预警规则配置") -> dict:
    """Refuse what the schema does not know, naming the table and the key; returns `doc`."""
    unknown = sorted(set(doc) - {"rules", *TABLES})
    if unknown:
        raise ValueError(f"{source}中有未知的表：{'、'.join(unknown)}")
    rules = doc.get("rules", {})
    unknown = sorted(set(rules) - set(RULES))
    if unknown:
        raise ValueError(f"{source}中有未知的规则：{', '.join(unknown)}")
    tables = [(("rules", name), rc, COMMON | RULES[name]) for name, rc in rules.items()]
    tables += [((name,), doc[name], TABLES[name]) for name in TABLES if name in doc]
    for path, table, schema in tables:
        where = f"{source} [{'.'.join(path)}]"
        for key, value in table.items():
            if key not in schema:
                raise ValueError(f"{where} 中有未知的设置：{key}")
            _check_type(where, key, value, schema[key])
            if (*path, key) in ITEMS:
                _check_items(where, key, value, ITEMS[(*path, key)])
    return doc


@lru_cache(maxsize=8)
def _read(path: str, mtime: float) -> dict:
    return read_toml(Path(path), "预警规则文件")


def _toml(path: Path) -> dict:
    return _read(str(path), path.stat().st_mtime) if path.is_file() else {}


def load(cfg: Settings | None = None, path: Path | None = None) -> dict:
    """rules.toml, then the local overrides of `cfg`'s data folder, checked against the schema.
    Files are re-read when they change; the caller gets its own copy."""
    doc = check(_toml(path or RULES_FILE), (path or RULES_FILE).name)
    if cfg is not None and local_file(cfg).is_file():
        doc = check(_merge(doc, _toml(local_file(cfg))), f"{RULES_FILE.name} 与 {LOCAL_NAME}")
    return copy.deepcopy(doc)


def rule(name: str, rc: dict | None = None) -> dict:
    """One rule's settings: the shipped rules.toml table with `rc` over it (rc: what a caller
    already loaded with the local overrides, or a test's few values)."""
    return {**load()["rules"].get(name, {}), **(rc or {})}


def save_local(cfg: Settings, overrides: dict) -> Path:
    """Write the admin's overrides after checking them merged over rules.toml: a broken file is
    refused before it exists, never found by the next evaluation."""
    check(_merge(load(), overrides), LOCAL_NAME)
    path = local_file(cfg)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    tmp.write_text(tomli_w.dumps(overrides), encoding="utf-8")
    tmp.replace(path)
    return path
