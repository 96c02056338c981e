"""Run the `aiprod` CLI as a user would: a fresh process, a clean environment."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Mapping
from pathlib import Path


def run_aiprod(
    *args: str,
    data_dir: Path,
    extra_env: Mapping[str, str] | None = None,
    timeout: float = 300,
) -> subprocess.CompletedProcess[str]:
    env = {"AIPROD_DATA_DIR": str(data_dir), "PATH": "/usr/bin:/bin", **(extra_env or {})}
    return subprocess.run(
        [sys.executable, "-m", "aiprod", *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=timeout,
        check=False,
    )
