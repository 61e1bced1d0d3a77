"""The small interface every source implements (after Streamlit's BaseConnection).

A connector turns a source into tidy frames with the store's canonical columns (values as the
source holds them: names or codes, text or typed times; service.sources checks them as an upload
is checked), or hands over whole files that are read exactly as an upload. It knows nothing about
pages, caching or charts, and never writes the store. What goes wrong becomes a SourceError whose
message, in Chinese, the operator reads on the 数据源 page: never a password or a token.
"""
from __future__ import annotations

import math
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, ClassVar

from cockpit.datasets import DATASET_COLUMNS, Dataset  # noqa: F401  (re-exported: connectors build them)


@dataclass(frozen=True)
class Option:
    title: str  # shown to the operator, in Chinese
    type: type = str
    default: Any = None
    required: bool = False
    secret: bool = False  # read from the environment, never from the sources file
    # A number's bounds, checked when the file is read: backoff_seconds = -1 and timeout_seconds = 0
    # were taken and failed at pull time with a traceback (a sleep of −1 s, a read timeout of 0).
    minimum: float | None = None  # at least this
    above: float | None = None  # more than this
    check: Callable[[Any], None] | None = None  # raises ValueError (Chinese) for a value of the right type


class SourceError(Exception):
    """The source could not be read; the message says why, in Chinese, without secrets."""


@dataclass(frozen=True)
class File:
    """A file a source hands over whole (a drop folder's workbook, an API's CSV): read exactly as an
    upload on the 数据报送 page is (service.uploads.check_file)."""
    name: str
    data: bytes
    path: Path | None = None  # where it lies, for a folder to move it once it is imported or refused
    refused: str | None = None  # why the source could not even read it (then `data` is empty)


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
            self.values[k] = None if v is None else _typed(self.kind, k, self.options[k], v)
        missing = [o.title for k, o in self.options.items() if o.required and self.values[k] is None]
        if missing:
            raise ValueError(f"数据源类型 {self.kind} 缺少必填设置：{'、'.join(missing)}")

    # The newest value of the watermark column already read, per dataset (set by the runner before
    # read()): an incremental source reads only what changed since.
    watermarks: dict[str, Any] = {}

    @abstractmethod
    def read(self) -> Iterable[Dataset | File]: ...

    def check(self) -> str | None:
        """None when the source is reachable, else the reason in Chinese."""
        return None

    def finished(self, item: File, ok: bool, reason: str) -> None:
        """Told once a file it handed over was imported (ok) or refused (reason, in Chinese)."""

    def guard(self, store_url: str) -> None:
        """Raises SourceError when the source would read the cockpit's own store (called before read)."""


TYPE_WORDS = {str: "文字", int: "整数", float: "数字", bool: "true 或 false", list: "列表", dict: "表（键 = 值）"}


def _typed(kind: str, key: str, option: Option, value: Any) -> Any:
    """A setting converted to its declared type, or a Chinese refusal naming it."""
    want = option.type
    ok = isinstance(value, want) and not (isinstance(value, bool) and want is not bool)
    if not ok and want in (float, str) and isinstance(value, (int, float)) and not isinstance(value, bool):
        value, ok = want(value), True
    if not ok:
        raise ValueError(f"数据源类型 {kind} 的设置 {key}（{option.title}）应为{TYPE_WORDS.get(want, want.__name__)}，"
                         f"现为“{value}”")
    if want in (int, float):
        named = f"数据源类型 {kind} 的设置 {key}（{option.title}）"
        if not math.isfinite(value):
            raise ValueError(f"{named}应为有限的数，现为“{value}”")
        if option.above is not None and value <= option.above:
            raise ValueError(f"{named}应大于 {option.above:g}，现为 {value:g}")
        if option.minimum is not None and value < option.minimum:
            raise ValueError(f"{named}不能小于 {option.minimum:g}，现为 {value:g}")
    if option.check is not None:
        try:
            option.check(value)
        except ValueError as exc:
            raise ValueError(f"数据源类型 {kind} 的设置 {key}（{option.title}）：{exc}") from None
    return value


registry: dict[str, type[Connector]] = {}


def register(cls: type[Connector]) -> type[Connector]:
    registry[cls.kind] = cls
    return cls


def connector_class(kind: str) -> type[Connector]:
    try:
        return registry[kind]
    except KeyError:
        raise ValueError(f"未知的数据源类型“{kind}”，可用类型：{'、'.join(sorted(registry))}") from None
