"""Job and webhook counts read from the database at each scrape (one short session).

    aiprod_jobs{state}, aiprod_queue_depth{queue="queued"|"runnable"}, aiprod_database_up,
    aiprod_lease_expiries_total, aiprod_job_retries_total{cause},
    aiprod_jobs_finished_total{state}, aiprod_webhook_deliveries{status},
    aiprod_webhook_attempts_total{outcome}

Exact however many API and worker processes run, because the tables are the record.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Final

from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric
from prometheus_client.registry import Collector
from sqlalchemy import Engine, and_, func, or_, select
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from aiprod.db.base import utcnow
from aiprod.jobs.models import Job, JobEvent
from aiprod.jobs.policy import TERMINAL, JobStatus
from aiprod.observability.metrics import host_registry

CONTENT_TYPE: Final = CONTENT_TYPE_LATEST
RETRY_CAUSES: Final = ("failed", "lease_expired", "retried")  # reasons of a move back to queued


def exposition(*, engine: Engine | None) -> bytes:
    """Every metric in Prometheus text format: this host's samples plus the database's.

    In multiprocess mode the samples of every process writing to this process's folder
    (``PROMETHEUS_MULTIPROC_DIR``, read by the library) are summed.
    """
    registry = host_registry()
    if engine is not None:
        registry.register(DatabaseCollector(engine))
    return generate_latest(registry)


class DatabaseCollector(Collector):
    """Job states, queue depth, lease expiries, retries, finished jobs: counted at scrape.

    Exact across any number of API and worker processes, because the job table is the
    record. A database outage gives ``aiprod_database_up 0`` and no job metrics.
    """

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def collect(self) -> Iterator[Metric]:
        """Run the counting queries in one short session."""
        up = GaugeMetricFamily("aiprod_database_up", "1 when the job database answered /metrics")
        try:
            with Session(self.engine) as session:
                families = list(_job_families(session)) + list(_event_families(session))
        except SQLAlchemyError:
            up.add_metric([], 0.0)
            yield up
            return
        up.add_metric([], 1.0)
        yield up
        yield from families
        try:  # a separate session: a failure here must not hide the job metrics
            with Session(self.engine) as session:
                yield from list(_webhook_families(session))
        except SQLAlchemyError:
            return


def _job_families(session: Session) -> Iterator[Metric]:
    counts = dict(session.execute(select(Job.status, func.count()).group_by(Job.status)).all())
    jobs = GaugeMetricFamily("aiprod_jobs", "Jobs by state", labels=["state"])
    for state in JobStatus:
        jobs.add_metric([state.value], float(counts.get(state.value, 0)))
    yield jobs
    queued = JobStatus.QUEUED.value
    runnable_query = select(func.count()).where(Job.status == queued, Job.run_after <= utcnow())
    runnable = session.scalar(runnable_query) or 0
    depth = GaugeMetricFamily(
        "aiprod_queue_depth",
        "Queued jobs; runnable: those whose retry backoff has passed",
        labels=["queue"],
    )
    depth.add_metric(["queued"], float(counts.get(queued, 0)))
    depth.add_metric(["runnable"], float(runnable))
    yield depth


def _event_families(session: Session) -> Iterator[Metric]:
    terminal = sorted(s.value for s in TERMINAL)
    query = (
        select(JobEvent.reason, JobEvent.to_status, func.count())
        .where(
            or_(
                JobEvent.reason == "lease_expired",
                and_(JobEvent.to_status == "queued", JobEvent.reason.in_(RETRY_CAUSES)),
                JobEvent.to_status.in_(terminal),
            )
        )
        .group_by(JobEvent.reason, JobEvent.to_status)
    )
    rows = [(str(reason), str(to), int(n)) for reason, to, n in session.execute(query).all()]
    expiries = CounterMetricFamily(
        "aiprod_lease_expiries", "Attempts whose worker stopped heartbeating (reaped)"
    )
    expiries.add_metric([], float(sum(n for reason, _, n in rows if reason == "lease_expired")))
    yield expiries
    retries = CounterMetricFamily(
        "aiprod_job_retries", "Jobs sent back to the queue, by cause", labels=["cause"]
    )
    for cause in RETRY_CAUSES:
        count = sum(n for reason, to, n in rows if reason == cause and to == "queued")
        retries.add_metric([cause], float(count))
    yield retries
    finished = CounterMetricFamily(
        "aiprod_jobs_finished", "Jobs that reached a final state", labels=["state"]
    )
    for state in terminal:
        finished.add_metric([state], float(sum(n for _, to, n in rows if to == state)))
    yield finished


def _webhook_families(session: Session) -> Iterator[Metric]:
    from aiprod.webhooks.models import DeliveryStatus, WebhookAttempt, WebhookDelivery

    by_status = dict(
        session.execute(
            select(WebhookDelivery.status, func.count()).group_by(WebhookDelivery.status)
        ).all()
    )
    deliveries = GaugeMetricFamily(
        "aiprod_webhook_deliveries",
        "Webhook deliveries (one event for one target) by status",
        labels=["status"],
    )
    for status in DeliveryStatus:
        deliveries.add_metric([status.value], float(by_status.get(status.value, 0)))
    yield deliveries
    success = WebhookAttempt.status_code.between(200, 299)
    ok = session.scalar(select(func.count()).where(success)) or 0
    total = session.scalar(select(func.count()).select_from(WebhookAttempt)) or 0
    attempts = CounterMetricFamily(
        "aiprod_webhook_attempts",
        "Webhook sends; error: no 2xx answer (refused target, timeout, 4xx/5xx)",
        labels=["outcome"],
    )
    attempts.add_metric(["success"], float(ok))
    attempts.add_metric(["error"], float(total - ok))
    yield attempts
