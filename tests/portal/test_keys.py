"""A platform lists its API keys and revokes one when it rotates; its last active key stays
(only the regulator issues keys), and another platform's keys are out of reach."""

from __future__ import annotations

from rest_framework.test import APIClient

from compliance.kernel.actors import Actor
from compliance.models import DecisionRecord
from registry.models import ApiKey
from registry.services import api_key_create


def _client(key: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {key}")
    return client


def test_list_own_keys_with_the_current_one_marked(order, officer, make_platform):
    platform = order.platform
    first, first_key = api_key_create(platform=platform, actor=Actor.staff(officer), name="a")
    second, _ = api_key_create(platform=platform, actor=Actor.staff(officer), name="b")
    api_key_create(platform=make_platform(), actor=Actor.staff(officer), name="elsewhere")
    response = _client(first_key).get("/api/v1/keys/")
    assert response.status_code == 200
    rows = {row["prefix"]: row for row in response.json()["results"]}
    assert set(rows) == {first.prefix, second.prefix}
    assert rows[first.prefix]["current"] is True
    assert rows[second.prefix]["current"] is False
    assert rows[first.prefix]["last_used_at"] is not None
    assert rows[second.prefix]["revoked_at"] is None


def test_rotate_then_revoke_the_old_key(order, officer):
    platform = order.platform
    old, old_key = api_key_create(platform=platform, actor=Actor.staff(officer), name="old")
    _, new_key = api_key_create(platform=platform, actor=Actor.staff(officer), name="new")
    records = DecisionRecord.objects.count()
    response = _client(new_key).post(f"/api/v1/keys/{old.prefix}/revoke/")
    assert response.status_code == 200
    assert response.json()["revoked_at"] is not None
    assert DecisionRecord.objects.count() == records + 1  # recorded on the platform
    assert _client(old_key).get("/api/v1/orders/").status_code == 401
    again = _client(new_key).post(f"/api/v1/keys/{old.prefix}/revoke/")
    assert again.status_code == 409


def test_the_last_active_key_stays(order, officer):
    only, key = api_key_create(platform=order.platform, actor=Actor.staff(officer), name="only")
    ApiKey.objects.filter(platform=order.platform).exclude(pk=only.pk).update(
        revoked_at="2026-11-01T00:00:00Z"
    )
    records = DecisionRecord.objects.count()
    response = _client(key).post(f"/api/v1/keys/{only.prefix}/revoke/")
    assert response.status_code == 409
    assert response["Content-Type"] == "application/problem+json"
    assert "last active key" in response.json()["detail"]
    assert DecisionRecord.objects.count() == records
    assert _client(key).get("/api/v1/keys/").status_code == 200


def test_another_platforms_key_is_not_found(order, officer, make_platform):
    _, key = api_key_create(platform=order.platform, actor=Actor.staff(officer), name="mine")
    theirs, _ = api_key_create(platform=make_platform(), actor=Actor.staff(officer), name="x")
    response = _client(key).post(f"/api/v1/keys/{theirs.prefix}/revoke/")
    assert response.status_code == 404
    theirs.refresh_from_db()
    assert theirs.revoked_at is None
