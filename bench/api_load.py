"""API load benchmark: job creation and job reads against ``aiprod serve`` on PostgreSQL.

Creates a throwaway PostgreSQL database (``AIPROD_BENCH_PG_DSN``, default the local
``postgres`` superuser on 127.0.0.1:5432), migrates it with ``aiprod db upgrade``, creates an
API key with ``aiprod keys create``, starts ``aiprod serve --no-worker`` on a free loopback
port and drives it from a second process, ``wrk`` (C, one thread, a fixed number of
keep-alive connections, a small Lua script), so the load generator takes little of the
CPU it shares with the server. Phases: a warm-up, N seconds of ``POST /v1/jobs`` (a small
brief, a unique ``Idempotency-Key`` per request), then N seconds of ``GET /v1/jobs/{id}``
over the jobs just created. Every non-2xx answer, timeout or socket error is an error.

The phases run twice in one run, one server after the other on the same database: first
against the API alone (``AIPROD_STUDIO_ENABLED=false``), then against the served app with
the web studio beside it (the default), so the studio's cost on the API's hot path is
measured on the same machine at the same moment; the last lines give both medians and
their ratio (``studio/api``, 1.00 = no cost).

Each phase runs ``--rounds`` times (our machines are shared: one round can land on a busy
moment) and each round prints ``requests errors rps p50_ms p99_ms`` and the CPU seconds
used by the generator, the server processes, PostgreSQL and the whole machine, so the
generator's share is known (PostgreSQL's figure counts every backend: other clients of the
server too). The last line gives the median round of each phase and the range over the
rounds: ``create_rps=… create_p99_ms=… read_rps=… read_p99_ms=…``, then whether the
median meets the target.
Targets (issue 4), on 2 cores with the generator on the same machine: creation ≥ 500 req/s
with p99 ≤ 100 ms, reads ≥ 1,500 req/s with p99 ≤ 50 ms.

Run: ``make bench`` or ``.venv/bin/python bench/api_load.py [--seconds 10]
[--connections 16] [--http-workers 2] [--only api|studio] [-- extra aiprod serve
options]``. Needs ``wrk`` (Debian package, installed by ``make system-deps``) and a
reachable PostgreSQL.
"""

from __future__ import annotations

import argparse
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

import psycopg

DEFAULT_DSN = "host=127.0.0.1 port=5432 user=postgres password=postgres"
BRIEF = '{"brief": "A 20 second teaser for a calm weekly planner app, friendly tone."}'
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")
# the apps compared, in the order they run: AIPROD_STUDIO_ENABLED of each
APPS = {"api": "false", "studio": "true"}

# Shared by both Lua scripts: wrk calls done() once, in its main thread, with the totals.
LUA_DONE = """
function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format("RESULT requests=%d errors=%d status_errors=%d duration_us=%d "
    .. "p50_us=%d p99_us=%d\\n", summary.requests,
    e.connect + e.read + e.write + e.status + e.timeout, e.status,
    summary.duration, latency:percentile(50), latency:percentile(99)))
end
"""

CREATE_LUA = (
    """
local counter, prefix = 0, "x"
function init(args)
  wrk.method = "POST"
  wrk.body = args[2]
  wrk.headers["Content-Type"] = "application/json"
  wrk.headers["Authorization"] = "Bearer " .. args[1]
  prefix = args[3] .. "-" .. tostring(math.random(1, 2147483647)) .. "-"
end
function request()
  counter = counter + 1
  wrk.headers["Idempotency-Key"] = prefix .. counter
  return wrk.format()
end
"""
    + LUA_DONE
)

READ_LUA = (
    """
local ids, index = {}, 0
function init(args)
  wrk.headers["Authorization"] = "Bearer " .. args[1]
  for line in io.lines(args[2]) do ids[#ids + 1] = "/v1/jobs/" .. line end
  index = math.random(1, #ids)
end
function request()
  index = index % #ids + 1
  return wrk.format("GET", ids[index])
end
"""
    + LUA_DONE
)


@dataclass(frozen=True)
class PhaseResult:
    """What one wrk run measured, and the CPU time each party spent meanwhile."""

    name: str
    requests: int
    errors: int
    seconds: float
    p50_ms: float
    p99_ms: float
    generator_cpu_s: float
    server_cpu_s: float
    machine_cpu_s: float
    database_cpu_s: float

    @property
    def rps(self) -> float:
        """Requests answered per second (errors included: they are reported apart)."""
        return self.requests / self.seconds if self.seconds else 0.0

    def line(self) -> str:
        """The phase's figures on one line."""
        return (
            f"{self.name}: requests={self.requests} errors={self.errors} rps={self.rps:.0f} "
            f"p50_ms={self.p50_ms:.1f} p99_ms={self.p99_ms:.1f} | cpu over {self.seconds:.1f} s: "
            f"generator={self.generator_cpu_s:.2f} s ({self.generator_cpu_s / self.seconds:.0%} "
            f"of a core) server={self.server_cpu_s:.2f} s "
            f"({1000 * self.server_cpu_s / max(1, self.requests):.2f} ms/request) "
            f"postgres={self.database_cpu_s:.2f} s "
            f"({1000 * self.database_cpu_s / max(1, self.requests):.2f} ms/request) "
            f"machine={self.machine_cpu_s:.2f} s"
        )


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=10.0, help="length of each phase")
    parser.add_argument("--warmup", type=float, default=3.0, help="warm-up seconds")
    parser.add_argument("--rounds", type=int, default=3, help="rounds of each phase")
    parser.add_argument("--connections", type=int, default=16, help="concurrent connections")
    parser.add_argument(
        "--http-workers", type=int, default=2, help="API processes (aiprod serve option)"
    )
    parser.add_argument(
        "--only",
        choices=sorted(APPS),
        help="measure one app only: the API alone, or with the studio (default: both)",
    )
    parser.add_argument("serve_options", nargs="*", help="more 'aiprod serve' options")
    return parser.parse_args(argv)


def pg_url(dsn: str, dbname: str) -> str:
    """A SQLAlchemy URL for database ``dbname`` on the server ``dsn`` points at."""
    params = psycopg.conninfo.conninfo_to_dict(dsn)
    user, password = params.get("user", "postgres"), params.get("password")
    login = f"{user}:{quote(str(password), safe='')}" if password else str(user)
    return (
        f"postgresql+psycopg://{login}@{params.get('host')}:{params.get('port') or 5432}/{dbname}"
    )


@contextmanager
def throwaway_database(dsn: str) -> Iterator[str]:
    """A fresh database, dropped (even while connected to) on the way out."""
    name = f"aiprod_bench_{secrets.token_hex(6)}"
    with psycopg.connect(dsn, dbname="postgres", autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        yield name
    finally:
        with psycopg.connect(dsn, dbname="postgres", autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def aiprod(env: dict[str, str], *args: str) -> str:
    """Run an ``aiprod`` command to completion; its stdout."""
    done = subprocess.run(
        [sys.executable, "-m", "aiprod", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    if done.returncode != 0:
        raise SystemExit(f"aiprod {' '.join(args)} failed:\n{done.stderr}")
    return done.stdout.strip()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_ready(base: str, server: subprocess.Popen[bytes], timeout_s: float = 60) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit(f"the server exited with code {server.returncode}")
        try:
            with urllib.request.urlopen(f"{base}/ready", timeout=2) as answer:
                if answer.status == 200:
                    return
        except OSError:
            pass
        time.sleep(0.2)
    raise SystemExit("the server did not become ready in time")


def process_tree_cpu(pid: int) -> float:
    """CPU seconds (user + system) used so far by ``pid`` and its live descendants."""
    total, pending = 0.0, [pid]
    while pending:
        current = pending.pop()
        try:
            fields = Path(f"/proc/{current}/stat").read_text().rsplit(")", 1)[1].split()
            children = Path(f"/proc/{current}/task/{current}/children").read_text().split()
        except OSError:
            continue
        total += (int(fields[11]) + int(fields[12])) / CLOCK_TICKS
        pending.extend(int(child) for child in children)
    return total


def postgres_cpu() -> float:
    """CPU seconds used so far by every live PostgreSQL process (server and backends)."""
    total = 0.0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            text = stat.read_text()
        except OSError:
            continue
        if "(postgres)" in text:
            fields = text.rsplit(")", 1)[1].split()
            total += (int(fields[11]) + int(fields[12])) / CLOCK_TICKS
    return total


def machine_cpu() -> float:
    """CPU seconds every core spent busy since boot (all but idle and iowait)."""
    values = [int(v) for v in Path("/proc/stat").read_text().split("\n")[0].split()[1:]]
    return (sum(values) - values[3] - values[4]) / CLOCK_TICKS


def run_wrk(
    name: str, script: Path, url: str, args: list[str], seconds: float, connections: int, pid: int
) -> PhaseResult:
    """One wrk run; its figures and the CPU spent by wrk, the server and the machine."""
    command = ["wrk", "-t1", f"-c{connections}", f"-d{max(1, round(seconds))}s", "--timeout", "5s"]
    before = (os.times(), process_tree_cpu(pid), machine_cpu(), postgres_cpu())
    done = subprocess.run(
        [*command, "-s", str(script), url, "--", *args], capture_output=True, text=True, check=False
    )
    after = (os.times(), process_tree_cpu(pid), machine_cpu(), postgres_cpu())
    result = next((ln for ln in done.stdout.splitlines() if ln.startswith("RESULT ")), None)
    if done.returncode != 0 or result is None:
        raise SystemExit(f"wrk failed:\n{done.stdout}\n{done.stderr}")
    values = {k: int(v) for k, v in (item.split("=") for item in result.split()[1:])}
    generator = (after[0].children_user + after[0].children_system) - (
        before[0].children_user + before[0].children_system
    )
    return PhaseResult(
        name=name,
        requests=values["requests"],
        errors=values["errors"],
        seconds=values["duration_us"] / 1e6,
        p50_ms=values["p50_us"] / 1000,
        p99_ms=values["p99_us"] / 1000,
        generator_cpu_s=generator,
        server_cpu_s=after[1] - before[1],
        machine_cpu_s=after[2] - before[2],
        database_cpu_s=after[3] - before[3],
    )


@contextmanager
def running_server(env: dict[str, str], options: list[str], log: Path) -> Iterator[tuple[str, int]]:
    """``aiprod serve --no-worker`` on a free port; its base URL and pid; SIGTERM at the end."""
    port = free_port()
    command = [sys.executable, "-m", "aiprod", "serve", "--no-worker", "--port", str(port)]
    with log.open("wb") as sink:
        server = subprocess.Popen([*command, *options], env=env, stdout=sink, stderr=sink)
    base = f"http://127.0.0.1:{port}"
    try:
        wait_ready(base, server)
        yield base, server.pid
    finally:
        server.send_signal(signal.SIGTERM)
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


def job_ids(dsn: str, dbname: str, path: Path) -> int:
    """Write the ids of every created job to ``path``, one a line; how many."""
    with psycopg.connect(dsn, dbname=dbname) as conn:
        ids = [row[0] for row in conn.execute("SELECT id FROM jobs")]
    path.write_text("".join(f"{job_id}\n" for job_id in ids), encoding="utf-8")
    return len(ids)


@dataclass(frozen=True)
class AppResult:
    """One app's phases: every round, and the median round of each phase."""

    name: str
    creates: list[PhaseResult]
    reads: list[PhaseResult]

    @property
    def create(self) -> PhaseResult:
        return median_round(self.creates)

    @property
    def read(self) -> PhaseResult:
        return median_round(self.reads)

    @property
    def errors(self) -> int:
        return sum(r.errors for r in [*self.creates, *self.reads])

    def summary(self) -> str:
        creates, reads = self.creates, self.reads
        return (
            f"{self.name}: create_rps={self.create.rps:.0f} ({spread(creates, 'rps')}) "
            f"create_p99_ms={self.create.p99_ms:.1f} ({spread(creates, 'p99_ms')}) "
            f"read_rps={self.read.rps:.0f} ({spread(reads, 'rps')}) "
            f"read_p99_ms={self.read.p99_ms:.1f} ({spread(reads, 'p99_ms')}) errors={self.errors}"
        )

    def targets(self) -> str:
        create_ok = self.create.rps >= 500 and self.create.p99_ms <= 100
        read_ok = self.read.rps >= 1500 and self.read.p99_ms <= 50
        return (
            f"{self.name} targets (median round): creation >= 500 req/s, p99 <= 100 ms: "
            f"{'met' if create_ok else 'MISSED'}; reads >= 1500 req/s, p99 <= 50 ms: "
            f"{'met' if read_ok else 'MISSED'}"
        )


def ratio_line(api: AppResult, studio: AppResult) -> str:
    """The studio app's medians over the API's: 1.00 means the studio costs nothing."""

    def ratio(with_studio: float, alone: float) -> str:
        return f"{with_studio / alone:.2f}" if alone else "n/a"

    return (
        f"studio/api: create_rps={ratio(studio.create.rps, api.create.rps)} "
        f"create_p99_ms={ratio(studio.create.p99_ms, api.create.p99_ms)} "
        f"read_rps={ratio(studio.read.rps, api.read.rps)} "
        f"read_p99_ms={ratio(studio.read.p99_ms, api.read.p99_ms)}"
    )


def check_studio(base: str, served: bool) -> None:
    """SystemExit unless ``/studio/sign-in`` is served exactly when the studio should be."""
    try:
        with urllib.request.urlopen(f"{base}/studio/sign-in", timeout=5) as answer:
            status = answer.status
    except urllib.error.HTTPError as error:
        status = error.code
    if (status == 200) != served:
        raise SystemExit(f"/studio/sign-in answered {status} with the studio {served=}")


def measure(
    name: str,
    env: dict[str, str],
    options: argparse.Namespace,
    key: str,
    work: Path,
    database: tuple[str, str],
) -> AppResult:
    """The creation, then the read phases against one app."""
    create_lua, read_lua, ids_file = work / "create.lua", work / "read.lua", work / "ids.txt"
    create_lua.write_text(CREATE_LUA, encoding="utf-8")
    read_lua.write_text(READ_LUA, encoding="utf-8")
    serve_options = [*options.serve_options, "--http-workers", str(options.http_workers)]
    conns = options.connections
    env = {**env, "AIPROD_STUDIO_ENABLED": APPS[name]}
    print(f"-- {name}: AIPROD_STUDIO_ENABLED={APPS[name]}", flush=True)
    with running_server(env, serve_options, work / f"serve-{name}.log") as (base, pid):
        check_studio(base, served=APPS[name] == "true")
        url = f"{base}/v1/jobs"
        run_wrk("warmup", create_lua, url, [key, BRIEF, f"{name}-warm"], options.warmup, conns, pid)
        creates = []
        for n in range(options.rounds):
            args = [key, BRIEF, f"{name}-run{n}"]
            creates.append(run_wrk("create", create_lua, url, args, options.seconds, conns, pid))
            print(creates[-1].line(), flush=True)
        print(f"jobs in the database: {job_ids(*database, ids_file)}", flush=True)
        read_args = [key, str(ids_file)]
        run_wrk("warmup", read_lua, base, read_args, options.warmup, conns, pid)
        reads = []
        for _ in range(options.rounds):
            reads.append(run_wrk("read", read_lua, base, read_args, options.seconds, conns, pid))
            print(reads[-1].line(), flush=True)
    return AppResult(name, creates, reads)


def benchmark(options: argparse.Namespace, dsn: str, dbname: str, work: Path) -> None:
    env = {
        **os.environ,
        "AIPROD_DATABASE_URL": pg_url(dsn, dbname),
        "AIPROD_DATA_DIR": str(work / "data"),
        "AIPROD_RATE_LIMIT_ENABLED": "false",  # measure the API, not its throttle
    }
    aiprod(env, "db", "upgrade")
    key = aiprod(env, "keys", "create", "--name", "bench")
    names = [options.only] if options.only else list(APPS)
    results = [measure(name, env, options, key, work, (dsn, dbname)) for name in names]
    for result in results:
        print(result.summary())
    for result in results:
        print(result.targets())
    if len(results) == 2:
        print(ratio_line(*results))


def median_round(rounds: list[PhaseResult]) -> PhaseResult:
    """The round with the median throughput."""
    return sorted(rounds, key=lambda r: r.rps)[len(rounds) // 2]


def spread(rounds: list[PhaseResult], field: str) -> str:
    """``min-max`` of a figure over the rounds."""
    values = [r.rps if field == "rps" else getattr(r, field) for r in rounds]
    return f"{min(values):.0f}-{max(values):.0f}"


def main(argv: list[str] | None = None) -> None:
    options = parse_args(argv)
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is not installed: run 'make system-deps' (Debian package wrk)")
    dsn = os.environ.get("AIPROD_BENCH_PG_DSN", DEFAULT_DSN)
    print(
        f"cores={os.cpu_count()} load_avg={os.getloadavg()[0]:.2f} seconds={options.seconds} "
        f"connections={options.connections} serve_options={options.serve_options} "
        f"http_workers={options.http_workers}",
        flush=True,
    )
    with tempfile.TemporaryDirectory(prefix="aiprod-bench-") as tmp, throwaway_database(dsn) as db:
        benchmark(options, dsn, db, Path(tmp))


if __name__ == "__main__":
    main()
