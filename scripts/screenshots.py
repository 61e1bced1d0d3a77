"""Screenshots of every page, as a leader sees them, at the sizes the cockpit is used on.

    .venv/bin/python scripts/screenshots.py [--sizes 1920x1080,3840x2160] [--readme]

Starts the cockpit on a fresh demo store (as `make run` would, without touching data/), opens each
page in headless Chromium, waits for its figures and saves a full-page PNG to test-results/shots/.
With --readme the overview at 1920×1080 also becomes docs/overview.png, the README's picture, so
that picture is always made by this script, never by hand.
"""
from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from playwright.sync_api import sync_playwright  # noqa: E402

from cockpit.config import Settings  # noqa: E402
from cockpit.store import Store  # noqa: E402
from service.bootstrap import load_demo  # noqa: E402
from tests.e2e.test_browser import ARGS, CHROMIUM, serving, settle  # noqa: E402
from ui.nav import PAGES  # noqa: E402

OUT = ROOT / "test-results" / "shots"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", default="1920x1080,3840x2160")
    ap.add_argument("--readme", action="store_true", help="also write docs/overview.png")
    args = ap.parse_args(argv)
    sizes = [tuple(int(x) for x in s.split("x")) for s in args.sizes.split(",")]
    OUT.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "cockpit.db"
        store = Store(f"sqlite:///{path}", Settings(data_dir=path.parent, demo_on_empty=False))
        store.init()
        load_demo(store)
        store.engine.dispose()
        with serving(f"sqlite:///{path}", "screenshots") as url, sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=CHROMIUM, args=ARGS)
            for width, height in sizes:
                ctx = browser.new_context(viewport={"width": width, "height": height}, locale="zh-CN")
                tab = ctx.new_page()
                tab.set_default_timeout(180_000)
                for spec in PAGES:
                    name = spec.url_path or "overview"
                    tab.goto(f"{url}/{spec.url_path}")
                    tab.locator("[data-testid=stMain]").wait_for()
                    tab.wait_for_load_state("networkidle")
                    settle(tab)  # Streamlit's run over and every chart drawn
                    shot = OUT / f"{name}-{width}x{height}.png"
                    tab.screenshot(path=str(shot), full_page=True)
                    print(shot.relative_to(ROOT))
                    if args.readme and name == "overview" and (width, height) == (1920, 1080):
                        shutil.copy(shot, ROOT / "docs" / "overview.png")
                ctx.close()
            browser.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
