"""Filing one parsed record: body, report, version, cells and URL — with change detection.

Rules (the issue "The archive: versions, change detection…"):
- unchanged re-crawl: no new version, only last_seen moves;
- same document at a new URL: same version, the URL is added ("moved");
- different normalised document for a body and year already archived: a new version, with the
  differences stored and a C23 finding (published report changed silently);
- a report that comes back after being marked disappeared is simply seen again.

Every function here runs inside the caller's transaction (archive.api): a failure anywhere leaves
the whole version or nothing.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sqlalchemy import BigInteger, Connection, Row, bindparam, func, insert, select, update
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from archive.changes import describe, record_changes
from archive.models import YEAR_BASE, Body, Capture, Cell, Portal, Report, Version, VersionUrl
from archive.normalize import cell_rows, content_hash, norm_name, parse_date, validate_record
from govreports import spec
from govreports.errors import ArchiveError


@dataclass(slots=True)
class StoreOutcome:
    kind: str  # new_report | new_version | unchanged | moved
    version: int  # the version number (1, 2, …) the record was filed as
    report_id: int
    version_id: int
    body_id: int
    findings: list[dict[str, Any]] = field(default_factory=list)  # C23 for a new version
    changes: dict[str, Any] | None = None  # what differs from the version before (new_version)


def get_or_create_portal(session: Session, name: str, now: datetime) -> Portal:
    portal = session.scalars(select(Portal).where(Portal.name == name)).one_or_none()
    if portal is None:
        portal = Portal(name=name, start_urls=[], has_expected_list=False, created_at=now)
        session.add(portal)
        session.flush()
    return portal


# The filing path runs on SQLAlchemy Core over the mapped tables: a report is ~10 statements, and
# the ORM's identity map, unit of work and per-object bookkeeping cost several times the SQL itself.
# Statements are built once; only the parameters change per report.
_portals, _bodies, _reports = Portal.__table__, Body.__table__, Report.__table__
_versions, _urls, _captures = Version.__table__, VersionUrl.__table__, Capture.__table__

_CAPTURE_EXISTS = select(_captures.c.sha256).where(_captures.c.sha256 == bindparam("sha256"))
_FIND_PORTAL = select(_portals.c.id, _portals.c.body_kind).where(_portals.c.name == bindparam("name"))
_ADD_PORTAL = insert(_portals)
_FIND_BODY = select(_bodies.c.id, _bodies.c.body_kind).where(
    _bodies.c.portal_id == bindparam("portal_id"), _bodies.c.norm_name == bindparam("norm_name")
)
_ADD_BODY = insert(_bodies)
_SET_BODY_KIND = (
    update(_bodies).where(_bodies.c.id == bindparam("body_id")).values(body_kind=bindparam("kind"))
)
# One atomic UPDATE (not read-modify-write): concurrent writers adding other years of the same body
# on PostgreSQL cannot lose each other's bit.
_MARK_YEAR = (
    update(_bodies)
    .where(_bodies.c.id == bindparam("body_id"))
    .values(years_mask=_bodies.c.years_mask.op("|")(bindparam("bit", type_=BigInteger)))
)
_FIND_REPORT = select(
    _reports.c.id,
    _reports.c.first_seen,
    _reports.c.last_seen,
    _reports.c.published,
    _reports.c.released_on,
    _reports.c.disappeared_at,
    _reports.c.current_version_id,
).where(_reports.c.body_id == bindparam("body_id"), _reports.c.year == bindparam("year"))
_ADD_REPORT = insert(_reports)
_SET_REPORT = update(_reports).where(_reports.c.id == bindparam("report_id"))
_FIND_VERSION = select(
    _versions.c.id, _versions.c.number, _versions.c.first_seen, _versions.c.last_seen
).where(_versions.c.report_id == bindparam("report_id"), _versions.c.content_hash == bindparam("digest"))
_SET_VERSION_SEEN = (
    update(_versions)
    .where(_versions.c.id == bindparam("version_id"))
    .values(first_seen=bindparam("first_seen"), last_seen=bindparam("last_seen"))
)
_PREVIOUS = select(_versions.c.number, _versions.c.record).where(_versions.c.id == bindparam("version_id"))
_LAST_NUMBER = select(func.max(_versions.c.number)).where(_versions.c.report_id == bindparam("report_id"))
_ADD_VERSION = insert(_versions)
_FIND_URL = select(_urls.c.id, _urls.c.first_seen, _urls.c.last_seen).where(
    _urls.c.version_id == bindparam("version_id"), _urls.c.url == bindparam("url")
)
_ADD_URL = insert(_urls)
_SET_URL_SEEN = (
    update(_urls)
    .where(_urls.c.id == bindparam("url_id"))
    .values(first_seen=bindparam("first_seen"), last_seen=bindparam("last_seen"))
)


def store_report(
    conn: Connection,
    *,
    portal: str,
    url: str,
    record: dict[str, Any],
    raw_sha256: str | None,
    fetched_at: datetime,
    run_id: int | None,
) -> StoreOutcome:
    validate_record(record)
    if not portal:
        raise ArchiveError("store_report needs the portal name")
    if raw_sha256 is not None and conn.execute(_CAPTURE_EXISTS, {"sha256": raw_sha256}).first() is None:
        raise ArchiveError(f"raw capture {raw_sha256} is not in the archive; store_capture() it first")

    portal_id, portal_kind = _portal(conn, portal, fetched_at)
    body_id = _body(conn, portal_id, portal_kind, record)
    year: int = record["year"]
    report = conn.execute(_FIND_REPORT, {"body_id": body_id, "year": year}).first()
    published = parse_date((record.get("dates") or {}).get("published"))
    digest = content_hash(record)

    if report is None:
        report_id = conn.execute(
            _ADD_REPORT,
            {
                "body_id": body_id,
                "year": year,
                "first_seen": fetched_at,
                "last_seen": fetched_at,
                "published": published,
                "released_on": published or fetched_at.date(),
            },
        ).inserted_primary_key[0]
        conn.execute(_MARK_YEAR, {"body_id": body_id, "bit": 1 << (year - YEAR_BASE)})
        version_id = _new_version(
            conn, report_id, 1, record, digest, published, raw_sha256, run_id, fetched_at, url
        )
        conn.execute(_SET_REPORT, {"report_id": report_id, "current_version_id": version_id})
        return StoreOutcome("new_report", 1, report_id, version_id, body_id)

    report_id = report.id
    touched = _touched_report(report, fetched_at, published)
    # Seen no earlier than every sighting so far: this version becomes the current one.
    latest = fetched_at >= touched["last_seen"]
    existing = conn.execute(_FIND_VERSION, {"report_id": report_id, "digest": digest}).first()
    if existing is not None:
        if not existing.first_seen <= fetched_at <= existing.last_seen:
            conn.execute(
                _SET_VERSION_SEEN,
                {
                    "version_id": existing.id,
                    "first_seen": min(existing.first_seen, fetched_at),
                    "last_seen": max(existing.last_seen, fetched_at),
                },
            )
        moved = _see_url(conn, existing.id, url, fetched_at)
        if latest:
            touched["current_version_id"] = existing.id
        _update_report(conn, report, touched)
        return StoreOutcome(
            "moved" if moved else "unchanged", existing.number, report_id, existing.id, body_id
        )

    previous = (
        conn.execute(_PREVIOUS, {"version_id": report.current_version_id}).first()
        if report.current_version_id
        else None
    )
    number = (conn.execute(_LAST_NUMBER, {"report_id": report_id}).scalar() or 0) + 1
    changes = record_changes(previous.record, record) if previous is not None else None
    findings: list[dict[str, Any]] = []
    if previous is not None and changes is not None:
        findings.append(_c23(previous.number, number, changes))
    version_id = _new_version(
        conn, report_id, number, record, digest, published, raw_sha256, run_id, fetched_at, url,
        changes=changes, archive_findings=findings,
    )  # fmt: skip
    if latest:
        touched["current_version_id"] = version_id
    _update_report(conn, report, touched)
    return StoreOutcome("new_version", number, report_id, version_id, body_id, findings, changes)


def _portal(conn: Connection, name: str, now: datetime) -> tuple[int, str | None]:
    """(id, body_kind) of the portal, created on first sight."""
    row = conn.execute(_FIND_PORTAL, {"name": name}).first()
    if row is not None:
        return row.id, row.body_kind
    new_id = conn.execute(
        _ADD_PORTAL, {"name": name, "start_urls": [], "has_expected_list": False, "created_at": now}
    ).inserted_primary_key[0]
    return new_id, None


def _body(conn: Connection, portal_id: int, portal_kind: str | None, record: dict[str, Any]) -> int:
    name: str = record["agency"].strip()
    key = norm_name(name)
    kind = record.get("body_kind")
    row = conn.execute(_FIND_BODY, {"portal_id": portal_id, "norm_name": key}).first()
    if row is None:
        return conn.execute(
            _ADD_BODY,
            {
                "portal_id": portal_id,
                "name": name,
                "norm_name": key,
                "body_kind": kind or portal_kind,
                "expected": False,
            },
        ).inserted_primary_key[0]
    if kind and row.body_kind != kind:
        # The report's own statement of what it is wins over a portal default or an older guess.
        conn.execute(_SET_BODY_KIND, {"body_id": row.id, "kind": kind})
    return row.id


def _touched_report(report: Row[Any], fetched_at: datetime, published: date | None) -> dict[str, Any]:
    """The report's seen-times and release date after this sighting (the columns to update)."""
    first_seen = min(report.first_seen, fetched_at)
    stated = report.published if report.published is not None else published
    return {
        "first_seen": first_seen,
        "last_seen": max(report.last_seen, fetched_at),
        "disappeared_at": None,
        "published": stated,
        "released_on": stated or first_seen.date(),
        "current_version_id": report.current_version_id,
    }


def _update_report(conn: Connection, report: Row[Any], values: dict[str, Any]) -> None:
    # A re-crawl within the seen window changes nothing: no UPDATE at all.
    if any(getattr(report, column) != value for column, value in values.items()):
        conn.execute(_SET_REPORT, {"report_id": report.id, **values})


def _new_version(
    conn: Connection,
    report_id: int,
    number: int,
    record: dict[str, Any],
    digest: str,
    published: date | None,
    raw_sha256: str | None,
    run_id: int | None,
    fetched_at: datetime,
    url: str,
    *,
    changes: dict[str, Any] | None = None,
    archive_findings: list[dict[str, Any]] | None = None,
) -> int:
    # A shallow copy is enough: only the findings list is replaced, nothing nested is mutated.
    stored = dict(record)
    if archive_findings:
        stored["findings"] = [*(stored.get("findings") or []), *archive_findings]
    version_id: int = conn.execute(
        _ADD_VERSION,
        {
            "report_id": report_id,
            "number": number,
            "content_hash": digest,
            "record": stored,
            "template": record.get("template"),
            "title": record.get("title"),
            "published": published,
            "raw_sha256": raw_sha256,
            "run_id": run_id,
            "first_seen": fetched_at,
            "last_seen": fetched_at,
            "changes": changes,
        },
    ).inserted_primary_key[0]
    _insert_cells(conn, version_id, record.get("cells") or {})
    _see_url(conn, version_id, url, fetched_at, new_version=True)
    return version_id


_CELL_COLUMNS = "version_id, key, value_int, value_text"
_COPY_CELLS = f"COPY {Cell.__tablename__} ({_CELL_COLUMNS}) FROM STDIN"


def _insert_cells(conn: Connection, version_id: int, cells: dict[str, Any]) -> None:
    # ~200 rows per version, all plain ints and strings: nothing for SQLAlchemy to convert, so
    # they go to the driver in one call (one COPY on psycopg, one executemany elsewhere).
    if not cells:
        return
    rows = cell_rows(version_id, cells)
    if conn.dialect.driver == "psycopg":
        _copy_cells(conn, rows)
        return
    mark = "?" if conn.dialect.paramstyle == "qmark" else "%s"
    conn.exec_driver_sql(
        f"INSERT INTO {Cell.__tablename__} ({_CELL_COLUMNS}) VALUES ({mark}, {mark}, {mark}, {mark})", rows
    )


def _copy_cells(conn: Connection, rows: list[tuple[int, str, int | None, str | None]]) -> None:
    # psycopg's executemany adapts every parameter in Python (~2 ms of client CPU per version);
    # COPY writes the same rows in ~0.2 ms. It runs on the transaction's own DBAPI connection, so
    # the version still lands whole or not at all; a driver error is raised as SQLAlchemy's (and so
    # becomes an ArchiveError) exactly as from an executed statement.
    dbapi_conn = conn.connection.dbapi_connection
    try:
        with dbapi_conn.cursor() as cur, cur.copy(_COPY_CELLS) as copy:
            for row in rows:
                copy.write_row(row)
    except conn.dialect.loaded_dbapi.Error as err:
        raise DBAPIError.instance(_COPY_CELLS, None, err, conn.dialect.loaded_dbapi.Error) from err


def _see_url(conn: Connection, version_id: int, url: str, at: datetime, *, new_version: bool = False) -> bool:
    """Record that the version was seen at `url`; True when the URL is new for this version.

    A version filed in this transaction has no URL yet: no need to look one up."""
    row = None if new_version else conn.execute(_FIND_URL, {"version_id": version_id, "url": url}).first()
    if row is None:
        conn.execute(_ADD_URL, {"version_id": version_id, "url": url, "first_seen": at, "last_seen": at})
        return True
    if not row.first_seen <= at <= row.last_seen:
        conn.execute(
            _SET_URL_SEEN,
            {"url_id": row.id, "first_seen": min(row.first_seen, at), "last_seen": max(row.last_seen, at)},
        )
    return False


def _c23(prev_number: int, number: int, changes: dict[str, Any]) -> dict[str, Any]:
    return {
        "check": "C23",
        "severity": spec.check("C23").severity,
        "message": (
            f"published report changed silently: version {number} differs from version {prev_number} "
            f"({describe(changes)})"
        ),
        "keys": [c["key"] for c in changes.get("cells") or []],
    }
