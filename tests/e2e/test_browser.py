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


# Deep pages first: the v1 "pages/" trap bites on the first request after the server starts.
@pytest.mark.parametrize("page", PAGES[::-1], ids=[p.url_path or "root" for p in PAGES[::-1]])
def test_page_opens_by_url_with_the_cockpit_layout(server, browser, page):
    """A wall display opens pages by direct link: same navigation and page config as clicking through."""
    ctx = browser.new_context(viewport={"width": 1920, "height": 1080}, locale="zh-CN")
    outside: list[str] = []
    tab = ctx.new_page()
    tab.on("request", lambda r: None if r.url.startswith(LOCAL) else outside.append(r.url))
    tab.goto(f"{server}/{page.url_path}")
    tab.get_by_text("数据截至").first.wait_for(timeout=90_000)
    tab.wait_for_load_state("networkidle")
    time.sleep(2)
    body = tab.inner_text("body")
    title = tab.title()
    # Each link reads "<icon ligature>\n\n<title>"; the title is the last line.
    nav = tab.locator("[data-testid=stSidebarNav] a").all_inner_texts() if len(PAGES) > 1 else []
    shot = OUT / f"{page.url_path or 'overview'}-1920x1080.png"
    tab.screenshot(path=str(shot))
    ctx.close()
    assert outside == []
    assert "Traceback" not in body and "暂时无法显示" not in body
    assert "演示数据" in body or not page.shows_data
    # app.py ran: its navigation (titles, not file names) and its page config.
    assert [n.strip().splitlines()[-1] for n in nav] == ([p.title for p in PAGES] if len(PAGES) > 1 else [])
    assert page.title in title or "商丘市数字政府领导驾驶舱" in title
    # A real picture, not a blank page: many distinct colours.
    assert len(Image.open(shot).convert("RGB").getcolors(maxcolors=1 << 20) or []) > 200


def test_overview_draws_tiles_and_the_county_map(server, browser):
    tab = browser.new_page(viewport={"width": 1920, "height": 1080})
    tab.goto(server)
    tab.wait_for_selector("[data-testid=stMetricValue]", timeout=90_000)
    tab.wait_for_selector("canvas", timeout=30_000)
    assert tab.locator("[data-testid=stMetricValue]").count() >= 12 + 6
    tab.close()
