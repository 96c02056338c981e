"""Worker processes end with the process that started them, never run on as orphans.

A ``kill -9`` of ``aiprod serve`` gives its workers no chance to be told. So each worker
asks Linux for a signal when its parent ends (``prctl(PR_SET_PDEATHSIG)``) and, as a
fallback where that is missing, watches its parent id change. An orphaned worker stops
at once: it gives its job back (:func:`aiprod.jobs.leases.release`, no attempt used), or,
if it is killed before it can, the job's lease runs out and the reaper re-queues it.
"""

from __future__ import annotations

import ctypes
import logging
import multiprocessing
import os
import signal
import sys
import threading
import time
from typing import Protocol

log = logging.getLogger(__name__)
PR_SET_PDEATHSIG = 1  # <linux/prctl.h>
WATCH_INTERVAL_S = 1.0


class Stoppable(Protocol):
    """The worker's stop flag (:class:`aiprod.jobs.worker.StopFlag`)."""

    orphaned: bool

    @property
    def stopped(self) -> bool: ...

    def set(self) -> None: ...


def parent_pid() -> int:
    """The pid of the process that started this one (before any re-parenting)."""
    parent = multiprocessing.parent_process()
    return parent.pid if parent is not None and parent.pid is not None else os.getppid()


def die_with_parent(sig: int, parent: int) -> None:
    """Have the kernel send ``sig`` to this process when ``parent`` ends (Linux only).

    If ``parent`` already ended before the request took effect, ``sig`` is sent now.
    """
    if sys.platform.startswith("linux"):
        try:
            libc = ctypes.CDLL(None, use_errno=True)
            if libc.prctl(PR_SET_PDEATHSIG, sig, 0, 0, 0) != 0:
                log.warning("prctl(PR_SET_PDEATHSIG) failed: errno %d", ctypes.get_errno())
        except (OSError, AttributeError):  # no libc symbol: the watch below still works
            log.warning("prctl unavailable; watching the parent process instead")
    if os.getppid() != parent:
        os.kill(os.getpid(), sig)


def stop_when_orphaned(stop: Stoppable) -> None:
    """In a worker process: SIGTERM drains as before, but a dead parent stops it at once.

    Installs the SIGTERM handler, asks for SIGTERM on the parent's death, and starts a
    thread that checks the parent every :data:`WATCH_INTERVAL_S` seconds.
    """
    parent = parent_pid()

    def on_sigterm(*_: object) -> None:  # the watch sees a death this check is too early for
        if os.getppid() != parent:
            stop.orphaned = True
        stop.set()

    def watch() -> None:
        while not stop.stopped:
            if os.getppid() != parent:
                stop.orphaned = True
                stop.set()
                return
            time.sleep(WATCH_INTERVAL_S)

    signal.signal(signal.SIGTERM, on_sigterm)
    die_with_parent(signal.SIGTERM, parent)
    threading.Thread(target=watch, name="parent-watch", daemon=True).start()
