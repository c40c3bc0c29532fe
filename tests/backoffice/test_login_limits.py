"""Admin sign-in: five wrong passwords lock the account for the window, for every address;
twenty lock the address for every account; the right password does not get through early."""

from datetime import timedelta

import pytest
import time_machine
from django.core.cache import cache
from django.test import Client
from django.utils import timezone

LOGIN = "/admin/login/?next=/admin/"


@pytest.fixture(autouse=True)
def _fresh_counts():
    cache.clear()
    yield
    cache.clear()


def _login(username: str, password: str, address: str = "203.0.113.7") -> int:
    response = Client(REMOTE_ADDR=address).post(LOGIN, {"username": username, "password": password})
    return response.status_code


def test_an_account_is_locked_after_five_failures_then_opens_again(officer):
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        for _ in range(5):
            assert _login("officer", "wrong") == 200  # the form again, with an error
        assert _login("officer", "pw-officer") == 429, "the right password waits too"
        assert _login("officer", "pw-officer", address="198.51.100.9") == 429
    with time_machine.travel(start + timedelta(minutes=15, seconds=1), tick=False):
        assert _login("officer", "pw-officer") == 302


def test_the_refusal_says_when_to_retry(officer):
    for _ in range(5):
        _login("officer", "wrong")
    response = Client(REMOTE_ADDR="203.0.113.7").post(
        LOGIN, {"username": "officer", "password": "pw-officer"}
    )
    assert response.status_code == 429
    assert response["Retry-After"] == "900"
    assert "Too many failed sign-in attempts" in response.content.decode()


def test_an_address_trying_many_accounts_is_locked(officer):
    for n in range(20):
        _login(f"guess{n}", "wrong")
    assert _login("officer", "pw-officer") == 429
    assert _login("officer", "pw-officer", address="198.51.100.9") == 302


def test_signing_in_clears_the_accounts_failures(officer):
    for _ in range(4):
        _login("officer", "wrong")
    assert _login("officer", "pw-officer") == 302
    for _ in range(4):
        assert _login("officer", "wrong") == 200
    assert _login("officer", "pw-officer") == 302
