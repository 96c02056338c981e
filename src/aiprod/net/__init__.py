"""Outbound network policy: where the server may send requests on a user's behalf.

targets.py   the SSRF guard: URL checks, and address checks after DNS resolution (webhook
             endpoints, a job's ``webhook_url``)
"""
