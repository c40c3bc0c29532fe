"""The profiles shipped beside MR5 (eSafety, the EU DSA, the UK OSA), each walked through an
order from issue to its last sanction on a frozen clock: the deadlines, amounts and citations
each rung carries, fines held for a supervisor where the rung asks for one, and the DSA's
periodic penalty accruing for each day begun until compliance, then totalled."""

from __future__ import annotations

import importlib
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from io import StringIO

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.core.management import call_command

from compliance.documents.facts import letter_facts
from compliance.documents.text import letter_text
from compliance.kernel.actors import Actor
from compliance.models import (
    AccessBlock,
    DecisionRecord,
    EscalationPolicy,
    Fine,
    OfficialLetter,
    PeriodicPenalty,
    WarningLetter,
)
from compliance.policies import mr5, profiles
from compliance.policies.services import ladder_validate, policy_current_version, policy_save
from compliance.sanctions.services import fine_approve
from compliance.sweep.jobs import sweep_all
from notices import services as notices
from notices.models import Agency, ContentCategory
from registry import services as registry
from registry import standing

MIGRATION = importlib.import_module("compliance.migrations.0035_policy_profiles")
T0 = datetime(2026, 6, 1, 2, 0, tzinfo=UTC)


def _sweep_at(moment: datetime):
    with time_machine.travel(moment, tick=False):
        return sweep_all()


def _policy(name: str) -> EscalationPolicy:
    return EscalationPolicy.objects.get(name=name)


def _declare(platform, officer, amount: str, currency: str) -> None:
    with time_machine.travel(T0, tick=False):
        standing.turnover_declare(
            actor=Actor.staff(officer),
            platform=platform,
            amount=amount,
            currency=currency,
            period_start=date(2025, 1, 1),
            period_end=date(2025, 12, 31),
            source="Audited accounts 2025",
        )


def _comply(order, at: datetime):
    with time_machine.travel(at, tick=False):
        return notices.order_items_report(
            order=order,
            actor=Actor.of_platform(order.platform),
            reports=[notices.ItemReport(item_id=i.pk, action="removed") for i in order.items.all()],
        )


def _letter_words(warning: WarningLetter) -> list[str]:
    letter = OfficialLetter.objects.get(kind=OfficialLetter.Kind.WARNING, object_id=str(warning.pk))
    return letter_text(letter_facts(letter=letter)).paragraphs


def test_the_migrations_copy_is_the_profiles():
    assert MIGRATION.PROFILES == profiles.PROFILES


@pytest.mark.parametrize("profile", profiles.PROFILES, ids=lambda p: p["jurisdiction"])
def test_each_profile_is_a_policy_the_sweep_can_follow(db, profile):
    policy = _policy(profile["name"])
    assert (policy.currency, policy.jurisdiction) == (profile["currency"], profile["jurisdiction"])
    assert policy_current_version(policy=policy).terms == {k: profile[k] for k in mr5.TERMS}
    ladder_validate(profile["ladder"])
    ladder_validate(
        profile["data_request_ladder"],
        actions=["warning", "supervisor_referral"],
        last_only="supervisor_referral",
        field="data_request_ladder",
    )
    assert all(step["legal_basis"] for step in profile["ladder"])
    fining = [s for s in profile["ladder"] if s["action"] == "warning_fine"]
    assert fining
    assert all(s["needs_approval"] for s in fining)


def test_esafety_a_formal_warning_then_an_infringement_notice_then_the_court(
    make_platform, make_order, supervisor
):
    platform = make_platform(escalation_policy=_policy("eSafety (Australia)"))
    with time_machine.travel(T0, tick=False):
        order = make_order(platform=platform, urgent=True)
    assert order.due_at == T0 + timedelta(hours=24)  # urgent or not: s 77's 24 hours

    _sweep_at(T0 + timedelta(hours=24, minutes=1))
    order.refresh_from_db()
    first = WarningLetter.objects.get(order=order, level=1)
    assert first.legal_basis.startswith("Online Safety Act 2021 (Cth) s 81")
    assert order.due_at == T0 + timedelta(hours=48, minutes=1)

    _sweep_at(T0 + timedelta(hours=48, minutes=2))
    fine = Fine.objects.get(order=order)
    assert (fine.amount, fine.currency, fine.status) == (Decimal("19800.00"), "AUD", "proposed")
    assert fine.letter.legal_basis.startswith("Online Safety Act 2021 (Cth) s 82")
    fine_approve(fine=fine, actor=Actor.staff(supervisor), reason="Infringement notice.")
    fine_letter = OfficialLetter.objects.get(kind=OfficialLetter.Kind.FINE, object_id=str(fine.pk))
    facts = letter_facts(letter=fine_letter)
    assert facts.legal_basis.startswith("Online Safety Act 2021 (Cth) s 82")
    assert facts.details["computation"] == "Fixed amount for the order: AUD 19,800.00"

    summary = _sweep_at(T0 + timedelta(hours=72, minutes=3))
    order.refresh_from_db()
    assert summary.orders_escalated == 1  # the ladder's end: the clock stops, nothing more
    assert (order.status, order.escalation_level, order.due_at) == ("fined", 2, None)
    assert not AccessBlock.objects.filter(platform=platform).exists()


def test_dsa_fine_then_a_periodic_penalty_until_compliance_then_its_total(
    make_platform, make_order, officer, supervisor
):
    platform = make_platform(escalation_policy=_policy("EU Digital Services Act"))
    _declare(platform, officer, "3650000000.00", "EUR")  # 10,000,000.00 a day on average
    with time_machine.travel(T0, tick=False):
        order = make_order(platform=platform)
    _sweep_at(T0 + timedelta(hours=24, minutes=1))
    assert WarningLetter.objects.get(order=order, level=1).legal_basis.startswith(
        "EU DSA Art. 51(2)(b)"
    )
    _sweep_at(T0 + timedelta(hours=48, minutes=2))
    fine = Fine.objects.get(order=order)
    assert (fine.amount, fine.status) == (Decimal("219000000.00"), "proposed")
    assert fine.computation.startswith("6% of turnover EUR 3,650,000,000.00")

    started = T0 + timedelta(hours=120, minutes=3)  # the fine rung's 72 hours later
    _sweep_at(started)
    penalty = PeriodicPenalty.objects.get(order=order)
    assert (penalty.daily_amount, penalty.currency, penalty.started_at) == (
        Decimal("500000.00"),
        "EUR",
        started,
    )
    assert penalty.computation.startswith(
        "5% of average daily turnover (EUR 3,650,000,000.00 over 365 days"
    )
    words = _letter_words(penalty.letter)
    assert any("EUR 500,000 accrues for each day begun" in p for p in words)
    order.refresh_from_db()
    assert (order.status, order.escalation_level) == ("fined", 3)

    # Days pass with the content up: the penalty accrues, nothing is fined yet.
    _sweep_at(started + timedelta(days=1, hours=1))
    assert Fine.objects.filter(order=order).count() == 1

    # Complied 2 days and 5 hours in: three days begun.
    _comply(order, started + timedelta(days=2, hours=5))
    penalty.refresh_from_db()
    assert penalty.stopped_at == started + timedelta(days=2, hours=5)
    out = StringIO()
    call_command(
        "escalate", "--dry-run", f"--now={started + timedelta(days=2, hours=6)}", stdout=out
    )
    assert (
        f"periodic penalty of {penalty.letter.number} on {order.reference}: totalled into a fine, "
        "3 day(s) begun"
    ) in out.getvalue()
    assert PeriodicPenalty.objects.get(pk=penalty.pk).status == "accruing"  # nothing changed
    summary = _sweep_at(started + timedelta(days=2, hours=6))
    assert summary.penalties_settled == 1
    penalty.refresh_from_db()
    total = penalty.fine
    assert (penalty.status, total.amount, total.status) == (
        "totalled",
        Decimal("1500000.00"),
        "proposed",
    )
    assert total.letter_id == penalty.letter_id
    assert "3 day(s) begun" in total.computation
    assert total.computation.endswith("x EUR 500,000.00 = EUR 1,500,000.00")
    assert DecisionRecord.objects.filter(action="penalty.total", object_id=str(order.pk)).exists()

    fine_approve(fine=total, actor=Actor.staff(supervisor), reason="Periodic penalty totalled.")
    letter = OfficialLetter.objects.get(kind=OfficialLetter.Kind.FINE, object_id=str(total.pk))
    facts = letter_facts(letter=letter)
    assert facts.legal_basis.startswith("EU DSA Art. 51(2)(d) and 52(4)")
    assert facts.amount == Decimal("1500000.00")

    # Settled once: a later sweep adds nothing.
    assert _sweep_at(started + timedelta(days=4)).penalties_settled == 0
    assert Fine.objects.filter(order=order).count() == 2


def test_dsa_last_rung_asks_for_a_restriction_of_access(make_platform, make_order, officer):
    platform = make_platform(escalation_policy=_policy("EU Digital Services Act"))
    _declare(platform, officer, "365000000.00", "EUR")
    with time_machine.travel(T0, tick=False):
        order = make_order(platform=platform)
    moment = T0
    for hours in (24, 24, 72, 168):
        moment += timedelta(hours=hours, minutes=1)
        _sweep_at(moment)
    block = AccessBlock.objects.get(platform=platform)
    assert block.status == "proposed"
    record = DecisionRecord.objects.filter(
        object_id=str(order.pk), action="removalorder.escalate"
    ).last()
    assert record.legal_basis.startswith("EU DSA Art. 51(3)(b)")
    # The penalty keeps accruing while the block is decided: only compliance stops it.
    assert PeriodicPenalty.objects.get(order=order).stopped_at is None


def test_a_withdrawn_orders_penalty_is_void(make_platform, make_order, officer):
    platform = make_platform(escalation_policy=_policy("EU Digital Services Act"))
    _declare(platform, officer, "365000000.00", "EUR")
    with time_machine.travel(T0, tick=False):
        order = make_order(platform=platform)
    moment = T0
    for hours in (24, 24, 72):
        moment += timedelta(hours=hours, minutes=1)
        _sweep_at(moment)
    with time_machine.travel(moment + timedelta(days=3), tick=False):
        notices.order_withdraw(order=order, actor=Actor.staff(officer), reason="Wrong platform.")
    assert _sweep_at(moment + timedelta(days=3, hours=1)).penalties_settled == 1
    penalty = PeriodicPenalty.objects.get(order=order)
    assert (penalty.status, penalty.fine) == ("void", None)
    assert Fine.objects.filter(order=order).count() == 1  # the 6% fine only


def test_a_penalty_with_a_cap_stops_growing_at_it(make_platform, make_order, supervisor):
    policy = EscalationPolicy(
        name="Daily penalty",
        currency="GBP",
        fines_only_ugc=False,
        ladder=[
            {
                "action": "warning_fine",
                "period_hours": 24,
                "fine": {"rule": "periodic", "amount": "1000.50", "cap": "2500"},
            }
        ],
    )
    policy_save(policy=policy, actor=Actor.staff(supervisor))
    with time_machine.travel(T0, tick=False):
        order = make_order(platform=make_platform(escalation_policy=policy))
    started = T0 + timedelta(hours=24, minutes=1)
    _sweep_at(started)
    _comply(order, started + timedelta(days=9))
    _sweep_at(started + timedelta(days=9, minutes=1))
    fine = PeriodicPenalty.objects.get(order=order).fine
    assert (fine.amount, fine.status) == (Decimal("2500.00"), "assessed")
    assert fine.computation.endswith("= GBP 9,004.50; at most GBP 2,500.00: GBP 2,500.00")
    assert OfficialLetter.objects.filter(kind="fine_assessment", object_id=str(fine.pk)).exists()


def test_osa_provisional_notice_penalty_with_its_floor_then_business_disruption(
    make_platform, make_order, officer
):
    platform = make_platform(escalation_policy=_policy("UK Online Safety Act"))
    _declare(platform, officer, "100000000.00", "GBP")
    with time_machine.travel(T0, tick=False):
        order = make_order(platform=platform)
    _sweep_at(T0 + timedelta(hours=24, minutes=1))
    first = WarningLetter.objects.get(order=order, level=1)
    assert first.legal_basis == "UK OSA s 130 (provisional notice of contravention)"
    assert first.response_due_at == T0 + timedelta(hours=96, minutes=1)
    _sweep_at(T0 + timedelta(hours=96, minutes=2))
    fine = Fine.objects.get(order=order)
    assert (fine.amount, fine.currency, fine.status) == (Decimal("18000000"), "GBP", "proposed")
    assert fine.computation.endswith("at least GBP 18,000,000.00: GBP 18,000,000.00")
    _sweep_at(T0 + timedelta(hours=264, minutes=3))
    assert AccessBlock.objects.get(platform=platform).status == "proposed"


def test_an_order_under_a_further_profile_of_its_platform(make_platform, officer):
    dsa = _policy("EU Digital Services Act")
    platform = make_platform()  # under the default (MR5)
    actor = Actor.staff(officer)
    domain = platform.domains.values_list("domain", flat=True).first()
    draft = {
        "actor": actor,
        "platform": platform,
        "agency": Agency.objects.get(kind="ministry"),
        "category": ContentCategory.objects.get(code="ncii"),
        "legal_basis": "EU DSA Art. 9",
        "items": [notices.ItemInput(url=f"https://{domain}/v/1")],
    }
    with pytest.raises(ValidationError) as refused:
        notices.order_create(**draft, policy=dsa)
    assert "escalation_policy" in refused.value.message_dict
    assert not platform.orders.exists()

    registry.platform_record_save(platform=platform, actor=actor, record={"profiles": [dsa]})
    assert DecisionRecord.objects.filter(
        object_id=str(platform.pk), reason="Also under: EU Digital Services Act."
    ).exists()
    with time_machine.travel(T0, tick=False):
        order = notices.order_issue(order=notices.order_create(**draft, policy=dsa), actor=actor)
        mr5_order = notices.order_issue(order=notices.order_create(**draft), actor=actor)
    assert order.policy_version.policy == dsa
    assert order.due_at == T0 + timedelta(hours=24)
    assert mr5_order.policy_version.policy.name == mr5.NAME


@pytest.mark.parametrize(
    ("step", "problem"),
    [
        (
            {"action": "warning", "period_hours": 1, "needs_approval": True},
            "Step 1: only warning_fine steps carry a fine.",
        ),
        (
            {
                "action": "warning_fine",
                "period_hours": 1,
                "fine": {"rule": "fixed", "amount": "1"},
                "needs_approval": "yes",
            },
            "Step 1: needs_approval is true or false.",
        ),
        (
            {"action": "warning_fine", "period_hours": 1, "fine": {"rule": "periodic"}},
            "Step 1: fine.amount: give a periodic rule's amount a day, or its share, once.",
        ),
        (
            {
                "action": "warning_fine",
                "period_hours": 1,
                "fine": {"rule": "periodic", "share": "0.05", "amount": "10"},
            },
            "Step 1: fine.amount: give a periodic rule's amount a day, or its share, once.",
        ),
    ],
)
def test_an_incomplete_profile_rung_is_refused_naming_it(step, problem):
    with pytest.raises(ValidationError) as refused:
        ladder_validate([step])
    assert problem in refused.value.message_dict["ladder"]
