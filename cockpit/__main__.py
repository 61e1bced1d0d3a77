"""python -m cockpit SUBCOMMAND: the one command-line entry for operators and cron."""
from __future__ import annotations

import argparse
import logging
import os
import sys

from .config import ROOT, settings, setup_logging

log = logging.getLogger("cockpit")


def cmd_init(args) -> int:
    from .bootstrap import prepare
    from .store import Store
    store = Store()
    loaded = prepare(store, progress=_print_progress)
    print(f"数据库已就绪：{_safe_url(store.url)}（结构版本 {store.schema_revision()}）"
          + ("；库为空，已载入演示数据" if loaded else ""))
    return 0


def _print_progress(frac: float, text: str) -> None:
    print(f"[{frac:4.0%}] {text}", flush=True)


def cmd_demo(args) -> int:
    from . import schema as s
    from .bootstrap import load_demo
    from .store import Store
    store = Store()
    store.init()
    existing = store.batches().query("source == 'demo' and status == 'committed'")
    if not existing.empty and not args.force:
        print(f"已有演示数据（批次 {', '.join(map(str, existing['id']))}），未重复加载；"
              "如需再加载一份请加 --force。")
        return 0
    ids = load_demo(store, tickets=args.tickets, progress=_print_progress, end=args.end)
    print(f"演示数据已加载：批次 {', '.join(map(str, ids))}；"
          f"12345 工单 {store.count(s.hotline_tickets):,} 条。")
    return 0


def cmd_serve(args) -> int:
    # Launch Streamlit in this process so that the v1 "pages/ folder" mode is
    # switched off before the first request: otherwise a direct link such as
    # /economy runs pages/economy.py without app.py (DESIGN.md, known trap).
    from streamlit.runtime.pages_manager import PagesManager
    from streamlit.web import bootstrap

    from service.web import harden
    PagesManager.uses_pages_directory = False
    harden(settings().frame_ancestors)
    # Streamlit reads .streamlit/config.toml from the working directory.
    os.chdir(ROOT)
    flags = {k: v for k, v in {"server_port": args.port, "server_address": args.address}.items() if v}
    bootstrap.load_config_options(flag_options=flags)
    bootstrap.run(str(ROOT / "app.py"), False, [], flags)
    return 0


def cmd_warnings(args) -> int:
    from models.warnings import main as warnings_main
    warnings_main((["--every", str(args.every)] if args.every else []) + ["--workers", str(args.workers)])
    return 0


def _safe_url(url: str) -> str:
    from sqlalchemy.engine import make_url
    return make_url(url).render_as_string(hide_password=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m cockpit", description="商丘市数字政府领导驾驶舱")
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("init", help="创建或升级数据库结构，载入规划指标与任务；库为空时载入演示数据").set_defaults(func=cmd_init)
    demo = sub.add_parser("demo", help="载入演示数据")
    demo.add_argument("--tickets", type=int, default=None, help="12345 工单数（默认 %d）" % settings().demo_tickets)
    demo.add_argument("--end", default=None, help="演示数据截至月份 YYYY-MM（默认上月）")
    demo.add_argument("--force", action="store_true", help="已有演示数据时仍再加载一份")
    demo.set_defaults(func=cmd_demo)
    serve = sub.add_parser("serve", help="启动驾驶舱网页")
    serve.add_argument("--port", type=int, default=None)
    serve.add_argument("--address", default=None)
    serve.set_defaults(func=cmd_serve)
    warn = sub.add_parser("warnings", help="重新拟合预测并评估预警（可定时）")
    warn.add_argument("--every", type=float, default=None, help="每隔多少分钟评估一次；缺省只评估一次")
    warn.add_argument("--workers", type=int, default=2, help="拟合预测的进程数")
    warn.set_defaults(func=cmd_warnings)
    from .admin_cli import register as register_admin  # users / backup / restore
    register_admin(sub)
    from service.import_cli import register as register_uploads  # import / rollback (数据报送)
    register_uploads(sub)
    from service import aliases_cli, demo_cli; aliases_cli.register(sub); demo_cli.register(sub)  # noqa: E702
    args = parser.parse_args(argv)
    setup_logging()
    from sqlalchemy.exc import InterfaceError, OperationalError

    from .store import StoreUnavailable
    try:
        return args.func(args)
    except (OperationalError, InterfaceError, StoreUnavailable) as exc:
        # An operator needs where and what, not a driver traceback.
        reason = str(getattr(exc, "orig", None) or exc).strip().splitlines()[0]
        print(f"错误：无法使用数据库 {_safe_url(settings().database_url)}：{reason}\n"
              "请检查 COCKPIT_DB_URL（或 cockpit.toml 的 db_url）以及数据库服务是否在运行。", file=sys.stderr)
        return 3
    except (ValueError, OSError) as exc:
        print(f"错误：{exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
