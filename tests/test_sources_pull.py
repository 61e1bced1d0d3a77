"""`python -m cockpit pull`: the README's sources.toml (an HTTP, a SQL and a folder source) imports all
three; exit codes and one Chinese line per failed source; `--every` pulls what its schedule says;
a source overdue against its schedule raises 数据超期 in the 预警中心."""
from __future__ import annotations

import datetime as dt
import json
import logging
import os
import re

import pytest

from cockpit import alert_store, schema as s
from service import pull_cli, sources as S, warnings
from service.cli import main
from tests.conftest import ROOT, make_store
from tests.fixtures.peers import Peer, free_port, hotline_db, stored, write_sources
from tests.fixtures.upload_files import GOOD, xlsx


@pytest.fixture
def store(tmp_path, monkeypatch):
    st = make_store("sqlite", tmp_path)
    st.init()
    monkeypatch.setenv("COCKPIT_DB_URL", st.url)
    monkeypatch.setenv("COCKPIT_CONFIG", "")
    monkeypatch.setenv("COCKPIT_DATA_DIR", str(tmp_path))
    monkeypatch.setattr("service.warnings.refresh_in_background", lambda *a, **k: False)
    yield st
    st.engine.dispose()


def readme_sources() -> str:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    return re.search(r"```toml\n(.*?)```", text, re.S).group(1)


def readme_sources_here(tmp_path, monkeypatch, peer) -> tuple:
    """The README's three sources pointed at this machine: the peer's CSV, a 12345 database of 12
    tickets, a drop folder holding one settled workbook. Returns (drop folder, database)."""
    drop = tmp_path / "drop"
    drop.mkdir()
    (drop / "梁园区10月.xlsx").write_bytes(xlsx(GOOD))
    os.utime(drop / "梁园区10月.xlsx", (0, 0))  # copied in long ago: settled
    db = hotline_db(tmp_path / "hotline.db", n=12)
    body = (readme_sources()
            .replace("http://stats.example.internal", peer.url)
            .replace('allow_hosts = ["stats.example.internal"]', f'allow_hosts = ["127.0.0.1:{peer.port}"]')
            .replace("postgresql+psycopg://cockpit_reader@hotline-db.example.internal/hotline", f"sqlite:///{db}")
            .replace("/srv/cockpit/drop", str(drop)))
    monkeypatch.setenv("COCKPIT_SOURCES", str(write_sources(tmp_path / "sources.toml", body)))
    monkeypatch.setenv("HOTLINE_DB_PASSWORD", "not-shown")
    return drop, db


def test_the_readme_s_http_sql_and_folder_sources_all_import(store, tmp_path, monkeypatch, capsys):
    with Peer() as peer:
        drop, _ = readme_sources_here(tmp_path, monkeypatch, peer)
        assert main(["pull", "--all"]) == 0
    out = capsys.readouterr().out
    assert out.count("✓") == 3 and "共 3 个数据源：3 个写入新数据，0 个失败。" in out
    assert store.count(s.hotline_tickets) == 12
    assert {"http", "sql", "folder"} <= set(store.batches().source)
    assert (drop / "done" / "梁园区10月.xlsx").exists()
    assert "not-shown" not in out


def test_a_dry_run_shows_what_each_source_would_bring_and_changes_nothing(store, tmp_path, monkeypatch, capsys):
    with Peer() as peer:
        drop, db = readme_sources_here(tmp_path, monkeypatch, peer)
        before = stored(store)
        assert main(["pull", "--all", "--dry-run"]) == 0
    out = capsys.readouterr().out.splitlines()
    hotline = next(line for line in out if "（hotline）" in line)
    assert hotline.startswith("✓ ") and "试读通过，未写入：12345 工单 12 条，前 3 条：工单编号=GD00000，受理时间=2026-11-01 09:00，" \
        "地区=永城市" in hotline, hotline
    assert any("（county_drop）：梁园区10月.xlsx：试读通过，未写入：经济与指标数据 3 条" in line for line in out), out
    assert stored(store) == before and store.count(s.source_runs) == 0 and store.count(s.source_state) == 0
    assert (drop / "梁园区10月.xlsx").exists() and not (drop / "done").exists()  # the file lies where it was
    assert S.watermarks(store, "hotline") == {}
    monkeypatch.setenv("COCKPIT_SOURCES", str(write_sources(tmp_path / "sources.toml", (
        f'[sources.hotline]\nkind = "sql"\nurl = "sqlite:///{db}"\nquery = "SELECT * FROM gd"\n'
        'dataset = "hotline_tickets"\ncolumns = { source_key = "gdbh", created_at = "qd" }\n'))))
    assert main(["pull", "--source", "hotline", "--dry-run"]) == 1  # a mapping that is wrong says so, writes nothing
    err = capsys.readouterr().err
    assert err.startswith("✗ ") and "数据源没有提供必需的数据项" in err, err
    assert stored(store) == before and store.count(s.source_runs) == 0


def test_pull_needs_a_choice_and_names_what_it_does_not_know(store, tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("COCKPIT_SOURCES", str(tmp_path / "none.toml"))
    assert main(["pull", "--all"]) == 2 and "未配置数据源" in capsys.readouterr().err
    monkeypatch.setenv("COCKPIT_SOURCES", str(write_sources(
        tmp_path / "sources.toml", f'[sources.drop]\nkind = "folder"\npath = "{tmp_path}"\n')))
    assert main(["pull"]) == 2 and "请指定 --source" in capsys.readouterr().err
    assert main(["pull", "--source", "nope"]) == 2 and "没有数据源 nope；已配置：drop" in capsys.readouterr().err
    assert main(["pull", "--all", "--from-start"]) == 2 and "--from-start 须与 --source 同用" in capsys.readouterr().err


def test_a_failed_source_exits_1_with_its_own_chinese_line(store, tmp_path, monkeypatch, capsys, caplog):
    caplog.set_level(logging.INFO)
    (tmp_path / "drop").mkdir()
    body = (f'[sources.drop]\nkind = "folder"\ntitle = "投递文件夹"\npath = "{tmp_path / "drop"}"\n'
            f'[sources.stats]\nkind = "http"\ntitle = "统计局接口"\nurl = "http://127.0.0.1:{free_port()}/x.csv"\n'
            f'format = "csv"\nallow_hosts = ["127.0.0.1"]\nretries = 0\n')
    monkeypatch.setenv("COCKPIT_SOURCES", str(write_sources(tmp_path / "sources.toml", body)))
    assert main(["pull", "--all"]) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("✗ 统计局接口（stats）：无法连接")
    said = [r.getMessage() for r in caplog.records if r.name == "service.sources_run"]
    assert "source stats: failed, 0 rows read, 0 written" in said  # the log: what happened, not the line again
    assert not any("无法连接" in m for m in said)
    assert main(["pull", "--list"]) == 0
    listed = capsys.readouterr().out
    assert "drop（投递文件夹，folder）：未设计划；最近成功" in listed and "stats（统计局接口，http）" in listed
    assert "最近一次失败：无法连接" in listed


def test_a_library_s_english_error_reaches_the_operator_as_chinese_and_the_log(store, tmp_path, monkeypatch, capsys,
                                                                               caplog):
    from connectors.http import HttpConnector

    def broken(self):
        raise ValueError("could not convert string to float: 'abc'")
        yield  # a generator, as every connector's read is
    monkeypatch.setattr(HttpConnector, "read", broken)
    body = (f'[sources.stats]\nkind = "http"\nurl = "http://127.0.0.1:{free_port()}/x.csv"\nformat = "csv"\n'
            'allow_hosts = ["127.0.0.1"]\n')
    monkeypatch.setenv("COCKPIT_SOURCES", str(write_sources(tmp_path / "sources.toml", body)))
    assert main(["pull", "--all"]) == 1
    err = capsys.readouterr().err
    assert "拉取时出现未预料的错误（已记录错误日志），原有数据不变" in err and "could not" not in err
    assert "could not convert" in caplog.text
    assert S.states(store).set_index("source").loc["stats"].last_error.startswith("拉取时出现未预料的错误")


def test_an_allowed_host_with_a_port_that_is_no_number_is_refused_in_chinese(tmp_path):
    body = '[sources.stats]\nkind = "http"\nurl = "http://10.8.0.12/x.csv"\nformat = "csv"\nallow_hosts = ["10.8.0.13:abc"]\n'
    with pytest.raises(ValueError) as err:
        S.load(write_sources(tmp_path / "sources.toml", body))
    assert "允许访问的主机“10.8.0.13:abc”中的端口“abc”不是 1—65535 的数字" in str(err.value)


def test_every_pulls_a_source_when_its_schedule_comes_round(store, tmp_path):
    config = S.load(write_sources(tmp_path / "sources.toml", (
        f'[sources.drop]\nkind = "folder"\npath = "{tmp_path}"\nschedule = "daily 08:30"\n'
        f'[sources.manual]\nkind = "folder"\npath = "{tmp_path}"\n')))
    at = dt.datetime(2026, 11, 30, 9, 0)
    cases = [  # last tried, due?
        (None, ["drop"]),  # never tried: its 08:30 has passed
        (dt.datetime(2026, 11, 30, 8, 31), []),  # tried after today's 08:30
        (dt.datetime(2026, 11, 29, 8, 31), ["drop"]),  # yesterday's try, today's time has come
    ]
    for last, due in cases:
        assert pull_cli.due(config, {} if last is None else {"drop": last}, at) == due
    slept = []
    pull_cli.loop(store, config, None, 5, rounds=2, sleep=slept.append)
    assert slept == [300] and S.runs(store).source.tolist() == ["drop"]  # once: the second round found it done


def test_a_source_overdue_against_its_schedule_raises_数据超期(store, tmp_path, monkeypatch):
    monkeypatch.setenv("COCKPIT_SOURCES", str(write_sources(tmp_path / "sources.toml", (
        f'[sources.hotline]\nkind = "folder"\ntitle = "12345 热线导出"\npath = "{tmp_path / "gone"}"\n'
        'schedule = "daily 08:30"\n'))))
    config = S.load()
    # The clock stands two hours after a scheduled time, so the hour the suite runs at cannot fall in the grace.
    at = config.sources["hotline"].schedule.after(dt.datetime.now()) + dt.timedelta(hours=2)
    monkeypatch.setattr(S, "now", lambda: at)
    assert not pull_cli.pull(store, config, ["hotline"])[0].ok
    warnings.evaluate(store, send=False, at=at)
    firing = alert_store.alerts(store, ["firing"])
    hit = firing[firing.rule == "source_overdue"]
    assert len(hit) == 1 and "12345 热线导出" in hit.title.iloc[0] and "找不到文件夹" in hit.message.iloc[0]
    assert "超期 2.0 小时" in hit.title.iloc[0]
    S.record(store, "hotline", started=at, ok=True, status="unchanged", rows=0, written=0, batches=[], message="")
    warnings.evaluate(store, send=False, at=at)
    assert "source_overdue" not in set(alert_store.alerts(store, ["firing"]).rule)  # pulled: resolved


def test_the_readme_s_gateway_api_source_pulls_tickets_and_then_only_what_changed(store, tmp_path, monkeypatch):
    """The README's second example, pointed at a local gateway: a token for the key and the secret,
    POSTed pages, codes put as words, Unix milliseconds, and the next pull sends the newest change."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    block = re.findall(r"```toml\n(.*?)```", text, re.S)[1]
    ms = 1_793_667_600_000  # 2026-11-03 09:00 in China
    orders = [{"orderNo": f"GW{i}", "acceptTime": ms + i * 3_600_000, "areaCode": "411402000000", "typeName": "供暖",
               "sourceName": "电话", "state": "3" if i % 2 else "2", "deadline": ms + (i + 120) * 3_600_000,
               "finishTime": ms + (i + 5) * 3_600_000 if i % 2 else None, "evaluate": "1" if i % 2 else None,
               "updateTime": ms + i * 3_600_000} for i in range(3)]
    with Peer() as peer:
        asked = []

        def login(req, q):
            ok = req.json == {"appKey": "cockpit", "appSecret": "gw-secret"}
            return 200, {}, json.dumps({"code": 0, "data": {"token": "t-1"}} if ok else {"code": 401, "msg": "密钥错误"},
                                       ensure_ascii=False).encode()

        def query(req, q):
            asked.append(req.json)
            if req.headers.get("Authorization") != "Bearer t-1":
                return 200, {}, json.dumps({"code": 401, "msg": "未登录"}, ensure_ascii=False).encode()
            size, num = req.json["page"]["size"], req.json["page"]["num"]
            return 200, {}, json.dumps({"code": 0, "data": {"records": orders[(num - 1) * size:num * size],
                                                            "total": len(orders)}}).encode()
        peer.routes["/auth/token"], peer.routes["/12345/api/orders/query"] = login, query
        body = (block.replace("https://gateway.example.internal", peer.url)
                + f'allow_hosts = ["127.0.0.1:{peer.port}"]\n')
        config = S.load(write_sources(tmp_path / "sources.toml", body), {"GATEWAY_SECRET": "gw-secret"})
        (out,) = pull_cli.pull(store, config, ["hotline_api"], {"GATEWAY_SECRET": "gw-secret"})
        assert out.ok and out.written == 3, out.message
        got = store.frame(s.hotline_tickets.select().order_by(s.hotline_tickets.c.source_key))
        assert got.status.tolist() == ["办理中", "已办结", "办理中"] and set(got.region_code) == {"411402"}
        assert str(got.created_at[0]) == "2026-11-03 09:00:00" and got.satisfaction[1] == "满意"
        assert asked[0] == {"query": {"area": "商丘市"}, "page": {"num": 1, "size": 500}}
        pull_cli.pull(store, config, ["hotline_api"], {"GATEWAY_SECRET": "gw-secret"})
        assert asked[-1]["query"] == {"area": "商丘市", "updatedSince": ms + 2 * 3_600_000}


@pytest.mark.parametrize("echoed", [True, False], ids=["echoing the token", "plain"])
def test_an_error_whose_class_takes_other_arguments_keeps_its_words(store, tmp_path, monkeypatch, echoed):
    """A UnicodeDecodeError (five arguments, not one) once became a TypeError while its token was masked."""
    from connectors.http import HttpConnector

    def garbled(self):
        said = f"（token={self.values['token']}）" if echoed else ""
        raise UnicodeDecodeError("utf-8", b"\xff", 0, 1, f"接口{said}返回的内容不是 UTF-8")
        yield  # a generator, as every connector's read is
    monkeypatch.setattr(HttpConnector, "read", garbled)
    body = (f'[sources.stats]\nkind = "http"\nurl = "http://127.0.0.1:{free_port()}/x.csv"\nformat = "csv"\n'
            'allow_hosts = ["127.0.0.1"]\ntoken_env = "STATS_TOKEN"\n')
    env = {"STATS_TOKEN": "tk-20261201"}
    config = S.load(write_sources(tmp_path / "sources.toml", body), env)
    (out,) = pull_cli.pull(store, config, ["stats"], env)
    assert not out.ok and "返回的内容不是 UTF-8" in out.message and "未预料" not in out.message, out.message
    assert "tk-20261201" not in out.message and ("token=***" in out.message) is echoed
    assert S.states(store).set_index("source").loc["stats"].last_error == out.message


def test_a_broken_sources_file_skips_only_the_source_rule_and_keeps_its_alerts(store, tmp_path, monkeypatch, caplog):
    """One bad line in sources.toml stopped every warning: the evaluation raised before any rule ran,
    so 预警中心 showed yesterday's alerts for every domain and said nothing."""
    (tmp_path / "drop").mkdir()
    good = write_sources(tmp_path / "sources.toml", f'[sources.drop]\nkind = "folder"\ntitle = "投递文件夹"\n'
                                                    f'path = "{tmp_path / "drop"}"\nschedule = "hourly"\n')
    monkeypatch.setenv("COCKPIT_SOURCES", str(good))
    S.record(store, "drop", started=dt.datetime.now(), ok=True, status="written", rows=1, written=1,
             batches=[], message="ok")  # stamped now
    at = dt.datetime.now() + dt.timedelta(hours=30)
    warnings.evaluate(store, at.date(), at=at, send=False)
    firing = alert_store.alerts(store, ("firing",))
    (title,) = firing[firing.rule == "source_overdue"].title
    assert re.fullmatch(r"数据源“投递文件夹”数据超期 (29|30)\.\d 小时", title), title  # due on the hour after it
    good.write_text('[sources.drop]\nkind = "nope"\n', encoding="utf-8")
    with caplog.at_level("ERROR"):
        warnings.evaluate(store, at.date(), at=at + dt.timedelta(hours=1), send=False)  # no exception
    assert "数据源配置文件有误，本次不评估“数据源超期”规则" in caplog.text
    after = alert_store.alerts(store, ("firing",))
    assert after[after.rule == "source_overdue"].title.tolist() == [title]  # kept, not resolved
    assert len(after) == len(firing)
