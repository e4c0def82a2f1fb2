"""C02 — reports released after their deadline, and expected reports still missing past it.

Deadline: govreports.spec.legal_deadline(body_kind, year, portal deadline override); publication on
the deadline day is on time (annual-report-format.md §1.2). Release date: the date the report
states (`published`, from its first version), else the day the crawler first saw it. `first_seen`
is always shown as evidence: a stated date long before first_seen deserves a look.

A body expected for the year (as in `missing`) with no report by `as_of` counts as late once the
deadline has passed, with `days_late` counted to `as_of`.

Speed: the deadline of every (portal override, body kind) pair is computed here from the spec
and handed to SQL as one CASE of dates, so the database returns only the late reports (range scan
of reports(year, released_on) above the earliest possible deadline).
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import case, select
from sqlalchemy.orm import Session

from archive.models import Body, Portal, Report
from archive.queries.common import deadline
from archive.queries.missing import as_of_end, missing_rows
from govreports import spec


def _deadline_case(session: Session, year: int) -> tuple[Any, date]:
    """(SQL expression of the deadline of a body of `year`, the earliest deadline possible)."""
    overrides = sorted(
        set(session.scalars(select(Portal.deadline).where(Portal.deadline.is_not(None)).distinct()))
    )
    by_kind = case(
        *[(Body.body_kind == kind, spec.legal_deadline(kind, year)) for kind in spec.BODY_KINDS],
        else_=spec.legal_deadline(None, year),
    )
    expr = (
        case(*[(Portal.deadline == o, spec.legal_deadline(None, year, o)) for o in overrides], else_=by_kind)
        if overrides
        else by_kind
    )
    every = [spec.legal_deadline(k, year) for k in (*spec.BODY_KINDS, None)]
    every += [spec.legal_deadline(None, year, o) for o in overrides]
    return expr, min(every)


def late(
    session: Session,
    year: int,
    as_of: date | None = None,
    *,
    portal: str | None = None,
    agency: str | None = None,
) -> list[dict[str, Any]]:
    """Late reports and expected reports missing past their deadline, most days late first; only
    those of `portal` and/or named `agency` when given."""
    today = as_of or datetime.now(UTC).date()
    cutoff = as_of_end(today)
    due_expr, floor = _deadline_case(session, year)
    out: list[dict[str, Any]] = []
    # Core execution (no ORM row loading): tens of thousands of plain tuples.
    query = (
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
        # first_seen is filtered below, in Python, on purpose: given a first_seen condition SQLite
        # picks reports(year, first_seen) and reads every report of the year.
        .where(Report.year == year, Report.released_on > floor, Report.released_on > due_expr)
    )
    if portal is not None:
        query = query.where(Portal.name == portal)
    if agency is not None:
        query = query.where(Body.name == agency)
    rows = session.connection().execute(query)
    dues: dict[tuple[str | None, str | None], date] = {}

    def due_of(kind: str | None, portal_deadline: str | None) -> date:
        key = (kind, portal_deadline)
        if (due := dues.get(key)) is None:
            due = dues[key] = deadline(kind, year, portal_deadline)
        return due

    for name, portal_name, kind, portal_deadline, published, first_seen, released_on in rows.tuples():
        if first_seen >= cutoff:
            continue
        due = due_of(kind, portal_deadline)
        if released_on > due:
            out.append(_row(name, portal_name, year, due, published, first_seen, (released_on - due).days))
    for m in missing_rows(session, year, today, portal=portal, agency=agency):
        due = due_of(m.body_kind, m.portal_deadline)
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
        "first_seen": first_seen.isoformat(timespec="seconds") + "Z" if first_seen else None,
        "days_late": days,
    }
