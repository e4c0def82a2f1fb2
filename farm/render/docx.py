"""Record -> DOCX, the way government offices write these reports in Word.

Tables use real merged cells (gridSpan for column spans, vMerge for row spans): table 3's header
block, the "三、本年度办理结果" vertical merge and table 4's header merges. Header rows of tables 3
and 4 are marked "repeat on every page" (w:tblHeader), and rows never split across pages, so the
PDF made from this file has the header-repeat case a PDF reader must handle.
"""

from __future__ import annotations

import io
from collections.abc import Mapping
from typing import Any

from docx import Document as new_document
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt

from farm.render.cache import cached
from farm.render.layout import Block, Table, blocks_of, origins

CJK_FONT = "Noto Sans CJK SC"  # installed with fonts-noto-cjk; LibreOffice embeds it in PDFs
CONTENT_WIDTH_CM = 16.0


def render_docx(record: Mapping[str, Any]) -> bytes:
    """The DOCX of `record` (deterministic for one record; cached on disk)."""
    return cached(record, "docx", lambda: _build(record))


def _build(record: Mapping[str, Any]) -> bytes:
    doc = new_document()
    section = doc.sections[0]
    section.page_width, section.page_height = Cm(21.0), Cm(29.7)
    section.left_margin = section.right_margin = Cm(2.5)
    section.top_margin = section.bottom_margin = Cm(2.5)
    _set_default_font(doc)
    doc.core_properties.title = str(record.get("title") or "")
    doc.core_properties.author = str(record.get("agency") or "")
    for block in blocks_of(record):
        _add_block(doc, block)
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


def _set_default_font(doc: Any) -> None:
    style = doc.styles["Normal"]
    style.font.name = CJK_FONT
    style.font.size = Pt(10.5)
    rfonts = style.element.get_or_add_rPr().get_or_add_rFonts()
    rfonts.set(qn("w:eastAsia"), CJK_FONT)


def _add_block(doc: Any, block: Block) -> None:
    if block.kind == "title":
        p = doc.add_paragraph()
        p.alignment = WD_ALIGN_PARAGRAPH.CENTER
        run = p.add_run(block.text)
        run.bold = True
        run.font.size = Pt(16)
    elif block.kind == "heading":
        p = doc.add_paragraph()
        run = p.add_run(block.text)
        run.bold = True
    elif block.kind == "para":
        p = doc.add_paragraph(block.text)
        p.paragraph_format.first_line_indent = Pt(21)
    elif block.kind == "table" and block.table is not None:
        _add_table(doc, block.table)
        doc.add_paragraph()  # Word always needs a paragraph between two tables


def _add_table(doc: Any, layout: Table) -> None:
    nrows = len(layout.rows)
    table = doc.add_table(rows=nrows, cols=layout.ncols)
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    total = sum(layout.col_widths) or layout.ncols
    widths = [Cm(CONTENT_WIDTH_CM * w / total) for w in layout.col_widths]
    table.autofit = False
    for grid_col, width in zip(table._tbl.tblGrid.findall(qn("w:gridCol")), widths, strict=True):
        grid_col.set(qn("w:w"), str(int(width.twips)))
    for row in table.rows:
        tr_pr = row._tr.get_or_add_trPr()
        tr_pr.append(OxmlElement("w:cantSplit"))
        for i, cell in enumerate(row.cells):
            cell.width = widths[i]
    for r in range(layout.header_rows):
        table.rows[r]._tr.get_or_add_trPr().append(OxmlElement("w:tblHeader"))
    for r, c, spec_cell in origins(layout):
        cell = table.cell(r, c)
        if spec_cell.rowspan > 1 or spec_cell.colspan > 1:
            cell = cell.merge(table.cell(r + spec_cell.rowspan - 1, c + spec_cell.colspan - 1))
        p = cell.paragraphs[0]
        p.alignment = WD_ALIGN_PARAGRAPH.CENTER
        run = p.add_run(spec_cell.text)
        run.font.size = Pt(8)
        if spec_cell.header:
            run.bold = False
