"""`python -m cockpit import FILE...` and `python -m cockpit rollback BATCH`: the page's import, for cron.

Each file is read and checked in a child process with a memory cap (service.uploads), as on the
page, so a hostile workbook ends with a Chinese line and exit code 1, never a native abort.
"""
from __future__ import annotations

import getpass
import logging
import sys
from pathlib import Path

from cockpit.periods import parse_month
from cockpit.store import Store, StoreUnavailable
from cockpit.uploads import commit as C, validate as V
from cockpit.uploads.rollback import RollbackRefused, rollback

from . import import_start, warnings
from .cli_text import ranged
from .sandbox import Sandbox, prestarted
from .uploads import PRELOAD, check_file

log = logging.getLogger(__name__)
BATCH_IDS = ranged(int, 1, 2**31 - 1)  # upload_batches.id is an INTEGER (32 bits on PostgreSQL)


def register(sub) -> None:
    p = sub.add_parser("import", help="校验并导入报送文件（.xlsx/.csv，可给文件夹）")
    import_start.add_arguments(p)
    p.set_defaults(func=cmd_import)
    r = sub.add_parser("rollback", help="回滚一个报送批次（恢复它替换的原值）")
    r.add_argument("batch", type=BATCH_IDS, metavar="BATCH", help="批次号")
    r.add_argument("--reason", required=True, help="回滚原因（记入历史）")
    r.add_argument("--user", default=None)
    r.set_defaults(func=cmd_rollback)


def cmd_import(args) -> int:
    # Started by cockpit/__main__.py before this process's imports, so the two import side by side
    # (or started now, when called otherwise); its imports also overlap opening the store.
    box = prestarted(PRELOAD)
    try:
        return _import_all(args, box)
    finally:
        box.close()


def _import_all(args, box: Sandbox) -> int:
    files = import_start.files_of(args)
    max_bytes = import_start.max_bytes(args)
    if files:  # sent already by cockpit/__main__.py when it began the command, else now
        import_start.ahead(box, files[0], max_bytes)
    store = Store()
    store.init()
    user = args.user or getpass.getuser()
    if args.period:
        parse_month(args.period)
    catalog = V.Catalog.load(store)
    region = None
    if args.region:
        region = catalog.region_of(args.region)
        if region is None:
            raise ValueError(f"未知的地区“{args.region}”")
    options = V.Options(period=args.period, region=region)
    if not files:
        print("没有找到可导入的文件（.xlsx/.csv）。", file=sys.stderr)
        return 1
    failed = 0
    for path, after in zip(files, [*files[1:], None]):
        failed += _import_one(args, store, box, path, after, options, user, max_bytes)
    print(f"共 {len(files)} 个文件，{len(files) - failed} 个通过，{failed} 个未通过。")
    if not args.dry_run and failed < len(files):
        if args.evaluate_now:
            _reevaluate(store)
        else:
            print(warnings.evaluate_in_background(store))
    return 1 if failed else 0


def _import_one(args, store, box, path: Path, after: Path | None, options, user: str, max_bytes: int | None) -> int:
    """Check and commit one file; 1 when it was refused. The child reads the file `after` it
    while this one is written."""
    shown = path.name
    print(f"== {shown}")
    data = path.read_bytes()
    checked, pv = check_file(store, data, shown, options, max_bytes, box=box)
    if after is not None:
        import_start.ahead(box, after, max_bytes)
    for p in checked.problems.items:
        print("  " + p.line())
    print("  " + checked.problems.summary())
    if not checked.ok:
        return 1
    print(f"  预览：{pv.summary()}")
    for what, n in pv.demo_retired.items():
        print(f"  首批真实数据：写入后演示数据（{n:,} 个）停用，保留在原批次中，可用 python -m cockpit demo --restore 恢复。")
    if len(pv.withdrawable):
        print(f"  文件中有 {len(pv.withdrawable):,} 处为“—”而库中已有数值："
              + ("加了 --withdraw，将撤回这些原值。" if args.withdraw else "保留原值（要撤回请加 --withdraw）。"))
    if args.dry_run:
        print("  --dry-run：未写入。")
        return 0
    try:
        result = C.commit(store, checked, data=data, file_name=shown, created_by=user, withdraw=args.withdraw,
                          progress=lambda f, t: print(f"  [{f:4.0%}] {t}", flush=True))
    except StoreUnavailable:
        raise
    except Exception:  # never a traceback: the reason is in the log, the person gets a sentence
        log.exception("committing %s failed", shown)
        print(f"  文件“{shown}”写入时出错，整个文件未写入（已记录错误日志），请联系管理员。")
        return 1
    print(f"  {result.message}")
    return 1 if result.status in ("rejected", "busy") else 0


def _reevaluate(store) -> None:
    # Warnings follow every import; forecasts are refitted by the scheduled
    # `python -m cockpit warnings --every N`, not in this short-lived process.
    print(f"预警已重新评估：{warnings.evaluate(store)} 条正在触发。")


def cmd_rollback(args) -> int:
    store = Store()
    try:
        print(rollback(store, args.batch, by=args.user or getpass.getuser(), reason=args.reason))
    except RollbackRefused as exc:
        print(f"未回滚：{exc}", file=sys.stderr)
        return 1
    _reevaluate(store)
    return 0
