"""What every peer benchmark shares: a whole process timed with its peak memory, results written
as JSON under bench/results/, and the size presets of `make bench SIZE=small|full`."""
from __future__ import annotations

import datetime as dt
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "bench" / "results"
PY = sys.executable

# Stated sizes. small keeps `make bench` near 25 minutes on 2 shared cores; full is the scale.
SIZES = {
    "small": {"import_rows": 100_000, "tickets": 200_000, "forecast_series": 100, "page_runs": 3},
    "full": {"import_rows": 100_000, "tickets": 5_000_000, "forecast_series": 1428, "page_runs": 5},
}


def cockpit_env(db_url: str, data_dir: Path | str) -> dict[str, str]:
    """A private store and no cockpit.toml: the run never touches data/ of the checkout."""
    return {**os.environ, "COCKPIT_DB_URL": db_url, "COCKPIT_DATA_DIR": str(data_dir),
            "COCKPIT_CONFIG": "", "COCKPIT_DEMO_ON_EMPTY": "false"}


def whole_process(cmd: list[str], env: dict[str, str] | None = None, cwd: Path = ROOT,
                  timeout: float = 1800) -> dict:
    """Wall time and peak RSS of one child process, start to exit (imports included)."""
    log = tempfile.TemporaryFile()  # a file, not a pipe: a chatty child never blocks on a full pipe
    t0 = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=cwd, env=env, stdout=log, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + timeout
    while True:  # wait4 gives this child's own rusage (RUSAGE_CHILDREN would add up all of them)
        pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
        if pid:
            break
        if time.monotonic() > deadline:
            proc.kill()
            raise TimeoutError(" ".join(cmd))
        time.sleep(0.02)
    seconds = time.perf_counter() - t0
    log.seek(0)
    out = log.read()
    log.close()
    code = os.waitstatus_to_exitcode(status)
    if code != 0:
        raise RuntimeError(f"{' '.join(cmd)} exited {code}:\n{out.decode(errors='replace')[-3000:]}")
    return {"seconds": round(seconds, 3), "peak_rss_mb": round(usage.ru_maxrss / 1024), "output": out.decode()}


def wait_for_background(db_url: str, timeout: float = 900) -> float:
    """Wait for the detached `python -m service.warnings` a cockpit command started for this store
    (its evaluation and refit would share the CPU with what is timed next); seconds waited."""
    t0 = time.monotonic()
    while time.monotonic() - t0 < timeout:
        running = False
        for proc in Path("/proc").iterdir():
            try:
                cmd = (proc / "cmdline").read_bytes()
                env = (proc / "environ").read_bytes() if b"service.warnings" in cmd else b""
            except OSError:  # not a process, gone, or not ours
                continue
            running |= f"COCKPIT_DB_URL={db_url}".encode() + b"\0" in env
        if not running:
            break
        time.sleep(2)
    return round(time.monotonic() - t0, 1)


def median_of(fn, runs: int) -> tuple[float, list[float]]:
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return round(statistics.median(times), 4), [round(t, 4) for t in times]


def machine() -> dict:
    return {"python": platform.python_version(), "machine": f"{platform.machine()}, {os.cpu_count()} cores",
            "load_average": [round(x, 1) for x in os.getloadavg()],
            "measured": dt.datetime.now().isoformat(timespec="seconds")}


def write(name: str, doc: dict) -> Path:
    RESULTS.mkdir(exist_ok=True)
    path = RESULTS / f"{name}.json"
    path.write_text(json.dumps({**doc, "machine": machine()}, ensure_ascii=False, indent=2) + "\n",
                    encoding="utf-8")
    return path


def ratio(ours: float, peer: float) -> float | None:
    return round(ours / peer, 2) if peer else None


def steady_demo_store(env: dict[str, str], tickets: int) -> None:
    """A demo store as a running cockpit has it: loaded, with its forecasts fitted and warning rules
    evaluated (`cockpit warnings`). Otherwise the first server start refits in the background (a
    minute of CPU, once per store) while the pages are being timed."""
    whole_process([PY, "-m", "cockpit", "init"], {**env, "COCKPIT_DEMO_TICKETS": str(tickets),
                                                  "COCKPIT_DEMO_ON_EMPTY": "true"})
    whole_process([PY, "-m", "cockpit", "warnings"], env)
