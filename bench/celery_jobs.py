"""Scale-out throughput benchmark: jobs per minute and submit-to-start latency with two
Celery workers on short renders.

Sets up what an operator runs: a throwaway PostgreSQL database (``AIPROD_BENCH_PG_DSN``,
default the local ``postgres`` superuser on 127.0.0.1:5432), the RabbitMQ on
``AIPROD_BENCH_BROKER_URL`` (default 127.0.0.1:5672 guest/guest) with a queue of this run
only (deleted afterwards), ``aiprod db upgrade``, ``aiprod keys create``, ``aiprod serve
--no-worker`` (API + outbox relay) and two ``aiprod worker --workers 1`` (Celery) processes.

The work is a real render by default: a brief planned and rendered by the whole pipeline
into a 4-second, 288x512 video (preset ``x264 ultrafast``), so a job takes a few seconds of
CPU. ``--fake`` plugs in ``tests/integration/jobs_fake_work.py`` instead (plan and "render"
write a few small files): it measures the dispatch path alone (API → outbox → relay →
RabbitMQ → Celery → lease claim → outcome).

Load is a closed loop: ``--in-flight`` clients (default 2, one per worker) each submit a
job through ``POST /v1/jobs``, wait until it ends, and submit the next, ``--jobs`` in all.
So a worker is idle whenever a job is submitted and submit-to-start measures dispatch
latency, not a backlog. Submit = the job's ``created`` event, start = its first
``claimed`` event (both stamped by the database clock). Jobs per minute = jobs /
(last finish − first submit).

Prints one line per job, then the totals; the last line reads
``jobs_per_min=… start_p50_ms=… start_p99_ms=…``. The machine is shared in development:
note its load average (printed first) next to the figures.

Run: ``make bench`` or ``.venv/bin/python bench/celery_jobs.py [--jobs N] [--fake]``.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import secrets
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path

import psycopg
from kombu import Connection

from api_load import DEFAULT_DSN, aiprod, free_port, pg_url, throwaway_database, wait_ready

DEFAULT_BROKER = "amqp://guest:guest@127.0.0.1:5672//"
ROOT = Path(__file__).resolve().parent.parent
FAKE_WORK_DIR = ROOT / "tests" / "integration"
TINY_PRESET = (
    "tiny:\n  width: 288\n  height: 512\n  caption_style: social\n  loudness_lufs: -14\n"
    "  x264_preset: ultrafast\n  crf: 30\n  audio_bitrate_k: 96\n"
)
BRIEF = "A short ad for Bean There coffee"
ENDED = ("succeeded", "failed", "dead", "canceled")


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--jobs", type=int, default=None, help="jobs in all (12; fake: 60)")
    parser.add_argument("--in-flight", type=int, default=2, help="clients submitting at once")
    parser.add_argument("--fake", action="store_true", help="fake work: the dispatch path only")
    parser.add_argument("--keep", type=Path, default=None, help="keep logs in this folder")
    return parser.parse_args(argv)


@contextmanager
def broker_queue(broker: str) -> Iterator[str]:
    """A queue name of this run; its queues and exchanges are deleted afterwards."""
    name = f"aiprod.bench.{secrets.token_hex(4)}"
    try:
        yield name
    finally:
        with Connection(broker) as connection:
            channel = connection.default_channel
            for queue in (name, f"{name}.dead"):
                channel.queue_delete(queue)
            for exchange in (name, f"{name}.dlx"):
                channel.exchange_delete(exchange)


class Processes:
    """`aiprod …` processes in their own process groups, logging to files; SIGTERM at exit."""

    def __init__(self, logs: Path) -> None:
        self.logs, self.running = logs, list[tuple[subprocess.Popen[bytes], Path]]()

    def start(self, name: str, env: dict[str, str], *args: str) -> subprocess.Popen[bytes]:
        log = self.logs / f"{name}.log"
        with log.open("wb") as sink:
            process = subprocess.Popen(
                [sys.executable, "-m", "aiprod", *args],
                env=env,
                stdout=sink,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        self.running.append((process, log))
        return process

    def wait_for_line(self, process: subprocess.Popen[bytes], text: str, timeout_s: float) -> None:
        log = next(path for running, path in self.running if running is process)
        deadline = time.monotonic() + timeout_s
        while text not in log.read_text(encoding="utf-8", errors="replace"):
            if process.poll() is not None or time.monotonic() > deadline:
                raise SystemExit(f"{log.name} did not get ready:\n{log.read_text()[-3000:]}")
            time.sleep(0.2)

    def stop(self) -> None:
        for process, _ in self.running:
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
        for process, log in self.running:
            try:
                process.wait(60)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait(10)
                print(f"{log.name}: killed after ignoring SIGTERM for 60 s", flush=True)


def submit(base: str, key: str, body: dict[str, object]) -> str:
    request = urllib.request.Request(
        f"{base}/v1/jobs",
        data=json.dumps(body).encode(),
        headers={"Authorization": f"Bearer {key}", "Content-Type": "application/json"},
        method="POST",
    )
    with urllib.request.urlopen(request, timeout=30) as answer:
        job_id: str = json.load(answer)["id"]
        return job_id


def client_loop(
    base: str, key: str, body: dict[str, object], dsn: str, dbname: str, quota: Iterable[int]
) -> None:
    """Submit a job, wait until it ends (watching the database, not the API), repeat."""
    with psycopg.connect(dsn, dbname=dbname, autocommit=True) as conn:
        for _ in quota:
            job_id = submit(base, key, body)
            while True:
                row = conn.execute("SELECT status FROM jobs WHERE id = %s", (job_id,)).fetchone()
                if row is not None and row[0] in ENDED:
                    break
                time.sleep(0.02)


def shared_quota(total: int) -> Iterator[int]:
    """An iterator the clients share: ``total`` turns in all."""
    lock, turns = threading.Lock(), iter(range(total))

    def take() -> Iterator[int]:
        while True:
            with lock:
                turn = next(turns, None)
            if turn is None:
                return
            yield turn

    return take()


@contextmanager
def scaleout(
    options: argparse.Namespace, dsn: str, dbname: str, broker: str, queue: str, work: Path
) -> Iterator[tuple[str, str]]:
    """The API and two Celery workers running; yields (base URL, API key)."""
    presets = work / "presets.yaml"
    presets.write_text(TINY_PRESET, encoding="utf-8")
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "AIPROD_DATABASE_URL": pg_url(dsn, dbname),
        "AIPROD_DATA_DIR": str(work / "data"),
        "AIPROD_PRESETS_FILE": str(presets),
        "AIPROD_BROKER_URL": broker,
        "AIPROD_BROKER_QUEUE": queue,
        "AIPROD_OUTBOX_POLL_S": "0.1",
        "AIPROD_RATE_LIMIT_ENABLED": "false",  # measure the system, not its throttle
        "AIPROD_LOG_LEVEL": "WARNING",
    }
    if options.fake:
        env |= {"PYTHONPATH": str(FAKE_WORK_DIR), "AIPROD_WORKER_WORK": "jobs_fake_work:fake_work"}
    aiprod(env, "db", "upgrade")
    key = aiprod(env, "keys", "create", "--name", "bench")
    processes = Processes(options.keep or work)
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    try:
        api = processes.start("api", env, "serve", "--no-worker", "--port", str(port))
        workers = [processes.start(f"worker-{i}", env, "worker", "--workers", "1") for i in (0, 1)]
        wait_ready(base, api)
        for worker in workers:
            processes.wait_for_line(worker, " ready.", 60)
        yield base, key
    finally:
        processes.stop()


def timings(dsn: str, dbname: str) -> list[tuple[str, str, datetime, datetime, datetime]]:
    """(id, status, created, first claimed, finished) of every job."""
    query = """
        SELECT j.id, j.status,
               (SELECT min(e.at) FROM job_events e WHERE e.job_id = j.id AND e.reason = 'created'),
               (SELECT min(e.at) FROM job_events e WHERE e.job_id = j.id AND e.reason = 'claimed'),
               j.finished_at
        FROM jobs j ORDER BY 3
    """
    with psycopg.connect(dsn, dbname=dbname) as conn:
        return [tuple(row) for row in conn.execute(query)]  # type: ignore[misc]


def percentile(values: list[float], fraction: float) -> float:
    """Nearest-rank percentile of ``values``."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(fraction * len(ordered)) - 1)]


def benchmark(options: argparse.Namespace, dsn: str, dbname: str, work: Path) -> None:
    broker = os.environ.get("AIPROD_BENCH_BROKER_URL", DEFAULT_BROKER)
    total = options.jobs or (60 if options.fake else 12)
    body: dict[str, object] = {"brief": BRIEF}
    if not options.fake:
        body |= {"preset": "tiny", "duration_s": 4}
    with (
        broker_queue(broker) as queue,
        scaleout(options, dsn, dbname, broker, queue, work) as (
            base,
            key,
        ),
    ):
        # a warm-up job per worker: they import the pipeline, caches fill; not counted
        warmup = threading.Thread(target=client_loop, args=(base, key, body, dsn, dbname, [0]))
        warmup.start()
        client_loop(base, key, body, dsn, dbname, [0])
        warmup.join()
        warm_ids = {row[0] for row in timings(dsn, dbname)}
        quota = shared_quota(total)
        clients = [
            threading.Thread(target=client_loop, args=(base, key, body, dsn, dbname, quota))
            for _ in range(options.in_flight)
        ]
        for client in clients:
            client.start()
        for client in clients:
            client.join()
    report([row for row in timings(dsn, dbname) if row[0] not in warm_ids], total)


def report(rows: list[tuple[str, str, datetime, datetime, datetime]], total: int) -> None:
    starts, failed = [], 0
    for job_id, status, created, claimed, finished in rows:
        start_ms = (claimed - created).total_seconds() * 1000
        run_s = (finished - claimed).total_seconds()
        starts.append(start_ms)
        failed += status != "succeeded"
        print(f"job {job_id} {status} start_ms={start_ms:.0f} run_s={run_s:.2f}", flush=True)
    span_s = (max(row[4] for row in rows) - min(row[2] for row in rows)).total_seconds()
    per_min = 60 * len(rows) / span_s
    print(
        f"jobs={len(rows)} of {total} not_succeeded={failed} span_s={span_s:.1f} "
        f"start_mean_ms={statistics.fmean(starts):.0f} start_max_ms={max(starts):.0f}",
        flush=True,
    )
    print(
        f"jobs_per_min={per_min:.1f} start_p50_ms={percentile(starts, 0.5):.0f} "
        f"start_p99_ms={percentile(starts, 0.99):.0f}"
    )
    if failed or len(rows) != total:
        raise SystemExit(1)


def main(argv: list[str] | None = None) -> None:
    options = parse_args(argv)
    dsn = os.environ.get("AIPROD_BENCH_PG_DSN", DEFAULT_DSN)
    work_kind = "fake work (dispatch only)" if options.fake else "real 4 s renders at 288x512"
    print(
        f"cores={os.cpu_count()} load_avg={os.getloadavg()[0]:.2f} workers=2 "
        f"in_flight={options.in_flight} work={work_kind}",
        flush=True,
    )
    if options.keep:
        options.keep.mkdir(parents=True, exist_ok=True)
    with (
        tempfile.TemporaryDirectory(prefix="aiprod-bench-") as tmp,
        throwaway_database(dsn) as dbname,
    ):
        benchmark(options, dsn, dbname, Path(tmp))


if __name__ == "__main__":
    main()
