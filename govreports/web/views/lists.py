"""Missing (C01) and late (C02) for a year, as pages and as the JSON of `govreports missing/late --json`."""

from __future__ import annotations

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
    rows = archive.missing(year, as_of) if kind == "missing" else archive.late(year, as_of)
    if portal:
        rows = [r for r in rows if r["portal"] == portal]
    if body_kind:
        kinds = archive.body_kinds(portal)
        rows = [r for r in rows if kinds.get((r["portal"], r["agency"])) == body_kind]
    return year, as_of, {"portal": portal, "body_kind": body_kind}, rows


def _page(request: Request, kind: str) -> Response:
    year, as_of, filters, rows = _rows(request, kind, year_required=False)
    portals = request.archive.portal_names()
    return request.render(
        f"{kind}.html", year=year, as_of=as_of, filters=filters, rows=rows, portals=portals, kind=kind
    )


def missing_page(request: Request) -> Response:
    return _page(request, "missing")


def late_page(request: Request) -> Response:
    return _page(request, "late")


def missing_json(request: Request) -> Response:
    return json_response(_rows(request, "missing", year_required=True)[3])


def late_json(request: Request) -> Response:
    return json_response(_rows(request, "late", year_required=True)[3])
