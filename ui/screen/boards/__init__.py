"""The boards a wall shows, one module each, by the name cockpit.toml's screen_boards uses.

A board's `load(view)` reads through the cached loaders and returns a model.Board; it draws
nothing, so a loaded board can be drawn again while the store is down.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

from cockpit.auth import View

from ..model import Board
from . import economy, emergency, hotline, overview, tasks


@dataclass(frozen=True)
class Spec:
    title: str
    url_path: str  # the page whose ?screen=1 opens this board (ui/nav.py)
    load: Callable[[View], Board]
    datasets: frozenset[str]  # where figures may be demo data (the 演示数据 label)
    by_minute: bool = False  # its figures move with the clock, not only with the data


BOARDS = {
    "overview": Spec("驾驶舱总览", "", overview.load, frozenset({"observations", "hotline_tickets", "emergency_events"})),
    "economy": Spec("经济运行", "economy", economy.load, frozenset({"observations"})),
    "hotline": Spec("社情民意 · 12345 热线", "hotline", hotline.load, frozenset({"hotline_tickets"})),
    "emergency": Spec("应急指挥", "emergency", emergency.load,
                      frozenset({"emergency_events", "weather_warnings", "duty_roster", "observations"}), by_minute=True),
    "tasks": Spec("督查督办", "tasks", tasks.load, frozenset({"task_progress"})),
}
BY_PAGE = {spec.url_path: name for name, spec in BOARDS.items()}  # url_path -> board
