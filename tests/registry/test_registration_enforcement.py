"""Registration enforcement (MR5 Art. 7): a complete record before approval, a notice to every
unregistered platform at once, and a platform blocked for operating unregistered that applies,
is registered, and is normalized only then."""

import pytest
from django.core.exceptions import ValidationError

from compliance.kernel.actors import Actor
from compliance.kernel.errors import TransitionNotAllowed
from compliance.models import DecisionRecord
from compliance.sanctions.selectors import normalization_blockers
from registry import services
from registry.models import Platform

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("record", "phone", "field"),
    [
        ({"business_model": ""}, None, "business_model"),
        ({"data_location": ""}, None, "data_location"),
        ({"is_foreign": True, "country": "SG", "leadership": "", "incorporation_number": "1"},
         None, "leadership"),
        # X, 2025: a foreign operator without a contact person in Indonesia.
        ({"is_foreign": True, "country": "SG", "leadership": "CEO", "incorporation_number": "1"},
         "+65 6000 0000", "contacts"),
    ],
)  # fmt: skip
def test_approval_needs_a_complete_record(make_platform, officer, record, phone, field):
    platform = make_platform(registered=False, **record)
    if phone:
        platform.contacts.update(phone=phone)
    staff = Actor.staff(officer)
    platform = services.platform_file_application(platform=platform, actor=staff)
    records = DecisionRecord.objects.count()
    with pytest.raises(ValidationError) as refused:
        services.platform_approve(platform=platform, actor=staff)
    assert field in refused.value.message_dict
    platform.refresh_from_db()
    assert (platform.status, platform.registration_number) == ("pending", None)
    assert DecisionRecord.objects.count() == records


def test_every_unregistered_platform_is_notified_at_once(make_platform, officer):
    quiet = [make_platform(registered=False) for _ in range(3)]
    make_platform()  # registered: not concerned
    notified = services.platforms_notify_unregistered(
        actor=Actor.staff(officer), reason="Registration deadline of 20 July passed."
    )
    assert sorted(p.pk for p in notified) == sorted(p.pk for p in quiet)
    assert all(p.fault_due_at for p in Platform.objects.filter(status="unregistered"))
    # Those already under notice are not notified again.
    assert services.platforms_notify_unregistered(actor=Actor.staff(officer), reason="Again.") == []
    with pytest.raises(ValidationError):
        services.platforms_notify_unregistered(actor=Actor.staff(officer), reason="")


def test_a_platform_blocked_for_its_orders_cannot_apply_its_way_out(victim, officer):
    with pytest.raises(TransitionNotAllowed, match="blocked for its orders"):
        services.platform_file_application(platform=victim.platform, actor=Actor.staff(officer))
    block = victim.platform.blocks.get()
    assert "registration" not in " ".join(normalization_blockers(block=block))
