"""Chinese for the command line where the standard library speaks English: argparse's own words
(用法, its headings, -h, its error messages) and the operating system's reasons for a failed file
operation. Operators read every line the cockpit prints in Chinese."""
from __future__ import annotations

import argparse
import errno
import re
import sys

HEADINGS = {"positional arguments": "参数", "options": "选项", "optional arguments": "选项"}
TYPES = {"int": "整数", "float": "数字"}
# argparse's error messages (Python 3.11 wording), most specific first.
ERRORS = [
    (r"the following arguments are required: (.+)", lambda m: f"缺少必填参数：{m[1]}"),
    (r"argument (\S+): invalid choice: (.+?) \(choose from (.+)\)",
     lambda m: f"参数 {m[1]} 的取值 {m[2]} 无效，可选：{m[3]}"),
    (r"argument (\S+): invalid (\w+) value: (.+)",
     lambda m: f"参数 {m[1]} 的值 {m[3]} 不是{TYPES.get(m[2], m[2])}"),
    (r"argument (\S+): expected one argument", lambda m: f"参数 {m[1]} 后面缺少取值"),
    (r"argument (\S+): expected at most one argument", lambda m: f"参数 {m[1]} 后面最多一个取值"),
    (r"argument (\S+): expected at least one argument", lambda m: f"参数 {m[1]} 后面至少一个取值"),
    (r"argument (\S+): not allowed with argument (\S+)", lambda m: f"参数 {m[1]} 不能与 {m[2]} 同时使用"),
    (r"argument (\S+): ignored explicit argument (.+)", lambda m: f"参数 {m[1]} 不接受取值 {m[2]}"),
    (r"one of the arguments (.+) is required", lambda m: f"须给出以下参数之一：{m[1]}"),
    (r"ambiguous option: (\S+) could match (.+)", lambda m: f"选项 {m[1]} 有歧义，可能是：{m[2]}"),
    (r"unrecognized arguments: (.+)", lambda m: f"无法识别的参数：{m[1]}"),
    # Last: our own types' refusals (`ranged`), already Chinese, after the argument's name.
    (r"argument (\S+): (.+)", lambda m: f"参数 {m[1]} {m[2]}"),
]
REASONS = {errno.ENOENT: "文件或文件夹不存在", errno.EACCES: "没有读写权限", errno.EPERM: "没有权限",
           errno.EISDIR: "这是文件夹，不是文件", errno.ENOTDIR: "路径中有一段不是文件夹", errno.ENOSPC: "磁盘空间不足",
           errno.EROFS: "文件系统只读", errno.EEXIST: "文件已存在"}


def ranged(kind: type[int] | type[float], lo: float, hi: float, *, above: bool = False):
    """An argparse type: a number of `kind` from `lo` (or, with `above`, greater than it) to `hi`.
    Anything else (text, nan, inf, a port or batch number no socket or database takes) is refused
    with the range, not passed on to end in a traceback further down."""
    span = f"大于 {lo}、不超过 {hi} 的" if above else f" {lo} 到 {hi} 之间的"

    def convert(text: str):
        try:
            v = kind(text)
        except ValueError:
            v = None
        if v is None or not (lo < v if above else lo <= v) or not v <= hi:  # nan fails every comparison
            raise argparse.ArgumentTypeError(f"应为{span}{TYPES[kind.__name__]}，现为“{text}”")
        return v
    return convert


def error_text(message: str) -> str:
    for pattern, say in ERRORS:
        if m := re.fullmatch(pattern, message):
            return say(m)
    return message


def os_text(exc: OSError) -> str:
    """An OSError as a sentence: the reason in Chinese and the path it concerns. Our own OSErrors
    (raised with a Chinese sentence and no errno) are returned as they are."""
    reason = REASONS.get(exc.errno) or (exc.errno and f"系统错误（错误号 {exc.errno}）")
    if not reason:
        return str(exc)
    return f"{reason}：{exc.filename}" if exc.filename else reason


class HelpFormatter(argparse.HelpFormatter):
    def add_usage(self, usage, actions, groups, prefix=None):
        super().add_usage(usage, actions, groups, "用法：" if prefix is None else prefix)

    def start_section(self, heading):
        super().start_section(HEADINGS.get(heading, heading))


class Parser(argparse.ArgumentParser):
    """An ArgumentParser that helps and refuses in Chinese; its subcommands' parsers are of this
    class too (argparse makes them of the parent's class)."""

    def __init__(self, *args, add_help: bool = True, **kwargs):
        kwargs.setdefault("formatter_class", HelpFormatter)
        super().__init__(*args, add_help=False, **kwargs)
        if add_help:
            self.add_argument("-h", "--help", action="help", default=argparse.SUPPRESS, help="显示本帮助并退出")

    def error(self, message: str):
        self.print_usage(sys.stderr)
        self.exit(2, f"{self.prog}：错误：{error_text(message)}\n")
