"""Agencies' keys and takedown requests: one keyword-only function per action, atomic and
recorded in the decision record.

A request names URLs; each must be on a platform in the registry. A URL an open order already
holds is linked to that order's item at intake instead of being ordered twice, and the agency
sees that. Triage accepts the rest into one draft order per platform (an officer issues it as
any order) or declines the request with a reason.
"""

from __future__ import annotations

import secrets
from collections import defaultdict
from collections.abc import Sequence
from datetime import timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from agencies.models import AgencyKey, Referral, TakedownRequest, TakedownRequestItem
from compliance.kernel.actions import Action
from compliance.kernel.actors import Actor
from compliance.kernel.decisions import decision_record_append
from compliance.kernel.errors import ActionForbidden, TransitionNotAllowed, require_reason
from compliance.policies import citations
from notices import services as notices
from notices.links import url_host, url_normalize
from notices.models import Agency, ContentCategory, OrderItem, OrderStatus, RemovalOrder
from registry.models import PlatformDomain
from registry.services import api_key_digest

MAX_URLS = 100
TRIAGE = "agencies.triage_takedownrequest"
# An order in any of these holds its URLs: a request naming one is linked, not ordered again.
OPEN_ORDER_STATES = [
    OrderStatus.DRAFT,
    OrderStatus.ISSUED,
    OrderStatus.ACKNOWLEDGED,
    OrderStatus.WARNED,
    OrderStatus.FINED,
    OrderStatus.BLOCKED,
]


def agency_key_create(*, agency: Agency, actor: Actor, name: str) -> tuple[AgencyKey, str]:
    """Make an agency's key; returns it with the plain key, shown once and never stored."""
    actor.require_perm("agencies.add_agencykey")
    if not name.strip():
        raise ValidationError({"name": _("Name the key (e.g. 'production', 'rotation 2026-11').")})
    prefix = secrets.token_hex(6)
    key = f"cea_{prefix}_{secrets.token_urlsafe(32)}"
    with transaction.atomic():
        agency_key = AgencyKey.objects.create(
            agency=agency,
            name=name.strip(),
            prefix=prefix,
            digest=api_key_digest(key),
            created_by=actor.user,
        )
        decision_record_append(
            actor=actor,
            subject=agency,
            action=Action.AGENCY_KEY_CREATE,
            reason=f"API key {agency_key} created.",
        )
    return agency_key, key


def agency_key_revoke_check(*, agency_key: AgencyKey, actor: Actor) -> None:
    actor.require_perm("agencies.change_agencykey")
    if agency_key.revoked_at is not None:
        raise TransitionNotAllowed(_("This key is revoked already."), current_state="revoked")


def agency_key_revoke(*, agency_key: AgencyKey, actor: Actor) -> AgencyKey:
    with transaction.atomic():
        locked = AgencyKey.objects.select_for_update().get(pk=agency_key.pk)
        agency_key_revoke_check(agency_key=locked, actor=actor)
        locked.revoked_at = timezone.now()
        locked.save(update_fields=["revoked_at"])
        decision_record_append(
            actor=actor,
            subject=locked.agency,
            action=Action.AGENCY_KEY_REVOKE,
            reason=f"API key {locked} revoked.",
        )
    return locked


def _platform_domains(hosts: set[str]) -> dict[str, PlatformDomain]:
    """Registered domains that are one of `hosts` or a parent of one, by name."""
    candidates = {
        ".".join(labels[i:])
        for host in hosts
        for labels in [host.split(".")]
        for i in range(len(labels))
    }
    return {
        d.domain: d
        for d in PlatformDomain.objects.filter(domain__in=candidates).select_related("platform")
    }


def _platform_of(host: str, domains: dict[str, PlatformDomain]) -> PlatformDomain | None:
    labels = host.split(".")
    for i in range(len(labels)):
        found = domains.get(".".join(labels[i:]))
        if found is not None:
            return found
    return None


def takedown_request_submit(
    *,
    agency: Agency,
    actor: Actor,
    category: str,
    legal_basis: str,
    urls: Sequence[str],
    description: str = "",
) -> TakedownRequest:
    """Receive an agency's request. Every URL must be on a platform in the registry; one an
    open order holds already is linked to it. The same URLs while an earlier request of the
    agency waits for triage are a duplicate (409)."""
    if actor.kind == "agency":
        if actor.agency_id != agency.pk:
            raise ActionForbidden("This is another agency's request.")
    else:
        actor.require_perm(TRIAGE)
    errors: dict[str, list[str]] = {}
    found = ContentCategory.objects.filter(code=category).first()
    if found is None:
        errors["category"] = [_("No such content category.")]
    if not legal_basis.strip():
        errors["legal_basis"] = [_("Cite the rule the request rests on.")]
    if not urls:
        errors["urls"] = [_("Name at least one URL.")]
    if len(urls) > MAX_URLS:
        errors["urls"] = [_("At most %(n)d URLs in one request.") % {"n": MAX_URLS}]
    normalized: list[str] = []
    for index, url in enumerate(urls[:MAX_URLS]):
        try:
            clean = url_normalize(url)
        except ValidationError as invalid:
            errors[f"urls.{index}"] = invalid.messages
            continue
        if clean in normalized:
            errors[f"urls.{index}"] = [_("This URL is listed twice.")]
        normalized.append(clean)
    domains = _platform_domains({url_host(u) for u in normalized})
    platforms = {}
    for index, url in enumerate(normalized):
        domain = _platform_of(url_host(url), domains)
        if domain is None:
            errors.setdefault(f"urls.{index}", []).append(
                _("No platform in the registry serves %(host)s.") % {"host": url_host(url)}
            )
        else:
            platforms[url] = domain.platform
    if errors:
        raise ValidationError(errors)
    assert found is not None
    with transaction.atomic():
        Agency.objects.select_for_update().get(pk=agency.pk)  # one request of an agency at a time
        earlier = _duplicate_of(agency, set(normalized))
        if earlier is not None:
            raise TransitionNotAllowed(
                _("The same URLs wait for triage in request %(request)s.") % {"request": earlier},
                current_state=TakedownRequest.Status.SUBMITTED,
            )
        request = TakedownRequest.objects.create(
            agency=agency,
            category=found,
            legal_basis=legal_basis.strip(),
            description=description.strip(),
            submitted_at=timezone.now(),
        )
        held = {
            item.url: item
            for item in OrderItem.objects.filter(
                url__in=normalized, order__status__in=OPEN_ORDER_STATES
            ).order_by("pk")
        }
        TakedownRequestItem.objects.bulk_create(
            TakedownRequestItem(
                request=request,
                url=url,
                platform=platforms[url],
                order_item=held.get(url),
                already_ordered=url in held,
            )
            for url in normalized
        )
        decision_record_append(
            actor=actor,
            subject=request,
            action=Action.TAKEDOWN_REQUEST_SUBMIT,
            to_state=request.status,
            legal_basis=citations.TAKEDOWN_REQUEST,
            reason=f"{len(normalized)} URLs from {agency}; {len(held)} already under an order.",
            links=[agency],
        )
    return request


def _duplicate_of(agency: Agency, urls: set[str]) -> TakedownRequest | None:
    for waiting in TakedownRequest.objects.filter(
        agency=agency, status=TakedownRequest.Status.SUBMITTED
    ).prefetch_related("items"):
        if {item.url for item in waiting.items.all()} == urls:
            return waiting
    return None


def takedown_request_triage_check(*, request: TakedownRequest, actor: Actor) -> None:
    """Whether `actor` may triage `request` now (the admin shows its buttons so)."""
    actor.require_perm(TRIAGE)
    if request.status != TakedownRequest.Status.SUBMITTED:
        raise TransitionNotAllowed(
            _("Only a request waiting for triage can be triaged."), current_state=request.status
        )


def takedown_request_accept(
    *, request: TakedownRequest, actor: Actor, reason: str = ""
) -> TakedownRequest:
    """Accept: the URLs no open order holds become one draft order per platform, with the
    agency as requester; each request item is linked to its order item."""
    with transaction.atomic():
        locked = TakedownRequest.objects.select_for_update().get(pk=request.pk)
        takedown_request_triage_check(request=locked, actor=actor)
        by_platform = defaultdict(list)
        for item in locked.items.filter(order_item__isnull=True).select_related("platform"):
            assert item.platform is not None  # intake refuses a URL on no platform
            by_platform[item.platform].append(item)
        orders = []
        for platform, items in sorted(by_platform.items(), key=lambda pair: pair[0].pk):
            order = notices.order_create(
                actor=actor,
                platform=platform,
                agency=locked.agency,
                category=locked.category,
                legal_basis=locked.legal_basis,
                description=f"From takedown request {locked}. {locked.description}".strip(),
                items=[notices.ItemInput(url=item.url) for item in items],
            )
            made = {i.url: i for i in order.items.all()}
            for item in items:
                item.order_item = made[item.url]
            TakedownRequestItem.objects.bulk_update(items, ["order_item"])
            orders.append(order)
        locked.status = TakedownRequest.Status.ACCEPTED
        locked.triaged_at = timezone.now()
        locked.triaged_by_label = actor.label
        locked.save(update_fields=["status", "triaged_at", "triaged_by_label"])
        decision_record_append(
            actor=actor,
            subject=locked,
            action=Action.TAKEDOWN_REQUEST_ACCEPT,
            from_state=TakedownRequest.Status.SUBMITTED,
            to_state=locked.status,
            legal_basis=citations.TAKEDOWN_REQUEST,
            reason=reason
            or f"Accepted into {', '.join(o.reference for o in orders) or 'open orders'}.",
            links=[locked.agency, *orders],
        )
    return locked


def takedown_request_decline(
    *, request: TakedownRequest, actor: Actor, reason: str
) -> TakedownRequest:
    """Decline with a reason, which the agency reads."""
    require_reason(reason)
    with transaction.atomic():
        locked = TakedownRequest.objects.select_for_update().get(pk=request.pk)
        takedown_request_triage_check(request=locked, actor=actor)
        locked.status = TakedownRequest.Status.DECLINED
        locked.triaged_at = timezone.now()
        locked.triaged_by_label = actor.label
        locked.decline_reason = reason.strip()
        locked.save(update_fields=["status", "triaged_at", "triaged_by_label", "decline_reason"])
        decision_record_append(
            actor=actor,
            subject=locked,
            action=Action.TAKEDOWN_REQUEST_DECLINE,
            from_state=TakedownRequest.Status.SUBMITTED,
            to_state=locked.status,
            legal_basis=citations.TAKEDOWN_REQUEST,
            reason=reason,
            links=[locked.agency],
        )
    return locked


# Referrals: the regulator hands a case to another agency, which acknowledges it by a deadline
# and reports the outcome.

REFER = "agencies.add_referral"
ACKNOWLEDGE_HOURS = range(1, 721)


def referral_create_check(*, order: RemovalOrder, actor: Actor) -> None:
    actor.require_perm(REFER)
    if order.status == OrderStatus.DRAFT:
        raise TransitionNotAllowed(
            _("Refer an order once it is issued."), current_state=order.status
        )


def referral_create(
    *, order: RemovalOrder, agency: Agency, actor: Actor, reason: str, acknowledge_hours: int = 48
) -> Referral:
    """Refer the order's case to `agency`, to be acknowledged within `acknowledge_hours`."""
    referral_create_check(order=order, actor=actor)
    require_reason(reason)
    if acknowledge_hours not in ACKNOWLEDGE_HOURS:
        raise ValidationError({"acknowledge_hours": _("Between 1 and 720 hours.")})
    if not agency.is_active:
        raise ValidationError({"agency": _("%(agency)s is not active.") % {"agency": agency}})
    now = timezone.now()
    with transaction.atomic():
        if Referral.objects.filter(
            agency=agency,
            order=order,
            status__in=[Referral.Status.REFERRED, Referral.Status.ACKNOWLEDGED],
        ).exists():
            raise TransitionNotAllowed(
                _("This order is referred to %(agency)s already.") % {"agency": agency},
                current_state=order.status,
            )
        referral = Referral.objects.create(
            agency=agency,
            order=order,
            reason=reason.strip(),
            referred_at=now,
            referred_by_label=actor.label,
            acknowledge_by=now + timedelta(hours=acknowledge_hours),
        )
        decision_record_append(
            actor=actor,
            subject=referral,
            action=Action.REFERRAL_CREATE,
            to_state=referral.status,
            reason=f"Referred to {agency}: {reason.strip()}",
            links=[order, agency],
        )
    return referral


def _referral_locked(referral: Referral, actor: Actor) -> Referral:
    locked = Referral.objects.select_for_update().get(pk=referral.pk)
    if actor.kind != "agency" or actor.agency_id != locked.agency_id:
        raise ActionForbidden("Only the agency it was referred to answers a referral.")
    return locked


def referral_acknowledge(*, referral: Referral, actor: Actor) -> Referral:
    """The agency took the case; a late acknowledgement stays late in its statistics."""
    with transaction.atomic():
        locked = _referral_locked(referral, actor)
        if locked.status != Referral.Status.REFERRED:
            raise TransitionNotAllowed(
                _("This referral is acknowledged already."), current_state=locked.status
            )
        now = timezone.now()
        locked.status = Referral.Status.ACKNOWLEDGED
        locked.acknowledged_at = now
        locked.save(update_fields=["status", "acknowledged_at"])
        decision_record_append(
            actor=actor,
            subject=locked,
            action=Action.REFERRAL_ACKNOWLEDGE,
            from_state=Referral.Status.REFERRED,
            to_state=locked.status,
            reason="Acknowledged late." if locked.acknowledged_late(now) else "Acknowledged.",
            links=[locked.order],
        )
    return locked


def referral_report_outcome(*, referral: Referral, actor: Actor, outcome: str) -> Referral:
    """The agency says how the case ended; the referral is closed."""
    if not outcome.strip():
        raise ValidationError({"outcome": [_("Say how the case ended.")]})
    with transaction.atomic():
        locked = _referral_locked(referral, actor)
        if locked.status != Referral.Status.ACKNOWLEDGED:
            raise TransitionNotAllowed(
                _("Acknowledge the referral before reporting its outcome."),
                current_state=locked.status,
            )
        locked.status = Referral.Status.CLOSED
        locked.outcome = outcome.strip()
        locked.outcome_at = timezone.now()
        locked.save(update_fields=["status", "outcome", "outcome_at"])
        decision_record_append(
            actor=actor,
            subject=locked,
            action=Action.REFERRAL_OUTCOME,
            from_state=Referral.Status.ACKNOWLEDGED,
            to_state=locked.status,
            reason=locked.outcome,
            links=[locked.order],
        )
    return locked
