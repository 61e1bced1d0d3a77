"""The wall display over many refreshes: is memory flat, in the browser and in the server?

Drives the wall (`/?screen=1`) in Debian's Chromium with a short refresh interval and the carousel
turning, and records the page's JS heap and DOM size (Chrome DevTools Protocol, after a forced
garbage collection) and the server process's resident memory, after a warm-up and again after
N refreshes. `tests/e2e/test_wall.py` runs the same with 200 refreshes and asserts the bound.

    .venv/bin/python bench/wall_soak.py --cycles 200    # starts its own server on a demo store

Writes bench/results/wall_soak-<cycles>.json; bench/wall.md has the recorded runs.
"""
from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import json
import os
import platform
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

# The test configuration: a refresh every second, a new board every three (every board is drawn
# and dropped again and again, charts and maps included).
SOAK_ENV = {"COCKPIT_SCREEN_REFRESH_SECONDS": "1", "COCKPIT_SCREEN_CAROUSEL_SECONDS": "3"}
WARM_UP = 20  # refreshes before the first measurement: caches filled, every board drawn once


def server_pid(port: int) -> int:
    """The web server listening on `port` (`python -m cockpit serve` execs into `ui.server`)."""
    for proc in Path("/proc").iterdir():
        with contextlib.suppress(OSError):
            argv = (proc / "cmdline").read_bytes().split(b"\0")
            if b"ui.server" in argv and str(port).encode() in argv:
                return int(proc.name)
    raise LookupError(f"no cockpit server on port {port}")


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise LookupError(pid)


def _tick(tab) -> int:
    return int(tab.evaluate("() => Number((document.querySelector('.wall-head') || {dataset: {}}).dataset.tick || 0)"))


def _board(tab) -> str:
    return tab.evaluate("() => (document.querySelector('.wall-head') || {dataset: {}}).dataset.board || ''")


def _wait_ticks(tab, target: int, timeout: float, board: str = "overview") -> None:
    """Until the wall has refreshed `target` times and shows `board` (both measurements are taken on
    the same board, so that they compare the same page)."""
    deadline = time.time() + timeout
    while _tick(tab) < target or _board(tab) != board:
        if time.time() > deadline:
            raise TimeoutError(f"大屏在 {timeout:.0f} 秒内只刷新了 {_tick(tab)} 次（目标 {target} 次）")
        time.sleep(0.5)


# The board drawn and the page between reruns: a measurement during a turn of the carousel counts
# the board going and the board coming (1,000 more DOM nodes, megabytes of heap).
SETTLED = """() => document.querySelector('.stApp')?.getAttribute('data-test-script-state') === 'notRunning'
  && document.querySelector('.wall-head')?.dataset.board === 'overview' && [...document.querySelectorAll('.stPlotlyChart')].every(e => e.querySelector('.main-svg'))"""
SAMPLES = 3  # measurements at each end, on successive turns of the carousel; the lowest counts


def _measure(tab, cdp, pid: int) -> dict:
    tab.wait_for_function(SETTLED, timeout=60_000)
    cdp.send("HeapProfiler.collectGarbage")  # returns when collected: read at once, before a rerun
    metrics = {m["name"]: m["value"] for m in cdp.send("Performance.getMetrics")["metrics"]}
    return {"tick": _tick(tab), "at": dt.datetime.now().isoformat(timespec="seconds"),
            "js_heap_mb": round(metrics["JSHeapUsedSize"] / 2**20, 2), "dom_nodes": int(metrics["Nodes"]),
            "js_listeners": int(metrics["JSEventListeners"]), "server_rss_mb": round(rss_mb(pid), 1)}


def _lowest(tab, cdp, pid: int, tick: int) -> dict:
    """The lowest of SAMPLES measurements of the same board, each at another turn of the carousel,
    the first once the wall has refreshed `tick` times. One reading is noise: the server's resident
    memory moves by ±15 MB between two reruns, and a leak is what the floor does, not one peak."""
    samples = []
    for i in range(SAMPLES):
        if i:  # the board leaves and comes back
            _wait_board(tab, lambda b: b != "overview", timeout=120)
        _wait_ticks(tab, tick, timeout=max(0, tick - _tick(tab)) * 15 + 120)
        samples.append(_measure(tab, cdp, pid))
    low = {k: min(s[k] for s in samples) for k in METRICS}
    return {"tick": samples[0]["tick"], "at": samples[0]["at"], **low, "samples": samples}


def _wait_board(tab, ok, timeout: float) -> None:
    deadline = time.time() + timeout
    while not ok(_board(tab)):
        if time.time() > deadline:
            raise TimeoutError(f"大屏在 {timeout:.0f} 秒内没有轮换到下一屏")
        time.sleep(0.5)


METRICS = ("js_heap_mb", "dom_nodes", "js_listeners", "server_rss_mb")


def soak(browser, url: str, port: int, cycles: int, viewport=(1920, 1080)) -> dict:
    """Open the wall, warm it up, measure, let it refresh `cycles` times, measure again."""
    pid = server_pid(port)
    tab = browser.new_page(viewport={"width": viewport[0], "height": viewport[1]})
    try:
        tab.goto(f"{url}/?screen=1")
        tab.wait_for_selector(".wall-head", timeout=120_000)
        cdp = tab.context.new_cdp_session(tab)
        cdp.send("Performance.enable")
        start = _lowest(tab, cdp, pid, WARM_UP)
        began = time.time()
        end = _lowest(tab, cdp, pid, start["samples"][-1]["tick"] + cycles)
        text = tab.inner_text("body")
    finally:
        tab.close()
    return {"cycles": end["samples"][0]["tick"] - start["samples"][-1]["tick"], "seconds": round(time.time() - began),
            "viewport": list(viewport), "start": start, "end": end, "traceback_seen": "Traceback" in text,
            "growth": {k: round(end[k] - start[k], 2) for k in METRICS}}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--cycles", type=int, default=200)
    a = ap.parse_args()
    import tempfile

    from playwright.sync_api import sync_playwright

    from cockpit.config import Settings
    from cockpit.store import Store
    from service.bootstrap import load_demo
    from tests.e2e.test_browser import ARGS, CHROMIUM, serving
    with tempfile.TemporaryDirectory() as tmp:
        db = f"sqlite:///{tmp}/cockpit.db"
        store = Store(db, Settings(data_dir=Path(tmp), demo_on_empty=False))
        store.init()
        load_demo(store, tickets=4000, end="2026-10")
        store.engine.dispose()
        os.environ.update(SOAK_ENV)
        with serving(db, "wall-soak") as url, sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
            result = soak(browser, url, int(url.rsplit(":", 1)[1]), a.cycles)
            browser.close()
    result["machine"] = {"cpus": os.cpu_count(), "python": platform.python_version(),
                         "chromium": os.popen(f"{CHROMIUM} --version 2>/dev/null").read().strip()}
    out = ROOT / "bench" / "results" / f"wall_soak-{a.cycles}.json"
    out.write_text(json.dumps(result, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    print(json.dumps(result, ensure_ascii=False, indent=2))


if __name__ == "__main__":
    main()
