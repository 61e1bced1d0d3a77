"""Settings: defaults, then an optional TOML file, then environment variables.

Operators change a deployment with `cockpit.toml` (or the file named by
COCKPIT_CONFIG) and override single values with COCKPIT_* variables, so a
container or a systemd unit never needs to edit files.
"""
from __future__ import annotations

import logging
import os
import re
import tomllib
from dataclasses import dataclass, field, replace
from functools import lru_cache
from pathlib import Path

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


def _screen_boards(v) -> tuple[str, ...]:
    items = v.split(",") if isinstance(v, str) else v
    if not isinstance(items, list | tuple) or not all(isinstance(b, str) for b in items):
        raise ValueError(f"设置 screen_boards 应为大屏名称的列表，如 [\"overview\", \"economy\"]，现为“{v}”")
    return tuple(b.strip() for b in items if b.strip())


def _seconds(name: str):
    def convert(v) -> int:
        if isinstance(v, bool) or not (isinstance(v, int) or isinstance(v, str) and v.strip().isdigit()):
            raise ValueError(f"设置 {name} 应为整数秒，现为“{v}”")
        return int(v)
    return convert


def _clock_time(v) -> str:
    if not isinstance(v, str) or v and not re.fullmatch(r"([01]\d|2[0-3]):[0-5]\d", v):
        raise ValueError(f"设置 screen_reload_at 应为“时:分”（如 03:30）或留空，现为“{v}”")
    return v


# The wall display's settings are strict: a wall that starts with a wrong list or a zero refresh
# would show nothing and say nothing. Each is refused with its name and what is allowed.
_SCREEN = {"screen_boards": _screen_boards, "screen_carousel_seconds": _seconds("screen_carousel_seconds"),
           "screen_refresh_seconds": _seconds("screen_refresh_seconds"), "screen_reload_at": _clock_time}
_ENV = {
    "COCKPIT_DB_URL": ("db_url", str),
    "COCKPIT_DATA_DIR": ("data_dir", Path),
    "COCKPIT_GEOJSON": ("geojson", Path),
    "COCKPIT_PLAN_DIR": ("plan_dir", Path),
    "COCKPIT_DEMO_TICKETS": ("demo_tickets", int),
    "COCKPIT_DEMO_ON_EMPTY": ("demo_on_empty", lambda v: v.lower() not in {"0", "false", "no"}),
    "COCKPIT_LOG_LEVEL": ("log_level", str),
    "COCKPIT_SESSION_MINUTES": ("session_minutes", int),
    "COCKPIT_PROXY_HEADER": ("proxy_header", str),
    "COCKPIT_PROXY_ADDRESSES": ("proxy_addresses", lambda v: tuple(a.strip() for a in v.split(",") if a.strip())),
    "COCKPIT_FRAME_ANCESTORS": ("frame_ancestors", str),
    **{f"COCKPIT_{name.upper()}": (name, conv) for name, conv in _SCREEN.items()},
    "COCKPIT_BRIEFING_DIR": ("briefing_dir", Path),
}
_TOML_TYPES = {"data_dir": Path, "geojson": Path, "plan_dir": Path, "db_url": str, "demo_tickets": int,
               "demo_on_empty": bool, "log_level": str, "lag_red_pp": float,
               "lag_yellow_pp": float, "session_minutes": int, "proxy_header": str,
               "proxy_addresses": tuple, "frame_ancestors": str, "briefing_dir": Path, **_SCREEN}


def load_settings(environ: dict[str, str] | None = None) -> Settings:
    env = os.environ if environ is None else environ
    s = Settings()
    path = Path(env.get("COCKPIT_CONFIG", ROOT / "cockpit.toml"))
    if path.is_file():
        with path.open("rb") as fh:
            doc = tomllib.load(fh).get("cockpit", {})
        unknown = sorted(set(doc) - set(_TOML_TYPES))
        if unknown:
            raise ValueError(f"配置文件 {path} 中有未知的设置项：{', '.join(unknown)}")
        values = {k: _TOML_TYPES[k](v) for k, v in doc.items()}
        s = replace(s, source_file=path, **values)
    for var, (name, conv) in _ENV.items():
        if env.get(var):
            s = replace(s, **{name: conv(env[var])})
    # Relative paths in the config are relative to the project, not the cwd,
    # so cron jobs and the web server agree on where the data lives.
    for name in ("data_dir", "geojson", "briefing_dir", "plan_dir"):
        p = getattr(s, name)
        if p is not None and not p.is_absolute():
            s = replace(s, **{name: ROOT / p})
    check_screen(s)
    return s


def check_screen(s: Settings) -> None:
    unknown = [b for b in s.screen_boards if b not in SCREEN_BOARDS]
    if unknown or not s.screen_boards or len(set(s.screen_boards)) != len(s.screen_boards):
        raise ValueError(f"设置 screen_boards 有误：{'、'.join(unknown) or '为空或有重复'}；"
                         f"可用的大屏有 {', '.join(SCREEN_BOARDS)}，每个至多一次")
    if not 0 <= s.screen_carousel_seconds <= 86_400:
        raise ValueError("设置 screen_carousel_seconds 应为 0（不轮播）到 86400 之间的秒数")
    if not 1 <= s.screen_refresh_seconds <= 86_400:
        raise ValueError("设置 screen_refresh_seconds 应为 1 到 86400 之间的秒数")


@lru_cache(maxsize=1)
def settings() -> Settings:
    return load_settings()


def setup_logging(level: str | None = None) -> None:
    logging.basicConfig(
        level=(level or settings().log_level).upper(),
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    # Alembic announces every plugin at INFO; operators only need its warnings.
    logging.getLogger("alembic").setLevel(logging.WARNING)
