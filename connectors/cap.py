"""kind = "cap": CAP 1.2 alerts (OASIS Common Alerting Protocol, the format of China's national
early-warning release system) from files, a folder, or a URL (one alert, or an Atom/RSS feed whose
entries carry alerts or link to them; every link checked against the allowlist like any HTTP source).

- category Met, Geo, Env (weather and natural hazards) -> weather_warnings; any other -> emergency_events;
- one record per area (geocode, else each name in areaDesc); the key is the first alert of its chain
  (an Update or Cancel names it in <references>) with the area, so an upgrade from 黄色 to 橙色
  updates the same signal and a Cancel ends it (expires at the cancel's time);
- levels: the colour the release names (红/橙/黄/蓝色预警, Ⅰ–Ⅳ级), else severity
  Extreme/Severe/Moderate/Minor -> 1..4 (红橙黄蓝);
- status other than Actual (Test, Exercise, System, Draft) is not imported.
Parsed with defusedxml: no DTD, no entities.
"""
from __future__ import annotations

import re
from collections.abc import Iterable
from pathlib import Path
from urllib.parse import urljoin

import defusedxml.ElementTree as SafeET
import pandas as pd
from defusedxml import DefusedXmlException

from cockpit.uploads.records import level_of

from .base import Connector, Dataset, File, Option, SourceError, register
from .folder import shown
from .http import client, web_options
from .web import MB

# CAP 1.2; also 1.1 and an alert with no namespace at all, as some provincial release systems write it.
CAP_NAMESPACES = ("{urn:oasis:names:tc:emergency:cap:1.2}", "{urn:oasis:names:tc:emergency:cap:1.1}", "")
ATOM = "{http://www.w3.org/2005/Atom}"
SEVERITY = {"extreme": 1, "severe": 2, "moderate": 3, "minor": 4}
WEATHER = {"met", "geo", "env"}
_COLOUR = re.compile(r"(红|橙|黄|蓝)色|([ⅠⅡⅢⅣ]|IV|III|II|I)级")
_KIND_TAIL = re.compile(r"(红|橙|黄|蓝)色|[ⅠⅡⅢⅣ]级|预警信号|预警|信号|警报|发布|解除")
_SPLIT = re.compile(r"[、,，;；\s]+")
MAX_ALERTS = 1000
TEXT_LIMIT = 2000


@register
class CapConnector(Connector):
    kind = "cap"
    title = "预警信息（CAP 1.2）"
    options = {
        "path": Option("CAP 文件或存放 CAP 文件的文件夹", str, None),
        "url": Option("CAP 预警或其 Atom/RSS 订阅地址", str, None),
        **web_options(),
    }

    def __init__(self, **values):
        super().__init__(**values)
        if bool(self.values["path"]) == bool(self.values["url"]):
            raise ValueError("cap 数据源须且只能填写 path 或 url 之一")
        self.client = client(self, self.values["url"]) if self.values["url"] else None
        if self.client:
            self.client.target(self.values["url"], resolve=False)

    def read(self) -> Iterable[Dataset | File]:
        rows = []
        for path, doc in self._documents():
            try:
                if isinstance(doc, str):
                    raise SourceError(doc)
                rows += alert_rows(doc)
            except (SourceError, ValueError) as exc:  # ValueError: a time pandas cannot read
                if path is None:  # what the URL gave: the pull's own failure, as before
                    raise
                # One file of a folder: refused by its name (the runner says so), and the others read on.
                why = str(exc) if isinstance(exc, SourceError) else "CAP 预警中的时间无法解读（应如 2026-12-01T08:00:00+08:00）。"
                yield File(shown(path.name), b"", path, refused=why)
        # An Update or a Cancel supersedes the alerts of its chain: the latest message per signal wins.
        latest: dict[str, dict] = {}
        for r in sorted(rows, key=lambda r: r["sent"]):
            latest[r["source_key"]] = r
        rows = list(latest.values())
        weather = [r for r in rows if r["weather"]]
        events = [r for r in rows if not r["weather"]]
        yield Dataset("weather_warnings", _frame(weather, ["kind", "level", "region_code", "issued_at",
                                                           "expires_at", "issuer", "text", "source_key"]),
                      {"title": "气象及自然灾害预警信号（CAP）"})
        if events:
            yield Dataset("emergency_events", _frame(events, ["event_type", "level", "title", "region_code", "place",
                                                              "lon", "lat", "occurred_at", "status", "closed_at",
                                                              "source_key"]),
                          {"title": "突发事件预警（CAP）"})

    def _documents(self) -> Iterable[tuple[Path | None, bytes | str]]:
        """(file, its bytes or why it is refused) per alert; the file is None for what the URL gave."""
        limit = int(self.values["max_mb"] * MB)
        if self.values["path"]:
            base = Path(self.values["path"]).expanduser()
            files = sorted(p for p in base.glob("*.xml") if p.is_file()) if base.is_dir() else [base]
            if not base.exists():
                raise SourceError(f"找不到 CAP 文件或文件夹 {base}。")
            for p in files[:MAX_ALERTS]:
                if p.is_symlink() and base.is_dir():  # as the drop folder: a link could reach any file
                    yield p, "是符号链接，不读取（请放入文件本身）。"
                    continue
                too_big = p.stat().st_size > limit
                yield p, f"CAP 文件超过上限 {limit / MB:g} MB，未读取。" if too_big else p.read_bytes()
            return
        body = self.client.get(self.values["url"]).body
        root = _parse(body)
        if _is_alert(root):
            yield None, body
            return
        inline = [el for el in root.iter() if _is_alert(el)]  # a feed that carries its alerts in its entries
        if inline:
            for el in inline[:MAX_ALERTS]:
                yield None, SafeET.tostring(el, encoding="utf-8")
            return
        links = [e.get("href") for e in root.iter(f"{ATOM}link") if e.get("rel", "alternate") in ("alternate", "related")]
        links += [e.text for e in root.iter("link") if e.text]  # RSS
        if not links:
            raise SourceError("订阅内容既不是 CAP 预警，也没有指向 CAP 预警的链接。")
        for link in links[:MAX_ALERTS]:
            yield None, self.client.get(urljoin(self.values["url"], link.strip())).body


_DECLARED = re.compile(rb"""^\s*<\?xml[^>]*?encoding\s*=\s*["']([A-Za-z0-9._-]+)["']""")
_GB = {"gb2312", "gbk", "gb18030", "cp936", "x-gbk", "euc-cn"}


def _utf8(data: bytes) -> bytes:
    """The XML in UTF-8 when it declares an encoding the XML parser cannot read (GB2312, GBK: the
    parser reads only single-byte encodings besides UTF-8 and UTF-16)."""
    m = _DECLARED.match(data)
    declared = m.group(1).decode().lower() if m else "utf-8"
    if declared.replace("_", "-") in ("utf-8", "utf8", "utf-16", "us-ascii", "iso-8859-1", "latin-1"):
        return data
    try:
        text = data.decode("gb18030" if declared in _GB else declared)
    except (LookupError, UnicodeDecodeError):
        raise SourceError(f"CAP 内容声明的编码 {declared} 无法按此解读。") from None
    return re.sub(r"""encoding\s*=\s*["'][^"']+["']""", 'encoding="UTF-8"', text, count=1).encode("utf-8")


def _is_alert(el) -> bool:
    return el.tag.rpartition("}")[2] == "alert" and _ns(el) in CAP_NAMESPACES


def _ns(el) -> str:
    return el.tag[:el.tag.index("}") + 1] if el.tag.startswith("{") else ""


def _parse(data: bytes):
    try:
        return SafeET.fromstring(_utf8(data), forbid_dtd=True)
    except DefusedXmlException:
        raise SourceError("CAP 内容含有 DOCTYPE/ENTITY 声明（可能是恶意构造的 XML），已拒收。") from None
    except SafeET.ParseError as exc:
        line, column = getattr(exc, "position", (0, 0))
        raise SourceError(f"CAP 内容不是有效的 XML（第 {line} 行第 {column} 列起无法解读）。") from None


def _text(el, tag: str) -> str | None:
    found = el.find(_ns(el) + tag) if el is not None else None
    return found.text.strip() if found is not None and found.text and found.text.strip() else None


def alert_rows(data: bytes) -> list[dict]:
    """The records one CAP alert makes (raw values: the record check reads names, codes and times)."""
    root = _parse(data)
    if not _is_alert(root):
        local, ns = root.tag.rpartition("}")[2], _ns(root).strip("{}")
        raise SourceError(f"不是 CAP 预警消息（根元素为 {local}{'，命名空间 ' + ns if ns else ''}）。")
    if (_text(root, "status") or "").lower() != "actual":
        return []  # a test or an exercise: not a warning in force
    ident, sent = _text(root, "identifier"), _text(root, "sent")
    if not ident or not sent:
        raise SourceError("CAP 预警缺少 identifier 或 sent。")
    refs = (_text(root, "references") or "").split()
    chain = refs[0].split(",")[1] if refs and refs[0].count(",") >= 2 else ident
    cancelled = (_text(root, "msgType") or "").lower() == "cancel"
    infos = root.findall(_ns(root) + "info")
    info = next((i for i in infos if (_text(i, "language") or "").lower().startswith("zh")), infos[0] if infos else None)
    if info is None:
        return []
    event, headline = _text(info, "event") or "", _text(info, "headline") or ""
    # The event's colour, else the last one the headline names ("黄色预警信号升级为橙色"), else the severity.
    colours = [m.group(0) for m in _COLOUR.finditer(event)] or [m.group(0) for m in _COLOUR.finditer(headline)]
    level = level_of(colours[-1]) if colours else SEVERITY.get((_text(info, "severity") or "").lower())
    kind = _KIND_TAIL.sub("", event).strip() or event
    issued = _text(info, "effective") or _text(info, "onset") or sent
    expires = sent if cancelled else _text(info, "expires")
    weather = (_text(info, "category") or "").lower() in WEATHER
    text = "\n".join(t for t in (headline, _text(info, "description")) if t)[:TEXT_LIMIT]
    rows = []
    for area, desc, lonlat in _areas(info):
        base = {"source_key": f"{chain}|{area}", "level": level, "region_code": area,
                "sent": pd.Timestamp(sent).tz_convert("Asia/Shanghai") if pd.Timestamp(sent).tz else pd.Timestamp(sent)}
        if weather:
            rows.append({**base, "weather": True, "kind": kind, "issued_at": issued, "expires_at": expires,
                         "issuer": _text(info, "senderName") or _text(root, "sender"), "text": text})
        else:
            rows.append({**base, "weather": False, "event_type": kind, "title": (headline or event)[:128],
                         "place": desc[:128], "lon": lonlat[0], "lat": lonlat[1], "occurred_at": issued,
                         "status": "已结束" if cancelled else "处置中", "closed_at": sent if cancelled else None})
    return rows


def _areas(info) -> list[tuple[str, str, tuple]]:
    """(region code or name, area description, (lon, lat) or (None, None)) per area of the info."""
    out = []
    for area in info.findall(_ns(info) + "area"):
        desc = _text(area, "areaDesc") or ""
        lonlat = _centre(area)
        codes = [(_text(g, "value") or "") for g in area.findall(_ns(area) + "geocode")]
        codes = [c[:6] for c in codes if c.isdigit() and len(c) >= 6]
        for item in dict.fromkeys(codes or [n for n in _SPLIT.split(desc) if n]):
            out.append((item, desc, lonlat))
    return out


def _centre(area) -> tuple:
    circle = _text(area, "circle")  # "lat,lon radius"
    polygon = _text(area, "polygon")  # "lat,lon lat,lon ..."
    try:
        if circle:
            lat, lon = circle.split()[0].split(",")
            return float(lon), float(lat)
        if polygon:
            points = [tuple(map(float, p.split(","))) for p in polygon.split()]
            return sum(p[1] for p in points) / len(points), sum(p[0] for p in points) / len(points)
    except ValueError:
        pass
    return None, None


def _frame(rows: list[dict], columns: list[str]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=columns, dtype=object)
