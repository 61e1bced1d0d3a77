"""The pack as a PPTX (python-pptx, 16:9): a title slide, one chart per slide with its commentary,
then the warnings, the overdue tasks and the plan indicators. The filters in force and 数据截至 are
printed at the foot of every slide, with the 演示数据 mark when the figures are demo."""
from __future__ import annotations

import io

import pandas as pd
from pptx import Presentation
from pptx.dml.color import RGBColor
from pptx.enum.text import PP_ALIGN
from pptx.util import Emu, Inches, Pt

from .. import city, fmt
from .content import Pack
from .sections import ROW_PAD_PT, TABLE_PT, TableSection, texts, widths

FONT = "WenQuanYi Micro Hei"
INK, GREY, BLUE, AMBER = RGBColor(0x22, 0x22, 0x22), RGBColor(0x66, 0x66, 0x66), RGBColor(0x0B, 0x5C, 0xAB), \
    RGBColor(0xB4, 0x53, 0x09)
W, H = Inches(13.333), Inches(7.5)
TITLE_ONLY = 5  # the default template's "Title Only" layout


def _text(slide, left, top, width, height, text: str, size: int, *, bold=False, colour=INK, box=None):
    """Text in a new text box, or in `box` (a placeholder), placed and styled alike."""
    if box is None:
        box = slide.shapes.add_textbox(left, top, width, height)
    else:
        box.left, box.top, box.width, box.height = left, top, width, height
    frame = box.text_frame
    frame.word_wrap = True
    for i, line in enumerate(text.split("\n")):
        p = frame.paragraphs[0] if i == 0 else frame.add_paragraph()
        p.alignment = PP_ALIGN.LEFT
        run = p.add_run()
        run.text = line
        run.font.size, run.font.bold, run.font.name = Pt(size), bold, FONT
        run.font.color.rgb = colour
    return box


def _titled(prs, left, top, width, height, text: str, size: int):
    """A slide whose title is its title placeholder, so that PowerPoint's outline and navigation
    name it (text boxes left every slide untitled)."""
    slide = prs.slides.add_slide(prs.slide_layouts[TITLE_ONLY])
    _text(slide, left, top, width, height, text, size, bold=True, colour=BLUE, box=slide.shapes.title)
    return slide


def _foot(slide, pack: Pack, n: int, basis: str | None = None, as_of: str | None = None,
          demo: bool | None = None) -> None:
    _text(slide, Inches(0.4), H - Inches(0.55), W - Inches(1.6), Inches(0.4), pack.footer(basis, as_of, demo), 11,
          colour=AMBER if (pack.demo if demo is None else demo) else GREY)
    _text(slide, W - Inches(1.1), H - Inches(0.55), Inches(0.8), Inches(0.4), str(n), 11, colour=GREY)


def _title_slide(prs, pack: Pack) -> None:
    s = _titled(prs, Inches(0.8), Inches(2.0), W - Inches(1.6), Inches(1.2), pack.title, 40)
    _text(s, Inches(0.8), Inches(3.2), W - Inches(1.6), Inches(0.8), pack.subtitle, 28)
    lines = [pack.filters, f"数据截至：{pack.as_of}", f"生成时间：{fmt.minute(pack.generated_at)}", *pack.notes]
    _text(s, Inches(0.8), Inches(4.3), W - Inches(1.6), Inches(1.6), "\n".join(lines), 16, colour=GREY)
    if pack.demo:
        _text(s, Inches(0.8), Inches(5.9), W - Inches(1.6), Inches(0.6),
              pack.demo_notice, 18, bold=True, colour=AMBER)
    _foot(s, pack, 1)


def _table_slide(prs, pack: Pack, t: TableSection, part: pd.DataFrame, page: int, pages: int, n: int) -> None:
    s = _titled(prs, Inches(0.4), Inches(0.3), W - Inches(0.8), Inches(0.7),
                t.title + (f"（{page}/{pages}）" if pages > 1 else ""), 26)
    _text(s, Inches(0.4), Inches(1.0), W - Inches(0.8), Inches(0.6), t.text, 15)
    if part.empty:
        _text(s, Inches(0.4), Inches(2.0), W - Inches(0.8), Inches(0.6), "（无）", 16, colour=GREY)
    else:
        rows, cols = len(part) + 1, len(part.columns)
        width = W - Inches(0.8)
        shape = s.shapes.add_table(rows, cols, Inches(0.4), Inches(1.7), width, Emu(Pt(TABLE_PT * 1.2 + ROW_PAD_PT) * rows))
        share = widths(part)
        for j, w in enumerate(share):  # python-pptx makes every column alike: 序号 as wide as the task
            shape.table.columns[j].width = Emu(int(width * w / sum(share)))
        for j, col in enumerate(part.columns):
            _cell(shape.table.cell(0, j), str(col), bold=True)
        for i, row in enumerate(texts(part).itertuples(index=False), start=1):
            for j, value in enumerate(row):
                _cell(shape.table.cell(i, j), value)
    _text(s, Inches(0.4), H - Inches(0.95), W - Inches(0.8), Inches(0.4), f"{t.note}　数据截至：{t.as_of}", 10,
          colour=GREY)
    _foot(s, pack, n, "", t.as_of, t.demo)  # the note above says the table's 口径


def _cell(cell, text: str, bold: bool = False) -> None:
    cell.text = ""
    run = cell.text_frame.paragraphs[0].add_run()
    run.text = text
    run.font.size, run.font.bold, run.font.name = Pt(TABLE_PT), bold, FONT
    cell.margin_top = cell.margin_bottom = Pt(ROW_PAD_PT / 2)


def _properties(prs, pack: Pack) -> None:
    """The file's 属性: python-pptx's empty template says 作者 Steve Canny, 创建于 2013."""
    p = prs.core_properties
    p.title, p.subject, p.author, p.last_modified_by = pack.title, pack.subtitle, city.TITLE, city.TITLE
    p.created = p.modified = pack.generated_at
    p.revision, p.language, p.keywords = 1, "zh-CN", "月度简报"


def write(pack: Pack, pictures: list[bytes]) -> bytes:
    """pictures: one PNG per pack.charts entry, in order (service.briefing draws them)."""
    prs = Presentation()
    prs.slide_width, prs.slide_height = W, H
    _properties(prs, pack)
    _title_slide(prs, pack)
    n = 1
    for section, png in zip(pack.charts, pictures):
        n += 1
        s = _titled(prs, Inches(0.4), Inches(0.25), W - Inches(0.8), Inches(0.7), section.chart.title, 24)
        s.shapes.add_picture(io.BytesIO(png), Inches(0.3), Inches(1.0), width=Inches(9.6))
        _text(s, Inches(10.1), Inches(1.1), Inches(2.9), Inches(5.2), section.text, 15)
        _foot(s, pack, n, section.basis, section.chart.as_of, section.demo)
    for t in pack.tables:
        parts = t.pages()
        for i, part in enumerate(parts, start=1):
            n += 1
            _table_slide(prs, pack, t, part, i, len(parts), n)
    buf = io.BytesIO()
    prs.save(buf)
    return buf.getvalue()
