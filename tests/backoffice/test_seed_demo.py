from django.contrib.auth.models import User
from django.core.management import call_command
from django.utils import timezone

from compliance.kernel.decisions import decision_chain_verify
from compliance.models import DecisionRecord
from fingerprints.models import HashList
from notices.models import RemovalOrder
from registry.models import Platform
from transparency.models import Aggregate
from transparency.periods import Period, PeriodKind


def test_seed_demo_is_idempotent_and_prints_logins(db, capsys):
    call_command("seed_demo")
    first = capsys.readouterr().out
    counts = (User.objects.count(), Platform.objects.count(), DecisionRecord.objects.count())
    orders = RemovalOrder.objects.count()

    call_command("seed_demo")
    second = capsys.readouterr().out

    assert counts == (
        User.objects.count(),
        Platform.objects.count(),
        DecisionRecord.objects.count(),
    )
    assert orders == RemovalOrder.objects.count()
    assert counts[1] == 4
    assert "0 users, 0 platforms, 0 removal orders and 0 hash lists created" in second
    assert HashList.objects.get().entries.count() == 3
    assert RemovalOrder.objects.count() == 5
    assert set(RemovalOrder.objects.values_list("status", flat=True)) == {
        "draft",
        "issued",
        "acknowledged",
        "complied",
    }
    for text in (first, second):
        assert "officer" in text
        assert "demo-officer-2026" in text
    assert User.objects.get(username="supervisor").groups.get().name == "supervisor"
    assert Platform.objects.get(name="Judi Lucky88").status == "unregistered"
    assert Platform.objects.filter(status="registered").count() == 3
    assert decision_chain_verify().ok
    # The public page shows the demo's month at once.
    month = Period.containing(timezone.now(), PeriodKind.MONTH)
    assert (
        Aggregate.objects.filter(
            period_kind="month",
            period_start=month.start,
            metric="orders_issued",
            platform=None,
            dimension="",
        )
        .get()
        .value
        == 4
    )
    assert User.objects.get(username="officer").check_password("demo-officer-2026")
