"""The pack as a paginated PDF with the same content as the slides, built without LibreOffice:
fpdf2 lays out the text in the CJK font of Debian's fonts-wqy-microhei package and places each
chart's picture (drawn on the server by kaleido). A4 landscape; the filters in force, 数据截至 and
the page number at the foot of every page."""
from __future__ import annotations

import io
import re
from pathlib import Path

from fpdf import FPDF
from fpdf.fonts import FontFace
from PIL import Image

from .. import city, fmt
from .content import Pack
from .sections import texts, widths

FONT_FILES = (Path("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc"),
              Path("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc"))
BLUE, GREY, AMBER, INK = (11, 92, 171), (102, 102, 102), (180, 83, 9), (34, 34, 34)


# What a line may not be broken inside: an opening mark with what follows it, a number with its
# sign, range and percent sign (-1.1%, 1—10月's 1—10, 3,815.15), a Latin word, or one character,
# each with the closing marks that may not begin a line.
_TOKEN = re.compile(r"[（《「『“‘(\[]*(?:[+\-−]?\d[\d,.]*(?:[—～~\-]\d[\d,.]*)?(?:%|[年月日])?|[A-Za-z]+|.)"
                    r"[，。、；：！？）》」』”’…)\]%,.;:!?]*")


class MissingFont(RuntimeError):
    pass


def font_file() -> Path:
    for f in FONT_FILES:
        if f.exists():
            return f
    raise MissingFont("缺少中文字体：请安装 fonts-wqy-microhei（make run 会自动安装）")


class _Doc(FPDF):
    def __init__(self, pack: Pack):
        super().__init__(orientation="L", unit="mm", format="A4")
        self.pack = pack
        self.foot: tuple = (None, None, None)  # the page's 口径, 数据截至 and demo mark (Pack.footer)
        self.add_font("cjk", "", str(font_file()))  # one face (parsing a CJK font costs seconds): headings are larger, not bold
        self.set_auto_page_break(True, margin=16)
        self.set_title(pack.title)
        self.set_subject(pack.subtitle)
        self.set_creator(city.TITLE)
        self.set_author(city.TITLE)
        self.set_lang("zh-CN")

    def footer(self):
        self.set_y(-12)
        self.set_font("cjk", size=8)
        demo = self.pack.demo if self.foot[2] is None else self.foot[2]
        self.set_text_color(*(AMBER if demo else GREY))
        self.cell(0, 5, self.pack.footer(*self.foot), align="L")
        self.set_x(-30)
        self.cell(20, 5, f"{self.page_no()}/{{nb}}", align="R")

    def heading(self, text: str) -> None:
        self.set_font("cjk", size=18)
        self.set_text_color(*BLUE)
        self.multi_cell(0, 9, text)
        self.ln(1)

    def para(self, text: str, size: int = 11, colour=INK) -> None:
        self.set_font("cjk", size=size)
        self.set_text_color(*colour)
        self.multi_cell(0, size * 0.55, self.wrapped(text, self.w - self.r_margin - self.get_x()))
        self.ln(1)

    def wrapped(self, text: str, width: float) -> str:
        """`text` broken into lines of `width` mm in the current font, as Chinese typesetting breaks
        them: never inside a number ("增长1" / ".1%"), never before a closing mark (a line that began
        with "，" or "。"), never after an opening one. multi_cell alone broke at any character."""
        lines, room = [], width - 2 * self.c_margin - 0.2  # multi_cell's own padding on each side
        for paragraph in text.split("\n"):
            line = ""
            for token in _TOKEN.findall(paragraph):
                if line and self.get_string_width(line + token) > room:
                    lines.append(line)
                    line = token.lstrip()
                else:
                    line += token
            lines.append(line)
        return "\n".join(lines)


def write(pack: Pack, pictures: list[bytes]) -> bytes:
    doc = _Doc(pack)
    doc.alias_nb_pages()
    doc.add_page()
    doc.ln(40)
    doc.set_font("cjk", size=28)
    doc.set_text_color(*BLUE)
    doc.cell(0, 14, pack.title, new_x="LMARGIN", new_y="NEXT", align="C")
    doc.set_font("cjk", size=18)
    doc.set_text_color(*INK)
    doc.cell(0, 12, pack.subtitle, new_x="LMARGIN", new_y="NEXT", align="C")
    doc.ln(8)
    for line in (pack.filters, f"数据截至：{pack.as_of}", f"生成时间：{fmt.minute(pack.generated_at)}", *pack.notes):
        doc.set_font("cjk", size=12)
        doc.set_text_color(*GREY)
        doc.cell(0, 8, line, new_x="LMARGIN", new_y="NEXT", align="C")
    if pack.demo:
        doc.ln(6)
        doc.set_font("cjk", size=14)
        doc.set_text_color(*AMBER)
        doc.cell(0, 10, pack.demo_notice, align="C")
    for section, png in zip(pack.charts, pictures):
        doc.add_page()  # the page before gets its footer here, with its own 口径
        doc.foot = (section.basis, section.chart.as_of, section.demo)
        doc.heading(section.chart.title)
        top = doc.get_y()
        doc.image(_flat(png), x=doc.l_margin, y=top, w=180)  # 16:9, so 101 mm high
        doc.set_xy(doc.l_margin + 186, top + 2)
        doc.set_font("cjk", size=11)
        doc.set_text_color(*INK)
        width = doc.w - doc.r_margin - doc.get_x()
        doc.multi_cell(width, 6.5, doc.wrapped(section.text, width))
    for t in pack.tables:
        parts = t.pages()  # the same pieces as the slides, so page n of the PDF is slide n
        for i, part in enumerate(parts, start=1):
            doc.add_page()
            doc.foot = ("", t.as_of, t.demo)  # the note under the table says its 口径
            doc.heading(t.title + (f"（{i}/{len(parts)}）" if len(parts) > 1 else ""))
            doc.para(t.text)
            if part.empty:
                doc.para("（无）", colour=GREY)
            else:
                doc.set_font("cjk", size=9)
                doc.set_text_color(*INK)
                with doc.table(headings_style=FontFace(emphasis=None, fill_color=(230, 238, 247)),
                               line_height=5.5, text_align="LEFT", col_widths=widths(part)) as table:
                    table.row([str(c) for c in part.columns])
                    for row in texts(part).itertuples(index=False):
                        table.row(list(row))
            doc.para(f"{t.note}　数据截至：{t.as_of}", size=8, colour=GREY)
    return bytes(doc.output())


def _flat(png: bytes) -> io.BytesIO:
    """The chart's PNG as a high-quality JPEG: fpdf2 embeds a JPEG as it is, but splits and
    re-compresses a PNG with transparency (kaleido's), which took seconds per chart."""
    out = io.BytesIO()
    Image.open(io.BytesIO(png)).convert("RGB").save(out, "JPEG", quality=92, subsampling=0)
    out.seek(0)
    return out
