"""Keys: 401 problem+json for missing, malformed, unknown, revoked; scope to one platform."""

import pytest
from rest_framework.test import APIClient

from compliance.kernel.actors import Actor
from registry.models import ApiKey, Platform
from registry.services import api_key_create, api_key_revoke


@pytest.mark.parametrize(
    "header",
    [None, "Bearer", "Bearer a b", "Bearer nonsense", "Bearer cek_000000000000_wrong", "Basic x"],
)
def test_bad_credentials_are_401_problems(db, header):
    client = APIClient()
    if header:
        client.credentials(HTTP_AUTHORIZATION=header)
    response = client.get("/api/v1/orders/")
    assert response.status_code == 401
    assert response["Content-Type"] == "application/problem+json"
    assert response.json()["status"] == 401
    assert response.json()["title"] == "Unauthorized"
    assert "Bearer" in response["WWW-Authenticate"]


def test_a_key_is_stored_only_as_a_digest_and_records_use(make_platform, officer):
    platform = make_platform()
    api_key, key = api_key_create(platform=platform, actor=Actor.staff(officer), name="prod")
    assert key.startswith(f"cek_{api_key.prefix}_")
    assert key not in str(ApiKey.objects.filter(pk=api_key.pk).values().get())
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {key}")
    assert client.get("/api/v1/platform/").status_code == 200
    api_key.refresh_from_db()
    assert api_key.last_used_at is not None


def test_tampered_key_with_a_real_prefix_is_refused(make_platform, officer):
    _, key = api_key_create(platform=make_platform(), actor=Actor.staff(officer), name="prod")
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {key[:-1]}{'A' if key[-1] != 'A' else 'B'}")
    assert client.get("/api/v1/platform/").status_code == 401


def test_revoked_key_is_refused_and_rotation_keeps_the_other(make_platform, officer):
    platform = make_platform()
    old, old_key = api_key_create(platform=platform, actor=Actor.staff(officer), name="old")
    _, new_key = api_key_create(platform=platform, actor=Actor.staff(officer), name="new")
    api_key_revoke(api_key=old, actor=Actor.staff(officer))
    for key, expected in [(old_key, 401), (new_key, 200)]:
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {key}")
        assert client.get("/api/v1/platform/").status_code == expected


def test_a_revoked_registration_keeps_only_its_orders(api, order):
    Platform.objects.filter(pk=order.platform_id).update(status="revoked")
    assert api.get("/api/v1/orders/").status_code == 200
    assert api.get(f"/api/v1/orders/{order.reference}/").status_code == 200
    assert api.post(f"/api/v1/orders/{order.reference}/acknowledge/").status_code == 200
    assert api.get("/api/v1/fines/").status_code == 200
    refused = api.get("/api/v1/platform/")
    assert refused.status_code == 403
    assert "revoked" in refused.json()["detail"]
    assert (
        api.put("/api/v1/webhook/", {"url": "https://x.example/h"}, format="json").status_code
        == 403
    )


def test_create_api_key_command_prints_the_key_once(make_platform, officer, capsys):
    from django.core.management import call_command

    platform = make_platform()
    call_command(
        "create_api_key", platform.registration_number, "--name", "ci", "--as-user", "officer"
    )
    key = capsys.readouterr().out.strip()
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {key}")
    assert client.get("/api/v1/platform/").json()["name"] == platform.name


@pytest.mark.parametrize("known_prefix", [True, False])
def test_every_key_is_checked_with_a_constant_time_comparison(
    make_platform, officer, monkeypatch, known_prefix
):
    """Whether the prefix exists or not, the secret goes through hmac.compare_digest, and
    never through ==, so response time says nothing about how much of a key was right."""
    import hmac

    api_key, _ = api_key_create(platform=make_platform(), actor=Actor.staff(officer), name="p")
    compared: list[tuple[str, str]] = []
    real = hmac.compare_digest

    def spy(a, b):
        compared.append((a, b))
        return real(a, b)

    monkeypatch.setattr(hmac, "compare_digest", spy)
    prefix = api_key.prefix if known_prefix else "0" * len(api_key.prefix)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer cek_{prefix}_{'x' * 43}")
    assert client.get("/api/v1/platform/").status_code == 401
    assert len(compared) == 1
    assert all(len(a) == len(b) == 64 for a, b in compared)
