"""A cookie-sticky load balancer for the scale bench (bench/peer_scale.py); standard library only.

    .venv/bin/python bench/lb.py --port 8600 127.0.0.1:8501 127.0.0.1:8502

In production nginx does this (README, "Deploying on PostgreSQL, more than one process"). This machine
has no nginx, so the bench brings its own, doing what nginx's `hash $cookie_…` does: a browser's first
request goes to the next node in turn, and its response sets a cookie naming that node; every later
connection of that browser, the page's WebSocket included, carries the cookie and is spliced whole to
the same node, since Streamlit keeps a session in one process. `GET /_lb/served` answers, as JSON, how
many connections each node took, so the bench can show that every node served.
"""
from __future__ import annotations

import argparse
import asyncio
import contextlib
import itertools
import json
import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

COOKIE = "cockpit_node"
_NODE = re.compile(rb"(?im)^cookie:[^\r\n]*\b" + COOKIE.encode() + rb"=(\d+)")
HEAD_LIMIT = 64 * 1024


class Balancer:
    def __init__(self, nodes: list[tuple[str, int]]):
        self.nodes = nodes
        self._turn = itertools.cycle(range(len(nodes)))
        self.served = [0] * len(nodes)

    async def handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            head = await reader.readuntil(b"\r\n\r\n")
        except (asyncio.IncompleteReadError, asyncio.LimitOverrunError, ConnectionError):
            writer.close()
            return
        if head.startswith(b"GET /_lb/served "):
            body = json.dumps({"served": self.served}).encode()
            writer.write(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nConnection: close\r\n"
                         b"Content-Length: %d\r\n\r\n%s" % (len(body), body))
            await writer.drain()
            writer.close()
            return
        found = _NODE.search(head)
        node = int(found.group(1)) if found and int(found.group(1)) < len(self.nodes) else None
        fresh = node is None
        if fresh:
            node = next(self._turn)
        self.served[node] += 1
        try:
            up_reader, up_writer = await asyncio.open_connection(*self.nodes[node])
        except OSError:
            writer.write(b"HTTP/1.1 502 Bad Gateway\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
            writer.close()
            return
        up_writer.write(head)
        down = _pipe(up_reader, writer, f"Set-Cookie: {COOKIE}={node}; Path=/; HttpOnly\r\n".encode() if fresh else b"")
        tasks = [asyncio.ensure_future(_pipe(reader, up_writer)), asyncio.ensure_future(down)]
        await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
        for t in tasks:
            t.cancel()
        for w in (writer, up_writer):
            w.close()


async def _pipe(reader: asyncio.StreamReader, writer: asyncio.StreamWriter, cookie: bytes = b"") -> None:
    """Copy one direction until it ends; `cookie` goes into the first response's head."""
    try:
        if cookie:
            head = await reader.readuntil(b"\r\n\r\n")
            cut = head.index(b"\r\n") + 2
            writer.write(head[:cut] + cookie + head[cut:])
        while data := await reader.read(1 << 16):
            writer.write(data)
            await writer.drain()
    except (asyncio.IncompleteReadError, asyncio.LimitOverrunError, ConnectionError):
        pass


async def serve(port: int, nodes: list[tuple[str, int]]) -> None:
    lb = Balancer(nodes)
    server = await asyncio.start_server(lb.handle, "127.0.0.1", port, limit=HEAD_LIMIT)
    async with server:
        await server.serve_forever()


@contextlib.contextmanager
def running(urls: list[str]) -> Iterator[str]:
    """A balancer over these servers, in a child process for as long as the block runs; its URL."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    proc = subprocess.Popen([sys.executable, str(Path(__file__).resolve()), "--port", str(port),
                             *(u.removeprefix("http://") for u in urls)], start_new_session=True)
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):
            with contextlib.suppress(OSError):
                if urllib.request.urlopen(url + "/_stcore/health", timeout=2).read() == b"ok":
                    break
            time.sleep(0.1)
        else:
            raise TimeoutError("the balancer did not answer")
        yield url
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(10)


def served(url: str) -> list[int]:
    """Connections each server took through the balancer at `url`."""
    return json.loads(urllib.request.urlopen(url + "/_lb/served").read())["served"]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--port", type=int, required=True)
    ap.add_argument("nodes", nargs="+", help="host:port of each cockpit process")
    a = ap.parse_args()
    nodes = [(h, int(p)) for h, p in (n.rsplit(":", 1) for n in a.nodes)]
    asyncio.run(serve(a.port, nodes))


if __name__ == "__main__":
    main()
