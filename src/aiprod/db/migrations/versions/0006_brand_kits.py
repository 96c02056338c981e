"""Brand kits kept per owner (``/v1/brand-kits``).

Revision ID: 0006_brand_kits
Revises: 0005_outbox
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0006_brand_kits"
down_revision: str | None = "0005_outbox"
branch_labels: str | None = None
depends_on: str | None = None

JSON = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")


def _utc() -> sa.DateTime:
    return sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "brand_kits",
        sa.Column("id", sa.String(32), primary_key=True),
        sa.Column("owner", sa.String(200), nullable=False),
        sa.Column("name", sa.String(120), nullable=False),
        sa.Column("kit", JSON, nullable=False),
        sa.Column("glossary", JSON, nullable=False),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("created_at", _utc(), nullable=False),
        sa.Column("updated_at", _utc(), nullable=False),
    )
    op.create_index("ix_brand_kits_owner", "brand_kits", ["owner", "created_at"])


def downgrade() -> None:
    op.drop_index("ix_brand_kits_owner", table_name="brand_kits")
    op.drop_table("brand_kits")
