"""The first steps of `python -m cockpit import`, importable without the store (issue 14).

cockpit/__main__.py calls `begin` before the command's own imports: it starts the checking child
and sends it the first file to read, so the child's imports, that read and this process's imports
(a second or more each) run side by side instead of one after another. The command then checks
and writes each file, and has the child read the next one meanwhile (`ahead`).

Both halves of reading ahead live here: `ahead` in the command, `read` and `reader` in the child.
"""
from __future__ import annotations

import argparse
from pathlib import Path

from cockpit.uploads.parse import DEFAULT_MAX_BYTES, MB, Workbook, read as read_file

from .cli_text import ranged
from .sandbox import UPLOADS, Sandbox, prestart

SUFFIXES = (".xlsx", ".xlsm", ".csv", ".xls", ".xlsb")


def add_arguments(p: argparse.ArgumentParser) -> None:
    """The import command's arguments (service.import_cli registers the command with them)."""
    p.add_argument("files", nargs="+", metavar="FILE", help="文件或文件夹（文件夹内按文件名顺序导入）")
    p.add_argument("--dry-run", action="store_true", help="只校验和预览，不写入")
    p.add_argument("--period", default=None, help="统计月报的时期 YYYY-MM（优先于标题）")
    p.add_argument("--region", default=None, help="统计月报所属地区（名称或代码，默认取标题或全市）")
    p.add_argument("--user", default=None, help="记入批次的报送人（默认当前系统用户）")
    # At most 1024: a larger workbook could not be read within the checking child's memory cap.
    p.add_argument("--max-mb", type=ranged(float, 0, 1024, above=True), default=None, help="文件大小上限 MB（默认 20）")
    p.add_argument("--withdraw", action="store_true",
                   help="文件中为“—”而库中已有的数值予以撤回（默认保留原值）")
    p.add_argument("--evaluate-now", action="store_true",
                   help="等预警评估完成再返回（默认在后台低优先级进程中评估，命令立即返回）")


def files_of(args) -> list[Path]:
    out = []
    for f in args.files:
        p = Path(f)
        if p.is_dir():
            out += sorted(x for x in p.iterdir() if x.is_file() and x.suffix.lower() in SUFFIXES)
        elif p.is_file():
            out.append(p)
        else:  # checked before anything is imported: a typo in the third name stores nothing
            raise ValueError(f"找不到文件或文件夹“{f}”（当前目录 {Path.cwd()}），未导入任何文件")
    return out


def max_bytes(args) -> int | None:
    return int(args.max_mb * MB) if args.max_mb else None


class _Quiet(argparse.ArgumentParser):
    def error(self, message: str):  # the command's own parser says what is wrong, in Chinese
        raise ValueError(message)


def begin(argv: list[str]) -> None:
    """Start the child and send it the first file; whatever is wrong is left for the command to say."""
    box = prestart(UPLOADS)
    parser = _Quiet(add_help=False)
    add_arguments(parser)
    try:
        args, _ = parser.parse_known_args(argv)
        files = files_of(args)
        if files:
            ahead(box, files[0], max_bytes(args))
    except (ValueError, OSError):
        return


_sent: tuple[Path, int | None] | None = None  # the last file sent ahead: never read twice


def ahead(box: Sandbox, path: Path, limit: int | None) -> None:
    """Have the child read `path` now; the check of the same bytes then finds it read."""
    global _sent
    if _sent == (path, limit) or path.stat().st_size > (limit or DEFAULT_MAX_BYTES):
        return  # read already, or refused by its size alone: the check says so without a read
    box.send("service.import_start:read", path.read_bytes(), path.name, limit)
    _sent = (path, limit)


# ---- in the child --------------------------------------------------------------------------------
# The file read ahead: (data, file_name, max_bytes) -> its Workbook, or what the read raised.
# One at most: a read workbook is large.
_read: dict[tuple, Workbook | Exception] = {}


def read(data: bytes, file_name: str, limit: int | None) -> None:
    _read.clear()
    try:
        _read[(data, file_name, limit)] = read_file(data, file_name, limit or DEFAULT_MAX_BYTES)
    except Exception as exc:  # raised again by the check, which says what it means
        _read[(data, file_name, limit)] = exc


def reader(limit: int | None):
    """parse.read for the check of one file, handing over the read done ahead when it is of these bytes."""
    def read_once(data: bytes, file_name: str, max_bytes: int) -> Workbook:
        outcome = _read.pop((data, file_name, limit), None)
        _read.clear()
        if outcome is None:
            return read_file(data, file_name, max_bytes)
        if isinstance(outcome, Exception):
            raise outcome
        return outcome
    return read_once
