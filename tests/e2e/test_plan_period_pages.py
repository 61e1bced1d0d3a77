"""After the plan's period, in real Chromium on a wall screen and a desk screen: 建设指标 and 督查督办
show the final assessment, and no 序时进度 light or "60 日内到期" is left on them."""
from __future__ import annotations

import pytest

from tests.conftest import copy_db
from tests.e2e.test_browser import OUT, serving, settle

WAIT = 120_000


@pytest.fixture(scope="module")
def server(demo_db, tmp_path_factory):
    with serving(copy_db(demo_db, tmp_path_factory.mktemp("plan") / "cockpit.db"), "plan-period") as url:
        yield url


@pytest.mark.parametrize("size", [(1920, 1080), (3840, 2160)], ids=["1920x1080", "3840x2160"])
@pytest.mark.parametrize("page,shows,never", [
    # Table cells are drawn on a canvas: the words checked are the page's own text.
    ("indicators", ["已达标", "未达标", "规划期（2023—2025 年）已于 2025年12月31日 结束"], ["绿灯", "黄灯", "序时进度按"]),
    ("tasks", ["已完成任务（", "逾期未完成任务（", "逾期一年以上", "以下为期末评估"], ["日内到期"]),
])
def test_after_the_plan_period_the_page_shows_the_final_assessment(server, browser, size, page, shows, never):
    ctx = browser.new_context(viewport={"width": size[0], "height": size[1]}, locale="zh-CN")
    tab = ctx.new_page()
    tab.goto(f"{server}/{page}")
    tab.get_by_text("数据截至").first.wait_for(timeout=WAIT)
    for word in shows:  # a loaded machine draws the page's blocks one after another
        tab.get_by_text(word).first.wait_for(timeout=WAIT)
    tab.wait_for_load_state("networkidle")
    settle(tab)
    tab.screenshot(path=str(OUT / f"{page}-after-plan-{size[0]}x{size[1]}.png"), full_page=True)
    body = tab.inner_text("body")
    ctx.close()
    assert all(word in body for word in shows), [w for w in shows if w not in body]
    assert not any(word in body for word in never), [w for w in never if w in body]
