"""Throwaway PostgreSQL and RabbitMQ on spare loopback ports, and the AIPROD processes.

Everything lives in one temporary folder and in process groups of its own, so stopping,
restarting or killing them disturbs nothing else on the machine.
"""

from __future__ import annotations

import contextlib
import os
import pwd
import random
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path


def _pg_bin() -> Path:
    """``CHAOS_PG_BIN``, else the newest ``/usr/lib/postgresql/<version>/bin`` with initdb."""
    if os.environ.get("CHAOS_PG_BIN"):
        return Path(os.environ["CHAOS_PG_BIN"])
    found = sorted(
        Path("/usr/lib/postgresql").glob("*/bin/initdb"),
        key=lambda p: int(p.parent.parent.name) if p.parent.parent.name.isdigit() else 0,
    )
    return found[-1].parent if found else Path("/usr/lib/postgresql/15/bin")


PG_BIN = _pg_bin()
RABBIT_BIN = Path("/usr/lib/rabbitmq/bin")  # the scripts themselves, not the su wrapper
CHAOS_DIR = Path(__file__).resolve().parent
_taken: set[int] = set()


def spare_port() -> int:
    """A free loopback port below 45000 (RabbitMQ's CLI uses the dist port + 10000)."""
    while True:
        port = random.randint(20000, 44999)
        if port in _taken:
            continue
        with socket.socket() as probe:
            try:
                probe.bind(("127.0.0.1", port))
            except OSError:
                continue
        _taken.add(port)
        return port


def port_open(port: int) -> bool:
    try:
        socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
    except OSError:
        return False
    return True


def wait_until(what: str, predicate: Callable[[], bool], timeout_s: float) -> float:
    """Seconds until ``predicate()`` held; RuntimeError naming ``what`` after the timeout."""
    started = time.monotonic()
    while not predicate():
        if time.monotonic() - started > timeout_s:
            raise RuntimeError(f"timed out after {timeout_s:.0f} s waiting for {what}")
        time.sleep(0.05)
    return time.monotonic() - started


def kill_group(process: subprocess.Popen[bytes], sig: int = signal.SIGKILL) -> None:
    """Signal a process started with ``start_new_session`` and everything it started."""
    if process.poll() is None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, sig)
    try:
        process.wait(15)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait(5)


class Postgres:
    """A PostgreSQL cluster of its own (trust auth) in ``root``; as `postgres` when root."""

    def __init__(self, root: Path) -> None:
        self.root, self.port = root, spare_port()
        self.data, self.log = root / "data", root / "postgres.log"
        self.as_user: list[str] = []
        root.mkdir(parents=True)
        if os.geteuid() == 0:  # initdb refuses root
            self.as_user = ["runuser", "-u", "postgres", "--"]
            user = pwd.getpwnam("postgres")
            os.chown(root, user.pw_uid, user.pw_gid)
        self._run("initdb", "-D", str(self.data), "-A", "trust", "-U", "postgres", "--no-sync")

    @property
    def url(self) -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/postgres?connect_timeout=3"

    def _run(self, tool: str, *args: str) -> None:
        command = [*self.as_user, str(PG_BIN / tool), *args]
        done = subprocess.run(command, capture_output=True, cwd=self.root, check=False)
        if done.returncode != 0:
            output = (done.stdout + done.stderr).decode(errors="replace")[-2000:]
            raise RuntimeError(f"{tool} {' '.join(args[:2])} failed: {output}")

    def start(self) -> float:
        options = f"-p {self.port} -k {self.root} -c listen_addresses=127.0.0.1 -c fsync=off"
        started = time.monotonic()
        self._run("pg_ctl", "-D", str(self.data), "-l", str(self.log), "-o", options, "-w", "start")
        wait_until("PostgreSQL", lambda: port_open(self.port), 30)
        return time.monotonic() - started

    def stop(self, mode: str = "fast") -> None:
        self._run("pg_ctl", "-D", str(self.data), "-m", mode, "-w", "stop")

    def cleanup(self) -> None:
        with contextlib.suppress(RuntimeError, OSError):
            self.stop("immediate")
        pid_file = self.data / "postmaster.pid"
        if pid_file.exists():  # pg_ctl could not stop it
            with contextlib.suppress(ValueError, OSError):
                os.kill(int(pid_file.read_text().split()[0]), signal.SIGKILL)


class RabbitMQ:
    """A RabbitMQ node of its own: name, ports, epmd, Erlang cookie, files and no plugins."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.port, self.dist_port, self.epmd_port = spare_port(), spare_port(), spare_port()
        self.node = f"chaos-{secrets.token_hex(4)}@localhost"
        self.process: subprocess.Popen[bytes] | None = None
        home = root / "home"
        for folder in (home, root / "mnesia", root / "log"):
            folder.mkdir(parents=True)
        cookie = home / ".erlang.cookie"
        cookie.write_text(secrets.token_hex(16), encoding="ascii")
        cookie.chmod(0o600)
        (root / "enabled_plugins").write_text("[].\n", encoding="ascii")
        (root / "rabbitmq.conf").write_text(
            f"listeners.tcp.default = 127.0.0.1:{self.port}\n", encoding="ascii"
        )
        self.env = {
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
            "HOME": str(home),
            "ERL_EPMD_PORT": str(self.epmd_port),
            "ERL_EPMD_ADDRESS": "127.0.0.1",
            "RABBITMQ_NODENAME": self.node,
            "RABBITMQ_NODE_IP_ADDRESS": "127.0.0.1",
            "RABBITMQ_NODE_PORT": str(self.port),
            "RABBITMQ_DIST_PORT": str(self.dist_port),
            "RABBITMQ_MNESIA_BASE": str(root / "mnesia"),
            "RABBITMQ_LOG_BASE": str(root / "log"),
            "RABBITMQ_CONFIG_FILE": str(root / "rabbitmq.conf"),
            "RABBITMQ_ENABLED_PLUGINS_FILE": str(root / "enabled_plugins"),
        }

    @property
    def url(self) -> str:
        return f"amqp://guest:guest@127.0.0.1:{self.port}//"

    def _tool(self, name: str) -> str:
        found = RABBIT_BIN / name
        return str(found) if found.exists() else shutil.which(name) or name

    def start(self) -> float:
        started = time.monotonic()
        with (self.root / "server.log").open("ab") as log:
            self.process = subprocess.Popen(
                [self._tool("rabbitmq-server")],
                env=self.env,
                cwd=self.root,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        wait_until("RabbitMQ", lambda: port_open(self.port) or self._exited(), 90)
        if self._exited():
            tail = (self.root / "server.log").read_text(errors="replace")[-2000:]
            raise RuntimeError(f"RabbitMQ exited while starting:\n{tail}")
        return time.monotonic() - started

    def _exited(self) -> bool:
        return self.process is not None and self.process.poll() is not None

    def stop(self) -> None:
        """``rabbitmqctl stop``: a clean node shutdown, then its process group is gone."""
        subprocess.run(
            [self._tool("rabbitmqctl"), "-n", self.node, "stop"],
            env=self.env,
            cwd=self.root,
            capture_output=True,
            timeout=60,
            check=False,
        )
        if self.process is not None:
            kill_group(self.process, signal.SIGTERM)
            self.process = None

    def cleanup(self) -> None:
        with contextlib.suppress(OSError, subprocess.SubprocessError):
            if self.process is not None and self.process.poll() is None:
                self.stop()
        if self.process is not None:
            kill_group(self.process)
        epmd = shutil.which("epmd") or "/usr/bin/epmd"
        with contextlib.suppress(OSError, subprocess.SubprocessError):  # the node's own epmd
            subprocess.run(
                [epmd, "-port", str(self.epmd_port), "-kill"],
                env=self.env,
                capture_output=True,
                timeout=10,
                check=False,
            )


class Process:
    """An `aiprod` command in its own process group, logging to a file."""

    def __init__(self, args: Sequence[str], env: dict[str, str], log_path: Path) -> None:
        self.log_path = log_path
        with log_path.open("ab") as log:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "aiprod", *args],
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )

    @property
    def pid(self) -> int:
        return self.process.pid

    def log(self) -> str:
        return self.log_path.read_text(encoding="utf-8", errors="replace")

    def kill(self) -> None:
        kill_group(self.process)

    def stop(self) -> None:
        kill_group(self.process, signal.SIGTERM)


def aiprod_env(**settings: str) -> dict[str, str]:
    """The environment of an AIPROD process: only what it needs, and ``chaos/`` importable."""
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": os.environ.get("HOME", "/tmp"),
        "PYTHONPATH": str(CHAOS_DIR),
    }
    env.update({f"AIPROD_{name.upper()}": value for name, value in settings.items()})
    return env
