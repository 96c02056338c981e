"""One embedded worker pool per data dir: a restarted ``serve`` never doubles the pool.

Two lock files in the data dir, both ``flock`` locks, which the kernel drops when their
holder ends however it ends:

- ``worker-pool.lock``: held exclusively by the process that owns the pool (``aiprod
  serve`` or ``aiprod worker``); a second one on the same data dir is refused in one line
  naming the owner's pid.
- ``worker-pool.workers.lock``: held shared by every worker process. A new owner takes it
  exclusively once before starting its workers, so it waits for the workers of an owner
  that was killed (they stop on their parent's death: :mod:`aiprod.jobs.orphans`).
"""

from __future__ import annotations

import fcntl
import os
import time
from pathlib import Path

from aiprod.errors import AiprodError

OWNER_LOCK = "worker-pool.lock"
WORKERS_LOCK = "worker-pool.workers.lock"
OLD_WORKERS_WAIT_S = 60.0  # orphans stop within a heartbeat; a stuck one within its lease


class PoolAlreadyRunning(AiprodError):
    """Another worker pool (or its surviving workers) runs on this data dir."""

    code = "pool_already_running"


def _open(path: Path) -> int:
    path.parent.mkdir(parents=True, exist_ok=True)
    return os.open(path, os.O_RDWR | os.O_CREAT, 0o600)


def _try_lock(fd: int, operation: int) -> bool:
    try:
        fcntl.flock(fd, operation | fcntl.LOCK_NB)
    except BlockingIOError:
        return False
    return True


def hold_worker_share(data_dir: Path) -> int:
    """In a worker process: hold the shared workers' lock until the process ends."""
    fd = _open(data_dir / WORKERS_LOCK)
    fcntl.flock(fd, fcntl.LOCK_SH)
    return fd  # never closed: the kernel releases it when this process ends


def lock_holders(path: Path) -> list[int]:
    """Pids holding a ``flock`` on ``path``, from ``/proc/locks`` (empty if unknown)."""
    try:
        inode = path.stat().st_ino
        lines = Path("/proc/locks").read_text(encoding="ascii").splitlines()
    except OSError:
        return []
    pids = []
    for fields in (line.split() for line in lines):
        held = len(fields) >= 6 and fields[1] == "FLOCK" and "->" not in fields
        if held and fields[5].rsplit(":", 1)[-1] == str(inode):
            pids.append(int(fields[4]))
    return sorted(set(pids))


class PoolOwnership:
    """The owner's exclusive lock on ``data_dir``'s worker pool."""

    def __init__(self, data_dir: Path) -> None:
        self.data_dir = data_dir
        self.fd: int | None = None

    def acquire(self, wait_s: float = OLD_WORKERS_WAIT_S) -> None:
        """Own the pool, once no other owner and no earlier pool's worker is left."""
        path = self.data_dir / OWNER_LOCK
        fd = _open(path)
        if not _try_lock(fd, fcntl.LOCK_EX):
            owner = os.pread(fd, 32, 0).decode("ascii", "replace").strip() or "unknown"
            os.close(fd)
            raise PoolAlreadyRunning(
                f"another aiprod process (pid {owner}) already runs the worker pool on "
                f"{self.data_dir}: stop it first, or use --no-worker"
            )
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"{os.getpid()}\n".encode(), 0)
        self.fd = fd
        try:
            self._wait_for_old_workers(wait_s)
        except BaseException:
            self.release()
            raise

    def _wait_for_old_workers(self, wait_s: float) -> None:
        path = self.data_dir / WORKERS_LOCK
        fd, deadline = _open(path), time.monotonic() + wait_s
        try:
            while not _try_lock(fd, fcntl.LOCK_EX):
                if time.monotonic() >= deadline:
                    pids = ", ".join(map(str, lock_holders(path))) or "unknown"
                    raise PoolAlreadyRunning(
                        f"workers of an earlier pool on {self.data_dir} still run "
                        f"(pid {pids}): stop them first"
                    )
                time.sleep(0.1)
        finally:
            os.close(fd)  # closing drops the lock: the new workers share it from now on

    def release(self) -> None:
        """Give up the ownership (also dropped by the kernel if this process dies)."""
        if self.fd is not None:
            os.close(self.fd)
            self.fd = None
