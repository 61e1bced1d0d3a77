"""Ten sessions at once, each visiting every page: the cockpit (demo store) beside a bare Streamlit page
(bench/bare/bare_page.py) visited as many times, in the same run.

    .venv/bin/python bench/peer_sessions.py [--sessions 10] [--tickets 200000]

Each session is a new Chromium context; all start together on a warm server. A visit is timed from
navigation until Streamlit's script run is over and no placeholder is left (the page fully drawn).
The figure the issue asks for is the median of the sessions' overview visit (their first, when all
ten arrive together); every page's median, the server's CPU time per visit (the browsers draw on the
same cores) and its peak memory (VmHWM; the server keeps the process id `serve` was started with) are
kept beside it. Writes bench/results/peer_sessions.json.
"""
from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import ROOT, cockpit_env, ratio, steady_demo_store, write  # noqa: E402
from peer_pages import ARGS, CHROMIUM, start, stop  # noqa: E402

sys.path.insert(0, str(ROOT))
from ui.nav import PAGES  # noqa: E402

IDLE = """() => { const app = document.querySelector('.stApp');
  return app && app.getAttribute('data-test-script-state') === 'notRunning'
         && !document.querySelector('[data-testid=stSkeleton]'); }"""


def cpu_seconds(pid: int) -> float:
    """The server's user + system CPU time so far: what its runs cost, apart from the browsers drawing."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def peak_rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return round(int(line.split()[1]) / 1024, 1)
    return float("nan")


async def session(browser, url: str, paths: list[str]) -> list[float]:
    ctx = await browser.new_context(viewport={"width": 1920, "height": 1080}, locale="zh-CN")
    tab = await ctx.new_page()
    tab.set_default_timeout(600_000)  # ten Chromium tabs on two cores: loads take minutes, not seconds
    took = []
    try:
        for path in paths:
            t0 = time.perf_counter()
            await tab.goto(f"{url}/{path}")
            await asyncio.sleep(0.5)  # the script run starts after the page has loaded
            await tab.wait_for_function(IDLE, polling=200)
            took.append(time.perf_counter() - t0)
    finally:
        await ctx.close()
    return took


async def crowd(url: str, paths: list[str], sessions: int) -> list[list[float]]:
    from playwright.async_api import async_playwright
    async with async_playwright() as p:
        browser = await p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        try:
            return await asyncio.gather(*(session(browser, url, paths) for _ in range(sessions)))
        finally:
            await browser.close()


def measure(kind: str, env: dict, paths: list[str], sessions: int) -> dict:
    proc, url, _ = start(kind, env)
    try:
        asyncio.run(crowd(url, paths[:1], 1))  # warm: the first run's imports are not the sessions' wait
        t0, cpu0 = time.perf_counter(), cpu_seconds(proc.pid)
        visits = asyncio.run(crowd(url, paths, sessions))
        wall, cpu = time.perf_counter() - t0, cpu_seconds(proc.pid) - cpu0
        rss = peak_rss_mb(proc.pid)
    finally:
        stop(proc)
    per_page = {p or "overview": round(statistics.median(v[i] for v in visits), 2) for i, p in enumerate(paths)}
    return {**({"per_page_median_s": per_page} if len(set(paths)) == len(paths) else {}),
            "first_visit_median_s": round(statistics.median(v[0] for v in visits), 2),
            "all_visits_median_s": round(statistics.median(x for v in visits for x in v), 2),
            "wall_s": round(wall, 1), "server_cpu_s": round(cpu, 1),
            "server_cpu_per_visit_s": round(cpu / (sessions * len(paths)), 3), "server_peak_rss_mb": rss}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--sessions", type=int, default=10)
    ap.add_argument("--tickets", type=int, default=200_000)
    a = ap.parse_args()
    pages = [spec.url_path for spec in PAGES]
    with tempfile.TemporaryDirectory() as tmp:
        env = cockpit_env(f"sqlite:///{tmp}/c.db", tmp)
        steady_demo_store(env, a.tickets)
        # The bare page is visited as many times as the cockpit has pages, so both servers get as many runs.
        bare = measure("bare", env, [""] * len(pages), a.sessions)
        ours = measure("ours", env, pages, a.sessions)
    doc = {"sessions": a.sessions, "tickets": a.tickets, "pages": len(pages), "cockpit": ours, "bare": bare,
           "overview": {"cockpit_s": ours["first_visit_median_s"], "bare_s": bare["first_visit_median_s"],
                        "ratio": ratio(ours["first_visit_median_s"], bare["first_visit_median_s"]), "goal_ratio": 2},
           "memory": {"cockpit_mb": ours["server_peak_rss_mb"], "bare_mb": bare["server_peak_rss_mb"],
                      "ratio": ratio(ours["server_peak_rss_mb"], bare["server_peak_rss_mb"])}}
    print(write("peer_sessions", doc))
    print({k: doc[k] for k in ("overview", "memory")})


if __name__ == "__main__":
    main()
