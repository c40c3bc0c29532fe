"""Hostile input, generated from our own OpenAPI schema (schemathesis over WSGI, in process).

Every operation gets schema-valid and schema-breaking requests, with a valid platform key, on a
platform that has a live order with a fine. In half the schema-valid cases the path names an
object that exists, so generated bodies reach the services instead of stopping at 404. Then
sequences of calls that follow the schema's links (list -> read -> acknowledge -> report ...).
Every check runs: no 5xx; status codes, content types, headers and bodies as the schema
declares them; schema-breaking input refused with 4xx; no operation served without a key; and
schema-valid input accepted: a 400 for it would mean the schema omits a limit the code
enforces (a rule of the domain refusing it is a 409 or a 422, never a 400).
"""

import zlib
from datetime import UTC, datetime, timedelta

import pytest
import schemathesis
import time_machine
from django.core.cache import cache
from django.core.signals import request_finished, request_started
from django.db import close_old_connections, transaction
from hypothesis import HealthCheck, settings
from schemathesis.config import SchemathesisConfig
from schemathesis.core.parameters import ParameterLocation

from agencies.data_requests import data_request_create
from agencies.services import referral_create, takedown_request_submit
from compliance.kernel.actors import Actor
from compliance.models import Fine
from compliance.sanctions import services as sanctions
from compliance.sweep.jobs import sweep_all
from config.wsgi import application
from fingerprints.services import (
    HashInput,
    HashQuery,
    hash_entries_add,
    hash_list_create,
    hashes_match,
)
from notices.models import Agency, ContentCategory
from notices.services import objection_file
from registry.changes import registration_change_declare
from registry.services import api_key_create
from tests.support import scale
from tests.support.assessments import assessment_for

T0 = datetime(2026, 10, 1, tzinfo=UTC)


# Schema-valid requests may be refused only for who asks (401, 403, 404), from which state
# (409), by a rule the schema cannot state (422), or for speed (429); never 400, never 5xx.
# 304 is the block list's answer to an If-None-Match it matches (`*` matches any).
CHECKS = {
    "positive_data_acceptance": {
        "expected-statuses": ["2xx", "304", "401", "403", "404", "409", "422", "429"]
    }
}
CONFIG = SchemathesisConfig.from_dict({"checks": CHECKS})
# Loaded once, at collection: making the schema reads no data.
schema = schemathesis.openapi.from_wsgi("/api/schema/", application, config=CONFIG)


@pytest.fixture(autouse=True)
def _connection_kept_open_between_requests():
    # Called straight through WSGI, a request would end by closing the database connection
    # (and with it the test's transaction); Django's test client unhooks this the same way.
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def portal(make_order, make_platform, officer, supervisor, supervisor2):
    """A key, and the objects its paths can name: an order two rungs up, its items, a fine,
    a match, a normalization request of a block in force and a registration change."""
    cache.clear()  # throttle counts
    with time_machine.travel(T0, tick=False):
        order = make_order(platform=make_platform(is_ugc=True))
    for day in (1, 2):
        with time_machine.travel(T0 + timedelta(days=day), tick=False):
            sweep_all()
    _, key = api_key_create(platform=order.platform, actor=Actor.staff(officer), name="fuzz")
    police = Agency.objects.get(kind="law_enforcement")
    return {
        "key": key,
        "reference": order.reference,
        "item_id": order.items.first().pk,
        "fine_id": Fine.objects.get(order=order).pk,
        "match_id": _match(order.platform, Actor.staff(officer)),
        # Declared while registered, before the block below.
        "change_id": registration_change_declare(
            platform=order.platform, actor=Actor.of_platform(order.platform), description="Moved."
        ).pk,
        "request_id": _normalization(order.platform, supervisor, supervisor2),
        "number": order.platform.official_letters.first().number,
        "objection_id": objection_file(
            order=order,
            actor=Actor.of_platform(order.platform),
            reason="Satire.",
            items=[order.items.first()],
        ).pk,
        "takedown_id": takedown_request_submit(
            agency=Agency.objects.get(kind="law_enforcement"),
            actor=Actor.staff(officer),
            category="ncii",
            legal_basis="MR5 Art. 14(1)",
            urls=[f"https://{order.platform.domains.get().domain}/agency"],
        ).pk,
        "referral_id": referral_create(
            order=order,
            agency=Agency.objects.get(kind="law_enforcement"),
            actor=Actor.staff(officer),
            reason="For investigation.",
        ).pk,
        "data_request_id": data_request_create(
            actor=Actor.of_agency(police.pk),
            agency=police,
            platform=order.platform,
            kind="subscriber",
            legal_basis="KUHAP Art. 42",
            description="Subscriber data of account 1.",
        ).pk,
        # Agency routes answer the platform's key with 401 whatever the file's id.
        "file_id": 1,
        "risk_assessment_id": assessment_for(order.platform, measured=True)[0].pk,
        "prefix": api_key_create(platform=order.platform, actor=Actor.staff(officer), name="spare")[
            0
        ].prefix,
    }


def _normalization(platform, supervisor, supervisor2) -> int:
    block = sanctions.access_block_propose(
        platform=platform, actor=Actor.staff(supervisor), reason="Fuzzing."
    )
    sanctions.access_block_approve(block=block, actor=Actor.staff(supervisor2))
    return sanctions.normalization_request_file(
        platform=platform, actor=Actor.of_platform(platform), statement="Removed."
    ).pk


def _match(platform, officer):
    """A hash list the platform matched against: the opaque id of its match."""
    hash_list = hash_list_create(
        actor=officer, name="fuzz", category=ContentCategory.objects.get(code="ncii")
    )
    hash_entries_add(actor=officer, hash_list=hash_list, hashes=[HashInput("md5", "ab" * 16)])
    [result] = hashes_match(
        actor=Actor.of_platform(platform), queries=[HashQuery("md5", "ab" * 16)]
    )
    return str(result.matches[0].match_id)


@schema.parametrize()
@settings(
    max_examples=scale.size("FUZZ_EXAMPLES", short=60, stress=500),
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
def test_api_survives_generated_requests(case, portal):
    # Half the cases name real objects, picked from the case itself: a second strategy
    # (`@schema.given`) cannot be combined with the schema's own examples, which run too.
    real = zlib.crc32(repr((case.path_parameters, case.body)).encode()) % 2 == 0
    cache.clear()  # the fuzzer is faster than the throttle allows; 429 is tested elsewhere
    if real and not case.meta.generation.mode.is_negative:
        for name in list(case.path_parameters or {}):
            case.path_parameters[name] = portal[name]
    # A case whose headers break the schema (its key left out, say) goes as generated: adding
    # the key to it would turn it into a valid request that is then expected to be refused.
    key = {"Authorization": f"Bearer {portal['key']}"}
    case.call_and_validate(
        headers={} if case.meta.is_negative_at(ParameterLocation.HEADER) else key
    )


def test_api_survives_generated_sequences_following_its_links(portal):
    """Stateful: calls chained through the schema's links, on the portal's real objects."""

    # The key as the platform scheme's configured auth: the authentication check then knows
    # it is the caller's own, takes it away and forges one to probe, and expects a refusal
    # each time. (Given as a plain header instead, it was sometimes taken for a generated
    # credential once operations declared header parameters, and a valid call was reported
    # as accepting invalid auth.) Agency routes get no key of theirs: each call is a 401.
    keyed = schemathesis.openapi.from_wsgi(
        "/api/schema/",
        application,
        config=SchemathesisConfig.from_dict(
            {
                "checks": CHECKS,
                "auth": {"openapi": {"platformApiKey": {"bearer": portal["key"]}}},
            }
        ),
    )

    class Portal(keyed.as_state_machine()):  # type: ignore[misc]
        # Every sequence starts from the same data: Hypothesis replays a failing sequence to
        # report it, and a replay on data changed by earlier sequences draws other rules
        # (seen once as FlakyStrategyDefinition, hiding the failure it was replaying).
        def setup(self):
            self.savepoint = transaction.savepoint()

        def teardown(self):
            transaction.savepoint_rollback(self.savepoint)

        def before_call(self, case):
            cache.clear()  # throttle counts, as above

    Portal.run(
        settings=settings(
            max_examples=scale.size("STATEFUL_EXAMPLES", short=25, stress=200),
            stateful_step_count=6,
            deadline=None,
            suppress_health_check=list(HealthCheck),
        )
    )
