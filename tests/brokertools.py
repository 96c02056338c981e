"""The machine's RabbitMQ (from ``make services``) for tests: its URL and a reachability check.

Unreachable RabbitMQ skips on a laptop but fails when ``CI`` is set. The ``broker_queue``
fixture (tests/conftest.py) gives a test its own queue and deletes it afterwards.
"""

from __future__ import annotations

import os

import pytest
from kombu import Connection

BROKER = "amqp://guest:guest@127.0.0.1:5672//"


def require_rabbitmq() -> None:
    try:
        with Connection(BROKER, connect_timeout=3) as connection:
            connection.connect()
    except OSError as error:
        if os.environ.get("CI"):
            pytest.fail(f"RabbitMQ is required in CI and unreachable: {error}")
        pytest.skip(f"RabbitMQ unreachable: {error}")
