"""Pulling a source: read it, check what it gave as an upload is checked, commit, record the outcome.

    connector.read()            tidy Datasets (sql, http json, cap) or whole Files (file, folder, http csv)
      ├ File     -> service.uploads.check_file (the upload's own reading, in the memory-capped child)
      └ Dataset  -> the upload's checks: records (tickets, events, warnings, duty) or, for figures and
                    task reports, the same sheet reading a file of them gets
    cockpit.uploads.commit.commit   one transaction per file or pull: all or nothing, unchanged figures
                                    and records not written again, keyed records updated in place
    service.sources.record          last success or error (in Chinese), rows, watermarks

A source that fails keeps its previous data: nothing of a failed pull is written. One process pulls a
source at a time (a named lock), so cron and `pull --every` never pull it twice at once.
"""
from __future__ import annotations

import base64
import logging
import re
from dataclasses import dataclass, field
from urllib.parse import quote, quote_plus

import numpy as np
import pandas as pd

from cockpit import datum, locks
from cockpit.auth import ANYTHING, WriteScope
from cockpit.datasets import KEYED, Dataset
from cockpit.store import MEASURES, Store, StoreUnavailable, now
from cockpit.uploads import commit as C, records as R, validate as V
from cockpit.uploads.history import DATASETS
from cockpit.uploads.messages import ERROR, SKIPPED, Problems
from cockpit.uploads.parse import MB, Sheet, Workbook
from connectors import File, SourceError
from connectors.mapping import newest, titles

from . import sources as S
from .sandbox import Sandbox
from .uploads import PRELOAD, check_file

log = logging.getLogger(__name__)
SHOWN_PROBLEMS = 8  # the first problems of a refused pull, in its message; the rest counted
LAYOUT_WORDS = {"long": ("逐行格式",), "wide": ("统计月报格式",), "task": ("任务进展",), "records": tuple(R.TITLES.values())}


@dataclass
class Outcome:
    source: str
    title: str
    ok: bool
    status: str  # written | unchanged | failed | busy | dry (read and checked, nothing written)
    message: str
    rows: int = 0
    written: int = 0
    batches: list[int] = field(default_factory=list)
    datasets: set[str] = field(default_factory=set)
    marks: dict = field(default_factory=dict)  # dataset -> newest watermark read (kept when the pull succeeded)

    def line(self) -> str:
        mark = "✓" if self.ok else "✗"
        return f"{mark} {self.title}（{self.source}）：{self.message}"


def pull(store: Store, config: S.Config, names: list[str], environ: dict | None = None,
         dry: bool = False, from_start: bool = False) -> list[Outcome]:
    """Pull each source named; `dry`: read and check only (a new source's mapping tried), nothing
    written, no file moved, no watermark or state kept; `from_start`: as if never pulled, whatever
    the watermark says (records taken away by a rollback come back; those stored are not written twice)."""
    box = Sandbox(preload=PRELOAD)
    try:
        return [pull_one(store, config, config.sources[n], box, environ, dry, from_start) for n in names]
    finally:
        box.close()


_CHINESE = re.compile(r"[\u4e00-\u9fff]")


def _unexpected(src: S.Source) -> Outcome:
    log.exception("pulling source %s failed", src.name)
    return Outcome(src.name, src.title, False, "failed", "拉取时出现未预料的错误（已记录错误日志），原有数据不变；请联系管理员。")


def pull_one(store: Store, config: S.Config, src: S.Source, box: Sandbox, environ: dict | None = None,
             dry: bool = False, from_start: bool = False) -> Outcome:
    started = now()
    try:
        holder = locks.acquire(store, f"source:{src.name}", f"pull {src.name}")
    except locks.Held as exc:
        return Outcome(src.name, src.title, True, "busy", f"正由另一进程拉取（{exc.since:%H:%M} 起），本次跳过。")
    try:
        out = _run(store, config, src, box, environ, dry, from_start)
    except StoreUnavailable:
        raise
    except (SourceError, ValueError) as exc:
        text = str(exc).rstrip("。")
        if isinstance(exc, ValueError) and not _CHINESE.search(text):  # a library's own words: not for the operator
            out = _unexpected(src)
        else:
            out = Outcome(src.name, src.title, False, "failed", text + ("。" if "原有数据不变" in text else "；原有数据不变。"))
    except Exception:  # never a traceback for the operator: the reason goes to the log
        out = _unexpected(src)
    finally:
        locks.release(store, f"source:{src.name}", holder)
    if not dry:
        S.record(store, src.name, started=started, ok=out.ok, status=out.status, rows=out.rows, written=out.written,
                 batches=out.batches, message=out.message, marks=out.marks)
    # The message itself is the command's ✗/✓ line and the 数据源 page's (S.record keeps it): on a
    # terminal the log said it a second time.
    log.info("source %s: %s, %d rows read, %d written", src.name, out.status, out.rows, out.written)
    return out


def _run(store: Store, config: S.Config, src: S.Source, box: Sandbox, environ: dict | None, dry: bool,
         from_start: bool = False) -> Outcome:
    connector = config.connect(src, environ)
    try:
        out = _pull(store, src, connector, box, dry, from_start)
    except (SourceError, ValueError) as exc:  # a remote system's words may echo a secret it was sent
        text = _masked(str(exc), connector)
        if text == str(exc):
            raise  # as it was, traceback and all: nothing to hide
        # Our own two classes, not type(exc): a subclass whose constructor wants other arguments
        # (UnicodeEncodeError takes five) would turn the error into a TypeError.
        raise (SourceError if isinstance(exc, SourceError) else ValueError)(text) from None
    out.message = _masked(out.message, connector)
    return out


def _masked(text: str, connector) -> str:
    """`text` with every secret of the source (password, token, a gateway's token) put as ***, and
    the forms it travels in: a gateway echoed "Basic Y29ja3BpdDpIdW50ZXIy…", user:password in
    base64, and only the raw password was masked."""
    v = connector.values
    found = [str(v[k]) for k, o in connector.options.items() if (o.secret or k == "token") and v.get(k)]
    if v.get("username") is not None and v.get("password"):
        found.append(base64.b64encode(f"{v['username']}:{v['password']}".encode()).decode())
    for value in [x for secret in found for x in (secret, quote(secret, safe=""), quote_plus(secret))]:
        if len(value) >= 4:
            text = text.replace(value, "***")
    return text


def _pull(store: Store, src: S.Source, connector, box: Sandbox, dry: bool, from_start: bool = False) -> Outcome:
    connector.watermarks = {} if from_start else S.watermarks(store, src.name)
    connector.guard(store.url)
    out = Outcome(src.name, src.title, True, "unchanged", "")
    notes, tidy, marks = [], [], {}
    catalog = V.Catalog.load(store)
    for item in connector.read():
        if isinstance(item, File):
            ok, text = (False, item.refused) if item.refused else _file(store, src, connector, item, box, catalog, out,
                                                                         dry)
            if not dry:  # a folder's file stays where it lies
                try:
                    connector.finished(item, ok, text)
                except OSError as exc:  # after its commit: the pull says what was written, and asks for the folder's fix
                    log.error("source %s: could not move %s: %s", src.name, item.name, exc)  # no traceback on a terminal
                    ok, text = False, text + ("（但移动文件或写下说明时出错，已记录错误日志；请检查投递文件夹的权限和空间。"
                                              "文件若仍在原处，下次拉取会再次读到它，已导入的内容不会重复写入）")
            notes.append(f"{item.name}：{text}")
            out.ok &= ok
        else:
            tidy.append(item)
    if tidy:
        notes.append(_tidy(store, src, tidy, catalog, out, dry))
        marks = {ds.name: ds.meta["watermark"] for ds in tidy if ds.meta.get("watermark") is not None}
    if waiting := getattr(connector, "waiting", None):  # "没有新的文件" while one was being copied in
        notes.append(f"{len(waiting)} 个文件仍在写入（修改不足 {connector.values['settle_seconds']:g} 秒），"
                     f"下次拉取再读：{'、'.join(waiting[:5])}{'等' if len(waiting) > 5 else ''}。")
    elif not notes and not tidy:
        notes.append("没有新的文件。" if src.kind == "folder" else "没有读到数据。")
    if not out.ok:  # a folder whose good files were written beside a refused one: partly, not "failed"
        out.status = "partial" if out.batches and not dry else "failed"
    out.message = "；".join(notes)
    out.marks = marks if out.ok and not dry else {}
    if dry and out.ok:
        out.status = "dry"
    return out


def _file(store, src: S.Source, connector, item: File, box: Sandbox, catalog, out: Outcome,
          dry: bool = False) -> tuple[bool, str]:
    """One whole file, read and committed exactly as an upload of it would be."""
    v = connector.values
    region, only = (catalog.region_of(v[k]) if v.get(k) else None for k in ("region", "only_region"))
    for k, code in (("region", region), ("only_region", only)):
        if v.get(k) and code is None:
            raise ValueError(f"数据源 {src.name} 的 {k}“{v[k]}”不是已知的地区")
    scope = WriteScope(regions=frozenset({only})) if only else ANYTHING
    options = V.Options(period=v.get("period"), region=region or only)
    checked, _ = check_file(store, item.data, item.name, options, int(v.get("max_mb", 20) * MB), box=box)
    out.rows += checked.rows_read
    if checked.ok and (drift := _drift(v, checked)):
        checked.problems.add(drift)
    if not checked.ok:
        return False, _refusal(checked.problems)
    if refused := C.outside_scope(store, checked, scope):
        return False, refused
    if dry:
        return True, _would(checked, catalog)
    result = C.commit(store, checked, data=item.data, file_name=item.name, created_by=_by(src),
                      source=src.kind, origin=src.origin, scope=scope)
    return _tally(out, checked, result)


def _drift(v: dict, checked: V.Checked) -> str | None:
    """A source that declares what it sends and sends something else changed its format."""
    names = {d.name for d in checked.datasets}
    if v.get("dataset") and v["dataset"] not in names:
        return f"数据源声明的数据集是 {v['dataset']}，文件中却是 {'、'.join(sorted(names))}（格式可能已变），未导入。"
    if v.get("layout") and not any(w in sh for sh in checked.sheets for w in LAYOUT_WORDS[v["layout"]]):
        return f"数据源声明的格式是 {v['layout']}，文件读出的是：{'、'.join(checked.sheets)}（格式可能已变），未导入。"
    return None


def _tidy(store: Store, src: S.Source, datasets: list[Dataset], catalog, out: Outcome, dry: bool = False) -> str:
    """Records or figures a source read itself (sql, http json, cap): checked, then one commit for all."""
    problems = Problems()
    checked = V.Checked(problems, sheets=[src.name])
    for ds in datasets:
        out.rows += len(ds.frame)
        if ds.frame.empty:
            continue
        if ds.name in KEYED:
            listed, counted = len(problems.skipped), problems.count(SKIPPED)
            frame = R.check(ds.name, _raw(src, ds), problems, catalog.region_of, catalog.regions)
            _hold_mark(ds, problems.skipped[listed:], problems.count(SKIPPED) - counted)
            if frame is not None and len(frame):
                checked.datasets.append(Dataset(ds.name, frame, ds.meta))
        else:
            sub = V.check(store, Workbook("source", [_sheet(src, ds)]), V.Options(), catalog)
            problems.extend(sub.problems)
            checked.datasets += sub.datasets
    if not problems.ok:
        out.ok = False
        return _refusal(problems)
    if not checked.datasets:
        return f"读到 {out.rows:,} 条，没有可导入的新数据。" + (f"（{n:,} 条未导入）" if (n := problems.count(SKIPPED)) else "")
    if dry:
        return _would(checked, catalog)
    result = C.commit(store, checked, file_name=src.name, created_by=_by(src), source=src.kind, origin=src.origin)
    ok, text = _tally(out, checked, result)
    out.ok &= ok
    return text


def _hold_mark(ds: Dataset, skipped: list, n: int) -> None:
    """Keep the watermark at the oldest record not imported (an unknown region, say), so the next pull
    reads it again (`>=`; the rows imported since come back as duplicates and are not written twice):
    moved past it, the record was never read again once the alias was added."""
    marks = ds.meta.get("marks")
    if not n or not marks:
        return
    rows = [p.row for p in skipped if p.row]
    held = marks if len(rows) < n else [marks[r - 1] for r in rows if 0 < r <= len(marks)]  # some unlisted: all
    if (oldest := newest(held, pick=min)) is not None:
        ds.meta["watermark"] = oldest


PREVIEW_ROWS = 3


def _would(checked: V.Checked, catalog: V.Catalog) -> str:
    """What a pull would write, said before anything is: per dataset its count and its first records
    as our columns, codes by their names (the mapping checked by eye), and what would not be imported."""
    named = {"region_code": dict(zip(catalog.regions.code, catalog.regions.name)),
             "indicator_code": dict(zip(catalog.indicators.code, catalog.indicators.name)), "measure": MEASURES}
    parts = []
    for ds in checked.datasets:
        names = titles(ds.name)
        shown = [ds.frame.iloc[i] for i in range(min(PREVIEW_ROWS, len(ds.frame)))]
        cols = sorted((c for c in ds.frame.columns if c in names), key=lambda c: c != "source_key")  # the key first
        rows = ["，".join(f"{names[c]}={named.get(c, {}).get(r[c], _shown(r[c]))}" for c in cols if _shown(r[c]))
                for r in shown]
        parts.append(f"{DATASETS.get(ds.name, ds.name)} {len(ds.frame):,} 条，前 {len(rows)} 条：" + "｜".join(rows))
    skipped = checked.problems.skipped
    n = checked.problems.count(SKIPPED)
    return ("试读通过，未写入：" + "；".join(parts)
            + (f"；另有 {n:,} 处不会导入（如 {skipped[0].line()}）" if skipped else "") + "。")


def _shown(v) -> str:
    if v is None or (not isinstance(v, str) and pd.isna(v)):
        return ""
    return f"{v:%Y-%m-%d %H:%M}" if isinstance(v, pd.Timestamp) else str(v)


def _raw(src: S.Source, ds: Dataset) -> pd.DataFrame:
    """A tidy frame as the record check reads it: where each value came from, for the messages."""
    cols = ds.meta.get("columns", {})
    names = titles(ds.name)
    raw = ds.frame.reset_index(drop=True).copy()
    if src.options.get("coordinates", "wgs84") != "wgs84" and {"lon", "lat"} <= set(raw.columns):
        lon, lat = (pd.to_numeric(raw[a], errors="coerce").to_numpy(dtype=float) for a in ("lon", "lat"))
        both = ~np.isnan(lon) & ~np.isnan(lat)  # what is not a number is left for the check to name
        wlon, wlat = datum.to_wgs84(lon[both], lat[both], src.options["coordinates"])
        raw["lon"], raw["lat"] = raw["lon"].astype(object), raw["lat"].astype(object)
        raw.loc[both, "lon"], raw.loc[both, "lat"] = wlon, wlat
    raw["sheet"], raw["row"] = src.name, range(1, len(raw) + 1)
    coded = src.options.get("values") or {}
    for f in raw.columns.drop(["sheet", "row"]):
        raw["c_" + f] = f"{cols.get(f, f)}（{names.get(f, f)}{'，代码按 sources.toml 的 values 对照' if f in coded else ''}）"
    return raw


def _sheet(src: S.Source, ds: Dataset) -> Sheet:
    """Figures or task reports as a sheet with the upload template's headers: the same reading as a file."""
    names = titles(ds.name)
    frame = ds.frame[[c for c in names if c in ds.frame]]
    rows = [[names[c] for c in frame.columns]] + frame.astype(object).where(frame.notna(), None).values.tolist()
    return Sheet(src.name, rows)


def _tally(out: Outcome, checked: V.Checked, result: C.Result) -> tuple[bool, str]:
    out.datasets |= {d.name for d in checked.datasets}
    if result.status == "committed":
        out.status = "written"
        out.batches += result.batch_ids
        out.written += result.counts.get("new", 0) + result.counts.get("changed", 0)
    n = checked.problems.count(SKIPPED)
    tail = f"（{n:,} 处未导入，见批次记录）" if n else ""
    if result.status == "unchanged":  # the upload's words speak of a file; a pull read records
        c = result.counts
        return True, f"读到的 {sum(c.values()):,} 条与库中现有数据相同，未写入。" + tail
    return result.status in ("committed", "duplicate"), result.message + tail


def _by(src: S.Source) -> str:
    return f"数据源 {src.name}"[:64]


def _refusal(problems: Problems) -> str:
    """Why a pull or a file was refused: the count and the first problems, each with where it is."""
    lines = [p.line() for p in problems.errors[:SHOWN_PROBLEMS]]
    more = problems.count(ERROR) - len(lines)
    return (f"发现 {problems.count(ERROR):,} 个错误，整批未导入：" + "；".join(lines)
            + (f"；另有 {more:,} 个错误未列出" if more > 0 else ""))
