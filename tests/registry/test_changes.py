"""The registration change services: who decides, from which state, and what an accepted
record replaces. The API walk-through is tests/portal/test_platform_changes.py."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from compliance.kernel.actors import Actor
from compliance.kernel.errors import ActionForbidden, RoleForbidden, TransitionNotAllowed
from registry import changes
from registry.models import RegistrationChange


def test_only_a_submitted_change_is_decided_and_only_by_staff(order, officer, auditor):
    change = changes.registration_change_declare(
        platform=order.platform, actor=Actor.of_platform(order.platform), description="x"
    )
    with pytest.raises(TransitionNotAllowed):
        changes.registration_change_accept(change=change, actor=Actor.staff(officer))
    changes.registration_change_submit(
        change=change, actor=Actor.of_platform(order.platform), record={"data_location": "B"}
    )
    with pytest.raises(RoleForbidden):
        changes.registration_change_accept(change=change, actor=Actor.staff(auditor))
    with pytest.raises(ActionForbidden):
        changes.registration_change_accept(change=change, actor=Actor.of_platform(order.platform))


def test_a_platform_not_registered_cannot_declare(make_platform):
    pending = make_platform(registered=False)
    with pytest.raises(TransitionNotAllowed):
        changes.registration_change_declare(
            platform=pending, actor=Actor.of_platform(pending), description="x"
        )
    assert not RegistrationChange.objects.exists()


def test_accepting_replaces_only_what_was_submitted(order, officer):
    platform = order.platform
    change = changes.registration_change_declare(
        platform=platform,
        actor=Actor.of_platform(platform),
        description="New name.",
        record={"legal_name": "PT Baru", "incorporation_date": "2020-02-29"},
    )
    domains = set(platform.domains.values_list("domain", flat=True))
    contacts = list(platform.contacts.values_list("email", flat=True))
    changes.registration_change_accept(change=change, actor=Actor.staff(officer), reason="OK.")
    platform.refresh_from_db()
    assert platform.legal_name == "PT Baru"
    assert str(platform.incorporation_date) == "2020-02-29"
    assert set(platform.domains.values_list("domain", flat=True)) == domains
    assert list(platform.contacts.values_list("email", flat=True)) == contacts
    assert platform.status == "registered"


def test_a_domain_taken_after_submission_is_refused_on_acceptance(order, officer, make_platform):
    platform = order.platform
    change = changes.registration_change_declare(
        platform=platform,
        actor=Actor.of_platform(platform),
        description="New domain.",
        record={"domains": ["late.example"]},
    )
    make_platform(domains=["late.example"])
    with pytest.raises(ValidationError):
        changes.registration_change_accept(change=change, actor=Actor.staff(officer))
    change.refresh_from_db()
    assert change.status == "submitted"
