"""`python -m cockpit serve [--port P] [--address A]`: hand this process over to the web server
(ui.server). The command line never imports Streamlit, and the server keeps this process id, so
stopping it stops the server.

Light on purpose: `python -m cockpit serve` reaches this module without importing the other
commands' modules (cockpit/__main__.py), which cost the web server's cold start 2 s (issue 14).
"""
from __future__ import annotations

import os
import sys

from cockpit.config import ROOT, settings

from .cli_text import Parser, os_text, ranged


def add_arguments(p) -> None:
    p.add_argument("--port", type=ranged(int, 1, 65535), default=None, help="网页端口（默认取设置项或 8501）")
    p.add_argument("--address", default=None, help="监听地址（默认取设置项）")
    p.set_defaults(func=cmd_serve)


def register(sub) -> None:
    add_arguments(sub.add_parser("serve", help="启动驾驶舱网页"))


def settings_refused() -> int:
    """0, or 2 (a configuration error) once a wrong setting in cockpit.toml or a COCKPIT_* variable
    is said in one Chinese line: read before anything else, it never ends in a traceback."""
    try:
        settings()
    except ValueError as exc:
        print(f"错误：{exc}", file=sys.stderr)
        return 2
    except OSError as exc:  # an unreadable cockpit.toml
        print(f"错误：{os_text(exc)}", file=sys.stderr)
        return 2
    return 0


def cmd_serve(args) -> int:
    # Checked here too: once this process is handed over, the web server could only say it in a traceback.
    if code := settings_refused():
        return code
    argv = [sys.executable, "-m", "ui.server"]
    argv += ["--port", str(args.port)] if args.port else []
    argv += ["--address", args.address] if args.address else []
    os.chdir(ROOT)
    os.execv(sys.executable, argv)
    return 0  # not reached


def main(argv: list[str]) -> int:
    """`serve` alone, as `python -m cockpit serve` runs it."""
    p = Parser(prog="python -m cockpit serve", description="启动驾驶舱网页")
    add_arguments(p)
    args = p.parse_args(argv)
    return args.func(args)
