"""The one module that starts external processes (ffmpeg, ffprobe, espeak-ng, ...).

Everything else builds argument lists as data and hands them here. A failure raises
``FFmpegError`` carrying the command and the tail of stderr, never a bare CalledProcessError.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import threading
from collections import deque
from collections.abc import Callable, Iterable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor, wait
from dataclasses import dataclass

from aiprod.errors import FFmpegError, ProviderUnavailable

STDERR_TAIL_CHARS = 4000


@dataclass(frozen=True)
class ProcessResult:
    returncode: int
    stdout: bytes
    stderr: str


def require_tool(name: str) -> str:
    """Absolute path of an executable on PATH, or a clear error naming the package."""
    path = shutil.which(name)
    if path is None:
        raise ProviderUnavailable(f"'{name}' is not installed (run 'make setup' to install it)")
    return path


def run_process(
    command: Sequence[str],
    *,
    timeout: float | None = None,
    input_bytes: bytes | None = None,
    env: Mapping[str, str] | None = None,
    check: bool = True,
) -> ProcessResult:
    """Run ``command`` to completion and return its output; raise FFmpegError on failure."""
    argv = [require_tool(command[0]), *command[1:]]
    full_env = {**os.environ, **env} if env else None
    try:
        done = subprocess.run(
            argv,
            input=input_bytes,
            capture_output=True,
            timeout=timeout,
            env=full_env,
            check=False,
        )
    except subprocess.TimeoutExpired as exc:
        tail = (exc.stderr or b"").decode("utf-8", "replace")[-STDERR_TAIL_CHARS:]
        raise FFmpegError(command, -1, tail + f"\ntimed out after {timeout} s") from None
    stderr = done.stderr.decode("utf-8", "replace")
    if check and done.returncode != 0:
        raise FFmpegError(command, done.returncode, stderr[-STDERR_TAIL_CHARS:])
    return ProcessResult(done.returncode, done.stdout, stderr)


def run_ffmpeg(
    args: Sequence[str],
    *,
    timeout: float | None = None,
    env: Mapping[str, str] | None = None,
) -> ProcessResult:
    """Run ``ffmpeg`` with ``args`` (no leading 'ffmpeg'); quiet banner, no stdin."""
    command = ["ffmpeg", "-hide_banner", "-nostdin", *args]
    return run_process(command, timeout=timeout, env=env)


def run_ffmpeg_all(
    commands: Sequence[Sequence[str]], *, workers: int | None = None, timeout: float | None = None
) -> list[ProcessResult]:
    """Run independent ffmpeg commands (``run_ffmpeg``'s arguments), a few at a time: one
    per CPU (``workers`` at most). Each is one single-threaded process (pictures drawn by
    libass, PNGs encoded), so running them side by side divides their wall time; the first
    failure is raised once all have ended."""
    if not commands:
        return []
    limit = workers or os.cpu_count() or 1
    with ThreadPoolExecutor(max_workers=max(1, min(limit, len(commands)))) as pool:
        futures = [pool.submit(run_ffmpeg, command, timeout=timeout) for command in commands]
        wait(futures)
    return [future.result() for future in futures]


def run_ffmpeg_with_progress(
    args: Sequence[str],
    *,
    on_frame: Callable[[int], None],
    timeout: float,
    keep: Callable[[bytes], bool] | None = None,
) -> str:
    """Run ffmpeg with ``-progress pipe:1`` in ``args``; call ``on_frame`` as frames encode.

    stderr is drained on a thread so a chatty ffmpeg can never block on a full pipe; the
    lines ``keep`` accepts (a filter's reports) are returned, the rest only feeds errors.
    """
    command = ["ffmpeg", "-hide_banner", "-nostdin", *args]
    argv = [require_tool("ffmpeg"), *command[1:]]
    tail: deque[bytes] = deque(maxlen=64)
    kept: list[bytes] = []

    def drain_lines(lines: Iterable[bytes]) -> None:
        for line in lines:
            tail.append(line)
            if keep is not None and keep(line):
                kept.append(line)

    with subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE) as process:
        assert process.stdout is not None and process.stderr is not None
        drain = threading.Thread(target=drain_lines, args=(process.stderr,), daemon=True)
        drain.start()
        timer = threading.Timer(timeout, process.kill)
        timer.start()
        try:
            for raw in process.stdout:
                key, _, value = raw.decode("ascii", "replace").strip().partition("=")
                if key == "frame" and value.isdigit():
                    on_frame(int(value))
            code = process.wait()
        finally:
            timer.cancel()
            if process.poll() is None:
                process.kill()
                process.wait()
            drain.join()
    if code != 0:
        stderr = b"".join(tail).decode("utf-8", "replace")[-STDERR_TAIL_CHARS:]
        if code < 0:
            stderr += f"\nkilled (signal {-code}); time limit {timeout:.0f} s"
        raise FFmpegError(command, code, stderr)
    return b"".join(kept).decode("utf-8", "replace")
