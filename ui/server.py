"""The web server: Streamlit started in this process with app.py, its v1 "pages/ folder" mode
switched off before the first request. Otherwise a direct link such as /economy runs
pages/economy.py without app.py (docs/architecture.md, "Direct links").

`python -m cockpit serve` hands its process over to `python -m ui.server`, so the command line
never imports Streamlit and the web server is started in one place.

On top of Streamlit's own server, what an intranet deployment needs:
- security headers on every answer: the cockpit may be framed only by the pages
  `frame_ancestors` allows (clickjacking), and browsers never guess content types;
- Streamlit's /_stcore/metrics endpoint is not served: it tells anyone who asks, without a
  login, how many sessions are open and how much memory they use;
- no request leaves the machine: Streamlit asks checkip.amazonaws.com for its "External URL" at
  start and whenever a page is opened from an address it does not know (streamlit/net_util.py);
  the cockpit answers "no external address" instead;
- /_cockpit/login exchanges the one-time ticket of a password login for the session cookie,
  which Streamlit cannot set from Python (HttpOnly; cockpit.sessions), and returns the browser to
  the page it asked for;
- /_cockpit/health answers "ok" only while the database answers (Streamlit's own health route
  says "ok" whatever the database does).
"""
from __future__ import annotations

import argparse
import ast
import gc
import html
import importlib
import logging
import os
import pkgutil
import threading
from collections.abc import Iterable
from typing import TYPE_CHECKING

from starlette.concurrency import run_in_threadpool
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response
from streamlit import net_util
from streamlit.runtime.pages_manager import PagesManager
from streamlit.web import bootstrap
from streamlit.web.server import server as streamlit_server
from streamlit.web.server.starlette import starlette_app

from cockpit import city, presence
from cockpit.config import ROOT, settings

if TYPE_CHECKING:  # the store (pandas, SQLAlchemy, Alembic) is imported after the server listens
    from cockpit.store import Store

log = logging.getLogger(__name__)
LOGIN_PATH = "/_cockpit/login"
HEALTH_PATH = "/_cockpit/health"
OURS = ("ui", "cockpit")  # first_modules: the packages whose imports app.py and the first page wait for
FIRST_PAGE_WAIT = 30  # seconds; a server nobody opens warms the rest anyway
_served: presence.Held | None = None  # kept for the life of the process (see serve)


class SecurityHeaders:
    """Pure ASGI middleware (so WebSocket traffic passes untouched)."""

    def __init__(self, app, frame_ancestors: str = "'self'"):
        self.app = app
        headers = [(b"x-content-type-options", b"nosniff"),
                   (b"referrer-policy", b"same-origin"),
                   (b"content-security-policy", f"frame-ancestors {frame_ancestors}".encode())]
        if frame_ancestors.strip() in ("'self'", "'none'"):  # the older header for older browsers
            headers.append((b"x-frame-options", b"SAMEORIGIN" if "self" in frame_ancestors else b"DENY"))
        self.headers = headers

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)

        async def send_with_headers(message):
            if message["type"] == "http.response.start":
                names = {k.lower() for k, _ in message.get("headers", [])}
                message["headers"] = [*message.get("headers", []),
                                      *((k, v) for k, v in self.headers if k not in names)]
            await send(message)
        return await self.app(scope, receive, send_with_headers)


def safe_next(target: str | None) -> str:
    """Where a login may send the browser: a path of this site, never another site (a scheme,
    //host, or /\\host, which browsers read as //host) and no control character (a split header)."""
    target = target or "/"
    if (not target.startswith("/") or target.startswith("//") or "\\" in target or len(target) > 2000
            or not target.isprintable()):
        return "/"
    return target


def _page(message: str, status: int) -> HTMLResponse:
    body = (f'<!doctype html><html lang="zh-CN"><meta charset="utf-8"><title>{html.escape(city.TITLE)}</title>'
            f'<p>{html.escape(message)}</p><p><a href="/">返回登录页</a></p></html>')
    return HTMLResponse(body, status_code=status, headers={"cache-control": "no-store"})


class _Route:
    """One route of our own in front of Streamlit (pure ASGI); every other request passes on."""

    path = ""

    def __init__(self, app, store: Store | None = None):
        self.app = app
        self._store = store

    def store(self) -> Store:
        if self._store is None:
            from cockpit.store import Store
            self._store = Store()
        return self._store

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http" or scope["path"] != self.path:
            return await self.app(scope, receive, send)
        response = await run_in_threadpool(self.answer, Request(scope, receive))
        await response(scope, receive, send)

    def answer(self, request: Request) -> Response:
        raise NotImplementedError


class SessionCookie(_Route):
    """GET /_cockpit/login?ticket=…&next=/economy?…: the ticket (one use, two minutes) for the
    HttpOnly, SameSite=Lax, signed session cookie, then back to `next`."""

    path = LOGIN_PATH

    def answer(self, request: Request) -> Response:
        from cockpit import sessions
        if request.method != "GET":
            return _page("不支持的请求方式。", 405)
        try:
            value = sessions.redeem(self.store(), request.query_params.get("ticket", ""))
        except sessions.Refused as exc:
            return _page(str(exc), 400)
        except Exception:  # a leader never reads a traceback; the log does
            log.exception("session cookie: ticket exchange failed")
            return _page("登录暂时无法完成，已记录错误日志，请稍后重试或联系管理员。", 500)
        response = RedirectResponse(safe_next(request.query_params.get("next")), status_code=303,
                                    headers={"cache-control": "no-store"})
        https = request.url.scheme == "https" or request.headers.get("x-forwarded-proto") == "https"
        # No max-age: the browser keeps it until it closes; the server ends it after session_minutes idle.
        response.set_cookie(sessions.COOKIE, value, httponly=True, samesite="lax", secure=https, path="/")
        return response


class Health(_Route):
    """GET /_cockpit/health: "ok" (200) when this process can serve pages, that is, its database
    answers and its schema is not newer than this code; otherwise 503 and why, in a line. Streamlit's
    /_stcore/health says "ok" while the database is down, so a balancer would keep sending
    leaders to a process that can only show 数据库暂时无法连接 (README, deploying)."""

    path = HEALTH_PATH

    def answer(self, request: Request) -> Response:
        store = self.store()
        try:
            seen = store.schema_revision()
        except Exception as exc:  # noqa: BLE001 - whatever the driver raises, the answer is the same
            log.warning("health: database unavailable: %s", exc)
            return _plain("数据库无法连接", 503)
        # A store never initialised or behind this release is mended by the first page this
        # process serves (it migrates, with progress): healthy, or a balancer would never send that
        # page. A store ahead of it (an older release beside newer ones) is not.
        if seen is not None and seen > store.head_revision():
            return _plain(f"数据库结构版本 {seen} 比本程序（{store.head_revision()}）新：请升级本程序", 503)
        return _plain("ok", 200)


def _plain(text: str, status: int) -> Response:
    return Response(text, status_code=status, media_type="text/plain; charset=utf-8",
                    headers={"cache-control": "no-store"})


def harden(frame_ancestors: str) -> None:
    """Call before the server starts."""
    streamlit_middleware = starlette_app.create_streamlit_middleware
    starlette_app.create_streamlit_middleware = lambda: [
        Middleware(SecurityHeaders, frame_ancestors=frame_ancestors), Middleware(SessionCookie), Middleware(Health),
        *streamlit_middleware()]
    starlette_app.create_metrics_routes = lambda runtime, base_url: []
    # No setting stops it (browser.serverAddress only spares the start-up banner, not the
    # cross-origin check): an intranet server has no external address to look up.
    net_util.get_external_ip = lambda: None


def warm() -> None:
    """Import what the pages need (the panels, and with them the store, pandas, Plotly and pydeck)
    while the first browser is still loading Streamlit's scripts: its first page need not wait.
    What app.py and the default page import comes first; the other pages' modules (the briefing's
    PDF and slide libraries among them, a third of the whole) once that first page has run, so
    they do not hold the interpreter while it runs (bench/RESULTS.md, cold start).

    Then freeze what is in memory out of the garbage collector's sight: Streamlit collects every
    generation after each script run (runner.postScriptGC), holding the interpreter for as long as
    it takes to walk every object, a quarter of a second with all these modules loaded, before the
    browser hears that the run is over (bench/RESULTS.md, filter change). Modules, classes and
    functions live as long as the process, so the collector has nothing to find among them."""
    import ui
    _import(first_modules())
    from ui import state
    state.FIRST_PAGE_DONE.wait(FIRST_PAGE_WAIT)
    _import(m.name for m in pkgutil.iter_modules(ui.__path__, "ui."))
    gc.collect()
    gc.freeze()


def _import(names: Iterable[str]) -> None:
    for name in names:
        try:
            importlib.import_module(name)
        except Exception:  # noqa: BLE001 - the page that needs it will say what is wrong
            log.warning("warming %s failed", name, exc_info=True)


def first_modules() -> list[str]:
    """The project's modules app.py and the default page import, in their order."""
    from ui.nav import PAGES
    default = next(p.script for p in PAGES if not p.url_path)
    out = []
    for script in ("app.py", default):
        for node in ast.parse((ROOT / script).read_text(encoding="utf-8")).body:
            if isinstance(node, ast.ImportFrom) and node.module and node.module.split(".")[0] in OURS:
                out += [f"{node.module}.{a.name}" for a in node.names] if node.module in OURS else [node.module]
            elif isinstance(node, ast.Import):
                out += [a.name for a in node.names if a.name.split(".")[0] in OURS]
    return list(dict.fromkeys(out))


def warm_after_start() -> None:
    """Start `warm` once the server listens: before, it would delay the first answer."""
    started = getattr(bootstrap, "_on_server_start", None)
    if started is None:  # a Streamlit without the hook: warm now rather than never
        threading.Thread(target=warm, name="warm", daemon=True).start()
        return

    def on_start(server) -> None:
        started(server)
        _say_started()
        threading.Thread(target=warm, name="warm", daemon=True).start()
    bootstrap._on_server_start = on_start


def _say_started() -> None:
    """The operator's start-up line, in Chinese: Streamlit's own banner (hidden in
    .streamlit/config.toml) is English and offers addresses a browser on the intranet cannot use."""
    from streamlit import config
    port, address = config.get_option("server.port"), config.get_option("server.address")
    where = f"http://{address}:{port}" if address and address not in ("0.0.0.0", "::") else f"本机所有网络地址的 {port} 端口"
    print(f"驾驶舱网页服务已启动：{where}（停止服务请按 Ctrl+C）", flush=True)


class _Console:
    """Streamlit's server prints "Stopping..." on its way out; the operator reads it in Chinese."""
    SAID = {"  Stopping...": "驾驶舱网页服务正在停止…"}

    def __init__(self, cli):
        self._cli = cli

    def print_to_cli(self, message: str, **kwargs) -> None:
        self._cli.print_to_cli(self.SAID.get(message, message), **kwargs)

    def __getattr__(self, name):
        return getattr(self._cli, name)


def serve(port: int | None = None, address: str | None = None) -> None:
    PagesManager.uses_pages_directory = False
    cfg = settings()
    harden(cfg.frame_ancestors)
    os.chdir(ROOT)  # Streamlit reads .streamlit/config.toml from the working directory
    global _served
    try:  # for as long as this process runs, `restore` knows the store is being served
        _served = presence.hold(cfg.database_url, cfg.data_dir)
    except Exception:  # noqa: BLE001 - serving matters more; the page reports an unreachable database
        log.warning("could not mark the store as served; restore will not see this server", exc_info=True)
    flags = {k: v for k, v in {"server_port": port, "server_address": address}.items() if v}
    bootstrap.load_config_options(flag_options=flags)
    # Streamlit's start-up notices are English and for developers ("Uvicorn server started on …").
    logging.getLogger("streamlit.web.server.starlette.starlette_server").setLevel(logging.WARNING)
    streamlit_server.cli_util = _Console(streamlit_server.cli_util)
    warm_after_start()
    bootstrap.run(str(ROOT / "app.py"), False, [], flags)


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(prog="python -m ui.server", description="驾驶舱网页服务")
    ap.add_argument("--port", type=int, default=None)
    ap.add_argument("--address", default=None)
    a = ap.parse_args(argv)
    serve(a.port, a.address)


if __name__ == "__main__":
    main()
