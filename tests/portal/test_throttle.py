"""Rate limits per key (burst and sustained; rates come from settings)."""

import pytest
from rest_framework.settings import api_settings

from portal import auth


@pytest.fixture
def burst_of(monkeypatch):
    def set_rate(rate: str) -> None:
        rates = {**api_settings.DEFAULT_THROTTLE_RATES, "burst": rate}
        monkeypatch.setattr(auth.BurstThrottle, "THROTTLE_RATES", rates)

    return set_rate


def test_burst_limit_answers_429_with_retry_after(api, burst_of):
    burst_of("3/min")
    codes = [api.get("/api/v1/platform/").status_code for _ in range(4)]
    limited = api.get("/api/v1/platform/")
    assert codes == [200, 200, 200, 429]
    assert int(limited["Retry-After"]) > 0
    assert limited["Content-Type"] == "application/problem+json"
    assert limited.json()["status"] == 429


def test_limits_are_per_key(api, client_for, order, burst_of):
    burst_of("2/min")
    for _ in range(2):
        api.get("/api/v1/platform/")
    assert api.get("/api/v1/platform/").status_code == 429
    assert client_for(order.platform).get("/api/v1/platform/").status_code == 200
