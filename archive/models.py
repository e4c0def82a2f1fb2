"""The archive's tables as SQLAlchemy 2 typed models.

Shape: portal -> bodies -> reports (body x year) -> versions (one per distinct normalised document)
-> cells (one row per cell key, so figures are queryable in SQL) and version_urls (every URL a
version was seen at). Raw captures are content-addressed by sha256 and referenced by versions.
Crawl runs and their errors record what each crawl did.

Timestamps are naive UTC everywhere: SQLite has no time zone type, and mixing aware and naive
values between the two backends is a source of silent off-by-8-hours bugs.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

# Stable constraint names so Alembic migrations (and their downgrades) can address them.
NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

YEAR_BASE = 2000  # years_mask holds 2000–2062 in a signed 64-bit integer
YEAR_MAX = YEAR_BASE + 62

JsonType = JSON().with_variant(JSONB(), "postgresql")
Sha256 = String(64)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


class Portal(Base):
    __tablename__ = "portals"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    start_urls: Mapped[list[str]] = mapped_column(JsonType, default=list)
    body_kind: Mapped[str | None] = mapped_column(String(20))
    deadline: Mapped[str | None] = mapped_column(String(5))  # MM-DD override of the legal deadline
    # True when the portals file lists expected_bodies: then only those are expected (C01);
    # otherwise bodies are expected because they reported in earlier years.
    has_expected_list: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(DateTime)
    synced_at: Mapped[datetime | None] = mapped_column(DateTime)

    bodies: Mapped[list[Body]] = relationship(back_populates="portal")


class Body(Base):
    __tablename__ = "bodies"
    __table_args__ = (UniqueConstraint("portal_id", "norm_name", name="uq_bodies_portal_norm_name"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    portal_id: Mapped[int] = mapped_column(ForeignKey("portals.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(300))  # as first named (report or portals file)
    norm_name: Mapped[str] = mapped_column(String(300), index=True)
    body_kind: Mapped[str | None] = mapped_column(String(20))
    expected: Mapped[bool] = mapped_column(Boolean, default=False)  # listed in the portals file
    # Bit (year - YEAR_BASE) set for every year the body has a report for (reports are never
    # deleted, so bits are only ever added). `missing` reads expectations and presence from this
    # one column instead of probing reports once per body: 200 000 bodies in one scan.
    years_mask: Mapped[int] = mapped_column(BigInteger, default=0, server_default="0")

    portal: Mapped[Portal] = relationship(back_populates="bodies")
    reports: Mapped[list[Report]] = relationship(back_populates="body")


class Report(Base):
    __tablename__ = "reports"
    __table_args__ = (
        UniqueConstraint("body_id", "year", name="uq_reports_body_year"),
        Index("ix_reports_year_released_on", "year", "released_on"),
        Index("ix_reports_year_first_seen", "year", "first_seen"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    body_id: Mapped[int] = mapped_column(ForeignKey("bodies.id", ondelete="CASCADE"))
    year: Mapped[int] = mapped_column(Integer)
    first_seen: Mapped[datetime] = mapped_column(DateTime)
    last_seen: Mapped[datetime] = mapped_column(DateTime)
    # The release date the first version stated; a later silent revision must not rewrite it.
    published: Mapped[date | None] = mapped_column(Date)
    # published, else the date of first_seen: what `late` compares with the deadline.
    released_on: Mapped[date] = mapped_column(Date)
    disappeared_at: Mapped[datetime | None] = mapped_column(DateTime)
    # The version most recently seen (after a revert it is an older number, not the highest).
    # No foreign key: reports <-> versions would be a cycle SQLite cannot ALTER into place.
    current_version_id: Mapped[int | None] = mapped_column(Integer)

    body: Mapped[Body] = relationship(back_populates="reports")
    versions: Mapped[list[Version]] = relationship(
        back_populates="report", foreign_keys="Version.report_id", order_by="Version.number"
    )


class Version(Base):
    __tablename__ = "versions"
    __table_args__ = (
        UniqueConstraint("report_id", "number", name="uq_versions_report_number"),
        UniqueConstraint("report_id", "content_hash", name="uq_versions_report_content_hash"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    report_id: Mapped[int] = mapped_column(ForeignKey("reports.id", ondelete="CASCADE"))
    number: Mapped[int] = mapped_column(Integer)  # 1, 2, … per report
    content_hash: Mapped[str] = mapped_column(Sha256, index=True)  # sha256 of the normalised document
    record: Mapped[dict[str, Any]] = mapped_column(JsonType)
    template: Mapped[str | None] = mapped_column(String(10))
    title: Mapped[str | None] = mapped_column(Text)
    published: Mapped[date | None] = mapped_column(Date)
    raw_sha256: Mapped[str | None] = mapped_column(ForeignKey("captures.sha256"), index=True)
    run_id: Mapped[int | None] = mapped_column(ForeignKey("crawl_runs.id", ondelete="SET NULL"))
    first_seen: Mapped[datetime] = mapped_column(DateTime)
    last_seen: Mapped[datetime] = mapped_column(DateTime)
    # For versions after the first: what changed against the version before (C23 evidence).
    changes: Mapped[dict[str, Any] | None] = mapped_column(JsonType)

    report: Mapped[Report] = relationship(back_populates="versions", foreign_keys=[report_id])
    urls: Mapped[list[VersionUrl]] = relationship(back_populates="version", order_by="VersionUrl.first_seen")


class VersionUrl(Base):
    __tablename__ = "version_urls"
    __table_args__ = (UniqueConstraint("version_id", "url", name="uq_version_urls_version_url"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    version_id: Mapped[int] = mapped_column(ForeignKey("versions.id", ondelete="CASCADE"))
    url: Mapped[str] = mapped_column(Text, index=True)
    first_seen: Mapped[datetime] = mapped_column(DateTime)
    last_seen: Mapped[datetime] = mapped_column(DateTime)

    version: Mapped[Version] = relationship(back_populates="urls")


class Cell(Base):
    """One figure of one version. Money cells keep their exact decimal string in value_text."""

    __tablename__ = "cells"
    __table_args__ = (Index("ix_cells_key_value_int", "key", "value_int"),)

    version_id: Mapped[int] = mapped_column(ForeignKey("versions.id", ondelete="CASCADE"), primary_key=True)
    key: Mapped[str] = mapped_column(String(120), primary_key=True)
    value_int: Mapped[int | None] = mapped_column(BigInteger)
    value_text: Mapped[str | None] = mapped_column(String(40))


class Capture(Base):
    """Exact bytes of one fetched document, stored once per sha256 however often seen."""

    __tablename__ = "captures"

    sha256: Mapped[str] = mapped_column(Sha256, primary_key=True)
    size: Mapped[int] = mapped_column(BigInteger)
    content_type: Mapped[str | None] = mapped_column(String(200))
    headers: Mapped[dict[str, str]] = mapped_column(JsonType)  # of the first fetch
    # Small bodies live in the row; large ones in a file under the captures folder (`path`).
    body: Mapped[bytes | None] = mapped_column(LargeBinary)
    path: Mapped[str | None] = mapped_column(Text)
    first_url: Mapped[str] = mapped_column(Text)
    first_seen: Mapped[datetime] = mapped_column(DateTime)
    last_seen: Mapped[datetime] = mapped_column(DateTime)


class CaptureSighting(Base):
    """Each URL a capture was fetched from, with the headers of its latest fetch."""

    __tablename__ = "capture_sightings"
    __table_args__ = (UniqueConstraint("sha256", "url", name="uq_capture_sightings_sha256_url"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    sha256: Mapped[str] = mapped_column(ForeignKey("captures.sha256", ondelete="CASCADE"))
    url: Mapped[str] = mapped_column(Text, index=True)
    headers: Mapped[dict[str, str]] = mapped_column(JsonType)
    run_id: Mapped[int | None] = mapped_column(ForeignKey("crawl_runs.id", ondelete="SET NULL"))
    first_seen: Mapped[datetime] = mapped_column(DateTime)
    last_seen: Mapped[datetime] = mapped_column(DateTime)
    times_seen: Mapped[int] = mapped_column(Integer, default=1)


class CrawlRun(Base):
    __tablename__ = "crawl_runs"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    portal: Mapped[str] = mapped_column(String(200), index=True)
    started_at: Mapped[datetime] = mapped_column(DateTime)
    ended_at: Mapped[datetime | None] = mapped_column(DateTime)
    status: Mapped[str] = mapped_column(String(20))  # running | ok | partial | blocked | failed
    stats: Mapped[dict[str, Any] | None] = mapped_column(JsonType)

    errors: Mapped[list[CrawlError]] = relationship(back_populates="run", order_by="CrawlError.id")


class CrawlError(Base):
    __tablename__ = "crawl_errors"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("crawl_runs.id", ondelete="CASCADE"), index=True)
    url: Mapped[str | None] = mapped_column(Text)
    kind: Mapped[str] = mapped_column(String(40))
    message: Mapped[str] = mapped_column(Text)
    at: Mapped[datetime] = mapped_column(DateTime)

    run: Mapped[CrawlRun] = relationship(back_populates="errors")
