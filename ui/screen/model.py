"""What a wall board shows, as plain data: loaded from the store in one step, drawn in another.

The split is what lets a wall keep its last good figures when the store fails: a board that
was loaded can be drawn again without touching the database (docs/architecture.md, "A wall
display").
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

# Where a panel goes on the canvas (assets/screen.css arranges them for 16:9 and 32:9).
AREAS = ("main", "left", "right", "side")


@dataclass(frozen=True)
class Tile:
    """A headline figure: label, value and unit, one line under it (同比, period)."""
    label: str
    value: str
    unit: str = ""
    note: str = ""
    tone: str = ""  # good | bad | alert | "" (the colour of the note, following higher_is_better)


@dataclass(frozen=True)
class Row:
    """One line of a list panel; level 1..4 draws the 红橙黄蓝 mark, light the 红黄绿 one."""
    text: str
    detail: str = ""
    level: int | None = None
    light: str | None = None


@dataclass
class Panel:
    """One panel: small tiles, then a chart (a cockpit.charts.Chart; maps are charts too) or rows,
    or a message."""
    title: str
    chart: Any = None
    figure: Any = None  # the chart styled for the wall (render.prepare)
    rows: list[Row] = field(default_factory=list)
    tiles: list[Tile] = field(default_factory=list)
    message: str = ""  # shown when there is nothing else: never a blank panel
    caption: str = ""
    # How many items the rows stand for when a board passes only the first of them (the 8 most severe
    # of 22 alerts): the note under the last row shown counts from this, not from len(rows).
    total: int | None = None
    dense: bool = False  # smaller rows, set by render.prepare when the list would not fit at full size


@dataclass(frozen=True)
class Alarm:
    """A firing red or orange warning the banner names."""
    level: int
    text: str


@dataclass
class Board:
    name: str
    as_of: str  # 数据截至
    tiles: list[Tile]
    panels: dict[str, Panel]
    caliber: str = ""  # 口径 and source of the tiles
    demo: bool = False
