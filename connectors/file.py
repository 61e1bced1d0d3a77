"""kind = "file": one workbook or CSV at a path, read exactly as an upload on the 数据报送 page is
(the runner hands it to service.uploads.check_file). Pulling the same content again stores nothing."""
from __future__ import annotations

import re
from collections.abc import Iterable
from pathlib import Path

from cockpit import periods
from cockpit.uploads.parse import DEFAULT_MAX_BYTES, MB

from .base import Connector, File, Option, SourceError, register


def _month(value: str) -> None:
    """period = "2026-13" was taken, and every file of the source read under a month that is none."""
    if not re.fullmatch(r"[0-9]{4}-[0-9]{2}", value):
        raise ValueError(f"“{value}”格式不对，应为 YYYY-MM，如 2026-10")
    periods.parse_month(value)


UPLOAD_OPTIONS = {  # what the upload page asks too (statistics monthly reports without a period in the title)
    "period": Option("统计月报的时期 YYYY-MM（优先于标题）", str, None, check=_month),
    "region": Option("统计月报所属地区（名称或代码）", str, None),
    # A county's own drop folder accepts that county's figures only, as its reporter's upload does.
    "only_region": Option("只接受这个地区的数据（县区各自的投递文件夹；含其他地区的文件整份不导入）", str, None),
    "max_mb": Option("文件大小上限（MB）", float, DEFAULT_MAX_BYTES / MB, above=0),
}


def read_file(path: Path, max_mb: float) -> File:
    """The file's bytes, unless it is too large to be an upload (then not read at all)."""
    if path.is_symlink():
        raise SourceError(f"“{path.name}”是符号链接，不读取（请放入文件本身）。")
    size = path.stat().st_size
    if size > max_mb * MB:
        raise SourceError(f"文件“{path.name}”大小 {size / MB:.1f} MB，超过上限 {max_mb:g} MB，未读取。")
    return File(path.name, path.read_bytes(), path)


@register
class FileConnector(Connector):
    kind = "file"
    title = "文件"
    options = {"path": Option("文件路径（.xlsx 或 .csv）", str, required=True), **UPLOAD_OPTIONS}

    def read(self) -> Iterable[File]:
        path = Path(self.values["path"]).expanduser()
        if path.is_dir():  # "找不到文件" of a folder that is there sent the operator looking for a typo
            raise SourceError(f"{path} 是文件夹：kind = \"file\" 读一个文件，读文件夹请用 kind = \"folder\"。")
        if not path.is_file():
            raise SourceError(f"找不到文件 {path}。")
        yield read_file(path, self.values["max_mb"])
