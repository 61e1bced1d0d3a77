"""`python -m cockpit import` of a long workbook, whole process into a fresh store, beside
fastexcel's whole-process parse of the same file (its own interpreter: imports count for both).

    .venv/bin/python bench/peer_import.py --rows 100000 [--runs 3] [--label after]

Writes bench/results/peer_import.json (and peer_import-<label>.json with --label).
"""
from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from common import PY, cockpit_env, ratio, whole_process, write  # noqa: E402
from upload_bench import make_file  # noqa: E402

FASTEXCEL = "import sys, fastexcel; df = fastexcel.read_excel(sys.argv[1]).load_sheet('数据').to_pandas(); print(len(df))"


def run(rows: int, runs: int) -> dict:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / f"长表{rows}.xlsx"
        path.write_bytes(make_file(rows))
        ours, peer = [], []
        for i in range(runs):  # interleaved, so load on the machine hits both alike
            peer.append(whole_process([PY, "-c", FASTEXCEL, str(path)]))
            data = Path(tmp) / f"d{i}"
            data.mkdir()
            env = cockpit_env(f"sqlite:///{data}/c.db", data)
            got = whole_process([PY, "-m", "cockpit", "import", str(path), "--user", "bench"], env)
            assert "1 个通过" in got["output"], got["output"][-2000:]
            ours.append(got)
        med = {k: statistics.median(r["seconds"] for r in v) for k, v in (("ours", ours), ("peer", peer))}
        return {"rows": rows, "file_bytes": path.stat().st_size, "runs": runs,
                "cockpit_import_s": round(med["ours"], 3),
                "cockpit_peak_rss_mb": max(r["peak_rss_mb"] for r in ours),
                "fastexcel_parse_s": round(med["peer"], 3),
                "fastexcel_peak_rss_mb": max(r["peak_rss_mb"] for r in peer),
                "ratio": ratio(med["ours"], med["peer"]), "goal_ratio": 2.0,
                "all_runs": {"cockpit": [r["seconds"] for r in ours], "fastexcel": [r["seconds"] for r in peer]},
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
