"""Admin sign-in attempts, limited per account and per address.

Failures are counted in the cache (shared by every process once CACHE_URL points at Redis):
an account gets LOGIN_FAILURES_PER_ACCOUNT tries per window, an address a few more (an office
behind one NAT), then sign-in is refused with 429 until the window passes. Counting by
account stops slow guessing from many addresses; counting by address stops one host trying
many accounts. A successful sign-in clears its account's count.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.auth.signals import user_logged_in, user_login_failed
from django.core.cache import cache
from django.dispatch import receiver
from django.http import HttpRequest


def _keys(request: HttpRequest, username: str) -> dict[str, int]:
    return {
        f"login-failures:account:{username.strip().lower()}": settings.LOGIN_FAILURES_PER_ACCOUNT,
        f"login-failures:address:{request.META.get('REMOTE_ADDR', '')}": (
            settings.LOGIN_FAILURES_PER_ADDRESS
        ),
    }


def login_refused(*, request: HttpRequest, username: str) -> bool:
    counts = cache.get_many(list(_keys(request, username)))
    return any(counts.get(key, 0) >= limit for key, limit in _keys(request, username).items())


@receiver(user_login_failed, dispatch_uid="compliance.login_failed")
def login_failed(
    sender: Any, credentials: dict[str, Any], request: HttpRequest | None = None, **kwargs: Any
) -> None:
    if request is None:
        return
    for key in _keys(request, credentials.get("username", "")):
        # add() starts the window at the first failure; incr() keeps its expiry.
        if not cache.add(key, 1, timeout=settings.LOGIN_FAILURE_WINDOW_SECONDS):
            try:
                cache.incr(key)
            except ValueError:  # expired between add() and incr()
                cache.add(key, 1, timeout=settings.LOGIN_FAILURE_WINDOW_SECONDS)


@receiver(user_logged_in, dispatch_uid="compliance.logged_in")
def logged_in(sender: Any, request: HttpRequest | None, user: Any, **kwargs: Any) -> None:
    if request is not None:
        cache.delete(f"login-failures:account:{user.get_username().strip().lower()}")
