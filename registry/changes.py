"""Registration changes a platform declares and submits itself (MR5 Art. 5), and the officer's
decision on them. One keyword-only function per action, atomic and recorded on the platform.

The record a platform submits is kept on the change as given (after validation); the registered
record changes only when an officer accepts it. Submitting stops the registration fault clock,
since the platform did what the period asked of it; asking for more starts the clock again.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from compliance.kernel.actions import Action
from compliance.kernel.actors import Actor
from compliance.kernel.decisions import decision_record_append
from compliance.kernel.errors import TransitionNotAllowed, require_reason
from compliance.policies import citations
from registry.hostnames import hostname_normalize
from registry.models import (
    MANAGE,
    Platform,
    PlatformContact,
    PlatformDomain,
    RegistrationChange,
    RegistrationStatus,
)
from registry.services import fault_clock_set, platform_accept_update, platform_require_update
from registry.signals import registration_change_decided

# What a platform may correct itself; its policy, status and numbers are the regulator's.
RECORD_FIELDS = (
    "name",
    "legal_name",
    "sector",
    "business_model",
    "is_ugc",
    "country",
    "leadership",
    "incorporation_number",
    "incorporation_date",
    "user_count",
    "personal_data_processed",
    "data_location",
)
LISTS = ("domains", "contacts")
CONTACT_FIELDS = ("name", "role", "email", "phone")
MAX_DOMAINS = 50
MAX_CONTACTS = 20

# A platform may declare a change while registered, or put right a record found out of date.
DECLARABLE = (
    RegistrationStatus.REGISTERED,
    RegistrationStatus.UPDATE_REQUIRED,
    RegistrationStatus.WARNED,
)


def _value(name: str, value: Any) -> Any:
    """A record value as the model holds it: the date travels as ISO text."""
    if name == "incorporation_date" and isinstance(value, str):
        try:
            return date.fromisoformat(value)
        except ValueError:
            return value  # full_clean names the field
    return value


def registration_record_check(*, platform: Platform, record: dict[str, Any]) -> dict[str, Any]:
    """The submitted record made canonical (domains normalized, the date as ISO text), or a
    ValidationError naming every field that is wrong as `record.<field>[.<index>]`."""
    errors: dict[str, list[str]] = {}
    unknown = sorted(set(record) - set(RECORD_FIELDS) - set(LISTS))
    for name in unknown:
        errors[f"record.{name}"] = [_("Not a registration field a platform may change.")]
    if not record:
        errors["record"] = [_("Submit at least one field of the corrected record.")]
    if errors:
        raise ValidationError(errors)
    clean: dict[str, Any] = {}
    scalars = {name: record[name] for name in RECORD_FIELDS if name in record}
    if scalars:
        probe = Platform.objects.get(pk=platform.pk)
        for name, value in scalars.items():
            setattr(probe, name, _value(name, value))
        try:
            probe.full_clean(exclude=["status", "escalation_policy"])
        except ValidationError as invalid:
            for name, messages in invalid.message_dict.items():
                if name in scalars:
                    errors[f"record.{name}"] = messages
        for name in scalars:
            value = getattr(probe, name)
            clean[name] = value.isoformat() if isinstance(value, date) else value
    if "domains" in record:
        clean["domains"] = _domains_check(platform, record["domains"], errors)
    if "contacts" in record:
        clean["contacts"] = _contacts_check(record["contacts"], errors)
    if errors:
        raise ValidationError(errors)
    return clean


def _domains_check(
    platform: Platform, domains: list[str], errors: dict[str, list[str]]
) -> list[str]:
    if not domains:
        errors["record.domains"] = [_("A registered platform has at least one domain.")]
    if len(domains) > MAX_DOMAINS:
        errors["record.domains"] = [_("At most %(n)d domains.") % {"n": MAX_DOMAINS}]
    names: list[str] = []
    for index, domain in enumerate(domains[:MAX_DOMAINS]):
        try:
            names.append(hostname_normalize(domain))
        except ValidationError as invalid:
            errors[f"record.domains.{index}"] = invalid.messages
    taken = (
        PlatformDomain.objects.filter(domain__in=names)
        .exclude(platform=platform)
        .values_list("domain", flat=True)
    )
    for domain in taken:
        errors[f"record.domains.{names.index(domain)}"] = [
            _("%(domain)s is registered to another platform.") % {"domain": domain}
        ]
    if len(set(names)) != len(names):
        errors.setdefault("record.domains", []).append(_("A domain is listed twice."))
    return names


def _contacts_check(
    contacts: list[dict[str, str]], errors: dict[str, list[str]]
) -> list[dict[str, str]]:
    if not contacts:
        errors["record.contacts"] = [_("A registered platform has at least one contact.")]
    if len(contacts) > MAX_CONTACTS:
        errors["record.contacts"] = [_("At most %(n)d contacts.") % {"n": MAX_CONTACTS}]
    clean = []
    for index, given in enumerate(contacts[:MAX_CONTACTS]):
        contact = PlatformContact(**{name: given.get(name, "") for name in CONTACT_FIELDS})
        try:
            contact.full_clean(exclude=["platform"])
        except ValidationError as invalid:
            for name, problems in invalid.message_dict.items():
                errors[f"record.contacts.{index}.{name}"] = problems
        clean.append({name: getattr(contact, name) for name in CONTACT_FIELDS})
    return clean


def _record(
    actor: Actor, platform: Platform, change: RegistrationChange, action: Action, reason: str
) -> None:
    decision_record_append(
        actor=actor,
        subject=platform,
        action=action,
        from_state=platform.status,
        to_state=platform.status,
        legal_basis=citations.REGISTRATION_CHANGE,
        reason=reason,
        links=[change],
    )


def _clock_stop(platform: Platform) -> None:
    Platform.objects.filter(pk=platform.pk).update(fault_due_at=None)


def registration_change_declare(
    *,
    platform: Platform,
    actor: Actor,
    description: str,
    record: dict[str, Any] | None = None,
) -> RegistrationChange:
    """Declare a change of registration data. A registered platform moves to `update_required`
    and its fault clock starts; with the corrected record given at once, it is submitted in the
    same step and the clock stops."""
    actor.require_for_platform(platform.pk, "registry.change_platform")
    if not description.strip():
        raise ValidationError({"description": [_("Say what changed.")]})
    with transaction.atomic():
        locked = Platform.objects.select_for_update().get(pk=platform.pk)
        if locked.status not in DECLARABLE:
            raise TransitionNotAllowed(
                _("A change can be declared only by a registered platform."),
                current_state=locked.status,
            )
        clean = (
            registration_record_check(platform=locked, record=record)
            if record is not None
            else None
        )
        if RegistrationChange.objects.filter(
            platform=locked, status__in=RegistrationChange.OPEN
        ).exists():
            raise TransitionNotAllowed(
                _("A change is already open: submit its record or wait for the decision."),
                current_state=locked.status,
            )
        if locked.status == RegistrationStatus.REGISTERED:
            locked = platform_require_update(platform=locked, actor=actor, reason=description)
        now = timezone.now()
        try:
            with transaction.atomic():
                change = RegistrationChange.objects.create(
                    platform=locked, description=description, declared_at=now
                )
        except IntegrityError:  # a concurrent declaration won the one open slot
            raise TransitionNotAllowed(
                _("A change is already open: submit its record or wait for the decision."),
                current_state=locked.status,
            ) from None
        _record(actor, locked, change, Action.REGISTRATION_CHANGE_DECLARE, description)
        if clean is not None:
            change = _submit(change, locked, actor, clean, now)
    return change


def registration_change_submit(
    *, change: RegistrationChange, actor: Actor, record: dict[str, Any]
) -> RegistrationChange:
    """Submit the corrected record of an open change; the fault clock stops."""
    actor.require_for_platform(change.platform_id, "registry.change_platform")
    with transaction.atomic():
        platform = Platform.objects.select_for_update().get(pk=change.platform_id)
        locked = RegistrationChange.objects.select_for_update().get(pk=change.pk)
        if locked.status not in (
            RegistrationChange.Status.AWAITING_DATA,
            RegistrationChange.Status.MORE_REQUESTED,
        ):
            raise TransitionNotAllowed(
                _("This change is not waiting for a record."), current_state=locked.status
            )
        clean = registration_record_check(platform=platform, record=record)
        return _submit(locked, platform, actor, clean, timezone.now())


def _submit(
    change: RegistrationChange,
    platform: Platform,
    actor: Actor,
    clean: dict[str, Any],
    now: datetime,
) -> RegistrationChange:
    change.record = clean
    change.status = RegistrationChange.Status.SUBMITTED
    change.submitted_at = now
    change.submissions += 1
    change.save(update_fields=["record", "status", "submitted_at", "submissions"])
    _clock_stop(platform)
    _record(
        actor,
        platform,
        change,
        Action.REGISTRATION_CHANGE_SUBMIT,
        f"Corrected record submitted: {', '.join(sorted(clean))}.",
    )
    return change


def registration_change_decide_check(*, change: RegistrationChange, actor: Actor) -> None:
    """Whether `actor` may accept or return `change` now (the admin shows its buttons so)."""
    actor.require_perm(MANAGE)
    if change.status != RegistrationChange.Status.SUBMITTED:
        raise TransitionNotAllowed(
            _("Only a submitted change can be decided."), current_state=change.status
        )


def _decidable(change: RegistrationChange, actor: Actor) -> tuple[RegistrationChange, Platform]:
    platform = Platform.objects.select_for_update().get(pk=change.platform_id)
    locked = RegistrationChange.objects.select_for_update().get(pk=change.pk)
    registration_change_decide_check(change=locked, actor=actor)
    return locked, platform


def registration_change_accept(
    *, change: RegistrationChange, actor: Actor, reason: str = ""
) -> RegistrationChange:
    """Accept the submitted record: it replaces the registered fields, domains and contacts it
    names, and a platform held in `update_required` or `warned` is registered again."""
    with transaction.atomic():
        locked, platform = _decidable(change, actor)
        registration_record_check(platform=platform, record=locked.record)
        _apply(platform, locked.record)
        locked.status = RegistrationChange.Status.ACCEPTED
        locked.decided_at = timezone.now()
        locked.decided_by_label = actor.label
        locked.officer_reason = reason
        locked.save(update_fields=["status", "decided_at", "decided_by_label", "officer_reason"])
        _record(
            actor,
            platform,
            locked,
            Action.REGISTRATION_CHANGE_ACCEPT,
            reason or f"Corrected record accepted: {', '.join(sorted(locked.record))}.",
        )
        if platform.status in (RegistrationStatus.UPDATE_REQUIRED, RegistrationStatus.WARNED):
            platform_accept_update(platform=platform, actor=actor, reason=reason)
        registration_change_decided.send(sender=RegistrationChange, change=locked)
    return locked


def _apply(platform: Platform, record: dict[str, Any]) -> None:
    fields = [name for name in RECORD_FIELDS if name in record]
    for name in fields:
        setattr(platform, name, _value(name, record[name]))
    if fields:
        platform.save(update_fields=[*fields, "updated_at"])
    if "domains" in record:
        platform.domains.exclude(domain__in=record["domains"]).delete()
        kept = set(platform.domains.values_list("domain", flat=True))
        PlatformDomain.objects.bulk_create(
            PlatformDomain(platform=platform, domain=d) for d in record["domains"] if d not in kept
        )
    if "contacts" in record:
        platform.contacts.all().delete()
        PlatformContact.objects.bulk_create(
            PlatformContact(platform=platform, **contact) for contact in record["contacts"]
        )


def registration_change_return(
    *, change: RegistrationChange, actor: Actor, reason: str
) -> RegistrationChange:
    """Ask the platform for more: the change waits for a new record and the fault clock runs
    again for the policy's correction period."""
    require_reason(reason)
    with transaction.atomic():
        locked, platform = _decidable(change, actor)
        locked.status = RegistrationChange.Status.MORE_REQUESTED
        locked.decided_at = timezone.now()
        locked.decided_by_label = actor.label
        locked.officer_reason = reason
        locked.save(update_fields=["status", "decided_at", "decided_by_label", "officer_reason"])
        if platform.status in (RegistrationStatus.UPDATE_REQUIRED, RegistrationStatus.WARNED):
            fault_clock_set(platform, days_field="registration_update_days")
            platform.save(update_fields=["fault_due_at", "updated_at"])
        _record(actor, platform, locked, Action.REGISTRATION_CHANGE_RETURN, reason)
        registration_change_decided.send(sender=RegistrationChange, change=locked)
    return locked
