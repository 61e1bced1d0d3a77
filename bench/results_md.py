"""bench/RESULTS.md's generated table from bench/results/peer_*.json (never typed by hand).

    .venv/bin/python bench/results_md.py          # rewrites the part between the markers
"""
from __future__ import annotations

import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import RESULTS, ROOT  # noqa: E402

START, END = "<!-- bench:start -->", "<!-- bench:end -->"
PEER_QUERIES = ("open overdue (count + 200 longest)", "surge: category x county, 7 vs 28 days",
                "category growth (week, last week, month, last year)", "tickets per day, 30 days (overview)",
                "summary, last 7 days, city")


def _load(name: str) -> dict | None:
    p = RESULTS / f"{name}.json"
    return json.loads(p.read_text(encoding="utf-8")) if p.exists() else None


def _met(ok: bool | None) -> str:
    return "—" if ok is None else ("达到 met" if ok else "**未达到 not met**")


def _when(doc: dict) -> str:
    m = doc.get("machine", {})
    return f"{m.get('measured', '?')[:10]}, load {m.get('load_average', ['?'])[0]}"


def _row(*cells: str) -> str:
    return "| " + " | ".join(cells) + " |"


def rows() -> list[str]:
    out = ["| work | size | cockpit | peer, same run | ratio | goal | met? | measured |",
           "|---|---|---|---|---:|---|---|---|"]
    if d := _load("peer_import"):
        out.append(f"| `python -m cockpit import`, long workbook, whole process, fresh SQLite | {d['rows']:,} rows | "
                   f"{d['cockpit_import_s']:.2f} s, {d['cockpit_peak_rss_mb']} MB | fastexcel parse, whole process: "
                   f"{d['fastexcel_parse_s']:.2f} s | {d['ratio']}× | ≤ 2× | {_met(d['ratio'] <= 2)} | {_when(d)} |")
    # `make bench` writes peer_hotline-<backend>; runs at the 5,000,000 and 20,000,000 tickets are kept beside it.
    for name in ("sqlite", "postgresql", "sqlite-5m", "postgresql-5m", "postgresql-20m"):
        if not (d := _load(f"peer_hotline-{name}")):
            continue
        backend = d["backend"]
        n = f"{d['tickets']:,} tickets"
        if ld := d["demo_load"]:
            runs = len(ld.get("cockpit_runs", [])) or 1
            out.append(f"| demo load ({backend}), whole `python -m cockpit demo`"
                       f"{f', median of {runs} loads' if runs > 1 else ''} | {n} | {ld['cockpit_s']:.1f} s, "
                       f"{ld['cockpit_peak_rss_mb']} MB | DuckDB load of the tickets: {ld['duckdb_load_s']:.2f} s | "
                       f"{ld['ratio']}× | < 30 s, < 1 GB at 5,000,000 | "
                       f"{_met(ld['cockpit_s'] < 30 and ld['cockpit_peak_rss_mb'] < 1024) if 5_000_000 <= d['tickets'] < 6_000_000 else _met(None)} "
                       f"| {_when(d)} |")
        for q in PEER_QUERIES:
            r = d["queries"].get(q)
            if r and "duckdb_s" in r:
                out.append(f"| 12345 ({backend}): {q} | {n} | {r['cockpit_s']:.3f} s | DuckDB {r['duckdb_s']:.4f} s | "
                           f"{r['ratio']}× | < 0.3 s and ≤ 2× DuckDB at 5,000,000 | "
                           # the issue sets it at 5,000,000 tickets; at 200,000 a query's fixed
                           # cost (a few ms) is most of it, so it is shown, not judged
                           f"{_met(r['goal_met'] if d['tickets'] >= 5_000_000 else None)} | {_when(d)} |")
    if d := _load("peer_pages"):
        for key, what, goal in (("cold_start_health", "cold start to /_stcore/health", 1.5),
                                ("cold_start_first_page", "cold start to the first figure drawn (Chromium)", 1.5),
                                ("page_load_overview", "overview, new session, Chromium", 1.3),
                                ("page_load_economy", "/economy, new session, Chromium", 1.3)):
            r = d[key]
            if key.startswith("page_load"):  # cold starts are one per run; page loads --loads per run
                what += f", median of {d['runs'] * d.get('loads_per_run', 1)} loads"
            out.append(f"| {what} | demo store, {d['tickets']:,} tickets | {r['cockpit_s']:.2f} s | bare Streamlit page "
                       f"{r['bare_s']:.2f} s | {r['ratio']}× | ≤ {goal}× | {_met(r['ratio'] <= goal)} | {_when(d)} |")
        if r := d.get("filter_change_economy"):
            out.append(f"| filter change on /economy (region → 睢阳区), Chromium, to the rerun done | demo store, "
                       f"{d['tickets']:,} tickets | {r['cockpit_s']:.3f} s | — | — | < {r['goal_s']} s | "
                       f"{_met(r['cockpit_s'] < r['goal_s'])} | {_when(d)} |")
    if d := _load("peer_sessions"):
        o, m = d["overview"], d["memory"]
        out.append(_row(f"{d['sessions']} sessions at once, each visiting all {d['pages']} pages: overview, median",
                        f"demo store, {d['tickets']:,} tickets", f"{o['cockpit_s']:.2f} s, server {m['cockpit_mb']:.0f} MB",
                        f"bare Streamlit page as often: {o['bare_s']:.2f} s, {m['bare_mb']:.0f} MB", f"{o['ratio']}×",
                        f"≤ {o['goal_ratio']}×", _met(o['ratio'] <= o['goal_ratio']), _when(d)))
    if d := _load("peer_scale"):
        one, many = d["one_behind_balancer"], d["many_behind_balancer"]
        out.append(_row(f"{d['sessions']} sessions at once, every page, {many['processes']} processes behind a sticky "
                        f"balancer (bench/lb.py), {d['store']}: median visit, crowd's wall time",
                        f"demo store, {d['tickets']:,} tickets",
                        f"{many['all_visits_median_s']:.2f} s, {many['wall_s']:.0f} s; connections "
                        + " / ".join(map(str, many["connections_per_process"])),
                        f"1 process behind it: {one['all_visits_median_s']:.2f} s, {one['wall_s']:.0f} s",
                        f"{d['all_visits_median']['ratio']}×", "— (bench/SCALE.md)", _met(None), _when(d)))
    if d := _load("peer_forecast"):
        o, p = d["cockpit"], d["autoets"]
        out.append(_row("forecast, M3 monthly, h=18", f"{d['series']} series",
                        f"MASE {o['mase']}, sMAPE {o['smape']}, {o['series_per_s']} series/s",
                        f"AutoETS MASE {p['mase']}, sMAPE {p['smape']}, {p['series_per_s']} series/s",
                        f"speed {d['speed_share']}×", "better on both, ≥ 1/3 speed", _met(d['goal_met']), _when(d)))
    return out


def before_after() -> list[str]:
    """Fixes of issue 14, each measured before and after beside its peer."""
    out = ["", "Before and after the fixes (same machine; the load differed between runs, so compare the ratios to the peer):", "",
           "| fix | measure | before | after |", "|---|---|---:|---:|"]
    if (a := _load("peer_import")) and "evaluate_now_s" in a:
        out.append(f"| CLI import: warning rules evaluated in a background process (before: `--evaluate-now`, "
                   f"same run) | {a['rows']:,}-row import, whole process (× fastexcel) | "
                   f"{a['evaluate_now_s']:.1f} s ({a['evaluate_now_ratio']}×) | "
                   f"{a['cockpit_import_s']:.1f} s ({a['ratio']}×) |")
    b, a = _load("peer_hotline-sqlite-1m-before"), _load("peer_hotline-sqlite-1m-after")
    if b and a:
        for q in PEER_QUERIES[:3]:
            out.append(f"| migration 0007 (indexes + daily aggregate), SQLite, {a['tickets']:,} tickets | {q} (× DuckDB) | "
                       f"{b['queries'][q]['cockpit_s']:.3f} s ({b['queries'][q]['ratio']}×) | "
                       f"{a['queries'][q]['cockpit_s']:.3f} s ({a['queries'][q]['ratio']}×) |")
    return out if len(out) > 5 else []


def splice(path: Path, body: list[str]) -> None:
    text = path.read_text(encoding="utf-8")
    head, rest = text.split(START, 1)
    _, tail = rest.split(END, 1)
    path.write_text(head + START + "\n" + "\n".join(body) + "\n" + END + tail, encoding="utf-8")


def main() -> None:
    run = _load("bench_run") or {}
    # A run of some steps keeps the others' stored results: the note names what the last run ran,
    # and each row carries its own date.
    note = [f"Generated from bench/results/*.json; the last run, `make bench SIZE={run.get('size', '?')}`, ran "
            f"{', '.join(run.get('rerun') or run.get('steps', []))} (failed: {', '.join(run.get('failed', [])) or 'none'}); "
            "each row is dated in its last column.", ""]
    splice(ROOT / "bench" / "RESULTS.md", note + rows() + before_after())


if __name__ == "__main__":
    main()
