"""The embedded pool of ``aiprod serve`` and ``aiprod worker``: one per data dir
(:mod:`aiprod.jobs.pool_locks`), configured from the settings."""

from __future__ import annotations

from aiprod.config import Settings
from aiprod.jobs.pool_locks import PoolOwnership
from aiprod.jobs.worker import WorkerPool


class OwnedWorkerPool(WorkerPool):
    """The embedded pool of ``aiprod serve`` and ``aiprod worker``: one per data dir, with
    the work, lease and heartbeat from ``settings``."""

    def __init__(self, settings: Settings, *, processes: int) -> None:
        super().__init__(
            settings.job_database_url,
            settings=settings,
            processes=processes,
            work=settings.worker_work,
            lease_seconds=settings.worker_lease_s,
            heartbeat_seconds=settings.worker_heartbeat_s,
        )
        self.ownership = PoolOwnership(settings.data_dir)

    def start(self) -> OwnedWorkerPool:
        """Own the data dir's pool, then start it; PoolAlreadyRunning if another runs."""
        self.ownership.acquire()
        try:
            super().start()
        except BaseException:
            self.ownership.release()
            raise
        return self

    def stop(self, grace_s: float | None = None) -> None:
        """Drain the workers, then give up the ownership."""
        try:
            super().stop(grace_s)
        finally:
            self.ownership.release()
