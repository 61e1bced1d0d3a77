"""Two cockpit processes on one store behind a sticky load balancer (README, "Deploying on PostgreSQL,
more than one process"): each browser stays with its process (an upload, which takes the session's
reruns and the upload endpoint, succeeds through the balancer), and what one process writes is on the
other's pages at their next run; a login made on one holds on the other. On PostgreSQL when make test
provides one, else on SQLite.

The balancer is bench/lb.py (nginx's cookie hash, in the standard library; bench/peer_scale.py times it).
"""
from __future__ import annotations

import os
import subprocess
import sys

import openpyxl
import pytest

from bench.lb import running, served
from cockpit import auth, fmt
from cockpit.config import Settings
from cockpit.store import Store
from tests.conftest import DEMO_END, DEMO_TICKETS, ROOT, _reset_pg, copy_db
from tests.e2e.test_browser import OUT, serving
from tests.e2e.test_login_cookie import PW, WAIT, _asks_for_login, _login
from tests.e2e.test_upload_flow import _retail_tile, _upload


@pytest.fixture(scope="module")
def db_url(demo_db, tmp_path_factory):
    pg = os.environ.get("COCKPIT_TEST_PG_URL")
    if not pg:
        return copy_db(demo_db, tmp_path_factory.mktemp("processes") / "cockpit.db")
    from service.bootstrap import load_demo
    _reset_pg(pg)
    store = Store(pg, Settings(data_dir=tmp_path_factory.mktemp("processes"), demo_on_empty=False))
    store.init()
    load_demo(store, tickets=DEMO_TICKETS, end=DEMO_END)
    store.engine.dispose()
    return pg


@pytest.fixture(scope="module")
def cluster(db_url):
    with serving(db_url, "process-0") as first, serving(db_url, "process-1") as second:
        with running([first, second]) as url:
            yield url, db_url


def _workbook(path, value: float):
    """The long layout: one figure, the city's retail sales to date."""
    wb = openpyxl.Workbook()
    wb.active.append(["地区", "指标", "时期", "口径", "数值"])
    wb.active.append(["商丘市", "社会消费品零售总额", DEMO_END, "累计", value])
    wb.save(path)
    return path


def test_what_one_process_writes_is_on_the_others_page_and_so_is_a_rollback(cluster, browser, tmp_path):
    url, db = cluster
    tabs = []
    for node in (0, 1):  # the cookie the balancer sets on a first visit, set ahead: A on process 0, B on 1
        ctx = browser.new_context(viewport={"width": 1600, "height": 1200}, locale="zh-CN")
        ctx.add_cookies([{"name": "cockpit_node", "value": str(node), "url": url}])
        tabs.append(ctx.new_page())
    a, b = tabs
    try:
        before = _retail_tile(a, url)
        assert _retail_tile(b, url) == before
        taken = served(url)

        _upload(a, url, _workbook(tmp_path / "报表.xlsx", 1500.5))  # through process 0
        assert _retail_tile(b, url) == fmt.number(1500.5, "亿元") != before  # process 1, at its next run
        taken_between = served(url)
        _upload(b, url, _workbook(tmp_path / "更正.xlsx", 1490.0))  # through process 1
        assert _retail_tile(a, url) == fmt.number(1490.0, "亿元")
        b.screenshot(path=str(OUT / "processes-after-upload.png"))

        engine = Store(db, Settings(demo_on_empty=False)).engine
        with engine.connect() as conn:  # the correction's batch
            last = conn.exec_driver_sql("SELECT max(id) FROM upload_batches").scalar()
        engine.dispose()
        env = {**os.environ, "COCKPIT_DB_URL": db, "COCKPIT_CONFIG": ""}
        done = subprocess.run([sys.executable, "-m", "cockpit", "rollback", str(last), "--reason", "演练", "--user", "王五"],
                              cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
        assert done.returncode == 0, done.stderr[-2000:]
        assert _retail_tile(a, url) == _retail_tile(b, url) == fmt.number(1500.5, "亿元")  # each at its next run
        # The balancer sent each half's work to both processes, not all of it to one.
        now = served(url)
        assert taken_between[0] > taken[0] and taken_between[1] > taken[1]
        assert now[0] > taken_between[0] and now[1] > taken_between[1]
    finally:
        for tab in tabs:
            tab.context.close()


def test_a_login_on_one_process_holds_on_the_other_and_a_logout_on_either_ends_it(cluster, browser):
    """What a leader sees when the balancer moves them (a process stopped): still logged in. Runs last
    in this file: it turns login on for the store."""
    url, db = cluster
    auth.add_user(Store(db, Settings(demo_on_empty=False)), "领导甲", "leader", PW)
    ctx = browser.new_context(viewport={"width": 1600, "height": 1200}, locale="zh-CN")

    def to_process(node: int) -> None:  # what the balancer's cookie would say after a move
        ctx.add_cookies([{"name": "cockpit_node", "value": str(node), "url": url}])
    try:
        to_process(0)
        tab = ctx.new_page()
        tab.goto(f"{url}/tasks")
        _login(tab, "领导甲")
        to_process(1)
        tab.reload()
        tab.get_by_text("数据截至").first.wait_for(timeout=WAIT)
        assert tab.get_by_label("用户名").count() == 0 and "当前用户：领导甲" in tab.inner_text("body")
        tab.get_by_role("button", name="退出登录").click()
        _asks_for_login(tab, "已退出登录")
        to_process(0)
        tab.reload()
        _asks_for_login(tab, "已退出登录")
    finally:
        ctx.close()
