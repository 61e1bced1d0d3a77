"""`python -m cockpit import` of a long workbook, whole process into a fresh (empty, initialised) store, beside
fastexcel's whole-process parse of the same file (its own interpreter: imports count for both),
and the same import with --evaluate-now (the warning rules evaluated before it returns, as every
CLI import did before issue 14): before and after in one run.

    .venv/bin/python bench/peer_import.py --rows 100000 [--runs 3] [--label after]

Writes bench/results/peer_import.json (and peer_import-<label>.json with --label).
"""
from __future__ import annotations

import argparse
import os
import signal
import statistics
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from common import PY, cockpit_env, ratio, whole_process, write  # noqa: E402
from upload_bench import make_file  # noqa: E402

FASTEXCEL = "import sys, fastexcel; df = fastexcel.read_excel(sys.argv[1]).load_sheet('数据').to_pandas(); print(len(df))"


def stop_background(data_dir: Path) -> None:
    """End the background evaluation this run's import started (found by its store's data folder;
    it runs in its own session, so its fitting workers go with it)."""
    mark = f"COCKPIT_DATA_DIR={data_dir}".encode()
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        try:
            if b"service.warnings" in (proc / "cmdline").read_bytes() and mark in (proc / "environ").read_bytes().split(b"\0"):
                os.killpg(int(proc.name), signal.SIGTERM)
        except (OSError, ProcessLookupError):
            continue


def run(rows: int, runs: int) -> dict:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / f"长表{rows}.xlsx"
        path.write_bytes(make_file(rows))
        ours, peer, waited = [], [], []
        for i in range(runs):  # interleaved, so load on the machine hits all three alike
            peer.append(whole_process([PY, "-c", FASTEXCEL, str(path)]))
            for flags, into in (([], ours), (["--evaluate-now"], waited)):  # now, and as before issue 14
                data = Path(tmp) / f"d{i}{len(flags)}"
                data.mkdir()
                env = cockpit_env(f"sqlite:///{data}/c.db", data)
                # The empty store made first, untimed: `import` never begins a store (a mistyped path
                # filled a new one); until 2026-12-07 the timed import also created the schema.
                whole_process([PY, "-m", "cockpit", "init"], env)
                got = whole_process([PY, "-m", "cockpit", "import", str(path), "--user", "bench", *flags], env)
                assert "1 个通过" in got["output"], got["output"][-2000:]
                into.append(got)
                stop_background(data)  # its warning evaluation, left running on purpose: not in the next run
        med = {k: statistics.median(r["seconds"] for r in v)
               for k, v in (("ours", ours), ("peer", peer), ("waited", waited))}
        return {"rows": rows, "file_bytes": path.stat().st_size, "runs": runs,
                "cockpit_import_s": round(med["ours"], 3),
                "cockpit_peak_rss_mb": max(r["peak_rss_mb"] for r in ours),
                "fastexcel_parse_s": round(med["peer"], 3),
                "fastexcel_peak_rss_mb": max(r["peak_rss_mb"] for r in peer),
                "ratio": ratio(med["ours"], med["peer"]), "goal_ratio": 2.0,
                "evaluate_now_s": round(med["waited"], 3), "evaluate_now_ratio": ratio(med["waited"], med["peer"]),
                "all_runs": {"cockpit": [r["seconds"] for r in ours], "fastexcel": [r["seconds"] for r in peer],
                             "evaluate_now": [r["seconds"] for r in waited]},
                "cockpit_output_tail": ours[-1]["output"].strip().splitlines()[-3:]}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rows", type=int, default=100_000)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--label", default=None)
    a = ap.parse_args()
    doc = run(a.rows, a.runs)
    print(write("peer_import" + (f"-{a.label}" if a.label else ""), doc))
    print({k: v for k, v in doc.items() if k != "cockpit_output_tail"})


if __name__ == "__main__":
    main()
