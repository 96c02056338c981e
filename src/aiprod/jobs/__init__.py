"""Jobs: the durable job table, the queue primitives workers build on, and the job services.

    policy.py    statuses, allowed transitions, retry backoff (pure)
    models.py    ``Job``, ``Batch`` and ``JobEvent`` tables (``Base`` and column types: aiprod.db)
    store.py     submit and cancel jobs; re-exports the lease operations below
    leases.py    claim, heartbeat, progress, complete, fail, release (fenced by lease token)
    reaper.py    re-queue jobs whose lease expired
    errors.py    ``LeaseLost``, ``InvalidTransition`` (database errors: aiprod.db.errors)
    listeners.py other domains' hooks on a job change (webhooks register one)
    worker.py    the embedded worker pool; celery_app.py the scale-out worker and relay

Services (keyword-only, no web framework; the API's routers are thin calls into them):

    services.py    validate and submit a job, read and list jobs
    batches.py     up to 100 jobs in one all-or-nothing request
    review.py      the review gate (manifest, approve) and retries
    filters.py     which jobs a caller sees; csv_export.py streams them as CSV
    live.py        one job's events as they happen (SSE, WebSocket)
    estimates.py   cost and time of a job before any work

The guarantees are in docs/architecture §5: the row is the record, at most five attempts,
at most one committed success per job.
"""
