"""kind = "http": JSON or CSV/xlsx from an HTTP API or a portal (the statistics bureau, the 12345 system,
an open-data portal), through connectors.web (allowlist, timeouts, retries, size cap).

- A CSV or xlsx file without a field mapping is handed over whole and read exactly as an upload
  (`layout` says which upload layout it must be: long, wide, task or records).
- JSON: `records` is the dotted path to the list of records in each answer, `fields` maps our
  columns to dotted paths in a record. Pages follow by page number, by offset, or by a next link
  (`next_path` in the answer, else the Link header); every next link is checked like a redirect.
- Incremental: `watermark` is the path of a record's change time and `watermark_param` the query
  parameter that sends the newest one already read.
"""
from __future__ import annotations

import base64
import copy
import json
import math
import re
from collections.abc import Iterable
from urllib.parse import urljoin

import pandas as pd

from cockpit import datum
from cockpit.datasets import DATASET_COLUMNS
from cockpit.uploads.messages import Rejected
from cockpit.uploads.parse import read as read_workbook

from . import mapping
from .base import Connector, Dataset, File, Option, SourceError, register
from .web import MB, Answer, Client, Policy

LAYOUTS = ("long", "wide", "task", "records")
PAGINATION = ("none", "page", "offset", "next")
HEADER_ROWS = 20  # how far below a title an exported table's header may sit
_LINK_NEXT = re.compile(r'<([^>]+)>\s*;\s*rel="?next"?')


def web_options() -> dict[str, Option]:
    """What every kind that talks HTTP shares (http, cap)."""
    return {
        "allow_hosts": Option("另外允许访问的主机（主机名、主机名:端口、IP 或网段）", list, []),
        "timeout_seconds": Option("一次请求的总时限（秒）", float, 30.0, above=0),
        "connect_timeout_seconds": Option("连接时限（秒）", float, 10.0, above=0),
        "retries": Option("失败重试次数", int, 2, minimum=0),
        "backoff_seconds": Option("首次重试前等待（秒，之后每次加倍）", float, 1.0, minimum=0),
        "max_mb": Option("单次返回内容上限（MB）", float, 20.0, above=0),
        "ca_file": Option("内网证书颁发机构文件（https）", str, None),
        "headers": Option("附加请求头（不得放密码或令牌）", dict, {}),
        "username": Option("用户名（HTTP 基本认证）", str, None),
        "password": Option("密码（HTTP 基本认证）", str, None, secret=True),
        "token": Option("访问令牌", str, None, secret=True),
        "token_header": Option("令牌所在的请求头", str, "Authorization"),
        "token_prefix": Option("令牌前缀", str, "Bearer "),
    }


def client(c: Connector, url: str) -> Client:
    v = c.values
    headers = {str(k): str(val) for k, val in (v["headers"] or {}).items()}
    if v.get("username") is not None:
        pair = f"{v['username']}:{v.get('password') or ''}".encode()
        headers["Authorization"] = "Basic " + base64.b64encode(pair).decode()
    if v.get("token") and not v.get("token_field"):
        headers[v["token_header"]] = f"{v['token_prefix']}{v['token']}"
    if not 0 <= v["retries"] <= 10:
        raise ValueError("retries 应在 0—10 之间")
    return Client(url, Policy(allow=[str(a) for a in v["allow_hosts"]], timeout=v["timeout_seconds"],
                              connect_timeout=v["connect_timeout_seconds"], retries=v["retries"],
                              backoff=v["backoff_seconds"], max_bytes=int(v["max_mb"] * MB), ca_file=v["ca_file"],
                              headers=headers))


@register
class HttpConnector(Connector):
    kind = "http"
    title = "HTTP 接口"
    options = {
        "url": Option("地址（http 或 https）", str, required=True),
        "format": Option("格式：json、csv 或 xlsx", str, "json"),
        "dataset": Option("数据集", str, None),
        "layout": Option("文件格式（csv/xlsx 不映射时）：long、wide、task 或 records", str, None),
        "records": Option("JSON 中记录列表的路径（如 data.items）", str, None),
        "fields": Option("字段映射：本系统的列 = 记录中的路径", dict, {}),
        "coordinates": mapping.COORDINATES,
        "values": Option("代码对照：本系统的列 = { 来源的代码 = 本系统的写法 }", dict, {}),
        "params": Option("固定的查询参数", dict, {}),
        "method": Option("请求方式：GET 或 POST（POST 时页码、条数和增量参数写入 JSON 请求体）", str, "GET"),
        "body": Option("POST 的 JSON 请求体（固定的查询条件，不得放密码或令牌；参数名可带点表示嵌套，如 page.num）", dict, {}),
        "token_field": Option("令牌放在 POST 请求体中的位置（如 appSecret，代替请求头）", str, None),
        "paginate": Option("分页方式：none、page、offset 或 next", str, "none"),
        "page_param": Option("页码参数名", str, "page"),
        "page_start": Option("第一页的页码", int, 1),
        "size_param": Option("每页条数参数名", str, None),
        "page_size": Option("每页条数", int, None),
        "offset_param": Option("偏移参数名", str, "offset"),
        "limit_param": Option("条数参数名", str, "limit"),
        "next_path": Option("JSON 中下一页地址的路径（不填则看 Link 头）", str, None),
        "max_pages": Option("最多读取页数", int, 1000),
        "total_path": Option("JSON 中记录总数的路径（如 data.total；读够即停）", str, None),
        "success_codes": Option("接口表示成功的代码（如 [\"20000\"]；不填则认 0、200 等常见写法）", list, []),
        # An API gateway's own login: a key and a secret exchanged for a token at each pull.
        "login_url": Option("取令牌的地址（每次拉取前以 POST 提交 JSON 换取令牌）", str, None),
        "login_body": Option("取令牌时提交的 JSON（如 appKey；不得放密钥）", dict, {}),
        "login_secret": Option("取令牌用的密钥", str, None, secret=True),
        "login_secret_field": Option("密钥在取令牌 JSON 中的位置（如 appSecret）", str, None),
        "login_token_path": Option("取令牌返回中令牌的路径（如 data.token）", str, None),
        "watermark": Option("记录中变更时间的路径（增量拉取）", str, None),
        "watermark_param": Option("发送上次最新变更时间的查询参数", str, None),
        **web_options(),
    }

    def __init__(self, **values):
        super().__init__(**values)
        v = self.values
        if v["format"] not in ("json", "csv", "xlsx"):
            raise ValueError(f"format 应为 json、csv 或 xlsx，现为“{v['format']}”")
        if v["paginate"] not in PAGINATION:
            raise ValueError(f"paginate 应为 {'、'.join(PAGINATION)}，现为“{v['paginate']}”")
        v["method"] = str(v["method"]).upper()
        if v["method"] not in ("GET", "POST"):
            raise ValueError(f"method 应为 GET 或 POST，现为“{v['method']}”")
        if v["body"] and v["method"] != "POST":
            raise ValueError("body（请求体）只用于 method = \"POST\"")
        if v["token_field"] and v["method"] != "POST":
            raise ValueError("token_field（令牌在请求体中的位置）只用于 method = \"POST\"")
        if v["method"] == "POST" and v["paginate"] == "next":
            raise ValueError("分页方式 next 按下一页地址读取，只用于 GET；POST 请用 page 或 offset")
        if v["layout"] is not None and v["layout"] not in LAYOUTS:
            raise ValueError(f"layout 应为 {'、'.join(LAYOUTS)}，现为“{v['layout']}”")
        if v["dataset"] is not None and v["dataset"] not in DATASET_COLUMNS:
            raise ValueError(f"未知的数据集“{v['dataset']}”，可用：{'、'.join(DATASET_COLUMNS)}")
        whole_file = v["format"] != "json" and not v["fields"]
        if not whole_file and v["dataset"] is None:
            raise ValueError("请用 dataset 指明数据集（如 hotline_tickets）")
        if v["fields"] and v["dataset"]:
            mapping.normalise_mapping(v["dataset"], v["fields"])
        if v["values"]:
            if not v["fields"] and v["format"] != "json":
                raise ValueError("values（代码对照）只用于映射的字段：csv/xlsx 不映射时按上传模板读取，请在文件中写本系统的写法")
            mapping.normalise_values(v["dataset"], v["values"])
        datum.check(v["coordinates"])
        self.success = {str(c).strip() for c in v["success_codes"]}
        if v["login_url"] and not (v["login_token_path"] and v["login_secret_field"]):
            raise ValueError("login_url（取令牌）须同时写明 login_secret_field（密钥的位置）和 login_token_path（令牌的路径）")
        if v["login_url"] and v.get("token"):
            raise ValueError("令牌或取自环境变量（token_env），或每次拉取时取得（login_url），只能选一种")
        self.client = client(self, v["url"])
        for url in filter(None, (v["url"], v["login_url"])):  # a bad address is refused when the file is read
            self.client.target(url, resolve=False)

    def read(self) -> Iterable[Dataset | File]:
        v = self.values
        if v["login_url"]:
            v["token"] = self._login()
            if not v["token_field"]:
                self.client.policy.headers[v["token_header"]] = f"{v['token_prefix']}{v['token']}"
        paging = {}  # what a request says besides the fixed settings: the watermark, later the page
        since = self.watermarks.get(v["dataset"]) if v["dataset"] else None
        if v["watermark_param"] and since is not None:
            paging[v["watermark_param"]] = since if isinstance(since, (int, float)) else str(since)
        if v["format"] != "json":
            answer = self._request(paging)
            if not v["fields"]:
                name = v["url"].split("?", 1)[0].rstrip("/").rsplit("/", 1)[-1] or f"download.{v['format']}"
                yield File(name if "." in name else f"{name}.{v['format']}", answer.body)
                return
            yield self._table(answer.body)
            return
        yield self._json(paging)

    def _login(self) -> str:
        """The token the gateway gives for the key in `login_body` and the secret from the environment."""
        v = self.values
        body = copy.deepcopy(v["login_body"] or {})
        _put(body, v["login_secret_field"], v.get("login_secret") or "")
        doc = _json(self.client.get(v["login_url"], json_body=body).body)
        token = mapping.dotted(doc, v["login_token_path"])
        if isinstance(token, str) and token.strip():
            return token.strip()
        failed, said = _said(doc, self.success)
        why = f"接口返回了错误（{said}）" if failed and said else f"返回中找不到令牌“{v['login_token_path']}”"
        raise SourceError(f"取令牌失败：{why}；请核对 login_body、login_secret_env 指定的环境变量和 login_token_path。")

    def _request(self, paging: dict) -> Answer:
        """One request to the configured address: the fixed `params` and `paging` in the query of a GET,
        or `paging` set into the JSON `body` of a POST (numbers stay numbers there; a.b nests)."""
        v = self.values
        params = {str(k): str(val) for k, val in (v["params"] or {}).items()}
        if v["method"] == "GET":
            return self.client.get(v["url"], {**params, **{k: str(val) for k, val in paging.items()}})
        body = copy.deepcopy(v["body"] or {})
        secret = {v["token_field"]: v["token"]} if v["token_field"] and v.get("token") else {}
        for name, value in {**paging, **secret}.items():
            _put(body, name, value)
        return self.client.get(v["url"], params, json_body=body)

    def _table(self, data: bytes) -> Dataset:
        """A CSV or xlsx answer with its own column names, mapped by `fields` (read safely, as an upload)."""
        try:
            sheet = read_workbook(data, f"answer.{self.values['format']}", int(self.values["max_mb"] * MB)).sheets[0]
        except Rejected as exc:
            raise SourceError(exc.reason) from None
        rows = sheet.rows
        wanted = set(self.values["fields"].values())  # the header: the first row naming every mapped column
        at = next((i for i, r in enumerate(rows[:HEADER_ROWS]) if wanted <= {str(c).strip() for c in r if c is not None}), 0)
        header = [str(c).strip() if c is not None else "" for c in (rows[at] if rows else [])]
        frame = pd.DataFrame(rows[at + 1:], columns=header) if header else pd.DataFrame()
        out, used = mapping.map_columns(frame, self.values["dataset"], self.values["fields"], self.values["values"])
        return Dataset(self.values["dataset"], out, {"columns": used})

    def _json(self, paging: dict) -> Dataset:
        v = self.values
        records: list = []
        marks: list = []
        url, seen, last = v["url"], set(), None
        page = v["page_start"]
        for n in range(v["max_pages"] + 1):
            if n == v["max_pages"]:
                raise SourceError(f"分页读取超过 {v['max_pages']} 页仍未结束，已中止（可调大 max_pages）。")
            ask = dict(paging)
            if v["paginate"] == "page":
                ask[v["page_param"]] = page
                if v["size_param"] and v["page_size"]:
                    ask[v["size_param"]] = v["page_size"]
            elif v["paginate"] == "offset":
                ask[v["offset_param"]] = len(records)
                ask[v["limit_param"]] = v["page_size"] or 100
            answer = self._request(ask) if url == v["url"] else self.client.get(url)  # a next link has its own query
            doc = _json(answer.body, answer.headers)
            batch = _records(doc, v["records"], self.success)
            total = _count(mapping.dotted(doc, v["total_path"])) if v["total_path"] else None
            if batch and batch == last:  # past the end, some systems send the last page again
                if total is not None and len(records) < total:
                    raise SourceError(f"第 {page} 页与上一页相同，而接口说共有 {total:,} 条、只读到 {len(records):,} 条："
                                      "翻页参数似乎未生效，请核对 page_param、size_param 或 offset_param。")
                break
            records += batch
            if v["watermark"]:
                marks += [mapping.dotted(r, v["watermark"]) for r in batch]
            if v["paginate"] in ("page", "offset"):
                if (not batch or (v["page_size"] and len(batch) < v["page_size"])
                        or (total is not None and len(records) >= total)):
                    break
                page, last = page + 1, batch
            elif v["paginate"] == "next":
                link = _next_link(doc, answer.headers, v["next_path"])
                if not link:
                    break
                url = urljoin(answer.url, link)
                if url in seen:
                    raise SourceError("下一页地址与已读过的页相同（分页循环），已中止。")
                seen.add(url)
            else:
                break
        frame, used = mapping.map_records(records, v["dataset"], v["fields"], v["values"])
        meta = {"columns": used, **({"marks": marks} if v["watermark"] else {})}
        if (mark := mapping.newest(marks)) is not None:
            meta["watermark"] = mark
        return Dataset(v["dataset"], frame, meta)


def _put(body: dict, name: str, value) -> None:
    """Set `value` into a JSON body at `name` (a.b nests)."""
    *outer, last = name.split(".")
    for part in outer:
        if not isinstance(body.get(part), dict):
            body[part] = {}
        body = body[part]
    body[last] = value


def _count(total) -> int | None:
    """The record count an answer states (a number, or a number as text), else None."""
    if isinstance(total, str) and total.strip().isdigit():
        return int(total)
    number = isinstance(total, (int, float)) and not isinstance(total, bool) and math.isfinite(total)
    return int(total) if number else None


def _json(body: bytes, headers: dict | None = None):
    """JSON in UTF-8 (what nearly every system sends, whatever its header says), else in the charset
    the header declares, else in GBK (older systems, with no charset said)."""
    charset = _CHARSET.search((headers or {}).get("content-type", ""))
    text = None
    for encoding in ("utf-8-sig", charset.group(1) if charset else None, "gb18030"):
        try:
            text = body.decode(encoding) if encoding else None
        except (UnicodeDecodeError, LookupError):
            continue
        if text is not None:
            break
    if text is None:
        raise SourceError("返回的内容既不是 UTF-8 也不是 GBK 编码的 JSON。")
    try:
        return json.loads(text.lstrip("\ufeff"))
    except json.JSONDecodeError as exc:
        if not text.strip():
            raise SourceError("接口返回了空内容（不是 JSON）：请核对地址和查询参数。") from None
        if text.lstrip()[:1] == "<":  # a login page or a gateway's error page, not the data
            raise SourceError("接口返回的是网页（HTML），不是 JSON：可能是登录页或网关的错误页，请核对地址、令牌和账号。") from None
        raise SourceError(f"返回的内容不是有效的 JSON（第 {exc.lineno} 行第 {exc.colno} 列起无法解读）。") from None
    except RecursionError:
        raise SourceError("返回的 JSON 嵌套层数过多，不像数据接口的答复，已拒收。") from None


_CHARSET = re.compile(r"charset\s*=\s*[\"']?([\w.:-]+)", re.I)
# How the answers of the city's systems say that a call failed while HTTP says 200 ({"code": 401, "msg": …}).
CODE_KEYS = ("code", "errcode", "errCode", "resultCode", "retCode", "errno", "error_code", "status")
MESSAGE_KEYS = ("msg", "message", "errmsg", "errMsg", "errorMsg", "error_msg", "resultMsg", "retMsg",
                "error_description", "error", "detail", "info")
SUCCESS_CODES = {"0", "00", "000", "0000", "00000", "200", "success", "ok", "true"}


def _records(doc, path: str | None, success: set[str]) -> list:
    """The list of records in one answer. An empty list written as null is empty; an answer that says
    it failed ({"code": 401, "msg": "令牌已过期"}) with no records is refused with what it says (a page
    that failed is not the end of the list). Records with a code we do not know as success are data."""
    found = mapping.json_text(doc if not path else mapping.dotted(doc, path))
    if isinstance(found, list) and found:
        return found
    failed, said = _said(doc, success)
    if failed:
        raise SourceError(f"接口返回了错误（{said}），没有给出记录。")
    if found is None or isinstance(found, list):
        return []
    also = f"接口说：{said}。" if said else ""
    if found is mapping.MISSING:
        keys = "、".join(sorted(doc)[:20]) if isinstance(doc, dict) else _json_kind(doc)
        raise SourceError(f"返回的 JSON 中找不到记录列表“{path}”（顶层有：{keys}）；{also}可能是接口改了结构，请核对 sources.toml。")
    raise SourceError(f"返回的 JSON 中“{path or '顶层'}”不是记录列表（是{_json_kind(found)}）。{also}")


def _json_kind(value) -> str:
    """A JSON value's kind as the operator reads it ("是 dict" was Python's word)."""
    if isinstance(value, bool):
        return "真假值"
    return {dict: "对象（键值表）", str: "文字", int: "数字", float: "数字", type(None): "空值"}.get(type(value), "其他值")


def _said(doc, success: set[str] | None = None) -> tuple[bool, str]:
    """(whether the answer says it failed, what it says: its code and message). `success`: the codes
    this system means success by (success_codes), else the common ones; "success": true is success."""
    if not isinstance(doc, dict):
        return False, ""
    code = next(((k, doc[k]) for k in CODE_KEYS if isinstance(doc.get(k), (str, int)) and not isinstance(doc[k], bool)), None)
    message = next((str(doc[k]).strip()[:200] for k in MESSAGE_KEYS if isinstance(doc.get(k), (str, int))
                    and str(doc[k]).strip()), "")
    ok = {c.lower() for c in success} if success else SUCCESS_CODES
    failed = doc.get("success") is False or (doc.get("success") is not True and code is not None
                                             and str(code[1]).strip().lower() not in ok)
    parts = ([f"{code[0]} = {code[1]}"] if code else []) + ([f"“{message}”"] if message else [])
    return failed, "，".join(parts)


def _next_link(doc, headers: dict, path: str | None) -> str | None:
    if path:
        link = mapping.dotted(doc, path)
        return link if isinstance(link, str) and link.strip() else None
    m = _LINK_NEXT.search(headers.get("link", ""))
    return m.group(1) if m else None
