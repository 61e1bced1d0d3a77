"""The connectors as a door: what a mistaken setting or a hostile answer could make the cockpit reach
or write. Server-side request forgery (the cloud metadata address, this machine's other ports, file://,
gopher://, names that resolve to special addresses, redirects and next links off the allowlist) and
writes through the sql connector (INSERT, UPDATE, DDL, several statements, PRAGMA, ATTACH) are each
refused in Chinese before anything is reached or written; the store and the source stay as they were."""
from __future__ import annotations

import socket
import sqlite3
import sys

import pytest
from sqlalchemy.exc import OperationalError

from connectors import SourceError
from connectors.sql import SqlConnector
from connectors.web import Client, Policy
from service import sources as S
from service.cli import main
from service.sources_run import pull
from tests.conftest import make_store
from tests.fixtures.peers import GD_COLUMNS, Peer, hotline_db, stored, write_sources


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


@pytest.fixture(scope="module")
def victim():
    """Another service on this machine (a database's port, an admin API) that must never be reached."""
    with Peer() as p:
        yield p


def http(url: str, allow: str) -> str:
    return (f'[sources.feed]\nkind = "http"\nurl = "{url}"\ndataset = "hotline_tickets"\nrecords = "data.items"\n'
            f'allow_hosts = [{allow}]\nretries = 0\ntimeout_seconds = 2\n')


CONFIGURED = [
    # an address written into sources.toml, and what the refusal names
    ("the cloud metadata address", "http://169.254.169.254/latest/meta-data/", "169.254.169.254"),
    ("file://", "file:///etc/passwd", "只允许 http 和 https"),
    ("gopher://", "gopher://127.0.0.1:6379/_FLUSHALL", "只允许 http 和 https"),
    ("a password inside the address", "https://admin:pw@stats.example.internal/api", "不得包含用户名或密码"),
    ("this machine, unlisted", "http://127.0.0.1:5432/", "127.0.0.1:5432"),
    ("the unspecified address", "http://0.0.0.0:8501/", "0.0.0.0"),
    ("IPv6 loopback", "http://[::1]:8501/", "::1"),
]


@pytest.mark.parametrize("what,url,words", CONFIGURED, ids=[c[0] for c in CONFIGURED])
def test_a_forbidden_address_in_the_file_is_refused_when_the_file_is_read(tmp_path, what, url, words):
    with pytest.raises(ValueError, match=words.replace(".", r"\.").replace("[", r"\[")):
        S.load(write_sources(tmp_path / "sources.toml", http(url, "")))


ANSWERS = [
    # what the (compromised or mistaken) server answers, and the words of the refusal
    ("a redirect to the metadata address", "/redirect-metadata", "169.254.169.254"),
    ("a redirect to another port of this machine", "/redirect-victim", "不在允许访问的主机列表"),
    ("a redirect to a name for this machine", "/redirect-name", "localhost"),
    ("a redirect to file://", "/redirect-file", "只允许 http 和 https"),
    ("a next link to the metadata address", "/next-off", "169.254.169.254"),
]


@pytest.mark.parametrize("what,path,words", ANSWERS, ids=[a[0] for a in ANSWERS])
def test_an_answer_pointing_off_the_allowlist_is_not_followed(store, tmp_path, peer, victim, what, path, words):
    peer.routes["/redirect-victim"] = lambda req, q: (302, {"Location": f"{victim.url}/admin"}, b"")
    body = http(f"{peer.url}{path}", f'"127.0.0.1:{peer.port}"')
    if path == "/next-off":  # pages: the records under "data", the next page's address under "links.next"
        body = body.replace('records = "data.items"', 'records = "data"\npaginate = "next"\nnext_path = "links.next"')
    before, hits = stored(store), dict(victim.hits)
    config = S.load(write_sources(tmp_path / "sources.toml", body))
    (out,) = pull(store, config, ["feed"])
    assert not out.ok and words in out.message, out.message
    assert stored(store) == before and victim.hits == hits


def test_names_are_checked_before_and_after_they_resolve(monkeypatch):
    """Only listed names; and a listed name that resolves to this machine or to link-local (DNS rebinding)
    is refused unless that address itself is listed. Private intranet addresses are fine for listed names."""
    answers = {"metadata.example.internal": "169.254.169.254", "local.example.internal": "127.0.0.1",
               "stats.example.internal": "10.8.0.12"}
    real = socket.getaddrinfo
    monkeypatch.setattr(socket, "getaddrinfo", lambda host, port, *a, **k: (
        [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (answers[host], port))] if host in answers else real(host, port, *a, **k)))
    listed = ["metadata.example.internal", "local.example.internal", "stats.example.internal"]
    client = Client("http://stats.example.internal/api", Policy(allow=listed))
    with pytest.raises(SourceError, match="不在允许访问的主机列表"):
        client.target("http://evil.example.com/")  # not listed: refused before any lookup
    with pytest.raises(SourceError, match="解析到 169.254.169.254"):
        client.target("http://metadata.example.internal/latest/")
    with pytest.raises(SourceError, match="解析到 127.0.0.1"):
        client.target("http://local.example.internal:8501/")
    assert client.target("http://stats.example.internal/api")[3] == "10.8.0.12"  # checked, never connected
    trusting = Client("http://local.example.internal/", Policy(allow=["local.example.internal", "127.0.0.1"]))
    assert trusting.target("http://local.example.internal:8501/")[3] == "127.0.0.1"
    for odd in ("http://2130706433/", "http://127.1/", "http://0x7f.0.0.1/"):  # 127.0.0.1 in disguise
        with pytest.raises(SourceError, match="不在允许访问的主机列表"):
            client.target(odd)


WRITES = [
    ("INSERT", "INSERT INTO gd (gdbh) VALUES ('X')"),
    ("UPDATE", "UPDATE gd SET zt = '已办结'"),
    ("DELETE", "DELETE FROM gd"),
    ("DROP", "DROP TABLE gd"),
    ("CREATE", "CREATE TABLE stolen AS SELECT * FROM gd"),
    ("two statements", "SELECT * FROM gd; DELETE FROM gd"),
    ("a statement hidden after a comment", "SELECT * FROM gd -- harmless\n; DROP TABLE gd"),
    ("SELECT INTO", "SELECT * INTO stolen FROM gd"),
    ("PRAGMA", "PRAGMA writable_schema = 1"),
    ("ATTACH", "ATTACH DATABASE '/tmp/x.db' AS x"),
    ("REPLACE", "REPLACE INTO gd (gdbh) VALUES ('X')"),
    ("lower case", "delete from gd where 1=1"),
]


@pytest.mark.parametrize("what,query", WRITES, ids=[w[0] for w in WRITES])
def test_a_query_that_writes_is_refused_and_nothing_changes(store, tmp_path, what, query, monkeypatch, capsys):
    db = hotline_db(tmp_path / "hotline.db", n=3)
    body = (f'[sources.hotline]\nkind = "sql"\nurl = "sqlite:///{db}"\ndataset = "hotline_tickets"\n'
            f'query = """{query}"""\ncolumns = {GD_COLUMNS}\n')
    path = write_sources(tmp_path / "sources.toml", body)
    with pytest.raises(ValueError, match="只能读取数据"):
        S.load(path)
    monkeypatch.setenv("COCKPIT_SOURCES", str(path))
    monkeypatch.setenv("COCKPIT_DB_URL", store.url)
    before = stored(store)
    assert main(["pull", "--all"]) == 2
    assert "只能读取数据" in capsys.readouterr().err
    con = sqlite3.connect(db)
    assert con.execute("SELECT count(*), min(zt) FROM gd").fetchone() == (3, "办理中")
    assert {r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type = 'table'")} == {"gd"}
    con.close()
    assert stored(store) == before


def test_beneath_the_check_the_sqlite_source_is_opened_read_only(tmp_path):
    db = hotline_db(tmp_path / "hotline.db", n=3)
    engine = SqlConnector(url=f"sqlite:///{db}", query="SELECT * FROM gd", dataset="hotline_tickets")._engine()
    with engine.connect() as conn, pytest.raises(OperationalError, match="readonly|read-only"):
        conn.exec_driver_sql("DELETE FROM gd")
    engine.dispose()
    assert sqlite3.connect(db).execute("SELECT count(*) FROM gd").fetchone() == (3,)


SECRETS = [
    ("a password in the file", '[sources.x]\nkind = "sql"\nurl = "sqlite:///a.db"\nquery = "SELECT 1"\n'
                               'dataset = "observations"\npassword = "hunter2"\n', "password_env"),
    ("a password inside the database address", '[sources.x]\nkind = "sql"\nurl = "postgresql://u:hunter2@db/x"\n'
                                               'query = "SELECT 1"\ndataset = "observations"\n', "不得写密码"),
    ("a token in the file", '[sources.x]\nkind = "http"\nurl = "https://a.example/x"\ndataset = "observations"\n'
                            'token = "hunter2"\n', "token_env"),
    ("an unknown setting", '[sources.x]\nkind = "folder"\npath = "/tmp"\npatern = "*.xlsx"\n', "不认识设置 patern"),
    ("an unknown kind", '[sources.x]\nkind = "ftp"\n', "的数据源 x：未知的数据源类型“ftp”，可用类型：cap、demo、file、folder、http、sql"),
    ("a name that is a path", '[sources."../x"]\nkind = "folder"\npath = "/tmp"\n', "只能由字母"),
    ("a schedule nobody can read", '[sources.x]\nkind = "folder"\npath = "/tmp"\nschedule = "sometimes"\n',
     "的数据源 x：无法识别的计划“sometimes”"),
    ("a file that is not TOML", '[sources.x]\nkind = "folder"\npath = "/tmp"\npath = "/srv"\n',
     "数据源配置文件 "),  # the parser's English ("Cannot overwrite a value") was shown as it was
    # Secrets in the tables sent as written: sent, echoed by a gateway's refusal, shown unmasked.
    ("a token in the headers", '[sources.x]\nkind = "http"\nurl = "https://a.example/x"\ndataset = "observations"\n'
                               'headers = { Authorization = "Bearer hunter2" }\n', "headers 中的“Authorization”像是密码或令牌"),
    ("an API key in the headers", '[sources.x]\nkind = "http"\nurl = "https://a.example/x"\ndataset = "observations"\n'
                                  'headers = { X-Api-Key = "hunter2" }\n', "“X-Api-Key”像是密码或令牌"),
    ("a secret in the query", '[sources.x]\nkind = "http"\nurl = "https://a.example/x"\ndataset = "observations"\n'
                              'params = { appSecret = "hunter2" }\n', "params 中的“appSecret”"),
    ("a password deep in the body", '[sources.x]\nkind = "http"\nurl = "https://a.example/x"\ndataset = "observations"\n'
                                    'method = "POST"\nbody = { auth = { password = "hunter2" } }\n', "body 中的“auth.password”"),
    ("a month that is none", '[sources.x]\nkind = "folder"\npath = "/tmp"\nperiod = "2026-13"\n',
     "period（统计月报的时期 YYYY-MM（优先于标题））：月份“2026-13”不存在"),
    ("a month written loosely", '[sources.x]\nkind = "file"\npath = "/tmp/a.xlsx"\nperiod = "2026/10"\n',
     "“2026/10”格式不对，应为 YYYY-MM"),
    # Numbers that read as numbers and fail at pull time: refused when the file is read.
    ("a negative back-off", '[sources.x]\nkind = "http"\nurl = "https://a.example/x"\ndataset = "observations"\n'
                            'backoff_seconds = -1\n', "backoff_seconds（首次重试前等待（秒，之后每次加倍））不能小于 0，现为 -1"),
    ("a time limit of nothing", '[sources.x]\nkind = "http"\nurl = "https://a.example/x"\ndataset = "observations"\n'
                                'timeout_seconds = 0\n', "timeout_seconds（一次请求的总时限（秒））应大于 0，现为 0"),
    ("a time limit that is no number", '[sources.x]\nkind = "sql"\nurl = "sqlite:///a.db"\nquery = "SELECT 1"\n'
                                       'dataset = "observations"\ntimeout_seconds = nan\n', "应为有限的数，现为“nan”"),
    ("no rows at all", '[sources.x]\nkind = "sql"\nurl = "sqlite:///a.db"\nquery = "SELECT 1"\n'
                       'dataset = "observations"\nmax_rows = 0\n', "max_rows（一次最多读取行数）不能小于 1"),
]


@pytest.mark.parametrize("what,body,words", SECRETS, ids=[s[0] for s in SECRETS])
def test_a_sources_file_with_a_secret_or_a_mistake_is_refused_by_name(tmp_path, what, body, words):
    with pytest.raises(ValueError) as err:
        S.load(write_sources(tmp_path / "sources.toml", body))
    assert words in str(err.value) and "hunter2" not in str(err.value)


def test_the_pull_command_refuses_a_bad_file_with_one_chinese_line(tmp_path, monkeypatch):
    path = write_sources(tmp_path / "sources.toml", SECRETS[0][1])
    monkeypatch.setenv("COCKPIT_SOURCES", str(path))
    monkeypatch.setenv("COCKPIT_DB_URL", f"sqlite:///{tmp_path / 'c.db'}")
    (tmp_path / "c.db").touch()  # a store named: `pull` never begins one (a typo would fill a new one)
    import subprocess
    from tests.conftest import ROOT
    r = subprocess.run([sys.executable, "-m", "cockpit", "pull", "--all"], cwd=ROOT, capture_output=True, text=True,
                       timeout=120, env={**__import__("os").environ, "COCKPIT_DEMO_ON_EMPTY": "0"})
    assert r.returncode == 2 and r.stderr.startswith("错误：") and "password_env" in r.stderr
    assert "Traceback" not in r.stderr and "hunter2" not in r.stderr + r.stdout


def test_a_sources_file_not_in_utf8_or_not_toml_is_said_in_chinese_with_where(tmp_path):
    path = tmp_path / "sources.toml"
    path.write_bytes('[sources.x]\nkind = "folder"\ntitle = "投递"\n'.encode("gbk"))
    with pytest.raises(ValueError, match=r"数据源配置文件 .*sources.toml 不是 UTF-8 编码的文本"):
        S.load(path)
    path.write_text('[sources.x]\nkind = "folder"\npath = "/tmp"\npath = "/srv"\n', encoding="utf-8")
    with pytest.raises(ValueError) as err:
        S.load(path)
    assert "不是有效的 TOML：第 4 行第 14 列附近有误" in str(err.value) and "Cannot" not in str(err.value)
