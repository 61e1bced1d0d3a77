"""Operator subcommands: users, backup, restore."""
from __future__ import annotations

import contextlib
import getpass
import sys
from pathlib import Path

import pandas as pd

from cockpit import auth, backup as bk, presence
from cockpit.store import Store
from cockpit.uploads import history


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
            _list_users(store)
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


def _list_users(store: Store) -> None:
    users = auth.list_users(store)
    if users.empty:
        print("尚无用户：驾驶舱处于开放模式。")
        return
    names = dict(zip(store.regions().code, store.regions().name))
    print("用户名\t角色\t范围\t状态\t创建时间")
    for u in users.itertuples():
        # A missing region or department is NaN in the frame, which is truthy: test it as such.
        where = (names.get(u.region_code, u.region_code) if pd.notna(u.region_code)
                 else u.department if pd.notna(u.department) else "全市")
        print(f"{u.name}\t{auth.ROLES.get(u.role, u.role)}\t{where}\t{auth.USER_STATES[u.state]}\t"
              f"{pd.Timestamp(u.created_at):%Y-%m-%d %H:%M}")


def cmd_backup(args) -> int:
    store = Store()
    out = bk.backup(store, Path(args.out) if args.out else None)
    print(f"已备份到 {out}")
    return 0


def cmd_restore(args) -> int:
    """Restore a backup, safely: never under a running server (unless --force), never without
    saying which batches would be lost and hearing yes (or --yes), never without first backing up
    what it replaces."""
    store, source = Store(), Path(args.file)
    bk.check(store, source)  # a broken file is refused before a safety copy is made for nothing
    with contextlib.ExitStack() as held:
        if not args.force:
            try:
                held.enter_context(presence.exclusive(store))
            except presence.ServerRunning as exc:
                print(f"未恢复：驾驶舱网页服务正在使用该数据库（{exc.who}）。恢复会覆盖它正在读写的数据；"
                      "请先停止服务再恢复，或确认无人使用后加 --force。", file=sys.stderr)
                return 1
        empty = store.schema_revision() is None
        if not empty:
            _say_what_is_lost(bk.lost(store, source))
        if not args.yes and not _confirmed():
            print("未恢复：没有确认（要不经询问恢复请加 --yes）。", file=sys.stderr)
            return 1
        safety = None if empty else bk.backup(store, name="before-restore")
        if safety:
            print(f"已先备份当前数据：{safety}（如需撤销，恢复这个文件即可）")
        try:
            got = bk.restore(store, source, checked=True)
        except bk.Mismatch as exc:
            # An empty store had nothing to go back to: what was restored stays, said as unverified.
            said = ("未恢复", "已撤销：数据库已恢复为恢复前的状态") if safety else (
                "已恢复但未通过核对", "原数据库为空，恢复的内容已保留，请核对后再使用")
            if safety:
                bk.restore(store, safety)
            with store.begin() as conn:  # the attempt is on record, whatever the store now holds
                store.audit(conn, "cli", "restore-undone" if safety else "restore-unverified", source.name, str(exc))
            print(f"{said[0]}：恢复后的数据与备份清单不一致（{exc}），备份文件可能不完整或被改动；{said[1]}。",
                  file=sys.stderr)
            return 1
    print(f"已恢复并核对：{got['counts']['upload_batches']} 个批次，校验 {got['batches_sha256'][:12]}…；"
          "所有用户需重新登录。")
    return 0


def _say_what_is_lost(lost: pd.DataFrame | None) -> None:
    if lost is None:
        print("提醒：该备份的清单未列出批次，无法逐一列出恢复后将失去的批次；恢复前会先自动备份当前数据。")
    elif lost.empty:
        print("当前数据库中的批次备份里都有：恢复不会丢失已导入的批次。")
    else:
        print(f"恢复后以下 {len(lost)} 个批次将回到备份时的样子（备份之后导入的将失去，之后回滚、停用的将恢复原状态）：")
        for r in lost.itertuples():
            # A batch rolled back after the backup comes back: "将失去 … 状态已变" said the opposite.
            what = ("备份后导入，将失去" if r.change == "new" else
                    f"现为{history.STATUS.get(r.status, r.status)}，将恢复为{history.STATUS.get(r.was, r.was)}")
            print(f"  批次 {r.id}\t{r.dataset}\t{r.file_name or r.source}\t{r.created_by}\t"
                  f"{pd.Timestamp(r.created_at):%Y-%m-%d %H:%M}\t{what}")


def _confirmed() -> bool:
    try:
        answer = input("确认用备份覆盖当前数据库？输入“是”或 yes 继续：")
    except EOFError:  # no terminal and no --yes: a script must say --yes
        print()
        return False
    return answer.strip().lower() in ("是", "yes", "y")


def register(sub) -> None:
    roles = f"角色：{'、'.join(f'{c}（{n}）' for c, n in auth.ROLES.items())}"
    users = sub.add_parser("users", help="用户管理（密码从提示或标准输入读取）")
    usub = users.add_subparsers(dest="action", required=True)
    add = usub.add_parser("add", help="新建用户")
    add.add_argument("name", help="用户名（登录时填写，至多 64 个字）")
    add.add_argument("--role", required=True, help=roles)
    where = add.add_mutually_exclusive_group()
    where.add_argument("--region", help="县区名称或代码，如 梁园区、梁园、411402")
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
    restore = sub.add_parser("restore", help="从备份恢复并核对批次与校验（先自动备份当前数据，列出将失去的批次并确认）")
    restore.add_argument("file", help="备份文件（backup 生成的 .db 或 .dump）")
    restore.add_argument("--yes", action="store_true", help="不询问，直接恢复（供脚本使用）")
    restore.add_argument("--force", action="store_true", help="即使驾驶舱网页服务正在使用该数据库也恢复")
    restore.set_defaults(func=cmd_restore)
