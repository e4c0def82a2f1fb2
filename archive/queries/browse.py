"""Read-only views for browsing the archive (the web dashboard): portals, bodies, one body's reports.

Plain dicts and lists out, like the other queries, so callers never hold ORM objects past the
session. Nothing here writes.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from sqlalchemy import case, func, select, true
from sqlalchemy.orm import Session

from archive.models import Body, CrawlError, Portal, Report, Version, VersionUrl
from archive.normalize import iso, norm_name


def portals_overview(session: Session) -> list[dict[str, Any]]:
    """One entry per portal: its settings, how many bodies (and expected ones), reports per year."""
    conn = session.connection()
    bodies: dict[int, tuple[int, int]] = {
        pid: (n, int(expected or 0))
        for pid, n, expected in conn.execute(
            select(
                Body.portal_id, func.count(), func.sum(case((Body.expected == true(), 1), else_=0))
            ).group_by(Body.portal_id)
        )
    }
    per_year: dict[int, dict[int, int]] = defaultdict(dict)
    gone: dict[int, int] = defaultdict(int)
    for pid, year, n, n_gone in conn.execute(
        select(Body.portal_id, Report.year, func.count(), func.count(Report.disappeared_at))
        .join(Report, Report.body_id == Body.id)
        .group_by(Body.portal_id, Report.year)
    ):
        per_year[pid][year] = n
        gone[pid] += n_gone
    out = []
    for p in session.scalars(select(Portal).order_by(Portal.name)):
        n_bodies, n_expected = bodies.get(p.id, (0, 0))
        out.append(
            {
                "portal": p.name,
                "start_urls": list(p.start_urls or []),
                "body_kind": p.body_kind,
                "deadline": p.deadline,
                "has_expected_list": bool(p.has_expected_list),
                "bodies": n_bodies,
                "expected_bodies": n_expected,
                "reports_by_year": dict(sorted(per_year.get(p.id, {}).items())),
                "disappeared_reports": gone.get(p.id, 0),
            }
        )
    return out


def bodies(session: Session, portal: str | None = None) -> list[dict[str, Any]]:
    """Every body (of `portal` when given), by portal and name, with the years it has reports for."""
    q = select(Body.id, Body.name, Portal.name, Body.body_kind, Body.expected).join(
        Portal, Portal.id == Body.portal_id
    )
    if portal:
        q = q.where(Portal.name == portal)
    rows = session.execute(q.order_by(Portal.name, Body.name)).all()
    years: dict[int, list[int]] = defaultdict(list)
    yq = select(Report.body_id, Report.year).order_by(Report.year)
    if portal:
        yq = yq.join(Body, Body.id == Report.body_id).join(Portal, Portal.id == Body.portal_id)
        yq = yq.where(Portal.name == portal)
    for body_id, year in session.execute(yq):
        years[body_id].append(year)
    return [
        {"agency": name, "portal": pname, "body_kind": kind, "expected": bool(expected), "years": years[bid]}
        for bid, name, pname, kind, expected in rows
    ]


def find_bodies(session: Session, agency: str, portal: str | None = None) -> list[dict[str, Any]]:
    """The bodies called `agency` (normalised name), on `portal` when given; [] when none."""
    q = (
        select(Body.name, Portal.name, Body.body_kind, Body.expected)
        .join(Portal, Portal.id == Body.portal_id)
        .where(Body.norm_name == norm_name(agency))
    )
    if portal:
        q = q.where(Portal.name == portal)
    return [
        {"agency": name, "portal": pname, "body_kind": kind, "expected": bool(expected)}
        for name, pname, kind, expected in session.execute(q.order_by(Portal.name))
    ]


def body_reports(session: Session, agency: str, portal: str) -> list[dict[str, Any]] | None:
    """One body's reports, newest year first, each with every version (oldest first) and its
    findings; None when the portal has no such body."""
    body = session.scalars(
        select(Body)
        .join(Portal, Portal.id == Body.portal_id)
        .where(Body.norm_name == norm_name(agency), Portal.name == portal)
    ).one_or_none()
    if body is None:
        return None
    reports = list(
        session.scalars(select(Report).where(Report.body_id == body.id).order_by(Report.year.desc()))
    )
    versions: dict[int, list[Version]] = defaultdict(list)
    urls: dict[int, list[str]] = defaultdict(list)
    if reports:
        for v in session.scalars(
            select(Version).where(Version.report_id.in_([r.id for r in reports])).order_by(Version.number)
        ):
            versions[v.report_id].append(v)
        ids = [v.id for vs in versions.values() for v in vs]
        for vid, url in session.execute(
            select(VersionUrl.version_id, VersionUrl.url)
            .where(VersionUrl.version_id.in_(ids))
            .order_by(VersionUrl.first_seen, VersionUrl.id)
        ):
            urls[vid].append(url)
    out = []
    for r in reports:
        vs = versions[r.id]
        out.append(
            {
                "year": r.year,
                "first_seen": iso(r.first_seen),
                "last_seen": iso(r.last_seen),
                "published": r.published.isoformat() if r.published else None,
                "released_on": r.released_on.isoformat(),
                "disappeared_at": iso(r.disappeared_at) if r.disappeared_at else None,
                "current_version": next((v.number for v in vs if v.id == r.current_version_id), None),
                "versions": [
                    {
                        "version": v.number,
                        "title": v.title,
                        "template": v.template,
                        "published": v.published.isoformat() if v.published else None,
                        "first_seen": iso(v.first_seen),
                        "last_seen": iso(v.last_seen),
                        "urls": urls[v.id],
                        "changes": v.changes,
                        "findings": list((v.record or {}).get("findings") or []),
                        "error": (v.record or {}).get("error"),
                    }
                    for v in vs
                ],
            }
        )
    return out


def body_kinds(session: Session, portal: str | None = None) -> dict[tuple[str, str], str | None]:
    """(portal, body name) -> body_kind: what the missing/late rows need to be filtered by kind."""
    q = select(Portal.name, Body.name, Body.body_kind).join(Portal, Portal.id == Body.portal_id)
    if portal:
        q = q.where(Portal.name == portal)
    return {(p, b): kind for p, b, kind in session.execute(q)}


def run_error_summary(session: Session, run_id: int, limit: int = 5) -> dict[str, Any]:
    """A crawl run's errors as counts per kind plus the first `limit` of them: a run blocked on every
    page can log thousands, and the overview needs the why, not the list."""
    counts = dict(
        session.execute(
            select(CrawlError.kind, func.count())
            .where(CrawlError.run_id == run_id)
            .group_by(CrawlError.kind)
            .order_by(func.count().desc(), CrawlError.kind)
        ).all()
    )
    first = session.scalars(
        select(CrawlError).where(CrawlError.run_id == run_id).order_by(CrawlError.id).limit(limit)
    )
    return {
        "total": sum(counts.values()),
        "by_kind": counts,
        "first": [{"url": e.url, "kind": e.kind, "message": e.message, "at": e.at} for e in first],
    }


def portal_names(session: Session) -> list[str]:
    """The portals' names, sorted: cheap enough to validate a filter on every request."""
    return list(session.scalars(select(Portal.name).order_by(Portal.name)))


def report_years(session: Session) -> list[int]:
    """Every reporting year with at least one report (index reports(year, …))."""
    return list(session.scalars(select(Report.year).distinct().order_by(Report.year)))
