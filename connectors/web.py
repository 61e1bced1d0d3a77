"""One careful HTTP GET (or a POST of a JSON query) for the http and cap connectors (urllib3 underneath).

What a remote answer or a mistaken setting could make the cockpit do is bounded here:
- only http and https; no user name or password inside an address;
- only hosts on the allowlist: the configured address's own host, the `allow_hosts` of the source
  and of [http] in sources.toml (a name, "name:port", an IP or a network such as 10.8.0.0/16).
  Loopback, link-local (169.254.169.254, the cloud metadata address), unspecified, multicast and
  reserved addresses are refused unless an IP or network entry names them, also when a listed
  name resolves to one. The checked address is the one connected to (no second lookup to rebind);
- redirects and next-page links are checked the same way, at most MAX_REDIRECTS in a row;
- a connect timeout, a deadline for the whole answer (a slow drip ends there), a size cap checked
  on the declared length and on every chunk, compressed answers decoded within the same cap;
- bounded retries with exponential back-off, for what may pass (a refused connection, a timeout,
  HTTP 429 and 5xx); never for a refusal (401, 403, 404).
"""
from __future__ import annotations

import ipaddress
import json
import logging
import socket
import time
import zlib
from dataclasses import dataclass, field
from urllib.parse import urlencode, urljoin

import urllib3
from urllib3 import exceptions as ue
from urllib3.util import Timeout, parse_url

from .base import SourceError

log = logging.getLogger(__name__)
MB = 1024 * 1024
MAX_REDIRECTS = 5
CHUNK = 64 * 1024
REDIRECTS = (301, 302, 303, 307, 308)
RETRYABLE = (429, 500, 502, 503, 504)
DEFAULT_PORTS = {"http": 80, "https": 443}


@dataclass
class Policy:
    allow: list[str]  # allowlist entries (see the module docstring)
    timeout: float = 30.0  # seconds for one whole answer
    connect_timeout: float = 10.0
    retries: int = 2
    backoff: float = 1.0  # seconds before the first retry, doubled each time
    max_bytes: int = 20 * MB
    ca_file: str | None = None  # an intranet's own certificate authority
    headers: dict[str, str] = field(default_factory=dict)  # secrets among them are never shown


@dataclass
class Answer:
    url: str
    status: int
    headers: dict[str, str]
    body: bytes


@dataclass(frozen=True)
class _Entry:
    name: str | None = None
    network: ipaddress.IPv4Network | ipaddress.IPv6Network | None = None
    port: int | None = None


def _entry(text: str) -> _Entry:
    t = text.strip().lower().rstrip(".")
    port = None
    if t.startswith("["):  # [::1]:8080
        host, _, rest = t[1:].partition("]")
        port = _port(text, rest[1:]) if rest.startswith(":") else None
    elif t.count(":") == 1:
        host, p = t.split(":")
        port = _port(text, p)
    else:
        host = t
    try:
        return _Entry(network=ipaddress.ip_network(host, strict=False), port=port)
    except ValueError:
        return _Entry(name=host.encode("idna").decode("ascii"), port=port)


def _port(entry: str, text: str) -> int:
    if not (text.isascii() and text.isdigit() and 0 < int(text) < 65536):
        raise ValueError(f"允许访问的主机“{entry}”中的端口“{text}”不是 1—65535 的数字")
    return int(text)


def _special(ip) -> bool:
    """Addresses no source lives at unless named outright: this machine, link-local (cloud metadata),
    unspecified, multicast, reserved."""
    ip = getattr(ip, "ipv4_mapped", None) or ip
    return ip.is_loopback or ip.is_link_local or ip.is_unspecified or ip.is_multicast or ip.is_reserved


class Client:
    def __init__(self, url: str, policy: Policy):
        self.policy = policy
        first = parse_url(url)
        implicit = [f"{first.host}:{first.port}" if first.port else (first.host or "")]
        self.explicit = [_entry(a) for a in policy.allow if str(a).strip()]
        self.implicit = [_entry(a) for a in implicit if a]

    # ---- the allowlist ---------------------------------------------------------------------
    def target(self, url: str, resolve: bool = True) -> tuple[str, str, int, str, str]:
        """(scheme, host, port, address to connect to, path?query) of an allowed URL, or SourceError.
        Without `resolve`, a name is checked against the list only (reading the settings makes no DNS query)."""
        try:
            u = parse_url(url)
        except ue.LocationParseError:
            raise SourceError(f"地址“{url[:200]}”无法解析，已拒绝。") from None
        scheme = (u.scheme or "").lower()
        if scheme not in DEFAULT_PORTS:
            raise SourceError(f"只允许 http 和 https 地址，已拒绝“{url[:200]}”（{scheme or '无协议'}）。")
        if u.auth:
            raise SourceError("地址中不得包含用户名或密码（会被记录和显示），已拒绝；请改用 username 与 password_env。")
        host = (u.host or "").lower().rstrip(".").strip("[]")
        if not host:
            raise SourceError(f"地址“{url[:200]}”没有主机名，已拒绝。")
        port = u.port or DEFAULT_PORTS[scheme]
        path = (u.path or "/") + (f"?{u.query}" if u.query else "")
        try:
            ip = ipaddress.ip_address(host)
        except ValueError:
            ip = None
        if ip is not None:
            if not self._ip_allowed(ip, port, implicit_ok=not _special(ip)):
                raise SourceError(f"地址 {host}:{port} 不在允许访问的主机列表（allow_hosts）中，已拒绝"
                                  f"{'（本机、链路本地等特殊地址须在列表中逐一写明）' if _special(ip) else ''}。")
            return scheme, host, port, str(ip), path
        name = host.encode("idna").decode("ascii")
        if not any(e.name == name and e.port in (None, port) for e in self.explicit + self.implicit):
            raise SourceError(f"主机 {name}:{port} 不在允许访问的主机列表（allow_hosts）中，已拒绝。")
        return scheme, name, port, self._resolve(name, port) if resolve else "", path

    def _ip_allowed(self, ip, port: int, implicit_ok: bool) -> bool:
        ip = getattr(ip, "ipv4_mapped", None) or ip
        entries = self.explicit + (self.implicit if implicit_ok else [])
        return any(e.network is not None and ip in e.network and e.port in (None, port) for e in entries)

    def _resolve(self, name: str, port: int) -> str:
        try:
            infos = socket.getaddrinfo(name, port, type=socket.SOCK_STREAM)
        except socket.gaierror:
            raise SourceError(f"无法解析主机名 {name}（DNS 查询失败）。") from None
        for info in infos:
            ip = ipaddress.ip_address(info[4][0].split("%")[0])
            if _special(ip) and not self._ip_allowed(ip, port, implicit_ok=False):
                raise SourceError(f"主机 {name} 解析到 {ip}（本机、链路本地等特殊地址），该地址不在允许访问的列表中，已拒绝。")
        return infos[0][4][0]

    # ---- one GET, with redirects and retries ---------------------------------------------------
    def get(self, url: str, params: dict | None = None, json_body: dict | None = None) -> Answer:
        """GET `url` with `params` in its query; with `json_body`, a POST of that JSON (the query APIs
        of many systems take their conditions and page numbers so). A 307 or 308 repeats the POST at
        the new address; any other redirect is followed with a GET, as browsers do."""
        if params:
            url += ("&" if "?" in url else "?") + urlencode(params)
        body = json.dumps(json_body, ensure_ascii=False).encode() if json_body is not None else None
        for _ in range(MAX_REDIRECTS + 1):
            answer = self._with_retries(url, body)
            if answer.status not in REDIRECTS:
                return answer
            location = answer.headers.get("location")
            if not location:
                raise SourceError(f"服务器返回重定向（HTTP {answer.status}）却没有给出新地址。")
            moved = urljoin(url, location)
            if url.lower().startswith("https:") and not moved.lower().startswith("https:"):
                raise SourceError("服务器把 https 请求重定向到了 http（请求内容和凭据会以明文发送），已拒绝。")
            url = moved
            self.target(url)  # a redirect off the allowlist is refused here, before any request to it
            body = body if answer.status in (307, 308) else None
        raise SourceError(f"重定向超过 {MAX_REDIRECTS} 次，已中止。")

    def _with_retries(self, url: str, body: bytes | None = None) -> Answer:
        p = self.policy
        for attempt in range(p.retries + 1):
            try:
                answer = self._once(url, body)
                if answer.status not in RETRYABLE:
                    return _checked(answer)
                reason = f"服务器错误（HTTP {answer.status}，{_shown(url)[:200]}）"  # which address, as a 404 says
            except _Transient as exc:
                reason = str(exc)
            if attempt < p.retries:
                log.info("GET %s: %s; retry %d in %.1f s", _shown(url), reason, attempt + 1, p.backoff * 2 ** attempt)
                time.sleep(p.backoff * 2 ** attempt)
        raise SourceError(reason + (f"，重试 {p.retries} 次后仍失败。" if p.retries else "。"))

    def _once(self, url: str, body: bytes | None = None) -> Answer:
        scheme, host, port, address, path = self.target(url)
        p = self.policy
        start = time.monotonic()
        kw = {"server_hostname": host, "assert_hostname": host, "cert_reqs": "CERT_REQUIRED",
              "ca_certs": p.ca_file} if scheme == "https" else {}
        cls = urllib3.HTTPSConnectionPool if scheme == "https" else urllib3.HTTPConnectionPool
        pool = cls(address, port, retries=False, timeout=Timeout(connect=p.connect_timeout, read=p.timeout), **kw)
        headers = {"Host": host if port == DEFAULT_PORTS[scheme] else f"{host}:{port}",
                   "Accept-Encoding": "gzip, deflate", "User-Agent": "shangqiu-cockpit",
                   **({"Content-Type": "application/json; charset=utf-8"} if body is not None else {}), **p.headers}
        try:
            resp = pool.urlopen("GET" if body is None else "POST", path, body=body, headers=headers, redirect=False,
                                retries=False, preload_content=False, decode_content=False, assert_same_host=False)
            try:
                content = _body(resp, start, p) if resp.status not in REDIRECTS else b""
                return Answer(url, resp.status, {k.lower(): v for k, v in resp.headers.items()}, content)
            finally:
                resp.release_conn()
        except ue.SSLError as exc:
            raise SourceError(f"无法与 {host} 建立安全连接（证书或 TLS 错误：{str(exc)[:120]}）；"
                              "内网自签证书请用 ca_file 指定证书。") from None
        except (ue.ConnectTimeoutError, ue.NewConnectionError) as exc:
            raise _Transient(f"无法连接 {host}:{port}（{_why(exc)}）") from None
        except (ue.ReadTimeoutError, TimeoutError, socket.timeout):
            raise _Transient(f"{host} 在 {p.timeout:g} 秒内没有答完（超时）") from None
        except (ue.ProtocolError, ConnectionError) as exc:
            raise _Transient(f"与 {host} 的连接中断（{_why(exc)}）") from None
        finally:
            pool.close()


class _Transient(Exception):
    """May pass on its own: worth a retry."""


def _why(exc: Exception) -> str:
    text = str(exc)
    if "refused" in text.lower():
        return "连接被拒绝，服务可能未启动"
    if "timed out" in text.lower():
        return "连接超时"
    return "网络错误"


def _shown(url: str) -> str:
    return url.split("?", 1)[0]


def _checked(answer: Answer) -> Answer:
    s = answer.status
    if s in REDIRECTS or 200 <= s < 300:
        return answer
    if s in (401, 403):
        raise SourceError(f"对方拒绝访问（HTTP {s}）：用户名、密码或令牌不对，或没有权限；请核对 sources.toml 中指定的环境变量。")
    if s == 404:
        raise SourceError(f"地址不存在（HTTP 404）：{_shown(answer.url)[:200]}")
    raise SourceError(f"服务器返回 HTTP {s}，未能取得数据。")


def _body(resp, start: float, p: Policy) -> bytes:
    """The whole answer within the deadline and the size cap (decoded size, if compressed)."""
    declared = resp.headers.get("Content-Length")
    if declared and declared.isdigit() and int(declared) > p.max_bytes:
        raise SourceError(f"返回内容 {int(declared) / MB:,.1f} MB，超过上限 {p.max_bytes / MB:g} MB，已拒收。")
    coding = (resp.headers.get("Content-Encoding") or "identity").lower()
    if coding not in ("identity", "gzip", "deflate"):
        raise SourceError(f"返回内容的压缩方式 {coding} 不受支持。")
    inflate = zlib.decompressobj(16 + zlib.MAX_WBITS if coding == "gzip" else zlib.MAX_WBITS) \
        if coding != "identity" else None
    parts, size = [], 0
    while True:
        if time.monotonic() - start > p.timeout:
            raise _Transient(f"{p.timeout:g} 秒内没有收完返回内容（对方发送过慢）")
        chunk = resp.read1(CHUNK)
        if not chunk:
            break
        if inflate is not None:  # bounded, so a small compressed bomb cannot expand past the cap
            chunk = inflate.decompress(chunk, p.max_bytes - size + 1)
            if inflate.unconsumed_tail:
                size = p.max_bytes + 1
        size += len(chunk)
        if size > p.max_bytes:
            raise SourceError(f"返回内容超过上限 {p.max_bytes / MB:g} MB，已中止接收。")
        parts.append(chunk)
    return b"".join(parts)
