"""Shared by the browser tests: one headless Debian Chromium per test module."""
from pathlib import Path

import pytest

from tests.e2e.test_browser import ARGS, CHROMIUM


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright
    assert Path(CHROMIUM).exists(), "需要 Debian 的 chromium（make test 会安装）"
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield b
        b.close()
