"""Webhooks: tell callers when their jobs change, following the Standard Webhooks spec.

    models.py      endpoints, the per-owner job-webhook secret, deliveries and attempts
    events.py      event types and the fan-out of a job change into delivery rows
    signing.py     ``whsec_`` secrets and the ``webhook-*`` headers (standardwebhooks)
    listener.py    the job listener that queues deliveries in the transaction of a job change
    service.py     endpoints, secrets and delivery logs for the API (no web framework)
    outbox.py      claim due deliveries with a lease; record each attempt and its backoff
    dispatcher.py  the thread that sends due deliveries over HTTP

Deliveries are rows written in the transaction of the job change, so a committed change
always has its deliveries; the dispatcher sends them at least once, with the same
``webhook-id`` (the delivery's message id) on every attempt. The SSRF guard on targets is
:mod:`aiprod.net.targets`. See docs/webhooks.md.
"""
