"""The deadline sweep: the MR5 ladder, exactly once, with time controlled."""

from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core import mail
from django.core.management import call_command

from compliance.delivery.email import notifications_deliver
from compliance.documents.render import letters_render
from compliance.kernel.actors import Actor
from compliance.kernel.decisions import decision_chain_verify
from compliance.kernel.errors import TransitionNotAllowed
from compliance.models import (
    AccessBlock,
    DecisionRecord,
    EscalationPolicy,
    EscalationPolicyVersion,
    Fine,
    Notification,
    WarningLetter,
)
from compliance.policies.services import policy_save
from compliance.sanctions.services import fine_confirm_payment
from compliance.sweep.claim import orders_sweep
from compliance.sweep.jobs import sweep_all
from notices import services as notices
from notices.models import RemovalOrder
from registry import services as registry

T0 = datetime(2026, 6, 1, 2, 0, tzinfo=UTC)
SECOND = timedelta(seconds=1)


def _issue(make_order, make_platform, *, ugc: bool, urgent: bool, items: int = 2):
    platform = make_platform(is_ugc=ugc)
    domain = platform.domains.get().domain
    with time_machine.travel(T0, tick=False):
        return make_order(
            platform=platform,
            category="terrorism" if urgent else "ncii",
            urls=[f"https://{domain}/v/{n}" for n in range(items)],
        )


def _sweep_at(moment: datetime):
    with time_machine.travel(moment, tick=False):
        return sweep_all()


@pytest.mark.parametrize("urgent", [False, True], ids=["normal", "urgent"])
@pytest.mark.parametrize("ugc", [True, False], ids=["ugc", "not-ugc"])
def test_full_mr5_timeline(make_order, make_platform, ugc, urgent):
    period = timedelta(hours=4 if urgent else 24)
    order = _issue(make_order, make_platform, ugc=ugc, urgent=urgent)
    assert order.due_at == T0 + period

    # A second before the deadline nothing happens; at the deadline the first letter goes.
    assert _sweep_at(T0 + period - SECOND).orders_escalated == 0
    expected = [
        ("warned", 1, None),
        ("fined" if ugc else "warned", 2, Decimal("200000000") if ugc else None),
        ("fined" if ugc else "warned", 3, Decimal("400000000") if ugc else None),
        # The block is proposed: the order stays where the ladder left it until a supervisor
        # puts the block in force.
        ("fined" if ugc else "warned", 3, None),
    ]
    for rung, (status, level, fine) in enumerate(expected, start=1):
        moment = T0 + period * rung
        assert _sweep_at(moment).orders_escalated == 1
        order.refresh_from_db()
        assert (order.status, order.escalation_level) == (status, level), f"rung {rung}"
        if rung < 4:
            assert order.due_at == moment + period
            letter = WarningLetter.objects.get(order=order, level=level)
            assert letter.items_outstanding == 2
            assert letter.number.startswith("WL-2026-")
            assert (Fine.objects.get(letter=letter).amount if fine else None) == fine
        assert _sweep_at(moment).orders_escalated == 0, "a second sweep at once does nothing"

    assert order.due_at is None
    assert WarningLetter.objects.filter(order=order).count() == 3
    assert Fine.objects.filter(order=order).count() == (2 if ugc else 0)
    block = AccessBlock.objects.get(platform=order.platform)
    assert (block.status, list(block.orders.all())) == ("proposed", [order])
    assert _sweep_at(T0 + period * 10).orders_escalated == 0
    assert decision_chain_verify().ok
    events = list(
        Notification.objects.filter(platform=order.platform).values_list("event", flat=True)
    )
    assert sorted(events) == ["order.escalated"] * 4 + ["order.issued"]


def test_fines_are_per_outstanding_item_and_capped(make_order, make_platform, supervisor):
    policy = EscalationPolicy(
        name="Capped",
        ladder=[
            {"action": "warning_fine", "period_hours": 1, "urgent_period_hours": 1,
             "fine_per_item": "300"},
            {"action": "warning_fine", "period_hours": 1, "urgent_period_hours": 1,
             "fine_per_item": "300"},
        ],
        fine_cap_per_item=Decimal("500"),
        currency="EUR",
    )  # fmt: skip
    policy_save(policy=policy, actor=Actor.staff(supervisor))
    platform = make_platform(escalation_policy=policy)
    with time_machine.travel(T0, tick=False):
        order = make_order(
            platform=platform, urls=[f"https://platform1.example/{n}" for n in range(3)]
        )
    first = order.items.first()
    notices.order_items_report(
        order=order,
        actor=Actor.of_platform(platform),
        reports=[notices.ItemReport(item_id=first.pk, action="removed")],
    )
    _sweep_at(T0 + timedelta(hours=24))
    _sweep_at(T0 + timedelta(hours=25))
    fines = list(Fine.objects.filter(order=order).order_by("assessed_at"))
    assert [f.amount for f in fines] == [Decimal("600"), Decimal("400")]
    assert set(fines[1].item_amounts.values()) == {"200"}
    assert fines[0].currency == "EUR"


@pytest.mark.parametrize("rung", [0, 1, 2, 3])
def test_late_compliance_at_each_rung_stops_the_ladder_but_not_the_fines(
    make_order, make_platform, officer, rung
):
    order = _issue(make_order, make_platform, ugc=True, urgent=False)
    for n in range(1, rung + 1):
        _sweep_at(T0 + timedelta(hours=24 * n))
    with time_machine.travel(T0 + timedelta(hours=24 * rung + 1), tick=False):
        order = notices.order_items_report(
            order=order,
            actor=Actor.of_platform(order.platform),
            reports=[notices.ItemReport(item_id=i.pk, action="removed") for i in order.items.all()],
        )
    assert order.status == "complied"
    letters = WarningLetter.objects.filter(order=order).count()
    _sweep_at(T0 + timedelta(days=5))
    assert WarningLetter.objects.filter(order=order).count() == letters
    fines = list(Fine.objects.filter(order=order))
    assert len(fines) == max(rung - 1, 0)
    assert all(f.status == "assessed" for f in fines)
    if fines:
        with pytest.raises(TransitionNotAllowed, match="conditions to close"):
            notices.order_close(order=order, actor=Actor.staff(officer))
        for fine in fines:
            fine_confirm_payment(fine=fine, actor=Actor.staff(officer), payment_reference="TRX-1")
    assert notices.order_close(order=order, actor=Actor.staff(officer)).status == "closed"


def test_paused_orders_are_not_escalated(make_order, make_platform, officer):
    order = _issue(make_order, make_platform, ugc=True, urgent=False)
    with time_machine.travel(T0 + timedelta(hours=1), tick=False):
        notices.order_clock_pause(order=order, actor=Actor.staff(officer), reason="objection")
    assert _sweep_at(T0 + timedelta(days=3)).orders_escalated == 0
    order.refresh_from_db()
    assert order.status == "issued"


def test_unpaid_fine_escalates_the_order_at_once(make_order, make_platform):
    order = _issue(make_order, make_platform, ugc=True, urgent=False)
    _sweep_at(T0 + timedelta(hours=24))
    _sweep_at(T0 + timedelta(hours=48))  # second letter with a fine, payable in 14 days
    fine = Fine.objects.get(order=order)
    # Move the order's own deadline past the fine's, so only the unpaid fine can escalate it.
    RemovalOrder.objects.filter(pk=order.pk).update(due_at=fine.due_at + timedelta(days=30))
    summary = _sweep_at(fine.due_at)
    fine.refresh_from_db()
    order.refresh_from_db()
    assert fine.status == "overdue"
    assert summary.fines_overdue == 1
    assert summary.orders_escalated == 1
    assert (order.status, order.escalation_level) == ("fined", 3)


def test_an_unpaid_fine_climbs_the_ladder_after_the_content_came_down(
    make_order, make_platform, officer, supervisor
):
    """DESIGN §1 (X, 2025): removing the content late does not cancel a fine; left unpaid, it
    brings the next letter with its own fine, and a block proposal only after the last."""
    order = _issue(make_order, make_platform, ugc=True, urgent=False)
    _sweep_at(T0 + timedelta(hours=24))
    _sweep_at(T0 + timedelta(hours=48))
    with time_machine.travel(T0 + timedelta(hours=49), tick=False):
        notices.order_items_report(
            order=order,
            actor=Actor.of_platform(order.platform),
            reports=[notices.ItemReport(item_id=i.pk, action="removed") for i in order.items.all()],
        )
    first = Fine.objects.get(order=order)
    assert first.amount == Decimal("200000000")

    # Rung 3 for non-payment: letter 3 with its fine, on the items the unpaid fine charged.
    _sweep_at(first.due_at)
    order.refresh_from_db()
    assert (order.status, order.escalation_level) == ("complied", 3)
    first.refresh_from_db()
    assert first.status == "overdue"
    letter = WarningLetter.objects.get(order=order, level=3)
    assert letter.items_outstanding == 0
    second = Fine.objects.get(letter=letter)
    assert second.amount == Decimal("400000000")  # 200,000,000 for each of the two items
    assert not AccessBlock.objects.filter(platform=order.platform).exists()
    record = DecisionRecord.objects.filter(object_id=str(order.pk)).last()
    assert (record.action, record.from_state, record.to_state) == (
        "removalorder.escalate",
        "complied",
        "complied",
    )
    assert (
        record.reason == f"Fine {first.number} unpaid at the end of its payment period; letter 3."
    )

    # After the last letter, its fine unpaid too: a block proposal, nothing more.
    _sweep_at(second.due_at)
    block = AccessBlock.objects.get(platform=order.platform)
    assert block.status == "proposed"
    assert f"Fine {second.number} unpaid" in block.reason
    assert WarningLetter.objects.filter(order=order).count() == 3
    order.refresh_from_db()
    assert order.status == "complied"
    assert _sweep_at(second.due_at + timedelta(days=30)).fines_overdue == 0

    # Paying every fine, confirmed by an officer, lets the order close.
    staff = Actor.staff(officer)
    first.refresh_from_db()
    fine_confirm_payment(fine=first, actor=staff, payment_reference="TRX-1")
    with pytest.raises(TransitionNotAllowed):
        notices.order_close(order=order, actor=staff)
    second.refresh_from_db()
    fine_confirm_payment(fine=second, actor=staff, payment_reference="TRX-2")
    assert notices.order_close(order=order, actor=staff).status == "closed"
    assert decision_chain_verify().ok


def test_dry_run_changes_nothing(make_order, make_platform, capsys):
    order = _issue(make_order, make_platform, ugc=True, urgent=False)
    records = DecisionRecord.objects.count()
    report = orders_sweep(now=T0 + timedelta(days=1), dry_run=True)
    assert [(s.reference, s.to_state) for s in report.steps] == [(order.reference, "warned")]
    call_command("escalate", "--dry-run", "--now", (T0 + timedelta(days=1)).isoformat())
    out = capsys.readouterr().out
    assert f"{order.reference}  issued -> warned  (warning, 2 item(s) outstanding)" in out
    assert "1 order(s) due:" in out
    assert "nothing changed" in out
    order.refresh_from_db()
    assert order.status == "issued"
    assert DecisionRecord.objects.count() == records


def test_the_dry_run_shows_everything_the_run_would_do(
    make_order, make_platform, officer, supervisor, capsys
):
    """Unpaid fines, registration faults and late normalizations besides due orders: what
    the run then does, line for line."""
    order = _issue(make_order, make_platform, ugc=True, urgent=False)
    _sweep_at(T0 + timedelta(hours=24))
    _sweep_at(T0 + timedelta(hours=48))
    with time_machine.travel(T0 + timedelta(hours=49), tick=False):
        notices.order_items_report(
            order=order,
            actor=Actor.of_platform(order.platform),
            reports=[notices.ItemReport(item_id=i.pk, action="removed") for i in order.items.all()],
        )
        faulty = make_platform()
        registry.platform_require_update(
            platform=faulty, actor=Actor.staff(officer), reason="Data location missing."
        )
    fine = Fine.objects.get(order=order)
    records = DecisionRecord.objects.count()
    moment = fine.due_at + timedelta(days=30)
    call_command("escalate", "--dry-run", "--now", moment.isoformat())
    out = capsys.readouterr().out
    assert "1 fine(s) unpaid at the end of their period:" in out
    assert (
        f"{fine.number}  assessed -> overdue; {order.reference}: letter 3 with a fine of "
        "400,000,000.00" in out
    )
    assert f"{faulty.name}  update_required: warned" in out
    assert DecisionRecord.objects.count() == records
    summary = _sweep_at(moment)
    assert (summary.fines_overdue, summary.registration_faults) == (1, 1)
    assert WarningLetter.objects.filter(order=order, level=3).exists()


def test_escalate_command_sweeps_as_of_now(make_order, make_platform, capsys):
    order = _issue(make_order, make_platform, ugc=False, urgent=True)
    call_command("escalate", "--now", "2026-06-01T13:00:00+07:00")  # 06:00 UTC: 4 h after T0
    assert "1 order(s) escalated" in capsys.readouterr().out
    order.refresh_from_db()
    assert order.status == "warned"


def test_escalate_command_refuses_a_bad_time():
    from django.core.management import CommandError

    with pytest.raises(CommandError, match="ISO-8601"):
        call_command("escalate", "--now", "yesterday")


def test_a_failing_order_is_pushed_back_and_the_rest_goes_on(make_order, make_platform, caplog):
    good = _issue(make_order, make_platform, ugc=True, urgent=False)
    bad = _issue(make_order, make_platform, ugc=True, urgent=False)
    broken = EscalationPolicyVersion.objects.create(
        policy=bad.policy_version.policy, version=99, terms={"ladder": "not a ladder"}
    )
    RemovalOrder.objects.filter(pk=bad.pk).update(policy_version=broken)
    now = T0 + timedelta(days=1)
    report = orders_sweep(now=now)
    assert (report.escalated, report.failed) == (1, 1)
    good.refresh_from_db()
    bad.refresh_from_db()
    assert good.status == "warned"
    assert (bad.status, bad.due_at) == ("issued", now + timedelta(minutes=5))
    assert "failed" in caplog.text
    assert decision_chain_verify().ok


def test_letters_are_emailed_to_the_contact_persons(make_order, make_platform):
    order = _issue(make_order, make_platform, ugc=True, urgent=False)
    _sweep_at(T0 + timedelta(hours=24))
    _sweep_at(T0 + timedelta(hours=48))
    with time_machine.travel(T0 + timedelta(hours=48), tick=False):
        assert notifications_deliver() == 0  # each waits for its letter's PDF
        letters_render()
        notifications_deliver()
    contact = order.platform.contacts.get().email
    sent = [m for m in mail.outbox if contact in m.to and order.reference in m.subject]
    # Indonesian first, then English, in the subject and the body; the PDF attached.
    assert sent[0].subject.startswith(f"Perintah penghapusan {order.reference} / Removal order")
    assert "Warning letter 1 (WL-2026-" in sent[1].subject
    assert "Surat teguran 2 (WL-2026-" in sent[2].subject
    assert "administrative fine FN-2026-" in sent[2].body
    assert "IDR 200,000,000 " in sent[2].body
    assert "Rp 200.000.000 " in sent[2].body
    assert [name for name, _, _ in sent[2].attachments] == [
        sent[2].subject.split("(")[1].split(")")[0] + ".pdf"
    ]


def test_a_rung_in_working_days_cites_its_own_legal_basis(make_order, make_platform, supervisor):
    policy = EscalationPolicy(
        name="Working days",
        ladder=[
            {"action": "warning", "period_working_days": 5,
             "legal_basis": "MR5 Art. 15(11) (warning, 5 working days)"},
            {"action": "block_proposal", "period_hours": 24},
        ],
    )  # fmt: skip
    policy_save(policy=policy, actor=Actor.staff(supervisor))
    platform = make_platform(escalation_policy=policy)
    with time_machine.travel(T0, tick=False):
        order = make_order(platform=platform)
    # T0 is Monday 1 June 2026, 09:00 in Jakarta: due 09:00 on Tuesday. Letter 1 then runs
    # 5 working days from Tuesday: Wednesday 3 to Tuesday 9 June (no holiday that week).
    _sweep_at(order.due_at)
    letter = WarningLetter.objects.get(order=order)
    assert letter.legal_basis == "MR5 Art. 15(11) (warning, 5 working days)"
    wib = ZoneInfo("Asia/Jakarta")
    assert letter.response_due_at == datetime.combine(date(2026, 6, 9), time.max, tzinfo=wib)
    record = DecisionRecord.objects.filter(object_id=str(order.pk)).last()
    assert record.legal_basis == "MR5 Art. 15(11) (warning, 5 working days)"


def test_an_unpaid_fine_brings_the_next_rung_at_once_while_the_content_is_still_up(
    make_order, make_platform, supervisor
):
    """Letters a month apart, fines payable in 14 days: the fine's end, not the letter's,
    brings the next rung, charged on what is still up."""
    policy = EscalationPolicy(
        name="Slow letters",
        fine_payment_days=14,
        ladder=[
            {"action": "warning", "period_days": 30},
            {"action": "warning_fine", "period_days": 30, "fine_per_item": "1000"},
            {"action": "warning_fine", "period_days": 30, "fine_per_item": "2000"},
            {"action": "block_proposal", "period_days": 1},
        ],
    )
    policy_save(policy=policy, actor=Actor.staff(supervisor))
    platform = make_platform(escalation_policy=policy)
    with time_machine.travel(T0, tick=False):
        order = make_order(platform=platform)
    _sweep_at(order.due_at)  # letter 1
    order.refresh_from_db()
    _sweep_at(order.due_at)  # letter 2 and its fine
    fine = Fine.objects.get(order=order)
    order.refresh_from_db()
    assert order.due_at > fine.due_at
    summary = _sweep_at(fine.due_at)
    assert (summary.fines_overdue, summary.orders_escalated) == (1, 1)
    order.refresh_from_db()
    assert (order.status, order.escalation_level) == ("fined", 3)
    third = Fine.objects.get(letter__level=3, order=order)
    assert third.amount == Decimal("4000")  # 2,000 for each of the two items still up
    summary = _sweep_at(third.due_at)
    assert AccessBlock.objects.get(platform=platform).status == "proposed"
    order.refresh_from_db()
    assert order.status == "fined"
