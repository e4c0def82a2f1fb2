"""The intermediate form every format reader produces and the record builder consumes.

A format reader (HTML, text, PDF, DOCX, XLSX, OFD, OCR) turns bytes into a `Document`:
the running text (reading order, tables left out where the format can tell them apart),
the tables as resolved grids, and whatever page metadata the format carries. From there on
one code path (tables → cells, metadata, sections, checks) builds the record, so every
format gives the same record for the same report.
"""

from __future__ import annotations

from dataclasses import dataclass, field

# A table with row/column spans resolved: every spanned position repeats the spanning
# cell's text (so a row label spanning 8 rows appears in all 8). None = a position no cell covers.
Grid = list[list[str | None]]


@dataclass(slots=True)
class PageMeta:
    """Metadata the publishing page or file states about itself (not read from the report text)."""

    title: str | None = None  # ArticleTitle meta, <title>, docx core title, ...
    published: str | None = None  # raw stated release date text (PubDate, 发布时间, 公开日期)
    written: str | None = None  # 成文日期 / 发文日期
    publisher: str | None = None  # 发布机构 / 发文机关
    index_no: str | None = None  # 索引号
    column: str | None = None  # ColumnName meta
    extra: dict[str, str] = field(default_factory=dict)


@dataclass(slots=True)
class Document:
    format: str  # html | txt | pdf | docx | doc | wps | xls | xlsx | ofd | image
    text: str  # running text; when `tables` is empty the tables are flattened inside it
    tables: list[Grid] = field(default_factory=list)
    meta: PageMeta = field(default_factory=PageMeta)
    # Reader-level problems that are not fatal (e.g. OCR low confidence), as finding dicts.
    findings: list[dict] = field(default_factory=list)
    # OCR'd cells whose confidence was too low to trust, by grid position: (table, row, col).
    uncertain: set[tuple[int, int, int]] = field(default_factory=set)
    # Per grid of `tables`: the (first, last) indices of `text.splitlines()` that hold the same
    # table's text, or None when its text is not in `text`. None as a whole: the reader cannot
    # tell (the tables code then finds such lines by matching them against the grid cells).
    grid_lines: list[tuple[int, int] | None] | None = None
