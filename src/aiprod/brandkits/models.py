"""The ``brand_kits`` table, declared on the shared :class:`~aiprod.db.base.Base`.

``kit`` holds a :class:`~aiprod.spec.model.BrandKit` as JSON (its ``logo`` an uploaded
file's resolved path), ``glossary`` the word -> spoken form mapping. ``version`` counts
updates (the ETag of ``GET /v1/brand-kits/{id}``).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from aiprod.db.base import JSON_TYPE, Base, JsonDict, UTCDateTime, utcnow
from aiprod.jobs.policy import new_job_id


class BrandKitRow(Base):
    """One owner's brand kit."""

    __tablename__ = "brand_kits"
    __table_args__ = (Index("ix_brand_kits_owner", "owner", "created_at"),)

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_job_id)
    owner: Mapped[str] = mapped_column(String(200))
    name: Mapped[str] = mapped_column(String(120))
    kit: Mapped[JsonDict] = mapped_column(JSON_TYPE)
    glossary: Mapped[dict[str, str]] = mapped_column(JSON_TYPE)
    version: Mapped[int] = mapped_column(Integer, default=1)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
