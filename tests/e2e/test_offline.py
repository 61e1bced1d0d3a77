"""The web server makes no request outside the machine: started behind a proxy that records and
refuses every connection (requests, which Streamlit uses, honours HTTP(S)_PROXY), nothing reaches it."""
from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.request

from tests.conftest import ROOT, copy_db
from tests.e2e.test_browser import OUT, _free_port


@contextlib.contextmanager
def refusing_proxy():
    """A proxy on 127.0.0.1 that writes down each request line it gets and answers 403."""
    seen: list[str] = []
    sock = socket.create_server(("127.0.0.1", 0))
    sock.settimeout(0.2)
    stop = threading.Event()

    def serve():
        while not stop.is_set():
            try:
                conn, _ = sock.accept()
            except OSError:
                continue
            with conn:
                conn.settimeout(2)
                with contextlib.suppress(OSError):
                    seen.append(conn.recv(4096).decode("latin-1").split("\r\n", 1)[0])
                    conn.sendall(b"HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{sock.getsockname()[1]}", seen
    finally:
        stop.set()
        thread.join(5)
        sock.close()


def _cross_origin_websocket(port: int) -> str:
    """A page served through another host name (a portal, a proxy): Streamlit checks the origin."""
    with socket.create_connection(("127.0.0.1", port), timeout=30) as s:
        s.sendall((f"GET /_stcore/stream HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nUpgrade: websocket\r\n"
                   "Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
                   "Sec-WebSocket-Version: 13\r\nOrigin: http://cockpit.intranet.example\r\n\r\n").encode())
        return s.recv(4096).decode("latin-1").split("\r\n", 1)[0]


def test_the_server_starts_and_serves_without_reaching_outside(demo_db, tmp_path):
    port = _free_port()
    log_path = OUT / "server-offline.log"
    OUT.mkdir(exist_ok=True)
    with refusing_proxy() as (proxy, seen), open(log_path, "w") as log:
        env = {**os.environ, "COCKPIT_DB_URL": copy_db(demo_db, tmp_path / "cockpit.db"),
               "COCKPIT_CONFIG": "", "NO_PROXY": "127.0.0.1,localhost", "no_proxy": "127.0.0.1,localhost"}
        env.update({k: proxy for k in ("HTTP_PROXY", "HTTPS_PROXY", "http_proxy", "https_proxy", "ALL_PROXY")})
        # No --address: as `make run` starts it, listening on every interface, which is when
        # Streamlit goes looking for an "External URL" to print.
        proc = subprocess.Popen([sys.executable, "-m", "cockpit", "serve", "--port", str(port)], cwd=ROOT, env=env,
                                stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        try:
            opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))  # the test itself goes direct
            for _ in range(240):
                try:
                    if opener.open(f"http://127.0.0.1:{port}/_stcore/health", timeout=2).read() == b"ok":
                        break
                except OSError:
                    time.sleep(0.5)
            else:
                raise AssertionError(f"驾驶舱服务未能启动，见 {log_path}")
            time.sleep(3)  # the start-up line is printed after the health route answers
            status = _cross_origin_websocket(port)
            time.sleep(2)
        finally:
            os.killpg(proc.pid, signal.SIGTERM)
            proc.wait(30)
    text = log_path.read_text(encoding="utf-8")
    assert status.startswith("HTTP/1.1")  # the server answered the handshake (it refuses the foreign origin)
    assert seen == [], seen
    assert "Did not auto detect external IP" not in text and "External URL" not in text
    # the start-up path ran, and told the operator in Chinese (Streamlit's banner is hidden)
    assert f"驾驶舱网页服务已启动：本机所有网络地址的 {port} 端口" in text
    assert "You can now view" not in text and "Uvicorn" not in text and "Stopping" not in text
    assert "驾驶舱网页服务正在停止" in text
