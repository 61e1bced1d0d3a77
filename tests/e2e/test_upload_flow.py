"""A staff member's path in real Chromium: template -> fill -> upload -> preview -> commit ->
overview changes -> correction -> rollback -> overview shows the first value again."""
from __future__ import annotations

import openpyxl
import pytest

from cockpit import fmt, periods
from tests.conftest import DEMO_END, copy_db
from tests.e2e.test_browser import IDLE, OUT, serving, settle


@pytest.fixture(scope="module")
def server(demo_db, tmp_path_factory):
    with serving(copy_db(demo_db, tmp_path_factory.mktemp("upload") / "cockpit.db"), "upload") as url:
        yield url


@pytest.fixture(scope="module")
def page(browser):
    ctx = browser.new_context(viewport={"width": 1600, "height": 1200}, locale="zh-CN", accept_downloads=True)
    yield ctx.new_page()
    ctx.close()


def _retail_tile(page, server) -> str:
    page.goto(server)
    label = page.get_by_text("社会消费品零售总额（2026年1—10月累计）").first
    label.wait_for(timeout=90_000)
    metric = page.locator("[data-testid=stMetric]").filter(has_text="社会消费品零售总额").first
    return metric.locator("[data-testid=stMetricValue]").inner_text()


def _upload(page, server, path, user="张三") -> str:
    page.goto(f"{server}/upload")
    page.get_by_text("选择 Excel 或 CSV 文件").first.wait_for(timeout=90_000)
    page.get_by_label("报送人").fill(user)
    page.get_by_label("报送人").press("Tab")
    page.locator("input[type=file]").set_input_files(str(path))
    # the file was read and checked; after a commit the background refit shares the 2 cores, and a
    # loaded machine once took over a minute here
    page.get_by_text("校验码").first.wait_for(timeout=150_000)
    settle(page)
    body = page.inner_text("body")
    assert "预览" in body, body[-3000:]
    page.get_by_role("button", name="确认写入").click()
    page.get_by_text("已写入批次").first.wait_for(timeout=60_000)
    return body


def test_template_fill_upload_commit_correct_and_roll_back(server, page, tmp_path):
    before = _retail_tile(page, server)
    page.goto(f"{server}/upload")
    page.get_by_role("tab", name="下载模板").click()
    page.get_by_text("逐行格式（每行一个数）").first.wait_for(timeout=60_000)
    # The template offers the last complete month first; the demo store ends at DEMO_END, whatever today is.
    page.get_by_label("时期", exact=True).click()
    page.get_by_role("option", name=periods.label(DEMO_END), exact=True).click()
    page.wait_for_timeout(500)
    page.wait_for_function(IDLE, timeout=60_000)  # the button now holds that month's template
    with page.expect_download() as dl:
        page.get_by_role("button", name="下载模板").click()
    template = tmp_path / "模板.xlsx"
    dl.value.save_as(template)

    def fill(value: float, name: str):
        wb = openpyxl.load_workbook(template)
        ws = wb["数据"]
        hits = [r for r in ws.iter_rows(min_row=2) if (r[0].value, r[1].value, r[3].value) ==
                ("商丘市", "社会消费品零售总额", "累计")]
        assert len(hits) == 1 and hits[0][2].value == DEMO_END
        hits[0][4].value = value
        out = tmp_path / name
        wb.save(out)
        return out

    first = fill(1500.5, "报表.xlsx")
    shown = _upload(page, server, first)
    assert "新增" in shown and "修改" in shown
    page.screenshot(path=str(OUT / "upload-preview.png"), full_page=True)
    assert _retail_tile(page, server) == fmt.number(1500.5, "亿元") != before

    _upload(page, server, fill(1490.0, "更正.xlsx"))
    assert _retail_tile(page, server) == fmt.number(1490.0, "亿元")

    page.goto(f"{server}/upload")
    page.get_by_role("tab", name="报送历史").click()
    page.get_by_text("回滚此批次").first.wait_for(timeout=60_000)
    page.get_by_label("操作人").fill("王五")
    page.get_by_label("回滚原因").fill("更正文件填错")
    page.get_by_role("button", name="回滚此批次").click()
    page.get_by_text("已回滚批次").first.wait_for(timeout=60_000)
    page.screenshot(path=str(OUT / "upload-rollback.png"), full_page=True)
    assert _retail_tile(page, server) == fmt.number(1500.5, "亿元")


@pytest.mark.parametrize("width, height", [(1920, 1080), (3840, 2160)])
def test_a_county_workbook_shows_what_is_not_imported_and_offers_to_map_unknown_names(server, browser, tmp_path,
                                                                                   width, height):
    """The 统计月报 a county office sends: the preview lists every cell left out with its reason and
    offers the mapping form; nothing on the screen is English or cut off."""
    import re

    from tests.fixtures import workbooks as W
    path = tmp_path / "县区月报.xlsx"
    path.write_bytes(W.book(W.Variant()).data)
    ctx = browser.new_context(viewport={"width": width, "height": height}, locale="zh-CN")
    page = ctx.new_page()
    try:
        page.goto(f"{server}/upload")
        page.get_by_text("选择 Excel 或 CSV 文件").first.wait_for(timeout=90_000)
        page.locator("input[type=file]").set_input_files(str(path))
        page.get_by_text("未导入的内容").first.wait_for(timeout=60_000)
        page.get_by_text("保存对应并重新校验").first.wait_for(timeout=30_000)
        settle(page)
        # What a person reads in the main column (icon ligatures such as "upload" are drawn as icons).
        body = page.evaluate("""() => { const m = document.querySelector('[data-testid=stMain]').cloneNode(true);
            m.querySelectorAll('[data-testid=stIconMaterial], [translate=no], svg, script, style, [data-testid=stFileUploader]')
                .forEach(e => e.remove());
            // A detached copy has no layout: its innerText runs cells and blocks together, so each
            // element's text is closed by a space (else "报表.xlsx" + "Excel 文件" read as one word).
            m.querySelectorAll('*').forEach(e => e.append(' '));
            return m.innerText; }""")
        assert re.search(r"未导入的内容（\d+ 处）", body) and "指标“税收收入”（" in body
        assert "保存对应并重新校验" in body
        # Every visible word Chinese; file kinds, encodings, the names Excel and CSV and the file's digest aside.
        body = re.sub(r"校验码 [0-9a-f]+…", "", body)
        words = set(re.findall(r"[A-Za-z]{3,}", body)) - {"xlsx", "csv", "CSV", "Excel", "GBK", "UTF"}
        assert not words, [body[max(0, body.find(w) - 30):body.find(w) + 30] for w in sorted(words)]
        # Nothing cut off: no element of the main column is wider than the window.
        overflow = page.evaluate("""() => [...document.querySelectorAll('[data-testid=stMain] *')]
            .filter(e => e.getBoundingClientRect().right > window.innerWidth + 1).length""")
        assert overflow == 0
        page.screenshot(path=str(OUT / f"upload-county-workbook-{width}x{height}.png"), full_page=True)
        page.get_by_text("管理员：作为新指标加入目录").first.scroll_into_view_if_needed()  # the list and the form
        page.wait_for_timeout(500)
        page.screenshot(path=str(OUT / f"upload-county-workbook-{width}x{height}-list.png"))
    finally:
        ctx.close()
