"""The web server: Streamlit started in this process with app.py, its v1 "pages/ folder" mode
switched off before the first request. Otherwise a direct link such as /economy runs
pages/economy.py without app.py (docs/architecture.md, "Direct links").

`python -m cockpit serve` hands its process over to `python -m ui.server`, so the command line
never imports Streamlit and the web server is started in one place.

On top of Streamlit's own server, what an intranet deployment needs:
- security headers on every answer: the cockpit may be framed only by the pages
  `frame_ancestors` allows (clickjacking), and browsers never guess content types;
- Streamlit's /_stcore/metrics endpoint is not served: it tells anyone who asks, without a
  login, how many sessions are open and how much memory they use.
"""
from __future__ import annotations

import argparse
import os

from starlette.middleware import Middleware
from streamlit.runtime.pages_manager import PagesManager
from streamlit.web import bootstrap
from streamlit.web.server.starlette import starlette_app

from cockpit.config import ROOT, settings


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


def harden(frame_ancestors: str) -> None:
    """Call before the server starts."""
    streamlit_middleware = starlette_app.create_streamlit_middleware
    starlette_app.create_streamlit_middleware = lambda: [
        Middleware(SecurityHeaders, frame_ancestors=frame_ancestors), *streamlit_middleware()]
    starlette_app.create_metrics_routes = lambda runtime, base_url: []


def serve(port: int | None = None, address: str | None = None) -> None:
    PagesManager.uses_pages_directory = False
    harden(settings().frame_ancestors)
    os.chdir(ROOT)  # Streamlit reads .streamlit/config.toml from the working directory
    flags = {k: v for k, v in {"server_port": port, "server_address": address}.items() if v}
    bootstrap.load_config_options(flag_options=flags)
    bootstrap.run(str(ROOT / "app.py"), False, [], flags)


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(prog="python -m ui.server", description="驾驶舱网页服务")
    ap.add_argument("--port", type=int, default=None)
    ap.add_argument("--address", default=None)
    a = ap.parse_args(argv)
    serve(a.port, a.address)


if __name__ == "__main__":
    main()
