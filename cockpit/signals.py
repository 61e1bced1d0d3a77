"""The two colour scales a leader reads, each defined once (docs/architecture.md): the 红黄绿
progress lights (behind 序时进度, tasks late or due) and the four 红橙黄蓝 warning levels Ⅰ–Ⅳ
(1 most severe). They stay two scales with their own names, and share one red."""
from __future__ import annotations

from dataclasses import dataclass

RED, ORANGE, YELLOW, GREEN, BLUE = "#c62828", "#ff8000", "#f9a825", "#2e7d32", "#0066cc"


@dataclass(frozen=True)
class Signal:
    name: str  # as a release prints it: 红灯, Ⅰ级（红色）
    colour: str  # the fill
    ink: str  # text drawn on the fill
    badge: str  # Streamlit's badge colour of the same hue
    tag: str = ""  # the shorter form a badge shows, when there is one (Ⅰ级 红色)

    @property
    def style(self) -> str:
        """CSS for a table cell that carries this signal."""
        return f"background-color: {self.colour}; color: {self.ink}"

    @property
    def rgb(self) -> tuple[int, int, int]:
        return tuple(int(self.colour[i:i + 2], 16) for i in (1, 3, 5))


LIGHTS = {"red": Signal("红灯", RED, "white", "red"), "yellow": Signal("黄灯", YELLOW, "black", "orange"),
          "green": Signal("绿灯", GREEN, "white", "green")}
LEVELS = {1: Signal("Ⅰ级（红色）", RED, "white", "red", "Ⅰ级 红色"),
          2: Signal("Ⅱ级（橙色）", ORANGE, "black", "orange", "Ⅱ级 橙色"),
          3: Signal("Ⅲ级（黄色）", YELLOW, "black", "yellow", "Ⅲ级 黄色"),
          4: Signal("Ⅳ级（蓝色）", BLUE, "white", "blue", "Ⅳ级 蓝色")}
# Once a plan's period is over there is no 序时进度 to be behind: its targets were met or missed.
OUTCOMES = {"met": Signal("已达标", GREEN, "white", "green"), "missed": Signal("未达标", RED, "white", "red")}
LEVEL_NAMES = {level: s.name for level, s in LEVELS.items()}
LIGHT_NAMES = {light: s.name for light, s in LIGHTS.items()}
OUTCOME_NAMES = {outcome: s.name for outcome, s in OUTCOMES.items()}


def style_of(name: str) -> str:
    """The cell style of a light or level shown by its name (红灯, Ⅱ级（橙色）); '' for anything else."""
    for s in (*LIGHTS.values(), *LEVELS.values(), *OUTCOMES.values()):
        if s.name == name:
            return s.style
    return ""
