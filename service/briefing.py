"""The monthly briefing pack made: the content from the core (cockpit.briefing.content), each chart
drawn once by the shared renderer (service.briefing_render), then the PPTX, the PDF and the XLSX.
Used by the /briefing page and by `python -m cockpit briefing` (service.briefing_cli)."""
from __future__ import annotations

import datetime as dt
import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from cockpit.auth import EVERYTHING, Scope
from cockpit.briefing import content, document, slides, workbook
from cockpit.store import Store

from . import briefing_render

Progress = Callable[[float, str], None]
KINDS = {"pptx": "演示文稿（PPTX）", "pdf": "PDF 文档", "xlsx": "图表数据（XLSX）"}
MIME = {"pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
        "pdf": "application/pdf", "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}


@dataclass
class Files:
    pack: content.Pack
    data: dict[str, bytes]  # kind -> bytes, kinds of KINDS

    def name(self, kind: str) -> str:
        return f"{self.pack.file_stem}.{kind}"


def make(store: Store, month: str, region: str | None = None, scope: Scope = EVERYTHING, *,
         today: dt.date | None = None, progress: Progress | None = None) -> Files:
    """Raises content.BriefingRefused (a Chinese sentence) for a request the pack cannot be made for,
    briefing_render.RenderError when the pictures cannot be drawn."""
    say = progress or (lambda f, t: None)
    say(0.02, "正在汇总数据与生成解读…")
    pack = content.build(store, month, region, scope, today=today)
    pictures = []
    for i, section in enumerate(pack.charts):
        say(0.1 + 0.7 * i / max(len(pack.charts), 1), f"正在绘制图表 {i + 1}/{len(pack.charts)}：{section.chart.title}")
        pictures.append(briefing_render.slide_png(section.chart, demo=section.demo))
    say(0.82, "正在排版演示文稿…")
    data = {"pptx": slides.write(pack, pictures)}
    say(0.9, "正在排版 PDF…")
    data["pdf"] = document.write(pack, pictures)
    say(0.97, "正在写入图表数据表…")
    data["xlsx"] = workbook.write(pack)
    say(1.0, "月度简报已生成")
    return Files(pack, data)


def out_dir(out: str, root: Path) -> Path:
    """The folder a scheduled job writes into: inside `root` (setting briefing_dir) and nowhere else.
    A relative path is taken inside root; links and .. are resolved before the check."""
    # A folder a shared drive or a Windows desk can open: "" wrote into the root itself, a line break
    # split the "已写入" lines, and :*?<>| make a name Windows refuses.
    if not out.strip():
        raise content.BriefingRefused("--out：请写明子目录名，如 2026-11")
    if bad := sorted({c for c in out if c in ':*?"<>|' or ord(c) < 32}):
        shown = "、".join("换行等控制字符" if ord(c) < 32 else c for c in bad)
        raise content.BriefingRefused(f"--out：目录名不能含 {shown}（共享盘和 Windows 无法打开）")
    if any(len(part.encode()) > 200 for part in Path(out).parts):
        raise content.BriefingRefused("--out：目录名过长（每级不超过 200 字节，约 66 个汉字）")
    root = root.resolve()
    target = (root / out).resolve() if not Path(out).is_absolute() else Path(out).resolve()
    if target != root and root not in target.parents:
        raise content.BriefingRefused(f"--out：只能写入简报目录 {root} 之内（设置项 briefing_dir），"
                                      f"“{out}”不在其中")
    # Nothing is made here: a request refused later (a month without figures) left empty folders.
    # The nearest folder that exists must take a new entry; save() makes the rest.
    there = next(p for p in (target, *target.parents) if p.exists())
    if not there.is_dir() or not os.access(there, os.W_OK | os.X_OK):
        why = "不是目录" if not there.is_dir() else "没有写权限"
        raise content.BriefingRefused(f"--out：目录“{target}”无法写入（“{there}”{why}）")
    return target


def save(files: Files, folder: Path) -> list[Path]:
    """Write the three files; each goes to a temporary name first, so a reader never sees half a file."""
    written = []
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise content.BriefingRefused(f"--out：目录“{folder}”无法写入（{exc.strerror or exc}）") from None
    for kind, data in files.data.items():
        path = folder / files.name(kind)
        tmp = path.with_name(path.name + ".part")
        tmp.write_bytes(data)
        tmp.replace(path)
        written.append(path)
    return written
