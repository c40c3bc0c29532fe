"""The sweep fining by a rule other than an amount per item: a share of the platform's declared
worldwide turnover (with the UK OSA's floor), and a fixed amount per order. The fine's
computation is kept and printed on its letter; without the turnover the order is not
escalated at all (retried, never fined zero) until one is declared."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
import time_machine
from django.core.exceptions import ValidationError

from compliance.documents.facts import letter_facts
from compliance.documents.text import letter_text
from compliance.kernel.actors import Actor
from compliance.models import EscalationPolicy, Fine, OfficialLetter
from compliance.policies.services import policy_save
from compliance.sweep.jobs import sweep_all
from registry import standing

T0 = datetime(2026, 6, 1, 2, 0, tzinfo=UTC)
OSA_LIKE = [
    {"action": "warning", "period_hours": 24},
    {
        "action": "warning_fine",
        "period_hours": 24,
        "fine": {"rule": "turnover_share", "share": "0.10", "floor": "18000000"},
        "legal_basis": "UK OSA s. 137 and Sch. 13 para. 4 (penalty)",
    },
]


def _sweep_at(moment: datetime):
    with time_machine.travel(moment, tick=False):
        return sweep_all()


@pytest.fixture
def policy(supervisor):
    policy = EscalationPolicy(
        name="OSA-like", ladder=OSA_LIKE, currency="GBP", fines_only_ugc=False
    )
    policy_save(policy=policy, actor=Actor.staff(supervisor))
    return policy


def _declare(platform, officer, amount: str, currency: str = "GBP"):
    with time_machine.travel(T0, tick=False):
        standing.turnover_declare(
            actor=Actor.staff(officer),
            platform=platform,
            amount=amount,
            currency=currency,
            period_start=date(2025, 1, 1),
            period_end=date(2025, 12, 31),
            source="Annual report 2025",
        )


def test_a_share_of_turnover_with_its_computation_on_the_letter(
    policy, make_platform, make_order, officer
):
    platform = make_platform(escalation_policy=policy)
    _declare(platform, officer, "412345678.91")
    with time_machine.travel(T0, tick=False):
        order = make_order(platform=platform)
    _sweep_at(T0 + timedelta(hours=24, minutes=1))
    _sweep_at(T0 + timedelta(hours=48, minutes=2))
    fine = Fine.objects.get(order=order)
    assert (fine.amount, fine.currency, fine.item_amounts) == (Decimal("41234567.89"), "GBP", {})
    assert fine.computation.startswith("10% of turnover GBP 412,345,678.91 (2025-01-01 to")
    letter = OfficialLetter.objects.get(
        kind=OfficialLetter.Kind.WARNING, object_id=str(fine.letter_id)
    )
    words = letter_text(letter_facts(letter=letter))
    assert any("GBP 412,345,678.91" in p and "worked out" in p for p in words.paragraphs)


def test_the_floor_when_the_turnover_is_small(policy, make_platform, make_order, officer):
    platform = make_platform(escalation_policy=policy)
    _declare(platform, officer, "20000000")
    with time_machine.travel(T0, tick=False):
        order = make_order(platform=platform)
    _sweep_at(T0 + timedelta(hours=24, minutes=1))
    _sweep_at(T0 + timedelta(hours=48, minutes=2))
    assert Fine.objects.get(order=order).amount == Decimal("18000000")


@pytest.mark.parametrize("declared", [None, "EUR"], ids=["none", "other-currency"])
def test_without_the_turnover_it_needs_the_order_waits_unfined(
    policy, make_platform, make_order, officer, declared
):
    platform = make_platform(escalation_policy=policy)
    if declared:
        _declare(platform, officer, "500000000", currency=declared)
    with time_machine.travel(T0, tick=False):
        order = make_order(platform=platform)
    _sweep_at(T0 + timedelta(hours=24, minutes=1))  # the warning needs no turnover
    due = T0 + timedelta(hours=48, minutes=2)
    summary = _sweep_at(due)
    assert (summary.orders_escalated, summary.orders_failed) == (0, 1)
    order.refresh_from_db()
    assert (order.status, order.escalation_level) == ("warned", 1)
    assert not Fine.objects.exists()
    _declare(platform, officer, "300000000")
    _sweep_at(due + timedelta(hours=1))
    assert Fine.objects.get(order=order).amount == Decimal("30000000.00")


def test_a_fixed_amount_per_order(make_platform, make_order, supervisor):
    policy = EscalationPolicy(
        name="Civil penalty",
        currency="AUD",
        fines_only_ugc=False,
        ladder=[
            {
                "action": "warning_fine",
                "period_hours": 24,
                "fine": {"rule": "fixed", "amount": "782500"},
            }
        ],
    )
    policy_save(policy=policy, actor=Actor.staff(supervisor))
    with time_machine.travel(T0, tick=False):
        order = make_order(platform=make_platform(escalation_policy=policy))
    _sweep_at(T0 + timedelta(hours=24, minutes=1))
    fine = Fine.objects.get(order=order)
    assert (fine.amount, fine.currency) == (Decimal("782500"), "AUD")
    assert fine.computation == "Fixed amount for the order: AUD 782,500.00"


@pytest.mark.parametrize(
    ("fine", "problem"),
    [
        ({"rule": "turnover_share"}, "Step 1: fine.share: required for a turnover_share rule."),
        ({"rule": "fixed", "amount": "-1"}, "Step 1: fine.amount: a positive number."),
    ],
)
def test_an_incomplete_fine_rule_is_refused_naming_it(supervisor, fine, problem):
    policy = EscalationPolicy(
        name="Broken", ladder=[{"action": "warning_fine", "period_hours": 1, "fine": fine}]
    )
    with pytest.raises(ValidationError) as refused:
        policy_save(policy=policy, actor=Actor.staff(supervisor))
    assert problem in refused.value.message_dict["ladder"]
    assert not EscalationPolicy.objects.filter(name="Broken").exists()
