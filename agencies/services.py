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

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from agencies.models import AgencyKey, TakedownRequest, TakedownRequestItem
from compliance.kernel.actions import Action
from compliance.kernel.actors import Actor
from compliance.kernel.decisions import decision_record_append
from compliance.kernel.errors import ActionForbidden, TransitionNotAllowed, require_reason
from compliance.policies import citations
from notices import services as notices
from notices.links import url_host, url_normalize
from notices.models import Agency, ContentCategory, OrderItem, OrderStatus
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
                item.save(update_fields=["order_item"])
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
