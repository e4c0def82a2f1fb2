"""One report (one version of it): metadata, the three tables with canonical keys, findings, sections."""

from __future__ import annotations

from govreports import spec
from govreports.web.app import Request
from govreports.web.http import Response, not_found
from govreports.web.tables import TABLE_TITLES, key_labels, legacy_rows, tables_of
from govreports.web.views._common import resolve_body


def page(request: Request) -> Response:
    body = resolve_body(request)
    year = request.query.year(required=True)
    wanted = request.query.number("version")
    assert year is not None
    versions = request.archive.versions(body["agency"], year, body["portal"])
    if not versions:
        raise not_found(
            f"{body['agency']} 没有 {year} 年度报告（no {year} report of {body['agency']!r} in the archive）"
        )
    if wanted is None:
        version = next((v for v in versions if v["current"]), versions[-1])
    else:
        version = next((v for v in versions if v["version"] == wanted), None)
        if version is None:
            numbers = ", ".join(str(v["version"]) for v in versions)
            raise not_found(f"{year} 年度报告没有第 {wanted} 版（no version {wanted}; versions: {numbers}）")
    record = version["record"]
    tables, absent = tables_of(record)
    labels = key_labels(record.get("template"))
    cells = record.get("cells") or {}
    # Every cell of the record in keys.yaml order, then any key the spec does not know (kept, shown).
    ordered = [k for k in labels if k in cells] + sorted(k for k in cells if k not in labels)
    headings = spec.section_headings()
    sections = record.get("sections") or {}
    return request.render(
        "report.html",
        body=body,
        year=year,
        record=record,
        version=version,
        versions=versions,
        status=request.archive.report_status(body["agency"], year, body["portal"]),
        tables=tables,
        absent=[TABLE_TITLES[t] for t in absent],
        legacy=legacy_rows(record),
        all_cells=[(k, labels.get(k, ""), cells[k]) for k in ordered],
        sections=[(sid, heading, sections.get(sid)) for sid, heading in headings.items()],
    )
