"""The overview: per portal its bodies, reports per year, missing/late for a year, last crawl, alerts."""

from __future__ import annotations

from collections import Counter
from typing import Any

from govreports.web.app import Request
from govreports.web.http import Response
from govreports.web.views._common import default_year

ERRORS_SHOWN = 5  # per portal: enough to see why a crawl failed, the rest is in the crawl log


def page(request: Request) -> Response:
    archive = request.archive
    portals = archive.portals_overview()
    years = sorted({y for p in portals for y in p["reports_by_year"]})
    year = request.query.year() or default_year(request, years)
    as_of = request.query.date("as_of")
    missing = Counter(r["portal"] for r in archive.missing(year, as_of))
    late_rows = archive.late(year, as_of)
    # As `govreports late`: published after the deadline, or still missing past it (counted apart too).
    late = Counter(r["portal"] for r in late_rows)
    late_missing = Counter(r["portal"] for r in late_rows if r["first_seen"] is None)
    health = {h["portal"]: h for h in archive.portal_health()}
    rows: list[dict[str, Any]] = []
    for p in portals:
        runs = archive.last_runs(p["portal"], limit=1)
        run = runs[0] if runs else None
        errors = (
            archive.run_error_summary(run.id, ERRORS_SHOWN)
            if run
            else {"total": 0, "by_kind": {}, "first": []}
        )
        stats = (run.stats or {}) if run else {}
        rows.append(
            {
                **p,
                "missing": missing.get(p["portal"], 0),
                "late": late.get(p["portal"], 0),
                "late_missing": late_missing.get(p["portal"], 0),
                "run": run,
                "run_stats": stats,
                "blocked": bool(run and (run.status == "blocked" or stats.get("blocked"))),
                "errors": errors["first"],
                "error_count": errors["total"],
                "error_kinds": errors["by_kind"],
                "health": health.get(p["portal"]),
            }
        )
    return request.render(
        "overview.html",
        portals=rows,
        years=years,
        year=year,
        as_of=as_of,
        alerts=archive.open_alerts(),
        totals={
            "bodies": sum(p["bodies"] for p in portals),
            "reports": sum(p["reports_by_year"].get(year, 0) for p in portals),
            "missing": sum(missing.values()),
            "late": sum(late.values()),
            "late_missing": sum(late_missing.values()),
        },
    )
