"""Operator subcommands: users, backup, restore."""
from __future__ import annotations

import getpass
import sys
from pathlib import Path

from cockpit import auth
from cockpit.backup import backup, restore
from cockpit.store import Store


def _password(prompt: str = "密码：") -> str:
    # From a prompt on a terminal; from standard input for scripts (never from the command line,
    # where it would show in the process list and the shell history).
    if sys.stdin.isatty():
        first = getpass.getpass(prompt)
        if getpass.getpass("再次输入：") != first:
            raise ValueError("两次输入的密码不一致")
        return first
    return sys.stdin.readline().rstrip("\n")


def cmd_users(args) -> int:
    store = Store()
    store.init()
    try:
        if args.action == "add":
            auth.add_user(store, args.name, args.role, _password(), region_code=args.region,
                          department=args.department, actor="cli")
            print(f"已创建用户“{args.name}”（{auth.ROLES[auth.role_code(args.role)]}）")
        elif args.action == "list":
            users = auth.list_users(store)
            if users.empty:
                print("尚无用户：驾驶舱处于开放模式。")
            for u in users.itertuples():
                print(f"{u.name}\t{auth.ROLES.get(u.role, u.role)}\t{u.region_code or u.department or '全市'}\t"
                      f"{auth.USER_STATES[u.state]}")
        elif args.action == "role":
            auth.set_role(store, args.name, args.role, actor="cli")
            print(f"已将“{args.name}”的角色改为 {auth.ROLES[auth.role_code(args.role)]}")
        elif args.action == "passwd":
            auth.reset_password(store, args.name, _password("新密码："), actor="cli")
            print(f"已重置“{args.name}”的密码")
        elif args.action in ("disable", "enable"):
            auth.set_disabled(store, args.name, args.action == "disable", actor="cli")
            print(f"已{'停用' if args.action == 'disable' else '启用'}“{args.name}”")
    except auth.AuthError as exc:
        print(f"错误：{exc}", file=sys.stderr)
        return 2
    return 0


def cmd_backup(args) -> int:
    store = Store()
    out = backup(store, Path(args.out) if args.out else None)
    print(f"已备份到 {out}")
    return 0


def cmd_restore(args) -> int:
    got = restore(Store(), Path(args.file))
    print(f"已恢复并核对：{got['counts']['upload_batches']} 个批次，校验 {got['batches_sha256'][:12]}…")
    return 0


def register(sub) -> None:
    roles = f"角色：{'、'.join(f'{c}（{n}）' for c, n in auth.ROLES.items())}"
    users = sub.add_parser("users", help="用户管理（密码从提示或标准输入读取）")
    usub = users.add_subparsers(dest="action", required=True)
    add = usub.add_parser("add", help="新建用户")
    add.add_argument("name")
    add.add_argument("--role", required=True, help=roles)
    where = add.add_mutually_exclusive_group()
    where.add_argument("--region", help="县区代码，如 411481")
    where.add_argument("--department", help="部门名称")
    usub.add_parser("list", help="列出用户")
    role = usub.add_parser("role", help="修改角色")
    role.add_argument("name")
    role.add_argument("role", help=roles)
    for action, text in (("passwd", "重置密码"), ("disable", "停用"), ("enable", "启用")):
        usub.add_parser(action, help=text).add_argument("name")
    users.set_defaults(func=cmd_users)
    backup = sub.add_parser("backup", help="备份数据库（SQLite 在线备份 / pg_dump）")
    backup.add_argument("--out", help="备份文件路径（默认 data/backups/）")
    backup.set_defaults(func=cmd_backup)
    restore = sub.add_parser("restore", help="从备份恢复并核对批次与校验")
    restore.add_argument("file")
    restore.set_defaults(func=cmd_restore)
