from collections.abc import Callable

import pytest
from django.core.cache import cache
from rest_framework.test import APIClient

from compliance.kernel.actors import Actor
from registry.models import Platform
from registry.services import api_key_create


@pytest.fixture(autouse=True)
def _fresh_throttles():
    cache.clear()


@pytest.fixture
def client_for(officer) -> Callable[[Platform], APIClient]:
    def make(platform: Platform) -> APIClient:
        _, key = api_key_create(platform=platform, actor=Actor.staff(officer), name="tests")
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {key}")
        return client

    return make


@pytest.fixture
def order(make_order):
    return make_order()


@pytest.fixture
def api(client_for, order) -> APIClient:
    """A client holding the key of the platform `order` was served on."""
    return client_for(order.platform)
