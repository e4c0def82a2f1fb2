"""C01 — bodies expected to report for a year that have no report in the archive.

Expected (annual-report-format.md §8 C01): on a portal whose portals-file entry lists
`expected_bodies`, exactly those; on any other portal, the bodies that reported for an earlier
year (whenever the archive learnt of that report: a body's history does not depend on our crawl).

`as_of` looks at the year's own reports as the archive stood at the end of that day: a report first
seen later does not count, so `missing --as-of 2024-02-01` gives the same answer after later crawls.

Speed: expectations and presence come from bodies.years_mask (one bit per reported year), so the
query is one scan of bodies; only reports of the year first seen after `as_of` are looked up in
reports (index reports(year, first_seen); none when as_of is today).
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import and_, or_, select, true
from sqlalchemy.orm import Session

from archive.models import YEAR_BASE, YEAR_MAX, Body, Portal, Report


def as_of_end(as_of: date | None) -> datetime:
    """The first instant after `as_of` (today when None), in the archive's naive UTC."""
    day = as_of or datetime.now(UTC).date()
    return datetime.combine(day + timedelta(days=1), time())


def _bits(year: int) -> tuple[int, int]:
    """(bit of `year`, mask of every earlier year) in bodies.years_mask."""
    if year < YEAR_BASE:
        return 0, 0
    if year > YEAR_MAX:
        return 0, (1 << (YEAR_MAX - YEAR_BASE + 1)) - 1
    bit = 1 << (year - YEAR_BASE)
    return bit, bit - 1


def years_of(mask: int, before: int) -> list[int]:
    return [YEAR_BASE + i for i in range(63) if mask >> i & 1 and YEAR_BASE + i < before]


def missing_rows(session: Session, year: int, as_of: date | None = None) -> list[Any]:
    """Rows (body_id, agency, portal, body_kind, portal_deadline, listed, years_mask)."""
    cutoff = as_of_end(as_of)
    bit, earlier = _bits(year)
    mask = Body.years_mask
    listed = and_(Portal.has_expected_list == true(), Body.expected == true())
    inferred = and_(Portal.has_expected_list != true(), mask.op("&")(earlier) != 0) if earlier else None
    seen_later = select(Report.body_id).where(Report.year == year, Report.first_seen >= cutoff)
    absent = or_(mask.op("&")(bit) == 0, Body.id.in_(seen_later)) if bit else true()
    q = (
        select(
            Body.id.label("body_id"),
            Body.name.label("agency"),
            Portal.name.label("portal"),
            Body.body_kind.label("body_kind"),
            Portal.deadline.label("portal_deadline"),
            listed.label("listed"),
            mask.label("years_mask"),
        )
        .join(Portal, Portal.id == Body.portal_id)
        .where(absent, or_(listed, inferred) if inferred is not None else listed)
        .order_by(Portal.name, Body.name)
    )
    return list(session.connection().execute(q))


def expected_because(listed: bool, earlier_years: list[int]) -> str:
    if listed:
        return "listed in the portals file (expected_bodies)"
    if not earlier_years:
        return "reported for an earlier year"
    first, last, n = earlier_years[0], earlier_years[-1], len(earlier_years)
    if n == 1:
        return f"reported for {last}"
    if last - first + 1 == n:
        return f"reported for {first}–{last}"
    return f"reported for {n} earlier years, last {last}"


def missing(session: Session, year: int, as_of: date | None = None) -> list[dict[str, Any]]:
    return [
        {
            "agency": row.agency,
            "portal": row.portal,
            "year": year,
            "expected_because": expected_because(bool(row.listed), years_of(row.years_mask or 0, year)),
        }
        for row in missing_rows(session, year, as_of)
    ]
