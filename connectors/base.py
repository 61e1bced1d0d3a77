"""The small interface every source implements (after Streamlit's BaseConnection).

A connector turns a source into tidy frames with the store's canonical columns;
it knows nothing about pages, caching or charts, and never writes the store.
"""
from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, ClassVar

import pandas as pd

# Canonical columns per dataset; the ingest step checks frames against these.
DATASET_COLUMNS: dict[str, list[str]] = {
    "observations": ["indicator_code", "region_code", "period", "measure", "value"],
    "task_progress": ["task_number", "reported_on", "status", "percent", "note", "reporting_unit"],
    "emergency_events": ["event_type", "level", "title", "region_code", "place", "lon", "lat",
                         "occurred_at", "status", "closed_at"],
    "hotline_tickets": ["created_at", "region_code", "category", "channel", "status", "due_at",
                        "closed_at", "satisfaction"],
    "weather_warnings": ["kind", "level", "region_code", "issued_at", "expires_at", "issuer", "text"],
    "duty_roster": ["duty_date", "role", "name", "unit", "phone"],
}


@dataclass(frozen=True)
class Option:
    title: str  # shown to the operator, in Chinese
    type: type = str
    default: Any = None
    required: bool = False
    secret: bool = False  # read from the environment, never from the sources file


@dataclass
class Dataset:
    name: str  # a key of DATASET_COLUMNS
    frame: pd.DataFrame
    meta: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.name not in DATASET_COLUMNS:
            raise ValueError(f"未知的数据集：{self.name}（已知：{'、'.join(DATASET_COLUMNS)}）")
        missing = [c for c in DATASET_COLUMNS[self.name] if c not in self.frame.columns]
        if missing:
            raise ValueError(f"数据集 {self.name} 缺少列：{'、'.join(missing)}")
        self.frame = self.frame[DATASET_COLUMNS[self.name]]


class Connector(ABC):
    kind: ClassVar[str]
    title: ClassVar[str]
    options: ClassVar[dict[str, Option]] = {}

    def __init__(self, **values: Any):
        unknown = sorted(set(values) - set(self.options))
        if unknown:
            raise ValueError(f"数据源类型 {self.kind} 不认识这些设置：{'、'.join(unknown)}")
        self.values = {k: o.default for k, o in self.options.items()}
        for k, v in values.items():
            self.values[k] = None if v is None else self.options[k].type(v)
        missing = [o.title for k, o in self.options.items() if o.required and self.values[k] is None]
        if missing:
            raise ValueError(f"数据源类型 {self.kind} 缺少必填设置：{'、'.join(missing)}")

    @abstractmethod
    def read(self) -> Iterable[Dataset]: ...

    def check(self) -> str | None:
        """None when the source is reachable, else the reason in Chinese."""
        return None


registry: dict[str, type[Connector]] = {}


def register(cls: type[Connector]) -> type[Connector]:
    registry[cls.kind] = cls
    return cls


def connector_class(kind: str) -> type[Connector]:
    try:
        return registry[kind]
    except KeyError:
        raise ValueError(f"未知的数据源类型“{kind}”，可用类型：{'、'.join(sorted(registry))}") from None
