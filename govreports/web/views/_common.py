"""Helpers the views share: the body a request names, the default year, the portal filter."""

from __future__ import annotations

import json
from typing import Any

from govreports.web.app import Request
from govreports.web.http import Response, bad_request, not_found


def json_response(data: Any) -> Response:
    """The same document `govreports … --json` prints (print_json): indented UTF-8 JSON."""
    body = json.dumps(data, ensure_ascii=False, indent=2) + "\n"
    return Response(body.encode("utf-8"), content_type="application/json; charset=utf-8")


def resolve_body(request: Request) -> dict[str, Any]:
    """The one body of ?agency=…[&portal=…]: 404 when unknown, 400 when the name is on several portals."""
    agency = request.query.text("agency", required=True)
    portal = request.query.text("portal")
    assert agency is not None
    found = request.archive.find_bodies(agency, portal)
    if not found:
        where = f"门户 {portal} 上" if portal else "档案中"
        raise not_found(
            f"{where}没有名为 {agency!r} 的机关（no body called {agency!r}"
            + (f" on portal {portal!r}）" if portal else " in the archive）")
        )
    if len(found) > 1:
        names = ", ".join(b["portal"] for b in found)
        raise bad_request(
            f"{agency!r} 在多个门户上（{names}），请加参数 portal（name the portal with &portal=…）"
        )
    return found[0]


def portal_filter(request: Request) -> str | None:
    """?portal=…, checked against the archive's portals so a typo is a 400, not an empty list."""
    portal = request.query.text("portal")
    if portal is None:
        return None
    known = request.archive.portal_names()
    if portal not in known:
        raise bad_request(
            f"参数 portal 无效：没有门户 {portal!r}（unknown portal; known: {', '.join(known) or 'none'}）"
        )
    return portal


def default_year(request: Request, years: list[int] | None = None) -> int:
    """The year a user checks by default: the latest archived reporting year, but never the
    current one (its reports are not due yet); last year when the archive is empty."""
    last = request.today().year - 1
    if years is None:
        years = request.archive.report_years()
    past = [y for y in years if y <= last]
    return past[-1] if past else last
