"""A body: its reports by year, each with its versions (change history) and findings; the body list."""

from __future__ import annotations

from govreports.web.app import Request
from govreports.web.http import Response, not_found
from govreports.web.views._common import default_year, portal_filter, resolve_body

# A national archive has ~200 000 bodies: one page lists this many; the portal filter narrows it.
LIST_LIMIT = 2000


def list_page(request: Request) -> Response:
    portal = portal_filter(request)
    body_kind = request.query.body_kind()
    bodies = request.archive.bodies(portal)
    if body_kind:
        bodies = [b for b in bodies if b["body_kind"] == body_kind]
    portals = request.archive.portal_names()
    return request.render(
        "bodies.html",
        bodies=bodies[:LIST_LIMIT],
        total=len(bodies),
        portals=portals,
        filters={"portal": portal, "body_kind": body_kind},
    )


def page(request: Request) -> Response:
    body = resolve_body(request)
    reports = request.archive.body_reports(body["agency"], body["portal"])
    if reports is None:  # removed between the two reads
        raise not_found(f"没有机关 {body['agency']!r}（no such body）")
    years = sorted(r["year"] for r in reports)
    # Where the body stands for the year an office checks (?year=…, default as on the overview).
    check_year = request.query.year() or default_year(request)
    as_of = request.query.date("as_of")
    one = {"portal": body["portal"], "agency": body["agency"]}
    missing = bool(request.archive.missing(check_year, as_of, **one))
    late = next(iter(request.archive.late(check_year, as_of, **one)), None)
    return request.render(
        "body.html",
        body=body,
        reports=reports,
        years=years,
        diff_from=years[-2] if len(years) > 1 else None,
        diff_to=years[-1] if years else None,
        check_year=check_year,
        missing=missing,
        late=late,
    )
