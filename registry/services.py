"""Every write to the registry: one keyword-only function per action, atomic and recorded."""

from __future__ import annotations

import base64
import hashlib
import secrets
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from compliance.kernel.actions import Action
from compliance.kernel.actors import Actor
from compliance.kernel.counters import counter_next
from compliance.kernel.decisions import decision_record_append
from compliance.kernel.destinations import destination_check
from compliance.kernel.errors import ActionForbidden, TransitionNotAllowed, require_reason
from compliance.kernel.letters import letter_issue
from compliance.kernel.models import OfficialLetter
from compliance.kernel.transitions import transition_apply
from compliance.policies import citations
from compliance.policies.calendar import Span, Unit
from compliance.policies.models import EscalationPolicy
from compliance.policies.selectors import calendar_current
from compliance.policies.services import policy_default
from compliance.sanctions.models import AccessBlock, BlockStatus, RegistrationSanction
from registry.hostnames import hostname_normalize
from registry.models import (
    MANAGE,
    ApiKey,
    Platform,
    PlatformApp,
    PlatformContact,
    PlatformDomain,
    RegistrationStatus,
    WebhookEndpoint,
)

RECORD_FIELDS = [
    "name",
    "legal_name",
    "sector",
    "business_model",
    "is_ugc",
    "is_foreign",
    "country",
    "leadership",
    "incorporation_number",
    "incorporation_date",
    "user_count",
    "personal_data_processed",
    "data_location",
    "escalation_policy",
]


# Saved by `platform_record_save` with the record, though not a field of it.
PROFILES = "profiles"


def platform_create(
    *,
    actor: Actor,
    record: dict[str, Any],
    domains: Iterable[str] = (),
    contacts: Iterable[dict[str, str]] = (),
) -> Platform:
    """Enter a platform in the registry as `unregistered`; it files an application next."""
    actor.require_perm("registry.add_platform")
    unknown = set(record) - set(RECORD_FIELDS)
    if unknown:
        raise ValueError(f"not registration record fields: {sorted(unknown)}")
    with transaction.atomic():
        platform = Platform(**record)
        platform.full_clean(exclude=["status"])
        platform.save()
        for domain in domains:
            _domain_save(platform, domain)
        for contact in contacts:
            item = PlatformContact(platform=platform, **contact)
            item.full_clean()
            item.save()
        decision_record_append(
            actor=actor,
            subject=platform,
            action=Action.PLATFORM_CREATE,
            to_state=platform.status,
            legal_basis=citations.REGISTRATION,
            reason="Entered in the registry.",
        )
    return platform


def platform_update(*, platform: Platform, actor: Actor, changes: dict[str, Any]) -> Platform:
    """Change registration record fields; the record names the fields that changed."""
    actor.require_perm("registry.change_platform")
    unknown = set(changes) - set(RECORD_FIELDS)
    if unknown:
        raise ValueError(f"not registration record fields: {sorted(unknown)}")
    with transaction.atomic():
        locked = Platform.objects.select_for_update().get(pk=platform.pk)
        changed = sorted(f for f, v in changes.items() if getattr(locked, f) != v)
        for field, value in changes.items():
            setattr(locked, field, value)
        locked.full_clean(exclude=["status"])
        locked.save()
        if changed:
            platform_record_edit(
                platform=locked, actor=actor, summary=f"Changed {', '.join(changed)}."
            )
    return locked


Related = PlatformDomain | PlatformContact | PlatformApp


@dataclass
class RelatedChanges:
    """Edits of one kind of a platform's rows (its domains, contacts or apps), as one inline
    form of the admin collects them: rows added or changed (not saved yet), rows to remove."""

    saved: list[Related] = field(default_factory=list)
    removed: list[Related] = field(default_factory=list)


def platform_record_save(
    *,
    platform: Platform | None,
    actor: Actor,
    record: dict[str, Any],
    related: Iterable[RelatedChanges] = (),
) -> Platform:
    """Create or edit a registration record with its domains, contacts and apps, all or nothing:
    what one submission of the admin's platform page does. Each kind of row changed gets a
    decision record naming the changes."""
    record = dict(record)
    profiles = record.pop(PROFILES, None)
    with transaction.atomic():
        if platform is None:
            platform = platform_create(actor=actor, record=record)
        else:
            platform = platform_update(platform=platform, actor=actor, changes=record)
        if profiles is not None:
            platform_profiles_set(platform=platform, actor=actor, profiles=profiles)
        for changes in related:
            summary = []
            for row in changes.saved:
                adding = row._state.adding
                row.platform = platform
                if isinstance(row, PlatformDomain):
                    row.domain = hostname_normalize(row.domain)
                row.full_clean()
                row.save()
                summary.append(f"{'added' if adding else 'changed'} {row._meta.verbose_name} {row}")
            for row in changes.removed:
                row.delete()
                summary.append(f"removed {row._meta.verbose_name} {row}")
            if summary:
                platform_record_edit(
                    platform=platform, actor=actor, summary="; ".join(summary).capitalize() + "."
                )
    return platform


def platform_profiles_set(
    *, platform: Platform, actor: Actor, profiles: Iterable[EscalationPolicy]
) -> None:
    """The further policies (other jurisdictions' profiles) the platform is under: an order
    for it may be issued under any of them, or its own."""
    actor.require_perm("registry.change_platform")
    wanted = set(profiles)
    with transaction.atomic():
        before = set(platform.profiles.all())
        if wanted == before:
            return
        platform.profiles.set(wanted)
        names = ", ".join(sorted(p.name for p in wanted)) or "none"
        platform_record_edit(platform=platform, actor=actor, summary=f"Also under: {names}.")


def platform_record_edit(*, platform: Platform, actor: Actor, summary: str) -> None:
    """Record an edit of the registration record (fields, contacts, apps) made by staff."""
    actor.require_perm("registry.change_platform")
    decision_record_append(
        actor=actor,
        subject=platform,
        action=Action.PLATFORM_EDIT,
        from_state=platform.status,
        to_state=platform.status,
        legal_basis=citations.REGISTRATION_CHANGE,
        reason=summary,
    )


def platform_domain_add(*, platform: Platform, actor: Actor, domain: str) -> PlatformDomain:
    """Add a domain; the name is normalized and must not belong to any platform yet."""
    actor.require_perm("registry.change_platform")
    with transaction.atomic():
        item = _domain_save(platform, domain)
        platform_record_edit(platform=platform, actor=actor, summary=f"Added domain {item}.")
    return item


def _domain_save(platform: Platform, domain: str) -> PlatformDomain:
    item = PlatformDomain(platform=platform, domain=hostname_normalize(domain))
    item.full_clean()
    item.save()
    return item


def platform_domain_remove(*, domain: PlatformDomain, actor: Actor) -> None:
    actor.require_perm("registry.change_platform")
    with transaction.atomic():
        platform = domain.platform
        domain.delete()
        platform_record_edit(platform=platform, actor=actor, summary=f"Removed domain {domain}.")


# Registration life cycle (DESIGN §4). Each is one transition through `transition_apply`.


def fault_clock_set(platform: Platform, *, days_field: str | None) -> None:
    """Set (or clear) when the registration-fault sweep next acts, from the platform's policy:
    the policy's `days_field` period from now. The caller saves the platform."""
    if days_field is None:
        platform.fault_due_at = None
        return
    policy = platform.escalation_policy or policy_default()
    period = Span(getattr(policy, days_field), Unit(policy.registration_period_unit))
    platform.fault_due_at = period.after(timezone.now(), calendar_current())


def _fault_clock(days_field: str | None) -> Callable[[Platform], None]:
    def set_clock(locked: Platform) -> None:
        fault_clock_set(locked, days_field=days_field)

    return set_clock


def platform_notify_unregistered_check(*, platform: Platform, actor: Actor) -> None:
    actor.require_perm(MANAGE)
    if platform.status != RegistrationStatus.UNREGISTERED:
        raise TransitionNotAllowed(
            _("%(platform)s is %(status)s, not unregistered.")
            % {"platform": platform, "status": platform.get_status_display().lower()},
            current_state=platform.status,
        )


def platform_notify_unregistered(*, platform: Platform, actor: Actor, reason: str) -> Platform:
    """Tell a platform operating without registration to register; the sweep proposes a block
    when the notice period lapses (MR5 Art. 7)."""
    with transaction.atomic():
        locked = Platform.objects.select_for_update().get(pk=platform.pk)
        platform_notify_unregistered_check(platform=locked, actor=actor)
        require_reason(reason)
        _fault_clock("unregistered_notice_days")(locked)
        locked.save(update_fields=["fault_due_at", "updated_at"])
        decision_record_append(
            actor=actor,
            subject=locked,
            action=Action.PLATFORM_NOTIFY_UNREGISTERED,
            from_state=locked.status,
            to_state=locked.status,
            legal_basis=citations.REGISTRATION_FAULTS,
            reason=f"{reason} Register by {timezone.localtime(locked.fault_due_at):%d %B %Y}.",
        )
    return locked


def platform_file_application(*, platform: Platform, actor: Actor, reason: str = "") -> Platform:
    """The platform applies. A platform blocked for operating unregistered applies too: its
    access stays blocked (and its status `blocked`) until the registration is approved and
    the block normalized."""
    if not _is_blocked(platform):
        return transition_apply(
            obj=platform,
            name="file_application",
            actor=actor,
            legal_basis=citations.REGISTRATION,
            reason=reason,
        )
    actor.require_for_platform(platform.pk, MANAGE)
    with transaction.atomic():
        locked = Platform.objects.select_for_update().get(pk=platform.pk)
        if not _blocked_for_registration(locked):
            raise TransitionNotAllowed(
                _("%(platform)s is blocked for its orders, not for its registration.")
                % {"platform": locked},
                current_state=locked.status,
            )
        if locked.registration_number or locked.registration_filed_at:
            raise TransitionNotAllowed(
                _("%(platform)s has already applied.") % {"platform": locked},
                current_state=locked.status,
            )
        locked.registration_filed_at = timezone.now()
        locked.save(update_fields=["registration_filed_at", "updated_at"])
        decision_record_append(
            actor=actor,
            subject=locked,
            action=Action.PLATFORM_FILE_APPLICATION,
            from_state=locked.status,
            to_state=locked.status,
            legal_basis=citations.REGISTRATION,
            reason=reason or "Application filed while blocked for operating unregistered.",
        )
    return locked


def _is_blocked(platform: Platform) -> bool:
    """From the row, not the caller's copy, which may predate the block."""
    return Platform.objects.filter(pk=platform.pk, status=RegistrationStatus.BLOCKED).exists()


def _blocked_for_registration(platform: Platform) -> bool:
    return AccessBlock.objects.filter(
        platform=platform, status=BlockStatus.IN_FORCE, cause=AccessBlock.Cause.REGISTRATION
    ).exists()


def registration_record_problems(*, platform: Platform) -> dict[str, str]:
    """What a registration record lacks (MR5 Art. 3-4, 25), by field: what approval needs."""
    problems = {}
    for name in (
        "legal_name",
        "sector",
        "business_model",
        "personal_data_processed",
        "data_location",
    ):
        if not getattr(platform, name):
            problems[name] = _("Required for registration.")
    if not platform.domains.exists():
        problems["domains"] = _("Name at least one domain (URL) of the system.")
    contacts = list(platform.contacts.values_list("phone", flat=True))
    if not contacts:
        problems["contacts"] = _("Name a contact person.")
    if platform.is_foreign:
        if not any(phone.replace(" ", "").startswith("+62") for phone in contacts):
            problems["contacts"] = _("A foreign operator names a contact person in Indonesia.")
        for name in ("leadership", "incorporation_number", "country"):
            if not getattr(platform, name):
                problems[name] = _("Required of a foreign operator.")
    return problems


def _record_complete(platform: Platform) -> None:
    problems = registration_record_problems(platform=platform)
    if problems:
        raise ValidationError(problems)


def _issue_registration_number(platform: Platform) -> None:
    platform.fault_due_at = None
    if not platform.registration_number:
        now = timezone.now()
        number = counter_next(name="registration", year=now.year)
        platform.registration_number = f"REG-{now.year}-{number:06d}"
        platform.registered_at = now


def platform_approve(*, platform: Platform, actor: Actor, reason: str = "") -> Platform:
    """Register the platform once its record is complete (ValidationError naming each field
    missing, nothing written); the first approval issues its registration number. A platform
    blocked for operating unregistered that applied gets its number, and stays blocked until
    the block is normalized."""
    _record_complete(platform)
    with transaction.atomic():
        if not _is_blocked(platform):
            platform = transition_apply(
                obj=platform,
                name="approve",
                actor=actor,
                legal_basis=citations.REGISTRATION,
                reason=reason,
                before=_issue_registration_number,
            )
        else:
            platform = _approve_while_blocked(platform, actor=actor, reason=reason)
        _decision_letter(platform, actor=actor, outcome="approved", reason=reason)
    return platform


def _decision_letter(platform: Platform, *, actor: Actor, outcome: str, reason: str) -> None:
    letter_issue(
        kind=OfficialLetter.Kind.REGISTRATION,
        platform=platform,
        source=platform,
        signatory=actor.user,
        facts={"outcome": outcome, "reason": reason},
    )


def _approve_while_blocked(platform: Platform, *, actor: Actor, reason: str) -> Platform:
    actor.require_perm(MANAGE)
    with transaction.atomic():
        locked = Platform.objects.select_for_update().get(pk=platform.pk)
        if locked.registration_filed_at is None or locked.registration_number:
            raise TransitionNotAllowed(
                _("%(platform)s has no application to approve.") % {"platform": locked},
                current_state=locked.status,
            )
        _issue_registration_number(locked)
        locked.save(update_fields=["registration_number", "registered_at", "fault_due_at"])
        decision_record_append(
            actor=actor,
            subject=locked,
            action=Action.PLATFORM_APPROVE,
            from_state=locked.status,
            to_state=locked.status,
            legal_basis=citations.REGISTRATION,
            reason=reason
            or f"Registered as {locked.registration_number}; access returns on normalization.",
        )
    return locked


def platforms_notify_unregistered(*, actor: Actor, reason: str) -> list[Platform]:
    """Notify every platform operating unregistered, at once (July 2022): those not already
    under notice; each gets the policy's period to register."""
    require_reason(reason)
    with transaction.atomic():
        due = Platform.objects.filter(
            status=RegistrationStatus.UNREGISTERED, fault_due_at__isnull=True
        ).order_by("name")
        return [platform_notify_unregistered(platform=p, actor=actor, reason=reason) for p in due]


def platform_reject(*, platform: Platform, actor: Actor, reason: str) -> Platform:
    require_reason(reason)
    with transaction.atomic():
        platform = transition_apply(
            obj=platform,
            name="reject",
            actor=actor,
            legal_basis=citations.REGISTRATION,
            reason=reason,
        )
        _decision_letter(platform, actor=actor, outcome="rejected", reason=reason)
    return platform


def platform_require_update(*, platform: Platform, actor: Actor, reason: str) -> Platform:
    require_reason(reason)
    return transition_apply(
        obj=platform,
        name="require_update",
        actor=actor,
        before=_fault_clock("registration_update_days"),
        legal_basis=citations.REGISTRATION_CHANGE,
        reason=reason,
    )


def platform_accept_update(*, platform: Platform, actor: Actor, reason: str = "") -> Platform:
    return transition_apply(
        obj=platform,
        name="accept_update",
        actor=actor,
        before=_fault_clock(None),
        legal_basis=citations.REGISTRATION_FAULTS,
        reason=reason,
    )


def platform_warn(*, platform: Platform, actor: Actor, reason: str) -> Platform:
    require_reason(reason)
    return transition_apply(
        obj=platform,
        name="warn",
        actor=actor,
        before=_fault_clock("registration_warning_days"),
        legal_basis=citations.REGISTRATION_FAULTS,
        reason=reason,
    )


# Sanctions on the registration take effect only through a proposal that someone other than
# the proposer approved (compliance.sanctions.services); these refuse to run without one, so
# four-eyes cannot be bypassed by calling them directly.


def _require_decided(proposal: Any, *, status: str, platform: Platform, what: str) -> None:
    if proposal.platform_id != platform.pk or proposal.status != status:
        raise ActionForbidden(f"A platform is {what} only through an approved proposal.")


def platform_suspend(
    *, platform: Platform, actor: Actor, sanction: RegistrationSanction
) -> Platform:
    _require_decided(sanction, status="approved", platform=platform, what="suspended")
    if sanction.kind != RegistrationSanction.Kind.SUSPEND:
        raise ActionForbidden("That proposal is not a suspension.")
    return transition_apply(
        obj=platform,
        name="suspend",
        actor=actor,
        before=_fault_clock("suspension_days"),
        legal_basis=citations.REGISTRATION_FAULTS,
        reason=sanction.reason,
        links=[sanction],
    )


def platform_revoke(
    *, platform: Platform, actor: Actor, sanction: RegistrationSanction
) -> Platform:
    _require_decided(sanction, status="approved", platform=platform, what="revoked")
    if sanction.kind != RegistrationSanction.Kind.REVOKE:
        raise ActionForbidden("That proposal is not a revocation.")
    return transition_apply(
        obj=platform,
        name="revoke",
        actor=actor,
        before=_fault_clock(None),
        legal_basis=citations.REGISTRATION_FAULTS,
        reason=sanction.reason,
        links=[sanction],
    )


def platform_block(*, platform: Platform, actor: Actor, block: AccessBlock) -> Platform:
    _require_decided(block, status="in_force", platform=platform, what="blocked")
    return transition_apply(
        obj=platform,
        name="block",
        actor=actor,
        before=_fault_clock(None),
        legal_basis=citations.REGISTRATION_BLOCK,
        reason=f"Access block {block.number} in force.",
        links=[block],
    )


def platform_normalize(*, platform: Platform, actor: Actor, block: AccessBlock) -> Platform:
    _require_decided(block, status="lifted", platform=platform, what="normalized")
    return transition_apply(
        obj=platform,
        name="normalize",
        actor=actor,
        before=_fault_clock(None),
        legal_basis=citations.NORMALIZATION,
        reason=f"Access block {block.number} lifted.",
        links=[block],
    )


# What the admin offers as buttons; sanctions are decided on their proposals' pages.
TRANSITION_SERVICES = {
    "file_application": platform_file_application,
    "approve": platform_approve,
    "reject": platform_reject,
    "require_update": platform_require_update,
    "accept_update": platform_accept_update,
    "warn": platform_warn,
}
REASON_REQUIRED = {"reject", "require_update", "warn"}


# The portal: API keys and the webhook endpoint.


def api_key_digest(key: str) -> str:
    # Keys carry 256 random bits, so a fast hash is enough: nothing to brute-force.
    return hashlib.sha256(key.encode()).hexdigest()


def api_key_create_check(*, platform: Platform, actor: Actor) -> None:
    actor.require_perm("registry.add_apikey")


def api_key_create(*, platform: Platform, actor: Actor, name: str) -> tuple[ApiKey, str]:
    """Make a key; returns it with the plain key, which is shown once and never stored."""
    api_key_create_check(platform=platform, actor=actor)
    if not name.strip():
        raise ValidationError({"name": _("Name the key (e.g. 'production', 'rotation 2026-11').")})
    prefix = secrets.token_hex(6)
    key = f"cek_{prefix}_{secrets.token_urlsafe(32)}"
    with transaction.atomic():
        api_key = ApiKey.objects.create(
            platform=platform,
            name=name.strip(),
            prefix=prefix,
            digest=api_key_digest(key),
            created_by=actor.user if actor.kind == "user" else None,
        )
        platform_record_edit(platform=platform, actor=actor, summary=f"API key {api_key} created.")
    return api_key, key


def api_key_revoke_check(*, api_key: ApiKey, actor: Actor) -> None:
    """Staff revoke any key; a platform its own (rotating keys), but never its last active
    key, which would lock it out of its orders (the regulator issues keys)."""
    actor.require_for_platform(api_key.platform_id, "registry.change_apikey")
    if api_key.revoked_at is not None:
        raise TransitionNotAllowed(
            _("%(key)s is already revoked.") % {"key": api_key}, current_state="revoked"
        )
    if actor.kind == "platform":
        others = ApiKey.objects.filter(platform_id=api_key.platform_id, revoked_at__isnull=True)
        if not others.exclude(pk=api_key.pk).exists():
            raise TransitionNotAllowed(
                _(
                    "%(key)s is the platform's last active key; ask the regulator for a new "
                    "one before revoking it."
                )
                % {"key": api_key},
                current_state="active",
            )


def api_key_revoke(*, api_key: ApiKey, actor: Actor) -> ApiKey:
    with transaction.atomic():
        # The platform's keys, locked together: two revocations at once cannot both leave it
        # the other's last key.
        list(ApiKey.objects.select_for_update().filter(platform_id=api_key.platform_id))
        locked = ApiKey.objects.get(pk=api_key.pk)
        api_key_revoke_check(api_key=locked, actor=actor)
        locked.revoked_at = timezone.now()
        locked.save(update_fields=["revoked_at"])
        platform = locked.platform
        decision_record_append(
            actor=actor,
            subject=platform,
            action=Action.API_KEY_REVOKE,
            from_state=platform.status,
            to_state=platform.status,
            reason=f"API key {locked} revoked.",
        )
    return locked


def webhook_endpoint_set(
    *, platform: Platform, actor: Actor, url: str
) -> tuple[WebhookEndpoint, str]:
    """Point the platform's webhooks at `url` with a fresh signing secret (returned once)."""
    actor.require_for_platform(platform.pk, "registry.change_platform")
    if not settings.DEBUG and not url.lower().startswith("https://"):
        raise ValidationError({"url": _("Webhook URLs must use https.")})
    destination_check(url)
    secret = "whsec_" + base64.b64encode(secrets.token_bytes(32)).decode()
    with transaction.atomic():
        endpoint, _created = WebhookEndpoint.objects.update_or_create(
            platform=platform, defaults={"url": url, "secret": secret}
        )
        endpoint.full_clean()
        decision_record_append(
            actor=actor,
            subject=platform,
            action=Action.PLATFORM_WEBHOOK_SET,
            from_state=platform.status,
            to_state=platform.status,
            legal_basis=citations.REGISTRATION_CHANGE,
            reason=f"Webhook URL set to {url}; signing secret rotated.",
        )
    return endpoint, secret
