"""Scheduler health: run_health (what each scheduled crawl observed), portal_locks, alerts.

Revision ID: 0002_health
Revises: 0001_archive
Create Date: 2026-11-23

Written out in full like 0001 so that it keeps creating the same schema when archive/health.py
moves on. APScheduler's own job table (apscheduler_jobs) is created by its job store, not here.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0002_health"
down_revision: str | None = "0001_archive"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _json() -> sa.types.TypeEngine:
    return sa.JSON().with_variant(postgresql.JSONB(), "postgresql")


def upgrade() -> None:
    op.create_table(
        "run_health",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("portal", sa.String(200), nullable=False),
        sa.Column("crawl_run_id", sa.Integer(), nullable=True),
        sa.Column("started_at", sa.DateTime(), nullable=False),
        sa.Column("ended_at", sa.DateTime(), nullable=True),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("exit_code", sa.Integer(), nullable=True),
        sa.Column("reports_found", sa.Integer(), nullable=True),
        sa.Column("new_reports", sa.Integer(), nullable=True),
        sa.Column("new_versions", sa.Integer(), nullable=True),
        sa.Column("errors", sa.Integer(), nullable=True),
        sa.Column("requests", sa.Integer(), nullable=True),
        sa.Column("blocked", sa.Boolean(), nullable=False),
        sa.Column("message", sa.Text(), nullable=True),
        sa.Column("summary", _json(), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_run_health"),
    )
    op.create_index("ix_run_health_portal", "run_health", ["portal"])
    op.create_table(
        "portal_locks",
        sa.Column("portal", sa.String(200), nullable=False),
        sa.Column("owner", sa.String(200), nullable=False),
        sa.Column("host", sa.String(200), nullable=False),
        sa.Column("pid", sa.Integer(), nullable=False),
        sa.Column("crawl_pid", sa.Integer(), nullable=True),
        sa.Column("acquired_at", sa.DateTime(), nullable=False),
        sa.Column("heartbeat_at", sa.DateTime(), nullable=False),
        sa.Column("expires_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("portal", name="pk_portal_locks"),
    )
    op.create_table(
        "alerts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("dedupe_key", sa.String(400), nullable=False),
        sa.Column("kind", sa.String(40), nullable=False),
        sa.Column("portal", sa.String(200), nullable=True),
        sa.Column("agency", sa.String(300), nullable=True),
        sa.Column("year", sa.Integer(), nullable=True),
        sa.Column("message", sa.Text(), nullable=False),
        sa.Column("details", _json(), nullable=True),
        sa.Column("raised_at", sa.DateTime(), nullable=False),
        sa.Column("resolved_at", sa.DateTime(), nullable=True),
        sa.Column("webhook_status", sa.String(200), nullable=True),
        sa.Column("email_status", sa.String(200), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_alerts"),
        sa.UniqueConstraint("dedupe_key", name="uq_alerts_dedupe_key"),
    )
    op.create_index("ix_alerts_portal", "alerts", ["portal"])


def downgrade() -> None:
    op.drop_index("ix_alerts_portal", table_name="alerts")
    op.drop_table("alerts")
    op.drop_table("portal_locks")
    op.drop_index("ix_run_health_portal", table_name="run_health")
    op.drop_table("run_health")
