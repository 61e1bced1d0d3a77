"""kind = "folder": the drop folder where counties and departments leave their workbooks.

Each file is read exactly as an upload is. Once the runner has committed it (or found its content
already stored) it moves to done/, and when it is refused to failed/; either way a .reason.txt in
Chinese lies beside it, so the clerk who dropped it reads what happened without asking (under a
shortened name when the file's own is too long for one more suffix). A file still being written
(changed in the last `settle_seconds`) waits for the next pull.
"""
from __future__ import annotations

import datetime as dt
import fnmatch
import hashlib
import logging
import os
import time
from collections.abc import Iterable
from pathlib import Path

from .base import Connector, File, Option, SourceError, register
from .file import UPLOAD_OPTIONS, read_file

log = logging.getLogger(__name__)
DONE, FAILED = "done", "failed"
NAME_MAX = 255  # bytes in one file name on ext4, XFS, btrfs (and fewer still on some mounts: asked of the folder)


def shown(name: str) -> str:
    """A file name as the operator can read it: bytes that are not UTF-8 (a name written on a GBK
    share, say; Python keeps them as lone surrogates) appear as %XX, since neither the store nor a
    message can carry them as they are."""
    return "".join(f"%{ord(c) - 0xDC00:02X}" if 0xDC80 <= ord(c) <= 0xDCFF else c for c in name)


def fitted(folder: Path, stem: str, tail: str) -> str:
    """`stem + tail`, or, when that is longer than a name may be in `folder`, the stem cut short
    with a hash of the whole name (two long names cut alike stay apart, and the clerk still knows
    the file by its beginning): a side file written after the commit must not fail on its name."""
    name = stem + tail
    try:
        limit = min(NAME_MAX, os.pathconf(folder, "PC_NAME_MAX"))
    except (AttributeError, OSError, ValueError):  # no pathconf (Windows), or the folder will not say
        limit = NAME_MAX
    if len(os.fsencode(name)) <= limit:
        return name
    mark = "~" + hashlib.sha256(os.fsencode(name)).hexdigest()[:8]
    while stem and len(os.fsencode(stem + mark + tail)) > limit:
        stem = stem[:-1]  # by characters, never through the middle of one
    return stem + mark + tail


@register
class FolderConnector(Connector):
    kind = "folder"
    title = "投递文件夹"
    options = {
        "path": Option("文件夹路径", str, required=True),
        # .xls too: what many systems export is a web page under that name (read), and a real Excel
        # 97-2003 workbook goes to failed/ saying how to save it, rather than lying in the folder unread.
        "pattern": Option("读取的文件（逗号分隔的通配符）", str, "*.xlsx,*.xlsm,*.xls,*.csv"),
        "settle_seconds": Option("文件最后修改后等待多少秒再读（避免读到正在复制的文件）", float, 10.0, minimum=0),
        **UPLOAD_OPTIONS,
    }

    @property
    def folder(self) -> Path:
        return Path(self.values["path"]).expanduser()

    def read(self) -> Iterable[File]:
        folder = self.folder
        if not folder.is_dir():
            raise SourceError(f"找不到文件夹 {folder}。")
        patterns = [p.strip().lower() for p in self.values["pattern"].split(",") if p.strip()]
        now = time.time()
        self.waiting = []  # still being written: said in the pull's outcome, not only in the log
        for path in sorted(folder.iterdir()):
            if not path.is_file() or path.name.startswith((".", "~$")):  # hidden files, Office lock files
                continue
            if not any(fnmatch.fnmatch(path.name.lower(), p) for p in patterns):
                continue
            if not path.is_symlink() and now - path.stat().st_mtime < self.values["settle_seconds"]:
                log.info("%s is still being written; next pull", shown(path.name))
                self.waiting.append(shown(path.name))
                continue
            if (name := shown(path.name)) != path.name:  # refused unread: moved to failed/ under this name
                yield File(name, b"", path, refused="文件名含有无法识别的字符（不是 UTF-8 编码，这些字节显示为 %XX），"
                                                    "未读取；请改用正常的文件名重新投递。")
                continue
            try:
                yield read_file(path, self.values["max_mb"])
            except SourceError as exc:  # this file, not the folder: refused, and the others read on
                yield File(path.name, b"", path, refused=str(exc))

    def finished(self, item: File, ok: bool, reason: str) -> None:
        if item.path is None or not item.path.exists():
            return
        target = self.folder / (DONE if ok else FAILED)
        target.mkdir(exist_ok=True)
        # item.name, not the path's: a name of undecodable bytes is kept under its readable form.
        stem, suffix = Path(item.name).stem, Path(item.name).suffix
        dest = target / fitted(target, stem, suffix)
        if dest.exists():  # the same name dropped again: keep both, the newer with its time
            dest = target / fitted(target, stem, f"_{dt.datetime.now():%Y%m%d%H%M%S}{suffix}")
        item.path.replace(dest)
        note = ("已处理" if ok else "未导入") + f"（{dt.datetime.now():%Y-%m-%d %H:%M}）：{reason}\n"
        side = fitted(target, dest.stem, dest.suffix + ".reason.txt")
        if side != dest.name + ".reason.txt":  # cut short: the note names the file it speaks of
            note = f"文件：{dest.name}\n{note}"
        # utf-8-sig: Windows Notepad of the clerk who dropped the file reads it as Chinese.
        (target / side).write_text(note, encoding="utf-8-sig")
