"""`python -m cockpit briefing --month YYYY-MM --out DIR [--region CODE] [--user NAME]`: the monthly
briefing pack for a scheduled job. With --user, the pack is made as that user sees the data (a
county user: their county only, and no other county may be asked for)."""
from __future__ import annotations

import sys

from cockpit import audit, auth, periods
from cockpit.auth import EVERYTHING
from cockpit.store import Store


def register(sub) -> None:
    p = sub.add_parser("briefing", help="生成月度简报（PPTX、PDF 与图表数据 XLSX）")
    p.add_argument("--month", default=None, help="简报月份 YYYY-MM（默认上月）")
    p.add_argument("--out", required=True, help="输出目录（须在设置项 briefing_dir 指定的简报目录之内）")
    p.add_argument("--region", default=None, help="地区名称或代码，如 永城市、永城、411481（默认全市；县区用户默认本县区）")
    p.add_argument("--user", default=None, help="以该用户的权限与数据范围生成（县区用户只含本县区）")
    p.set_defaults(func=cmd_briefing)


def cmd_briefing(args) -> int:
    # Imported here: the pack's renderers (fpdf, kaleido) cost every other command 0.5 s to import.
    from cockpit.briefing.content import BriefingRefused

    from . import briefing
    from .briefing_render import RenderError
    store = Store()
    store.init()
    scope, actor = EVERYTHING, args.user or "命令行"
    if args.user:
        try:
            user = auth.current(store, auth.User(args.user, "", via="password"))
        except auth.AuthError:
            print(f"错误：--user：没有可用的用户“{args.user}”", file=sys.stderr)
            return 2
        if not auth.allowed(user, "page:briefing"):
            print(f"错误：--user：用户“{args.user}”（{user.role_name}）无权生成简报", file=sys.stderr)
            return 2
        scope = user.scope
    month = periods.last_complete_month() if args.month is None else args.month.strip()  # "" is refused, not last month
    try:
        folder = briefing.out_dir(args.out, store.cfg.briefing_root)
        files = briefing.make(store, month, args.region, scope,
                              progress=lambda f, t: print(f"[{f:4.0%}] {t}", flush=True))
        if replaced := [p.name for p in map(folder.joinpath, map(files.name, files.data)) if p.exists()]:
            print(f"注意：将替换已有文件 {'、'.join(replaced)}", flush=True)  # a rerun for the same month
        paths = briefing.save(files, folder)
    except BriefingRefused as exc:
        print(f"错误：{exc}", file=sys.stderr)
        return 2
    except RenderError as exc:
        print(f"错误：{exc}", file=sys.stderr)
        return 1
    for path in paths:
        audit.record(store, actor, "export", "briefing", path.name)
        print(f"已写入 {path}")
    return 0
