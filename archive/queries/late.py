"""C02 — reports released after their deadline, and expected reports still missing past it.

Deadline: govreports.spec.legal_deadline(body_kind, year, portal deadline override); publication on
the deadline day is on time (annual-report-format.md §1.2). Release date: the date the report
states (`published`, from its first version), else the day the crawler first saw it. `first_seen`
is always shown as evidence: a stated date long before first_seen deserves a look.

A body expected for the year (as in `missing`) with no report by `as_of` counts as late once the
deadline has passed, with `days_late` counted to `as_of`.

Speed: the deadline depends on body kind and portal, but it can never be earlier than the earliest
deadline any portal or kind has for the year, so SQL first keeps only reports released after that
(index reports(year, released_on)) and Python decides the exact deadline for those few.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from archive.models import Body, Portal, Report
from archive.normalize import iso
from archive.queries.common import deadline
from archive.queries.missing import as_of_end, missing_rows
from govreports import spec


def earliest_deadline(session: Session, year: int) -> date:
    overrides = set(session.scalars(select(Portal.deadline).where(Portal.deadline.is_not(None)).distinct()))
    candidates = [spec.legal_deadline(kind, year) for kind in (*spec.BODY_KINDS, None)]
    candidates += [spec.legal_deadline(None, year, o) for o in overrides]
    return min(candidates)


def late(session: Session, year: int, as_of: date | None = None) -> list[dict[str, Any]]:
    today = as_of or datetime.now(UTC).date()
    cutoff = as_of_end(today)
    floor = earliest_deadline(session, year)
    out: list[dict[str, Any]] = []
    rows = session.execute(
        select(
            Body.name.label("agency"),
            Portal.name.label("portal"),
            Body.body_kind,
            Portal.deadline.label("portal_deadline"),
            Report.published,
            Report.first_seen,
            Report.released_on,
        )
        .join(Body, Body.id == Report.body_id)
        .join(Portal, Portal.id == Body.portal_id)
        .where(Report.year == year, Report.released_on > floor, Report.first_seen < cutoff)
    )
    for r in rows:
        due = deadline(r.body_kind, year, r.portal_deadline)
        if r.released_on > due:
            out.append(
                _row(r.agency, r.portal, year, due, r.published, r.first_seen, (r.released_on - due).days)
            )
    for m in missing_rows(session, year, today):
        due = deadline(m.body_kind, year, m.portal_deadline)
        if today > due:
            out.append(_row(m.agency, m.portal, year, due, None, None, (today - due).days))
    out.sort(key=lambda x: (-x["days_late"], x["portal"], x["agency"]))
    return out


def _row(
    agency: str,
    portal: str,
    year: int,
    due: date,
    published: date | None,
    first_seen: datetime | None,
    days: int,
) -> dict[str, Any]:
    return {
        "agency": agency,
        "portal": portal,
        "year": year,
        "deadline": due.isoformat(),
        "published": published.isoformat() if published else None,
        "first_seen": iso(first_seen),
        "days_late": days,
    }
