"""The shared queue snapshot gives the same places as the exact queries, also past its limit."""

from __future__ import annotations

import threading
import time
from datetime import timedelta

from sqlalchemy import Engine, update
from sqlalchemy.orm import Session

from aiprod.db.base import utcnow
from aiprod.db.engine import Executor
from aiprod.jobs import store
from aiprod.jobs.models import Job
from aiprod.jobs.queue_snapshot import QueueSnapshot, _Snapshot


def test_snapshot_matches_exact_queue_places(jobs_engine: Engine) -> None:
    with Session(jobs_engine) as session:
        ids = [
            store.create_job(
                session, owner="ana", kind="brief", request={"brief": str(i)}, preset=None,
                cost_estimate={"eta_seconds": float(i + 1)},
            ).id
            for i in range(12)
        ]  # fmt: skip
        session.commit()
    claim = store.claim_next_job(jobs_engine, worker_id="w")  # job 0 is running now
    assert claim is not None and claim.job_id == ids[0]
    later = utcnow() + timedelta(minutes=5)
    with Session(jobs_engine) as session:  # job 3 is backing off: not runnable
        session.execute(update(Job).where(Job.id == ids[3]).values(run_after=later))
        session.commit()
    for limit in (100, 4):  # 4: jobs past the snapshot fall back to the exact queries
        snapshot = QueueSnapshot(max_age_s=60, limit=limit)
        with Session(jobs_engine) as session:
            for job_id in ids:
                job = session.get(Job, job_id)
                assert job is not None
                assert snapshot.place(session, job=job) == store.queue_place(session, job=job)


def test_snapshot_is_refreshed_after_its_max_age(jobs_engine: Engine) -> None:
    snapshot = QueueSnapshot(max_age_s=0.0, cost_share=0.0)
    with Session(jobs_engine, expire_on_commit=False) as session:
        first = store.create_job(session, owner="ana", kind="brief", request={}, preset=None)
        place = snapshot.place(session, job=first)
        session.commit()
    assert place is not None and place.position == 1
    assert store.claim_next_job(jobs_engine, worker_id="w") is not None
    with Session(jobs_engine) as session:
        second = store.create_job(session, owner="ana", kind="brief", request={}, preset=None)
        place = snapshot.place(session, job=second)
        session.commit()
    assert place is not None and place.position == 1  # the first one left the queue


class SlowRefresh(QueueSnapshot):
    """Its second refresh waits until the test lets it go."""

    def __init__(self) -> None:
        super().__init__(max_age_s=0.0, cost_share=0.0)
        self.refreshing, self.release, self.taken = threading.Event(), threading.Event(), 0

    def _take(self, session: Session) -> _Snapshot:
        self.taken += 1
        if self.taken > 1:
            self.refreshing.set()
            self.release.wait(10)
        return super()._take(session)


def test_readers_answer_from_the_old_snapshot_while_one_refreshes(jobs_engine: Engine) -> None:
    snapshot = SlowRefresh()
    with Session(jobs_engine, expire_on_commit=False) as session:
        job = store.create_job(session, owner="ana", kind="brief", request={}, preset=None)
        session.commit()
        assert snapshot.place(session, job=job) is not None  # the first snapshot
        session.commit()

    def refresh() -> None:
        with Session(jobs_engine) as own:
            snapshot.place(own, job=job)

    refresher = threading.Thread(target=refresh)
    refresher.start()
    try:
        assert snapshot.refreshing.wait(10)
        started = time.monotonic()
        with Session(jobs_engine) as session:
            place = snapshot.place(session, job=job)  # stale, refresh under way: no waiting
        assert time.monotonic() - started < 1.0
        assert place is not None and place.position == 1
    finally:
        snapshot.release.set()
        refresher.join(10)
    assert snapshot.taken == 2


class BlockedRefresh(QueueSnapshot):
    """Refreshes in the background; its second refresh waits for the test."""

    def __init__(self, engine: Engine) -> None:
        super().__init__(max_age_s=0.0, engine=engine, cost_share=0.0)
        self.release, self.takers, self.taken = threading.Event(), [], 0

    def _take(self, session: Executor) -> _Snapshot:
        self.taken += 1
        self.takers.append(threading.current_thread().name)
        if self.taken > 1:
            self.release.wait(10)
        return super()._take(session)


def test_with_an_engine_the_refresh_runs_in_the_background(jobs_engine: Engine) -> None:
    snapshot = BlockedRefresh(jobs_engine)
    with Session(jobs_engine, expire_on_commit=False) as session:
        first = store.create_job(session, owner="ana", kind="brief", request={}, preset=None)
        session.commit()
        assert snapshot.place(session, job=first) == store.QueuePlace(1, 0.0)  # waited for
        second = store.create_job(session, owner="ana", kind="brief", request={}, preset=None)
        session.commit()
    started = time.monotonic()
    with Session(jobs_engine) as session:
        assert snapshot.place(session, job=first) is not None  # stale: answered at once
    assert time.monotonic() - started < 1.0
    snapshot.release.set()
    deadline = time.monotonic() + 10
    while snapshot._snapshot is None or len(snapshot._snapshot.keys) < 2:
        assert time.monotonic() < deadline, "the background refresh did not land"
        time.sleep(0.01)
    assert snapshot.takers[1] == "queue-snapshot"
    assert [key[1] for key in snapshot._snapshot.keys] == [first.id, second.id]


def test_a_costly_snapshot_is_kept_longer(jobs_engine: Engine) -> None:
    snapshot = QueueSnapshot(max_age_s=0.0, cost_share=20.0)
    with Session(jobs_engine, expire_on_commit=False) as session:
        job = store.create_job(session, owner="ana", kind="brief", request={}, preset=None)
        session.commit()
        snapshot.place(session, job=job)
    taken = snapshot._snapshot
    assert taken is not None
    costly = _Snapshot(**{**taken.__dict__, "taken": time.monotonic(), "cost_s": 0.5})
    assert not snapshot._stale(costly)  # 0.5 s to take: kept 10 s, not max_age_s
    assert snapshot._stale(_Snapshot(**{**costly.__dict__, "taken": time.monotonic() - 11}))
