"""Bytes in, sheets of raw cells out, refusing anything unsafe before a parser sees it.

Checks happen on the raw bytes and the zip directory first (size, kind, zip bomb,
encryption, XML entity declarations), so a hostile file is refused without being
expanded. Cells are then read with calamine (Rust, fast enough for 100,000-row
files); the few things calamine hides (Excel error values, formulas without a
cached value) are found by scanning the sheet's XML, only when it has any.
"""
from __future__ import annotations

import io
import posixpath
import re
import zipfile
from dataclasses import dataclass, field

import defusedxml
import defusedxml.ElementTree as SafeET

from .messages import INFO, WARNING, Problems, Rejected
from .parse_text import read_text

# openpyxl and anything else parsing XML through the standard library get the
# defused parsers: no entity expansion, no external entities (XML bombs).
defusedxml.defuse_stdlib()

MB = 1024 * 1024
DEFAULT_MAX_BYTES = 20 * MB  # the same as .streamlit/config.toml maxUploadSize
MAX_UNCOMPRESSED = 400 * MB  # all members together, as the zip directory declares them
MAX_RATIO = 200  # deflate of real sheets stays well under 100:1; bombs reach 1000:1
MAX_MEMBERS = 10_000
# What a workbook may hold once read. The reader builds a dense grid from A1 to the farthest
# cell holding a value, so one stray cell at XFD1048576 would ask for half a terabyte and abort
# the process: the used range is measured from the XML, streamed, before the reader runs.
MAX_ROWS = 250_000  # rows of all sheets together (the largest real upload: 100,000 long rows)
MAX_GRID = 5_000_000  # cells of the grids A1:farthest, all sheets together
SCAN_CHUNK = 1 << 20
PROLOG_LIMIT = 64 * 1024
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ZIP_MAGIC = b"PK\x03\x04"
NS_MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
NS_REL = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
NS_PKG = "{http://schemas.openxmlformats.org/package/2006/relationships}"


@dataclass
class Sheet:
    name: str
    rows: list[list]  # rows[i][j] is Excel row i+1, column j+1 (or CSV line i+1)
    # (row index, col index) -> ("error", "#DIV/0!") or ("formula", "SUM(A1:A2)")
    marks: dict[tuple[int, int], tuple[str, str]] = field(default_factory=dict)
    merged: list[tuple[int, int, int, int]] = field(default_factory=list)  # r0, c0, r1, c1 (0-based, inclusive)
    hidden_rows: set[int] = field(default_factory=set)  # 0-based; read like any other, and said so
    hidden_cols: set[int] = field(default_factory=set)

    def note_hidden_rows(self, first: int, problems: Problems) -> None:
        """Hidden rows from `first` (0-based: the row after the header) on are read like any other,
        and said so: every layout, not only the statistics report's."""
        hidden = sorted(i + 1 for i in self.hidden_rows if i >= first)
        if hidden:
            problems.add(f"隐藏行 {len(hidden)} 行（第 {'、'.join(map(str, hidden[:10]))}{' 等' if len(hidden) > 10 else ''}"
                         " 行），已照常读取", sheet=self.name, row=hidden[0], severity=INFO)


@dataclass
class Workbook:
    kind: str  # xlsx | csv
    sheets: list[Sheet]
    notes: Problems = field(default_factory=Problems)

    def sheet(self, name: str) -> Sheet | None:
        for s in self.sheets:
            if s.name == name:
                return s
        return None


def read(data: bytes, file_name: str = "", max_bytes: int = DEFAULT_MAX_BYTES) -> Workbook:
    """Parse an uploaded file; raises Rejected with a Chinese reason when it cannot be read."""
    if len(data) == 0:
        raise Rejected("文件是空的（0 字节），请选择填好的报表文件。")
    if len(data) > max_bytes:
        raise Rejected(f"文件大小 {_size(len(data))}，超过上限 {_size(max_bytes)}；"
                       "请删去无关的工作表或分成几个文件上传。")
    if data.startswith(OLE_MAGIC):
        raise Rejected(_ole_reason(data))
    if data.startswith(ZIP_MAGIC):
        try:
            return _read_xlsx(data)
        except defusedxml.DefusedXmlException:  # whatever got past the prolog check
            raise Rejected("文件中的 XML 含有 DOCTYPE/ENTITY 实体声明，正常的 Excel 文件不会有，"
                           "可能是恶意构造的“XML 炸弹”，已拒收。") from None
    return read_text(data, file_name)


def _size(n: int) -> str:
    """20 MB, 1.5 MB, 800 KB: a limit set below a megabyte (--max-mb 0.5) is not "0 MB"."""
    return f"{n / MB:.1f}".removesuffix(".0") + " MB" if n >= MB else f"{max(1, round(n / 1024))} KB"


def _ole_reason(data: bytes) -> str:
    # An OLE2 compound file is either a password-protected xlsx (EncryptedPackage)
    # or a legacy .xls workbook; both need the person to save again, differently.
    if "EncryptedPackage".encode("utf-16-le") in data or "EncryptionInfo".encode("utf-16-le") in data:
        return ("文件已加密（设置了打开密码），系统无法读取。请在 Excel 中取消密码"
                "（文件→信息→保护工作簿→用密码进行加密，清空密码）后另存为 .xlsx 再上传。")
    return "这是旧版 Excel 97-2003 工作簿（.xls），请在 Excel 中“另存为”Excel 工作簿（.xlsx）后再上传。"


# ---- xlsx ---------------------------------------------------------------------------
def _read_xlsx(data: bytes) -> Workbook:
    notes = Problems()
    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
        infos = zf.infolist()
    except (zipfile.BadZipFile, ValueError, OSError):
        raise Rejected("文件已损坏，或不是 Excel 工作簿（.xlsx）：无法打开。") from None
    _check_zip(infos)
    names = {i.filename for i in infos}
    if "xl/workbook.bin" in names:
        raise Rejected("这是 Excel 二进制工作簿（.xlsb），请在 Excel 中“另存为”Excel 工作簿（.xlsx）后再上传。")
    if "xl/workbook.xml" not in names:
        raise Rejected("文件不是 Excel 工作簿：压缩包里没有工作簿内容（可能是 Word、WPS 文字或其他 zip 文件）。")
    if any(n.lower().endswith("vbaproject.bin") for n in names):
        notes.add("文件含有宏（.xlsm）：宏不会被运行，只读取单元格中的值。", severity=INFO)
    for info in infos:
        if info.filename.endswith((".xml", ".rels")):
            _check_prolog(zf, info)
    paths = _sheet_paths(zf)
    percent = _percent_styles(zf)
    marked = _check_used_range(zf, paths, tuple(b's="%d"' % k for k in sorted(percent)))
    try:
        from python_calamine import CalamineWorkbook
        book = CalamineWorkbook.from_filelike(io.BytesIO(data))
    except Exception as exc:  # calamine raises its own error types for broken parts
        raise Rejected(f"工作簿无法读取（文件可能已损坏）：{type(exc).__name__}") from None
    sheets = []
    grid = 0
    visibility = {m.name: str(m.visible).rsplit(".", 1)[-1] for m in book.sheets_metadata}
    for name in book.sheet_names:
        try:
            cs = book.get_sheet_by_name(name)
            end = cs.end  # (row, col) of the farthest cell holding a value, 0-based; None if empty
            if end is not None:
                _check_grid(name, end[0] + 1, end[1] + 1, grid)
                grid += (end[0] + 1) * (end[1] + 1)
            rows = cs.to_python(skip_empty_area=False)
            merged = [(r0, c0, r1, c1) for (r0, c0), (r1, c1) in (cs.merged_cell_ranges or [])]
        except Rejected:
            raise
        except Exception as exc:
            raise Rejected(f"工作表“{name}”无法读取（文件可能已损坏）：{type(exc).__name__}") from None
        marks, hidden_rows, hidden_cols, shown = (_marks(zf, paths[name], percent) if paths.get(name) in marked
                                                  else ({}, set(), set(), set()))
        _as_shown(rows, shown)
        sheets.append(Sheet(name, rows, marks, merged, hidden_rows, hidden_cols))  # calamine's lists, fresh per call
        if end is not None and visibility.get(name, "Visible") != "Visible":
            # A hidden sheet is often last year's figures or a lookup list: read, as hidden rows are,
            # but as a 提醒 the clerk must see before writing, not a note.
            how = "被设为“深度隐藏”（Excel 的“取消隐藏”中也看不到）" if visibility[name] == "VeryHidden" else "已隐藏"
            notes.add(f"工作表在 Excel 中{how}，其内容照常读取；若不应导入，请删除该工作表后重新上传",
                      sheet=name, severity=WARNING)
    return Workbook("xlsx", sheets, notes)


def _check_zip(infos: list[zipfile.ZipInfo]) -> None:
    if len(infos) > MAX_MEMBERS:
        raise Rejected(f"压缩包内文件数过多（{len(infos):,} 个），不像正常的 Excel 工作簿，已拒收。")
    total = 0
    for i in infos:
        total += i.file_size
        ratio = i.file_size / max(i.compress_size, 1)
        if i.file_size > 10 * MB and ratio > MAX_RATIO:
            raise Rejected(f"文件中“{i.filename[:60]}”声明解压后 {i.file_size / MB:,.0f} MB"
                           f"（压缩比 {ratio:,.0f}:1），疑似“压缩炸弹”，已拒收。")
    if total > MAX_UNCOMPRESSED:
        raise Rejected(f"文件声明解压后共 {total / MB:,.0f} MB，超过 {MAX_UNCOMPRESSED / MB:.0f} MB 上限，"
                       "疑似“压缩炸弹”，已拒收。")


_MARKERS = (b'hidden="', b't="e"', b"<f")  # what _marks looks for; a sheet with none of them is not read again


def _check_used_range(zf: zipfile.ZipFile, paths: dict[str, str], more: tuple[bytes, ...] = ()) -> set[str]:
    """Refuse a workbook with more rows than an upload may hold before the reader sees it:
    each sheet's XML is streamed in chunks and its row tags counted, stopping at the excess.
    Returns the parts holding hidden rows or columns, error cells, formulas or the `more` markers
    (percent styles), found on the way (the same 60 MB of a 100,000-row sheet, decompressed once)."""
    markers = _MARKERS + more
    rows_total = 0
    marked = set()
    for name, path in paths.items():
        try:
            info = zf.getinfo(path)
        except KeyError:
            continue
        tail = b""
        with zf.open(info) as fh:
            while chunk := fh.read(SCAN_CHUNK):
                buf = tail + chunk
                # "<row" and a prefixed "<x:row"; the last 8 bytes go round again so a tag
                # split across two chunks is counted once, in the next one.
                body, tail = buf[:-8], buf[-8:]
                rows_total += body.count(b"<row") + body.count(b":row ")
                if rows_total > MAX_ROWS:
                    # Rows without cells where it stopped: formatting run down a whole column, not data.
                    empty = body.count(b"<c ") + body.count(b":c ") < body.count(b"<row") + body.count(b":row ")
                    raise Rejected(f"工作表“{name}”行数过多（已超过 {MAX_ROWS:,} 行），超过一次报送的上限；" + (
                        "其中多是没有内容的空行（常因整列设置了格式或边框）：请选中数据下方的空行删除后保存，再上传。"
                        if empty else "请分成几个文件上传，或删去无关的行。"))
                if path not in marked and any(m in buf for m in markers):
                    marked.add(path)
    return marked


def _check_grid(name: str, height: int, width: int, grid_total: int) -> None:
    """The reader's grid runs from A1 to the farthest cell holding a value."""
    if grid_total + height * width > MAX_GRID:
        raise Rejected(grid_reason(name, height, width))


def grid_reason(sheet: str, height: int, width: int) -> str:
    return (f"工作表“{sheet}”的使用区域延伸到 {col_letter(width - 1)}{height} 单元格"
            f"（{height:,} 行 × {width:,} 列），超过一次报送可读取的 {MAX_GRID:,} 个单元格；"
            "通常是远处某个单元格误填了内容。请在 Excel 中按 Ctrl+End 找到该单元格，"
            "删除多余的行和列后保存再上传。")


_FAR_REF = re.compile(rb'<(?:\w+:)?c\b[^>]*?\br\s*=\s*["\']([A-Z]{1,3})(\d{1,7})["\'][^>]*?(?<!/)>')


def far_cell(data: bytes) -> tuple[str, int, int] | None:
    """(sheet, rows, columns) of the largest grid a workbook's cells span; slow, for messages
    after a read failed (the reader died), never on the normal path."""
    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
        paths = _sheet_paths(zf)
        best = None
        for name, path in paths.items():
            xml = zf.read(path)
            refs = _FAR_REF.findall(xml)
            if refs:
                rows = max(int(r) for _, r in refs)
                cols = max(col_index(c.decode()) + 1 for c, _ in refs)
                if best is None or rows * cols > best[1] * best[2]:
                    best = (name, rows, cols)
        return best
    except (zipfile.BadZipFile, KeyError, OSError, ValueError):
        return None


def _check_prolog(zf: zipfile.ZipFile, info: zipfile.ZipInfo) -> None:
    """Refuse XML that declares a DTD: entity bombs (billion laughs) and external entities live there."""
    with zf.open(info) as fh:
        head = fh.read(PROLOG_LIMIT)
    pos = 0
    while True:
        pos = head.find(b"<", pos)
        if pos < 0:
            if len(head) < PROLOG_LIMIT:
                return  # the whole part is read and holds no markup at all
            # 64 KB of padding and still no root element: a DOCTYPE may be hiding further on.
            raise Rejected(f"文件中的 XML（{info.filename[:60]}）开头异常（大段空白），已拒收。")
        if head.startswith(b"<?", pos):
            end = head.find(b"?>", pos)
        elif head.startswith(b"<!--", pos):
            end = head.find(b"-->", pos)
        elif head.startswith(b"<!", pos):
            raise Rejected(f"文件中的 XML（{info.filename[:60]}）含有 DOCTYPE/ENTITY 实体声明，"
                           "正常的 Excel 文件不会有，可能是恶意构造的“XML 炸弹”，已拒收。")
        else:
            return  # the root element: no DTD can follow
        if end < 0:
            raise Rejected(f"文件中的 XML（{info.filename[:60]}）开头异常，已拒收。")
        pos = end + 2


def _sheet_paths(zf: zipfile.ZipFile) -> dict[str, str]:
    """Sheet name -> part path, from workbook.xml and its relationships (defused parser)."""
    try:
        wb = SafeET.fromstring(zf.read("xl/workbook.xml"))
        rels = SafeET.fromstring(zf.read("xl/_rels/workbook.xml.rels"))
    except (KeyError, SafeET.ParseError):
        return {}
    targets = {r.get("Id"): r.get("Target", "") for r in rels.iter(f"{NS_PKG}Relationship")}
    out = {}
    for sh in wb.iter(f"{NS_MAIN}sheet"):
        target = targets.get(sh.get(f"{NS_REL}id"), "")
        path = target.lstrip("/") if target.startswith("/") else posixpath.normpath(posixpath.join("xl", target))
        out[sh.get("name")] = path
    return out


_CELL = re.compile(rb'<c r="([A-Z]+)(\d+)"([^>]*?)(?:/>|>(.*?)</c>)', re.S)
_FORMULA = re.compile(rb"<f[^>]*?(?:/>|>(.*?)</f>)", re.S)
_VALUE = re.compile(rb"<v>(.*?)</v>", re.S)


_ROW_TAG = re.compile(rb"<(?:\w+:)?row\b([^>]*)>")
_COL_TAG = re.compile(rb"<(?:\w+:)?col\b([^>]*)>")
_HIDDEN = re.compile(rb'\bhidden="(?:1|true)"')


def _attr(attrs: bytes, name: bytes) -> int:
    m = re.search(rb"\b" + name + rb'="(\d+)"', attrs)
    return int(m.group(1)) if m else 0


def _marks(zf: zipfile.ZipFile, path: str, percent: set[int] = frozenset()) -> tuple[
        dict[tuple[int, int], tuple[str, str]], set[int], set[int], set[tuple[int, int]]]:
    """Error cells and formulas without a cached value (calamine shows both as empty), the hidden
    rows and columns (calamine reads them like any other; the preview says so), and the numbers
    shown as percentages (`percent`: their styles; calamine gives 0.052 where the sheet shows 5.2%)."""
    try:
        xml = zf.read(path)
    except KeyError:
        return {}, set(), set(), set()
    hidden_rows, hidden_cols = set(), set()
    if b'hidden="' in xml:  # attributes come in any order, as each program writes them
        hidden_rows = {_attr(a, b"r") - 1 for a in _ROW_TAG.findall(xml) if _HIDDEN.search(a)}
        for a in _COL_TAG.findall(xml):
            if _HIDDEN.search(a):
                lo = _attr(a, b"min")
                hidden_cols.update(range(lo - 1, min(_attr(a, b"max"), lo + 200)))
    styled = percent and any(b's="%d"' % k in xml for k in percent)
    if b't="e"' not in xml and b"<f" not in xml and not styled:
        return {}, hidden_rows, hidden_cols, set()
    out, shown = {}, set()
    for m in _CELL.finditer(xml):
        attrs, body = m.group(3), m.group(4) or b""
        key = (int(m.group(2)) - 1, col_index(m.group(1).decode()))
        v = _VALUE.search(body)
        if b't="e"' in attrs:
            out[key] = ("error", _unxml(v.group(1)) if v else "#错误")
        elif b"<f" in body and (v is None or v.group(1) == b""):
            f = _FORMULA.search(body)
            out[key] = ("formula", "=" + _unxml(f.group(1) or b"") if f else "=")
        elif styled and (s := _STYLE.search(attrs)) and int(s.group(1)) in percent:
            shown.add(key)
    return out, hidden_rows, hidden_cols, shown


_STYLE = re.compile(rb'\bs="(\d+)"')
_QUOTED = re.compile(r'"[^"]*"|\\.')  # literal text and escaped characters of a number format


def _percent_styles(zf: zipfile.ZipFile) -> set[int]:
    """Indexes of the cell styles that show a number as a percentage (built-in formats 9 and 10,
    or a format of the file's own with a % outside its quoted text)."""
    try:
        root = SafeET.fromstring(zf.read("xl/styles.xml"))
    except (KeyError, SafeET.ParseError):
        return set()
    ids = {"9", "10"} | {nf.get("numFmtId") for nf in root.iter(f"{NS_MAIN}numFmt")
                         if "%" in _QUOTED.sub("", nf.get("formatCode", ""))}
    xfs = root.find(f"{NS_MAIN}cellXfs")
    return {k for k, xf in enumerate(xfs if xfs is not None else []) if xf.get("numFmtId") in ids}


def _as_shown(rows: list[list], cells: set[tuple[int, int]]) -> None:
    """A number shown as a percentage is read as shown: 0.052 in a 0.0% cell is “5.2%”, which the
    checks read as 5.2 and say so, as they do for 5.2% typed as text."""
    for r, c in cells:
        if r < len(rows) and c < len(rows[r]):
            v = rows[r][c]
            if isinstance(v, (int, float)) and not isinstance(v, bool):
                rows[r][c] = f"{round(v * 100, 10):.15g}%"


def _unxml(b: bytes) -> str:
    return (b.decode("utf-8", "replace").replace("&lt;", "<").replace("&gt;", ">")
            .replace("&quot;", '"').replace("&apos;", "'").replace("&amp;", "&"))


def col_index(letters: str) -> int:
    n = 0
    for ch in letters:
        n = n * 26 + ord(ch) - 64
    return n - 1


def col_letter(index: int) -> str:
    out, n = "", index + 1
    while n:
        n, r = divmod(n - 1, 26)
        out = chr(65 + r) + out
    return out
