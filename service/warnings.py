"""Early warnings evaluated over the store, after every import and on a schedule.

`evaluate(store)` gathers what the rules read (models.rules), runs them, moves every alert
through the state machine (service.alerts) and notifies webhooks (models.notify) of alerts that
start firing. Forecasts are never fitted there: the forecast-interval rule reads the cached
forecasts of the current data version and is skipped (not resolved) until they exist.
`refresh(store)` fits them (models.series.fit_many, in worker processes) under a database lock,
so several web servers sharing a data folder fit once, and re-evaluates;
`refresh_in_background(store)` runs it as a low-priority child process, one at a time per server.

    python -m cockpit warnings               # fit forecasts if stale, evaluate once (cron)
    python -m cockpit warnings --every 60    # ... and again every 60 minutes
    python -m service.warnings --nice 15     # the child the web server starts (same job, low priority)
"""
from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import json
import logging
import os
import subprocess
import sys
import threading
import time
from pathlib import Path

import pandas as pd

from cockpit import alert_store, catalog, hotline, locks, rule_config, tasks
from cockpit.config import ROOT, settings, setup_logging
from cockpit.store import Store, now
from models import forecast, notify, rules, series

from . import alerts, sources
from .cli_text import ranged

log = logging.getLogger(__name__)
_job_lock = threading.Lock()
_job: subprocess.Popen | None = None
_queued: tuple[Store, int] | None = None
_failed_at: float | None = None  # time.monotonic() of the last refit that exited with an error
RETRY_AFTER_FAILURE = 600  # seconds: page views do not respawn a refit that keeps failing


# ---- forecast cache ------------------------------------------------------------------------------
def cache_path(store: Store, observations_version: str | None = None) -> Path:
    """One file per observations version, database (two stores may share a data folder) and
    version of the models (an upgrade that changes them refits, rather than showing old fits).
    A caller that already holds the observations version passes it and saves a query."""
    seen = observations_version or store.observations_version()
    key = hashlib.sha1(f"{seen}:{store.url}:{forecast.VERSION}".encode()).hexdigest()[:16]
    return Path(store.cfg.data_dir) / "cache" / f"forecasts-{_store_key(store)}-{key}.json"


def _store_key(store: Store) -> str:
    return hashlib.sha1(store.url.encode()).hexdigest()[:8]


def cached_forecasts(store: Store) -> dict[str, dict] | None:
    path = cache_path(store)
    if not path.is_file():
        return None
    try:
        return json.loads(path.read_text(encoding="utf-8"))["series"]
    except (OSError, ValueError, KeyError):
        log.warning("forecast cache %s unreadable; it will be rebuilt", path)
        return None


def fit_forecasts(store: Store, workers: int = 2) -> dict[str, dict]:
    """Fit every indicator x region series and write the cache for this data version."""
    t0 = time.perf_counter()
    specs = series.all_series(store.observations(), store.indicators(), store.regions().code.tolist())
    recs = series.fit_many(specs, workers=workers)
    write_cache(store, recs, time.perf_counter() - t0)
    log.info("fitted %d series in %.1f s", len(recs), time.perf_counter() - t0)
    return recs


def write_cache(store: Store, recs: dict[str, dict], seconds: float) -> None:
    path = cache_path(store)
    path.parent.mkdir(parents=True, exist_ok=True)
    # One version per store is enough; another store's forecasts in a shared folder stay (deleting
    # them made its server fit again, and again). The second pattern: the single-key names of
    # releases before 2026-12.
    for pattern in (f"forecasts-{_store_key(store)}-*.json", "forecasts-" + "?" * 16 + ".json"):
        for old in path.parent.glob(pattern):
            if old != path:
                old.unlink(missing_ok=True)
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps({"version": path.stem, "fitted_at": now().isoformat(),
                               "seconds": round(seconds, 1), "series": recs}, ensure_ascii=False),
                   encoding="utf-8")
    tmp.replace(path)  # readers never see half a file


def _refit_lock(store: Store) -> str:
    # Named after the cache folder: the servers that share it share the result, so one fits.
    folder = str(cache_path(store).parent.resolve())
    return "refit:" + hashlib.sha1(folder.encode()).hexdigest()[:16]


# ---- evaluation ----------------------------------------------------------------------------------
def gather(store: Store, today: dt.date | None = None, config: dict | None = None,
           forecasts: dict | None = None, at: dt.datetime | None = None) -> rules.Context:
    today = today or dt.date.today()
    config = config or rule_config.load(store.cfg)
    surge = hotline.SurgeRule.of(config["rules"].get("hotline_surge"))
    _, last = hotline.span(store)
    end = hotline.anchor_end(last) if last else None  # the day after the newest ticket
    tickets = hotline.surge_counts(store, end, surge) if end else None

    def daily(category: str | None, region: str | None) -> pd.DataFrame:
        days = surge.days + surge.baseline_days
        edges = [end - dt.timedelta(days=i) for i in range(days, -1, -1)]
        return hotline.volume(store, edges, region, category).rename(columns={"start": "day"})

    try:
        freshness, not_read = sources.freshness_now(store, at), {}
    except (ValueError, OSError) as exc:  # a typo in sources.toml switched every warning off
        log.error("数据源配置文件有误，本次不评估“数据源超期”规则（其余规则照常评估）：%s", exc)
        freshness, not_read = None, {"source_overdue": f"数据源配置文件有误：{exc}"}
    return rules.Context(
        today=today, indicators=store.indicators(), regions=store.regions(), obs=store.observations(),
        settings=store.cfg, tasks=store.plan_tasks(), progress=tasks.progress_history(store),
        tickets=tickets, ticket_daily=daily, ticket_end=end,
        forecasts=forecasts if forecasts is not None else cached_forecasts(store),
        targets=catalog.load_targets(), sources=freshness, not_read=not_read)


def evaluate(store: Store, today: dt.date | None = None, *, config: dict | None = None,
             forecasts: dict | None = None, at: dt.datetime | None = None, send: bool = True) -> int:
    """Run every rule and apply state transitions; returns the number of alerts firing."""
    config = config or rule_config.load(store.cfg)
    ctx = gather(store, today, config, forecasts, at)
    findings, ran, skipped = rules.run(ctx, config)
    for name, why in skipped.items():
        log.info("rule %s skipped: %s", name, why)
    for_minutes = {k: float(v.get("for_minutes", 0)) for k, v in config.get("rules", {}).items()}
    changes = alerts.apply(store, findings, ran, for_minutes, at)
    if send:
        notify.send_changes(changes, config.get("notify", {}))
    return len(alert_store.alerts(store, ["firing"]))


def save_rules(store: Store, overrides: dict, actor: str, today: dt.date | None = None) -> int:
    """An admin's rule settings: checked and written to rules.local.toml (nothing is written when
    the check fails), audited, and every rule re-evaluated at once; returns the alerts firing."""
    path = rule_config.save_local(store.cfg, overrides)
    with store.begin() as conn:
        store.audit(conn, actor, "rules_change", path.name, json.dumps(overrides, ensure_ascii=False)[:2000])
    return evaluate(store, today)


def refresh(store: Store, today: dt.date | None = None, workers: int = 2) -> int:
    """Evaluate; when the data changed since the last fit, fit the forecasts and evaluate again
    (the rules that need no forecast should not wait minutes for the fit). While another process
    fits the same data folder, this one leaves the fit and the evaluation after it to that one."""
    recs = cached_forecasts(store)
    if recs is None:
        firing = evaluate(store, today)
        name = _refit_lock(store)
        try:
            holder = locks.acquire(store, name, "forecasts")
        except locks.Held as exc:
            log.info("forecasts are being fitted by %s since %s; not fitting them twice", exc.who, exc.since)
            return firing
        try:
            recs = cached_forecasts(store) or fit_forecasts(store, workers)  # it may have just finished
        finally:
            locks.release(store, name, holder)
    return evaluate(store, today, forecasts=recs)


def refresh_in_background(store: Store, workers: int = 1, queue: bool = False) -> bool:
    """Start `python -m service.warnings --nice 15` for this store unless the one this process
    started is still running; True if started. With `queue`, a running job (which may have read
    the data before a change) is followed by one more run.

    A child process rather than a thread: the fit never holds the web server's GIL, and its
    worker processes never re-import the server's __main__ (under Streamlit, the app script).
    """
    global _job, _queued
    with _job_lock:
        if _job is not None and _job.poll() is None:
            if queue:
                _queued = (store, workers)
            return False
        if not queue and failed_recently():  # new data (queue) always gets its run
            return False
        _job = subprocess.Popen(_command(workers), cwd=ROOT, env=_env(store), stdin=subprocess.DEVNULL)
        job = _job
    threading.Thread(target=_after_exit, args=(job,), name="forecast-refresh", daemon=True).start()
    return True


def _command(workers: int = 1) -> list[str]:
    return [sys.executable, "-m", "service.warnings", "--workers", str(workers), "--nice", "15"]


def _env(store: Store) -> dict[str, str]:
    return {**os.environ, "COCKPIT_DB_URL": store.url, "COCKPIT_DATA_DIR": str(store.cfg.data_dir),
            "OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1"}


def evaluate_in_background(store: Store) -> str:
    """For a command (import, demo) that returns once the figures are stored: evaluation and the
    forecasts' refit in a detached low-priority process, as after an upload on the page. Evaluating
    every rule in the command took a fifth to two fifths of it (bench/RESULTS.md). Returns what
    the command says about it."""
    logs = Path(store.cfg.data_dir) / "logs"
    logs.mkdir(parents=True, exist_ok=True)
    with open(logs / "warnings-background.log", "ab") as log_file:
        # Its own session and no inherited pipe: a caller reading the command's output (cron,
        # subprocess.run) gets its end of file when the command is done, not when the refit is.
        subprocess.Popen(_command(), cwd=ROOT, env=_env(store), stdin=subprocess.DEVNULL, stdout=log_file,
                         stderr=log_file, start_new_session=True)
    return "预警将在后台重新评估（低优先级进程，完成后页面自动显示）；要等评估完成再返回请加 --evaluate-now。"


def failed_recently() -> bool:
    return _failed_at is not None and time.monotonic() - _failed_at < RETRY_AFTER_FAILURE


def _after_exit(job: subprocess.Popen) -> None:
    global _queued, _failed_at
    if job.wait():  # wait() also reaps the child
        log.error("background forecast refresh exited with code %s", job.returncode)
    with _job_lock:
        _failed_at = time.monotonic() if job.returncode > 0 else None
        again, _queued = _queued, None
    if again is not None and job.returncode >= 0:  # killed by a signal: the server is stopping
        refresh_in_background(*again)


def after_import(store: Store, background: bool = True) -> None:
    """Call after every import or rollback: evaluate, refit the forecasts, evaluate again; in a
    background process by default, so the page that committed returns at once."""
    if background:
        refresh_in_background(store, queue=True)
    else:
        refresh(store)


# ---- running it: `python -m cockpit warnings`, and the web server's child ------------------------
def run(every: float | None = None, workers: int = 2) -> None:
    store = Store()
    while True:
        n = refresh(store, workers=workers)
        log.info("%d alerts firing", n)
        print(f"{now():%Y-%m-%d %H:%M} 预警评估完成：正在触发 {n} 条", flush=True)  # for cron mail and operators
        if not every:
            return
        time.sleep(every * 60)


def every_minutes(every, cfg) -> float | None:
    """`--every N`: N minutes; `--every` alone: rules.toml [schedule] interval_minutes; none: once."""
    return float(rule_config.load(cfg)["schedule"]["interval_minutes"]) if every == SCHEDULED else every


def cmd_warnings(args) -> int:
    run(every_minutes(args.every, settings()), args.workers)
    return 0


SCHEDULED = "schedule"


def register(sub) -> None:
    warn = sub.add_parser("warnings", help="重新拟合预测并评估预警（可定时）")
    # At least a minute: --every 0 (or nan) would refit in a loop with no pause.
    warn.add_argument("--every", type=ranged(float, 1, 10_080), nargs="?", const=SCHEDULED, default=None, metavar="MINUTES",
                      help="每隔多少分钟评估一次；只写 --every 则按 rules.toml 的 [schedule] interval_minutes；"
                           "缺省只评估一次")
    warn.add_argument("--workers", type=ranged(int, 1, 64), default=2, help="拟合预测的进程数")
    warn.set_defaults(func=cmd_warnings)


def main(argv: list[str] | None = None) -> None:
    """The child process refresh_in_background starts; operators use `python -m cockpit warnings`."""
    ap = argparse.ArgumentParser(prog="python -m service.warnings", description="预警评估（后台子进程）")
    ap.add_argument("--workers", type=int, default=1)
    ap.add_argument("--nice", type=int, default=0, help="降低本进程的 CPU 优先级（0–19）")
    a = ap.parse_args(argv)
    setup_logging()
    if a.nice:
        os.nice(a.nice)  # inherited by the fitting workers
    run(workers=a.workers)


if __name__ == "__main__":
    main()
