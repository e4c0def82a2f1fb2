"""Record -> OFD (GB/T 33190, the Chinese fixed-layout format government systems export).

A minimal valid package: OFD.xml (DocInfo with the title) -> Doc_0/Document.xml (page list,
A4 page area, public resources with one font) -> Doc_0/Pages/Page_N/Content.xml with
positioned TextObject/TextCode text (mm, per-glyph DeltaX) and PathObject ruling lines for
every table cell. The layout is done here: paragraphs wrap at the margin, tables break across
pages with their header rows repeated, and a vertical merge cut by a page break keeps its label
on the first page only, like a word processor's output.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any
from xml.sax.saxutils import escape

from farm.render.cache import cached
from farm.render.layout import Table, blocks_of, origins

NS = "http://www.ofdspec.org/2016"
PAGE_W, PAGE_H = 210.0, 297.0
LEFT, TOP = 25.0, 25.0
CONTENT_W = PAGE_W - 2 * LEFT
BOTTOM = PAGE_H - 25.0
BODY = 3.7  # mm, about 10.5 pt
TITLE = 5.6
CELL = 2.8  # mm, about 8 pt
PAD = 1.0


def render_ofd(record: Mapping[str, Any]) -> bytes:
    return cached(record, "ofd", lambda: _build(record))


def _width(ch: str, size: float) -> float:
    return size * (0.5 if ord(ch) < 0x2E80 else 1.0)


def _wrap(text: str, size: float, width: float, indent: float = 0.0) -> list[str]:
    lines: list[str] = []
    cur, w = "", indent
    for ch in text:
        cw = _width(ch, size)
        if cur and w + cw > width:
            lines.append(cur)
            cur, w = "", 0.0
        cur += ch
        w += cw
    if cur or not lines:
        lines.append(cur)
    return lines


@dataclass
class _Page:
    texts: list[tuple[float, float, float, str]] = field(default_factory=list)  # x, top, size, text
    paths: list[tuple[float, float, float, float]] = field(default_factory=list)  # x0, y0, x1, y1


class _Layout:
    def __init__(self) -> None:
        self.pages: list[_Page] = [_Page()]
        self.y = TOP

    def new_page(self) -> None:
        self.pages.append(_Page())
        self.y = TOP

    def text_line(self, x: float, size: float, text: str, gap: float) -> None:
        if self.y + size * 1.5 > BOTTOM:
            self.new_page()
        self.pages[-1].texts.append((x, self.y, size, text))
        self.y += size * 1.5 + gap

    def paragraph(self, text: str, size: float, indent: bool, centre: bool = False) -> None:
        lines = _wrap(text, size, CONTENT_W, size * 2 if indent else 0.0)
        for i, line in enumerate(lines):
            x = LEFT + (size * 2 if indent and i == 0 else 0.0)
            if centre:
                x = LEFT + (CONTENT_W - sum(_width(c, size) for c in line)) / 2
            self.text_line(x, size, line, size * 0.8 if i == len(lines) - 1 else 0.0)

    def table(self, table: Table) -> None:
        total = sum(table.col_widths) or table.ncols
        widths = [CONTENT_W * w / total for w in (table.col_widths or [1.0] * table.ncols)]
        xs = [LEFT]
        for w in widths:
            xs.append(xs[-1] + w)
        cells = origins(table)
        wrapped = {
            (r, c): _wrap(cell.text, CELL, xs[c + cell.colspan] - xs[c] - 2 * PAD) for r, c, cell in cells
        }
        line_h = CELL * 1.3
        heights = [line_h + 2 * PAD] * len(table.rows)
        for r, c, cell in cells:
            if cell.rowspan == 1:
                heights[r] = max(heights[r], len(wrapped[(r, c)]) * line_h + 2 * PAD)
        for r, c, cell in cells:
            if cell.rowspan > 1:
                need = len(wrapped[(r, c)]) * line_h + 2 * PAD
                have = sum(heights[r : r + cell.rowspan])
                if need > have:
                    heights[r + cell.rowspan - 1] += need - have
        # Place rows: (page index, top) per row; header rows repeated on every new page.
        placed: list[list[tuple[int, float]]] = [[] for _ in table.rows]
        for r in range(len(table.rows)):
            if self.y + heights[r] > BOTTOM:
                self.new_page()
                if r >= table.header_rows:
                    for h in range(table.header_rows):
                        placed[h].append((len(self.pages) - 1, self.y))
                        self.y += heights[h]
            placed[r].append((len(self.pages) - 1, self.y))
            self.y += heights[r]
        for r, c, cell in cells:
            x0, x1 = xs[c], xs[c + cell.colspan]
            # Each page occurrence of the cell: the rows it spans grouped by page and by copy.
            portions: dict[tuple[int, int], list[float]] = {}
            for rr in range(r, r + cell.rowspan):
                for copy, (page, top) in enumerate(placed[rr]):
                    key = (page, copy if rr < table.header_rows else 0)
                    seg = portions.setdefault(key, [top, top])
                    seg[0] = min(seg[0], top)
                    seg[1] = max(seg[1], top + heights[rr])
            first = True
            for (page, _copy), (top, bottom) in sorted(portions.items()):
                pg = self.pages[page]
                pg.paths += [
                    (x0, top, x1, top),
                    (x0, bottom, x1, bottom),
                    (x0, top, x0, bottom),
                    (x1, top, x1, bottom),
                ]
                header_copy = r < table.header_rows
                if first or header_copy:
                    lines = wrapped[(r, c)]
                    y = top + (bottom - top - len(lines) * line_h) / 2 + (line_h - CELL) / 2
                    for line in lines:
                        tw = sum(_width(ch, CELL) for ch in line)
                        pg.texts.append((x0 + (x1 - x0 - tw) / 2, y, CELL, line))
                        y += line_h
                first = False
        self.y += BODY


def _build(record: Mapping[str, Any]) -> bytes:
    lay = _Layout()
    for block in blocks_of(record):
        if block.kind == "title":
            lay.paragraph(block.text, TITLE, indent=False, centre=True)
        elif block.kind == "heading":
            lay.paragraph(block.text, BODY, indent=False)
        elif block.kind == "para":
            lay.paragraph(block.text, BODY, indent=True)
        elif block.table is not None:
            lay.table(block.table)
    return _package(lay.pages, str(record.get("title") or ""))


def _text_object(oid: int, x: float, top: float, size: float, text: str) -> str:
    deltas = [_width(ch, size) for ch in text]
    width = sum(deltas)
    delta_x = " ".join(f"{d:g}" for d in deltas[:-1])
    return (
        f'<ofd:TextObject ID="{oid}" Boundary="{x:.3f} {top:.3f} {width + 1:.3f} {size * 1.2:.3f}" '
        f'Font="2" Size="{size:g}"><ofd:FillColor Value="0 0 0"/>'
        f'<ofd:TextCode X="0" Y="{size * 0.88:.3f}"'
        + (f' DeltaX="{delta_x}"' if delta_x else "")
        + f">{escape(text)}</ofd:TextCode></ofd:TextObject>"
    )


def _path_object(oid: int, x0: float, y0: float, x1: float, y1: float) -> str:
    bx, by = min(x0, x1), min(y0, y1)
    w, h = max(abs(x1 - x0), 0.25), max(abs(y1 - y0), 0.25)
    return (
        f'<ofd:PathObject ID="{oid}" Boundary="{bx:.3f} {by:.3f} {w:.3f} {h:.3f}" LineWidth="0.25">'
        f"<ofd:AbbreviatedData>M {x0 - bx:.3f} {y0 - by:.3f} L {x1 - bx:.3f} {y1 - by:.3f}</ofd:AbbreviatedData>"
        "</ofd:PathObject>"
    )


def _package(pages: list[_Page], title: str) -> bytes:
    oid = 10
    contents: list[str] = []
    for page in pages:
        objs: list[str] = []
        for x, top, size, text in page.texts:
            if text:
                objs.append(_text_object(oid, x, top, size, text))
                oid += 1
        for seg in dict.fromkeys(page.paths):  # each border once
            objs.append(_path_object(oid, *seg))
            oid += 1
        contents.append(
            f'<?xml version="1.0" encoding="UTF-8"?>\n<ofd:Page xmlns:ofd="{NS}"><ofd:Content>'
            f'<ofd:Layer ID="{oid}">' + "".join(objs) + "</ofd:Layer></ofd:Content></ofd:Page>"
        )
        oid += 1
    page_list = "".join(
        f'<ofd:Page ID="{oid + i}" BaseLoc="Pages/Page_{i}/Content.xml"/>' for i in range(len(pages))
    )
    document = (
        f'<?xml version="1.0" encoding="UTF-8"?>\n<ofd:Document xmlns:ofd="{NS}"><ofd:CommonData>'
        f"<ofd:MaxUnitID>{oid + len(pages)}</ofd:MaxUnitID>"
        f"<ofd:PageArea><ofd:PhysicalBox>0 0 {PAGE_W:g} {PAGE_H:g}</ofd:PhysicalBox></ofd:PageArea>"
        "<ofd:PublicRes>PublicRes.xml</ofd:PublicRes></ofd:CommonData>"
        f"<ofd:Pages>{page_list}</ofd:Pages></ofd:Document>"
    )
    public_res = (
        f'<?xml version="1.0" encoding="UTF-8"?>\n<ofd:Res xmlns:ofd="{NS}" BaseLoc="Res"><ofd:Fonts>'
        '<ofd:Font ID="2" FontName="宋体" FamilyName="宋体"/></ofd:Fonts></ofd:Res>'
    )
    ofd = (
        f'<?xml version="1.0" encoding="UTF-8"?>\n<ofd:OFD xmlns:ofd="{NS}" Version="1.0" DocType="OFD">'
        "<ofd:DocBody><ofd:DocInfo><ofd:DocID>0f0d0000000000000000000000000000</ofd:DocID>"
        f"<ofd:Title>{escape(title)}</ofd:Title><ofd:Creator>govreports farm</ofd:Creator></ofd:DocInfo>"
        "<ofd:DocRoot>Doc_0/Document.xml</ofd:DocRoot></ofd:DocBody></ofd:OFD>"
    )
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("OFD.xml", ofd)
        zf.writestr("Doc_0/Document.xml", document)
        zf.writestr("Doc_0/PublicRes.xml", public_res)
        for i, content in enumerate(contents):
            zf.writestr(f"Doc_0/Pages/Page_{i}/Content.xml", content)
    return out.getvalue()
