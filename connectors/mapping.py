"""From a source's own columns or JSON fields to our datasets' columns.

A mapping in sources.toml names, per column of ours, the source's column (SQL, CSV) or a dotted
path into each JSON record ("area.code", "items.0.name"). Without one, a source whose columns are
already called as ours or as the upload templates' headers (地区, 工单编号, 受理时间 …) needs none.
A mapped column the source no longer returns is schema drift: refused, naming both names.
Systems keep a state or a rating as a code (zt = 3): `values` gives, per column of ours, the
source's codes with our words ({ "3" = "已办结" }).
"""
from __future__ import annotations

import json
from typing import Any

import numpy as np
import pandas as pd

from cockpit.datasets import DATASET_COLUMNS, KEYED
from cockpit.uploads.layout_long import LONG_HEADERS, TASK_HEADERS, header_key
from cockpit.uploads.layout_records import HEADERS as RECORD_HEADERS
from cockpit.uploads.records import FIELDS as RECORD_FIELDS

from .base import Option, SourceError

OBSERVATION_TITLES = {"region_code": "地区", "indicator_code": "指标", "period": "时期", "measure": "口径",
                      "value": "数值"}
TASK_TITLES = {"task_number": "序号", "reported_on": "报送日期", "status": "进展状态", "percent": "完成比例",
               "note": "进展说明", "reporting_unit": "报送单位"}
SHORT = {"region": "region_code", "indicator": "indicator_code"}  # the long template's own words
MISSING = object()  # no value at a path (None is a value: JSON null)
# Systems on 高德/腾讯 or 百度 maps keep their own datum; events are drawn in WGS-84 (cockpit.datum).
COORDINATES = Option("经纬度坐标系：wgs84（默认）、gcj02（高德、腾讯地图）或 bd09（百度地图）", str, "wgs84")


def titles(dataset: str) -> dict[str, str]:
    """Our columns of `dataset` with their Chinese names (the upload template's headers)."""
    if dataset == "observations":
        return OBSERVATION_TITLES
    if dataset == "task_progress":
        return TASK_TITLES
    return {f: spec.title for f, spec in RECORD_FIELDS[dataset].items()}


def required(dataset: str) -> set[str]:
    if dataset == "observations":
        return set(OBSERVATION_TITLES)
    if dataset == "task_progress":
        return {"task_number", "status", "percent", "reporting_unit"}
    return {f for f, spec in RECORD_FIELDS[dataset].items() if spec.required}


def _synonyms(dataset: str) -> dict[str, str]:
    """Header text (normalised) -> our column, for sources that need no mapping."""
    if dataset == "observations":
        table = {k: SHORT.get(v, v) for k, v in LONG_HEADERS.items() if v != "unit"}
    elif dataset == "task_progress":
        table = dict(TASK_HEADERS)
    else:
        table = dict(RECORD_HEADERS[dataset])
    return {**table, **{c: c for c in titles(dataset)}, **{k: v for k, v in SHORT.items() if dataset == "observations"}}


def normalise_mapping(dataset: str, mapping: dict | None) -> dict[str, str]:
    """The operator's mapping with our column names checked: an unknown one is refused by name."""
    mapping = {SHORT.get(k, k) if dataset == "observations" else k: v for k, v in (mapping or {}).items()}
    known = titles(dataset)
    unknown = sorted(set(mapping) - set(known))
    if unknown:
        raise ValueError(f"映射中有数据集 {dataset} 没有的列：{'、'.join(unknown)}；可用：{'、'.join(known)}")
    bad = [k for k, v in mapping.items() if not isinstance(v, str) or not v.strip()]
    if bad:
        raise ValueError(f"映射中 {'、'.join(bad)} 应写成来源的列名或字段路径（文字）")
    return mapping


def map_columns(frame: pd.DataFrame, dataset: str, mapping: dict[str, str] | None,
                values: dict | None = None) -> tuple[pd.DataFrame, dict]:
    """A source's table (SQL rows, a CSV) as our columns, codes put as our words (`values`); returns
    it and, per our column, the source's column it came from (for messages)."""
    mapping = normalise_mapping(dataset, mapping)
    if not mapping:
        synonyms = _synonyms(dataset)
        for col in frame.columns:
            field = synonyms.get(header_key(col)) or synonyms.get(str(col))
            if field and field not in mapping:
                mapping[field] = col
    returned = [str(c) for c in frame.columns]
    lost = {f: c for f, c in mapping.items() if c not in frame.columns}
    if lost:
        raise SourceError(_drift(dataset, lost, returned))
    _need(dataset, mapping)
    out = pd.DataFrame({f: frame[c].to_numpy(dtype=object) if f in mapping else None
                        for f, c in _all(dataset, mapping).items()}, index=range(len(frame)))
    return recode(out, normalise_values(dataset, values)), mapping


def map_records(records: list, dataset: str, mapping: dict[str, str] | None,
                values: dict | None = None) -> tuple[pd.DataFrame, dict]:
    """JSON records (dicts) as our columns, each of ours read by its dotted path, codes put as our words."""
    mapping = normalise_mapping(dataset, mapping)
    if not mapping:  # records whose keys are our names or the template's headers
        keys = {k for r in records[:100] if isinstance(r, dict) for k in r}
        return map_columns(pd.DataFrame([{k: r.get(k) for k in keys} for r in records if isinstance(r, dict)]),
                           dataset, None, values) if records else (pd.DataFrame(columns=list(titles(dataset))), {})
    _need(dataset, mapping)
    columns: dict[str, list] = {f: [] for f in mapping}
    found = dict.fromkeys(mapping, 0)
    for r in records:
        for f, path in mapping.items():
            v = dotted(r, path)
            if v is MISSING:
                v = None
            else:
                found[f] += 1
            columns[f].append(v)
    lost = {f: mapping[f] for f, n in found.items() if n == 0}
    if lost and records:  # a field no record has: the API changed, not a record without a value
        raise SourceError(_drift(dataset, lost, sorted({k for r in records[:20] if isinstance(r, dict) for k in r})))
    out = pd.DataFrame({f: columns.get(f) for f in _all(dataset, mapping)}, index=range(len(records)))
    return recode(out, normalise_values(dataset, values)), mapping


def normalise_values(dataset: str, values: dict | None) -> dict[str, dict[str, Any]]:
    """The operator's code tables (`values`: our column -> {the source's code: our word}) checked:
    an unknown column or a table that is not one is refused by name. Codes are compared as text."""
    values = {SHORT.get(k, k) if dataset == "observations" else k: v for k, v in (values or {}).items()}
    unknown = sorted(set(values) - set(titles(dataset)))
    if unknown:
        raise ValueError(f"values 中有数据集 {dataset} 没有的列：{'、'.join(unknown)}；可用：{'、'.join(titles(dataset))}")
    bad = [k for k, t in values.items() if not isinstance(t, dict) or not t]
    if bad:
        raise ValueError(f"values 中 {'、'.join(bad)} 应写成代码对照表，如 {{ \"1\" = \"办理中\", \"3\" = \"已办结\" }}")
    return {k: {_code(c): w for c, w in t.items()} for k, t in values.items()}


def recode(frame: pd.DataFrame, values: dict[str, dict[str, Any]]) -> pd.DataFrame:
    """Each column with a code table (normalise_values) with its codes put as our words; a value
    the table does not hold stays as it is, for the check to read or refuse by name."""
    for col, table in values.items():
        if col in frame.columns:
            raw = [str(v) if isinstance(v, (dict, list)) else v for v in frame[col].to_numpy(dtype=object)]
            codes, uniques = pd.factorize(np.array(raw, dtype=object), use_na_sentinel=True)  # a dict: named as text
            words = np.array([table.get(_code(u), u) for u in uniques] + [None], dtype=object)
            frame[col] = words[codes]  # -1 (no value) takes the None at the end
    return frame


def _code(v: Any) -> str:
    """A code as text: 3, 3.0 and " 3 " are one code."""
    if isinstance(v, float) and v.is_integer():
        v = int(v)
    return str(v).strip()


def dotted(obj: Any, path: str) -> Any:
    """obj's value at "a.b.0.c" (dict keys and list positions), or MISSING. A step through text that
    holds JSON (systems that send their data as a JSON string inside the JSON) reads that JSON."""
    for part in path.split("."):
        if isinstance(obj, str):
            obj = json_text(obj)
        if isinstance(obj, dict) and part in obj:
            obj = obj[part]
        elif isinstance(obj, list) and part.isdigit() and int(part) < len(obj):
            obj = obj[int(part)]
        else:
            return MISSING
    return obj


def json_text(obj: Any) -> Any:
    """The JSON inside `obj` when it is text holding an object or a list; else `obj`."""
    if isinstance(obj, str) and obj[:1] in "{[" and obj:
        try:
            return json.loads(obj)
        except (ValueError, RecursionError):  # not JSON after all, or nested past any data's depth
            return obj
    return obj


def newest(values, pick=max) -> Any:
    """The newest watermark among `values` (times, numbers or ISO text); None when there is none.
    pick=min: the oldest."""
    known = [v for v in values if v is not None and v is not MISSING and not (isinstance(v, float) and v != v)]
    if not known:
        return None
    if all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in known):
        return pick(known)
    return pick(known, key=lambda v: v.isoformat(sep=" ") if hasattr(v, "isoformat") else str(v))


def _all(dataset: str, mapping: dict[str, str]) -> dict[str, str | None]:
    cols = DATASET_COLUMNS[dataset] + (["source_key"] if dataset in KEYED else [])
    return {c: mapping.get(c) for c in cols}


def _need(dataset: str, mapping: dict[str, str]) -> None:
    missing = [titles(dataset)[f] + f"（{f}）" for f in sorted(required(dataset) - set(mapping))]
    if missing:
        raise SourceError(f"数据源没有提供必需的数据项：{'、'.join(missing)}；请在 sources.toml 的映射中指明来源的列或字段。")


def _drift(dataset: str, lost: dict[str, str], returned: list[str]) -> str:
    shown = "、".join(f"“{c}”（{titles(dataset)[f]}）" for f, c in lost.items())
    return (f"数据源返回的数据中没有{shown}；返回的是：{'、'.join(returned[:30]) or '（无）'}。"
            "可能是数据源改了列名或结构，本次未导入，原有数据不变；请核对 sources.toml 的映射。")
