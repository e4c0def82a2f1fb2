"""Helpers the queries share: finding a body by name, the deadline of a body for a year."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from archive.models import Body, Portal
from archive.normalize import norm_name
from govreports import spec
from govreports.errors import ArchiveError


def find_body(session: Session, agency: str, portal: str | None = None) -> Body:
    """The one body called `agency` (normalised), on `portal` when given; clear errors otherwise."""
    key = norm_name(agency)
    q = select(Body).join(Portal, Portal.id == Body.portal_id).where(Body.norm_name == key)
    if portal:
        q = q.where(Portal.name == portal)
    bodies = list(session.scalars(q))
    if not bodies:
        where = f" on portal {portal}" if portal else ""
        raise ArchiveError(f"no body called {agency!r}{where} in the archive")
    if len(bodies) > 1:
        names = ", ".join(sorted(b.portal.name for b in bodies))
        raise ArchiveError(f"{agency!r} is on several portals ({names}); name one with --portal")
    return bodies[0]


def deadline(body_kind: str | None, year: int, portal_deadline: str | None) -> date:
    return spec.legal_deadline(body_kind, year, portal_deadline)
