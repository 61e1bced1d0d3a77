"""`python -m cockpit pull`: pull the sources of sources.toml, once (cron, a systemd timer) or on their
schedules (`--every`, a long-running process).

    python -m cockpit pull --all               # every enabled source once; exit 1 if any failed
    python -m cockpit pull --source stats_bureau [--source hotline]
    python -m cockpit pull --every             # pull each source when its schedule comes round
    python -m cockpit pull --list              # the sources and how fresh each is
    python -m cockpit pull --source hotline --dry-run   # read and check only: what would come in

Each failed source gets one Chinese line on standard error; the warnings are evaluated after every
round (the 数据超期 rule reads the same freshness), and in --every mode forecasts are refitted in
the background when figures changed.
"""
from __future__ import annotations

import datetime as dt
import logging
import sys
import time

import pandas as pd
from sqlalchemy import func, select

from cockpit import schema as s
from cockpit.store import Store, now

from . import sources as S, warnings
from .sources_run import Outcome, pull

log = logging.getLogger(__name__)


def register(sub) -> None:
    p = sub.add_parser("pull", help="从数据源拉取数据（sources.toml；可按计划常驻运行）")
    p.add_argument("--source", action="append", metavar="NAME", help="只拉取这个数据源（可写多次）")
    p.add_argument("--all", action="store_true", help="拉取全部启用的数据源")
    p.add_argument("--every", type=float, nargs="?", const=1.0, default=None, metavar="MINUTES",
                   help="常驻运行：每隔 MINUTES 分钟（默认 1）检查一次，到了计划时间（schedule）的数据源就拉取")
    p.add_argument("--list", action="store_true", help="列出数据源、计划与最近一次拉取的结果")
    p.add_argument("--dry-run", action="store_true",
                   help="试读：读取并校验，列出将导入的条数和前几条，不写入、不移动文件、不记增量位置")
    p.add_argument("--from-start", action="store_true",
                   help="不按已记的增量位置，从头读取（回滚拉取的批次后补回数据；库中已有的相同记录不会重复写入）")
    p.set_defaults(func=cmd_pull)


def cmd_pull(args) -> int:
    config = S.load()
    store = Store()
    store.init()
    if not config.sources:
        print(f"未配置数据源：{config.path} 不存在或其中没有 [sources.名称] 表（README 有示例）。", file=sys.stderr)
        return 2
    names = _names(config, args.source)
    if args.list:
        return _list(store, config)
    if args.every is not None and args.dry_run:
        raise ValueError("--dry-run 只试读一次，不能与 --every 同用")
    if args.every is not None:
        loop(store, config, names if args.source else None, args.every)
        return 0
    if not args.source and not args.all:
        raise ValueError("请指定 --source 名称、--all 或 --every")
    if args.from_start and not args.source:
        raise ValueError("--from-start 须与 --source 同用，指明从头读取哪个数据源")
    if args.dry_run:
        outcomes = pull(store, config, names, dry=True, from_start=args.from_start)
        for o in outcomes:
            print(o.line(), file=sys.stdout if o.ok else sys.stderr, flush=True)
        return 1 if any(not o.ok for o in outcomes) else 0
    outcomes = pull(store, config, names, from_start=args.from_start)
    return report(store, outcomes, refit=False)


def _names(config: S.Config, chosen: list[str] | None) -> list[str]:
    unknown = [n for n in chosen or [] if n not in config.sources]
    if unknown:
        raise ValueError(f"没有数据源 {'、'.join(unknown)}；已配置：{'、'.join(config.sources)}")
    return chosen or [n for n, src in config.sources.items() if src.enabled]


def report(store: Store, outcomes: list[Outcome], refit: bool) -> int:
    for o in outcomes:
        print(o.line(), file=sys.stdout if o.ok else sys.stderr, flush=True)
    failed = [o for o in outcomes if not o.ok]
    written = [o for o in outcomes if o.status in ("written", "partial")]
    print(f"共 {len(outcomes)} 个数据源：{len(written)} 个写入新数据，{len(failed)} 个失败。")
    if refit and any("observations" in o.datasets for o in written):
        warnings.after_import(store)  # forecasts refitted in the background, warnings evaluated again
    print(f"预警已重新评估：{warnings.evaluate(store)} 条正在触发。")
    return 1 if failed else 0


def _list(store: Store, config: S.Config) -> int:
    fresh = S.freshness(config, S.states(store), now())
    for r in fresh.itertuples():
        src = config.sources[r.source]
        when = "从未成功" if pd.isna(r.last_success_at) else f"{r.last_success_at:%Y-%m-%d %H:%M}"
        late = f"，超期 {r.overdue_minutes / 60:.1f} 小时" if r.overdue_minutes > 0 else ""
        state = "停用" if not src.enabled else (r.schedule or "未设计划")
        print(f"{r.source}（{r.title}，{r.kind}）：{state}；最近成功 {when}{late}"
              + (f"；最近一次失败：{r.last_error}" if r.failing else ""))
    return 0


def due(config: S.Config, attempts: dict[str, dt.datetime], at: dt.datetime, names: list[str] | None = None) -> list[str]:
    """Sources whose schedule came round since they were last tried (a failed one waits for its next time)."""
    out = []
    for name, src in config.sources.items():
        if not src.enabled or src.schedule is None or (names and name not in names):
            continue
        last = attempts.get(name)
        if last is None or src.schedule.previous(at) > last:
            out.append(name)
    return out


def last_attempts(store: Store) -> dict[str, dt.datetime]:
    r = s.source_runs.c
    frame = store.frame(select(r.source, func.max(r.started_at).label("at")).group_by(r.source))
    return {row.source: row.at for row in frame.itertuples()}


def loop(store: Store, config: S.Config, names: list[str] | None, every: float, rounds: int | None = None,
         sleep=time.sleep) -> None:
    """Pull what is due, then wait `every` minutes; `rounds` bounds it (tests)."""
    scheduled = [n for n, src in config.sources.items() if src.schedule is not None]
    print(f"{now():%Y-%m-%d %H:%M} 按计划拉取：{'、'.join(scheduled) or '（没有设置 schedule 的数据源）'}，"
          f"每 {every:g} 分钟检查一次。", flush=True)
    n = 0
    while rounds is None or n < rounds:
        n += 1
        todo = due(config, last_attempts(store), now(), names)
        if todo:
            report(store, pull(store, config, todo), refit=True)
        if rounds is None or n < rounds:
            sleep(every * 60)
