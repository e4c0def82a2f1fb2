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

from sqlalchemy import (
    BigInteger,
    Connection,
    Row,
    and_,
    bindparam,
    func,
    insert,
    literal_column,
    select,
    update,
)
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session
from sqlalchemy.sql.expression import Executable

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
    """The portal's ORM row (Archive.sync_portals edits it), created on first sight."""
    portal = session.scalars(select(Portal).where(Portal.name == name)).one_or_none()
    if portal is None:
        portal = Portal(name=name, start_urls=[], has_expected_list=False, created_at=now)
        session.add(portal)
        session.flush()
    return portal


# The filing path runs on SQLAlchemy Core over the mapped tables: a report is 1 (seen again) to 9
# (new report) statements, and the ORM's identity map, unit of work and per-object bookkeeping cost
# several times the SQL itself. Statements are built once; only the parameters change per report.
# (tests/archive/test_store_statements.py keeps the counts.)
_portals, _bodies, _reports = Portal.__table__, Body.__table__, Report.__table__
_versions, _urls, _captures = Version.__table__, VersionUrl.__table__, Capture.__table__

# Everything a sighting needs to know, in one round trip: whether the raw capture is stored, and
# the portal, body, report, the version with this content hash and its row for this URL, each NULL
# from the first one that does not exist yet.
_one = select(literal_column("1").label("one")).subquery("one")
_LOOKUP = select(
    select(_captures.c.sha256)
    .where(_captures.c.sha256 == bindparam("sha256"))
    .scalar_subquery()
    .label("capture"),
    _portals.c.id.label("portal_id"),
    _portals.c.body_kind.label("portal_kind"),
    _bodies.c.id.label("body_id"),
    _bodies.c.body_kind.label("body_kind"),
    _reports.c.id.label("report_id"),
    _reports.c.first_seen,
    _reports.c.last_seen,
    _reports.c.published,
    _reports.c.released_on,
    _reports.c.disappeared_at,
    _reports.c.current_version_id,
    _versions.c.id.label("version_id"),
    _versions.c.number.label("version_number"),
    _versions.c.first_seen.label("version_first_seen"),
    _versions.c.last_seen.label("version_last_seen"),
    _urls.c.id.label("url_id"),
    _urls.c.first_seen.label("url_first_seen"),
    _urls.c.last_seen.label("url_last_seen"),
).select_from(
    _one.outerjoin(_portals, _portals.c.name == bindparam("portal"))
    .outerjoin(
        _bodies, and_(_bodies.c.portal_id == _portals.c.id, _bodies.c.norm_name == bindparam("norm_name"))
    )
    .outerjoin(_reports, and_(_reports.c.body_id == _bodies.c.id, _reports.c.year == bindparam("year")))
    .outerjoin(
        _versions,
        and_(_versions.c.report_id == _reports.c.id, _versions.c.content_hash == bindparam("digest")),
    )
    .outerjoin(_urls, and_(_urls.c.version_id == _versions.c.id, _urls.c.url == bindparam("url")))
)
_ADD_PORTAL = insert(_portals)
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
_ADD_REPORT = insert(_reports)
_SET_REPORT = update(_reports).where(_reports.c.id == bindparam("report_id"))
_SET_VERSION_SEEN = (
    update(_versions)
    .where(_versions.c.id == bindparam("version_id"))
    .values(first_seen=bindparam("first_seen"), last_seen=bindparam("last_seen"))
)
# The version a revision is compared with, and the number the revision gets.
_PREVIOUS = select(
    _versions.c.number,
    _versions.c.record,
    select(func.max(_versions.c.number))
    .where(_versions.c.report_id == bindparam("report_id"))
    .scalar_subquery()
    .label("last_number"),
).where(_versions.c.id == bindparam("version_id"))
_LAST_NUMBER = select(func.max(_versions.c.number)).where(_versions.c.report_id == bindparam("report_id"))
_ADD_VERSION = insert(_versions)
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
    name: str = record["agency"].strip()
    key = norm_name(name)
    year: int = record["year"]
    digest = content_hash(record)
    found = conn.execute(
        _LOOKUP,
        {
            "sha256": raw_sha256,
            "portal": portal,
            "norm_name": key,
            "year": year,
            "digest": digest,
            "url": url,
        },
    ).one()
    if raw_sha256 is not None and found.capture is None:
        raise ArchiveError(f"raw capture {raw_sha256} is not in the archive; store_capture() it first")

    body_id = _body(conn, found, portal, name, key, record, fetched_at)
    published = parse_date((record.get("dates") or {}).get("published"))

    if found.report_id is None:
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

    report_id = found.report_id
    touched = _touched_report(found, fetched_at, published)
    # Seen no earlier than every sighting so far: this version becomes the current one.
    latest = fetched_at >= touched["last_seen"]
    if found.version_id is not None:
        version_id = found.version_id
        window = found.version_first_seen, found.version_last_seen
        widen_seen(conn, _SET_VERSION_SEEN, {"version_id": version_id}, *window, fetched_at)
        moved = _see_url(conn, version_id, url, fetched_at, found)
        if latest:
            touched["current_version_id"] = version_id
        _update_report(conn, found, touched)
        return StoreOutcome(
            "moved" if moved else "unchanged", found.version_number, report_id, version_id, body_id
        )

    previous = (
        conn.execute(_PREVIOUS, {"version_id": found.current_version_id, "report_id": report_id}).first()
        if found.current_version_id
        else None
    )
    if previous is not None:
        number = (previous.last_number or 0) + 1
    else:
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
    _update_report(conn, found, touched)
    return StoreOutcome("new_version", number, report_id, version_id, body_id, findings, changes)


def _body(
    conn: Connection, found: Row[Any], portal: str, name: str, key: str, record: dict[str, Any], now: datetime
) -> int:
    """The body's id, its portal and itself created on first sight."""
    kind = record.get("body_kind")
    if found.body_id is not None:
        if kind and found.body_kind != kind:
            # The report's own statement of what it is wins over a portal default or an older guess.
            conn.execute(_SET_BODY_KIND, {"body_id": found.body_id, "kind": kind})
        return found.body_id
    portal_id, portal_kind = found.portal_id, found.portal_kind
    if portal_id is None:
        portal_id = conn.execute(
            _ADD_PORTAL, {"name": portal, "start_urls": [], "has_expected_list": False, "created_at": now}
        ).inserted_primary_key[0]
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
        conn.execute(_SET_REPORT, {"report_id": report.report_id, **values})


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
    _see_url(conn, version_id, url, fetched_at, None)
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


def _see_url(conn: Connection, version_id: int, url: str, at: datetime, seen: Row[Any] | None) -> bool:
    """Record that the version was seen at `url`; True when the URL is new for this version.

    `seen` is the lookup row, whose url_* columns are the version's row for this URL (NULL when it
    has none); None for a version filed in this transaction, which has no URL yet."""
    if seen is None or seen.url_id is None:
        conn.execute(_ADD_URL, {"version_id": version_id, "url": url, "first_seen": at, "last_seen": at})
        return True
    widen_seen(conn, _SET_URL_SEEN, {"url_id": seen.url_id}, seen.url_first_seen, seen.url_last_seen, at)
    return False


def widen_seen(
    conn: Connection, stmt: Executable, key: dict[str, Any], first: datetime, last: datetime, at: datetime
) -> None:
    """Widen a row's first_seen..last_seen to take in a sighting at `at` (`stmt`: the row's UPDATE
    of first_seen and last_seen, by `key`); a sighting inside the window writes nothing."""
    if not first <= at <= last:
        conn.execute(stmt, {**key, "first_seen": min(first, at), "last_seen": max(last, at)})


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
