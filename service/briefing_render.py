"""Charts to PNG, SVG and PDF on the server: kaleido driving Debian's Chromium, started once per
process and reused (the first picture costs the browser's start, later ones well under a second).

Pictures are drawn here, not in the viewer's browser, so the glyphs come from the server's CJK
font (fonts-wqy-microhei) whatever machine downloads them. MathJax is off: kaleido would
otherwise load it from a CDN, and the cockpit makes no outside request.
"""
from __future__ import annotations

import logging
import threading

import plotly.graph_objects as go

from cockpit.briefing.figure import FORMATS, PACK, Size, printable
from cockpit.charts import Chart

log = logging.getLogger(__name__)
# The browser driver and the PDF font subsetter narrate every step at INFO; operators need warnings.
for name in ("kaleido", "choreographer", "fontTools"):
    logging.getLogger(name).setLevel(logging.WARNING)
# kaleido's sync server answers through one shared queue: two threads (two Streamlit sessions)
# asking at once could take each other's picture. One render at a time.
_lock = threading.Lock()
_started = False


class RenderError(Exception):
    """The picture could not be drawn; the message is for people."""


def start() -> None:
    """Start the shared renderer (idempotent); the web server and the command line call it once."""
    with _lock:
        _start_locked()


def warm_in_background() -> None:
    """Start the renderer without making anyone wait (the /briefing page, before its button is pressed)."""
    if not _started:
        threading.Thread(target=_quiet_start, name="kaleido-warm", daemon=True).start()


def _quiet_start() -> None:
    try:
        start()
    except RenderError:
        pass  # logged; the click that needs it will say so


def _start_locked() -> None:
    global _started
    if _started:
        return
    import kaleido  # imported here: it is heavy, and only rendering needs it
    try:
        kaleido.start_sync_server(mathjax=False, silence_warnings=True)
    except Exception as exc:  # no Chromium, no permission: a sentence, the rest in the log
        log.exception("kaleido did not start")
        raise RenderError("图片渲染服务无法启动（需要服务器安装 chromium 与中文字体 fonts-wqy-microhei，"
                          "可运行 make run 自动安装），已记录错误日志。") from exc
    _started = True


def figure(fig: go.Figure, fmt: str, size: Size) -> bytes:
    """One figure to bytes in fmt (png | svg | pdf) at size."""
    import kaleido
    with _lock:
        _start_locked()
        try:
            out = kaleido.calc_fig_sync(fig, opts={"format": fmt, "width": size.width, "height": size.height,
                                                   "scale": size.scale})
        except Exception as exc:
            log.exception("rendering a %s failed", fmt)
            raise RenderError("图片生成失败，已记录错误日志，请稍后重试或联系管理员。") from exc
    return out if isinstance(out, bytes) else bytes(out)


def chart(c: Chart, key: str, *, demo: bool) -> bytes:
    """A page's chart as a download: key is one of cockpit.briefing.figure.FORMATS."""
    fmt, size = FORMATS[key]
    return figure(printable(c, demo=demo, size=size), fmt, size)


def slide_png(c: Chart, *, demo: bool) -> bytes:
    """A chart's picture for the briefing pack's slides and pages."""
    return figure(printable(c, demo=demo, size=PACK), "png", PACK)
