"""The first `make run` on a fresh clone, timed: `python -m cockpit init` on an empty store (the demo
load, and before issue 15 the first evaluation of every warning rule), then the server, then the
overview in Chromium until its figures are on screen.

    .venv/bin/python bench/first_run.py                      # this checkout
    .venv/bin/python bench/first_run.py --code /tmp/base     # another checkout (git archive of main)

Writes bench/results/first_run-<label>.json.
"""
from __future__ import annotations

import argparse
import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--enable-unsafe-swiftshader", "--disable-quic",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]


def _port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def main() -> None:
    ap = argparse.ArgumentParser(description="首次 make run 计时")
    ap.add_argument("--code", type=Path, default=ROOT, help="要计时的代码目录")
    ap.add_argument("--label", default="after")
    a = ap.parse_args()
    data = Path(tempfile.mkdtemp(prefix="first-run-"))
    env = {**os.environ, "COCKPIT_DATA_DIR": str(data), "COCKPIT_CONFIG": "",
           "COCKPIT_DB_URL": f"sqlite:///{data / 'cockpit.db'}"}
    t0 = time.perf_counter()
    subprocess.run([sys.executable, "-m", "cockpit", "init"], cwd=a.code, env=env, check=True,
                   stdout=subprocess.DEVNULL)
    t_init = time.perf_counter() - t0
    port = _port()
    server = subprocess.Popen([sys.executable, "-m", "cockpit", "serve", "--port", str(port), "--address", "127.0.0.1"],
                              cwd=a.code, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                              start_new_session=True)
    try:
        while True:
            try:
                if urllib.request.urlopen(f"http://127.0.0.1:{port}/_stcore/health", timeout=1).read() == b"ok":
                    break
            except OSError:
                time.sleep(0.2)
        t_health = time.perf_counter() - t0
        from playwright.sync_api import sync_playwright
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
            tab = browser.new_page(viewport={"width": 1920, "height": 1080})
            tab.goto(f"http://127.0.0.1:{port}/")
            tab.get_by_text("数据截至").first.wait_for(timeout=600_000)
            tab.wait_for_selector("[data-testid=stMetricValue]", timeout=600_000)
            t_page = time.perf_counter() - t0
            browser.close()
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(30)
    result = {"label": a.label, "init_s": round(t_init, 1), "server_up_s": round(t_health, 1),
              "first_page_s": round(t_page, 1), "cpus": os.cpu_count(), "load_avg": os.getloadavg()[0]}
    out = ROOT / "bench" / "results" / f"first_run-{a.label}.json"
    out.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    print(json.dumps(result, ensure_ascii=False))


if __name__ == "__main__":
    main()
