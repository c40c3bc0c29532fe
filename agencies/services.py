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
from collections.abc import Iterable, Sequence
from datetime import timedelta

from django.contrib.auth.models import Group, User
from django.core.exceptions import ValidationError
from django.core.files import File
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from agencies.models import (
    AgencyKey,
    AgencyMember,
    Referral,
    TakedownRequest,
    TakedownRequestHash,
    TakedownRequestItem,
)
from compliance.kernel.actions import Action
from compliance.kernel.actors import Actor
from compliance.kernel.decisions import decision_record_append
from compliance.kernel.errors import (
    ActionForbidden,
    RoleForbidden,
    TransitionNotAllowed,
    require_reason,
)
from compliance.kernel.roles import AGENCY_STAFF, ROLES
from compliance.policies import citations
from fingerprints.models import Fingerprint, HashEntry, HashList, HashType
from fingerprints.services import HashInput, hash_entries_add, hash_value_clean
from notices import filetypes
from notices import services as notices
from notices.links import url_host, url_normalize
from notices.models import (
    Agency,
    ContentCategory,
    Evidence,
    OrderItem,
    OrderStatus,
    RemovalOrder,
)
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


MAX_HASHES = 100
# Fingerprints an agency may send instead of the file: exact digests, and PDQ for images.
REQUEST_HASH_TYPES = (HashType.SHA256, HashType.MD5, HashType.PDQ)


def takedown_request_submit(
    *,
    agency: Agency,
    actor: Actor,
    category: str,
    legal_basis: str,
    urls: Sequence[str] = (),
    hashes: Sequence[HashInput] = (),
    description: str = "",
) -> TakedownRequest:
    """Receive an agency's request: URLs, fingerprints of the content (hashes only: the agency
    need not hand over the file), or both. Every URL must be on a platform in the registry; a
    URL or fingerprint an open order holds already is linked to it. The same URLs and
    fingerprints while an earlier request of the agency waits for triage are a duplicate (409)."""
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
    if not urls and not hashes:
        errors["urls"] = [_("Name at least one URL, or give the content's fingerprints.")]
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
    fingerprints = _hashes_checked(hashes, errors)
    if errors:
        raise ValidationError(errors)
    assert found is not None
    with transaction.atomic():
        Agency.objects.select_for_update().get(pk=agency.pk)  # one request of an agency at a time
        earlier = _duplicate_of(agency, set(normalized), set(fingerprints))
        if earlier is not None:
            raise TransitionNotAllowed(
                _("The same URLs and fingerprints wait for triage in request %(request)s.")
                % {"request": earlier},
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
        ordered = _orders_holding(fingerprints)
        TakedownRequestHash.objects.bulk_create(
            TakedownRequestHash(
                request=request,
                hash_type=hash_type,
                value=value,
                order_id=ordered.get((hash_type, value)),
                already_ordered=(hash_type, value) in ordered,
            )
            for hash_type, value in fingerprints
        )
        decision_record_append(
            actor=actor,
            subject=request,
            action=Action.TAKEDOWN_REQUEST_SUBMIT,
            to_state=request.status,
            legal_basis=citations.TAKEDOWN_REQUEST,
            reason=f"{len(normalized)} URLs and {len(fingerprints)} fingerprints from {agency}; "
            f"{len(held)} URLs and {len(ordered)} fingerprints already under an order.",
            links=[agency],
        )
    return request


def _hashes_checked(
    hashes: Sequence[HashInput], errors: dict[str, list[str]]
) -> list[tuple[str, str]]:
    """The request's fingerprints as (type, lower-case hex), each bad one an error by index."""
    if len(hashes) > MAX_HASHES:
        errors["hashes"] = [_("At most %(n)d fingerprints in one request.") % {"n": MAX_HASHES}]
        return []
    cleaned: list[tuple[str, str]] = []
    for index, given in enumerate(hashes):
        if given.hash_type not in REQUEST_HASH_TYPES:
            errors[f"hashes.{index}.hash_type"] = [
                _("One of %(types)s.") % {"types": ", ".join(REQUEST_HASH_TYPES)}
            ]
            continue
        try:
            value = hash_value_clean(given.hash_type, given.value)
        except ValueError as error:
            errors[f"hashes.{index}.value"] = [str(error)]
            continue
        if (given.hash_type, value) in cleaned:
            errors[f"hashes.{index}.value"] = [_("This fingerprint is listed twice.")]
        cleaned.append((given.hash_type, value))
    return cleaned


def _orders_holding(fingerprints: Sequence[tuple[str, str]]) -> dict[tuple[str, str], int]:
    """Each fingerprint an open order holds, with that order's id (the oldest): an evidence
    file's SHA-256, its computed MD5 or PDQ, or a hash-list entry recorded against the order."""
    by_type: dict[str, set[str]] = defaultdict(set)
    for hash_type, value in fingerprints:
        by_type[hash_type].add(value)
    held: dict[tuple[str, str], int] = {}

    def keep(hash_type: str, rows: Iterable[tuple[str, int]]) -> None:
        for value, order_id in rows:
            held.setdefault((hash_type, value), order_id)

    open_orders = RemovalOrder.objects.filter(status__in=OPEN_ORDER_STATES).values("pk")
    if by_type[HashType.SHA256]:
        keep(
            HashType.SHA256,
            Evidence.objects.filter(sha256__in=by_type[HashType.SHA256], order__in=open_orders)
            .order_by("order_id")
            .values_list("sha256", "order_id"),
        )
    for hash_type in (HashType.MD5, HashType.PDQ):
        if by_type[hash_type]:
            keep(
                hash_type,
                Fingerprint.objects.filter(
                    **{f"{hash_type}__in": by_type[hash_type]}, evidence__order__in=open_orders
                )
                .order_by("evidence__order_id")
                .values_list(hash_type, "evidence__order_id"),
            )
    for hash_type, values in by_type.items():
        keep(
            hash_type,
            (
                (value, order_id)
                for value, order_id in HashEntry.objects.filter(
                    hash_type=hash_type, value__in=values, order__in=open_orders
                )
                .order_by("order_id")
                .values_list("value", "order_id")
                if order_id is not None
            ),
        )
    return held


def _duplicate_of(
    agency: Agency, urls: set[str], fingerprints: set[tuple[str, str]]
) -> TakedownRequest | None:
    for waiting in TakedownRequest.objects.filter(
        agency=agency, status=TakedownRequest.Status.SUBMITTED
    ).prefetch_related("items", "hashes"):
        if {item.url for item in waiting.items.all()} == urls and {
            (h.hash_type, h.value) for h in waiting.hashes.all() if not h.file
        } == fingerprints:
            return waiting
    return None


def takedown_request_evidence_add(
    *, request: TakedownRequest, actor: Actor, file: File
) -> TakedownRequestHash:
    """An evidence file for a request waiting for triage: kept with its SHA-256 (linked to an
    open order whose evidence has the same bytes), and copied to the orders triage makes."""
    if actor.kind != "agency" or actor.agency_id != request.agency_id:
        actor.require_perm(TRIAGE)
    content_type, extension = notices.evidence_file_checked(file)
    sha256 = filetypes.file_sha256(file)
    with transaction.atomic():
        locked = TakedownRequest.objects.select_for_update().get(pk=request.pk)
        if locked.status != TakedownRequest.Status.SUBMITTED:
            raise TransitionNotAllowed(
                _("Evidence is added while the request waits for triage."),
                current_state=locked.status,
            )
        if locked.hashes.filter(hash_type=HashType.SHA256, value=sha256).exists():
            raise TransitionNotAllowed(
                _("This file is attached to the request already."), current_state=locked.status
            )
        name = filetypes.content_addressed_save(
            file, folder="takedown-requests", sha256=sha256, extension=extension
        )
        ordered = _orders_holding([(HashType.SHA256, sha256)])
        kept = TakedownRequestHash.objects.create(
            request=locked,
            hash_type=HashType.SHA256,
            value=sha256,
            order_id=ordered.get((HashType.SHA256, sha256)),
            already_ordered=bool(ordered),
            file=name,
            content_type=content_type,
            size=file.size,
        )
        decision_record_append(
            actor=actor,
            subject=locked,
            action=Action.EVIDENCE_ADD,
            from_state=locked.status,
            to_state=locked.status,
            legal_basis=citations.TAKEDOWN_REQUEST,
            reason=f"Evidence SHA-256 {sha256}, {file.size} bytes, {content_type}"
            + (" (already under an order)." if ordered else "."),
        )
    return kept


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
    agency as requester; each request item is linked to its order item, and the request's
    evidence files go with each order. Fingerprints no order holds join the category's hash
    list, so platforms catch the content on upload."""
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
            _items_link(order, items)
            orders.append(order)
        listed = _fingerprints_carry(locked, orders, actor)
        _status_set(locked, TakedownRequest.Status.ACCEPTED, actor)
        decision_record_append(
            actor=actor,
            subject=locked,
            action=Action.TAKEDOWN_REQUEST_ACCEPT,
            from_state=TakedownRequest.Status.SUBMITTED,
            to_state=locked.status,
            legal_basis=citations.TAKEDOWN_REQUEST,
            reason=reason
            or f"Accepted into {', '.join(o.reference for o in orders) or 'open orders'}"
            + (f"; {listed} fingerprint(s) added to the hash list." if listed else "."),
            links=[locked.agency, *orders],
        )
    return locked


def takedown_request_merge(
    *, request: TakedownRequest, order: RemovalOrder, actor: Actor, reason: str = ""
) -> TakedownRequest:
    """Merge the request into a draft order already being prepared (another agency's request
    for the same content, say): its URLs no open order holds become items of that order, and
    its fingerprints and evidence go with it. Every such URL must be on the order's platform."""
    with transaction.atomic():
        locked = TakedownRequest.objects.select_for_update().get(pk=request.pk)
        takedown_request_triage_check(request=locked, actor=actor)
        notices.order_items_add_check(order=order, actor=actor)
        items = list(locked.items.filter(order_item__isnull=True))
        elsewhere = [item.url for item in items if item.platform_id != order.platform_id]
        if elsewhere:
            raise ValidationError(
                {
                    "order": _("%(urls)s are not on %(platform)s: accept the request instead.")
                    % {"urls": ", ".join(elsewhere), "platform": order.platform}
                }
            )
        if items:
            notices.order_items_add(
                order=order, actor=actor, items=[notices.ItemInput(url=i.url) for i in items]
            )
            _items_link(order, items)
        _fingerprints_carry(locked, [order], actor)
        _status_set(locked, TakedownRequest.Status.MERGED, actor)
        decision_record_append(
            actor=actor,
            subject=locked,
            action=Action.TAKEDOWN_REQUEST_MERGE,
            from_state=TakedownRequest.Status.SUBMITTED,
            to_state=locked.status,
            legal_basis=citations.TAKEDOWN_REQUEST,
            reason=reason or f"Merged into {order.reference} ({len(items)} URL(s) added).",
            links=[locked.agency, order],
        )
    return locked


def _items_link(order: RemovalOrder, items: Sequence[TakedownRequestItem]) -> None:
    made = {i.url: i for i in order.items.filter(url__in=[item.url for item in items])}
    for item in items:
        item.order_item = made[item.url]
    TakedownRequestItem.objects.bulk_update(items, ["order_item"])


def _fingerprints_carry(
    request: TakedownRequest, orders: Sequence[RemovalOrder], actor: Actor
) -> int:
    """The request's evidence files become evidence of `orders`; its fingerprints no open order
    held are linked to the (first) order, and join the category's hash list if it has one.
    Returns how many joined the list."""
    now = timezone.now()
    fresh = list(request.hashes.filter(order__isnull=True))
    for kept in request.hashes.exclude(file=""):
        for order in orders:
            with kept.file.open("rb") as handle:
                notices.evidence_add(
                    order=order,
                    actor=actor,
                    file=File(handle, name=kept.file.name),
                    captured_at=request.submitted_at or now,
                    description=f"From takedown request {request}",
                )
    if orders:
        for kept in fresh:
            kept.order = orders[0]
        TakedownRequestHash.objects.bulk_update(fresh, ["order"])
    hash_list = HashList.objects.filter(category=request.category).order_by("pk").first()
    if hash_list is None or not fresh:
        return 0
    return len(
        hash_entries_add(
            actor=actor,
            hash_list=hash_list,
            hashes=[HashInput(h.hash_type, h.value) for h in fresh],
            order=orders[0] if orders else None,
            note=f"From takedown request {request} of {request.agency}.",
        )
    )


def _status_set(request: TakedownRequest, status: str, actor: Actor) -> None:
    request.status = status
    request.triaged_at = timezone.now()
    request.triaged_by_label = actor.label
    request.save(update_fields=["status", "triaged_at", "triaged_by_label"])


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


def _referral_answer_check(referral: Referral, actor: Actor) -> None:
    if actor.kind != "agency" or actor.agency_id != referral.agency_id:
        raise ActionForbidden("Only the agency it was referred to answers a referral.")


def referral_acknowledge_check(*, referral: Referral, actor: Actor) -> None:
    _referral_answer_check(referral, actor)
    if referral.status != Referral.Status.REFERRED:
        raise TransitionNotAllowed(
            _("This referral is acknowledged already."), current_state=referral.status
        )


def referral_outcome_check(*, referral: Referral, actor: Actor) -> None:
    _referral_answer_check(referral, actor)
    if referral.status != Referral.Status.ACKNOWLEDGED:
        raise TransitionNotAllowed(
            _("Acknowledge the referral before reporting its outcome."),
            current_state=referral.status,
        )


def referral_acknowledge(*, referral: Referral, actor: Actor) -> Referral:
    """The agency took the case; a late acknowledgement stays late in its statistics."""
    with transaction.atomic():
        locked = Referral.objects.select_for_update().get(pk=referral.pk)
        referral_acknowledge_check(referral=locked, actor=actor)
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
        locked = Referral.objects.select_for_update().get(pk=referral.pk)
        referral_outcome_check(referral=locked, actor=actor)
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


# An agency's staff: users who act for it in the admin. Who may act for an agency is access
# control, so administrators (superusers) decide it, and each change is recorded.


def _require_administrator(actor: Actor) -> None:
    if actor.kind != "user" or actor.user is None or not actor.user.is_superuser:
        raise RoleForbidden("Only administrators say who acts for an agency.")


def agency_member_check(*, user: User) -> None:
    """Refuse an account of the regulator's (a role, or an administrator): acting for an
    agency takes a separate account."""
    if user.is_superuser or user.groups.filter(name__in=ROLES).exists():
        raise ValidationError(
            {
                "user": _("%(user)s works for the regulator; use a separate account.")
                % {"user": user}
            }
        )


def agency_member_add(*, actor: Actor, user: User, agency: Agency) -> AgencyMember:
    """`user` acts for `agency` from now on: staff access, the agency-staff role and nothing
    else (a member of the regulator's staff cannot also act for an agency)."""
    _require_administrator(actor)
    if user.is_superuser or user.groups.filter(name__in=ROLES).exists():
        raise ValidationError(
            {
                "user": _("%(user)s works for the regulator; use a separate account.")
                % {"user": user}
            }
        )
    with transaction.atomic():
        if AgencyMember.objects.filter(user=user).exists():
            raise ValidationError(
                {"user": _("%(user)s acts for an agency already.") % {"user": user}}
            )
        member = AgencyMember.objects.create(user=user, agency=agency)
        user.is_staff = True
        user.save(update_fields=["is_staff"])
        user.groups.add(Group.objects.get(name=AGENCY_STAFF))
        decision_record_append(
            actor=actor,
            subject=agency,
            action=Action.AGENCY_MEMBER_ADD,
            reason=f"{user.get_username()} acts for {agency}.",
        )
    return member


def agency_member_remove(*, actor: Actor, member: AgencyMember) -> None:
    """`member` no longer acts for the agency: the role and staff access go with it."""
    _require_administrator(actor)
    with transaction.atomic():
        user = member.user
        user.groups.remove(Group.objects.get(name=AGENCY_STAFF))
        user.is_staff = False
        user.save(update_fields=["is_staff"])
        decision_record_append(
            actor=actor,
            subject=member.agency,
            action=Action.AGENCY_MEMBER_REMOVE,
            reason=f"{user.get_username()} no longer acts for {member.agency}.",
        )
        member.delete()
