"""Job lifecycle columns (review, plan, result, costs, times, search text) and batches.

Revision ID: 0003_job_lifecycle
Revises: 0002_create_auth
Create Date: 2026-11-21
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0003_job_lifecycle"
down_revision: str | None = "0002_create_auth"
branch_labels: str | None = None
depends_on: str | None = None

JSON = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")


def _utc() -> sa.DateTime:
    return sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "batches",
        sa.Column("id", sa.String(32), primary_key=True),
        sa.Column("owner", sa.String(200), nullable=False),
        sa.Column("size", sa.Integer, nullable=False),
        sa.Column("idempotency_key", sa.String(200), nullable=True),
        sa.Column("created_at", _utc(), nullable=False),
        sa.UniqueConstraint("owner", "idempotency_key", name="uq_batches_owner_idempotency_key"),
    )
    with op.batch_alter_table("jobs") as batch:
        batch.add_column(sa.Column("review", sa.Boolean, nullable=False, server_default=sa.false()))
        batch.add_column(sa.Column("plan", JSON, nullable=True))
        batch.add_column(sa.Column("plan_version", sa.Integer, nullable=False, server_default="0"))
        batch.add_column(sa.Column("approved_at", _utc(), nullable=True))
        batch.add_column(sa.Column("result", JSON, nullable=True))
        batch.add_column(sa.Column("cost_estimate", JSON, nullable=True))
        batch.add_column(sa.Column("cost_actual", JSON, nullable=True))
        batch.add_column(sa.Column("started_at", _utc(), nullable=True))
        batch.add_column(sa.Column("finished_at", _utc(), nullable=True))
        batch.add_column(sa.Column("search_text", sa.Text, nullable=True))
        batch.add_column(
            sa.Column(
                "batch_id",
                sa.String(32),
                sa.ForeignKey("batches.id", name="fk_jobs_batch_id", ondelete="SET NULL"),
                nullable=True,
            )
        )
        batch.create_index("ix_jobs_owner_created_at", ["owner", "created_at"])
        batch.create_index("ix_jobs_batch_id", ["batch_id"])


def downgrade() -> None:
    with op.batch_alter_table("jobs") as batch:
        batch.drop_index("ix_jobs_batch_id")
        batch.drop_index("ix_jobs_owner_created_at")
        for column in (
            "batch_id", "search_text", "finished_at", "started_at", "cost_actual",
            "cost_estimate", "result", "approved_at", "plan_version", "plan", "review",
        ):  # fmt: skip
            batch.drop_column(column)
    op.drop_table("batches")
