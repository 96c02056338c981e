"""One worker pool per data dir (the locks alone; tests/e2e/test_serve_orphans.py runs serve)."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from aiprod.jobs.pool_locks import (
    OWNER_LOCK,
    PoolAlreadyRunning,
    PoolOwnership,
    hold_worker_share,
    lock_holders,
)


def test_a_second_owner_is_refused_naming_the_first(tmp_path: Path) -> None:
    first = PoolOwnership(tmp_path)
    first.acquire(wait_s=0)
    try:
        with pytest.raises(PoolAlreadyRunning, match=f"pid {os.getpid()}"):
            PoolOwnership(tmp_path).acquire(wait_s=0)
    finally:
        first.release()
    again = PoolOwnership(tmp_path)
    again.acquire(wait_s=0)  # free once released (or once its holder dies)
    again.release()
    assert stat.S_IMODE((tmp_path / OWNER_LOCK).stat().st_mode) == 0o600


def test_a_new_owner_waits_for_workers_of_an_earlier_pool(tmp_path: Path) -> None:
    script = (
        "import sys, time; from pathlib import Path\n"
        "from aiprod.jobs.pool_locks import hold_worker_share\n"
        "hold_worker_share(Path(sys.argv[1])); print('held', flush=True); time.sleep(60)\n"
    )
    survivor = subprocess.Popen(
        [sys.executable, "-c", script, str(tmp_path)], stdout=subprocess.PIPE, text=True
    )
    try:
        assert survivor.stdout is not None and survivor.stdout.readline() == "held\n"
        with pytest.raises(PoolAlreadyRunning, match=f"still run \\(pid {survivor.pid}\\)"):
            PoolOwnership(tmp_path).acquire(wait_s=0.3)
    finally:
        survivor.kill()
        survivor.wait()
        if survivor.stdout is not None:
            survivor.stdout.close()
    owner = PoolOwnership(tmp_path)
    owner.acquire(wait_s=5)  # the earlier worker is gone: the pool is ours
    share = hold_worker_share(tmp_path)  # our own workers share the lock after the check
    assert lock_holders(tmp_path / "worker-pool.workers.lock") == [os.getpid()]
    os.close(share)
    owner.release()
