"""gunicorn settings for production and the benchmark (`gunicorn -c gunicorn.conf.py`)."""

import gc
import os

bind = os.environ.get("BIND", "127.0.0.1:8000")
# Sync workers spread load evenly here; gthread kept keep-alive connections on one worker.
workers = int(os.environ.get("WEB_CONCURRENCY", "2"))
worker_class = "sync"
max_requests = 10000
max_requests_jitter = 1000
accesslog = os.environ.get("ACCESS_LOG") or None


def post_fork(server, worker):
    # Objects alive after start-up never become garbage: freezing them keeps full collections
    # (which walk every tracked object) short, which was most of the latency tail.
    gc.collect()
    gc.freeze()


def post_worker_init(worker):
    # Each worker keeps its own hash index: load it before taking requests, so no platform's
    # call waits for it (about 10 s at 1,000,000 hashes). If the database is not there yet,
    # the first match call loads it.
    from django.db import connections

    from fingerprints.matcher import MATCHER

    try:
        MATCHER.sync(force=True)
    except Exception:
        worker.log.exception("hash index not loaded at start; the first match call loads it")
    finally:
        connections.close_all()
