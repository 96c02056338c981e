"""``kill -9`` of ``aiprod serve``: its workers go with it, the job they held is not lost, and
a restarted ``serve`` runs one pool, never two (probe finding: orphaned workers).

Real processes throughout; the job work is the fast fake of ``tests/integration``.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import httpx
from sqlalchemy import select
from sqlalchemy.orm import Session

from aiprod.db.engine import make_engine, make_session_factory
from aiprod.jobs.models import Job, JobEvent
from aiprod.jobs.store import create_job

FAKE_WORK_DIR = Path(__file__).resolve().parent.parent / "integration"


def free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_for(
    check: Callable[[], bool], timeout: float, what: str, seen: Callable[[], object] = str
) -> None:
    end = time.monotonic() + timeout
    while not check():
        assert time.monotonic() < end, f"timed out waiting for {what}: {seen()}"
        time.sleep(0.1)


def descendants(pid: int) -> set[int]:
    """Every live process below ``pid`` (from /proc)."""
    parents: dict[int, int] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        parents[int(stat.parent.name)] = int(fields[1])
    found, frontier = set(), {pid}
    while frontier:
        frontier = {child for child, parent in parents.items() if parent in frontier}
        found |= frontier
    return found


def workers_of(pid: int) -> set[int]:
    """The worker processes of a ``serve``: spawned children, not the resource tracker."""
    found = set()
    for child in descendants(pid):
        try:
            command = Path(f"/proc/{child}/cmdline").read_bytes()
            stat = Path(f"/proc/{child}/stat").read_text()
        except OSError:
            continue
        parent = int(stat.rsplit(")", 1)[1].split()[1])
        if parent == pid and b"spawn_main" in command:
            found.add(child)
    return found


def alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


class Operator:
    """Runs the CLI as an operator would, on one data dir, with the fake job work."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.env = {
            "AIPROD_DATA_DIR": str(root / "data"),
            "AIPROD_WORKER_WORK": "jobs_fake_work:fake_work",
            "AIPROD_WORKER_LEASE_S": "4",
            "AIPROD_WORKER_HEARTBEAT_S": "0.5",
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
            "PYTHONPATH": os.pathsep.join([str(FAKE_WORK_DIR), *sys.path]),
        }

    def cli(self, *args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "aiprod", *args],
            env=self.env,
            capture_output=True,
            text=True,
            timeout=60,  # a second serve that is not refused runs until this
            check=False,
        )

    def serve(self, log_name: str) -> subprocess.Popen[bytes]:
        """``aiprod serve --workers 2``, once it answers and its two workers run."""
        port = free_port()
        with (self.root / log_name).open("w") as log:
            server = subprocess.Popen(
                [sys.executable, "-m", "aiprod", "serve", "--port", str(port), "--workers", "2"],
                env=self.env,
                stdout=log,
                stderr=log,
            )
        wait_for(lambda: up(port) or server.poll() is not None, 60, "serve to come up")
        assert server.poll() is None, (self.root / log_name).read_text()
        wait_for(lambda: len(workers_of(server.pid)) == 2, 30, "two workers")
        return server


def test_killed_serve_takes_its_workers_along_and_a_restart_runs_one_pool(
    tmp_path: Path,
) -> None:
    data, operator = tmp_path / "data", Operator(tmp_path)
    cli, start_serve = operator.cli, operator.serve
    assert cli("db", "upgrade").returncode == 0
    engine = make_engine(f"sqlite:///{data / 'aiprod.db'}")
    with make_session_factory(engine)() as session:
        job = create_job(session, owner="ana", kind="spec", request={"sleep": 20.0}, preset=None)
        session.commit()
        job_id = job.id

    def load() -> Job:
        with Session(engine) as session:
            found = session.get(Job, job_id)
            assert found is not None
            session.expunge(found)
            return found

    def history() -> list[tuple[str, str | None]]:
        with Session(engine) as session:
            query = select(JobEvent).where(JobEvent.job_id == job_id).order_by(JobEvent.id)
            return [(e.to_status, e.reason) for e in session.scalars(query)]

    first = start_serve("serve-1.log")
    second: subprocess.Popen[bytes] | None = None
    try:
        wait_for(lambda: load().lease_owner is not None, 30, "a worker to claim the job")
        old_workers = workers_of(first.pid)
        old_processes = descendants(first.pid)
        assert len(old_workers) == 2

        first.send_signal(signal.SIGKILL)
        first.wait(10)
        wait_for(lambda: not any(alive(p) for p in old_processes), 30, "the old workers to end")
        wait_for(lambda: load().status == "queued", 30, "the orphaned job to return", history)
        assert history()[-1] == ("queued", "released"), history()  # no attempt used up

        second = start_serve("serve-2.log")
        assert workers_of(second.pid).isdisjoint(old_workers)
        refused = cli("serve", "--port", str(free_port()), "--workers", "2")
        assert refused.returncode == 1
        errors = [line for line in refused.stderr.splitlines() if line.startswith("error:")]
        assert len(errors) == 1, refused.stderr  # one line (beside structured logs)
        assert f"pid {second.pid}" in errors[0] and "already" in errors[0], errors[0]
        wait_for(lambda: load().status == "succeeded", 60, "the job on the restarted pool", history)
        assert len(workers_of(second.pid)) == 2  # one pool, not two
        assert [status for status, _ in history()].count("succeeded") == 1
    finally:
        for server in (first, second):
            if server is not None and server.poll() is None:
                server.send_signal(signal.SIGTERM)
                server.wait(60)
        engine.dispose()


def up(port: int) -> bool:
    try:
        return httpx.get(f"http://127.0.0.1:{port}/health", timeout=1).status_code == 200
    except httpx.TransportError:
        return False
