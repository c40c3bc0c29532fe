"""Shared fixtures: staff users per role, platforms made through the real services."""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import time_machine
from django.contrib.auth.models import Group, User
from django.core.cache import cache
from django.db import connection
from rest_framework.test import APIClient

from compliance.kernel import append_only
from compliance.kernel.actors import Actor
from compliance.sanctions.services import access_block_approve
from compliance.sweep.jobs import sweep_all
from registry import services as registry
from registry.models import Platform, Sector
from registry.services import api_key_create

# Data sets shared by several test packages, as fixtures.
pytest_plugins = ["tests.support.worlds"]


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Tests marked `postgres` are skipped on SQLite before any fixture runs (a transactional
    database fixture set up for a skipped test would flush past the append-only triggers)."""
    if connection.vendor == "postgresql":
        return
    skip = pytest.mark.skip(reason="needs PostgreSQL; runs in the PostgreSQL leg of `.ci/run`")
    for item in items:
        if item.get_closest_marker("postgres"):
            item.add_marker(skip)


@pytest.fixture(autouse=True)
def _append_only_triggers(request: pytest.FixtureRequest) -> Iterator[None]:
    """SQLite's test flush is a DELETE, which the triggers refuse: lift them around the flush.

    Every test first makes sure the triggers are there, so one test's teardown cannot weaken
    the next test.
    """
    marker = request.node.get_closest_marker("django_db")
    if marker is None:
        yield
        return
    transactional = marker.kwargs.get("transaction", False)
    request.getfixturevalue("transactional_db" if transactional else "db")
    if transactional:
        _restore_migration_data()
    for table in append_only.TABLES:
        if not append_only.installed(connection, table):
            append_only.install(connection, table)
    yield
    if transactional and connection.vendor == "sqlite":
        for table in append_only.TABLES:
            append_only.uninstall(connection, table)


@pytest.fixture(autouse=True)
def _celery_in_process() -> Iterator[None]:
    """Tasks queued by services run in the test's process; the worker tests start real ones."""
    from config.celery import app

    app.conf.task_always_eager = True
    yield
    app.conf.task_always_eager = False


@pytest.fixture(autouse=True)
def _checkpoint_log_per_test(settings: Any, tmp_path: Any) -> None:
    # The checkpoint log lives outside the database, so it outlives a test's rollback: each
    # test gets its own, or a later test would find checkpoints of a chain long gone.
    settings.DECISION_CHECKPOINT_LOG = str(tmp_path / "checkpoints.jsonl")


@pytest.fixture(autouse=True)
def _media_per_test(settings: Any, tmp_path: Any) -> None:
    # Files the services store (evidence, letters' PDFs) go to the test's own folder.
    settings.MEDIA_ROOT = str(tmp_path / "media")


@pytest.fixture(autouse=True)
def _staff_pages_in_english(settings: Any) -> None:
    # The admin's tests read its English labels; tests/config/test_translations.py checks the
    # staff default (Indonesian) and the switch, and the browser day runs in both.
    settings.STAFF_LANGUAGE_CODE = "en"


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings: Any) -> None:
    # Hashing a password the production way takes ~0.5 s; tests make many users.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


# Rows that data migrations write; a transactional test's flush empties every table, so they
# are written again (the functions are idempotent) before each such test.
MIGRATION_DATA = [
    ("compliance", "0002_append_only_chain_roles", ["create_chain_head", "create_groups"]),
    ("compliance", "0004_mr5_default_policy", ["create_mr5"]),
    ("compliance", "0022_mr5_rung_citations", ["cite_rungs"]),
    ("compliance", "0006_beat_schedule", ["schedule"]),
    ("compliance", "0009_webhook_schedule", ["schedule"]),
    ("compliance", "0013_checkpoint_schedule", ["schedule"]),
    ("compliance", "0024_letter_schedule", ["schedule"]),
    ("compliance", "0017_working_days", ["load"]),
    ("notices", "0002_categories_agencies_evidence_append_only", ["load"]),
    ("fingerprints", "0002_watch_schedule", ["schedule"]),
    ("transparency", "0002_methodology_v1_schedule", ["methodology_v1", "schedule"]),
]


def _restore_migration_data() -> None:
    from django.apps import apps

    from compliance.kernel.roles import roles_sync

    for app, migration, functions in MIGRATION_DATA:
        module = importlib.import_module(f"{app}.migrations.{migration}")
        for name in functions:
            getattr(module, name)(apps, None)
    roles_sync()


def _staff(username: str, role: str) -> User:
    user = User.objects.create_user(username=username, password="pw-" + username, is_staff=True)
    user.groups.add(Group.objects.get(name=role))
    return user


@pytest.fixture
def officer(db: None) -> User:
    return _staff("officer", "officer")


@pytest.fixture
def officer2(db: None) -> User:
    return _staff("officer2", "officer")


@pytest.fixture
def supervisor(db: None) -> User:
    return _staff("supervisor", "supervisor")


@pytest.fixture
def supervisor2(db: None) -> User:
    return _staff("supervisor2", "supervisor")


@pytest.fixture
def auditor(db: None) -> User:
    return _staff("auditor", "auditor")


@pytest.fixture
def agency_staff(db: None) -> User:
    """A police officer who acts for the law-enforcement agency in the admin."""
    from agencies.models import AgencyMember
    from notices.models import Agency

    user = _staff("police_officer", "agency staff")
    AgencyMember.objects.create(user=user, agency=Agency.objects.get(kind="law_enforcement"))
    return user


@pytest.fixture
def superuser(db: None) -> User:
    return User.objects.create_superuser(username="root", password="pw-root")


@pytest.fixture
def make_platform(officer: User) -> Callable[..., Platform]:
    """Create a platform through the services; `registered=True` files and approves it too."""
    counter = iter(range(1, 10_000))

    def make(
        *, registered: bool = True, domains: list[str] | None = None, **record: Any
    ) -> Platform:
        n = next(counter)
        record = {
            "name": f"Platform {n}",
            "legal_name": f"PT Platform {n}",
            "sector": Sector.SOCIAL_MEDIA,
            "is_ugc": True,
            # A complete record (MR5 Art. 3-4): approval refuses one without these.
            "business_model": "Video sharing, advertising funded",
            "personal_data_processed": "Name, e-mail address, device identifiers",
            "data_location": "Jakarta, Indonesia",
            **record,
        }
        actor = Actor.staff(officer)
        platform = registry.platform_create(
            actor=actor,
            record=record,
            domains=domains if domains is not None else [f"platform{n}.example"],
            contacts=[
                {
                    "name": "Contact",
                    "role": "Legal",
                    "email": f"legal@platform{n}.example",
                    "phone": "+62 21 555 0000",
                }
            ],
        )
        if registered:
            platform = registry.platform_file_application(platform=platform, actor=actor)
            platform = registry.platform_approve(platform=platform, actor=actor)
        return platform

    return make


@pytest.fixture
def make_order(officer: User, make_platform: Callable[..., Platform]) -> Callable[..., Any]:
    """Create an order through the services; issued unless `issued=False`."""
    from notices import services as notices
    from notices.models import Agency, ContentCategory

    def make(
        *,
        platform: Platform | None = None,
        category: str = "ncii",
        urls: list[str] | None = None,
        issued: bool = True,
        urgent: bool = False,
    ) -> Any:
        platform = platform or make_platform()
        domain = platform.domains.values_list("domain", flat=True).first()
        actor = Actor.staff(officer)
        order = notices.order_create(
            actor=actor,
            platform=platform,
            agency=Agency.objects.get(kind="ministry"),
            category=ContentCategory.objects.get(code=category),
            legal_basis="MR5 Art. 9(4)",
            urgent=urgent,
            items=[
                notices.ItemInput(url=url)
                for url in (urls or [f"https://{domain}/v/1", f"https://{domain}/v/2"])
            ],
        )
        if issued:
            order = notices.order_issue(order=order, actor=actor)
        return order

    return make


VICTIM_T0 = datetime(2026, 10, 1, tzinfo=UTC)


@pytest.fixture
def victim(make_order, make_platform, supervisor):
    """An order two letters up the ladder (so it has a fine), its platform's block in force."""
    with time_machine.travel(VICTIM_T0, tick=False):
        order = make_order(platform=make_platform(is_ugc=True))
    for day in (1, 2, 3, 4):
        with time_machine.travel(VICTIM_T0 + timedelta(days=day), tick=False):
            sweep_all()
    block = order.platform.blocks.get()
    access_block_approve(block=block, actor=Actor.staff(supervisor))
    return order


@pytest.fixture(autouse=True)
def _fresh_rate_limit_counts():
    # Sign-in and API counts live in the cache, which outlives a test's rollback.
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
