"""Webhooks against a real HTTP server on 127.0.0.1: formats, retries, configured URLs only."""
from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest

from models import notify
from models.rules import Finding

ALERT = {"id": 1, "rule": "hotline_surge", "subject": "hotline|供暖|411403", "level": 2, "state": "firing",
         "title": "睢阳区“供暖”类12345 工单激增", "message": "近 7 日 21 件，是常态的 42.0 倍。"}


class Server:
    """Answers from a script of (status, body) per request and records every request."""

    def __init__(self, script):
        self.script = list(script)
        self.requests: list[tuple[str, dict]] = []
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802
                body = self.rfile.read(int(self.headers["Content-Length"]))
                outer.requests.append((self.path, json.loads(body)))
                status, reply, *headers = outer.script.pop(0) if outer.script else (200, "{}")
                self.send_response(status)
                for k, v in (headers[0] if headers else {}).items():
                    self.send_header(k, v)
                self.send_header("Content-Type", "application/json")
                self.end_headers()
                self.wfile.write(reply.encode())

            def log_message(self, *args):
                pass

        self.httpd = HTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_port}"
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def close(self):
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture
def server(request):
    srv = Server(getattr(request, "param", []))
    yield srv
    srv.close()


FORMATS = [
    ("wecom", lambda b: b["msgtype"] == "markdown" and "Ⅱ级（橙色）" in b["markdown"]["content"]
     and "供暖" in b["markdown"]["content"]),
    ("dingtalk", lambda b: b["msgtype"] == "markdown" and b["markdown"]["title"] == "驾驶舱预警"
     and "供暖" in b["markdown"]["text"]),
    ("json", lambda b: b["count"] == 1 and b["alerts"][0]["subject"] == "hotline|供暖|411403"
     and b["alerts"][0]["level"] == 2),
]


@pytest.mark.parametrize("kind,check", FORMATS, ids=[f[0] for f in FORMATS])
def test_each_format_reaches_the_server_in_its_shape(server, kind, check):
    server.script = [(200, '{"errcode": 0, "errmsg": "ok"}')]
    result = notify.send([ALERT], {"targets": [{"kind": kind, "url": server.url + "/hook"}], "retries": 1})
    assert [r.ok for r in result] == [True]
    path, body = server.requests[0]
    assert path == "/hook" and check(body)


RETRIES = [
    # server answers, kind, delivered?, attempts
    ("a 500 then success is retried", [(500, "{}"), (200, "{}")], "json", True, 2),
    ("a robot errcode is retried", [(200, '{"errcode": 45009}'), (200, '{"errcode": 0}')], "wecom", True, 2),
    ("a 404 is final", [(404, "{}"), (200, "{}")], "json", False, 1),
    ("gives up after the retries", [(503, "{}")] * 3, "dingtalk", False, 3),
]


@pytest.mark.parametrize("name,script,kind,ok,attempts", RETRIES, ids=[r[0] for r in RETRIES])
def test_retries(server, name, script, kind, ok, attempts):
    server.script = list(script)
    d = notify.post(server.url, notify.payload(kind, [ALERT]), kind=kind, retries=3, backoff=0.01)
    assert (d.ok, d.attempts) == (ok, attempts)
    assert len(server.requests) == attempts


def test_a_redirect_is_not_followed(server):
    other = Server([(200, "{}")])
    try:
        server.script = [(302, "", {"Location": other.url + "/elsewhere"})]
        d = notify.post(server.url, notify.payload("json", [ALERT]), retries=2, backoff=0.01)
        assert not d.ok and other.requests == []
    finally:
        other.close()


def test_only_configured_urls_are_called_and_none_when_none_configured(server):
    change = {"id": 1, "from": None, "to": "firing",
              "finding": Finding("hotline_surge", "s", 2, "标题", "说明")}
    assert notify.send_changes([change], {"targets": []}) == []
    delivered = notify.send_changes([change], {"targets": [{"kind": "json", "url": server.url + "/a"}]})
    assert [d.url for d in delivered] == [server.url + "/a"]
    assert [p for p, _ in server.requests] == ["/a"]


def test_resolved_and_low_level_alerts_are_not_sent(server):
    changes = [{"id": 1, "from": "firing", "to": "resolved", "finding": None},
               {"id": 2, "from": None, "to": "firing", "finding": Finding("stale", "s", 4, "t", "m")}]
    assert notify.send_changes(changes, {"targets": [{"kind": "json", "url": server.url}], "min_level": 3}) == []
    assert server.requests == []


def test_unsupported_scheme_is_refused_without_a_request():
    d = notify.post("file:///etc/passwd", {"a": 1})
    assert not d.ok and d.attempts == 0 and "http" in d.error


def test_unknown_format_names_the_known_ones():
    with pytest.raises(ValueError, match="wecom, dingtalk, json"):
        notify.payload("sms", [ALERT])
