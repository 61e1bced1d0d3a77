"""Write the README's benchmark table from bench/results/*.json (between the bench markers).

    .venv/bin/python scripts/bench_readme.py      # `make bench` runs it last
"""
from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "bench"))

from results_md import rows, splice  # noqa: E402


def main() -> None:
    splice(ROOT / "README.md", ["Generated from bench/results/ by `make bench` (details: bench/RESULTS.md).", "",
                                *rows()])


if __name__ == "__main__":
    main()
