"""Record -> XLSX (and XLS): the report's tables as a spreadsheet, the way some offices attach them.

One sheet: the title, then each section heading followed by its table, a blank row between
blocks. Tables keep the template's merged cells (merged ranges), numbers are stored as numbers
(money as a decimal that round-trips exactly, else as text), blank cells stay empty.
"""

from __future__ import annotations

import io
from collections.abc import Mapping
from decimal import Decimal, InvalidOperation
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Side

from farm.render.cache import cached
from farm.render.layout import blocks_of, origins

_THIN = Side(style="thin")
_BORDER = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)


def render_xlsx(record: Mapping[str, Any]) -> bytes:
    return cached(record, "xlsx", lambda: _build(record))


def render_xls(record: Mapping[str, Any]) -> bytes:
    """The same workbook as Excel 97 (BIFF8), converted by LibreOffice Calc."""
    from parsers.formats.office import convert

    return cached(record, "xls", lambda: convert(render_xlsx(record), "xlsx", "xls:MS Excel 97"))


def _value(text: str) -> Any:
    if not text:
        return None
    try:
        if text.lstrip("+-").isdigit():
            return int(text)
        dec = Decimal(text)
    except (InvalidOperation, ValueError):
        return text
    # A float only when it prints back to the same digits; otherwise the text is the number.
    return float(dec) if repr(float(dec)) == text else text


def _build(record: Mapping[str, Any]) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.title = "年度报告"
    row = 1
    for block in blocks_of(record):
        if block.kind in ("title", "heading"):
            ws.cell(row=row, column=1, value=block.text)
            row += 1
        elif block.kind == "table" and block.table is not None:
            table = block.table
            for r, c, cell in origins(table):
                target = ws.cell(row=row + r, column=1 + c, value=_value(cell.text))
                target.alignment = Alignment(wrap_text=True, horizontal="center", vertical="center")
                if cell.rowspan > 1 or cell.colspan > 1:
                    ws.merge_cells(
                        start_row=row + r,
                        start_column=1 + c,
                        end_row=row + r + cell.rowspan - 1,
                        end_column=c + cell.colspan,
                    )
            for rr in range(len(table.rows)):
                for cc in range(table.ncols):
                    ws.cell(row=row + rr, column=1 + cc).border = _BORDER
            row += len(table.rows) + 1
        # Narrative paragraphs are not part of a tables workbook.
    ws.column_dimensions["A"].width = 24
    out = io.BytesIO()
    wb.properties.title = str(record.get("title") or "")
    wb.save(out)
    return out.getvalue()
