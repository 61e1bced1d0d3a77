"""`python -m cockpit demo --remove | --restore`: take the demo figures out of force, or bring them
back where no real figure has taken their place (cockpit.uploads.retire). Extends the `demo`
command that loads them."""
from __future__ import annotations

import getpass
import sys

NAMES = {"observations": "经济与指标数据", "task_progress": "重点任务进展"}


def register(sub) -> None:
    demo = sub.choices["demo"]
    demo.add_argument("--remove", action="store_true", help="停用演示数据（保留在原批次中，可恢复）")
    demo.add_argument("--restore", action="store_true", help="恢复已停用的演示数据（已有真实数据之处不恢复）")
    load = demo.get_default("func")
    demo.set_defaults(func=lambda args: cmd(args) if args.remove or args.restore else load(args))


def cmd(args) -> int:
    if args.remove and args.restore:
        raise ValueError("--remove（停用）与 --restore（恢复）不能同时使用")
    from cockpit import locks
    from cockpit.store import Store
    from cockpit.uploads import retire
    store = Store()
    store.init()
    by = getpass.getuser()
    try:
        done = retire.remove(store, by=by) if args.remove else retire.restore(store, by=by)
    except locks.Busy as exc:
        print(f"未完成：{exc}", file=sys.stderr)
        return 1
    if not done:
        print("没有需要停用的演示数据。" if args.remove else "没有已停用的演示数据。")
        return 0
    verb = "停用" if args.remove else "恢复"
    print("；".join(f"{NAMES.get(d, d)}：{verb} {n:,} 个" for d, n in done.items())
          + ("。12345 工单、突发事件等演示数据仍在，页面上照常标明“演示数据”。" if args.remove else "。"))
    return 0
