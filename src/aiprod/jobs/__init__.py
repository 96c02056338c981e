"""Jobs: the durable job table and the queue primitives workers build on.

    policy.py    statuses, allowed transitions, retry backoff (pure)
    models.py    ``Job``, ``Batch`` and ``JobEvent`` tables (``Base`` and column types: aiprod.db)
    store.py     submit and cancel jobs; re-exports the lease operations below
    leases.py    claim, heartbeat, progress, complete, fail, release (fenced by lease token)
    reaper.py    re-queue jobs whose lease expired
    errors.py    ``LeaseLost``, ``InvalidTransition`` (database errors: aiprod.db.errors)

The guarantees are in docs/architecture §5: the row is the record, at most five attempts,
at most one committed success per job.
"""
