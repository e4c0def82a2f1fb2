"""Year-over-year comparison of one body: the page, and the JSON of `govreports diff --json`."""

from __future__ import annotations

from typing import Any

from govreports.web.app import Request
from govreports.web.http import Response, bad_request, not_found
from govreports.web.tables import key_labels
from govreports.web.views._common import json_response, resolve_body


def _diff(
    request: Request, *, years_required: bool
) -> tuple[dict[str, Any], list[int], dict[str, Any] | None, str | None]:
    body = resolve_body(request)
    q = request.query
    reports = request.archive.body_reports(body["agency"], body["portal"]) or []
    years = sorted(r["year"] for r in reports)
    y1 = q.year("from", required=years_required)
    y2 = q.year("to", required=years_required)
    if y1 is None or y2 is None:
        # The page without years compares the body's two latest reports (or, with one, its versions).
        if not years:
            return body, years, None, None
        y2 = y2 if y2 is not None else years[-1]
        if y1 is None:
            earlier = [y for y in years if y < y2]
            y1 = earlier[-1] if earlier else y2
    if y1 > y2:
        raise bad_request(f"参数 from（{y1}）晚于 to（{y2}）（from must not be after to）")
    for y in (y1, y2):
        if y not in years:
            have = ", ".join(map(str, years)) or "无 none"
            raise not_found(f"{body['agency']} 没有 {y} 年度报告（no {y} report; archived years: {have}）")
    return (
        body,
        years,
        request.archive.diff(body["agency"], y1, y2, portal=body["portal"]),
        _template(reports, y2),
    )


def _template(reports: list[dict[str, Any]], year: int | None) -> str | None:
    """The template of the later report: its labels name the compared cells."""
    for r in reports:
        if r["year"] == year:
            current = [v for v in r["versions"] if v["version"] == r["current_version"]]
            return current[0]["template"] if current else None
    return None


def page(request: Request) -> Response:
    body, years, result, template = _diff(request, years_required=False)
    return request.render("diff.html", body=body, years=years, result=result, labels=key_labels(template))


def json_page(request: Request) -> Response:
    result = _diff(request, years_required=True)[2]
    return json_response(result)
