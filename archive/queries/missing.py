"""C01 — bodies expected to report for a year that have no report in the archive.

Expected (annual-report-format.md §8 C01): on a portal whose portals-file entry lists
`expected_bodies`, exactly those; on any other portal, the bodies that reported for an earlier year.
`as_of` looks at the archive as it stood at the end of that day: reports first seen later do not
count (so `missing --as-of 2024-02-01` is reproducible after later crawls).

One SQL statement with indexed EXISTS probes on reports(body_id, year): no per-body Python.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import and_, exists, func, or_, select, true
from sqlalchemy.orm import Session, aliased

from archive.models import Body, Portal, Report


def as_of_end(as_of: date | None) -> datetime:
    """The first instant after `as_of` (today when None), in the archive's naive UTC."""
    day = as_of or datetime.now(UTC).date()
    return datetime.combine(day + timedelta(days=1), time())


def missing_rows(session: Session, year: int, as_of: date | None = None) -> list[Any]:
    """Rows (body_id, agency, portal, body_kind, portal_deadline, listed, first_year, last_year, n_years)."""
    cutoff = as_of_end(as_of)
    earlier = aliased(Report)
    this = aliased(Report)
    has_earlier = exists().where(earlier.body_id == Body.id, earlier.year < year, earlier.first_seen < cutoff)
    has_this = exists().where(this.body_id == Body.id, this.year == year, this.first_seen < cutoff)

    def earlier_agg(make):
        # Correlated and index-backed; evaluated only for the rows that are missing.
        r = aliased(Report)
        return (
            select(make(r))
            .where(r.body_id == Body.id, r.year < year, r.first_seen < cutoff)
            .scalar_subquery()
        )

    q = (
        select(
            Body.id.label("body_id"),
            Body.name.label("agency"),
            Portal.name.label("portal"),
            Body.body_kind.label("body_kind"),
            Portal.deadline.label("portal_deadline"),
            and_(Portal.has_expected_list == true(), Body.expected == true()).label("listed"),
            earlier_agg(lambda r: func.min(r.year)).label("first_year"),
            earlier_agg(lambda r: func.max(r.year)).label("last_year"),
            earlier_agg(lambda r: func.count(r.id)).label("n_years"),
        )
        .join(Portal, Portal.id == Body.portal_id)
        .where(
            or_(
                and_(Portal.has_expected_list == true(), Body.expected == true()),
                and_(Portal.has_expected_list != true(), has_earlier),
            ),
            ~has_this,
        )
        .order_by(Portal.name, Body.name)
    )
    return list(session.execute(q))


def expected_because(listed: bool, first_year: int | None, last_year: int | None, n_years: int | None) -> str:
    if listed:
        return "listed in the portals file (expected_bodies)"
    if not n_years:
        return "reported for an earlier year"
    if n_years == 1:
        return f"reported for {last_year}"
    if last_year - first_year + 1 == n_years:
        return f"reported for {first_year}–{last_year}"
    return f"reported for {n_years} earlier years, last {last_year}"


def missing(session: Session, year: int, as_of: date | None = None) -> list[dict[str, Any]]:
    return [
        {
            "agency": row.agency,
            "portal": row.portal,
            "year": year,
            "expected_because": expected_because(
                bool(row.listed), row.first_year, row.last_year, row.n_years
            ),
        }
        for row in missing_rows(session, year, as_of)
    ]
