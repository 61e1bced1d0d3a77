"""The adversarial suite against a real server in real Chromium: hostile uploads must not stop it
for anyone else, user text must never become a link or an image, and the server answers with the
headers an intranet deployment needs. Grows with every new door."""
from __future__ import annotations

import threading
import time
import urllib.error
import urllib.request

import pytest
from playwright.sync_api import TimeoutError as PlaywrightTimeout

from cockpit import auth, schema as s
from cockpit.store import Store, now
from cockpit.uploads.rollback import rollback
from service import alerts
from tests.conftest import copy_db
from tests.e2e.test_browser import OUT, serving, settle
from tests.hostile_files import far_cell_workbook, many_rows_workbook

# A tracking pixel and a link to an address nothing listens on: Chromium would try to fetch it.
PIXEL_HOST = "127.0.0.2:9"
PIXEL = f"![b](http://{PIXEL_HOST}/x.gif) [点我](http://{PIXEL_HOST}/go)"


@pytest.fixture(scope="module")
def served(demo_db, tmp_path_factory):
    db = copy_db(demo_db, tmp_path_factory.mktemp("adversarial") / "cockpit.db")
    store = Store(db)
    at = now()
    with store.begin() as conn:
        aid = conn.execute(s.alerts.insert().values(
            rule="test", subject="pixel", level=1, state="firing", title="测试预警", message="测试",
            started_at=at, updated_at=at)).inserted_primary_key[0]
    alerts.assign(store, aid, PIXEL, actor="测试", note=PIXEL)
    demo_batch = int(store.batches().query("dataset == 'task_progress'").id.iloc[0])
    rollback(store, demo_batch, by="测试", reason=PIXEL)
    with serving(db, "adversarial") as url:
        yield url, store, demo_batch


def _health(url: str) -> bool:
    try:
        return urllib.request.urlopen(url + "/_stcore/health", timeout=5).read() == b"ok"
    except OSError:
        return False


@pytest.mark.parametrize("hostile", ["far_cell", "many_rows"])
def test_a_hostile_upload_is_refused_and_other_sessions_are_served_during_and_after(served, browser, tmp_path,
                                                                                    hostile):
    url, _, _ = served
    path = tmp_path / f"{hostile}.xlsx"
    path.write_bytes(far_cell_workbook() if hostile == "far_cell" else many_rows_workbook(5_000_000))
    answers: list[bool] = []
    stop = threading.Event()

    def poll():
        while not stop.is_set():
            answers.append(_health(url))
            time.sleep(0.2)
    other = browser.new_context(viewport={"width": 1920, "height": 1080}, locale="zh-CN")
    viewer = other.new_page()
    viewer.goto(url)
    viewer.get_by_text("数据截至").first.wait_for(timeout=90_000)
    clerk = browser.new_page(viewport={"width": 1600, "height": 1200})
    clerk.goto(f"{url}/upload")
    clerk.get_by_text("选择 Excel 或 CSV 文件").first.wait_for(timeout=90_000)
    poller = threading.Thread(target=poll)
    poller.start()
    try:
        clerk.locator("input[type=file]").set_input_files(str(path))
        viewer.reload()  # another user's page is served while the file is being read
        viewer.get_by_text("数据截至").first.wait_for(timeout=60_000)
        clerk.get_by_text("校验码").first.wait_for(timeout=120_000)
        clerk.get_by_text("整个文件未写入").first.wait_for(timeout=30_000)
    finally:
        stop.set()
        poller.join()
    body = clerk.inner_text("body")
    clerk.screenshot(path=str(OUT / f"adversarial-{hostile}.png"), full_page=True)
    assert ("XFD1048576" in body) if hostile == "far_cell" else ("行数过多" in body), body[-2000:]
    assert "确认写入" not in body and "Traceback" not in body
    assert answers and all(answers), answers  # the health check never failed
    viewer.reload()
    viewer.get_by_text("数据截至").first.wait_for(timeout=60_000)  # and after
    assert _health(url)
    clerk.close()
    other.close()


def _choose(tab, label: str, option: str) -> None:
    """Pick `option` in the select box `label` as a person does: open it and type. The list draws
    only the options in view, and a rerun of the page (the background evaluation this page starts
    finishing) can close it under the click: then it is opened again, as a person would."""
    for _ in range(3):
        tab.get_by_label(label).click()
        tab.keyboard.type(option)
        try:
            tab.get_by_role("option", name=option, exact=True).click(timeout=10_000)
            return
        except PlaywrightTimeout:
            tab.keyboard.press("Escape")
    raise AssertionError(f"“{option}” never appeared in “{label}”")


def test_user_text_never_becomes_a_link_or_an_image(served, browser):
    url, store, batch = served
    tried: list[str] = []
    tab = browser.new_page(viewport={"width": 1920, "height": 1080})
    tab.on("request", lambda r: tried.append(r.url) if PIXEL_HOST in r.url else None)
    tab.goto(f"{url}/warnings")
    tab.get_by_label("查看预警").wait_for(timeout=90_000)
    _choose(tab, "查看预警", "测试预警")
    tab.get_by_text("督办：").first.wait_for(timeout=30_000)
    settle(tab)
    assert tab.locator(f"img[src*='{PIXEL_HOST}']").count() == 0
    assert tab.locator(f"a[href*='{PIXEL_HOST}']").count() == 0
    assert f"![b](http://{PIXEL_HOST}/x.gif)" in tab.inner_text("body").replace("\u200b", "")  # the invisible break against autolinks
    tab.goto(f"{url}/upload")
    tab.get_by_role("tab", name="报送历史").click()
    tab.get_by_text("查看批次").first.wait_for(timeout=60_000)
    _choose(tab, "查看批次", f"#{batch}")
    tab.get_by_text("该批次已回滚").first.wait_for(timeout=30_000)
    settle(tab)
    assert tab.locator(f"img[src*='{PIXEL_HOST}']").count() == 0
    assert tab.locator(f"a[href*='{PIXEL_HOST}']").count() == 0
    assert f"[点我](http://{PIXEL_HOST}/go)" in tab.inner_text("body").replace("\u200b", "")  # the invisible break against autolinks
    tab.close()
    assert tried == []


def test_the_server_refuses_framing_and_sniffing_and_hides_its_metrics(served):
    url, _, _ = served
    for path in ("/", "/economy", "/_stcore/health"):
        headers = urllib.request.urlopen(url + path, timeout=10).headers
        assert headers["Content-Security-Policy"] == "frame-ancestors 'self'", path
        assert headers["X-Frame-Options"] == "SAMEORIGIN" and headers["X-Content-Type-Options"] == "nosniff"
    try:
        answer = urllib.request.urlopen(url + "/_stcore/metrics", timeout=10)
        text, kind = answer.read().decode("utf-8", "replace"), answer.headers["Content-Type"]
    except urllib.error.HTTPError as exc:
        text, kind = "", exc.headers["Content-Type"] or ""
    assert "openmetrics" not in kind and "session_state" not in text and "# TYPE" not in text


def test_an_open_mode_screen_link_stops_working_once_users_exist(served, browser):
    url, store, _ = served
    token = auth.create_screen_link(store, "开放模式下建的大屏", actor=auth.OPEN_USER.name)
    auth.add_user(store, "首位管理员", "admin", "correct horse battery")
    tab = browser.new_page(viewport={"width": 1920, "height": 1080})
    tab.goto(f"{url}/?token={token}")
    tab.get_by_text("已被收回").first.wait_for(timeout=90_000)
    assert tab.locator("[data-testid=stMetricValue]").count() == 0
    tab.close()
