"""A job's manifest repeats the job's stored cost estimate, through the real worker and the
real pipeline: the renderer does not price the render again (its throughput figures may have
moved since the job was priced, and the estimate shown must be the one the client saw)."""

from __future__ import annotations

import json

from render_worker import RenderWorkerSetup, settled_job
from test_render_stages import SPEC

from aiprod.db.engine import make_session_factory
from aiprod.jobs.runner import spec_from_request
from aiprod.jobs.store import create_job
from aiprod.jobs.worker import WorkerPool
from aiprod.pipeline.cost import ThroughputStore, workload_for
from aiprod.pipeline.request import estimate_cost


def test_the_manifest_estimate_is_the_jobs_stored_estimate(
    render_worker_setup: RenderWorkerSetup,
) -> None:
    setup = render_worker_setup
    settings = setup.settings.model_copy(update={"compute_rate_per_hour": 0.9})
    request = {"spec": {"preset": "tiny", **SPEC}}
    spec, preset = spec_from_request(request, settings)
    stored = estimate_cost(spec, preset, settings).to_dict()  # as priced at submission
    # then the machine learns it is slower than it thought: a new pricing would differ
    work = workload_for(spec, preset, planned=False)
    ThroughputStore(settings.throughput_file).record(work, {"compose": 60.0, "qa": 30.0})
    assert estimate_cost(spec, preset, settings).to_dict() != stored
    url, engine = setup.url, setup.engine
    with make_session_factory(engine)() as session:
        job = create_job(session, owner="ana", kind="spec", request=request, preset=None,
                         cost_estimate=stored)  # fmt: skip
        session.commit()
        job_id = job.id
    fast = {"lease_seconds": 5.0, "heartbeat_seconds": 0.3, "idle_sleep_s": 0.1}
    with WorkerPool(url, settings=settings, processes=1, **fast):
        found = settled_job(engine, job_id)
        status, kept = found.status, found.cost_estimate
    assert status == "succeeded" and kept == stored
    manifest = json.loads((settings.data_dir / "jobs" / job_id / "manifest.json").read_text())
    assert manifest["cost"]["estimate"] == stored
    assert manifest["cost"]["actual"]["currency"] == stored["currency"]
