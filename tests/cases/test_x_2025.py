"""X, 2025 (pornographic content), replayed with the real dates.

Detected and ordered 12 September; the second warning letter (20 September) carried the first
fine; X removed the content two days later, which did not cancel the fine; the fine unpaid,
the third letter (8 October) came for non-payment with a fine of its own, the total being the
fines of letters 2 and 3; the next step threatened was the block, never put in force; X paid
on 12 December and the order closed.

The regulator's periods in that case, as policy data: 4 days to remove, each letter 4 days,
18 days to pay a fine (20 September to 8 October).
"""

from datetime import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine

from compliance.kernel.actors import Actor
from compliance.models import AccessBlock, DecisionRecord, EscalationPolicy, Fine, WarningLetter
from compliance.policies.services import policy_save
from compliance.sanctions.services import access_block_reject, fine_confirm_payment
from compliance.sweep.jobs import sweep_all
from notices import services as notices

pytestmark = pytest.mark.django_db
WIB = ZoneInfo("Asia/Jakarta")


def at(day: str, hour: int = 10) -> datetime:
    return datetime.fromisoformat(f"2025-{day}").replace(hour=hour, tzinfo=WIB)


def sweep(day: str, hour: int = 10):
    with time_machine.travel(at(day, hour), tick=False):
        return sweep_all()


def test_x_2025(make_platform, make_order, client_for, officer, supervisor):
    policy = EscalationPolicy(
        name="MR5 as applied to X, 2025",
        notice_hours=96,
        urgent_notice_hours=4,
        fine_payment_days=18,
        ladder=[
            {"action": "warning", "period_days": 4},
            {"action": "warning_fine", "period_days": 4, "fine_per_item": "100000000",
             "legal_basis": "MR5 Art. 15(10)-(11) (second warning letter with fine)"},
            {"action": "warning_fine", "period_days": 18, "fine_per_item": "200000000",
             "legal_basis": "MR5 Art. 15(10)-(11) (third warning letter, fine unpaid)"},
            {"action": "block_proposal", "period_days": 1},
        ],
    )  # fmt: skip
    policy_save(policy=policy, actor=Actor.staff(supervisor))
    x = make_platform(name="X", is_foreign=True, country="US", escalation_policy=policy,
                      leadership="CEO", incorporation_number="X-INC-1")  # fmt: skip
    api = client_for(x)
    with time_machine.travel(at("09-12"), tick=False):
        order = make_order(platform=x, category="other", urls=[f"https://{x.domains.get()}/p/1"])
    assert order.due_at == at("09-16")

    sweep("09-16")  # letter 1
    sweep("09-20")  # letter 2, the first fine
    order.refresh_from_db()
    assert (order.status, order.escalation_level) == ("fined", 2)
    first = Fine.objects.get(order=order)
    assert (first.amount, first.letter.issued_at) == (Decimal("100000000"), at("09-20"))
    assert first.due_at == at("10-08")

    # X removes the content two days later, through the API: the fine stands.
    with time_machine.travel(at("09-22"), tick=False):
        item = order.items.get()
        response = api.post(
            f"/api/v1/orders/{order.reference}/items/report/",
            {"items": [{"item_id": item.pk, "action": "removed"}]},
            format="json",
        )
    assert response.status_code == 200
    order.refresh_from_db()
    assert order.status == "complied"
    assert sweep("09-24").orders_escalated == 0, "a complied order has no letter deadline"

    # 8 October: the fine unpaid, letter 3 for non-payment with its own fine.
    assert sweep("10-08").fines_overdue == 1
    third = WarningLetter.objects.get(order=order, level=3)
    assert third.issued_at == at("10-08")
    assert third.legal_basis == "MR5 Art. 15(10)-(11) (third warning letter, fine unpaid)"
    second = Fine.objects.get(letter=third)
    assert second.amount == Decimal("200000000")
    assert sum(f.amount for f in Fine.objects.filter(order=order)) == Decimal("300000000")
    order.refresh_from_db()
    assert (order.status, order.escalation_level) == ("complied", 3)
    record = DecisionRecord.objects.filter(object_id=str(order.pk)).last()
    assert record.reason.startswith(f"Fine {first.number} unpaid")

    # 26 October: letter 3's fine unpaid too; the block is the step threatened, proposed,
    # never put in force: the ISPs' feed stays empty and the order shows no block.
    sweep("10-26")
    block = AccessBlock.objects.get(platform=x)
    assert block.status == "proposed"
    assert api.get("/api/v1/blocklist/").json()["count"] == 0
    order.refresh_from_db()
    assert order.status == "complied"

    # 12 December: X pays both fines; an officer confirms; the order closes.
    with time_machine.travel(at("12-12"), tick=False):
        for fine in (first, second):
            declared = api.post(
                f"/api/v1/fines/{fine.pk}/payment/", {"payment_reference": f"X-{fine.pk}"},
                format="json",
            )  # fmt: skip
            assert declared.status_code == 200, declared.content
            fine.refresh_from_db()
            fine_confirm_payment(fine=fine, actor=Actor.staff(officer))
        closed = notices.order_close(order=order, actor=Actor.staff(officer))
        access_block_reject(
            block=block, actor=Actor.staff(supervisor), reason="Both fines paid on 12 December."
        )
    assert closed.status == "closed"
    assert set(Fine.objects.filter(order=order).values_list("status", flat=True)) == {"paid"}
    assert WarningLetter.objects.filter(order=order).count() == 3
    assert list(
        DecisionRecord.objects.filter(object_id=str(order.pk), action="removalorder.escalate")
        .order_by("seq")
        .values_list("created_at", "from_state", "to_state")
    ) == [
        (at("09-16"), "issued", "warned"),
        (at("09-20"), "warned", "fined"),
        (at("10-08"), "complied", "complied"),
        (at("10-26"), "complied", "complied"),
    ]
