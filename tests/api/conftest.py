from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.core.cache import cache
from rest_framework.test import APIClient

from compliance import sanctions
from compliance.actors import Actor
from compliance.sanctions import sweep_all
from registry.models import Platform
from registry.services import api_key_create

VICTIM_T0 = datetime(2026, 10, 1, tzinfo=UTC)


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


@pytest.fixture
def victim(make_order, make_platform, supervisor):
    """An order two letters up the ladder (so it has a fine), its platform's block in force."""
    with time_machine.travel(VICTIM_T0, tick=False):
        order = make_order(platform=make_platform(is_ugc=True))
    for day in (1, 2, 3, 4):
        with time_machine.travel(VICTIM_T0 + timedelta(days=day), tick=False):
            sweep_all()
    block = order.platform.blocks.get()
    sanctions.access_block_approve(block=block, actor=Actor.staff(supervisor))
    return order
