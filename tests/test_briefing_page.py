"""月度简报 and the chart downloads in AppTest: what the page offers, to whom, and the pack made
with one click (drawn by the real renderer)."""
from __future__ import annotations

import json

from cockpit import auth
from cockpit.store import Store
from tests.conftest import open_app

PW = "county-pass-2026"


def _downloads(at) -> list[str]:
    return [e.proto.label for e in at.get("download_button")]


def test_every_chart_hides_plotlys_english_toolbar_and_offers_our_downloads(demo_db, monkeypatch):
    at = open_app(monkeypatch, demo_db, "pages/economy.py")
    plots = at.get("plotly_chart")
    assert len(plots) == 2
    for p in plots:
        assert json.loads(p.proto.config)["displayModeBar"] is False
    assert [e.proto.popover.label for e in at.get("popover")].count("下载图片") == 2
    assert {"PNG（幻灯片 2×，2560×1440）", "PNG（大屏 3840×2160）", "SVG（矢量）", "PDF（矢量）"} <= set(_downloads(at))


def test_the_briefing_page_offers_every_month_and_region_to_a_leader(demo_db, monkeypatch):
    monkeypatch.setattr("service.briefing_render.warm_in_background", lambda: None)  # no browser: nothing drawn
    at = open_app(monkeypatch, demo_db, "pages/briefing.py")
    assert at.selectbox(key="b_month").value == "2026-10"
    assert len(at.selectbox(key="b_region").options) == 11 and at.selectbox(key="b_region").value == "411400"
    assert any("数据截至：2026年10月" in c.value for c in at.caption)
    assert not any(label.startswith("下载演示文稿") for label in _downloads(at))  # nothing made on a rerun


def test_a_county_user_makes_a_pack_of_their_county_in_one_click(demo_copy, monkeypatch, renderer):
    auth.add_user(Store(demo_copy), "永城", "county", PW, region_code="411481")
    at = open_app(monkeypatch, demo_copy, login=("永城", PW))
    at.switch_page("pages/briefing.py").run()
    assert at.selectbox(key="b_region").options == ["永城市"] and at.selectbox(key="b_region").disabled
    at.button(key="b_make").click().run(timeout=600)
    assert not at.exception, [e.message for e in at.exception]
    assert {"下载演示文稿（PPTX）", "下载PDF 文档", "下载图表数据（XLSX）"} <= set(_downloads(at))
    assert any(h.value == "永城市经济运行月度简报（2026年10月）" for h in at.subheader)
    texts = [t.value for t in at.text]
    assert any(t.startswith("1—10月，永城市社会消费品零售总额") for t in texts)
    others = {"梁园区", "睢阳区", "民权县", "睢县", "宁陵县", "柘城县", "虞城县", "夏邑县", "示范区"}
    assert not any(o in t for t in texts for o in others)
    # another month chosen: the pack made for October is not offered under it
    at.selectbox(key="b_month").select("2026-09").run()
    assert not _downloads(at) and not any("经济运行月度简报" in h.value for h in at.subheader)
    at.selectbox(key="b_month").select("2026-10").run()  # back to the month it was made for
    assert "下载演示文稿（PPTX）" in _downloads(at)
