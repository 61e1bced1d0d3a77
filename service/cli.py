"""python -m cockpit SUBCOMMAND: the one command-line entry for operators and cron.

Each command module registers its own subcommands with `register(sub)`; this module adds the
first-run ones (init, demo; serve is service/serve_cli.py) and turns an unreachable database or a bad argument into one
Chinese line and an exit code (0 done, 1 refused, 2 bad argument, 3 database unreachable).
"""
from __future__ import annotations

import sys
from pathlib import Path

from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, InterfaceError, NoSuchModuleError, OperationalError

from cockpit import city, schema as s
from cockpit.config import settings, setup_logging
from cockpit.store import Store, StoreUnavailable

from . import admin_cli, aliases_cli, briefing_cli, demo_cli, import_cli, pull_cli, serve_cli, warnings
from .bootstrap import load_demo, prepare
from .cli_text import Parser, os_text, ranged

# Each has register(sub); demo_cli extends the `demo` command registered above, so it comes after.
COMMANDS = (warnings, admin_cli, import_cli, aliases_cli, demo_cli, briefing_cli, pull_cli)


def cmd_init(args) -> int:
    store = Store()
    loaded = prepare(store, progress=print_progress)
    print(f"数据库已就绪：{safe_url(store.url)}（结构版本 {store.schema_revision()}）"
          + ("；库为空，已载入演示数据（预警规则在网页服务启动后于后台评估，"
             "也可运行 python -m cockpit warnings）" if loaded else ""))
    return 0


def print_progress(frac: float, text: str) -> None:
    print(f"[{frac:4.0%}] {text}", flush=True)


def cmd_demo(args) -> int:
    store = Store()
    store.init()
    existing = store.batches().query("source == 'demo' and status == 'committed'")
    if not existing.empty and not args.force:
        print(f"已有演示数据（批次 {', '.join(map(str, existing['id']))}），未重复加载；"
              "如需再加载一份请加 --force。")
        return 0
    ids = load_demo(store, tickets=args.tickets, progress=print_progress, end=args.end, evaluate=args.evaluate_now)
    print(f"演示数据已加载：批次 {', '.join(map(str, ids))}；"
          f"12345 工单 {store.count(s.hotline_tickets):,} 条。")
    # As after an import: the rules took a third of a 1,000,000-ticket load (bench/RESULTS.md).
    print("预警已评估。" if args.evaluate_now else warnings.evaluate_in_background(store))
    return 0


def begins_a_store(args) -> bool:
    """Whether the command may begin a store. The others read or change what one already holds: on a
    mistyped SQLite path they made a new, empty store and answered from it ("尚无用户：驾驶舱处于开放
    模式", exit 0), and an import or a cron's pull committed real figures into it while the real
    store went stale."""
    return (args.command in {"init", "demo", "serve", "restore"}
            or "add" in (getattr(args, "action", None), getattr(args, "verb", None)))


def missing_sqlite_file(url: str) -> Path | None:
    """The SQLite file `url` names when it does not exist (None: it exists, or it is no file)."""
    u = make_url(url)
    if u.get_backend_name() != "sqlite" or not u.database or u.database == ":memory:" or u.query.get("uri"):
        return None
    return None if Path(u.database).exists() else Path(u.database)


def safe_url(url: str) -> str:
    try:
        return make_url(url).render_as_string(hide_password=True)
    except ArgumentError:  # not a URL at all: nothing in it can be told from a password
        return "（无法解析的地址）"


def register(sub) -> None:
    sub.add_parser("init", help="创建或升级数据库结构，载入规划指标与任务；库为空时载入演示数据").set_defaults(func=cmd_init)
    demo = sub.add_parser("demo", help="载入演示数据")
    demo.add_argument("--tickets", type=ranged(int, 1, 100_000_000), default=None, help="12345 工单数（默认 %d）" % settings().demo_tickets)
    demo.add_argument("--end", default=None, help="演示数据截至月份 YYYY-MM（默认上月）")
    demo.add_argument("--force", action="store_true", help="已有演示数据时仍再加载一份")
    demo.add_argument("--evaluate-now", action="store_true",
                      help="等预警评估完成再返回（默认在后台低优先级进程中评估，命令立即返回）")
    demo.set_defaults(func=cmd_demo)
    serve_cli.register(sub)


def main(argv: list[str] | None = None) -> int:
    # The settings first: the commands' help and the logging read them, outside the try below.
    if code := serve_cli.settings_refused():
        return code
    parser = Parser(prog="python -m cockpit", description=city.TITLE)
    sub = parser.add_subparsers(dest="command", required=True)
    register(sub)
    for command in COMMANDS:
        command.register(sub)
    args = parser.parse_args(argv)
    setup_logging()
    try:
        if not begins_a_store(args) and (missing := missing_sqlite_file(settings().database_url)):
            print(f"错误：找不到数据库文件 {missing}；请检查 COCKPIT_DB_URL（或 cockpit.toml 的 db_url），"
                  "首次使用请先运行 python -m cockpit init。", file=sys.stderr)
            return 3
        return args.func(args)
    except (ArgumentError, NoSuchModuleError):  # "not a url", foo://…: said before any driver is asked
        print(f"错误：数据库地址 {safe_url(settings().database_url)} 不是可用的地址，应如 sqlite:///data/cockpit.db "
              "或 postgresql+psycopg://用户@主机:5432/库名；请检查 COCKPIT_DB_URL（或 cockpit.toml 的 db_url）。",
              file=sys.stderr)
        return 3
    except (OperationalError, InterfaceError, StoreUnavailable) as exc:
        # An operator needs where and what, not a driver traceback.
        reason = str(getattr(exc, "orig", None) or exc).strip().splitlines()[0]
        print(f"错误：无法使用数据库 {safe_url(settings().database_url)}：{reason}\n"
              "请检查 COCKPIT_DB_URL（或 cockpit.toml 的 db_url）以及数据库服务是否在运行。", file=sys.stderr)
        return 3
    except ValueError as exc:
        print(f"错误：{exc}", file=sys.stderr)
        return 2
    except OSError as exc:  # a missing or unreadable file: what and where, never "[Errno 2] ..."
        print(f"错误：{os_text(exc)}", file=sys.stderr)
        return 2
