"""Multiprocess metrics set-up, kept apart: it must run before ``prometheus_client`` loads."""

from __future__ import annotations

import os
import re
import sys
from pathlib import Path
from typing import Final

MULTIPROC_ENV: Final = "PROMETHEUS_MULTIPROC_DIR"
_PID_IN_NAME: Final = re.compile(r"_(\d+)\.db$")


def use_multiprocess_dir(path: Path, *, clear: bool) -> None:
    """Make this process and the processes it starts share samples through files in ``path``.

    Call before ``prometheus_client`` is imported: the library picks its value store at
    import, and spawned children inherit the variable set here. ``clear`` removes the files
    of processes that are gone (a previous run), never those of running ones, so
    ``aiprod serve`` and ``aiprod worker`` may share a folder on one host. Each container
    (pid namespace) needs its own folder: files are named by process id.
    """
    path.mkdir(parents=True, exist_ok=True)
    if clear:
        for file in path.glob("*.db"):
            match = _PID_IN_NAME.search(file.name)
            if match is None or not _alive(int(match.group(1))):
                file.unlink(missing_ok=True)
    os.environ[MULTIPROC_ENV] = str(path.resolve())


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's process: alive
        return True
    return True


def reuse_files_of(owner: str) -> None:
    """In a short-lived process, write samples to files named after ``owner``, not the pid.

    A worker runs each attempt in a new child; by default every child would leave its own
    files and each scrape would read them all. Children of one worker never overlap in
    time, so they take turns on one set of files (values carry over). ``owner`` must end in
    the worker's pid (see :func:`use_multiprocess_dir`). Must run before
    :mod:`aiprod.observability.metrics` is imported; a no-op outside multiprocess mode.
    """
    if MULTIPROC_ENV not in os.environ or "aiprod.observability.metrics" in sys.modules:
        return
    from prometheus_client import values

    values.ValueClass = values.MultiProcessValue(lambda: owner)  # type: ignore[no-untyped-call]
