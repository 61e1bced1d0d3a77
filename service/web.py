"""The web server as the cockpit runs it: Streamlit's own server, with what an intranet
deployment needs on top of it.

- Security headers on every answer: the cockpit may be framed only by the pages
  `frame_ancestors` allows (clickjacking), and browsers never guess content types.
- Streamlit's /_stcore/metrics endpoint is not served: it tells anyone who asks, without a
  login, how many sessions are open and how much memory they use.
"""
from __future__ import annotations

from starlette.middleware import Middleware


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
    from streamlit.web.server.starlette import starlette_app
    streamlit_middleware = starlette_app.create_streamlit_middleware
    starlette_app.create_streamlit_middleware = lambda: [
        Middleware(SecurityHeaders, frame_ancestors=frame_ancestors), *streamlit_middleware()]
    starlette_app.create_metrics_routes = lambda runtime, base_url: []
