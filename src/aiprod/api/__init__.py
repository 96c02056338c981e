"""The HTTP API: ``create_app(settings)`` builds a FastAPI app over the job database."""

from __future__ import annotations

from aiprod.api.app import create_app

__all__ = ["create_app"]
