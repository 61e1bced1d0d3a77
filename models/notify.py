"""Webhook notification: 企业微信 and 钉钉 group robots, and a generic JSON, to configured URLs only.

One message per evaluation lists the alerts that started firing (or escalated), so a
broken endpoint costs at most `retries` x `timeout_seconds` per target, never one wait per alert.
Redirects are refused: a message goes to the URL in rules.toml [notify] and nowhere else.
"""
from __future__ import annotations

import json
import logging
import time
import urllib.error
import urllib.request
from dataclasses import dataclass

from cockpit.signals import LEVEL_NAMES as LEVEL_WORDS

log = logging.getLogger(__name__)
KINDS = ("wecom", "dingtalk", "json")
WECOM_COLOUR = {1: "warning", 2: "warning", 3: "comment", 4: "info"}


@dataclass
class Delivery:
    url: str
    kind: str
    ok: bool
    attempts: int
    error: str = ""


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, req, fp, code, msg, headers, newurl):  # noqa: ANN001
        raise urllib.error.HTTPError(req.full_url, code, f"redirect to {newurl} refused", headers, fp)


_opener = urllib.request.build_opener(_NoRedirect)


def _line(a: dict) -> str:
    level = LEVEL_WORDS.get(a.get("level"), "")
    return f"{level} {a['title']}：{a['message']}".strip()


def payload(kind: str, alerts: list[dict], title: str = "驾驶舱预警") -> dict:
    """The request body in the target's format. `alerts`: dicts with id, rule, level, title, message, state."""
    if kind == "wecom":
        lines = [f"**{title}**：新触发 {len(alerts)} 条"]
        for a in alerts[:10]:
            colour = WECOM_COLOUR.get(a.get("level"), "comment")
            lines.append(f"> <font color=\"{colour}\">{LEVEL_WORDS.get(a.get('level'), '')}</font> "
                         f"{a['title']}\n> {a['message']}")
        if len(alerts) > 10:
            lines.append(f"另有 {len(alerts) - 10} 条，请登录驾驶舱预警中心查看")
        # 企业微信 caps markdown at 4096 bytes.
        return {"msgtype": "markdown", "markdown": {"content": _clip("\n".join(lines), 4000)}}
    if kind == "dingtalk":
        lines = [f"### {title}：新触发 {len(alerts)} 条"] + [f"- {_line(a)}" for a in alerts[:10]]
        if len(alerts) > 10:
            lines.append(f"- 另有 {len(alerts) - 10} 条，请登录驾驶舱预警中心查看")
        return {"msgtype": "markdown", "markdown": {"title": title, "text": _clip("\n".join(lines), 4000)}}
    if kind == "json":
        return {"source": "shangqiu-cockpit", "title": title, "count": len(alerts),
                "alerts": [{k: a.get(k) for k in ("id", "rule", "subject", "level", "state", "title", "message",
                                                  "indicator_code", "region_code", "task_number", "value",
                                                  "threshold")} for a in alerts]}
    raise ValueError(f"未知的通知格式：{kind}（可用：{', '.join(KINDS)}）")


def _clip(text: str, limit: int) -> str:
    raw = text.encode("utf-8")
    return text if len(raw) <= limit else raw[:limit].decode("utf-8", "ignore") + "…"


def post(url: str, body: dict, *, kind: str = "json", retries: int = 3, timeout: float = 5.0,
         backoff: float = 0.5) -> Delivery:
    """POST JSON with retries on network errors, 5xx and robot error codes; 4xx is final."""
    if not url.startswith(("http://", "https://")):
        return Delivery(url, kind, False, 0, "只支持 http/https 地址")
    data = json.dumps(body, ensure_ascii=False).encode("utf-8")
    error = ""
    for attempt in range(1, max(retries, 1) + 1):
        req = urllib.request.Request(url, data=data, method="POST",
                                     headers={"Content-Type": "application/json; charset=utf-8"})
        try:
            with _opener.open(req, timeout=timeout) as resp:
                text = resp.read().decode("utf-8", "replace")
            if kind in ("wecom", "dingtalk"):
                # Robots answer 200 with {"errcode": n} on errors such as rate limits.
                code = json.loads(text or "{}").get("errcode", 0)
                if code != 0:
                    error = f"errcode {code}: {text[:200]}"
                    raise _Retry()
            return Delivery(url, kind, True, attempt)
        except _Retry:
            pass
        except urllib.error.HTTPError as e:
            error = f"HTTP {e.code}"
            if 400 <= e.code < 500 or 300 <= e.code < 400:
                return Delivery(url, kind, False, attempt, error)
        except (urllib.error.URLError, TimeoutError, OSError, ValueError) as e:
            error = str(getattr(e, "reason", e))
        if attempt < retries:
            time.sleep(backoff * 2 ** (attempt - 1))
    log.warning("webhook %s failed after %d attempts: %s", url, retries, error)
    return Delivery(url, kind, False, retries, error)


def send(alerts: list[dict], cfg: dict) -> list[Delivery]:
    """Send to every configured target whose level filter matches; nothing when none configured."""
    out = []
    min_level = int(cfg.get("min_level", 4))
    chosen = [a for a in alerts if a.get("level") is None or a["level"] <= min_level]
    if not chosen:
        return out
    for target in cfg.get("targets", []):
        kind = target.get("kind", "json")
        out.append(post(target["url"], payload(kind, chosen), kind=kind,
                        retries=int(cfg.get("retries", 3)), timeout=float(cfg.get("timeout_seconds", 5))))
    return out


def send_changes(changes: list[dict], cfg: dict) -> list[Delivery]:
    """From alert_store.apply's transitions: those that start firing."""
    firing = []
    for c in changes:
        f = c.get("finding")
        if c["to"] == "firing" and f is not None:
            firing.append({"id": c["id"], "rule": f.rule, "subject": f.subject, "level": f.level,
                           "state": "firing", "title": f.title, "message": f.message,
                           "indicator_code": f.indicator_code, "region_code": f.region_code,
                           "task_number": f.task_number, "value": f.value, "threshold": f.threshold})
    if not firing or not cfg.get("targets"):
        return []
    return send(firing, cfg)


class _Retry(Exception):
    pass
