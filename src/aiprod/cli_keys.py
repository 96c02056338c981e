"""`aiprod keys …`: create, list, rotate and revoke API keys (the secret is shown once)."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict
from datetime import UTC, datetime, timedelta
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table
from sqlalchemy.orm import Session

from aiprod.config import load_settings

keys_app = typer.Typer(help="API keys for the REST API.", no_args_is_help=True)
out = Console()
err = Console(stderr=True, highlight=False, soft_wrap=True)
ACTOR = "cli"


@contextmanager
def key_session() -> Iterator[Session]:
    """A session on the migrated job database; commits on success."""
    from aiprod.db.engine import ensure_migrated, make_engine, make_session_factory
    from aiprod.db.errors import database_errors

    settings = load_settings()
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    url = settings.job_database_url
    with database_errors():
        ensure_migrated(url)
        engine = make_engine(url)
        try:
            with make_session_factory(engine)() as session, session.begin():
                yield session
        finally:
            engine.dispose()


@keys_app.command("create")
def create(
    name: Annotated[str, typer.Option("--name", help="what the key is for")],
    owner: Annotated[str | None, typer.Option(help="who it acts for (default: the name)")] = None,
    scope: Annotated[
        list[str] | None, typer.Option("--scope", help="jobs:read, jobs:write, admin")
    ] = None,
    expires_days: Annotated[int | None, typer.Option(min=1, help="days until it expires")] = None,
) -> None:
    """Create a key and print it ONCE; only a hash is stored."""
    from aiprod.auth.keys import create_key

    expires = datetime.now(UTC) + timedelta(days=expires_days) if expires_days else None
    with guarded(), key_session() as session:
        key, secret = create_key(
            session,
            name=name,
            owner=owner or name,
            scopes=scope or ["jobs:read", "jobs:write"],
            expires_at=expires,
            actor=ACTOR,
        )
        key_id, prefix = key.id, key.prefix
    out.print(secret, markup=False, highlight=False)
    err.print(
        f"created key {key_id} ({prefix}…) for '{owner or name}': store it now, "
        "it cannot be shown again",
        markup=False,
    )


@keys_app.command("list")
def list_all(
    owner: Annotated[str | None, typer.Option(help="only this owner's keys")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="print JSON")] = False,
) -> None:
    """List keys (prefixes only; secrets are never stored)."""
    from aiprod.auth.keys import list_keys

    with guarded(), key_session() as session:
        keys = list_keys(session, owner=owner)
    if as_json:
        rows = [{**asdict(k), "scopes": sorted(k.scopes)} for k in keys]
        sys.stdout.write(json.dumps(rows, indent=2, default=str) + "\n")
        return
    table = Table("id", "name", "owner", "prefix", "scopes", "expires", "revoked", "last used")
    for k in keys:
        table.add_row(
            k.id,
            k.name,
            k.owner,
            k.prefix,
            ",".join(sorted(k.scopes)),
            _when(k.expires_at),
            _when(k.revoked_at),
            _when(k.last_used_at),
        )
    out.print(table)


@keys_app.command("revoke")
def revoke(key_id: Annotated[str, typer.Argument(help="the key's id")]) -> None:
    """Revoke a key at once."""
    from aiprod.auth.keys import revoke_key

    with guarded(), key_session() as session:
        revoke_key(session, key_id=key_id, actor=ACTOR)
    err.print(f"revoked {key_id}", markup=False)


@keys_app.command("rotate")
def rotate(
    key_id: Annotated[str, typer.Argument(help="the key's id")],
    grace_minutes: Annotated[int, typer.Option(min=0, help="old key keeps working")] = 0,
) -> None:
    """Replace a key with a new secret (printed once); the old one is revoked."""
    from aiprod.auth.keys import rotate_key

    with guarded(), key_session() as session:
        key, secret = rotate_key(
            session, key_id=key_id, actor=ACTOR, grace=timedelta(minutes=grace_minutes)
        )
        new_id = key.id
    out.print(secret, markup=False, highlight=False)
    err.print(f"rotated {key_id} -> {new_id}", markup=False)


def _when(moment: datetime | None) -> str:
    return moment.strftime("%Y-%m-%d %H:%M") if moment else "-"


@contextmanager
def guarded() -> Iterator[None]:
    from aiprod.errors import AiprodError

    try:
        yield
    except AiprodError as exc:
        err.print(f"error: {exc}", markup=False)
        raise typer.Exit(1) from None
