"""A platform's declared turnover and its designations, with their history: declared by an
officer or by the platform itself, in a currency ISO 4217 knows; designated by a supervisor on
a user count (at least the law's threshold) or a decision, ended with a reason. Bad input names
its field and writes nothing."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
import time_machine
from django.core.exceptions import ValidationError
from rest_framework.test import APIClient

from compliance.kernel.actions import Action
from compliance.kernel.actors import Actor
from compliance.kernel.errors import RoleForbidden, TransitionNotAllowed
from compliance.models import DecisionRecord
from registry import standing
from registry.models import PlatformDesignation, PlatformTurnover
from registry.services import api_key_create

TODAY = date(2026, 12, 1)


@pytest.fixture(autouse=True)
def _today():
    with time_machine.travel("2026-12-01T08:00:00Z", tick=False):
        yield


def _declare(actor, platform, **overrides):
    values = {
        "amount": "1250000000.00",
        "currency": "eur",
        "period_start": date(2025, 1, 1),
        "period_end": date(2025, 12, 31),
        "source": "Audited annual accounts 2025",
        **overrides,
    }
    return standing.turnover_declare(actor=actor, platform=platform, **values)


def test_turnover_declared_and_corrected_keeps_its_history(make_platform, officer):
    platform = make_platform()
    staff = Actor.staff(officer)
    first = _declare(staff, platform)
    assert (first.amount, first.currency) == (Decimal("1250000000.00"), "EUR")
    older = _declare(staff, platform, period_start=date(2024, 1, 1), period_end=date(2024, 12, 31))
    corrected = _declare(staff, platform, amount="1300000000.50", source="Restated accounts")
    # Fines count worldwide turnover: a later national figure does not replace it.
    national = _declare(staff, platform, amount="5000000.00", scope="national")
    assert standing.turnovers_current(platform_ids={platform.pk}) == {platform.pk: corrected}
    assert set(PlatformTurnover.objects.filter(platform=platform)) == {
        first,
        older,
        corrected,
        national,
    }
    assert DecisionRecord.objects.filter(action=Action.TURNOVER_DECLARE).count() == 4


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"currency": "XYZ"}, "currency"),
        ({"currency": "euro"}, "currency"),
        ({"amount": "0"}, "amount"),
        ({"amount": "12.345"}, "amount"),
        ({"amount": "NaN"}, "amount"),
        ({"period_end": date(2024, 12, 31)}, "period_end"),
        ({"period_start": date(2024, 1, 1)}, "period_end"),  # more than a year
        ({"period_end": date(2027, 1, 31), "period_start": date(2026, 2, 1)}, "period_end"),
        ({"source": " "}, "source"),
    ],
)
def test_bad_turnovers_name_the_field_and_write_nothing(make_platform, officer, overrides, field):
    platform = make_platform()
    records = DecisionRecord.objects.count()
    with pytest.raises(ValidationError) as refused:
        _declare(Actor.staff(officer), platform, **overrides)
    assert field in refused.value.message_dict
    assert not PlatformTurnover.objects.exists()
    assert DecisionRecord.objects.count() == records


def test_a_platform_declares_its_own_turnover_through_the_api(make_platform, officer):
    platform = make_platform()
    _, key = api_key_create(platform=platform, actor=Actor.staff(officer), name="finance")
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {key}")
    body = {
        "amount": "98000000.00",
        "currency": "GBP",
        "period_start": "2025-04-01",
        "period_end": "2026-03-31",
        "scope": "worldwide",
        "source": "Annual report 2025/26",
    }
    made = api.post("/api/v1/platform/turnover/", body, format="json")
    assert made.status_code == 201, made.json()
    assert made.json()["amount"] == "98000000.00"
    unknown = api.post("/api/v1/platform/turnover/", {**body, "currency": "ZZZ"}, format="json")
    assert unknown.status_code == 422
    assert {e["field"] for e in unknown.json()["errors"]} == {"currency"}
    listed = api.get("/api/v1/platform/turnover/").json()["results"]
    assert [(t["currency"], t["source"]) for t in listed] == [("GBP", "Annual report 2025/26")]
    record = DecisionRecord.objects.get(action=Action.TURNOVER_DECLARE)
    assert record.actor_label == f"platform:{platform.pk}"


def test_one_platform_does_not_declare_anothers_turnover(make_platform):
    platform, other = make_platform(), make_platform()
    with pytest.raises(Exception, match="another platform"):
        _declare(Actor.of_platform(other), platform)


def test_designated_by_user_count_then_ended_keeps_the_history(make_platform, supervisor):
    platform = make_platform()
    staff = Actor.staff(supervisor)
    vlop = standing.designation_record(
        actor=staff,
        platform=platform,
        kind="dsa_vlop",
        basis="user_count",
        user_count=52_000_000,
        user_count_as_of=date(2026, 6, 30),
        effective_from=date(2026, 8, 1),
    )
    with pytest.raises(TransitionNotAllowed):
        standing.designation_record(
            actor=staff,
            platform=platform,
            kind="dsa_vlop",
            basis="decision",
            decision_reference="C(2026) 100",
            effective_from=date(2026, 9, 1),
        )
    standing.designation_end(designation=vlop, actor=staff, reason="Below 45 million for a year.")
    again = standing.designation_record(
        actor=staff,
        platform=platform,
        kind="dsa_vlop",
        basis="decision",
        decision_reference="C(2026) 200",
        effective_from=date(2026, 11, 1),
    )
    assert list(PlatformDesignation.objects.filter(platform=platform)) == [again, vlop]
    vlop.refresh_from_db()
    assert vlop.end_reason == "Below 45 million for a year."
    record = DecisionRecord.objects.filter(action=Action.DESIGNATION_RECORD).first()
    assert record.legal_basis.startswith("EU DSA Art. 33")


@pytest.mark.parametrize(
    ("values", "field"),
    [
        ({"basis": "user_count", "user_count": 44_999_999}, "user_count"),
        ({"basis": "user_count", "user_count_as_of": None}, "user_count"),
        ({"basis": "user_count", "user_count_as_of": date(2026, 12, 2)}, "user_count_as_of"),
        ({"basis": "decision", "decision_reference": ""}, "decision_reference"),
        ({"basis": "vibes"}, "basis"),
        ({"kind": "mega_platform"}, "kind"),
    ],
)
def test_bad_designations_name_the_field(make_platform, supervisor, values, field):
    given = {
        "kind": "dsa_vlop",
        "basis": "user_count",
        "user_count": 50_000_000,
        "user_count_as_of": date(2026, 6, 30),
        "decision_reference": "",
        "effective_from": date(2026, 8, 1),
        **values,
    }
    with pytest.raises(ValidationError) as refused:
        standing.designation_record(
            actor=Actor.staff(supervisor), platform=make_platform(), **given
        )
    assert field in refused.value.message_dict
    assert not PlatformDesignation.objects.exists()


def test_only_supervisors_designate(make_platform, officer):
    with pytest.raises(RoleForbidden):
        standing.designation_record(
            actor=Actor.staff(officer),
            platform=make_platform(),
            kind="risk_assessment",
            basis="decision",
            decision_reference="KEP-1",
            effective_from=TODAY,
        )


def test_the_platform_reads_its_designations(make_platform, supervisor, officer):
    platform = make_platform()
    standing.designation_record(
        actor=Actor.staff(supervisor),
        platform=platform,
        kind="osa_category_1",
        basis="decision",
        decision_reference="Ofcom register 2026/1",
        effective_from=date(2026, 7, 1),
    )
    _, key = api_key_create(platform=platform, actor=Actor.staff(officer), name="legal")
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {key}")
    [row] = api.get("/api/v1/platform/designations/").json()["results"]
    assert (row["kind"], row["basis"], row["ended_at"]) == ("osa_category_1", "decision", None)
