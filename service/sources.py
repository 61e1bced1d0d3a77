"""Sources declared in sources.toml: reading the file, schedules, and how fresh each source is.

The file is named by COCKPIT_SOURCES (default sources.toml in the project root). Each
[sources.NAME] table has `kind`, the kind's own settings (connectors/<kind>.py declares them), and
what every source may have: `title` (its Chinese name on the 数据源 page), `schedule`
("daily 08:30", "hourly", "every 15 minutes" or a five-field cron expression), `origin` (the key
space of its records: two sources of one system share it), `enabled`. [http] allow_hosts adds
hosts every HTTP source may reach.

Secrets never live in the file: a secret setting such as `password` is given as `password_env`,
the name of the environment variable that holds it, and is read only when the source is pulled.
Writing the secret itself in the file is refused, naming the setting.
"""
from __future__ import annotations

import datetime as dt
import json
import os
import re
from dataclasses import dataclass, field
from pathlib import Path

import cronsim
import pandas as pd
from sqlalchemy import insert, select, update

from cockpit import schema as s
from cockpit.config import ROOT, read_toml
from cockpit.store import Store, now
from connectors import Connector, SourceError, connector_class

COMMON = {"kind", "title", "schedule", "origin", "enabled"}
NAME = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
_DAILY = re.compile(r"^(?:daily|每天|每日)\s*(\d{1,2}):(\d{2})$")
_EVERY = re.compile(r"^(?:every|每)\s*(\d{1,2})\s*(?:minutes?|分钟)$")


def sources_file(environ: dict | None = None) -> Path:
    env = os.environ if environ is None else environ
    return Path(env.get("COCKPIT_SOURCES") or ROOT / "sources.toml")


@dataclass(frozen=True)
class Schedule:
    text: str  # as written in the file
    cron: str  # five fields

    @classmethod
    def parse(cls, text: str) -> Schedule:
        t = " ".join(str(text).strip().lower().split())
        if m := _DAILY.match(t):
            cron = f"{int(m.group(2))} {int(m.group(1))} * * *"
        elif t in ("hourly", "每小时"):
            cron = "0 * * * *"
        elif m := _EVERY.match(t):
            if not 1 <= int(m.group(1)) <= 59:
                raise ValueError(f"计划“{text}”的分钟数应在 1—59 之间")
            cron = f"*/{int(m.group(1))} * * * *"
        else:
            cron = t
        try:
            cronsim.CronSim(cron, dt.datetime(2026, 1, 1))
        except cronsim.CronSimError:
            raise ValueError(f"无法识别的计划“{text}”：可写 daily 08:30、hourly、every 15 minutes 或 cron 表达式"
                             "（如 30 8 * * 1-5）") from None
        return cls(str(text).strip(), cron)

    def previous(self, at: dt.datetime) -> dt.datetime:
        """The latest scheduled time at or before `at`."""
        return next(cronsim.CronSim(self.cron, at.replace(microsecond=0) + dt.timedelta(seconds=1), reverse=True))

    def after(self, at: dt.datetime) -> dt.datetime:
        """The first scheduled time after `at`."""
        return next(cronsim.CronSim(self.cron, at.replace(microsecond=0)))

    def describe(self) -> str:
        if m := re.match(r"^(\d+) (\d+) \* \* \*$", self.cron):
            return f"每日 {int(m.group(2)):02d}:{int(m.group(1)):02d}"
        if self.cron == "0 * * * *":
            return "每小时"
        if m := re.match(r"^\*/(\d+) \* \* \* \*$", self.cron):
            return f"每 {m.group(1)} 分钟"
        return f"定时表达式 {self.cron}"


@dataclass(frozen=True)
class Source:
    name: str
    kind: str
    title: str
    options: dict  # the kind's settings, secrets left out
    secrets: dict  # secret setting -> name of the environment variable holding it
    schedule: Schedule | None = None
    origin: str = ""
    enabled: bool = True

    def connect(self, environ: dict | None = None, extra_allow: tuple[str, ...] = ()) -> Connector:
        """The connector, its secrets read from the environment now (never kept in the config)."""
        env = os.environ if environ is None else environ
        values = dict(self.options)
        for key, var in self.secrets.items():
            if not env.get(var):
                raise ValueError(f"环境变量 {var} 未设置（数据源 {self.name} 的 {key}）")
            values[key] = env[var]
        cls = connector_class(self.kind)
        if extra_allow and "allow_hosts" in cls.options:
            values["allow_hosts"] = [*values.get("allow_hosts", []), *extra_allow]
        return cls(**values)


@dataclass
class Config:
    sources: dict[str, Source] = field(default_factory=dict)
    allow_hosts: tuple[str, ...] = ()  # [http] allow_hosts: every HTTP source may reach these
    path: Path | None = None

    def connect(self, source: Source, environ: dict | None = None) -> Connector:
        return source.connect(environ, self.allow_hosts)


def kind_title(kind: str) -> str:
    """A kind of source as the 数据源 page names it."""
    try:
        return connector_class(kind).title
    except ValueError:
        return kind


def load(path: Path | None = None, environ: dict | None = None) -> Config:
    """The sources file checked whole (an unknown key, kind or schedule is refused with its name);
    an absent file is no sources at all."""
    path = path or sources_file(environ)
    if not path.is_file():
        return Config(path=path)
    where = path.name
    doc = read_toml(path, "数据源配置文件")
    unknown = sorted(set(doc) - {"sources", "http"})
    if unknown:
        raise ValueError(f"{where} 中有未知的表：{'、'.join(unknown)}（可用：sources、http）")
    http = doc.get("http", {})
    if set(http) - {"allow_hosts"} or not isinstance(http.get("allow_hosts", []), list):
        raise ValueError(f"{where} 的 [http] 只能有 allow_hosts（主机列表）")
    config = Config(path=path, allow_hosts=tuple(str(h) for h in http.get("allow_hosts", [])))
    for name, table in doc.get("sources", {}).items():
        config.sources[name] = _source(name, table, where)
        try:  # the kind's own checks of its settings (an address off the allowlist, a query that writes)
            config.connect(config.sources[name], environ={k: "x" for k in config.sources[name].secrets.values()})
        except (ValueError, SourceError) as exc:
            raise ValueError(f"{where} 的数据源 {name}：{exc}") from None
    return config


# Tables of fixed values sent as they are written (headers, query parameters, POST bodies): a
# password or a token among them was sent, echoed back by a gateway's error and shown unmasked.
FIXED_TABLES = ("headers", "params", "body", "login_body")
SECRET_NAME = re.compile(r"token|secret|passw|pwd|authori[sz]ation|cookie|api[-_.]?key|access[-_.]?key", re.I)


def _no_secret_inside(table: dict, where: str, prefix: str = "") -> None:
    for key, value in table.items():
        name = f"{prefix}{key}"
        if SECRET_NAME.search(str(key)):
            raise ValueError(f"{where} 中的“{name}”像是密码或令牌，不得写在文件中（文件会被复制和查看）：令牌请用 "
                             "token_env（放在请求头 token_header 或请求体 token_field），密码用 password_env，"
                             "取令牌的密钥用 login_secret_env")
        if isinstance(value, dict):
            _no_secret_inside(value, where, f"{name}.")


def _source(name: str, table, where: str) -> Source:
    if not NAME.match(name):
        raise ValueError(f"{where} 中数据源名“{name}”只能由字母、数字、下划线和连字符组成（不超过 64 个）")
    if not isinstance(table, dict) or "kind" not in table:
        raise ValueError(f"{where} 的数据源 {name} 缺少 kind（数据源类型）")
    try:
        cls = connector_class(str(table["kind"]))
    except ValueError as exc:  # said without the file or the source it was in
        raise ValueError(f"{where} 的数据源 {name}：{exc}") from None
    options, secrets = {}, {}
    for key, value in table.items():
        if key in COMMON:
            continue
        if key.endswith("_env") and cls.options.get(key[:-4]) is not None and cls.options[key[:-4]].secret:
            secrets[key[:-4]] = str(value)
        elif key in cls.options and cls.options[key].secret:
            raise ValueError(f"数据源 {name} 的 {key} 不得写在 {where} 中（文件会被复制和查看）："
                             f"请改为 {key}_env = \"存放它的环境变量名\"")
        elif key in cls.options:
            if key in FIXED_TABLES and isinstance(value, dict):
                _no_secret_inside(value, f"{where} 的数据源 {name} 的 {key}")
            options[key] = value
        else:
            known = sorted({*cls.options, *COMMON} - {k for k, o in cls.options.items() if o.secret}
                           | {f"{k}_env" for k, o in cls.options.items() if o.secret})
            raise ValueError(f"数据源 {name}（{cls.kind}）不认识设置 {key}；可用：{'、'.join(known)}")
    if not isinstance(table.get("enabled", True), bool):
        raise ValueError(f"{where} 的数据源 {name} 的 enabled 应为 true 或 false")
    try:
        schedule = Schedule.parse(table["schedule"]) if table.get("schedule") else None
    except ValueError as exc:
        raise ValueError(f"{where} 的数据源 {name}：{exc}") from None
    return Source(name, cls.kind, str(table.get("title") or name), options, secrets, schedule,
                  str(table.get("origin") or name)[:64], table.get("enabled", True))


# ---- state of each source (table source_state) and its runs (source_runs) ----------------------
def states(store: Store) -> pd.DataFrame:
    return store.frame(select(s.source_state))


def watermarks(store: Store, name: str) -> dict:
    raw = store.scalar(select(s.source_state.c.watermarks).where(s.source_state.c.source == name))
    return {k: _decode(v) for k, v in json.loads(raw or "{}").items()}


def record(store: Store, name: str, *, started: dt.datetime, ok: bool, status: str, rows: int, written: int,
           batches: list[int], message: str, marks: dict | None = None) -> None:
    """One pull's outcome: a row in source_runs, and the source's state (watermarks only move forward
    on success, so a failed pull reads the same records again next time)."""
    st = s.source_state.c
    finished = now()
    with store.begin() as conn:
        conn.execute(insert(s.source_runs).values(
            source=name, started_at=started, finished_at=finished, status=status, rows=rows, written=written,
            batches="、".join(f"#{b}" for b in batches)[:255], message=message))
        row = conn.execute(select(st.watermarks).where(st.source == name)).first()
        if row is None:
            conn.execute(insert(s.source_state).values(source=name, watermarks="{}"))
        # A partial pull (some files written, one refused) is both: data came in, and something failed.
        values = ({"last_success_at": finished, "last_rows": rows, "last_written": written}
                  if ok or status == "partial" else {})
        if not ok:
            values |= {"last_error_at": finished, "last_error": message}
        if ok and marks:
            merged = {**json.loads(row.watermarks if row else "{}"), **{k: _encode(v) for k, v in marks.items()}}
            values["watermarks"] = json.dumps(merged, ensure_ascii=False)
        conn.execute(update(s.source_state).where(st.source == name).values(**values))


def runs(store: Store, limit: int = 200) -> pd.DataFrame:
    r = s.source_runs.c
    return store.frame(select(s.source_runs).order_by(r.id.desc()).limit(limit))


def _encode(v) -> dict:
    if isinstance(v, dt.datetime):
        return {"type": "datetime", "value": v.isoformat(sep=" ")}
    if isinstance(v, dt.date):
        return {"type": "date", "value": v.isoformat()}
    if isinstance(v, (int, float)) and not isinstance(v, bool):
        return {"type": "number", "value": v}
    return {"type": "text", "value": str(v)}


def _decode(v: dict):
    kind, value = v.get("type"), v.get("value")
    if kind == "datetime":
        return dt.datetime.fromisoformat(value)
    if kind == "date":
        return dt.date.fromisoformat(value)
    return value


# ---- freshness against the schedule: what the 数据源 page shows and the 数据超期 rule reads ----------
FRESHNESS_COLUMNS = ["source", "title", "kind", "schedule", "last_success_at", "last_rows", "last_written",
                     "last_error_at", "last_error", "failing", "due_at", "next_at", "overdue_minutes"]


def freshness(config: Config, state: pd.DataFrame, at: dt.datetime) -> pd.DataFrame:
    """Per configured source: its last success and error, when it was next due after its last success
    (or, never pulled, the latest scheduled time), and how many minutes past that it is (0: on time)."""
    known = state.set_index("source") if len(state) else pd.DataFrame()
    rows = []
    for name, src in config.sources.items():
        st = known.loc[name] if name in known.index else {}
        last = _when(st.get("last_success_at")) if len(st) else None
        due = next_at = None
        overdue = 0.0
        if src.schedule is not None and src.enabled:
            due = src.schedule.after(last) if last else src.schedule.previous(at)
            next_at = src.schedule.after(at)
            overdue = max(0.0, (at - due).total_seconds() / 60) if due <= at else 0.0
        error_at = _when(st.get("last_error_at")) if len(st) else None
        rows.append({"source": name, "title": src.title, "kind": src.kind,
                     "schedule": src.schedule.describe() if src.schedule else "",
                     "last_success_at": last, "last_rows": st.get("last_rows") if len(st) else None,
                     "last_written": st.get("last_written") if len(st) else None,
                     "last_error_at": error_at, "last_error": (st.get("last_error") or "") if len(st) else "",
                     "failing": error_at is not None and (last is None or error_at >= last),
                     "due_at": due, "next_at": next_at, "overdue_minutes": overdue})
    return pd.DataFrame(rows, columns=FRESHNESS_COLUMNS)


def _when(v) -> dt.datetime | None:
    return None if v is None or pd.isna(v) else pd.Timestamp(v).to_pydatetime()


def freshness_now(store: Store, at: dt.datetime | None = None) -> pd.DataFrame:
    """freshness() for the configured sources and the stored state; empty when there is no sources file."""
    config = load()
    if not config.sources:
        return pd.DataFrame(columns=FRESHNESS_COLUMNS)
    return freshness(config, states(store), at or now())
