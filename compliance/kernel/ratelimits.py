"""Attempts counted atomically in the cache, shared by every process that shares the cache.

Each attempt is counted *before* it is judged, and allowed only while the count stays within
the limit: of 16 sign-ins racing for 5 places exactly 5 are let through, which "check, then
count the failure" (django-axes' order, and ours before) cannot promise: all 16 check before
any failure is counted. The count lives in one cache key per subject and window; on Redis one
MULTI sets it with its expiry if absent and increments it, so no key is left without one.
Production shares one Redis among all web workers (`CACHE_URL`); a deployment check refuses
a per-process cache outside debug.
"""

from __future__ import annotations

import contextlib
import math
import time
from dataclasses import dataclass

from django.core.cache import cache, caches
from django.core.cache.backends.redis import RedisCache


@dataclass(frozen=True)
class Admission:
    allowed: bool
    count: int
    retry_after: int  # seconds until the window ends (at most, for unaligned windows)


def attempt_count(*, key: str, limit: int, window: int, aligned: bool = False) -> Admission:
    """Count one attempt against `key`; allowed while at most `limit` in the window.

    `aligned` windows start at multiples of `window` (API rates: "120 a minute"); otherwise a
    window starts at the first attempt and runs for `window` seconds (sign-in lock-outs).
    """
    now = time.time()
    ends: float
    if aligned:
        start = math.floor(now / window) * window
        key = f"{key}:{start}"
        ends = start + window
    else:
        ends = now + window
    count = _increment(key, window)
    return Admission(count <= limit, count, max(1, math.ceil(ends - now)))


def attempt_forget(*, key: str) -> None:
    """Clear a count (a successful sign-in clears its account's failures)."""
    cache.delete(key)


def attempt_refund(*, key: str) -> None:
    """Take one attempt back (a successful sign-in does not count against its address)."""
    with contextlib.suppress(ValueError):  # expired meanwhile: nothing to take back
        cache.decr(key)


def _increment(key: str, window: int) -> int:
    backend = caches["default"]
    if isinstance(backend, RedisCache):
        full = backend.make_and_validate_key(key)
        client = backend._cache.get_client(full, write=True)
        pipe = client.pipeline(transaction=True)
        pipe.set(full, 0, ex=window, nx=True)
        pipe.incr(full)
        return int(pipe.execute()[1])
    # Another backend: atomic within one process (the local-memory cache locks), which is
    # all a single development server needs.
    cache.add(key, 0, timeout=window)
    try:
        return cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.add(key, 1, timeout=window)
        return 1
