"""The transactional outbox of scale-out dispatch: one ``run_job`` message per queuing.

Revision ID: 0005_outbox
Revises: 0004_webhooks
Create Date: 2026-11-21
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005_outbox"
down_revision: str | None = "0004_webhooks"
branch_labels: str | None = None
depends_on: str | None = None


def _utc() -> sa.DateTime:
    return sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "job_outbox",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column(
            "job_id",
            sa.String(32),
            sa.ForeignKey("jobs.id", name="fk_job_outbox_job_id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("created_at", _utc(), nullable=False),
        sa.Column("available_at", _utc(), nullable=False),
        sa.Column("published_at", _utc(), nullable=True),
        sa.Column("outcome", sa.String(16), nullable=True),
        sa.Column("publish_failures", sa.Integer, nullable=False),
        sa.Column("last_error", sa.Text, nullable=True),
    )
    op.create_index("ix_job_outbox_due", "job_outbox", ["published_at", "available_at"])
    op.create_index("ix_job_outbox_job_id", "job_outbox", ["job_id"])


def downgrade() -> None:
    op.drop_index("ix_job_outbox_job_id", table_name="job_outbox")
    op.drop_index("ix_job_outbox_due", table_name="job_outbox")
    op.drop_table("job_outbox")
