"""Giving freed memory back to the system (glibc keeps freed blocks for reuse otherwise).

Called after a burst of large allocations (a voice's activations, a composed score) and
before ffmpeg runs beside us, so the two do not hold their peaks at the same time.
"""

from __future__ import annotations

import ctypes
import functools


@functools.cache
def _libc() -> ctypes.CDLL | None:
    try:
        return ctypes.CDLL("libc.so.6")
    except OSError:  # not glibc: nothing to do
        return None


def give_back_memory() -> None:
    libc = _libc()
    if libc is not None:
        libc.malloc_trim(0)
