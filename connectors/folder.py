"""kind = "folder": the drop folder where counties and departments leave their workbooks.

Each file is read exactly as an upload is. Once the runner has committed it (or found its content
already stored) it moves to done/, and when it is refused to failed/; either way a .reason.txt in
Chinese lies beside it, so the clerk who dropped it reads what happened without asking. A file
still being written (changed in the last `settle_seconds`) waits for the next pull.
"""
from __future__ import annotations

import datetime as dt
import fnmatch
import logging
import time
from collections.abc import Iterable
from pathlib import Path

from .base import Connector, File, Option, SourceError, register
from .file import UPLOAD_OPTIONS, read_file

log = logging.getLogger(__name__)
DONE, FAILED = "done", "failed"


@register
class FolderConnector(Connector):
    kind = "folder"
    title = "投递文件夹"
    options = {
        "path": Option("文件夹路径", str, required=True),
        # .xls too: what many systems export is a web page under that name (read), and a real Excel
        # 97-2003 workbook goes to failed/ saying how to save it, rather than lying in the folder unread.
        "pattern": Option("读取的文件（逗号分隔的通配符）", str, "*.xlsx,*.xlsm,*.xls,*.csv"),
        "settle_seconds": Option("文件最后修改后等待多少秒再读（避免读到正在复制的文件）", float, 10.0),
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
        for path in sorted(folder.iterdir()):
            if not path.is_file() or path.name.startswith((".", "~$")):  # hidden files, Office lock files
                continue
            if not any(fnmatch.fnmatch(path.name.lower(), p) for p in patterns):
                continue
            if not path.is_symlink() and now - path.stat().st_mtime < self.values["settle_seconds"]:
                log.info("%s is still being written; next pull", path.name)
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
        dest = target / item.path.name
        if dest.exists():  # the same name dropped again: keep both, the newer with its time
            dest = target / f"{item.path.stem}_{dt.datetime.now():%Y%m%d%H%M%S}{item.path.suffix}"
        item.path.replace(dest)
        note = ("已处理" if ok else "未导入") + f"（{dt.datetime.now():%Y-%m-%d %H:%M}）：{reason}\n"
        # utf-8-sig: Windows Notepad of the clerk who dropped the file reads it as Chinese.
        dest.with_name(dest.name + ".reason.txt").write_text(note, encoding="utf-8-sig")
