"""Structured logs: structlog in front of stdlib logging, so uvicorn and our modules agree.

One line per event. ``json``: ``{"timestamp", "level", "logger", "event", ...}`` plus
``request_id`` (bound by the HTTP middleware), ``job_id`` (bound by the worker) and
``trace_id``/``span_id`` of the current span. ``console``: the same fields for humans.

Secrets never reach a handler: values of secret-looking keys are replaced, and bearer
tokens, API keys and URL signatures inside messages are masked.
"""

from __future__ import annotations

import logging
import re
import sys
from typing import Any, Final, TextIO

import structlog
from structlog.typing import EventDict, Processor, WrappedLogger

from aiprod.config import Settings
from aiprod.observability.tracing import current_trace_ids

REDACTED: Final = "[redacted]"
SECRET_KEYS: Final = re.compile(
    r"authorization|cookie|password|passwd|secret|token|api_?key|signature|credential",
    re.IGNORECASE,
)
SECRET_TEXT: Final = re.compile(
    r"(?P<head>\bBearer\s+|\bBasic\s+|[?&]signature=|\baip_[A-Za-z0-9]+_)(?P<secret>[^\s&\"']+)",
    re.IGNORECASE,
)
_HANDLER_FLAG: Final = "_aiprod_handler"


def redact_secrets(_logger: WrappedLogger, _method: str, event_dict: EventDict) -> EventDict:
    """Mask secret-looking fields and secrets embedded in text."""
    for key, value in list(event_dict.items()):
        if key != "event" and SECRET_KEYS.search(key):
            event_dict[key] = REDACTED
        elif isinstance(value, str):
            event_dict[key] = SECRET_TEXT.sub(lambda m: m.group("head") + REDACTED, value)
    return event_dict


def add_trace_ids(_logger: WrappedLogger, _method: str, event_dict: EventDict) -> EventDict:
    """Add the current span's ``trace_id`` and ``span_id``, when a span is current."""
    for key, value in current_trace_ids().items():
        event_dict.setdefault(key, value)
    return event_dict


def _shared_processors() -> list[Processor]:
    return [
        structlog.contextvars.merge_contextvars,
        structlog.stdlib.add_log_level,
        structlog.stdlib.add_logger_name,
        structlog.stdlib.ExtraAdder(),
        structlog.processors.TimeStamper(fmt="iso", utc=True),
        add_trace_ids,
        redact_secrets,
    ]


def configure_logging(settings: Settings, *, stream: TextIO | None = None) -> None:
    """Route every logger of this process through one handler in the configured format."""
    shared = _shared_processors()
    renderer: Processor
    if settings.log_format == "json":
        renderer = structlog.processors.JSONRenderer()
        shared.append(structlog.processors.format_exc_info)
    else:
        renderer = structlog.dev.ConsoleRenderer(colors=False)
    structlog.configure(
        processors=[*shared, structlog.stdlib.ProcessorFormatter.wrap_for_formatter],
        logger_factory=structlog.stdlib.LoggerFactory(),
        wrapper_class=structlog.stdlib.BoundLogger,
        cache_logger_on_first_use=False,
    )
    formatter = structlog.stdlib.ProcessorFormatter(
        foreign_pre_chain=shared,
        processors=[structlog.stdlib.ProcessorFormatter.remove_processors_meta, renderer],
    )
    handler = logging.StreamHandler(stream or sys.stderr)
    handler.setFormatter(formatter)
    setattr(handler, _HANDLER_FLAG, True)
    root = logging.getLogger()
    for old in [h for h in root.handlers if getattr(h, _HANDLER_FLAG, False)]:
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(settings.log_level)
    for name in ("uvicorn", "uvicorn.error", "uvicorn.access"):
        logger = logging.getLogger(name)
        logger.handlers.clear()  # uvicorn's own format: ours instead
        # uvicorn writes its access log when the logger has a handler, here or above: so
        # without ``access_log`` it has none (else every request is a line, even with
        # ``--no-access-log``, in each HTTP worker process, which logs in our format)
        logger.propagate = name != "uvicorn.access" or settings.access_log
        logger.disabled = False  # a dictConfig elsewhere may have disabled it
        logger.setLevel(logging.NOTSET)  # the root's level decides


def get_logger(name: str) -> Any:
    """A structlog logger named ``name`` (events go through the configured handler)."""
    return structlog.stdlib.get_logger(name)
