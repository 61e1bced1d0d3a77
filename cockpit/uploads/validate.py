"""Check a whole workbook before anything is written; produce tidy Datasets.

parse -> validate -> Dataset -> ingest: the same tidy frames any connector
produces, so later sources (sql, http, folder) reuse the commit path.
Every problem is collected (工作表/行/列/值/原因) rather than stopping at the first.
"""
from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from sqlalchemy import select

from .. import periods, schema as s
from ..datasets import Dataset
from ..store import MEASURES, Store
from . import names
from .messages import ERROR, INFO, WARNING, Problems, Rejected
from .names import NOT_AVAILABLE, measure_code, measure_from_header, norm
from .parse import Sheet, Workbook, col_letter, read
from .periods_in import PeriodError, parse_period, period_from_title

LONG_HEADERS = {
    "地区": "region", "地区名称": "region", "县区": "region", "县(市、区)": "region", "地区代码": "region",
    "行政区划代码": "region", "单位名称": "region",
    "指标": "indicator", "指标名称": "indicator", "指标代码": "indicator",
    "时期": "period", "月份": "period", "统计期": "period", "报告期": "period", "统计月份": "period",
    "口径": "measure", "统计口径": "measure", "类别": "measure",
    "数值": "value", "值": "value", "数据": "value", "本期数": "value",
    "单位": "unit", "计量单位": "unit",
}
LONG_REQUIRED = {"region": "地区", "indicator": "指标", "period": "时期", "measure": "口径", "value": "数值"}
TASK_HEADERS = {
    "序号": "task_number", "任务序号": "task_number", "进展状态": "status", "状态": "status",
    "完成比例": "percent", "完成比例(%)": "percent", "完成进度": "percent", "完成进度(%)": "percent",
    "进展说明": "note", "进展情况": "note", "报送单位": "reporting_unit", "填报单位": "reporting_unit",
    "报送日期": "reported_on",
}
TASK_REFERENCE = {"任务内容", "任务", "重点任务", "责任单位", "牵头单位", "任务时限", "完成时限"}
TASK_REQUIRED = {"task_number": "序号", "status": "进展状态", "percent": "完成比例", "reporting_unit": "报送单位"}
TASK_STATUS = {"未启动": "未启动", "推进中": "推进中", "进行中": "推进中", "正在推进": "推进中",
               "已完成": "已完成", "完成": "已完成", "暂缓": "暂缓", "暂停": "暂缓"}
INSTRUCTION_SHEETS = {"填报说明", "说明", "使用说明", "代码表"}
FOOTNOTE = re.compile(r"^(注|说明|资料来源|数据来源|备注|填报人|审核人|统计负责人)")
EXCEL_ERRORS = {"#DIV/0!", "#N/A", "#VALUE!", "#REF!", "#NAME?", "#NUM!", "#NULL!", "#SPILL!", "#CALC!",
                "#GETTING_DATA", "#FIELD!", "#BLOCKED!", "#UNKNOWN!", "#BUSY!"}
NOT_NUMBERS = {"N/A", "NA", "NULL", "NONE", "NAN", "无", "不详", "暂无", "未知", "空", "INF", "-INF"}
_THOUSANDS = re.compile(r"^[+-]?\d{1,3}(,\d{3})+(\.\d+)?$")
_NUMBER = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$")
YOY_FLOOR = -100.0  # a growth rate below -100% is impossible


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
        return cls(ind, reg, tasks, names.region_resolver(reg), names.indicator_resolver(ind))


class Mark:
    """A cell calamine shows as empty but which holds an Excel error or a formula without a value."""
    __slots__ = ("kind", "text")

    def __init__(self, kind: str, text: str):
        self.kind, self.text = kind, text

    def reason(self) -> str:
        if self.kind == "error":
            return f"单元格是 Excel 错误值 {self.text}，请改正公式或填入数值"
        return "公式没有计算结果（文件可能由程序生成、未经 Excel 保存），请在 Excel 中打开并保存，或改填数值"

    def __str__(self) -> str:
        return self.text


# ---- entry points -------------------------------------------------------------------
def check_bytes(store: Store, data: bytes, file_name: str = "", options: Options | None = None,
                max_bytes: int | None = None, catalog: Catalog | None = None) -> Checked:
    from .parse import DEFAULT_MAX_BYTES
    try:
        book = read(data, file_name, max_bytes or DEFAULT_MAX_BYTES)
    except Rejected as exc:
        problems = Problems()
        problems.add(exc.reason)
        return Checked(problems)
    return check(store, book, options, catalog)


def check(store: Store, book: Workbook, options: Options | None = None,
          catalog: Catalog | None = None) -> Checked:
    options = options or Options()
    catalog = catalog or Catalog.load(store)
    problems = Problems()
    problems.extend(book.notes)
    obs_parts, task_parts, used = [], [], []
    rows_read = 0
    for sheet in book.sheets:
        if norm(sheet.name) in INSTRUCTION_SHEETS:
            continue
        kind, header_row, fields = _classify(sheet)
        if kind == "long":
            raw = _long_records(sheet, header_row, fields, problems)
            obs_parts.append(raw)
            used.append(f"{sheet.name}（逐行格式）")
        elif kind == "task":
            task_parts.append(_task_records(sheet, header_row, fields, problems, catalog, options))
            used.append(f"{sheet.name}（任务进展）")
        else:
            raw = _wide_records(sheet, problems, catalog, options)
            if raw is None:
                if any(any(_present(c) for c in r) for r in sheet.rows):
                    problems.add("不是数据表（找不到表头），已跳过", sheet=sheet.name, severity=INFO)
                continue
            obs_parts.append(raw)
            used.append(f"{sheet.name}（统计月报格式）")
    if not used:
        names_found = "、".join(f"“{sh.name}”" for sh in book.sheets) or "无"
        problems.add(f"没有找到可识别的数据表：需要工作表“数据”（表头含 地区、指标、时期、口径、数值）、"
                     f"“任务进展”或统计月报格式的表。文件中的工作表：{names_found}")
        return Checked(problems)
    datasets = []
    if obs_parts:
        raw = pd.concat(obs_parts, ignore_index=True)
        rows_read += len(raw)
        frame = _check_observations(raw, problems, catalog, options, store)
        if frame is not None and len(frame):
            datasets.append(Dataset("observations", frame, {"title": "报送：经济与指标数据"}))
    for tp in task_parts:
        if tp is not None and len(tp):
            rows_read += len(tp)
            datasets.append(Dataset("task_progress", tp, {"title": "报送：重点任务进展"}))
    if not datasets and problems.ok:
        problems.add("文件中没有可导入的数据行（数值全部为空或“—”）。")
    return Checked(problems, datasets if problems.ok else [], used, rows_read)


# ---- layout detection ---------------------------------------------------------------
def _present(v) -> bool:
    return v is not None and v != "" and not (isinstance(v, float) and np.isnan(v))


def _present_vec(col: pd.Series) -> pd.Series:
    arr = col.to_numpy(dtype=object)
    return pd.Series(pd.notna(arr) & (arr != ""), index=col.index)


def _header_key(v) -> str:
    return norm(v).rstrip("*")


def _classify(sheet: Sheet) -> tuple[str, int, dict[str, list[int]]]:
    for i, row in enumerate(sheet.rows[:15]):
        keys = [_header_key(c) for c in row]
        for kind, table, need in (("task", TASK_HEADERS, {"task_number", "status"}),
                                  ("long", LONG_HEADERS, {"indicator", "value"})):
            fields: dict[str, list[int]] = {}
            for j, k in enumerate(keys):
                if k in table:
                    fields.setdefault(table[k], []).append(j)
            if need <= set(fields) and len(fields) >= 3:
                return kind, i, fields
    return "wide", -1, {}


def _column_report(sheet: Sheet, header_row: int, fields: dict[str, list[int]], table: dict,
                   required: dict, problems: Problems, reference: set[str] = frozenset()) -> bool:
    header = sheet.rows[header_row]
    ok = True
    for f, cols in fields.items():
        if len(cols) > 1:
            shown = "、".join(f"{col_letter(c)}列“{header[c]}”" for c in cols)
            problems.add(f"列重复：{shown} 表示同一项，请只保留一列", sheet=sheet.name, row=header_row + 1,
                         column=col_letter(cols[1]), value=header[cols[1]])
            ok = False
    missing = [title for f, title in required.items() if f not in fields]
    if missing:
        problems.add(f"缺少必需的列：{'、'.join(missing)}（表头在第 {header_row + 1} 行；可调换顺序，"
                     "名称须与模板一致）", sheet=sheet.name, row=header_row + 1)
        ok = False
    for j, c in enumerate(header):
        k = _header_key(c)
        if k and k not in table and k not in reference:
            problems.add("模板外的列，已忽略", sheet=sheet.name, row=header_row + 1,
                         column=col_letter(j), value=c, severity=INFO)
    return ok


def _cell(row: list, j: int):
    return row[j] if j < len(row) else None


def _apply_marks(sheet: Sheet, raw: pd.DataFrame, field_cols: dict[str, int], row_offset: int) -> None:
    """Replace cells calamine showed as empty with the Mark they really hold."""
    if not sheet.marks:
        return
    col_field = {j: f for f, j in field_cols.items()}
    excel_rows = pd.Index(raw["row"])
    for (r, c), (kind, text) in sheet.marks.items():
        f = col_field.get(c)
        if f is None:
            continue
        hit = excel_rows.get_indexer([r + 1])[0]
        if hit >= 0:
            raw.iat[hit, raw.columns.get_loc(f)] = Mark(kind, text)


# ---- long layout --------------------------------------------------------------------
def _long_records(sheet: Sheet, h: int, fields: dict[str, list[int]], problems: Problems) -> pd.DataFrame:
    _column_report(sheet, h, fields, LONG_HEADERS, LONG_REQUIRED, problems)
    cols = {f: js[0] for f, js in fields.items()}
    body = sheet.rows[h + 1:]
    data = {f: [_cell(r, j) for r in body] for f, j in cols.items()}
    raw = pd.DataFrame(data, dtype=object)
    raw.insert(0, "row", np.arange(h + 2, h + 2 + len(body)))
    present = pd.DataFrame({f: _present_vec(raw[f]) for f in cols}) if len(raw) else raw[list(cols)]
    keep = present.any(axis=1) if len(raw) else pd.Series(dtype=bool)
    raw = raw[keep].reset_index(drop=True)
    if len(raw) and "region" in raw:
        # Footnotes below the table (注：…, 资料来源：…) are not data rows.
        first = raw["region"].map(lambda v: bool(FOOTNOTE.match(norm(v))) if isinstance(v, str) else False)
        others = present[keep].reset_index(drop=True).drop(columns=["region"]).sum(axis=1) == 0
        foot = first & others
        if foot.any():
            problems.add(f"表尾注释 {int(foot.sum())} 行，已忽略", sheet=sheet.name,
                         row=int(raw.loc[foot, "row"].iloc[0]), severity=INFO)
            raw = raw[~foot].reset_index(drop=True)
    _apply_marks(sheet, raw, cols, h)
    raw["sheet"] = sheet.name
    for f, j in cols.items():
        raw["c_" + f] = f"{col_letter(j)}（{sheet.rows[h][j]}）"
    for f in ("region", "indicator", "period", "measure", "value"):
        if f not in raw:
            raw[f] = None
            raw["c_" + f] = ""
    return raw


# ---- 统计月报 (wide) layout ---------------------------------------------------------
def _wide_records(sheet: Sheet, problems: Problems, catalog: Catalog, options: Options) -> pd.DataFrame | None:
    rows = sheet.rows
    if not rows:
        return None
    title, title_row, unit_text = "", None, ""
    h = None
    for i, row in enumerate(rows[:15]):
        cells = [c for c in row if _present(c)]
        texts = [norm(c) for c in cells]
        if not cells:
            continue
        for t in texts:
            if t.startswith("单位"):
                unit_text = t.split(":", 1)[-1].split("：", 1)[-1]
        if len(cells) == 1 and not title and len(texts[0]) >= 6 and not texts[0].startswith("单位"):
            title, title_row = str(cells[0]).strip(), i
            continue
        if len(cells) == 1 and texts[0].startswith("单位"):
            continue
        if len(cells) >= 2:
            h = i
            break
    if h is None:
        return None
    width = max(len(r) for r in rows[h:h + 3])
    top = [_cell(rows[h], j) for j in range(width)]
    sub = [_cell(rows[h + 1], j) for j in range(width)] if h + 1 < len(rows) else [None] * width
    # A second header row: its label column is empty (merged down) and it names sub-columns.
    two = h + 1 < len(rows) and not _present(sub[0]) and sum(_present(c) for c in sub) >= 1 \
        and not any(catalog.indicator_of(c) or catalog.region_of(c) for c in sub[:2] if _present(c))
    group = _spread_merged(top, sheet.merged, h, two)
    first_data = h + (2 if two else 1)
    # Label column: the first of the leading columns whose data cells resolve to names.
    body = rows[first_data:]
    label_col, orientation = None, None
    for j in range(min(3, width)):
        vals = [_cell(r, j) for r in body[:60] if _present(_cell(r, j))]
        if not vals:
            continue
        ind = sum(1 for v in vals if catalog.indicator_of(v))
        reg = sum(1 for v in vals if catalog.region_of(v))
        if max(ind, reg) >= max(1, len(vals) // 3):
            label_col, orientation = j, ("indicators" if ind >= reg else "regions")
            break
    if label_col is None:
        return None
    headers = [norm(f"{group[j] or ''}{(sub[j] or '') if two else ''}") for j in range(width)]
    unit_col = next((j for j in range(width) if norm(top[j]) in ("单位", "计量单位")), None)
    # What each data column holds.
    columns: dict[int, tuple[str | None, str]] = {}  # col -> (indicator code or None, measure)
    for j in range(label_col + 1, width):
        if j == unit_col or not headers[j]:
            continue
        if orientation == "indicators":
            m = measure_from_header(headers[j]) or measure_code(headers[j])
            if m:
                columns[j] = (None, m)
            else:
                problems.add("列标题不是 当月/累计/同比，已忽略", sheet=sheet.name, row=h + 1,
                             column=col_letter(j), value=headers[j], severity=INFO)
        else:
            code = catalog.indicator_of(group[j])
            m = measure_from_header(sub[j] if two else "") or measure_code(sub[j] if two else "")
            if code is None and (m := m or measure_from_header(headers[j])):
                code = options.indicator or _indicator_in(title, catalog)
            if code and not m:
                m = _measure_from_title(title)
            if code and m:
                columns[j] = (code, m)
            else:
                problems.add("列标题不是已知的指标或口径，已忽略", sheet=sheet.name, row=h + 1,
                             column=col_letter(j), value=headers[j], severity=INFO)
    if not columns:
        return None
    # Period: the chosen field wins over the title; say which was used.
    from_title = period_from_title(title) if title else None
    if options.period:
        period = options.period
        problems.add(f"时期取自所选：{options.period}"
                     + (f"（标题“{title}”为 {from_title}，以所选为准）" if from_title and from_title != options.period else ""),
                     sheet=sheet.name, severity=WARNING if from_title and from_title != options.period else INFO)
    elif from_title:
        period = from_title
        problems.add(f"时期取自标题“{title}”：{from_title}", sheet=sheet.name,
                     row=title_row + 1, severity=INFO)
    else:
        problems.add("无法确定时期：标题中没有“2026年1—10月”这样的字样，请选择时期（命令行用 --period）",
                     sheet=sheet.name)
        period = None
    region = None
    if orientation == "indicators":
        region = options.region or _region_in(title, catalog) or catalog.regions[catalog.regions.level == "city"].code.iloc[0]
        rname = catalog.regions.set_index("code").name.get(region, region)
        problems.add(f"地区：{rname}" + ("（取自所选）" if options.region else "（取自标题）" if _region_in(title, catalog) else "（未注明，按全市）"),
                     sheet=sheet.name, severity=INFO)
    recs = []
    na = 0
    for i, r in enumerate(body):
        label = _cell(r, label_col)
        if not _present(label):
            continue
        if isinstance(label, str) and FOOTNOTE.match(norm(label)):
            problems.add("表尾注释，已忽略（以下各行不再读取）", sheet=sheet.name, row=first_data + i + 1,
                         value=label, severity=INFO)
            break
        excel_row = first_data + i + 1
        unit = _cell(r, unit_col) if unit_col is not None else (unit_text if unit_text and "、" not in unit_text and "," not in unit_text else None)
        for j, (code, m) in columns.items():
            v = _cell(r, j)
            mark = sheet.marks.get((first_data + i, j))
            if mark:
                v = Mark(*mark)
            elif not _present(v) or (isinstance(v, str) and norm(v) in NOT_AVAILABLE):
                na += 1
                continue
            recs.append({
                "row": excel_row, "sheet": sheet.name,
                "region": label if orientation == "regions" else region,
                "indicator": code if orientation == "regions" else label,
                "period": period, "measure": m, "value": v,
                "unit": unit if m in ("month", "ytd") else None,
                "c_region": f"{col_letter(label_col)}" if orientation == "regions" else "（所选地区）",
                "c_indicator": f"{col_letter(label_col)}" if orientation == "indicators" else f"{col_letter(j)}（{group[j]}）",
                "c_period": "（标题）", "c_measure": f"{col_letter(j)}（{headers[j]}）",
                "c_value": f"{col_letter(j)}（{headers[j]}）",
                "c_unit": col_letter(unit_col) if unit_col is not None else "（单位行）",
            })
    if na:
        problems.add(f"{na} 个单元格为空或“—”，视为暂无数据，不导入", sheet=sheet.name, severity=INFO)
    if period is None:
        return pd.DataFrame(columns=["row"])
    return pd.DataFrame(recs, dtype=object) if recs else pd.DataFrame(columns=["row"])


def _spread_merged(top: list, merged: list, h: int, two: bool) -> list:
    out = list(top)
    covered = False
    for r0, c0, r1, c1 in merged:
        if r0 <= h <= r1:
            covered = True
            for c in range(c0 + 1, min(c1 + 1, len(out))):
                out[c] = out[c0]
    if two and not covered:  # merges lost (e.g. saved by another program): spread group labels right
        last = None
        for j, v in enumerate(out):
            if _present(v):
                last = v
            elif last is not None and j > 0:
                out[j] = last
    return out


def _indicator_in(title: str, catalog: Catalog) -> str | None:
    t = norm(title)
    for r in catalog.indicators.itertuples():
        if norm(r.name) in t:
            return r.code
    return None


def _region_in(title: str, catalog: Catalog) -> str | None:
    t = norm(title)
    for r in catalog.regions[catalog.regions.level != "city"].itertuples():
        if norm(r.name) in t:
            return r.code
    return None


def _measure_from_title(title: str) -> str | None:
    t = norm(title)
    return "ytd" if re.search(r"1[-—－~至]\d{1,2}月|累计", t) else ("month" if re.search(r"\d月", t) else None)


# ---- the cell checks shared by both layouts -----------------------------------------
def parse_number(v) -> tuple[float | None, str, str]:
    """(value, status, detail): status ok | na | error; detail names a normalisation or a reason."""
    if isinstance(v, Mark):
        return None, "error", v.reason()
    if isinstance(v, bool):
        return None, "error", "是逻辑值（TRUE/FALSE），不是数字"
    if isinstance(v, (int, float, np.integer, np.floating)):
        f = float(v)
        if np.isnan(f):
            return None, "na", ""
        if np.isinf(f):
            return None, "error", "不是有限的数字"
        return f, "ok", ""
    if isinstance(v, (dt.date, dt.datetime, dt.time, dt.timedelta)):
        return None, "error", "是日期或时间，不是数字"
    if v is None:
        return None, "na", ""
    raw = str(v)
    t = unicodedata.normalize("NFKC", raw).strip()
    note = "全角数字" if t != raw.strip() else "文本数字"
    if t in NOT_AVAILABLE:
        return None, "na", ""
    if t.upper() in EXCEL_ERRORS or t.startswith("#"):
        return None, "error", f"是 Excel 错误值 {t}，不是数字"
    if t.upper() in NOT_NUMBERS:
        return None, "error", "不是数字（暂无数据请填“—”或留空）"
    pct = t.endswith("%")
    if pct:
        t = t[:-1].strip()
        note = "百分号"
    if _THOUSANDS.match(t):
        t = t.replace(",", "")
        note = "千分位" if not pct else note
    if _NUMBER.match(t):
        return float(t), "ok", note
    return None, "error", "不是数字"


def _check_observations(raw: pd.DataFrame, problems: Problems, catalog: Catalog, options: Options,
                        store: Store) -> pd.DataFrame | None:
    raw = raw.reset_index(drop=True)
    if raw.empty:
        return None
    n = len(raw)
    bad = np.zeros(n, dtype=bool)
    ind = catalog.indicators.set_index("code")

    def report(mask, field, reason_of, severity=ERROR):
        idx = np.flatnonzero(mask)
        for i in idx:
            sheet = raw.at[i, "sheet"]
            row = int(raw.at[i, "row"])
            col = raw.at[i, "c_" + field] if "c_" + field in raw else ""
            val = raw.at[i, field] if field in raw else None
            problems.add(reason_of(i) if callable(reason_of) else reason_of, sheet=sheet, row=row,
                         column=col, value=val, severity=severity)
        if severity == ERROR:
            bad[idx] = True

    def mapped(field, fn):
        # Map via the distinct values: 100,000 rows name a few dozen distinct things.
        col = pd.Series(raw[field].to_numpy(dtype=object), dtype=object)
        uniq = pd.unique(col.to_numpy())
        cache = {u: fn(u) for u in uniq}
        return col.map(cache)

    # Marks first: the cell's real content says what is wrong.
    for f in ("region", "indicator", "period", "measure", "value"):
        is_mark = raw[f].map(lambda v: isinstance(v, Mark)).to_numpy()
        if is_mark.any():
            report(is_mark, f, lambda i, f=f: raw.at[i, f].reason())
    region = mapped("region", lambda v: None if isinstance(v, Mark) else catalog.region_of(v))
    empty = ~raw["region"].map(_present).to_numpy()
    report(region.isna().to_numpy() & ~empty & ~bad, "region",
           "未知的地区（应为 梁园区/梁园/411402 这样的名称、简称或代码）")
    report(empty & ~bad, "region", "地区为空")
    indicator = mapped("indicator", lambda v: None if isinstance(v, Mark) else catalog.indicator_of(v))
    empty = ~raw["indicator"].map(_present).to_numpy()
    report(indicator.isna().to_numpy() & ~empty & ~bad, "indicator", "未知的指标（不在指标目录中，见模板“指标”下拉表）")
    report(empty & ~bad, "indicator", "指标为空")
    measure = mapped("measure", lambda v: None if isinstance(v, Mark) else measure_code(v))
    report(measure.isna().to_numpy() & ~bad, "measure", "口径应为 当月、累计、当月同比 或 累计同比")

    def _period(v):
        if isinstance(v, Mark) or not _present(v):
            return (None, "时期为空")
        try:
            p, note = parse_period(v)
            return (p, note)
        except PeriodError as exc:
            return (None, str(exc))
    pinfo = mapped("period", _period)
    period = pinfo.map(lambda t: t[0])
    report(period.isna().to_numpy() & ~bad, "period", lambda i: pinfo.iat[i][1])
    notes = pinfo.map(lambda t: t[1] if t[0] else None).dropna()
    if len(notes):
        first = notes.index[0]
        problems.add(f"{len(notes)} 个时期为 Excel 日期序号，已换算为月份（如{notes.iloc[0]}），请核对",
                     sheet=raw.at[first, "sheet"], row=int(raw.at[first, "row"]),
                     column=raw.at[first, "c_period"], value=raw.at[first, "period"], severity=WARNING)
    today = options.today or dt.date.today()
    this_month = periods.month_key(today)
    future = (period.notna() & (period > this_month)).to_numpy()
    report(future & ~bad, "period", lambda i: f"时期 {period.iat[i]} 在未来（当前为 {this_month}）")

    # Values: numbers pass straight through; everything else is looked at once per distinct text.
    vals = raw["value"]
    fast = vals.map(type).isin([float, int]).to_numpy()
    value = np.full(n, np.nan)
    value[fast] = vals[fast].astype(float).to_numpy()
    value[fast & np.isnan(value)] = np.nan
    slow_idx = np.flatnonzero(~fast)
    norm_counts: dict[str, list[int]] = {}
    na_rows = []
    for i in slow_idx:
        v, status, detail = parse_number(vals.iat[i])
        if status == "ok":
            value[i] = v
            norm_counts.setdefault(detail, []).append(i)
        elif status == "na":
            na_rows.append(i)
        elif not bad[i] or not isinstance(vals.iat[i], Mark):
            if not isinstance(vals.iat[i], Mark):
                report(np.eye(1, n, i, dtype=bool)[0], "value", detail)
    for detail, idx in norm_counts.items():
        i = idx[0]
        problems.add(f"{len(idx)} 个数值按“{detail}”规则读取（如此格），请核对", sheet=raw.at[i, "sheet"],
                     row=int(raw.at[i, "row"]), column=raw.at[i, "c_value"], value=vals.iat[i], severity=INFO)
    if na_rows:
        i = na_rows[0]
        problems.add(f"{len(na_rows)} 行数值为空或“—”，视为暂无数据，不导入", sheet=raw.at[i, "sheet"],
                     row=int(raw.at[i, "row"]), column=raw.at[i, "c_value"], severity=INFO)
    skip = np.zeros(n, dtype=bool)
    skip[na_rows] = True
    bad |= skip  # a row without a value (a template's unfilled line) is not imported, so not judged

    # Catalogue rules: measures published, quarter months, ranges, units.
    known = indicator.notna().to_numpy() & measure.notna().to_numpy()
    if known.any():
        # Plain dicts and per-distinct-value maps: 100,000 rows hold a few dozen distinct codes.
        measures_of = {c: set(m.split(",")) for c, m in ind.measures.items()}
        name_of, unit_of = ind.name.to_dict(), ind.unit.to_dict()
        codes = indicator.where(indicator.notna(), "")
        pair = codes + "|" + measure.fillna("")
        pub_of = {p: (not p.split("|")[0] or not p.split("|")[1] or p.split("|")[1] in measures_of.get(p.split("|")[0], set()))
                  for p in pair.unique()}
        not_pub = ~pair.map(pub_of).to_numpy(dtype=bool)
        report(not_pub & known & ~bad, "measure",
               lambda i: f"指标“{name_of.get(indicator.iat[i])}”不发布“{MEASURES.get(measure.iat[i])}”口径"
                         f"（发布：{'、'.join(MEASURES[m] for m in ind.measures.get(indicator.iat[i]).split(','))}）")
        freq = codes.map(ind.frequency.to_dict()).fillna("M")
        q_bad = ((freq == "Q") & period.notna() & ~period.fillna("0000-03").str[-2:].isin(["03", "06", "09", "12"])).to_numpy()
        report(q_bad & ~bad, "period", "季度指标只在 3、6、9、12 月报送（季末月份）")
        level = measure.isin(["month", "ytd"]).to_numpy()
        if "unit" in raw and raw["unit"].map(_present).any():
            got = mapped("unit", lambda v: norm(v) if _present(v) else "")
            want = codes.map({c: norm(u) for c, u in unit_of.items()}).fillna("")
            ok = (got == "") | (got == want) | (~pd.Series(level) & got.isin(["%", "百分比"]))
            ubad = known & ~ok.to_numpy(dtype=bool)
            report(ubad & ~bad, "unit", lambda i: f"单位与指标目录的“{unit_of.get(indicator.iat[i])}”不一致，请换算后填报")
        lo = codes.map(ind.min_value.to_dict()).astype(float).to_numpy()
        hi = codes.map(ind.max_value.to_dict()).astype(float).to_numpy()
        with np.errstate(invalid="ignore"):
            neg = level & ~np.isnan(value) & (lo == 0) & (value < 0)
            low = level & ~np.isnan(value) & ~np.isnan(lo) & (value < lo) & ~neg
            high = level & ~np.isnan(value) & ~np.isnan(hi) & (value > hi)
            yoy_low = ~level & known & ~np.isnan(value) & (value < YOY_FLOOR)
        report(neg & ~bad, "value", "不能为负数（该指标不可能小于 0）")
        report(low & ~bad, "value", lambda i: f"低于指标目录的下限 {lo[i]:g}")
        report(high & ~bad, "value", lambda i: f"超过指标目录的合理上限 {hi[i]:g} {unit_of.get(indicator.iat[i])}，请核对单位")
        report(yoy_low & ~bad, "value", "同比增速不能低于 -100%")

    # Duplicates inside the file.
    frame = pd.DataFrame({"indicator_code": indicator, "region_code": region, "period": period,
                          "measure": measure, "value": value})
    keys = frame[["indicator_code", "region_code", "period", "measure"]]
    dup = keys.duplicated(keep="first").to_numpy() & keys.notna().all(axis=1).to_numpy() & ~skip
    if dup.any():
        firsts = (raw[["sheet", "row"]].assign(k=keys.astype(str).agg("|".join, axis=1))
                  .drop_duplicates("k").set_index("k"))
        kstr = keys.astype(str).agg("|".join, axis=1)
        report(dup & ~bad, "value", lambda i: "与" + (f"工作表“{firsts.at[kstr.iat[i], 'sheet']}”" if firsts.at[kstr.iat[i], 'sheet'] != raw.at[i, 'sheet'] else "")
               + f"第 {int(firsts.at[kstr.iat[i], 'row'])} 行重复（同一地区、指标、时期、口径）")
    if not problems.ok:
        return None
    out = frame[~skip].reset_index(drop=True)
    _jump_check(out, raw[~skip].reset_index(drop=True), problems, options, store, ind)
    return out


def _jump_check(frame: pd.DataFrame, raw: pd.DataFrame, problems: Problems, options: Options,
                store: Store, ind: pd.DataFrame) -> None:
    """Warn (not block) when a 当月 value or a 同比 rate moves far from last month."""
    look = frame[frame.measure.isin(["month", "month_yoy", "ytd_yoy"])]
    if look.empty:
        return
    prev_period = look.period.map(lambda p: periods.shift_month(p, -1))
    key = ["indicator_code", "region_code", "period", "measure"]
    mine = frame[key + ["value"]].rename(columns={"value": "prev"})
    stored = store.observations(indicators=sorted(look.indicator_code.unique()),
                                measures=["month", "month_yoy", "ytd_yoy"],
                                since=prev_period.min(), until=prev_period.max())[key + ["value"]]
    stored = stored.rename(columns={"value": "prev"})
    prev = pd.concat([mine, stored]).drop_duplicates(key, keep="first")
    probe = look.assign(period=prev_period.to_numpy()).reset_index()
    merged = probe.merge(prev, on=key, how="left").set_index("index")
    merged = merged[merged.prev.notna()]
    if merged.empty:
        return
    rate = merged.measure != "month"
    with np.errstate(divide="ignore", invalid="ignore"):
        pct = (merged.value / merged.prev - 1) * 100
    jump = (rate & ((merged.value - merged.prev).abs() > options.jump_pp)) | \
           (~rate & (merged.prev != 0) & (pct.abs() > options.jump_pct))
    for i, r in merged[jump].head(200).iterrows():
        change = (f"{r.value - r.prev:+.1f} 个百分点" if r.measure != "month" else f"{pct[i]:+.0f}%")
        problems.add(f"较上月（{r.prev:g}）变动 {change}，请核对（仅提醒，不影响导入）",
                     sheet=raw.at[i, "sheet"], row=int(raw.at[i, "row"]), column=raw.at[i, "c_value"],
                     value=r.value, severity=WARNING)


# ---- task progress --------------------------------------------------------------------
def _task_records(sheet: Sheet, h: int, fields: dict[str, list[int]], problems: Problems,
                  catalog: Catalog, options: Options) -> pd.DataFrame | None:
    ok = _column_report(sheet, h, fields, TASK_HEADERS, TASK_REQUIRED, problems, TASK_REFERENCE)
    if not ok:
        return None
    header = sheet.rows[h]
    col = {f: js[0] for f, js in fields.items()}
    cname = {f: f"{col_letter(j)}（{header[j]}）" for f, j in col.items()}
    today = options.today or dt.date.today()
    default_day = periods.month_end(options.period) if options.period else today
    out, seen = [], {}
    unreported = 0

    def err(reason, r, f, v):
        problems.add(reason, sheet=sheet.name, row=r, column=cname.get(f, ""), value=v)

    for i, row in enumerate(sheet.rows[h + 1:]):
        r = h + 2 + i
        cells = {f: _cell(row, j) for f, j in col.items()}
        marks = {f: sheet.marks.get((h + 1 + i, j)) for f, j in col.items()}
        if not any(_present(v) for v in cells.values()) and not any(marks.values()):
            continue
        if isinstance(cells.get("task_number"), str) and FOOTNOTE.match(norm(cells["task_number"])):
            break
        if not any(_present(cells.get(f)) or marks.get(f) for f in ("status", "percent", "note")):
            unreported += 1  # a pre-filled task this unit does not report on this time
            continue
        before = len(problems.errors)
        for f, m in marks.items():
            if m:
                err(Mark(*m).reason(), r, f, m[1])
        num = cells.get("task_number")
        n_val, st_, _ = parse_number(num)
        if st_ != "ok" or n_val is None or not float(n_val).is_integer():
            err("序号应为 1—172 的整数", r, "task_number", num)
        elif int(n_val) not in catalog.tasks:
            err(f"方案中没有序号为 {int(n_val)} 的重点任务（共 {len(catalog.tasks)} 项）", r, "task_number", num)
        elif int(n_val) in seen:
            err(f"与第 {seen[int(n_val)]} 行重复（同一任务）", r, "task_number", num)
        else:
            seen[int(n_val)] = r
        status = TASK_STATUS.get(norm(cells.get("status")))
        if status is None and not marks.get("status"):
            err("进展状态应为 未启动、推进中、已完成 或 暂缓", r, "status", cells.get("status"))
        pct, st_, _ = parse_number(cells.get("percent"))
        if st_ != "ok" and not marks.get("percent"):
            err("完成比例应为 0—100 的数字", r, "percent", cells.get("percent"))
        elif pct is not None and not 0 <= pct <= 100:
            err("完成比例应在 0—100 之间", r, "percent", cells.get("percent"))
        unit = cells.get("reporting_unit")
        if not _present(unit):
            err("报送单位为空", r, "reporting_unit", unit)
        day = default_day
        if "reported_on" in col and _present(cells.get("reported_on")):
            v = cells["reported_on"]
            if isinstance(v, dt.datetime):
                day = v.date()
            elif isinstance(v, dt.date):
                day = v
            else:
                try:
                    day = dt.date.fromisoformat(norm(v).replace("/", "-").replace(".", "-"))
                except ValueError:
                    err("报送日期应为日期（如 2026-10-31）", r, "reported_on", v)
            if day > today:
                err(f"报送日期 {day} 在未来", r, "reported_on", v)
        if len(problems.errors) > before:
            continue
        if status == "已完成" and pct < 100:
            problems.add("状态为“已完成”但完成比例不足 100%，请核对", sheet=sheet.name, row=r,
                         column=cname["percent"], value=cells.get("percent"), severity=WARNING)
        note = cells.get("note")
        # Text is stored exactly as written (even "=..." or "<script>"); it is escaped where shown or exported.
        out.append({"task_number": int(n_val), "reported_on": day, "status": status, "percent": float(pct),
                    "note": "" if not _present(note) else str(note), "reporting_unit": str(unit).strip()})
    if unreported:
        problems.add(f"{unreported} 项任务未填写进展，本次不报送", sheet=sheet.name, severity=INFO)
    if not out:
        return None
    if "reported_on" not in col:
        problems.add(f"报送日期取{'所选月份的月末' if options.period else '今天'}：{default_day}",
                     sheet=sheet.name, severity=INFO)
    return pd.DataFrame(out)
