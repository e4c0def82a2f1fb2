"""Archive tables: portals, bodies, reports, versions, cells, version URLs, captures, crawl runs.

Revision ID: 0001_archive
Revises:
Create Date: 2026-11-23

Written out in full (not imported from archive.models) so that this revision keeps creating the
same schema when the models move on; tests/archive/test_migrations.py checks head == models.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0001_archive"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _json() -> sa.types.TypeEngine:
    return sa.JSON().with_variant(postgresql.JSONB(), "postgresql")


def upgrade() -> None:
    op.create_table(
        "captures",
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("size", sa.BigInteger(), nullable=False),
        sa.Column("content_type", sa.String(200), nullable=True),
        sa.Column("headers", _json(), nullable=False),
        sa.Column("body", sa.LargeBinary(), nullable=True),
        sa.Column("path", sa.Text(), nullable=True),
        sa.Column("first_url", sa.Text(), nullable=False),
        sa.Column("first_seen", sa.DateTime(), nullable=False),
        sa.Column("last_seen", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("sha256", name="pk_captures"),
    )
    op.create_table(
        "crawl_runs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("portal", sa.String(200), nullable=False),
        sa.Column("started_at", sa.DateTime(), nullable=False),
        sa.Column("ended_at", sa.DateTime(), nullable=True),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("stats", _json(), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_crawl_runs"),
    )
    op.create_index("ix_crawl_runs_portal", "crawl_runs", ["portal"])
    op.create_table(
        "portals",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("start_urls", _json(), nullable=False),
        sa.Column("body_kind", sa.String(20), nullable=True),
        sa.Column("deadline", sa.String(5), nullable=True),
        sa.Column("has_expected_list", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("synced_at", sa.DateTime(), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_portals"),
        sa.UniqueConstraint("name", name="uq_portals_name"),
    )
    op.create_table(
        "bodies",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("portal_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(300), nullable=False),
        sa.Column("norm_name", sa.String(300), nullable=False),
        sa.Column("body_kind", sa.String(20), nullable=True),
        sa.Column("expected", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["portal_id"], ["portals.id"], name="fk_bodies_portal_id_portals", ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name="pk_bodies"),
        sa.UniqueConstraint("portal_id", "norm_name", name="uq_bodies_portal_norm_name"),
    )
    op.create_index("ix_bodies_norm_name", "bodies", ["norm_name"])
    op.create_index("ix_bodies_portal_id", "bodies", ["portal_id"])
    op.create_table(
        "capture_sightings",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("url", sa.Text(), nullable=False),
        sa.Column("headers", _json(), nullable=False),
        sa.Column("run_id", sa.Integer(), nullable=True),
        sa.Column("first_seen", sa.DateTime(), nullable=False),
        sa.Column("last_seen", sa.DateTime(), nullable=False),
        sa.Column("times_seen", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["run_id"], ["crawl_runs.id"], name="fk_capture_sightings_run_id_crawl_runs", ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(
            ["sha256"], ["captures.sha256"], name="fk_capture_sightings_sha256_captures", ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name="pk_capture_sightings"),
        sa.UniqueConstraint("sha256", "url", name="uq_capture_sightings_sha256_url"),
    )
    op.create_index("ix_capture_sightings_url", "capture_sightings", ["url"])
    op.create_table(
        "crawl_errors",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("run_id", sa.Integer(), nullable=False),
        sa.Column("url", sa.Text(), nullable=True),
        sa.Column("kind", sa.String(40), nullable=False),
        sa.Column("message", sa.Text(), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["run_id"], ["crawl_runs.id"], name="fk_crawl_errors_run_id_crawl_runs", ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name="pk_crawl_errors"),
    )
    op.create_index("ix_crawl_errors_run_id", "crawl_errors", ["run_id"])
    op.create_table(
        "reports",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("body_id", sa.Integer(), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("first_seen", sa.DateTime(), nullable=False),
        sa.Column("last_seen", sa.DateTime(), nullable=False),
        sa.Column("published", sa.Date(), nullable=True),
        sa.Column("released_on", sa.Date(), nullable=False),
        sa.Column("disappeared_at", sa.DateTime(), nullable=True),
        sa.Column("current_version_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["body_id"], ["bodies.id"], name="fk_reports_body_id_bodies", ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name="pk_reports"),
        sa.UniqueConstraint("body_id", "year", name="uq_reports_body_year"),
    )
    op.create_index("ix_reports_year_released_on", "reports", ["year", "released_on"])
    op.create_table(
        "versions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("report_id", sa.Integer(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("content_hash", sa.String(64), nullable=False),
        sa.Column("record", _json(), nullable=False),
        sa.Column("template", sa.String(10), nullable=True),
        sa.Column("title", sa.Text(), nullable=True),
        sa.Column("published", sa.Date(), nullable=True),
        sa.Column("raw_sha256", sa.String(64), nullable=True),
        sa.Column("run_id", sa.Integer(), nullable=True),
        sa.Column("first_seen", sa.DateTime(), nullable=False),
        sa.Column("last_seen", sa.DateTime(), nullable=False),
        sa.Column("changes", _json(), nullable=True),
        sa.ForeignKeyConstraint(["raw_sha256"], ["captures.sha256"], name="fk_versions_raw_sha256_captures"),
        sa.ForeignKeyConstraint(
            ["report_id"], ["reports.id"], name="fk_versions_report_id_reports", ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["run_id"], ["crawl_runs.id"], name="fk_versions_run_id_crawl_runs", ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name="pk_versions"),
        sa.UniqueConstraint("report_id", "content_hash", name="uq_versions_report_content_hash"),
        sa.UniqueConstraint("report_id", "number", name="uq_versions_report_number"),
    )
    op.create_index("ix_versions_content_hash", "versions", ["content_hash"])
    op.create_index("ix_versions_raw_sha256", "versions", ["raw_sha256"])
    op.create_table(
        "cells",
        sa.Column("version_id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(120), nullable=False),
        sa.Column("value_int", sa.BigInteger(), nullable=True),
        sa.Column("value_text", sa.String(40), nullable=True),
        sa.ForeignKeyConstraint(
            ["version_id"], ["versions.id"], name="fk_cells_version_id_versions", ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("version_id", "key", name="pk_cells"),
    )
    op.create_index("ix_cells_key_value_int", "cells", ["key", "value_int"])
    op.create_table(
        "version_urls",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("version_id", sa.Integer(), nullable=False),
        sa.Column("url", sa.Text(), nullable=False),
        sa.Column("first_seen", sa.DateTime(), nullable=False),
        sa.Column("last_seen", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["version_id"], ["versions.id"], name="fk_version_urls_version_id_versions", ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name="pk_version_urls"),
        sa.UniqueConstraint("version_id", "url", name="uq_version_urls_version_url"),
    )
    op.create_index("ix_version_urls_url", "version_urls", ["url"])


def downgrade() -> None:
    for table in (
        "version_urls",
        "cells",
        "versions",
        "reports",
        "crawl_errors",
        "capture_sightings",
        "bodies",
        "portals",
        "crawl_runs",
        "captures",
    ):
        op.drop_table(table)
