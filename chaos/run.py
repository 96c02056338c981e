"""`make chaos`: a bounded failure suite against throwaway PostgreSQL and RabbitMQ.

Starts its own PostgreSQL cluster and RabbitMQ node on spare loopback ports, the API
(`aiprod serve --no-worker`, which also runs the outbox relay and a webhook dispatcher) and
two Celery workers (`aiprod worker`), all with the fake work of ``chaos_work.py``. Then:

1. worker-kill: SIGKILL the Celery worker holding a job mid-render, restart it; >= 20 times.
2. broker-restart: restart RabbitMQ while jobs are being submitted through the API.
3. database-restart: restart PostgreSQL; the API answers 503 problem+json meanwhile and
   recovers by itself within 10 s of the database being back.
4. webhook-receiver: the receiver is down, then comes back answering 503 once per message
   and then 200; every event is delivered with one `webhook-id` across its attempts.

Every job accepted with a 2xx must end (within the time bound) with exactly one committed
success. The last line is ``chaos: jobs=N lost=L duplicated=D``; the exit status is 1 when
L or D is above 0 or a scenario failed. See docs/chaos.md.
"""

from __future__ import annotations

import argparse
import functools
import shutil
import signal
import sys
import tempfile
import threading
import time
import traceback
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
from chaos_services import (
    Postgres,
    Process,
    RabbitMQ,
    aiprod_env,
    spare_port,
    wait_until,
)
from chaos_work import HANG_MARKER, WORK
from sqlalchemy import func, select
from sqlalchemy.orm import Session

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests" / "integration"))
from webhook_receiver import Receiver

from aiprod.db.engine import make_engine
from aiprod.jobs.models import Job, JobEvent

TERMINAL = ("succeeded", "failed", "dead", "canceled")
PROBLEM = "application/problem+json"
RETRY_SCALE = "0.0005"  # the ~27 h webhook schedule becomes 0, 0, 0.15, 1, 4.6, 13.6 … s


def say(message: str) -> None:
    print(f"chaos: {message}", flush=True)


@dataclass
class Tally:
    """What the scenarios saw; ``accepted`` are the ids of jobs answered with a 2xx."""

    accepted: list[str] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def accept(self, job_id: str) -> None:
        with self.lock:
            self.accepted.append(job_id)


class Cluster:
    """The throwaway services and the AIPROD processes on them."""

    def __init__(self, root: Path, workers: int) -> None:
        self.root = root
        self.logs = root / "logs"
        self.logs.mkdir()
        self.postgres = Postgres(root / "pg")
        self.rabbit = RabbitMQ(root / "rabbitmq")
        self.api_port = spare_port()
        self.api: Process | None = None
        self.workers: list[Process | None] = [None] * workers
        self.started = 0
        self.env: dict[str, str] = {}

    def start(self) -> None:
        say(f"PostgreSQL up in {self.postgres.start():.1f} s on port {self.postgres.port}")
        say(f"RabbitMQ up in {self.rabbit.start():.1f} s on port {self.rabbit.port}")
        self.env = aiprod_env(
            data_dir=str(self.root / "data"),
            database_url=self.postgres.url,
            broker_url=self.rabbit.url,
            broker_queue="chaos.jobs",
            worker_work=WORK,
            worker_lease_s="3",
            worker_heartbeat_s="0.5",
            outbox_poll_s="0.1",
            rate_limit_enabled="false",
            webhook_allow_networks="127.0.0.1/32",
            webhook_retry_scale=RETRY_SCALE,
            webhook_poll_s="0.2",
            log_format="json",
            api_key_cache_s="0",
        )
        self.aiprod("db", "upgrade")
        self.api = Process(
            ["serve", "--no-worker", "--host", "127.0.0.1", "--port", str(self.api_port)],
            self.env,
            self.logs / "api.log",
        )
        for slot in range(len(self.workers)):
            self.start_worker(slot)
        wait_until("the API", self.api_healthy, 60)
        for slot in range(len(self.workers)):
            wait_until(f"worker {slot}", functools.partial(self.worker_ready, slot), 90)

    def aiprod(self, *args: str) -> str:
        import subprocess

        done = subprocess.run(
            [sys.executable, "-m", "aiprod", *args],
            env=self.env,
            capture_output=True,
            check=False,
            timeout=120,
        )
        if done.returncode != 0:
            raise RuntimeError(f"aiprod {args[0]} failed: {done.stderr.decode()[-2000:]}")
        return done.stdout.decode().strip()

    def api_healthy(self) -> bool:
        try:
            return httpx.get(f"{self.base_url}/health", timeout=2).status_code == 200
        except httpx.HTTPError:
            return False

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.api_port}"

    def start_worker(self, slot: int) -> Process:
        self.started += 1
        worker = Process(
            ["worker", "--workers", "1"], self.env, self.logs / f"worker-{self.started}.log"
        )
        self.workers[slot] = worker
        return worker

    def worker_ready(self, slot: int) -> bool:
        worker = self.workers[slot]
        return worker is not None and " ready." in worker.log()

    def stop(self) -> None:
        for process in [*self.workers, self.api]:
            if process is not None:
                process.stop()
        self.rabbit.cleanup()
        self.postgres.cleanup()


class Api:
    """A small HTTP client of the API with one key."""

    def __init__(self, base_url: str, key: str) -> None:
        self.http = httpx.Client(
            base_url=base_url, headers={"Authorization": f"Bearer {key}"}, timeout=15
        )

    def submit(self, brief: str) -> httpx.Response:
        return self.http.post("/v1/jobs", json={"brief": brief})

    def close(self) -> None:
        self.http.close()


def require(condition: bool, message: str) -> None:
    if not condition:
        raise AssertionError(message)


def job_statuses(engine: Any, job_ids: list[str]) -> dict[str, str]:
    with Session(engine) as session:
        rows = session.execute(select(Job.id, Job.status).where(Job.id.in_(job_ids)))
        return {job_id: status for job_id, status in rows}


def wait_terminal(engine: Any, job_ids: list[str], timeout_s: float) -> dict[str, str]:
    """The jobs' statuses once all are terminal, or when the time bound is over."""
    deadline = time.monotonic() + timeout_s
    while True:
        statuses = job_statuses(engine, job_ids) if job_ids else {}
        done = all(statuses.get(j) in TERMINAL for j in job_ids)
        if done or time.monotonic() > deadline:
            return statuses
        time.sleep(0.25)


# --- scenarios ------------------------------------------------------------------------


def worker_kill(cluster: Cluster, api: Api, engine: Any, tally: Tally, rounds: int) -> None:
    """SIGKILL the worker holding a job mid-render, restart it; ``rounds`` times."""
    jobs_dir = cluster.root / "data" / "jobs"
    started = time.monotonic()
    ids = []
    for round_no in range(rounds):
        response = api.submit(f"hang {round_no}")
        require(response.status_code == 202, f"submit answered {response.status_code}")
        job_id = response.json()["id"]
        tally.accept(job_id)
        ids.append(job_id)
        marker = jobs_dir / job_id / HANG_MARKER
        wait_until(f"job {job_id} to start rendering", marker.exists, 60)
        group = int(wait_until_text(marker))
        slot = next(
            (s for s, w in enumerate(cluster.workers) if w is not None and w.pid == group), None
        )
        require(slot is not None, f"no worker of ours holds job {job_id} (group {group})")
        assert slot is not None
        worker = cluster.workers[slot]
        assert worker is not None
        worker.kill()
        cluster.start_worker(slot)
    statuses = wait_terminal(engine, ids, 90)
    ok = sum(1 for j in ids if statuses.get(j) == "succeeded")
    with Session(engine) as session:
        attempts = session.execute(select(Job.attempts).where(Job.id.in_(ids))).scalars().all()
    say(
        f"worker-kill: {rounds} workers killed mid-render, {ok}/{len(ids)} jobs succeeded, "
        f"attempts {dict(Counter(attempts))}, {time.monotonic() - started:.0f} s"
    )
    require(ok == len(ids), f"worker-kill: statuses {Counter(statuses.values())}")
    require(all(a >= 2 for a in attempts), "worker-kill: a killed attempt did not count")


def wait_until_text(path: Path) -> str:
    wait_until(f"{path.name} written", lambda: path.read_text().strip() != "", 5)
    return path.read_text().strip()


def broker_restart(cluster: Cluster, api: Api, engine: Any, tally: Tally) -> None:
    """Submit jobs steadily while RabbitMQ stops and starts again."""
    answers: Counter[str] = Counter()
    ids: list[str] = []
    stop = threading.Event()

    def submit() -> None:
        n = 0
        while not stop.is_set():
            n += 1
            try:
                response = api.submit(f"broker {n}")
            except httpx.HTTPError as error:
                answers[f"error {type(error).__name__}"] += 1
                continue
            kind = response.headers.get("content-type", "")
            if response.is_success:
                answers["2xx"] += 1
                ids.append(response.json()["id"])
                tally.accept(response.json()["id"])
            elif response.status_code == 503 and kind.startswith(PROBLEM):
                answers["503 problem"] += 1
            else:
                answers[f"{response.status_code} {kind}"] += 1
            time.sleep(0.15)

    submitter = threading.Thread(target=submit)
    submitter.start()
    try:
        time.sleep(1.5)
        in_flight = Counter(job_statuses(engine, list(ids)).values())
        cluster.rabbit.stop()
        down = time.monotonic()
        say(f"broker-restart: RabbitMQ stopped with accepted jobs {dict(in_flight)}")
        time.sleep(2.0)
        took = cluster.rabbit.start()
        outage = time.monotonic() - down
        say(f"broker-restart: RabbitMQ back after {outage:.1f} s ({took:.1f} s to start)")
        time.sleep(2.0)
    finally:
        stop.set()
        submitter.join()
    statuses = wait_terminal(engine, ids, 90)
    ok = sum(1 for j in ids if statuses.get(j) == "succeeded")
    say(f"broker-restart: submissions {dict(answers)}; {ok}/{len(ids)} accepted jobs succeeded")
    require(set(answers) <= {"2xx", "503 problem"}, f"broker-restart: answers {dict(answers)}")
    require(ok == len(ids), f"broker-restart: statuses {Counter(statuses.values())}")


def database_restart(cluster: Cluster, api: Api, engine: Any, tally: Tally) -> None:
    """Restart PostgreSQL: 503 problem+json during the outage, recovered within 10 s."""
    before = []
    for n in range(4):  # in flight while the database goes away
        response = api.submit(f"database {n}")
        require(response.status_code == 202, f"submit answered {response.status_code}")
        before.append(response.json()["id"])
        tally.accept(response.json()["id"])
    time.sleep(0.3)
    in_flight = Counter(job_statuses(engine, before).values())
    cluster.postgres.stop("immediate")  # as a crash: no checkpoint, recovery on start
    say(f"database-restart: PostgreSQL stopped (immediate) with jobs {dict(in_flight)}")
    outage: Counter[str] = Counter()
    ends = time.monotonic() + 3.0
    while time.monotonic() < ends:
        for response in (api.submit("during outage"), api.http.get("/v1/jobs?limit=1")):
            kind = response.headers.get("content-type", "")
            problem = response.status_code == 503 and kind.startswith(PROBLEM)
            if response.status_code == 202:  # cannot happen with the database down
                tally.accept(response.json()["id"])
            outage["503 problem" if problem else f"{response.status_code} {kind}"] += 1
        time.sleep(0.2)
    say(f"database-restart: answers while PostgreSQL is down: {dict(outage)}")
    require(set(outage) == {"503 problem"}, f"database-restart: outage answers {dict(outage)}")
    cluster.postgres.start()
    back = time.monotonic()
    engine.dispose()  # this process's pooled connections died with the server

    def recovered() -> bool:
        try:
            response = api.http.get("/v1/jobs?limit=1", timeout=3)
        except httpx.HTTPError:
            return False
        return response.status_code == 200

    wait_until("the API to recover", recovered, 30)
    took = time.monotonic() - back
    say(f"database-restart: API answered 200 again {took:.2f} s after PostgreSQL was back")
    require(took <= 10, f"database-restart: recovery took {took:.1f} s (> 10 s)")
    response = api.submit("after outage")
    require(response.status_code == 202, f"submit after recovery answered {response.status_code}")
    before.append(response.json()["id"])
    tally.accept(response.json()["id"])
    statuses = wait_terminal(engine, before, 60)
    ok = sum(1 for j in before if statuses.get(j) == "succeeded")
    say(f"database-restart: {ok}/{len(before)} jobs around the outage succeeded")
    require(ok == len(before), f"database-restart: statuses {Counter(statuses.values())}")


def webhook_receiver(cluster: Cluster, key: str, engine: Any, tally: Tally) -> None:
    """A receiver down, then back (503 once per message, then 200): all delivered, same id."""
    from standardwebhooks import Webhook

    receiver = Receiver().start()
    receiver.close()  # down: its port refuses connections
    api = Api(cluster.base_url, key)
    try:
        created = api.http.post("/v1/webhooks", json={"url": receiver.url})
        require(created.status_code == 201, f"webhook create answered {created.status_code}")
        hook = created.json()
        ids = []
        for n in range(3):
            response = api.submit(f"webhook {n}")
            require(response.status_code == 202, f"submit answered {response.status_code}")
            ids.append(response.json()["id"])
            tally.accept(ids[-1])
        statuses = wait_terminal(engine, ids, 60)
        require(all(statuses.get(j) == "succeeded" for j in ids), f"webhook jobs: {statuses}")
        time.sleep(1.0)
        receiver.fail_first = 1
        receiver.start()  # back on the same port
        say(f"webhook-receiver: receiver back on port {receiver.port} after the jobs ended")

        def log() -> list[dict[str, Any]]:
            answer = api.http.get(f"/v1/webhooks/{hook['id']}/deliveries?limit=100")
            return list(answer.json()["items"]) if answer.status_code == 200 else []

        def settled() -> bool:
            items = log()
            return bool(items) and all(d["status"] != "pending" for d in items)

        wait_until("every webhook delivery to settle", settled, 60)
        deliveries = log()
    finally:
        api.close()
        receiver.close()
    events = Counter(d["event_type"] for d in deliveries)
    say(f"webhook-receiver: {len(deliveries)} deliveries {dict(events)}")
    require(all(d["status"] == "delivered" for d in deliveries), "webhook: not all delivered")
    for job_id in ids:
        kinds = {d["event_type"] for d in deliveries if d["job_id"] == job_id}
        require({"job.queued", "job.succeeded"} <= kinds, f"webhook: job {job_id} got {kinds}")
    verifier = Webhook(hook["secret"])
    received: dict[str, list[int]] = {}
    for request in receiver.requests:
        message_id = request.headers.get("webhook-id", "")
        received.setdefault(message_id, []).append(request.status)
        verifier.verify(request.body, request.headers)  # raises when the signature is wrong
    retried = 0
    for delivery in deliveries:
        statuses_seen = received.get(delivery["webhook_id"], [])
        refused = [a for a in delivery["attempt_log"] if a["status_code"] is None]
        require(statuses_seen[-1:] == [200], f"webhook: {delivery['webhook_id']} not received")
        require(503 in statuses_seen, f"webhook: {delivery['webhook_id']} was not retried")
        require(bool(refused), f"webhook: {delivery['webhook_id']} never met the closed port")
        retried += delivery["attempts"] >= 3
    say(
        f"webhook-receiver: every event delivered and signed; each webhook-id refused while "
        f"down, answered 503 then 200 under the same id ({retried} with >= 3 attempts)"
    )


# --- the check ------------------------------------------------------------------------


def check(engine: Any, tally: Tally) -> tuple[int, int, int]:
    """(jobs, lost, duplicated) over every accepted job."""
    ids = tally.accepted
    statuses = job_statuses(engine, ids)
    lost = sum(1 for j in ids if statuses.get(j) not in TERMINAL)
    successes = (
        select(JobEvent.job_id, func.count())
        .where(JobEvent.to_status == "succeeded", JobEvent.job_id.in_(ids))
        .group_by(JobEvent.job_id)
    )
    with Session(engine) as session:
        counted = {job_id: count for job_id, count in session.execute(successes)}
    duplicated = sum(1 for count in counted.values() if count > 1)
    unsucceeded = Counter(s for s in statuses.values() if s != "succeeded")
    if unsucceeded:
        say(f"jobs not succeeded: {dict(unsucceeded)}")
    return len(ids), lost, duplicated


def show_logs(root: Path, lines: int = 25) -> None:
    """The end of every log, on stderr: the temp folder is removed after a failure too."""
    for log in sorted(root.glob("logs/*.log")) + sorted(root.glob("*/*.log")):
        tail = log.read_text(encoding="utf-8", errors="replace").splitlines()[-lines:]
        print(f"--- {log.relative_to(root)} (last {len(tail)} lines)", file=sys.stderr)
        print("\n".join(tail), file=sys.stderr, flush=True)


def run_scenarios(cluster: Cluster, engine: Any, tally: Tally, rounds: int) -> None:
    """Every scenario in turn; a failed one is recorded in ``tally`` and the next runs."""
    key = cluster.aiprod("keys", "create", "--name", "chaos").splitlines()[-1]
    hook_key = cluster.aiprod("keys", "create", "--name", "chaos-hooks").splitlines()[-1]
    api = Api(cluster.base_url, key)
    scenarios: list[tuple[str, Callable[[], None]]] = [
        ("worker-kill", lambda: worker_kill(cluster, api, engine, tally, rounds)),
        ("broker-restart", lambda: broker_restart(cluster, api, engine, tally)),
        ("database-restart", lambda: database_restart(cluster, api, engine, tally)),
        ("webhook-receiver", lambda: webhook_receiver(cluster, hook_key, engine, tally)),
    ]
    try:
        for name, scenario in scenarios:
            began = time.monotonic()
            try:
                scenario()
                say(f"{name}: passed in {time.monotonic() - began:.0f} s")
            except Exception as error:
                tally.failures.append(name)
                say(f"{name} FAILED: {error}")
                traceback.print_exc()
    finally:
        api.close()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--rounds", type=int, default=20, help="worker kills (>= 20)")
    parser.add_argument("--keep", action="store_true", help="keep the temp folder and logs")
    options = parser.parse_args()
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # run the finally blocks
    root = Path(tempfile.mkdtemp(prefix="aiprod-chaos-"))
    root.chmod(0o755)  # the `postgres` user enters it when we are root
    tally = Tally()
    cluster: Cluster | None = None
    engine = None
    started = time.monotonic()
    failed = True
    try:
        cluster = Cluster(root, workers=2)
        cluster.start()
        engine = make_engine(cluster.postgres.url)
        run_scenarios(cluster, engine, tally, options.rounds)
        wait_terminal(engine, tally.accepted, 30)
        jobs, lost, duplicated = check(engine, tally)
        failed = bool(lost or duplicated or tally.failures)
    except BaseException:
        traceback.print_exc()
        print("chaos: aborted", flush=True)
        return 1
    finally:
        if engine is not None:
            engine.dispose()
        if cluster is not None:
            cluster.stop()
        if failed:
            show_logs(root)
        if options.keep:
            say(f"files kept in {root}")
        else:
            shutil.rmtree(root, ignore_errors=True)
    if tally.failures:
        say(f"{len(tally.failures)} scenario(s) failed: {', '.join(tally.failures)}")
    say(f"took {time.monotonic() - started:.0f} s")
    print(f"chaos: jobs={jobs} lost={lost} duplicated={duplicated}", flush=True)
    return 1 if lost or duplicated or tally.failures else 0


if __name__ == "__main__":
    sys.exit(main())
