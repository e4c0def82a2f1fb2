"""Document -> Record: runs tables, metadata, sections and checks in that order.

`context` is the page an attachment was linked from (the crawler passes it): the attachment's
own statements win, the page fills in what the attachment lacks (title, release date).
"""

from __future__ import annotations

from parsers import metadata
from parsers.checks import doc_checks, is_legacy
from parsers.document import Document, PageMeta
from parsers.record import Dates, Finding, Record, Source
from parsers.sections import split_sections

# At module level, not in the functions: an import statement runs on every call (~4 us each).
from parsers.tables import NO_TABLES, TablesResult, extract_tables


def _published(doc: Document, context: PageMeta | None) -> str | None:
    return (
        metadata.parse_date(doc.meta.published)
        or (metadata.parse_date(context.published) if context else None)
        or metadata.published_from_text(doc.text)
    )


def _findings(tables: TablesResult, doc: Document, checks: list[Finding], *, legacy: bool) -> list[Finding]:
    merged: list[Finding] = []
    seen: set[Finding] = set()
    reader = [Finding.from_dict(f) for f in doc.findings]
    # Up to 2018 no national table existed (§2.3): their absence is no defect of a legacy report.
    table_findings = [f for f in tables.findings if not (legacy and f == NO_TABLES)]
    for f in [*reader, *table_findings, *checks]:
        if f not in seen:
            seen.add(f)
            merged.append(f)
    # Stable by check id so the same document always lists its findings the same way.
    return sorted(merged, key=lambda f: f.check)


def build_record(
    doc: Document,
    source: Source,
    *,
    context: PageMeta | None = None,
    body_kind_default: str | None = None,
    tables: TablesResult | None = None,
) -> Record:
    """The record of one document. `tables` may be passed when already extracted."""
    if tables is None:
        tables = extract_tables(doc)
    text = doc.text
    title = metadata.choose_title(text, doc.meta, context)
    period = metadata.statistical_period(text)
    year = metadata.choose_year(title, period.start, period.end)
    agency = metadata.choose_agency(title, text, doc.meta)
    _, signed = metadata.signature(text)
    any_table = any(tables.present.values()) if tables.present else False
    record = Record(
        source=source,
        title=title,
        agency=agency,
        year=year,
        template=metadata.choose_template(tables.template, year, any_table),
        body_kind=metadata.body_kind(agency, body_kind_default),
        dates=Dates(
            published=_published(doc, context),
            signed=signed,
            period_start=period.start,
            period_end=period.end,
        ),
        cells=dict(tables.cells),
    )
    if record.template == "legacy":
        record.legacy = dict(tables.legacy or {})
    legacy = is_legacy(record)
    sections = split_sections(text, tables.table_lines, legacy=legacy)
    record.sections = sections.sections
    checks = doc_checks(record, doc, tables, sections=sections, period=period)
    record.findings = _findings(tables, doc, checks, legacy=legacy)
    return record
