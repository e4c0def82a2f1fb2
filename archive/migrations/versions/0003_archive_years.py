"""bodies.years_mask (which years a body has reports for) and reports(year, first_seen).

Revision ID: 0003_archive_years
Revises: 0002_health
Create Date: 2026-11-23

`missing` and `late` over 200 000 bodies probed reports once per body; the mask turns that into
one scan of bodies. Backfilled from the reports already archived.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003_archive_years"
down_revision: str | None = "0002_health"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

YEAR_BASE = 2000


def upgrade() -> None:
    op.add_column("bodies", sa.Column("years_mask", sa.BigInteger(), nullable=False, server_default="0"))
    op.create_index("ix_reports_year_first_seen", "reports", ["year", "first_seen"])
    conn = op.get_bind()
    rows = conn.execute(sa.text("SELECT body_id, year FROM reports")).all()
    masks: dict[int, int] = {}
    for body_id, year in rows:
        if YEAR_BASE <= year <= YEAR_BASE + 62:
            masks[body_id] = masks.get(body_id, 0) | (1 << (year - YEAR_BASE))
    if masks:
        conn.execute(
            sa.text("UPDATE bodies SET years_mask = :mask WHERE id = :id"),
            [{"id": k, "mask": v} for k, v in masks.items()],
        )


def downgrade() -> None:
    op.drop_index("ix_reports_year_first_seen", table_name="reports")
    # Plain ALTER (SQLite >= 3.35): a batch "recreate" would DROP bodies, and with foreign keys on
    # SQLite's implicit DELETE would cascade into reports.
    op.execute("ALTER TABLE bodies DROP COLUMN years_mask")
