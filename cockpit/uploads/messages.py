"""Problems found in an uploaded file, as staff read them: 工作表/行/列/值/原因.

Row numbers are the ones Excel shows (1-based, header rows included); for CSV
files the line number in the file. Every check adds to one list so a person
sees every problem of a file at once instead of fixing them one upload at a time.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import pandas as pd

ERROR, WARNING, INFO, SKIPPED = "error", "warning", "info", "skipped"
# SKIPPED: a non-empty cell that is not imported, with the reason; the file still imports.
SEVERITY_NAMES = {ERROR: "错误", WARNING: "提醒", INFO: "说明", SKIPPED: "未导入"}
COLUMNS = ["级别", "工作表", "行", "列", "值", "原因"]
MAX_VALUE_CHARS = 60  # a long cell is shortened in the list, never in the store


@dataclass(frozen=True)
class Problem:
    reason: str
    sheet: str = ""
    row: int | None = None
    column: str = ""
    value: str = ""
    severity: str = ERROR

    def line(self) -> str:
        """One line for the command line and logs."""
        where = "/".join(p for p in (sheet_shown(self.sheet), f"第{self.row}行" if self.row else "", self.column) if p)
        shown = f"“{self.value}”" if self.value != "" else ""
        return f"[{SEVERITY_NAMES[self.severity]}] {where + '：' if where else ''}{shown}{self.reason}"


def sheet_shown(name: str) -> str:
    """A sheet's name as the list shows it: quoted when spaces begin or end it, or “数据 ” and “数据”,
    two sheets of one workbook, read as one in every message."""
    return f"“{name}”" if name != name.strip() else name


def shown(value) -> str:
    """A cell value as the list shows it (text, shortened; never interpreted)."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = str(value)
    return text if len(text) <= MAX_VALUE_CHARS else text[:MAX_VALUE_CHARS - 1] + "…"


@dataclass
class Problems:
    """Every problem of a file, counted by severity; at most `limit` of each severity listed, so a
    file with a million bad cells still gets a readable answer. The counts, not the list, decide:
    5,000 listed 未导入 rows once crowded out an error and refused the file as "校验通过"."""
    items: list[Problem] = field(default_factory=list)
    limit: int = 5000
    counts: dict[str, int] = field(default_factory=dict)  # every problem, listed or not
    listed: dict[str, int] = field(default_factory=dict)
    _said: set = field(default_factory=set, repr=False, compare=False)

    def room(self, severity: str) -> int:
        """How many more of `severity` the list takes."""
        return max(0, self.limit - self.listed.get(severity, 0))

    def add(self, reason: str, sheet: str = "", row: int | None = None, column: str = "",
            value=None, severity: str = ERROR) -> None:
        if self.room(severity):
            problem = Problem(reason, sheet, row, column, shown(value), severity)
            if problem in self._said:  # the 当月 and the 累计 of one row under one wrong unit: said once
                return
            self._said.add(problem)
            self.items.append(problem)
            self.listed[severity] = self.listed.get(severity, 0) + 1
        self.counts[severity] = self.counts.get(severity, 0) + 1

    def unlisted(self, severity: str, n: int) -> None:
        """Counts n more of `severity` that the list has no room for."""
        self.counts[severity] = self.counts.get(severity, 0) + n

    @property
    def truncated(self) -> int:
        return sum(self.counts.values()) - sum(self.listed.values())

    def count(self, severity: str) -> int:
        return self.counts.get(severity, 0)

    def extend(self, other: "Problems") -> None:
        for p in other.items:
            self.add(p.reason, p.sheet, p.row, p.column, p.value, p.severity)
        for severity, n in other.counts.items():
            self.unlisted(severity, n - other.listed.get(severity, 0))

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.items if p.severity == ERROR]

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.items if p.severity == WARNING]

    @property
    def notes(self) -> list[Problem]:
        return [p for p in self.items if p.severity == INFO]

    @property
    def skipped(self) -> list[Problem]:
        return [p for p in self.items if p.severity == SKIPPED]

    @property
    def ok(self) -> bool:
        return not self.count(ERROR)

    def frame(self, severities: tuple[str, ...] = (ERROR, WARNING, INFO, SKIPPED)) -> pd.DataFrame:
        rows = [{"级别": SEVERITY_NAMES[p.severity], "工作表": sheet_shown(p.sheet),
                 "行": p.row, "列": p.column, "值": p.value, "原因": p.reason}
                for p in self.items if p.severity in severities]
        import pandas as pd  # here, not above: the reader (parse) uses this module and must import light
        frame = pd.DataFrame(rows, columns=COLUMNS)
        frame["行"] = frame["行"].astype("Int64")
        return frame

    def summary(self) -> str:
        e, w, s = self.count(ERROR), self.count(WARNING), self.count(SKIPPED)
        more = (f"（清单每类列出前 {self.limit:,} 条，另有 {self.truncated:,} 条未列出）"
                if self.truncated else "")
        if e:
            return f"发现 {e:,} 个错误、{w:,} 条提醒{more}：整个文件未写入，请改正后重新上传。"
        return ("校验通过" + (f"，有 {w:,} 条提醒请核对" if w else "")
                + (f"；{s:,} 处内容未导入（见清单中“未导入”各行及原因）" if s else "") + more + "。")


class Rejected(Exception):
    """The file cannot be read at all (not a workbook, too big, encrypted, ...)."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason
