"""The job-listener registry: what a spawned worker process loads is what its parent had."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy.orm import Session

from aiprod.jobs import listeners
from aiprod.webhooks.listener import WebhookListener


class SecondJoiner:
    """A listener that also joins rows into job creation (the registry allows one)."""

    creation_rows = WebhookListener.creation_rows

    def status_changed(
        self,
        session: Session,
        *,
        job_id: str,
        from_status: str | None,
        to_status: str,
        reason: str,
    ) -> None:
        pass

    def stage_completed(self, session: Session, *, job_id: str, stage: str) -> None:
        pass


@pytest.fixture
def clean_registry() -> Iterator[None]:
    before = listeners.references()
    for ref in before:
        module, _, name = ref.partition(":")
        listeners.unregister(getattr(__import__(module, fromlist=[name]), name))
    yield
    listeners.unregister(WebhookListener)
    listeners.unregister(SecondJoiner)
    listeners.load(before)


@pytest.mark.usefixtures("clean_registry")
def test_references_round_trip_through_load_as_in_a_spawned_worker() -> None:
    assert listeners.listeners() == ()
    assert listeners.creation_rows() is None
    listeners.load(["aiprod.webhooks.listener:WebhookListener"])
    assert listeners.references() == ("aiprod.webhooks.listener:WebhookListener",)
    (only,) = listeners.listeners()
    assert isinstance(only, WebhookListener)
    assert listeners.creation_rows() is WebhookListener.creation_rows


@pytest.mark.usefixtures("clean_registry")
def test_registering_twice_keeps_one_listener() -> None:
    listeners.register(WebhookListener)
    listeners.register(WebhookListener)
    assert len(listeners.listeners()) == 1


@pytest.mark.usefixtures("clean_registry")
def test_two_listeners_joining_rows_into_creation_are_refused() -> None:
    listeners.register(WebhookListener)
    listeners.register(SecondJoiner)
    with pytest.raises(RuntimeError, match="more than one job listener"):
        listeners.creation_rows()
