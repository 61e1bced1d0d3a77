"""Real Chromium against a real server: every page by its URL, no outside request, no traceback."""
from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from PIL import Image

from tests.conftest import ROOT
from ui.nav import PAGES

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--enable-unsafe-swiftshader", "--disable-quic",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]
OUT = ROOT / "test-results"
LOCAL = ("http://127.0.0.1", "http://localhost", "ws://127.0.0.1", "ws://localhost", "data:", "blob:")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def server(demo_db):
    port = _free_port()
    env = {**os.environ, "COCKPIT_DB_URL": demo_db, "COCKPIT_CONFIG": "/nonexistent.toml"}
    log = open(OUT.mkdir(exist_ok=True) or OUT / "server.log", "w")
    proc = subprocess.Popen([sys.executable, "-m", "cockpit", "serve", "--port", str(port),
                             "--address", "127.0.0.1"], cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    for _ in range(120):
        try:
            if urllib.request.urlopen(url + "/_stcore/health", timeout=1).read() == b"ok":
                break
        except OSError:
            time.sleep(0.5)
    else:
        proc.kill()
        pytest.fail("驾驶舱服务未能启动，见 test-results/server.log")
    yield url
    proc.terminate()
    proc.wait(10)
    log.close()


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright
    assert Path(CHROMIUM).exists(), "需要 Debian 的 chromium（make test 会安装）"
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield b
        b.close()


@pytest.mark.parametrize("page", PAGES, ids=[p.url_path or "root" for p in PAGES])
def test_page_opens_by_url_with_the_cockpit_layout(server, browser, page):
    ctx = browser.new_context(viewport={"width": 1920, "height": 1080}, locale="zh-CN")
    outside: list[str] = []
    tab = ctx.new_page()
    tab.on("request", lambda r: None if r.url.startswith(LOCAL) else outside.append(r.url))
    tab.goto(f"{server}/{page.url_path}")
    tab.get_by_role("heading", name="商丘市数字政府领导驾驶舱").wait_for(timeout=60_000)
    tab.wait_for_selector("[data-testid=stMetricValue]", timeout=60_000)
    tab.wait_for_selector("canvas", timeout=30_000)  # the county map drew
    time.sleep(2)
    body = tab.inner_text("body")
    shot = OUT / f"{page.url_path or 'overview'}-1920x1080.png"
    tab.screenshot(path=str(shot))
    ctx.close()
    assert outside == []
    assert "Traceback" not in body and "Error" not in body
    assert "演示数据" in body and "数据截至" in body
    # The page config from app.py applied: the browser tab carries our title.
    nav_files = [Path(p.script).stem for p in PAGES]
    assert not any(f"\n{name}\n" in body for name in nav_files), "v1 自动侧栏出现了"
    # A real picture, not a blank page: many distinct colours.
    assert len(Image.open(shot).convert("RGB").getcolors(maxcolors=1 << 20) or []) > 200
