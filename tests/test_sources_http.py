"""HTTP sources against a real server the tests start (tests/fixtures/peers.py): pagination, dotted
field mapping, the long CSV of the upload template, incremental pulls, and every failure mode a
city's systems show. A failed pull writes nothing, keeps the previous data, and says why in Chinese."""
from __future__ import annotations

import io
import json
import logging
import re
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from sqlalchemy import select

from cockpit import schema as s
from connectors.base import SourceError
from service import sources as S
from service.sources_run import pull
from tests.conftest import make_store
from tests.fixtures.peers import TICKET_FIELDS, TOKEN, Peer, free_port, stored, write_sources


@pytest.fixture
def store(tmp_path):
    st = make_store("sqlite", tmp_path)
    st.init()
    yield st
    st.engine.dispose()


@pytest.fixture(scope="module")
def peer():
    with Peer() as p:
        yield p


def fields() -> str:
    return "{ " + ", ".join(f'{k} = "{v}"' for k, v in TICKET_FIELDS.items()) + " }"


def http_source(peer, path: str, **extra) -> str:
    settings = {"url": f'"{peer.url}{path}"', "dataset": '"hotline_tickets"', "records": '"data.items"',
                "fields": fields(), "allow_hosts": f'["127.0.0.1:{peer.port}"]', "retries": 1,
                "backoff_seconds": 0.05, "timeout_seconds": 2, **extra}
    lines = [f"{k} = {v}" for k, v in settings.items() if v is not None]  # None: a setting left out
    return "[sources.hotline]\nkind = \"http\"\ntitle = \"12345 热线接口\"\n" + "\n".join(lines) + "\n"


def run(store, tmp_path, body: str, environ: dict | None = None):
    config = S.load(write_sources(tmp_path / "sources.toml", body), environ)
    (out,) = pull(store, config, list(config.sources), environ)
    return out


def tickets_in(store) -> dict:
    frame = store.frame(s.hotline_tickets.select())
    return dict(zip(frame.source_key, frame.status))


def test_pages_by_number_come_in_whole_and_mapped_by_dotted_paths(store, tmp_path, peer):
    out = run(store, tmp_path, http_source(peer, "/api/tickets", paginate='"page"', page_size=3,
                                           size_param='"size"'))
    assert out.ok and out.status == "written" and out.rows == 7, out.message
    got = store.frame(s.hotline_tickets.select().order_by(s.hotline_tickets.c.source_key))
    assert got.source_key.tolist() == [f"SQ{i:07d}" for i in range(7)]
    assert got.region_code.tolist()[:3] == ["411481", "411402", "411403"]  # 永城市, 梁园区, a code
    assert set(got.origin) == {"hotline"}
    assert [q["page"] for p, q, _ in peer.queries if p == "/api/tickets"][-3:] == ["1", "2", "3"]


def test_a_second_pull_of_the_same_records_stores_nothing(store, tmp_path, peer):
    body = http_source(peer, "/api/tickets", paginate='"page"', page_size=3)
    run(store, tmp_path, body)
    before = stored(store)
    out = run(store, tmp_path, body)
    assert out.ok and out.status == "unchanged" and "相同，未写入" in out.message
    assert stored(store) == before


def test_offset_pages_and_next_links_are_followed(store, tmp_path, peer):
    out = run(store, tmp_path, http_source(peer, "/api/offset", paginate='"offset"', page_size=3,
                                           records='""'))
    assert out.ok and out.rows == 7, out.message
    out = run(store, tmp_path, http_source(peer, "/api/next/1", paginate='"next"', records='"data"',
                                           next_path='"links.next"'))
    assert out.ok and out.status == "unchanged" and out.rows == 7, out.message  # the same seven tickets


def test_the_issue_s_five_line_csv_source_imports_the_long_template(store, tmp_path, peer):
    body = (f'[sources.stats_bureau]\nkind = "http"\nurl = "{peer.url}/monthly.csv"\nformat = "csv"\n'
            f'dataset = "observations"\nlayout = "long"\nallow_hosts = ["127.0.0.1:{peer.port}"]\n')
    out = run(store, tmp_path, body)
    assert out.ok and out.status == "written", out.message
    obs = store.observations(indicators=["RETAIL"])
    assert sorted(obs.value) == [5.2, 123.4]
    assert store.batches().iloc[0].source == "http"


def test_a_token_comes_from_the_environment_and_is_never_shown(store, tmp_path, peer, caplog):
    body = http_source(peer, "/auth", token_env='"HOTLINE_TOKEN"')
    caplog.set_level(logging.DEBUG)
    out = run(store, tmp_path, body, environ={"HOTLINE_TOKEN": TOKEN})
    assert out.ok and out.written == 2, out.message
    wrong = run(store, tmp_path, body, environ={"HOTLINE_TOKEN": "wrong"})
    assert not wrong.ok and "HTTP 401" in wrong.message and "令牌" in wrong.message
    missing = run(store, tmp_path, body, environ={})
    assert not missing.ok and "环境变量 HOTLINE_TOKEN 未设置" in missing.message
    runs = S.runs(store)
    assert TOKEN not in caplog.text and not runs.message.str.contains(TOKEN).any()


def test_an_incremental_pull_sends_the_newest_change_time_already_read(store, tmp_path, peer):
    body = http_source(peer, "/api/tickets", paginate='"page"', page_size=3, watermark='"updated"',
                       watermark_param='"since"')
    run(store, tmp_path, body)
    assert S.watermarks(store, "hotline")["hotline_tickets"] == "2026-11-20T08:00:00"
    run(store, tmp_path, body)
    assert peer.queries[-1][1]["since"] == "2026-11-20T08:00:00"


def test_a_transient_error_is_retried_with_back_off(store, tmp_path, peer):
    out = run(store, tmp_path, http_source(peer, "/flaky", retries=2))
    assert out.ok and out.written == 2 and peer.hits["/flaky"] == 2, out.message


def test_a_redirect_on_the_allowlist_is_followed(store, tmp_path, peer):
    out = run(store, tmp_path, http_source(peer, "/redirect-ok"))
    assert out.ok and out.rows == 3, out.message


FAILURES = [
    # what goes wrong, path (None: the server is down), extra settings, words the message must hold
    ("server down", None, {}, "无法连接"),
    ("HTTP 500 after bounded retries", "/500", {}, "服务器错误（HTTP 500，http://127.0.0.1:"),  # names the address
    ("timeout", "/timeout", {"timeout_seconds": 1}, "超时"),
    ("slow drip", "/drip", {"timeout_seconds": 1.5, "retries": 0}, "过慢"),
    ("invalid JSON", "/invalid-json", {}, "不是有效的 JSON"),
    ("a login page where JSON was due", "/login-page", {}, "接口返回的是网页（HTML），不是 JSON：可能是登录页"),
    ("an empty answer", "/empty-200", {}, "接口返回了空内容"),
    ("schema drift: a renamed field", "/drift", {}, "没有“type”（诉求类别）"),
    ("wrong password", "/auth", {"username": '"hotline"', "password_env": '"HOTLINE_PW"'}, "HTTP 401"),
    ("oversized by its declared length", "/big", {"max_mb": 1}, "超过上限 1 MB"),
    ("oversized as it streams", "/endless", {"max_mb": 1}, "超过上限 1 MB"),
    ("a compressed answer that expands past the cap", "/gzip-bomb", {"max_mb": 1}, "超过上限 1 MB"),
    ("redirect off the allowlist", "/redirect-metadata", {}, "169.254.169.254"),
    ("a next link off the allowlist", "/next-off", {"paginate": '"next"', "records": '"data"',
                                                    "next_path": '"links.next"'}, "169.254.169.254"),
    ("records path missing", "/api/tickets", {"records": '"result.rows"'}, "找不到记录列表“result.rows”"),
    ("JSON nested a hundred thousand deep", "/deep", {}, "嵌套层数过多"),
    ("HTTP 200 saying the token expired", "/expired", {}, "接口返回了错误（code = 401，“token已过期”）"),
]


@pytest.mark.parametrize("what,path,extra,words", FAILURES, ids=[f[0] for f in FAILURES])
def test_a_failing_source_keeps_the_previous_data_and_says_why(store, tmp_path, peer, what, path, extra, words):
    run(store, tmp_path, http_source(peer, "/api/tickets", paginate='"page"', page_size=3))  # the data before
    before, tickets = stored(store), tickets_in(store)
    if path is None:
        port = free_port()
        body = http_source(peer, "/x", **extra).replace(f"127.0.0.1:{peer.port}", f"127.0.0.1:{port}")
    else:
        body = http_source(peer, path, **extra)
    out = run(store, tmp_path, body, environ={"HOTLINE_PW": "wrong"})
    assert not out.ok and out.status == "failed"
    assert words in out.message and "原有数据不变" in out.message, out.message
    assert stored(store) == before and tickets_in(store) == tickets
    state = S.states(store).set_index("source").loc["hotline"]
    assert state.last_error == out.message and state.last_success_at is not None  # the earlier success stays
    if path == "/500":
        assert peer.hits["/500"] % 2 == 0  # one try and one retry (retries = 1), every time


# ---- answers as the city's systems really write them ------------------------------------------------
JAVA_FIELDS = ('{ source_key = "gdbh", created_at = "slsj", region_code = "xzqh", category = "sqlb", '
               'channel = "qd", status = "zt", due_at = "blsx", closed_at = "bjsj", satisfaction = "myd" }')
CODES = '{ status = { "1" = "办理中", "3" = "已办结" }, satisfaction = { "1" = "满意", "2" = "不满意" } }'
MS = 1764300000000  # 2025-11-28 03:20 UTC: 11:20 in China


def java_ticket(i: int, **over) -> dict:
    """A ticket as a Java system's JSON writes it: times as Unix milliseconds (or seconds, as text),
    the county as the 12-digit division code, the state and the rating as codes."""
    done = i % 2 == 1
    t = {"gdbh": f"J{i:04d}", "slsj": MS + i * 3_600_000, "xzqh": "411402000000", "sqlb": "供暖", "qd": "电话",
         "zt": 3 if done else "1", "blsx": str((MS + i * 3_600_000) // 1000 + 5 * 86400),
         "bjsj": MS + (i + 20) * 3_600_000 if done else None, "myd": 1 if done else None}
    return {**t, **over}


def java_source(peer, path: str, **extra) -> str:
    return http_source(peer, path, **{"records": '"data.records"', "fields": JAVA_FIELDS, "values": CODES, **extra})


def test_a_java_system_s_times_division_codes_and_state_codes_are_read(store, tmp_path, peer):
    peer.json("/api/java", {"code": 200, "msg": "操作成功",
                            "data": {"records": [java_ticket(i) for i in range(4)], "total": 4}})
    out = run(store, tmp_path, java_source(peer, "/api/java"))
    assert out.ok and out.written == 4, out.message
    got = store.frame(s.hotline_tickets.select().order_by(s.hotline_tickets.c.source_key))
    assert [str(t) for t in got.created_at[:2]] == ["2025-11-28 11:20:00", "2025-11-28 12:20:00"]  # China time
    assert str(got.due_at[0]) == "2025-12-03 11:20:00"  # ten digits as text: seconds
    assert set(got.region_code) == {"411402"}  # 411402000000 is 梁园区
    assert got.status.tolist() == ["办理中", "已办结", "办理中", "已办结"]
    assert got.satisfaction.tolist()[1] == "满意" and pd.isna(got.satisfaction[0])


def test_a_code_the_table_does_not_hold_is_refused_by_its_value(store, tmp_path, peer):
    before = stored(store)
    peer.json("/api/java-new-code", {"code": 0, "data": {"records": [java_ticket(0), java_ticket(1, zt=9)]}})
    out = run(store, tmp_path, java_source(peer, "/api/java-new-code"))
    assert not out.ok and "第2行/zt（办理状态，代码按 sources.toml 的 values 对照）：“9”办理状态应为 办理中、已办结" \
        in out.message and "整批未导入" in out.message, out.message
    assert stored(store) == before


@pytest.mark.parametrize("doc,words", [
    ({"code": 401, "msg": "token已过期，请重新登录", "data": None}, "接口返回了错误（code = 401，“token已过期，请重新登录”）"),
    ({"success": False, "message": "参数 startTime 格式错误"}, "“参数 startTime 格式错误”"),
    ({"errcode": 40001, "errmsg": "invalid credential"}, "errcode = 40001"),
    ({"code": "0000", "msg": "成功", "result": {"rows": []}}, "找不到记录列表“data.records”（顶层有：code、msg、result）；接口说：code = 0000，“成功”"),
    ({"code": 0, "data": {"records": {"gdbh": "J1"}}}, "不是记录列表（是对象（键值表））"),
], ids=["code and msg", "success false", "errcode", "another path", "an object, not a list"])
def test_an_answer_that_says_it_failed_is_refused_with_what_it_says(store, tmp_path, peer, doc, words):
    peer.json("/api/java-before", {"code": 0, "data": {"records": [java_ticket(0)]}})
    assert run(store, tmp_path, java_source(peer, "/api/java-before")).ok
    before, tickets = stored(store), tickets_in(store)
    peer.json("/api/java-failed", doc)
    out = run(store, tmp_path, java_source(peer, "/api/java-failed"))
    assert not out.ok and words in out.message and "原有数据不变" in out.message, out.message
    assert stored(store) == before and tickets_in(store) == tickets


def test_an_empty_list_written_as_null_is_a_pull_with_nothing_new(store, tmp_path, peer):
    peer.json("/api/java-empty", {"code": 200, "msg": "查询成功", "data": {"records": None, "total": 0}})
    before = stored(store)
    out = run(store, tmp_path, java_source(peer, "/api/java-empty"))
    assert out.ok and out.rows == 0, out.message
    assert stored(store) == before


def test_a_gbk_answer_with_its_data_as_a_json_string_inside_is_read(store, tmp_path, peer):
    inner = json.dumps({"records": [java_ticket(0, sqlb="噪声扰民")]}, ensure_ascii=False)
    body = json.dumps({"code": 0, "data": inner}, ensure_ascii=False).encode("gbk")
    peer.routes["/api/gbk"] = lambda req, q: (200, {"Content-Type": "application/json"}, body)  # no charset said
    out = run(store, tmp_path, java_source(peer, "/api/gbk"))
    assert out.ok and out.written == 1, out.message
    assert store.frame(s.hotline_tickets.select()).category.tolist() == ["噪声扰民"]


@pytest.mark.parametrize("values,words", [
    ('{ state = { "1" = "办理中" } }', "values 中有数据集 hotline_tickets 没有的列：state"),
    ('{ status = "已办结" }', "values 中 status 应写成代码对照表"),
    ('{ status = {} }', "values 中 status 应写成代码对照表"),
])
def test_a_mistaken_code_table_is_refused_by_name_when_the_file_is_read(tmp_path, peer, values, words):
    body = http_source(peer, "/api/java", records='"data.records"', fields=JAVA_FIELDS, values=values)
    with pytest.raises(ValueError) as err:
        S.load(write_sources(tmp_path / "sources.toml", body))
    assert "数据源 hotline" in str(err.value) and words in str(err.value), err.value


# ---- query APIs that take a POST of JSON, and the ends of pages ---------------------------------------
def post_pages(peer, path: str, n: int, clamp: bool = False) -> None:
    """A query API taking {"query": …, "page": {"num": k, "size": m}}: MyBatis-style pages of n tickets
    with their total; `clamp` answers a page past the end with the last page again, as some systems do."""
    def answer(req, q):
        ask = getattr(req, "json", None) or {}
        size, num = ask["page"]["size"], ask["page"]["num"]
        last = max(1, -(-n // size))
        num = min(num, last) if clamp else num
        page = [java_ticket(i) for i in range((num - 1) * size, min(num * size, n))]
        return 200, {"Content-Type": "application/json"}, json.dumps(
            {"code": 200, "msg": "查询成功", "data": {"records": page, "total": n}}).encode()
    peer.routes[path] = answer


def post_source(peer, path: str, **extra) -> str:
    return java_source(peer, path, method='"POST"', body='{ query = { area = "商丘市" } }', paginate='"page"',
                       page_param='"page.num"', size_param='"page.size"', page_size=3, **extra)


def test_a_query_api_taking_a_post_of_json_is_paged_through_its_body(store, tmp_path, peer):
    post_pages(peer, "/api/post", 7)
    peer.bodies.clear()
    out = run(store, tmp_path, post_source(peer, "/api/post", watermark='"slsj"', watermark_param='"query.since"'))
    assert out.ok and out.written == 7, out.message
    assert [b for p, b in peer.bodies if p == "/api/post"] == [
        {"query": {"area": "商丘市"}, "page": {"num": k, "size": 3}} for k in (1, 2, 3)]
    run(store, tmp_path, post_source(peer, "/api/post", watermark='"slsj"', watermark_param='"query.since"'))
    assert peer.bodies[-1][1]["query"] == {"area": "商丘市", "since": MS + 6 * 3_600_000}  # a number stays a number


@pytest.mark.parametrize("clamp,total_path,asked", [
    (False, '"data.total"', 2),  # six of six read: no third page asked for
    (True, None, 3),  # the third page repeats the second: the end, not six tickets twice
], ids=["the total said", "the last page again"])
def test_pages_end_where_the_answer_says_or_where_a_page_repeats(store, tmp_path, peer, clamp, total_path, asked):
    post_pages(peer, "/api/post6", 6, clamp=clamp)
    peer.bodies.clear()
    extra = {"total_path": total_path} if total_path else {}
    out = run(store, tmp_path, post_source(peer, "/api/post6", **extra))
    assert out.ok and out.written == 6, out.message
    assert len(peer.bodies) == asked


def test_a_post_moved_with_307_is_posted_again_there(store, tmp_path, peer):
    post_pages(peer, "/api/post", 2)
    peer.routes["/api/post-moved"] = lambda req, q: (307, {"Location": "/api/post"}, b"")
    peer.bodies.clear()
    out = run(store, tmp_path, post_source(peer, "/api/post-moved"))
    assert out.ok and out.written == 2, out.message
    assert [p for p, _ in peer.bodies] == ["/api/post-moved", "/api/post"]


@pytest.mark.parametrize("extra,words", [
    ({"method": '"DELETE"'}, "method 应为 GET 或 POST，现为“DELETE”"),
    ({"body": '{ page = 1 }'}, "body（请求体）只用于 method = \"POST\""),
    ({"method": '"POST"', "paginate": '"next"'}, "分页方式 next 按下一页地址读取，只用于 GET"),
    ({"method": '"POST"', "body": '"page=1"'}, "应为表（键 = 值）"),
    ({"token_field": '"appSecret"'}, "token_field（令牌在请求体中的位置）只用于 method = \"POST\""),
])
def test_a_mistaken_request_setting_is_refused_by_name_when_the_file_is_read(tmp_path, peer, extra, words):
    with pytest.raises(ValueError) as err:
        S.load(write_sources(tmp_path / "sources.toml", http_source(peer, "/api/tickets", **extra)))
    assert words in str(err.value), err.value


def test_a_token_the_api_wants_in_its_body_comes_from_the_environment_and_is_never_shown(store, tmp_path, peer, caplog):
    def answer(req, q):
        ask = getattr(req, "json", None) or {}
        ok = ask.get("auth", {}).get("appSecret") == TOKEN
        doc = ({"code": 0, "data": {"records": [java_ticket(0)]}} if ok else {"code": 401, "msg": "appSecret 错误"})
        return 200, {"Content-Type": "application/json"}, json.dumps(doc, ensure_ascii=False).encode()
    peer.routes["/api/post-secret"] = answer
    caplog.set_level(logging.DEBUG)
    body = java_source(peer, "/api/post-secret", method='"POST"', token_env='"HOTLINE_TOKEN"',
                       token_field='"auth.appSecret"')
    out = run(store, tmp_path, body, environ={"HOTLINE_TOKEN": TOKEN})
    assert out.ok and out.written == 1, out.message
    assert "authorization" not in {k.lower() for k in peer.queries[-1][2]}  # in the body, not also in a header
    wrong = run(store, tmp_path, body, environ={"HOTLINE_TOKEN": "wrong"})
    assert not wrong.ok and "接口返回了错误（code = 401，“appSecret 错误”）" in wrong.message, wrong.message
    assert TOKEN not in caplog.text and not S.runs(store).message.str.contains(TOKEN).any()


def test_an_18_digit_key_sent_as_a_json_number_is_exact_and_stored_as_written(store, tmp_path, peer):
    peer.json("/api/java-long-key", {"code": 0, "data": {"records": [java_ticket(0, gdbh=202611280000012345)]}})
    out = run(store, tmp_path, java_source(peer, "/api/java-long-key"))
    assert out.ok and out.written == 1, out.message
    assert tickets_in(store) == {"202611280000012345": "办理中"}


def test_pages_that_overlap_as_new_tickets_arrive_give_each_ticket_once(store, tmp_path, peer):
    """Offset pages of a list that grew between two requests: the last ticket of one page comes again
    at the top of the next. Word for word the same: one ticket, not a refused pull."""
    rows = [java_ticket(i) for i in range(5)]
    pages = {0: rows[0:3], 3: rows[2:5], 6: []}  # the second page starts one ticket early
    peer.routes["/api/overlap"] = lambda req, q: (200, {}, json.dumps(
        {"code": 0, "data": {"records": pages[int(q["offset"])]}}).encode())
    out = run(store, tmp_path, java_source(peer, "/api/overlap", paginate='"offset"', page_size=3))
    assert out.ok and out.written == 5, out.message
    assert sorted(tickets_in(store)) == [f"J{i:04d}" for i in range(5)]


# ---- CAP alerts from a feed: linked from its entries, or carried in them ---------------------------------
CAP_DIR = Path(__file__).parent / "fixtures" / "cap"


def cap_feed_source(peer, path: str) -> str:
    return (f'[sources.weather]\nkind = "cap"\ntitle = "预警发布"\nurl = "{peer.url}{path}"\n'
            f'allow_hosts = ["127.0.0.1:{peer.port}"]\nretries = 0\ntimeout_seconds = 2\n')


def cap_levels(store) -> dict:
    frame = store.frame(s.weather_warnings.select())
    return dict(zip(frame.region_code, frame.level))


@pytest.mark.parametrize("how", ["Atom links", "RSS links", "alerts inside the Atom entries"])
def test_a_cap_feed_brings_its_alerts_however_it_carries_them(store, tmp_path, peer, how):
    yellow, fire = ((CAP_DIR / f).read_bytes() for f in ("01_yellow.xml", "fire.xml"))
    peer.routes["/cap/yellow.xml"] = lambda req, q: (200, {"Content-Type": "application/xml"}, yellow)
    peer.routes["/cap/fire.xml"] = lambda req, q: (200, {"Content-Type": "application/xml"}, fire)
    if how == "Atom links":
        feed = ('<feed xmlns="http://www.w3.org/2005/Atom"><title>预警</title>'
                '<entry><link href="/cap/yellow.xml"/></entry><entry><link rel="alternate" href="fire.xml"/></entry></feed>')
    elif how == "RSS links":
        feed = (f'<rss version="2.0"><channel><title>预警</title><item><link>{peer.url}/cap/yellow.xml</link></item>'
                '<item><link>/cap/fire.xml</link></item></channel></rss>')
    else:
        inner = [re.sub(r"^<\?xml[^>]*>\s*", "", b.decode()) for b in (yellow, fire)]
        feed = ('<feed xmlns="http://www.w3.org/2005/Atom"><title>预警</title>'
                + "".join(f'<entry><content type="text/xml">{a}</content></entry>' for a in inner) + "</feed>")
    peer.routes["/cap/feed"] = lambda req, q: (200, {"Content-Type": "application/atom+xml"}, feed.encode())
    out = run(store, tmp_path, cap_feed_source(peer, "/cap/feed"))
    assert out.ok and out.written == 3, out.message  # two counties' 寒潮 signals and one forest-fire event
    assert cap_levels(store) == {"411481": 3, "411426": 3}
    assert store.first(select(s.emergency_events))["event_type"] == "森林火险"


def test_a_cap_feed_linking_off_the_allowlist_is_refused_and_nothing_stored(store, tmp_path, peer):
    feed = '<feed xmlns="http://www.w3.org/2005/Atom"><entry><link href="http://169.254.169.254/latest/"/></entry></feed>'
    peer.routes["/cap/evil"] = lambda req, q: (200, {}, feed.encode())
    before = stored(store)
    out = run(store, tmp_path, cap_feed_source(peer, "/cap/evil"))
    assert not out.ok and "169.254.169.254" in out.message and "原有数据不变" in out.message, out.message
    assert stored(store) == before


# ---- an API gateway that gives a token for a key and a secret ---------------------------------------
GATEWAY_TOKEN = "gw-7f3a9c-token"


def gateway(peer) -> None:
    def login(req, q):
        ask = getattr(req, "json", None) or {}
        ok = ask == {"appKey": "cockpit", "auth": {"appSecret": TOKEN}}
        doc = {"code": 0, "data": {"token": GATEWAY_TOKEN, "expiresIn": 7200}} if ok else {"code": 401, "msg": "appSecret错误"}
        return 200, {"Content-Type": "application/json"}, json.dumps(doc, ensure_ascii=False).encode()

    def gated(req, q):
        ok = req.headers.get("X-Token") == GATEWAY_TOKEN
        doc = {"code": 0, "data": {"records": [java_ticket(0)]}} if ok else {"code": 401, "msg": "token无效"}
        return 200, {"Content-Type": "application/json"}, json.dumps(doc, ensure_ascii=False).encode()
    peer.routes["/gw/login"] = login
    peer.routes["/gw/tickets"] = gated


def gateway_source(peer, **extra) -> str:
    login = {"login_url": f'"{peer.url}/gw/login"', "login_body": '{ appKey = "cockpit" }',
             "login_secret_env": '"GW_SECRET"', "login_secret_field": '"auth.appSecret"',
             "login_token_path": '"data.token"', "token_header": '"X-Token"', "token_prefix": '""'}
    return java_source(peer, "/gw/tickets", **{**login, **extra})


def test_a_gateway_s_token_is_fetched_with_the_secret_from_the_environment_and_never_shown(store, tmp_path, peer,
                                                                                        caplog):
    gateway(peer)
    caplog.set_level(logging.DEBUG)
    out = run(store, tmp_path, gateway_source(peer), environ={"GW_SECRET": TOKEN})
    assert out.ok and out.written == 1, out.message
    before = stored(store)
    wrong = run(store, tmp_path, gateway_source(peer), environ={"GW_SECRET": "wrong"})
    assert not wrong.ok and "取令牌失败：接口返回了错误（code = 401，“appSecret错误”）" in wrong.message, wrong.message
    assert stored(store) == before
    for secret in (TOKEN, GATEWAY_TOKEN):
        assert secret not in caplog.text and not S.runs(store).message.str.contains(secret).any()


@pytest.mark.parametrize("doc,words", [
    ({"code": 0, "data": {"accessToken": "x"}}, "返回中找不到令牌“data.token”"),
    ({"code": 0, "data": {"token": ""}}, "返回中找不到令牌“data.token”"),
])
def test_a_login_answer_without_a_token_is_refused_and_nothing_stored(store, tmp_path, peer, doc, words):
    gateway(peer)
    peer.json("/gw/login", doc)
    before = stored(store)
    out = run(store, tmp_path, gateway_source(peer), environ={"GW_SECRET": TOKEN})
    assert not out.ok and words in out.message, out.message
    assert stored(store) == before


@pytest.mark.parametrize("extra,words", [
    ({"login_token_path": None}, "须同时写明 login_secret_field（密钥的位置）和 login_token_path（令牌的路径）"),
    ({"token_env": '"HOTLINE_TOKEN"'}, "只能选一种"),
    ({"login_secret": '"s3cret"'}, "login_secret 不得写在"),
    ({"login_url": '"http://169.254.169.254/latest/"'}, "不在允许访问的主机列表"),
])
def test_a_mistaken_login_setting_is_refused_by_name_when_the_file_is_read(tmp_path, peer, extra, words):
    body = gateway_source(peer, **{k: v for k, v in extra.items() if v is not None})
    if extra.get("login_token_path", "") is None:
        body = body.replace('login_token_path = "data.token"\n', "")
    with pytest.raises(ValueError) as err:
        S.load(write_sources(tmp_path / "sources.toml", body), environ={"GW_SECRET": "x", "HOTLINE_TOKEN": "y"})
    assert words in str(err.value), err.value


@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
def test_an_exported_table_under_a_title_is_mapped_from_its_own_header(store, tmp_path, peer, fmt):
    """A system's export: a title line, then its own column names, then the tickets (CSV in GBK)."""
    header = ["gdbh", "slsj", "xzqh", "sqlb", "qd", "zt", "blsx", "bjsj", "myd"]
    rows = [["2026年11月工单明细（导出时间 2026-11-28 10:00）"], header,
            ["X0001", "2026-11-20 09:00", "梁园区", "供暖", "电话", "1", "2026-11-25 09:00", None, None],
            ["X0002", "2026-11-20 10:00", "411402000000", "供水", "网络", "3", "2026-11-25 10:00", "2026-11-21 10:00", "1"]]
    if fmt == "xlsx":
        wb = openpyxl.Workbook()
        for r in rows:
            wb.active.append(r)
        buf = io.BytesIO()
        wb.save(buf)
        data = buf.getvalue()
    else:
        data = "\n".join(",".join("" if v is None else v for v in r) for r in rows).encode("gbk")
    peer.routes[f"/export.{fmt}"] = lambda req, q: (200, {}, data)
    out = run(store, tmp_path, java_source(peer, f"/export.{fmt}", format=f'"{fmt}"', records=None))
    assert out.ok and out.written == 2, out.message
    assert tickets_in(store) == {"X0001": "办理中", "X0002": "已办结"}


def test_events_from_a_system_on_baidu_maps_are_drawn_where_they_happened(store, tmp_path, peer):
    """BD-09 coordinates (Baidu's own) back to WGS-84: the published pair BD-09 (116.404, 39.915) is
    GCJ-02 (116.397627, 39.908657), so the stored point must map onto that GCJ-02 point."""
    from cockpit import datum
    event = {"source_key": "E1", "event_type": "火灾", "level": "Ⅲ级", "title": "某小区火情", "region_code": "梁园区",
             "place": "某小区", "lon": "116.404", "lat": 39.915, "occurred_at": "2026-11-28 07:40", "status": "处置中"}
    peer.json("/api/events", {"code": 0, "data": [event, {**event, "source_key": "E2", "lon": None, "lat": None}]})
    body = (f'[sources.yjpt]\nkind = "http"\nurl = "{peer.url}/api/events"\ndataset = "emergency_events"\n'
            f'records = "data"\ncoordinates = "bd09"\nallow_hosts = ["127.0.0.1:{peer.port}"]\n')
    out = run(store, tmp_path, body)
    assert out.ok and out.written == 2, out.message
    got = store.frame(s.emergency_events.select().order_by(s.emergency_events.c.source_key))
    glon, glat = datum.wgs84_to_gcj02(got.lon[0], got.lat[0])
    assert abs(glon - 116.39762729119315) < 1e-7 and abs(glat - 39.90865673957631) < 1e-7
    assert (got.lon[1], got.lat[1]) == tuple(store.regions().set_index("code").loc["411402", ["lon", "lat"]])  # no point: the county's centre


def test_an_unknown_coordinate_system_is_refused_by_name(tmp_path, peer):
    with pytest.raises(ValueError) as err:
        S.load(write_sources(tmp_path / "sources.toml", http_source(peer, "/api/tickets", coordinates='"baidu"')))
    assert "coordinates 应为 wgs84、gcj02、bd09" in str(err.value)


def test_a_page_that_failed_is_not_taken_for_the_end_of_the_list(store, tmp_path, peer):
    """Page 2 says 系统繁忙 with an empty list: the pull is refused, not page 1 kept as all there is."""
    pages = {1: {"code": 0, "data": {"records": [java_ticket(0), java_ticket(1)]}},
             2: {"code": 500, "msg": "系统繁忙", "data": {"records": []}}}
    peer.routes["/api/busy"] = lambda req, q: (200, {}, json.dumps(pages[int(q["page"])], ensure_ascii=False).encode())
    before = stored(store)
    out = run(store, tmp_path, java_source(peer, "/api/busy", paginate='"page"', page_size=2, watermark='"slsj"'))
    assert not out.ok and "接口返回了错误（code = 500，“系统繁忙”）" in out.message, out.message
    assert stored(store) == before and S.watermarks(store, "hotline") == {}


@pytest.mark.parametrize("doc,extra,ok", [
    ({"success": True, "code": 10000, "data": {"records": None}}, {}, True),
    ({"code": 20000, "message": "查询成功", "data": {"records": None}}, {}, False),
    ({"code": 20000, "message": "查询成功", "data": {"records": None}}, {"success_codes": '["20000"]'}, True),
    ({"status": "1", "info": "OK", "data": {"records": None}}, {"success_codes": '["1"]'}, True),
], ids=["success true", "a success code of its own, not declared", "declared", "高德's style, declared"])
def test_success_is_read_as_the_system_says_it(store, tmp_path, peer, doc, extra, ok):
    peer.json("/api/own-codes", doc)
    out = run(store, tmp_path, java_source(peer, "/api/own-codes", **extra))
    assert out.ok is ok and (ok or "接口返回了错误（code = 20000，“查询成功”）" in out.message), out.message


def test_page_numbers_the_api_ignores_are_found_out_by_its_total(store, tmp_path, peer):
    peer.json("/api/same-page", {"code": 0, "data": {"records": [java_ticket(0), java_ticket(1)], "total": 6}})
    before = stored(store)
    out = run(store, tmp_path, java_source(peer, "/api/same-page", paginate='"page"', page_size=2,
                                           total_path='"data.total"'))
    assert not out.ok and "第 2 页与上一页相同，而接口说共有 6 条、只读到 2 条：翻页参数似乎未生效" in out.message, out.message
    assert stored(store) == before


def test_utf8_said_to_be_latin1_is_read_as_utf8(store, tmp_path, peer):
    body = json.dumps({"code": 0, "data": {"records": [java_ticket(0, sqlb="噪声扰民")]}}, ensure_ascii=False).encode()
    peer.routes["/api/latin1"] = lambda req, q: (200, {"Content-Type": "application/json; charset=ISO-8859-1"}, body)
    out = run(store, tmp_path, java_source(peer, "/api/latin1"))
    assert out.ok and store.frame(s.hotline_tickets.select()).category.tolist() == ["噪声扰民"], out.message


def test_a_gateway_that_echoes_the_token_in_its_refusal_has_it_masked(store, tmp_path, peer, caplog):
    gateway(peer)
    peer.json("/gw/tickets", {"code": 401, "msg": f"token {GATEWAY_TOKEN} 已过期", "data": None})
    caplog.set_level(logging.DEBUG)
    out = run(store, tmp_path, gateway_source(peer), environ={"GW_SECRET": TOKEN})
    assert not out.ok and "接口返回了错误（code = 401，“token *** 已过期”）" in out.message, out.message
    assert GATEWAY_TOKEN not in caplog.text and not S.runs(store).message.str.contains(GATEWAY_TOKEN).any()


def test_a_redirect_from_https_to_http_is_refused_before_anything_is_sent_in_clear(monkeypatch):
    from connectors.web import Answer, Client, Policy
    sent = []

    def once(self, url, body=None):
        sent.append(url)
        return Answer(url, 307, {"location": "http://gw.example.internal/api"}, b"")
    monkeypatch.setattr(Client, "_with_retries", once)
    client = Client("https://gw.example.internal/api", Policy(allow=[]))
    with pytest.raises(SourceError, match="把 https 请求重定向到了 http"):
        client.get("https://gw.example.internal/api", json_body={"appSecret": "x"})
    assert sent == ["https://gw.example.internal/api"]


@pytest.mark.parametrize("feed,words", [
    (b"<alert><identifier>1</identifier>", "CAP 内容不是有效的 XML（第 1 行第 33 列起无法解读）"),
    (b'<feed xmlns="http://www.w3.org/2005/Atom"><entry/></feed>', "订阅内容既不是 CAP 预警，也没有指向 CAP 预警的链接"),
])
def test_a_cap_feed_that_is_no_xml_or_no_alert_is_said_in_chinese(store, tmp_path, peer, feed, words):
    peer.routes["/cap/bad"] = lambda req, q: (200, {}, feed)
    out = run(store, tmp_path, cap_feed_source(peer, "/cap/bad"))
    assert not out.ok and words in out.message, out.message
    assert not re.search(r"[A-Za-z]{4,}", out.message.replace("CAP", "").replace("XML", "")), out.message


def test_a_gateway_that_echoes_the_basic_login_has_it_masked_in_every_form(store, tmp_path, peer, caplog):
    """The connector sends user:password as base64; a gateway that echoed the header had it stored,
    printed and shown on the 数据源 page, for only the raw password was masked."""
    import base64
    from urllib.parse import quote
    pair = base64.b64encode(b"cockpit:Hunter2 Pass/word").decode()
    peer.json("/api/basic", {"code": 403, "msg": f"bad token Basic {pair} or {quote('Hunter2 Pass/word', safe='')}",
                             "data": None})
    caplog.set_level(logging.DEBUG)
    out = run(store, tmp_path, java_source(peer, "/api/basic", username='"cockpit"', password_env='"PW"'),
              environ={"PW": "Hunter2 Pass/word"})
    assert not out.ok and "接口返回了错误（code = 403，“bad token Basic *** or ***”）" in out.message, out.message
    for shown in (out.message, caplog.text, " ".join(S.runs(store).message)):
        assert pair not in shown and "Hunter2" not in shown
