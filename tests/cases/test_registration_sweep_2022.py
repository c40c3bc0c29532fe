"""The registration sweep of July 2022, replayed with the real dates.

The deadline to register was 20 July; letters on 22 July gave 5 working days, ending Friday
29 July 23:59 WIB; platforms still unregistered were blocked on 30 July, without fines; one
that registered in time was not; Steam and Yahoo were normalized on 2 August once registered;
PayPal was opened temporarily from 31 July 08:00 to 5 August 23:59 WIB while its registration
was completed.
"""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.exceptions import ValidationError

from compliance.kernel.actors import Actor
from compliance.models import AccessBlock, BlockOpening, DecisionRecord, EscalationPolicy, Fine
from compliance.policies.services import policy_save
from compliance.sanctions import services as sanctions
from compliance.sweep.jobs import sweep_all
from registry import services as registry
from registry.models import Platform

pytestmark = pytest.mark.django_db
WIB = ZoneInfo("Asia/Jakarta")


def at(day: str, hour: int = 10, minute: int = 0) -> datetime:
    return datetime.fromisoformat(f"2022-{day}").replace(hour=hour, minute=minute, tzinfo=WIB)


def feed(api) -> list[str]:
    return api.get("/api/v1/blocklist.txt").content.decode().split()


def test_registration_sweep_july_2022(make_platform, client_for, officer, supervisor, supervisor2):
    staff, boss, other_boss = (Actor.staff(u) for u in (officer, supervisor, supervisor2))
    policy = EscalationPolicy.objects.get(is_default=True)
    policy.unregistered_notice_days = 5
    policy.registration_period_unit = "working_days"
    policy_save(policy=policy, actor=boss)
    with time_machine.travel(at("07-20"), tick=False):
        names = ("Steam", "Yahoo", "PayPal", "Epic")
        platforms = {
            name: make_platform(name=name, registered=False, domains=[f"{name.lower()}.example"])
            for name in names
        }
    isp = client_for(make_platform(name="Some ISP"))

    # 22 July: one notice to every unregistered platform: 5 working days, to 29 July 23:59.
    with time_machine.travel(at("07-22"), tick=False):
        notified = registry.platforms_notify_unregistered(
            actor=staff, reason="The registration deadline of 20 July has passed."
        )
    assert {p.name for p in notified} == set(names)
    deadline = at("07-29", 23, 59).replace(second=59, microsecond=999999)
    assert {p.fault_due_at for p in Platform.objects.filter(name__in=names)} == {deadline}

    # Epic registers in time.
    with time_machine.travel(at("07-27"), tick=False):
        epic = registry.platform_file_application(platform=platforms["Epic"], actor=staff)
        epic = registry.platform_approve(platform=epic, actor=staff)
    assert (epic.status, epic.fault_due_at) == ("registered", None)

    # Friday 29 July 23:59: still within the period.
    with time_machine.travel(at("07-29", 23, 59), tick=False):
        assert sweep_all().registration_faults == 0

    # 30 July: blocks for the three still unregistered, no fines; a supervisor puts them in
    # force (four-eyes: the sweep proposed them).
    with time_machine.travel(at("07-30", 0, 1), tick=False):
        assert sweep_all().registration_faults == 3
    blocks = {b.platform.name: b for b in AccessBlock.objects.select_related("platform")}
    assert set(blocks) == {"Steam", "Yahoo", "PayPal"}
    assert {b.cause for b in blocks.values()} == {"registration"}
    assert not Fine.objects.exists()
    with time_machine.travel(at("07-30", 9), tick=False):
        for block in blocks.values():
            sanctions.access_block_approve(block=block, actor=boss, reason="Unregistered.")
        # PayPal: opened from 31 July 08:00 to 5 August 23:59 while it completes its record.
        sanctions.access_block_open_temporarily(
            block=blocks["PayPal"],
            actor=boss,
            opens_at=at("07-31", 8),
            closes_at=at("08-05", 23, 59),
            reason="Payments of Indonesian users; registration being completed.",
        )
        assert feed(isp) == ["paypal.example", "steam.example", "yahoo.example"]
    with time_machine.travel(at("07-31", 9), tick=False):
        assert feed(isp) == ["steam.example", "yahoo.example"]

    # Steam and Yahoo register while blocked; normalized on 2 August, not before approval.
    with time_machine.travel(at("08-01"), tick=False):
        for name in ("Steam", "Yahoo"):
            registry.platform_file_application(
                platform=platforms[name], actor=Actor.of_platform(platforms[name])
            )
        early = sanctions.normalization_request_file(
            platform=platforms["Steam"], actor=Actor.of_platform(platforms["Steam"]),
            statement="Registered.",
        )  # fmt: skip
        with pytest.raises(ValidationError, match="not registered"):
            sanctions.normalization_grant(request=early, actor=other_boss, reason="Too soon.")
        sanctions.normalization_refuse(request=early, actor=other_boss, reason="Not approved yet.")
    with time_machine.travel(at("08-02"), tick=False):
        for name in ("Steam", "Yahoo"):
            platform = registry.platform_approve(platform=platforms[name], actor=staff)
            assert (platform.status, bool(platform.registration_number)) == ("blocked", True)
            request = sanctions.normalization_request_file(
                platform=platform, actor=Actor.of_platform(platform), statement="Registered."
            )
            sanctions.normalization_grant(request=request, actor=other_boss, reason="Registered.")
        assert feed(isp) == []
    for name in ("Steam", "Yahoo"):
        platforms[name].refresh_from_db()
        assert platforms[name].status == "registered"

    # PayPal completes its registration on 4 August: at the window's end its access stays
    # open, and the normalization is decided as for the others.
    with time_machine.travel(at("08-04"), tick=False):
        paypal = registry.platform_file_application(platform=platforms["PayPal"], actor=staff)
        paypal = registry.platform_approve(platform=paypal, actor=staff)
    with time_machine.travel(at("08-06", 0, 1), tick=False):
        assert sweep_all().openings_ended == 1
        assert feed(isp) == []
    assert BlockOpening.objects.get().outcome == "cured"
    assert DecisionRecord.objects.filter(
        action="accessblock.opening_end", object_id=str(blocks["PayPal"].pk)
    ).exists()
    with time_machine.travel(at("08-08"), tick=False):
        request = sanctions.normalization_request_file(
            platform=paypal, actor=Actor.of_platform(paypal), statement="Registered."
        )
        sanctions.normalization_grant(request=request, actor=other_boss, reason="Registered.")
    paypal.refresh_from_db()
    assert paypal.status == "registered"
    assert Platform.objects.get(name="Epic").times_blocked == 0
