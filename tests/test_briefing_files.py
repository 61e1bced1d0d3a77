"""The pictures and the pack as files, drawn by the real renderer (kaleido with Debian's Chromium,
started once per session: the `renderer` fixture) and opened the way their readers open them: python-pptx, pypdf,
pdfium (a page turned into pixels) and openpyxl; PNGs with Pillow."""
from __future__ import annotations

import io
import re

import pandas as pd
import pypdfium2 as pdfium
import pytest
from openpyxl import load_workbook
from PIL import Image
from pptx import Presentation
from pypdf import PdfReader
from sqlalchemy import select

from cockpit import charts, city, schema as s
from cockpit.store import Store
from service import briefing_render, cli
from tests.conftest import DEMO_END


@pytest.fixture(scope="module")
def pack_files(renderer, demo_db, tmp_path_factory):
    from tests.conftest import copy_db
    tmp = tmp_path_factory.mktemp("briefing")
    db = copy_db(demo_db, tmp / "cockpit.db")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("COCKPIT_DB_URL", db)
        mp.setenv("COCKPIT_CONFIG", "")
        mp.setenv("COCKPIT_BRIEFING_DIR", str(tmp / "out"))
        from cockpit import config
        config.settings.cache_clear()
        assert cli.main(["briefing", "--month", DEMO_END, "--out", "2026-10"]) == 0
        config.settings.cache_clear()
    folder = tmp / "out" / "2026-10"
    return {p.suffix[1:]: p for p in folder.iterdir()}, Store(db)


def _chart():
    values = pd.DataFrame({"period": ["2026-07", "2026-08", "2026-09", "2026-10"], "value": [5.2, 6.1, 6.0, 7.2]})
    return charts.trend(values, title="社会消费品零售总额同比", unit="%", caliber="限额以上及以下合计",
                        source="市统计局", as_of="2026年10月")


@pytest.mark.parametrize("key, size", [("png-slide", (2560, 1440)), ("png-wall", (3840, 2160))])
def test_a_chart_downloads_as_a_png_for_slides_and_for_the_wall(renderer, key, size):
    png = briefing_render.chart(_chart(), key, demo=True)
    image = Image.open(io.BytesIO(png)).convert("RGB")
    assert image.size == size
    assert len(image.getcolors(maxcolors=1 << 20) or []) > 50  # a drawn chart, not a blank


def test_a_chart_downloads_as_svg_and_pdf_with_its_labels_in_chinese(renderer):
    svg = briefing_render.chart(_chart(), "svg", demo=True).decode("utf-8")
    for text in ("社会消费品零售总额同比", "数据截至：2026年10月", "来源：市统计局", "演示数据", "2026年10月"):
        assert text in svg
    assert "Oct" not in svg
    pdf = briefing_render.chart(_chart(), "pdf", demo=False)
    assert pdf.startswith(b"%PDF")
    assert "社会消费品零售总额同比" in PdfReader(io.BytesIO(pdf)).pages[0].extract_text()


def test_the_pack_is_three_files_and_the_export_is_audited(pack_files):
    files, store = pack_files
    assert set(files) == {"pptx", "pdf", "xlsx"}
    assert all(p.name.startswith("月度简报-商丘市-2026-10") for p in files.values())
    audit = store.frame(select(s.audit_log.c.action, s.audit_log.c.target, s.audit_log.c.detail))
    assert set(audit[audit.target == "briefing"].detail) == {p.name for p in files.values()}


def test_each_files_properties_name_the_cockpit_and_the_pack(pack_files):
    """Excel's and PowerPoint's 信息 pane: not 作者 openpyxl, nor Steve Canny in 2013."""
    files, _ = pack_files
    props = Presentation(str(files["pptx"])).core_properties
    assert (props.author, props.last_modified_by, props.title) == (city.TITLE, city.TITLE, "商丘市经济运行月度简报")
    assert props.subject == "2026年10月" and props.created.year == props.modified.year >= 2026
    wb = load_workbook(str(files["xlsx"])).properties
    assert (wb.creator, wb.lastModifiedBy, wb.title) == (city.TITLE, city.TITLE, "商丘市经济运行月度简报（2026年10月）")
    meta = PdfReader(str(files["pdf"])).metadata
    assert (meta.author, meta.title, meta.subject) == (city.TITLE, "商丘市经济运行月度简报", "2026年10月")


def _chart_period(page: str) -> str:
    """A chart page is dated by its chart (GDP: 2026年前三季度, not the pack's month); others by the pack."""
    title = re.match(r"(各县区|商丘市)\S+?（(2026年[^）]+)）", page)
    return title.group(2) if title else "2026年10月"


def test_the_slides_hold_a_title_one_chart_each_with_commentary_and_the_tables(pack_files):
    files, _ = pack_files
    slides = Presentation(str(files["pptx"])).slides
    texts = [" ".join(sh.text_frame.text for sh in sl.shapes if sh.has_text_frame) for sl in slides]
    assert "商丘市经济运行月度简报" in texts[0] and "2026年10月" in texts[0] and "演示数据" in texts[0]
    chart_slides = [sl for sl in slides if any(sh.shape_type == 13 for sh in sl.shapes)]  # 13: a picture
    assert len(chart_slides) == 7 + 2  # the 累计 indicators, then CPI and 城镇调查失业率
    assert re.search(r"1—10月，全市社会消费品零售总额\d+\.\d\d亿元，同比(增长|下降)", " ".join(texts))
    for name in ("12345热线受理情况（2026年10月）", "预警情况", "逾期未完成的重点任务", "数字政府建设主要指标"):
        assert any(t.startswith(name) for t in texts), name
    for t in texts[:len(chart_slides) + 1]:  # the filters and 数据截至 on every slide, with its own 口径 and date
        basis = "当月" if t.startswith(("商丘市居民消费价格指数", "商丘市城镇调查失业率")) else "累计"
        as_of = _chart_period(t)
        assert f"地区：商丘市　时期：2026年10月　口径：{basis}　数据截至：{as_of}" in t, t
    for t in texts[len(chart_slides) + 1:]:  # a table's: its own date, its 口径 in the note above (not 累计)
        as_of = re.search(r"数据截至：(\S+)", t).group(1)
        assert f"地区：商丘市　时期：2026年10月　数据截至：{as_of}" in t and "口径：累计" not in t, t
    assert "口径：累计（城镇调查失业率、居民消费价格指数为当月）" in texts[0]
    tables = [sh.table for sl in slides for sh in sl.shapes if sh.has_table]
    assert [t.cell(0, 0).text for t in tables[:2]] == ["诉求类别", "级别"]


def test_the_pdf_has_the_same_content_on_numbered_pages_and_a_page_is_not_blank(pack_files):
    files, _ = pack_files
    reader = PdfReader(str(files["pdf"]))
    pages = [p.extract_text() for p in reader.pages]
    assert len(pages) == len(Presentation(str(files["pptx"])).slides)
    for i, text in enumerate(pages[:10], start=1):  # the title and the charts
        as_of = _chart_period(text)
        assert f"数据截至：{as_of}　" in text and f"{i}/{len(pages)}" in text
    for i, text in enumerate(pages[10:], start=11):  # the tables: each dated by itself
        assert re.search(r"地区：商丘市　时期：2026年10月　数据截至：\S+", text) and f"{i}/{len(pages)}" in text, text
    assert "全市社会消费品零售总额" in "".join(pages)
    cpi = next(t for t in pages if t.startswith("商丘市居民消费价格指数"))
    assert "口径：当月　数据截至" in cpi and "口径：累计　数据截至" not in cpi  # its own 口径 in its footer
    page = pdfium.PdfDocument(str(files["pdf"]))[1].render(scale=1).to_pil().convert("RGB")
    colours = page.getcolors(maxcolors=1 << 20) or []
    assert len(colours) > 100
    white = max(colours)[0] / (page.width * page.height)
    assert white < 0.97  # a chart and text drawn, not an empty page


def test_the_workbook_holds_the_figures_behind_every_chart(pack_files):
    files, store = pack_files
    wb = load_workbook(str(files["xlsx"]))
    assert len(wb.sheetnames) == 1 + 9 + 4  # the title, the charts, the tables (12345, 预警, 任务, 主要指标)
    cpi = list(wb["商丘市居民消费价格指数"].iter_rows(values_only=True))
    assert cpi[0][0] == "商丘市居民消费价格指数（2026年10月）"
    last = next(r for r in cpi if r[0] == "2026年10月")
    obs = store.observations(indicators=["CPI"], regions=["411400"], measures=["month"])
    assert last[1] == float(obs[obs.period == "2026-10"].value.iloc[0])  # a number, as stored
    ws = wb["地区生产总值累计同比"]
    rows = list(ws.iter_rows(values_only=True))
    assert rows[0][0] == "各县区地区生产总值累计同比（2026年前三季度）"
    city = next(r for r in rows if r[0] == "411400")
    obs = store.observations(indicators=["GDP"], regions=["411400"], measures=["ytd"])
    assert city[2] == float(obs[obs.period == "2026-09"].value.iloc[0])
