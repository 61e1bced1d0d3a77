"""Check a whole workbook before anything is written; produce tidy Datasets.

parse -> layouts (long / task / 统计月报, told apart by content) -> figures (names, numbers,
catalogue rules, repeats and clashes) -> plausibility warnings -> Dataset -> ingest. Every
problem is collected (工作表/行/列/值/原因) rather than stopping at the first, every cell not
imported is listed with its reason, and whatever goes wrong inside ends as a Chinese message
naming the file: the traceback goes to the log, never to the person.
"""
from __future__ import annotations

import datetime as dt
import functools
import logging
from dataclasses import dataclass, field

import pandas as pd
from sqlalchemy import select
from sqlalchemy.exc import OperationalError

from .. import schema as s
from ..datasets import Dataset
from ..store import Store, StoreUnavailable
from . import aliases, figures, layout_long, layout_records, layout_task, layout_wide, names, plausible, records
from .cells import present
from .messages import INFO, Problems, Rejected
from .parse import Workbook, read

log = logging.getLogger(__name__)
INSTRUCTION_SHEETS = {"填报说明", "说明", "使用说明", "代码表"}


@dataclass
class Options:
    period: str | None = None  # chosen period (wide layout, task progress); wins over a title
    region: str | None = None  # region of a wide sheet with indicators down the side
    indicator: str | None = None  # indicator of a wide sheet with counties down the side
    today: dt.date | None = None
    jump_pct: float = 50.0  # 当月 value changing more than this vs last month: a warning
    jump_pp: float = 30.0  # a 同比 rate moving more than this many points: a warning


@dataclass
class Checked:
    problems: Problems
    datasets: list[Dataset] = field(default_factory=list)
    sheets: list[str] = field(default_factory=list)  # sheets that held data, with their layout
    rows_read: int = 0
    # "—" cells with the key of the figure they stand for (KEY + sheet, row, column): a figure in
    # force there is kept or withdrawn, as the clerk chooses at commit.
    blanks: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=figures.KEY))
    # Names the catalogue does not know: kind (region|indicator), text, count, first (where).
    unknown: list[dict] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.problems.ok and bool(self.datasets)

    def dataset(self, name: str) -> Dataset | None:
        return next((d for d in self.datasets if d.name == name), None)


@dataclass
class Catalog:
    indicators: pd.DataFrame
    regions: pd.DataFrame
    tasks: set[int]
    region_of: names.Resolver = None
    indicator_of: names.Resolver = None

    @classmethod
    def load(cls, store: Store) -> "Catalog":
        ind, reg = store.indicators(), store.regions()
        with store.engine.connect() as conn:
            tasks = set(conn.execute(select(s.plan_tasks.c.number)).scalars())
        stored = aliases.stored(store)
        return cls(ind, reg, tasks, names.region_resolver(reg, aliases.mapping(stored, "region")),
                   names.indicator_resolver(ind, aliases.mapping(stored, "indicator")))

    @functools.cached_property
    def city(self) -> str:
        return self.regions[self.regions.level == "city"].code.iloc[0]

    @functools.cached_property
    def region_names(self) -> list[tuple[str, str]]:
        # Short names too: a title says "2026年1—10月虞城主要经济指标" as often as 虞城县.
        sub = self.regions[self.regions.level != "city"]
        full = [(names.norm(n), c) for n, c in zip(sub.name, sub.code)]
        return full + [(k, c) for n, c in zip(sub.short_name, sub.code) if len(k := names.norm(n)) >= 2 and (k, c) not in full]

    @functools.cached_property
    def indicator_names(self) -> list[tuple[str, str]]:
        return [(names.norm(n), c) for n, c in zip(self.indicators.name, self.indicators.code)]

    @functools.cached_property
    def _region_names(self) -> dict[str, str]:
        return dict(zip(self.regions.code, self.regions.name))

    def region_name(self, code: str) -> str:
        return self._region_names.get(code, code)


# ---- entry points -------------------------------------------------------------------
def check_bytes(store: Store, data: bytes, file_name: str = "", options: Options | None = None,
                max_bytes: int | None = None, catalog: Catalog | None = None, reader=read) -> Checked:
    """Read and check one file; `reader` is parse.read, or one that hands over a read done ahead."""
    from .parse import DEFAULT_MAX_BYTES
    try:
        book = reader(data, file_name, max_bytes or DEFAULT_MAX_BYTES)
        return check(store, book, options, catalog)
    except Rejected as exc:
        problems = Problems()
        problems.add(exc.reason)
        return Checked(problems)
    except (StoreUnavailable, OperationalError):
        raise  # the database, not the file: the caller says so (page banner, exit code 3)
    except Exception:  # a file we did not foresee: a message for the person, the traceback for the log
        log.exception("checking %r failed", file_name)
        return failed(file_name)


def failed(file_name: str) -> Checked:
    problems = Problems()
    problems.add(f"文件“{file_name or '（未命名）'}”无法校验：读取时遇到未预料的内容，整个文件未写入。"
                 "已记录错误日志；请把该文件发给管理员，或另存为 .xlsx 后重试。")
    return Checked(problems)


def check(store: Store, book: Workbook, options: Options | None = None,
          catalog: Catalog | None = None) -> Checked:
    options = options or Options()
    catalog = catalog or Catalog.load(store)
    problems = Problems()
    problems.extend(book.notes)
    obs_parts, task_parts, used, rank_cells, blank_parts, unknown = [], [], [], [], [], []
    record_parts: dict[str, list[pd.DataFrame]] = {}
    for sheet in book.sheets:
        if names.norm(sheet.name) in INSTRUCTION_SHEETS:
            continue
        if found := layout_records.classify(sheet):  # tickets, events, warnings, duty: a header of their own
            record_parts.setdefault(found[0], []).append(layout_records.raw(found[0], sheet, *found[1:], problems))
            sheet.note_hidden_rows(found[1] + 1, problems)
            used.append(f"{sheet.name}（{records.TITLES[found[0]]}）")
            continue
        kind, header_row, fields = layout_long.classify(sheet)
        if kind in ("long", "task"):
            sheet.note_hidden_rows(header_row + 1, problems)
        if kind == "long":
            obs_parts.append(layout_long.records(sheet, header_row, fields, problems))
            used.append(f"{sheet.name}（逐行格式）")
        elif kind == "task":
            task_parts.append(layout_task.records(sheet, header_row, fields, problems, catalog, options))
            used.append(f"{sheet.name}（任务进展）")
        else:
            wide = layout_wide.read(sheet, problems, catalog, options)
            if wide is None:
                if any(any(present(c) for c in r) for r in sheet.rows):
                    problems.add("不是数据表（找不到表头），已跳过", sheet=sheet.name, severity=INFO)
                continue
            obs_parts.append(pd.DataFrame(wide.records, dtype=object) if wide.records else pd.DataFrame(columns=["row"]))
            blank_parts.append(wide.blanks)
            rank_cells += wide.ranks
            unknown += wide.unknown
            used.append(f"{sheet.name}（统计月报格式，{'指标' if wide.label == 'indicators' else '县区'}按行）")
    if not used:
        found = "、".join(f"“{sh.name}”" for sh in book.sheets) or "无"
        problems.add(f"没有找到可识别的数据表：需要工作表“数据”（表头含 地区、指标、时期、口径、数值）、"
                     f"“任务进展”、统计月报格式的表，或 12345 工单、突发事件、气象预警、值班表（见下载模板）。"
                     f"文件中的工作表：{found}")
        return Checked(problems)
    checked = Checked(problems, sheets=used)
    raw = pd.concat([p for p in obs_parts if len(p)], ignore_index=True) if any(len(p) for p in obs_parts) else None
    if raw is not None:
        checked.rows_read += len(raw)
        fig = figures.check(raw, problems, catalog, options, text_file=book.kind != "xlsx")
        checked.unknown = _merge_unknown(unknown + fig.unknown)
        wide_blanks = _wide_blanks(blank_parts, catalog)
        checked.blanks = pd.concat([fig.blanks, wide_blanks], ignore_index=True).drop_duplicates(figures.KEY) \
            if len(wide_blanks) else fig.blanks
        if problems.ok and len(fig.frame):
            plausible.check(fig.frame, fig.where, rank_cells, problems, options, store, catalog)
            checked.datasets.append(Dataset("observations", fig.frame, {"title": "报送：经济与指标数据"}))
    for tp in task_parts:
        if tp is not None and len(tp):
            checked.rows_read += len(tp)
            checked.datasets.append(Dataset("task_progress", tp, {"title": "报送：重点任务进展"}))
    for name, parts in record_parts.items():
        parts = [p for p in parts if p is not None]
        frame = records.check(name, pd.concat(parts, ignore_index=True), problems, catalog.region_of,
                              catalog.regions) if parts else None
        if frame is not None and len(frame):
            checked.rows_read += len(frame)
            checked.datasets.append(Dataset(name, frame, {"title": f"报送：{records.TITLES[name]}"}))
    if not checked.datasets and problems.ok:
        problems.add("文件中没有可导入的数据（数值全部为空或“—”，或名称都未识别，见“未导入”各行）。")
    if not problems.ok:
        checked.datasets = []
    return checked


def _merge_unknown(items: list[dict]) -> list[dict]:
    out: dict[tuple[str, str], dict] = {}
    for u in items:
        hit = out.setdefault((u["kind"], u["text"]), {**u, "count": 0})
        hit["count"] += u["count"]
    return list(out.values())


def _wide_blanks(parts: list[list[dict]], catalog: Catalog) -> pd.DataFrame:
    """The wide layout's "—" cells with their keys (names there are codes already)."""
    rows = [b for part in parts for b in part if b["indicator"] and b["region"] and b["period"] and b["measure"]]
    if not rows:
        return pd.DataFrame(columns=figures.KEY + ["sheet", "row", "column"])
    frame = pd.DataFrame(rows)
    return pd.DataFrame({"indicator_code": frame.indicator, "region_code": frame.region, "period": frame.period,
                         "measure": frame.measure, "sheet": frame.sheet, "row": frame.row, "column": frame.column})
