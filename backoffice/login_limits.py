"""Admin sign-in attempts, limited per account and per address.

Every attempt is counted before the password is checked (compliance/ratelimits.py), so
parallel guesses cannot slip past the limit: an account gets LOGIN_FAILURES_PER_ACCOUNT
attempts per window, an address a few more (an office behind one NAT), then sign-in is
refused with 429 until the window passes, the right password included. Counting by account
stops slow guessing from many addresses; counting by address stops one host trying many
accounts. A successful sign-in clears its account's count and does not count against its
address.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver
from django.http import HttpRequest

from compliance.kernel.ratelimits import attempt_count, attempt_forget, attempt_refund


def _account_key(username: str) -> str:
    return f"login-attempts:account:{username.strip().lower()}"


def _address_key(request: HttpRequest) -> str:
    return f"login-attempts:address:{request.META.get('REMOTE_ADDR', '')}"


def login_attempt_admit(*, request: HttpRequest, username: str) -> bool:
    """Count this sign-in attempt; False if the account or the address is over its limit."""
    window = settings.LOGIN_FAILURE_WINDOW_SECONDS
    account = attempt_count(
        key=_account_key(username), limit=settings.LOGIN_FAILURES_PER_ACCOUNT, window=window
    )
    address = attempt_count(
        key=_address_key(request), limit=settings.LOGIN_FAILURES_PER_ADDRESS, window=window
    )
    return account.allowed and address.allowed


@receiver(user_logged_in, dispatch_uid="compliance.logged_in")
def logged_in(sender: Any, request: HttpRequest | None, user: Any, **kwargs: Any) -> None:
    if request is not None:
        attempt_forget(key=_account_key(user.get_username()))
        attempt_refund(key=_address_key(request))
