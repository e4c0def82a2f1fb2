"""DOCX -> Document: body paragraphs in order as text, tables as grids with merges resolved.

Merged cells are read from the WordprocessingML itself: `w:gridSpan` (column span),
`w:vMerge` restart/continue (row span, the continuation cells are empty in the file and get the
text of the cell that starts the merge) and `w:gridBefore`/`w:gridAfter` (rows that start late
or end early). python-docx's own cell API hides vMerge continuation text, so it is not used for
tables.
"""

from __future__ import annotations

import io
from typing import Any

from parsers.document import Document, Grid, PageMeta
from parsers.errors import UnreadableDocument
from parsers.formats.zipguard import open_zip

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


def read(data: bytes, *, fmt: str = "docx") -> Document:
    zf = open_zip(data, "DOCX")  # bomb checks before python-docx inflates the parts
    if "word/document.xml" not in zf.namelist():
        raise UnreadableDocument("broken DOCX: no word/document.xml")
    try:
        import docx  # python-docx

        wdoc = docx.Document(io.BytesIO(data))
    except Exception as exc:  # python-docx raises a variety of parse errors for junk
        raise UnreadableDocument(f"broken DOCX: {exc}") from exc
    lines: list[str] = []
    tables: list[Grid] = []
    _walk(wdoc.element.body, lines, tables)
    meta = PageMeta(title=(wdoc.core_properties.title or "").strip() or None)
    if author := (wdoc.core_properties.author or "").strip():
        meta.extra["author"] = author
    return Document(format=fmt, text="\n".join(lines), tables=tables, meta=meta)


def _walk(parent: Any, lines: list[str], tables: list[Grid]) -> None:
    for child in parent.iterchildren():
        tag = child.tag
        if tag == f"{W}p":
            lines.append(_paragraph_text(child))
        elif tag == f"{W}tbl":
            tables.append(_table_grid(child))
        elif tag in (f"{W}sdt", f"{W}sdtContent", f"{W}customXml", f"{W}ins", f"{W}smartTag"):
            # Content controls and tracked insertions wrap ordinary body content.
            _walk(child, lines, tables)


def _paragraph_text(p: Any) -> str:
    parts: list[str] = []
    for el in p.iter(f"{W}t", f"{W}tab", f"{W}br", f"{W}cr", f"{W}delText"):
        if el.tag == f"{W}t":
            parts.append(el.text or "")
        elif el.tag == f"{W}tab":
            parts.append("\t")
        elif el.tag in (f"{W}br", f"{W}cr"):
            parts.append("\n")
        # w:delText (tracked deletions) is not part of the document's current text.
    return "".join(parts)


def _int_attr(el: Any, path: str, default: int) -> int:
    found = el.find(path)
    if found is None:
        return default
    try:
        return int(found.get(f"{W}val", default))
    except ValueError:
        return default


def _cell_text(tc: Any) -> str:
    parts: list[str] = []
    for child in tc.iterchildren():
        if child.tag == f"{W}p":
            parts.append(_paragraph_text(child))
        elif child.tag == f"{W}tbl":
            # A table nested in a cell: keep its text in the cell, row by row.
            parts.extend("\t".join(c or "" for c in row) for row in _table_grid(child))
    return "\n".join(p for p in parts if p.strip())


def _table_grid(tbl: Any) -> Grid:
    rows: list[dict[int, tuple[int, str | None]]] = []  # grid column -> (cell id, text)
    width = 0
    next_id = 0
    for tr in tbl.iterchildren(f"{W}tr"):
        row: dict[int, tuple[int, str | None]] = {}
        col = _int_attr(tr, f"{W}trPr/{W}gridBefore", 0)
        for tc in tr.iterchildren(f"{W}tc"):
            span = max(1, _int_attr(tc, f"{W}tcPr/{W}gridSpan", 1))
            vmerge = tc.find(f"{W}tcPr/{W}vMerge")
            if vmerge is not None and vmerge.get(f"{W}val", "continue") != "restart" and rows:
                entry = rows[-1].get(col, (next_id, None))
            else:
                entry = (next_id, _cell_text(tc))
            next_id += 1
            for c in range(col, col + span):
                row[c] = entry
            col += span
        width = max(width, col)
        rows.append(row)
    widths = [_int_attr_of(g, f"{W}w") for g in tbl.iterfind(f"{W}tblGrid/{W}gridCol")]
    keep = _needed_columns(rows, width, widths)
    return [[row[c][1] if c in row else None for c in keep] for row in rows]


def _int_attr_of(el: Any, attr: str) -> int | None:
    try:
        return int(float(el.get(attr)))
    except (TypeError, ValueError):
        return None


def _needed_columns(
    rows: list[dict[int, tuple[int, str | None]]], width: int, widths: list[int | None]
) -> list[int]:
    """Grid columns that some row actually divides.

    Word and LibreOffice split the table grid wherever any row's cell widths differ by a hair,
    so a DOC saved by another program can have a grid column no row ever starts a cell at;
    it would show up as a duplicated column. A column is dropped when no row starts a cell
    there, or when it is a sliver (under ~1 mm, no text fits) that every row's covering cell
    shares with a neighbouring column.
    """

    def cid(row: dict[int, tuple[int, str | None]], c: int) -> int | None:
        return row[c][0] if c in row else None

    keep: list[int] = []
    for c in range(width):
        if c > 0 and all(c in row and cid(row, c) == cid(row, c - 1) for row in rows):
            continue
        sliver = c < len(widths) and widths[c] is not None and widths[c] < 60  # twips
        if sliver and all(c in row and (cid(row, c) in (cid(row, c - 1), cid(row, c + 1))) for row in rows):
            continue
        keep.append(c)
    return keep
