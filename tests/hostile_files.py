"""Hostile workbooks for the adversarial tests, written by code (never committed binaries)."""
from __future__ import annotations

import io
import zipfile

import openpyxl

LONG_HEADER = ["地区", "指标", "时期", "口径", "数值", "单位"]


def _long_workbook(far_cell: bool = False) -> bytes:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "数据"
    ws.append(LONG_HEADER)
    ws.append(["商丘市", "社会消费品零售总额", "2026-10", "累计", 1702.99, "亿元"])
    if far_cell:
        ws["XFD1048576"] = 7
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def far_cell_workbook() -> bytes:
    """The 5 KB file that once aborted the server: the long template's header, one real row,
    and one more cell at XFD1048576."""
    return _long_workbook(far_cell=True)


_PARTS = {
    "[Content_Types].xml": (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        '<Default Extension="xml" ContentType="application/xml"/>'
        '<Override PartName="/xl/workbook.xml" '
        'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
        '<Override PartName="/xl/worksheets/sheet1.xml" '
        'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
        '</Types>'),
    "_rels/.rels": (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
        'relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>'),
    "xl/workbook.xml": (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
        'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
        '<sheets><sheet name="数据" sheetId="1" r:id="rId1"/></sheets></workbook>'),
    "xl/_rels/workbook.xml.rels": (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
        'relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>'),
}


def many_rows_workbook(rows: int = 5_000_000) -> bytes:
    """A workbook of `rows` one-cell rows (5,000,000 make a 19 MB file), streamed into the zip:
    openpyxl would take many minutes to write it."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED, compresslevel=6) as zf:
        for name, text in _PARTS.items():
            zf.writestr(name, text)
        with zf.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as fh:
            fh.write(b'<?xml version="1.0" encoding="UTF-8"?><worksheet '
                     b'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>')
            step = 100_000
            for start in range(1, rows + 1, step):
                fh.write(b"".join(b'<row r="%d"><c><v>1</v></c></row>' % i
                                  for i in range(start, min(start + step, rows + 1))))
            fh.write(b"</sheetData></worksheet>")
    return buf.getvalue()


def padded_doctype_workbook(padding: int = 70 * 1024) -> bytes:
    """An entity declaration hidden behind 70 KB of whitespace in workbook.xml."""
    src = zipfile.ZipFile(io.BytesIO(_long_workbook()))
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as out:
        for item in src.infolist():
            body = src.read(item)
            if item.filename == "xl/workbook.xml":
                root = body.split(b"?>", 1)[-1]  # without its declaration, if it had one
                body = (b'<?xml version="1.0"?>' + b" " * padding +
                        b'<!DOCTYPE w [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;">]>' + root)
            out.writestr(item, body)
    return buf.getvalue()
