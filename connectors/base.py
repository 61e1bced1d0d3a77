"""The small interface every source implements (after Streamlit's BaseConnection).

A connector turns a source into tidy frames with the store's canonical columns;
it knows nothing about pages, caching or charts, and never writes the store.
"""
from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, ClassVar

from cockpit.datasets import DATASET_COLUMNS, Dataset  # noqa: F401  (re-exported: connectors build them)


@dataclass(frozen=True)
class Option:
    title: str  # shown to the operator, in Chinese
    type: type = str
    default: Any = None
    required: bool = False
    secret: bool = False  # read from the environment, never from the sources file


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
