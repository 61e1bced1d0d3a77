"""`python -m cockpit aliases add|list|remove`: names that learn, from the command line.

    python -m cockpit aliases add 地区 "城乡一体化示范区" 示范区
    python -m cockpit aliases add 指标 "社零" 社会消费品零售总额
    python -m cockpit aliases list
    python -m cockpit aliases remove 指标 "社零"
"""
from __future__ import annotations

import getpass
import sys

KIND_WORDS = {"地区": "region", "region": "region", "指标": "indicator", "indicator": "indicator"}


def register(sub) -> None:
    p = sub.add_parser("aliases", help="名称对应：把报表中的写法对应到目录中的地区或指标")
    verbs = p.add_subparsers(dest="verb", required=True)
    add = verbs.add_parser("add", help="新增对应：NAME 以后按 TARGET 读取")
    add.add_argument("kind", help="地区 或 指标")
    add.add_argument("name", help="报表中的写法")
    add.add_argument("target", help="目录中的名称或代码")
    add.add_argument("--user", default=None, help="记入审计日志的操作人（默认当前系统用户）")
    add.set_defaults(func=cmd_add)
    ls = verbs.add_parser("list", help="列出全部对应关系")
    ls.set_defaults(func=cmd_list)
    rm = verbs.add_parser("remove", help="删除对应关系")
    rm.add_argument("kind", help="地区 或 指标")
    rm.add_argument("name", help="报表中的写法")
    rm.add_argument("--user", default=None)
    rm.set_defaults(func=cmd_remove)


def _kind(text: str) -> str:
    kind = KIND_WORDS.get(text.strip())
    if kind is None:
        raise ValueError(f"类别应为“地区”或“指标”，而不是“{text[:30]}”")
    return kind


def _store():
    from cockpit.store import Store
    store = Store()
    store.init()
    return store


def _run(fn, *args, **kwargs) -> int:
    from cockpit.uploads.aliases import AliasRefused
    try:
        print(fn(*args, **kwargs))
        return 0
    except AliasRefused as exc:
        print(f"未完成：{exc}", file=sys.stderr)
        return 1


def cmd_add(args) -> int:
    from cockpit.uploads import aliases
    return _run(aliases.add, _store(), _kind(args.kind), args.name, args.target, by=args.user or getpass.getuser())


def cmd_remove(args) -> int:
    from cockpit.uploads import aliases
    return _run(aliases.remove, _store(), _kind(args.kind), args.name, by=args.user or getpass.getuser())


def cmd_list(args) -> int:
    from cockpit.uploads import aliases
    store = _store()
    frame = aliases.stored(store)
    if frame.empty:
        print("尚无名称对应关系。")
        return 0
    names = {**dict(zip(store.regions().code, store.regions().name)),
             **dict(zip(store.indicators().code, store.indicators().name))}
    for r in frame.itertuples():
        print(f"{aliases.KINDS[r.kind]}\t{r.written}\t→ {names.get(r.code, r.code)}（{r.code}）\t"
              f"{r.created_by} {r.created_at:%Y-%m-%d %H:%M}")
    return 0
