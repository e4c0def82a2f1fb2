"""The three statistical tables of an annual report -> cells of keys.yaml (docs/ARCHITECTURE.md).

`extract_tables(doc)` reads `doc.tables` when the reader separated them (HTML, DOCX, PDF, XLSX,
OFD), else the tables flattened inside `doc.text` (annual-report-format.md §10). It decides the
template version from the tables themselves (§2.1), reads the legacy appendix (§2.3), and
reports C06 (absent/incomplete), C07 (blank or unreadable), C12 (types, units) and C24
(typo/synonym labels). Identities A1–A4 are `identities.identity_findings`, run by checks.py.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from parsers.document import Document, Grid
from parsers.record import Finding, finding
from parsers.tables.cells import build_cells, header_findings
from parsers.tables.identities import identity_findings
from parsers.tables.layout_text import text_rows
from parsers.tables.legacy import read_legacy
from parsers.tables.normalize import normalize
from parsers.tables.rows import Row, grid_rows
from parsers.tables.walk import decide_template, walk

__all__ = ["NO_TABLES", "TablesResult", "extract_tables", "identity_findings"]

# No national table and no legacy appendix: C06 for a report year >= 2019; the record builder
# drops it for legacy years (no national table existed before 2019, §2.3).
NO_TABLES = finding("C06", "no statistical tables found (tables 2, 3 and 4 absent)")


@dataclass
class TablesResult:
    template: str | None  # "v2021" | "v2019" | None, from the table fingerprints (§2.1)
    cells: dict[str, int | str | None]  # keys of keys.yaml for `template`; absent table -> keys absent
    present: dict[str, bool]  # {"table2": .., "table3": .., "table4": ..}
    findings: list[Finding] = field(default_factory=list)  # C06, C07, C12, C24
    legacy: dict[str, object] | None = None  # legacy statistics appendix, §2.3
    table_lines: set[int] = field(default_factory=set)  # indices of doc.text.splitlines() used by tables


def _grid_text_lines(text: str, grids: list[Grid]) -> set[int]:
    """Lines of `text` that repeat the cells of `grids`: runs of at least 3 non-blank lines
    (blank lines in between allowed) whose every line is the text of some cell."""
    raw = {c for g in grids for row in g for c in row if c}  # "0" is printed hundreds of times
    cells = {norm for c in raw if (norm := normalize(c))}
    out: set[int] = set()
    run: list[int] = []
    for i, line in enumerate([*text.splitlines(), "\x00"]):
        norm = normalize(line)
        if not norm:
            continue
        if norm in cells:
            run.append(i)
            continue
        if len(run) >= 3:
            out |= set(range(run[0], run[-1] + 1))
        run = []
    return out


def extract_tables(doc: Document) -> TablesResult:
    use_grids = bool(doc.tables)
    rows: list[Row] = grid_rows(doc.tables) if use_grids else text_rows(doc.text)
    w = walk(rows)
    legacy, legacy_lines, legacy_grid = read_legacy(rows)
    if use_grids and not w.hits and legacy is None:
        # The grids are layout or metadata tables only; the report tables may still be in the
        # text (drawn with <div>/<pre>, or a reader that could not separate them).
        use_grids = False
        rows = text_rows(doc.text)
        w = walk(rows)
        legacy, legacy_lines, legacy_grid = read_legacy(rows)
    template = decide_template(w)
    built = build_cells(w, template, doc.uncertain if use_grids else set())
    findings = built.findings + header_findings(w, template)
    if template is None and legacy is None and not any(built.present.values()):
        findings.append(NO_TABLES)
    if use_grids and doc.grid_lines is not None and len(doc.grid_lines) == len(doc.tables):
        # The reader says which text lines hold each grid's text (HTML: tables with <p> cells
        # stay in the text): those of the grids read are table lines, nothing to search for.
        used = {h.row.grid for h in w.hits} | {legacy_grid}
        spans: list[set[int]] = []
        table_lines = set()
        for i in used:
            if i is not None and (span := doc.grid_lines[i]) is not None:
                table_lines.update(range(span[0], span[1] + 1))
    elif use_grids:
        # Cells come from the grids, but a reader may still have left the tables' text in
        # `doc.text` (one cell per line): find those lines too, so sections can drop them.
        used = {h.row.grid for h in w.hits} | {legacy_grid}
        spans = [*walk(text_rows(doc.text)).lines.values()]
        table_lines = _grid_text_lines(doc.text, [g for i, g in enumerate(doc.tables) if i in used])
    else:
        spans = [*w.lines.values(), legacy_lines]
        table_lines = set()
    for lines in spans:
        if lines:
            table_lines |= set(range(min(lines), max(lines) + 1))
    return TablesResult(
        template=template,
        cells=built.cells,
        present=built.present,
        findings=findings,
        legacy=legacy,
        table_lines=table_lines,
    )
