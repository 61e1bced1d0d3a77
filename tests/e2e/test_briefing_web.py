"""Real Chromium: a chart taken as a wall-size picture from its 下载图片 menu (drawn on the server,
audited), and the 月度简报 made with one click; screenshots in test-results/."""
from __future__ import annotations

import io
import time

from PIL import Image
from sqlalchemy import select

from cockpit import schema as s
from cockpit.store import Store
from tests.conftest import copy_db
from tests.e2e.test_browser import IDLE, OUT, serving, settle


def test_a_chart_downloads_at_wall_size_drawn_on_the_server_and_audited(demo_db, browser, tmp_path):
    db = copy_db(demo_db, tmp_path / "cockpit.db")
    with serving(db, "chart-download") as url:
        ctx = browser.new_context(viewport={"width": 1920, "height": 1080}, locale="zh-CN", accept_downloads=True)
        tab = ctx.new_page()
        tab.set_default_timeout(180_000)
        tab.goto(f"{url}/economy")
        tab.get_by_text("数据截至").first.wait_for()
        # The whole page drawn first: a menu opened while elements below it still arrive is pushed
        # out of the window (CI, under load, timed out clicking its item).
        tab.wait_for_function(IDLE, polling=500)
        assert tab.locator(".modebar").count() == 0  # Plotly's English toolbar is not there
        tab.get_by_text("下载图片").first.click()
        time.sleep(1)
        tab.screenshot(path=str(OUT / "chart-download-menu-1920x1080.png"))
        with tab.expect_download() as download:
            tab.get_by_text("PNG（大屏 3840×2160）").first.click()
        path = tmp_path / download.value.suggested_filename
        download.value.save_as(path)
        ctx.close()
    picture = Image.open(io.BytesIO(path.read_bytes()))
    assert picture.size == (3840, 2160) and path.name.endswith("-wall.png")
    audit = Store(db).frame(select(s.audit_log.c.action, s.audit_log.c.target, s.audit_log.c.detail))
    assert ((audit.action == "export") & (audit.target == "chart:e_trend") & (audit.detail == path.name)).any()


def test_the_briefing_is_made_with_one_click_and_offers_its_three_files(demo_db, browser, tmp_path):
    with serving(copy_db(demo_db, tmp_path / "cockpit.db"), "briefing") as url:
        tab = browser.new_page(viewport={"width": 1920, "height": 1080}, locale="zh-CN")
        tab.set_default_timeout(300_000)
        tab.goto(f"{url}/briefing")
        tab.get_by_text("生成月度简报").first.click()
        tab.get_by_text("下载演示文稿（PPTX）").wait_for()
        settle(tab)
        tab.screenshot(path=str(OUT / "briefing-1920x1080.png"), full_page=True)
        body = tab.inner_text("body")
        tab.close()
    assert "下载PDF 文档" in body and "下载图表数据（XLSX）" in body
    assert "1—10月，全市社会消费品零售总额" in body and "Traceback" not in body
