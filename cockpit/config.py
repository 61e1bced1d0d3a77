"""Settings: defaults, then an optional TOML file, then environment variables.

Operators change a deployment with `cockpit.toml` (or the file named by
COCKPIT_CONFIG) and override single values with COCKPIT_* variables, so a
container or a systemd unit never needs to edit files.
"""
from __future__ import annotations

import ipaddress
import json
import logging
import os
import re
import tomllib
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from functools import lru_cache
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
log = logging.getLogger(__name__)
# The boards a wall display can show, each with its page (ui/screen draws them).
SCREEN_BOARDS = ("overview", "economy", "hotline", "emergency", "tasks")


@dataclass(frozen=True)
class Settings:
    data_dir: Path = ROOT / "data"
    db_url: str = ""  # empty means the SQLite file under data_dir
    geojson: Path = ROOT / "data" / "geo" / "shangqiu_counties.geojson"
    plan_dir: Path = ROOT / "data" / "plan"  # plan.toml (id, title, period) and its indicators and tasks
    demo_tickets: int = 200_000
    demo_on_empty: bool = True
    log_level: str = "INFO"
    # Progress-light bands in percentage points behind 序时进度 (docs/architecture.md, "Lights and levels").
    lag_red_pp: float = 30.0
    lag_yellow_pp: float = 10.0
    session_minutes: int = 480  # a login expires after this long without activity
    # Single sign-on: trust `proxy_header` (e.g. X-Remote-User) only from these addresses.
    proxy_header: str = ""
    proxy_addresses: tuple[str, ...] = ()
    # Who may show the cockpit inside a frame (CSP frame-ancestors): itself only by default;
    # a portal that embeds it is listed here, e.g. "'self' https://portal.example.gov.cn".
    frame_ancestors: str = "'self'"
    # The wall display (?screen=1, ui/screen): which boards the carousel shows and in what order,
    # seconds per board (0: no carousel), seconds between data refreshes, and an optional nightly
    # page reload at a local "HH:MM" (empty: never).
    screen_boards: tuple[str, ...] = SCREEN_BOARDS
    screen_carousel_seconds: int = 30
    screen_refresh_seconds: int = 60
    screen_reload_at: str = ""
    # The only folder `python -m cockpit briefing --out` may write into (default data_dir/briefings).
    briefing_dir: Path | None = None
    source_file: Path | None = field(default=None, compare=False)

    @property
    def database_url(self) -> str:
        return self.db_url or f"sqlite:///{self.data_dir / 'cockpit.db'}"

    @property
    def briefing_root(self) -> Path:
        return self.briefing_dir or self.data_dir / "briefings"


# ---- reading and checking: one table of the settings' types ----------------------------------
# A TOML value must be of its TOML type: "480" is not a number and "false" is not false (a quoted
# value is a slip the operator should hear about, not a guess). An environment variable is text,
# read by the setting's type. A wrong value stops the program with the file or variable, the
# setting and what is allowed: taken as it is, it would fail later or silently (a login that
# expires at once, single sign-on that never matches, a traceback in the web server).


class _Refused(ValueError):
    """What is wrong with a value, said after the setting's name ("应为…，现为…")."""


def _expected(what: str, v) -> _Refused:
    shown = v if isinstance(v, str) else json.dumps(v, ensure_ascii=False, default=str)  # as TOML writes it
    return _Refused(f"应为{what}，现为“{shown}”")


@dataclass(frozen=True)
class _Type:
    read: Callable[[Any], Any]  # a TOML value -> the setting's value, or _Refused
    env: Callable[[str], Any] = str  # an environment variable's text -> a value for `read`


def _integer(lo: int, hi: int, unit: str = "", at_lo: str = " ") -> _Type:
    what = f" {lo}{at_lo}到 {hi} 之间的整数{unit}"

    def read(v) -> int:
        if isinstance(v, bool) or not isinstance(v, int) or not lo <= v <= hi:
            raise _expected(what, v)
        return v
    # "1e3" or "abc" stay text, refused by `read` as written
    return _Type(read, lambda t: int(t) if re.fullmatch(r"\s*[+-]?\d+\s*", t) else t)


def _number(lo: float, hi: float, unit: str) -> _Type:
    def read(v) -> float:
        if isinstance(v, bool) or not isinstance(v, int | float) or not lo <= v <= hi:  # nan is refused too
            raise _expected(f" {lo:g} 到 {hi:g} 之间的数{unit}", v)
        return float(v)
    return _Type(read)


def _text(v) -> str:
    if not isinstance(v, str):
        raise _expected("文字（加引号）", v)
    return v


def _path(v) -> Path:
    if not isinstance(v, str) or not v.strip():  # "" would quietly mean the project folder
        raise _expected("路径（加引号的文字，不能为空）", v)
    return Path(v)


_WORDS = {"true": True, "1": True, "yes": True, "on": True, "false": False, "0": False, "no": False, "off": False}


def _bool(v) -> bool:
    if not isinstance(v, bool):
        raise _expected(" true 或 false（不加引号）", v)
    return v


def _bool_text(t: str) -> bool:
    if t.strip().lower() not in _WORDS:
        raise _expected(" true 或 false（也可写 1/0、yes/no、on/off）", t)
    return _WORDS[t.strip().lower()]


_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")


def _level(v) -> str:
    if not isinstance(v, str) or v.strip().upper() not in _LEVELS:
        raise _expected(f" {', '.join(_LEVELS)} 之一", v)
    return v.strip().upper()


def _strings(v, what: str) -> tuple[str, ...]:
    # A lone string is refused, not split: "10.0.0.1" would otherwise be ten one-character names.
    if not isinstance(v, list | tuple) or not all(isinstance(x, str) for x in v):
        raise _expected(what, v)
    return tuple(x.strip() for x in v if x.strip())


def _addresses(v) -> tuple[str, ...]:
    addresses = _strings(v, '代理服务器 IP 地址的列表（一个也写成列表，如 ["10.0.0.1"]；环境变量中以逗号分隔）')
    bad = []
    for a in addresses:
        try:
            ipaddress.ip_address(a)
        except ValueError:  # a name or a network never equals a peer's address: it would never match
            bad.append(a)
    if bad:
        raise _Refused(f"中的“{'、'.join(bad)}”不是 IP 地址；应为代理服务器 IP 地址的列表，如 [\"10.0.0.1\"]")
    return addresses


def _boards(v) -> tuple[str, ...]:
    boards = _strings(v, '大屏名称的列表（如 ["overview", "economy"]；环境变量中以逗号分隔）')
    unknown = [b for b in boards if b not in SCREEN_BOARDS]
    if unknown or not boards or len(set(boards)) != len(boards):
        raise _Refused(f"有误：{'、'.join(unknown) or '为空或有重复'}；"
                       f"可用的大屏有 {', '.join(SCREEN_BOARDS)}，每个至多一次")
    return boards


def _clock_time(v) -> str:
    if not isinstance(v, str) or v and not re.fullmatch(r"([01]\d|2[0-3]):[0-5]\d", v):
        raise _expected("“时:分”（如 03:30）或留空", v)
    return v


def _commas(t: str) -> list[str]:
    return t.split(",")


_TEXT, _PATH = _Type(_text), _Type(_path)
# Every setting of the [cockpit] table (a wall that starts with a wrong board list or a zero
# refresh would show nothing and say nothing; a session of 0 minutes logs everyone out at once).
_SETTINGS: dict[str, _Type] = {
    "db_url": _TEXT, "data_dir": _PATH, "geojson": _PATH, "plan_dir": _PATH,
    "demo_tickets": _integer(1, 100_000_000), "demo_on_empty": _Type(_bool, _bool_text),
    "log_level": _Type(_level), "lag_red_pp": _number(0, 100, "（百分点）"),
    "lag_yellow_pp": _number(0, 100, "（百分点）"), "session_minutes": _integer(1, 525_600, "分钟"),
    "proxy_header": _TEXT, "proxy_addresses": _Type(_addresses, _commas), "frame_ancestors": _TEXT,
    "screen_boards": _Type(_boards, _commas), "screen_carousel_seconds": _integer(0, 86_400, "秒", "（不轮播）"),
    "screen_refresh_seconds": _integer(1, 86_400, "秒"), "screen_reload_at": _Type(_clock_time),
    "briefing_dir": _PATH,
}
# Each setting's variable is COCKPIT_ and its name in capitals; the 红/黄 bands are in the file only.
_ENV = {f"COCKPIT_{name.upper()}": name for name in _SETTINGS if not name.startswith("lag_")}


def _value(name: str, v, where: str, text: bool = False):
    kind = _SETTINGS[name]
    try:
        return kind.read(kind.env(v) if text else v)
    except _Refused as exc:
        raise ValueError(f"{where}：设置 {name} {exc}") from None


def read_toml(path: Path, what: str = "配置文件") -> dict:
    """A TOML file (cockpit.toml, sources.toml, plan.toml, rules.toml); one that is not UTF-8 or not
    TOML is said with where it breaks: the parser's own wording is English."""
    try:
        with Path(path).open("rb") as fh:
            return tomllib.load(fh)
    except UnicodeDecodeError:
        raise ValueError(f"{what} {path} 不是 UTF-8 编码的文本") from None
    except tomllib.TOMLDecodeError as exc:
        at = re.search(r"line (\d+), column (\d+)", str(exc))
        raise ValueError(f"{what} {path} 不是有效的 TOML" + (f"：第 {at[1]} 行第 {at[2]} 列附近有误" if at else "")
                         + "（文字要加引号，列表写作 [\"a\", \"b\"]，同一设置不能写两次）") from None


def _table(path: Path) -> dict:
    """The [cockpit] table of the file."""
    doc = read_toml(path)
    table = doc.get("cockpit", {})
    if not isinstance(table, dict):
        raise ValueError(f"配置文件 {path}：cockpit 应为一个表（[cockpit] 之下逐行写设置）")
    # A setting above the [cockpit] line or under a misspelt [cockpt] was read as nothing at all.
    if stray := sorted(set(doc) - {"cockpit"}):
        raise ValueError(f"配置文件 {path} 中有 [cockpit] 表以外的内容：{', '.join(stray)}；"
                         "设置应写在 [cockpit] 一行之下")
    return table


def load_settings(environ: dict[str, str] | None = None) -> Settings:
    """Raises ValueError with a Chinese sentence naming the file or variable and the setting."""
    env = os.environ if environ is None else environ
    s = Settings()
    named = env.get("COCKPIT_CONFIG")
    # COCKPIT_CONFIG="" is no file at all; a file it names must be there: a typo in a service unit's
    # path ran the cockpit on the defaults (data/cockpit.db in the checkout) without a word.
    path = Path(named) if named else ROOT / "cockpit.toml"
    if named and not path.is_file():
        raise ValueError(f"环境变量 COCKPIT_CONFIG 指定的配置文件 {path} 不存在（不用配置文件时请设为空）")
    if named or (named is None and path.is_file()):
        doc = _table(path)
        unknown = sorted(set(doc) - set(_SETTINGS))
        if unknown:
            raise ValueError(f"配置文件 {path} 中有未知的设置项：{', '.join(unknown)}")
        values = {k: _value(k, v, f"配置文件 {path}") for k, v in doc.items()}
        s = replace(s, source_file=path, **values)
    for var, name in _ENV.items():
        if env.get(var):
            s = replace(s, **{name: _value(name, env[var], f"环境变量 {var}", text=True)})
    if s.lag_yellow_pp > s.lag_red_pp:  # the yellow band would never show; the bands are in the file only
        raise ValueError(f"配置文件 {s.source_file}：设置 lag_yellow_pp（{s.lag_yellow_pp:g}）不能大于 "
                         f"lag_red_pp（{s.lag_red_pp:g}）：落后超过前者为黄灯，超过后者为红灯")
    # Relative paths in the config are relative to the project, not the cwd,
    # so cron jobs and the web server agree on where the data lives.
    for name in ("data_dir", "geojson", "briefing_dir", "plan_dir"):
        p = getattr(s, name)
        if p is not None and not p.is_absolute():
            s = replace(s, **{name: ROOT / p})
    for name in ("data_dir", "briefing_dir", "plan_dir"):  # a folder that is a file read "文件已存在"
        if (p := getattr(s, name)) is not None and p.exists() and not p.is_dir():
            raise ValueError(f"设置 {name}（环境变量 COCKPIT_{name.upper()}）应为文件夹，{p} 是一个文件")
    return s


@lru_cache(maxsize=1)
def settings() -> Settings:
    return load_settings()


def setup_logging(level: str | None = None) -> None:
    if level is None:
        try:
            level = settings().log_level
        except (ValueError, OSError):
            # A wrong setting is said once, in Chinese, by the command that reads the settings first;
            # a process it started early (the import's checking child) must not add a traceback.
            level = "INFO"
    logging.basicConfig(
        level=level.upper(),
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    # Alembic announces every plugin at INFO; operators only need its warnings.
    logging.getLogger("alembic").setLevel(logging.WARNING)
    # Kaleido's Chromium channel logs a message it could not decode, with a traceback, at ERROR and
    # then goes on: a clerk's briefing run that succeeded showed it on the terminal.
    logging.getLogger("choreographer").setLevel(logging.CRITICAL)
