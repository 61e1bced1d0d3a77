"""The upload door's checking step, run outside the process that called it.

Both doors (the 数据报送 page and `python -m cockpit import`) read and check a file here: in a
child process with a memory cap (service.sandbox), so a workbook that would abort the native
reader or fill the memory ends the child with a Chinese message, never the web server.
"""
from __future__ import annotations

import logging
import threading

from cockpit import auth
from cockpit.config import Settings
from cockpit.store import Store, StoreUnavailable
from cockpit.uploads import commit as C, validate as V
from cockpit.uploads.messages import Problems
from cockpit.uploads.parse import MAX_GRID, ZIP_MAGIC, grid_reason

from . import import_start
from .sandbox import UPLOADS, Sandbox, SandboxDied, run_once

log = logging.getLogger(__name__)
PRELOAD = UPLOADS  # named in service.sandbox, which `python -m cockpit import` imports first
_box: Sandbox | None = None
_box_lock = threading.Lock()
_stores: dict[tuple[str, Settings], Store] = {}


def sandbox() -> Sandbox:
    """The web server's warm child for checking uploads (one per server process)."""
    global _box
    with _box_lock:
        if _box is None:
            _box = Sandbox(preload=PRELOAD)
        return _box


def check_file(store: Store, data: bytes, file_name: str, options: V.Options,
               max_bytes: int | None = None, box: Sandbox | None = None,
               scope: auth.WriteScope = auth.ANYTHING) -> tuple[V.Checked, C.Preview | None]:
    """Parse, validate and preview one file in the child; a child that dies is a rejection, and so
    is a file holding figures outside what the uploader may write (said before the preview)."""
    try:
        checked, preview = (box or sandbox()).call("service.uploads:_check_in_child", store.url, store.cfg,
                                                   data, file_name, options, max_bytes)
    except SandboxDied as exc:
        return _refused(died_reason(data, exc)), None
    except StoreUnavailable:
        raise  # the database, not the file: the page and the command line say so
    except Exception:  # the child's own exception, re-raised here: a message, never a traceback
        log.exception("checking %r failed in the sandbox", file_name)
        return V.failed(file_name), None
    if checked.ok and (refused := C.outside_scope(store, checked, scope)):
        checked.problems.add(refused)
        return checked, None
    return checked, preview


def _refused(reason: str) -> V.Checked:
    problems = Problems()
    problems.add(reason)
    return V.Checked(problems)


def _check_in_child(url: str, cfg: Settings, data: bytes, file_name: str, options: V.Options,
                    max_bytes: int | None) -> tuple[V.Checked, C.Preview | None]:
    key = (url, cfg)
    if key not in _stores:
        _stores[key] = Store(url, cfg)
    store = _stores[key]
    checked = V.check_bytes(store, data, file_name, options, max_bytes=max_bytes, reader=import_start.reader(max_bytes))
    return checked, (C.preview(store, checked) if checked.ok else None)


def died_reason(data: bytes, exc: SandboxDied) -> str:
    """Why the reader gave up, as precisely as a second, bounded look at the file can say."""
    if exc.timed_out:
        return "文件读取超时（文件过大或结构异常），已拒收；请删去无关的工作表、行和列，或分成几个文件上传。"
    far = None
    if data.startswith(ZIP_MAGIC):
        try:
            far = run_once("cockpit.uploads.parse:far_cell", data, timeout=60)
        except SandboxDied:
            far = None
    if far and far[1] * far[2] > MAX_GRID:
        return grid_reason(*far)
    return ("文件读取时超出内存上限，已拒收（可能是使用区域过大或文件结构异常）；"
            "请删去无关的工作表、行和列后另存再上传，或分成几个文件上传。")
