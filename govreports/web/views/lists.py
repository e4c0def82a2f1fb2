"""Missing (C01) and late (C02) for a year, as pages and as the JSON of `govreports missing/late --json`."""

from __future__ import annotations

import csv
import io
from datetime import date
from typing import Any

from govreports.web.app import Request
from govreports.web.http import Response
from govreports.web.views._common import default_year, json_response, portal_filter


def _rows(
    request: Request, kind: str, *, year_required: bool
) -> tuple[int, date | None, dict[str, Any], list[dict[str, Any]]]:
    q = request.query
    year = q.year(required=year_required) or default_year(request)
    as_of = q.date("as_of")
    portal = portal_filter(request)
    body_kind = q.body_kind()
    archive = request.archive
    query = archive.missing if kind == "missing" else archive.late
    rows = query(year, as_of, portal=portal)
    if body_kind:
        kinds = archive.body_kinds(portal)
        rows = [r for r in rows if kinds.get((r["portal"], r["agency"])) == body_kind]
    return year, as_of, {"portal": portal, "body_kind": body_kind}, rows


# Rows per page: a county's list fits on one page; a province's (thousands of bodies) is paged,
# and its JSON/CSV downloads always hold the whole list.
PAGE_ROWS = 500


def _page(request: Request, kind: str) -> Response:
    year, as_of, filters, rows = _rows(request, kind, year_required=False)
    portals = request.archive.portal_names()
    pages = max(1, -(-len(rows) // PAGE_ROWS))
    number = min(request.query.number("page") or 1, pages)
    shown = rows[(number - 1) * PAGE_ROWS : number * PAGE_ROWS]
    return request.render(
        f"{kind}.html",
        year=year,
        as_of=as_of,
        filters=filters,
        rows=rows,
        shown=shown,
        paging={"page": number, "pages": pages, "first": (number - 1) * PAGE_ROWS + 1},
        portals=portals,
        kind=kind,
    )


def missing_page(request: Request) -> Response:
    return _page(request, "missing")


def late_page(request: Request) -> Response:
    return _page(request, "late")


def missing_json(request: Request) -> Response:
    return json_response(_rows(request, "missing", year_required=True)[3])


def late_json(request: Request) -> Response:
    return json_response(_rows(request, "late", year_required=True)[3])


# The columns of the JSON rows (CONTRACT.md §2), in that order: a spreadsheet of the same list.
CSV_COLUMNS = {
    "missing": ("agency", "portal", "year", "expected_because"),
    "late": ("agency", "portal", "year", "deadline", "published", "first_seen", "days_late"),
}


def _csv(request: Request, kind: str) -> Response:
    year, _as_of, filters, rows = _rows(request, kind, year_required=True)
    out = io.StringIO(newline="")
    writer = csv.writer(out)
    writer.writerow(CSV_COLUMNS[kind])
    for r in rows:
        writer.writerow(["" if r[c] is None else r[c] for c in CSV_COLUMNS[kind]])
    name = "-".join(
        x for x in (kind, filters["portal"], str(year), filters["body_kind"]) if x and x.isascii()
    )
    return Response(
        out.getvalue().encode("utf-8"),
        content_type="text/csv; charset=utf-8",
        headers=[("Content-Disposition", f'attachment; filename="{name}.csv"')],
    )


def missing_csv(request: Request) -> Response:
    return _csv(request, "missing")


def late_csv(request: Request) -> Response:
    return _csv(request, "late")
