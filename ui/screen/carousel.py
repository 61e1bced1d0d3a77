"""The carousel across boards: which board is up, when the next one comes, paused or not.

Plain state with the clock passed in, so its behaviour is tested without waiting.
"""
from __future__ import annotations

from dataclasses import dataclass


@dataclass
class Carousel:
    boards: tuple[str, ...]
    interval: float  # seconds per board; 0 holds the first board
    index: int = 0
    due: float = 0.0  # when the next board comes (the clock's seconds)
    paused: bool = False

    @classmethod
    def starting_at(cls, start: str, boards: tuple[str, ...], interval: float, now: float) -> Carousel:
        """The wall opened on `start`'s page: it comes first; a board outside the configured list
        joins the rotation in front of it."""
        order = boards if start in boards else (start, *boards)
        return cls(order, interval, order.index(start), now + interval)

    @property
    def current(self) -> str:
        return self.boards[self.index]

    @property
    def rotates(self) -> bool:
        return self.interval > 0 and len(self.boards) > 1

    def tick(self, now: float) -> str:
        """The board to show at `now`, moving on once its time is up (one board per tick: a wall
        that slept for an hour shows the next board, not the 120th)."""
        if self.rotates and not self.paused and now >= self.due:
            self.index = (self.index + 1) % len(self.boards)
            self.due = now + self.interval
        return self.current

    def toggle(self, now: float) -> None:
        self.paused = not self.paused
        if not self.paused:  # a resumed board gets its full time again
            self.due = now + self.interval

    def step(self, delta: int, now: float) -> None:
        self.index = (self.index + delta) % len(self.boards)
        self.due = now + self.interval
