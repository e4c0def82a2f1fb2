"""XLS / XLSX -> Document (python-calamine for both; merged ranges resolved into the grid).

A sheet is cut into blocks at fully blank rows. In a block, leading and trailing rows holding a
single unmerged cell are text (title, headings, notes); the rest is one table. A table row whose
numbers are all blank keeps its place (a label alone inside a table is still a table row, its
numbers become null downstream, never a text line that splits the table).
"""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

from parsers.document import Document, Grid, PageMeta
from parsers.errors import UnreadableDocument
from parsers.formats.zipguard import open_zip

MAX_CELLS = 2_000_000  # a report's workbook has a few thousand; beyond this it is not one


def read_xlsx(data: bytes) -> Document:
    zf = open_zip(data, "XLSX")  # bomb checks before calamine inflates anything
    title = None
    if "docProps/core.xml" in zf.namelist():
        import re

        m = re.search(rb"<dc:title>([^<]*)</dc:title>", zf.read("docProps/core.xml"))
        title = m.group(1).decode("utf-8", "replace").strip() if m else None
    return _read(data, "xlsx", title or None)


def read_xls(data: bytes) -> Document:
    return _read(data, "xls", None)


def _read(data: bytes, fmt: str, title: str | None) -> Document:
    import python_calamine as pc

    try:
        wb = pc.CalamineWorkbook.from_filelike(io.BytesIO(data))
    except Exception as exc:  # calamine raises its own error types for junk and encryption
        msg = str(exc)
        if "password" in msg.lower() or "encrypt" in msg.lower():
            raise UnreadableDocument(f"encrypted {fmt.upper()} workbook: it needs a password") from exc
        raise UnreadableDocument(f"broken {fmt.upper()} workbook: {msg}") from exc
    lines: list[str] = []
    tables: list[Grid] = []
    for name in wb.sheet_names:
        try:
            sheet = wb.get_sheet_by_name(name)
            if sheet.total_height * max(sheet.total_width, 1) > MAX_CELLS:
                raise UnreadableDocument(f"{fmt.upper()} sheet {name!r} refused: too many cells")
            rows = sheet.to_python(skip_empty_area=False)
            merged = sheet.merged_cell_ranges or []
        except UnreadableDocument:
            raise
        except Exception as exc:
            raise UnreadableDocument(f"broken {fmt.upper()} sheet {name!r}: {exc}") from exc
        _sheet(rows, merged, lines, tables)
    return Document(format=fmt, text="\n".join(lines), tables=tables, meta=PageMeta(title=title))


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, float):
        # Spreadsheets store every number as a double; integral ones print without ".0",
        # the rest with the shortest repr that reads back to the same double.
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    return str(value).strip()


def _sheet(rows: list[list[Any]], merged: list[Any], lines: list[str], tables: list[Grid]) -> None:
    grid = [[_text(v) for v in row] for row in rows]
    in_merge: set[tuple[int, int]] = set()
    for (r0, c0), (r1, c1) in merged:
        if r0 >= len(grid):
            continue
        origin = grid[r0][c0] if c0 < len(grid[r0]) else ""
        for r in range(r0, min(r1, len(grid) - 1) + 1):
            for c in range(c0, c1 + 1):
                if c < len(grid[r]):
                    grid[r][c] = origin
                    in_merge.add((r, c))
    block: list[int] = []
    for r in range(len(grid) + 1):
        if r < len(grid) and any(grid[r]):
            block.append(r)
            continue
        if block:
            _block(grid, block, in_merge, lines, tables)
            block = []


def _block(
    grid: list[list[str]],
    rows: list[int],
    in_merge: set[tuple[int, int]],
    lines: list[str],
    tables: list[Grid],
) -> None:
    def single(r: int) -> bool:
        filled = [c for c, v in enumerate(grid[r]) if v]
        return len(filled) == 1 and (r, filled[0]) not in in_merge

    start, end = 0, len(rows)
    while start < end and single(rows[start]):
        start += 1
    while end > start and single(rows[end - 1]):
        end -= 1
    head, body, tail = rows[:start], rows[start:end], rows[end:]
    lines.extend(next(v for v in grid[r] if v) for r in head)
    if body:
        used = [c for r in body for c, v in enumerate(grid[r]) if v or (r, c) in in_merge]
        c0, c1 = min(used), max(used)
        tables.append([[grid[r][c] if c < len(grid[r]) else None for c in range(c0, c1 + 1)] for r in body])
    lines.extend(next(v for v in grid[r] if v) for r in tail)
