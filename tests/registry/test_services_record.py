"""Entering and editing the registration record."""

import pytest
from django.core.exceptions import ValidationError

from compliance.kernel.actors import Actor
from compliance.kernel.errors import ActionForbidden
from compliance.models import DecisionRecord
from registry import services
from registry.models import Platform, PlatformDomain


def test_create_records_the_full_registration_record(officer):
    platform = services.platform_create(
        actor=Actor.staff(officer),
        record={
            "name": "GlobalChat",
            "legal_name": "GlobalChat Pte. Ltd.",
            "sector": "messaging",
            "is_ugc": True,
            "is_foreign": True,
            "country": "SG",
            "leadership": "CEO A. Tan",
            "incorporation_number": "201912345K",
            "user_count": 1000,
            "personal_data_processed": "phone numbers",
            "data_location": "Singapore",
        },
        domains=["GlobalChat.EXAMPLE.", "cdn.globalchat.example"],
        contacts=[
            {
                "name": "Budi",
                "role": "Representative",
                "email": "b@globalchat.example",
                "phone": "+62 21 555 0202",
            }
        ],
    )
    assert platform.status == "unregistered"
    assert sorted(platform.domains.values_list("domain", flat=True)) == [
        "cdn.globalchat.example",
        "globalchat.example",
    ]
    assert platform.contacts.get().email == "b@globalchat.example"
    record = DecisionRecord.objects.get(action="platform.create")
    assert record.to_state == "unregistered"


@pytest.mark.parametrize(
    ("record", "field"),
    [
        ({"country": "Singapore"}, "country"),
        ({"sector": "casino"}, "sector"),
        ({"name": ""}, "name"),
    ],
)
def test_create_with_bad_fields_saves_nothing(officer, record, field):
    base = {"name": "X", "legal_name": "PT X", "sector": "other"}
    with pytest.raises(ValidationError) as error:
        services.platform_create(actor=Actor.staff(officer), record={**base, **record})
    assert field in error.value.message_dict
    assert not Platform.objects.exists()
    assert not DecisionRecord.objects.exists()


def test_bad_or_duplicate_domain_saves_nothing(make_platform, officer):
    make_platform(domains=["taken.example"])
    platforms = Platform.objects.count()
    for domain in ["not a domain", "https://x.example/path", "TAKEN.example"]:
        with pytest.raises(ValidationError):
            services.platform_create(
                actor=Actor.staff(officer),
                record={"name": f"New {domain}", "legal_name": "PT New", "sector": "other"},
                domains=["fine.example", domain],
            )
    assert Platform.objects.count() == platforms
    assert not PlatformDomain.objects.filter(domain="fine.example").exists()


def test_update_names_changed_fields_in_the_record(make_platform, officer):
    platform = make_platform()
    services.platform_update(
        platform=platform,
        actor=Actor.staff(officer),
        changes={"user_count": 5, "name": platform.name},
    )
    record = DecisionRecord.objects.last()
    assert (record.action, record.reason) == ("platform.edit", "Changed user_count.")


def test_auditor_cannot_create_or_edit(make_platform, auditor):
    platform = make_platform()
    with pytest.raises(ActionForbidden):
        services.platform_create(
            actor=Actor.staff(auditor), record={"name": "X", "legal_name": "X", "sector": "other"}
        )
    with pytest.raises(ActionForbidden):
        services.platform_update(
            platform=platform, actor=Actor.staff(auditor), changes={"user_count": 1}
        )
    with pytest.raises(ActionForbidden):
        services.platform_domain_add(
            platform=platform, actor=Actor.staff(auditor), domain="a.example"
        )


def test_domains_are_added_and_removed_with_a_record(make_platform, officer):
    platform = make_platform(domains=[], registered=False)
    domain = services.platform_domain_add(
        platform=platform, actor=Actor.staff(officer), domain="Bücher.example"
    )
    assert domain.domain == "xn--bcher-kva.example"
    services.platform_domain_remove(domain=domain, actor=Actor.staff(officer))
    assert not platform.domains.exists()
    assert DecisionRecord.objects.last().reason == "Removed domain xn--bcher-kva.example."
