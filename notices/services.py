"""Every write to removal orders: intake, issue, answers, objections, pauses, evidence."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import File
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from compliance.delivery import letters
from compliance.delivery.email import notification_enqueue
from compliance.delivery.webhooks import webhook_enqueue
from compliance.kernel.actions import Action
from compliance.kernel.actors import Actor
from compliance.kernel.counters import counter_next
from compliance.kernel.decisions import Decision, decision_record_append, decisions_append
from compliance.kernel.errors import TransitionNotAllowed, require_reason
from compliance.kernel.letters import letter_issue
from compliance.kernel.models import OfficialLetter
from compliance.kernel.tasks import wake_after_commit
from compliance.kernel.transitions import transition_apply
from compliance.policies import citations
from compliance.policies.models import EscalationPolicy, EscalationPolicyVersion
from compliance.policies.services import policy_current_version, policy_default
from compliance.sanctions.models import PeriodicPenalty
from notices import filetypes
from notices.links import host_in_domains, url_host, url_normalize
from notices.models import (
    CLOCK_STATES,
    REPORTABLE,
    SETTLED,
    Agency,
    ClockPause,
    ContentCategory,
    Evidence,
    ItemStatus,
    Objection,
    OrderItem,
    OrderStatus,
    RemovalOrder,
)
from registry.models import Platform

CHANGE = "notices.change_removalorder"
ISSUE = "notices.issue_order"
FINGERPRINT_TASK = "fingerprints.fingerprint_compute"


@dataclass(frozen=True)
class ItemInput:
    url: str
    content_id: str = ""
    off_platform_reason: str = ""
    line: int | None = None  # where it came from in an import; errors cite it


@dataclass(frozen=True)
class ItemReport:
    item_id: int
    action: str
    actioned_at: datetime | None = None
    note: str = ""


def _lock(order: RemovalOrder) -> RemovalOrder:
    # Only the order row: locking the joined platform too would block every sweep writing a
    # letter for that platform (the foreign key check takes a share lock on it) and deadlock.
    return (
        RemovalOrder.objects.select_for_update(of=("self",))
        .select_related("platform")
        .get(pk=order.pk)
    )


# Intake.


def order_create(
    *,
    actor: Actor,
    platform: Platform,
    agency: Agency,
    category: ContentCategory,
    legal_basis: str,
    description: str = "",
    urgent: bool = False,
    items: Sequence[ItemInput] = (),
    policy: EscalationPolicy | None = None,
) -> RemovalOrder:
    """Record a takedown request as a draft order; urgency follows the category (Art. 14(3)).
    `policy` is the profile it will be issued under, one the platform is under."""
    actor.require_perm("notices.add_removalorder")
    if not agency.is_active:
        raise ValidationError(
            {"agency": _("%(agency)s is not an active requesting agency.") % {"agency": agency}}
        )
    if policy is not None:
        order_policy_check(platform=platform, policy=policy)
    with transaction.atomic():
        year = timezone.now().year
        order = RemovalOrder(
            reference=f"RO-{year}-{counter_next(name='order', year=year):06d}",
            platform=platform,
            agency=agency,
            category=category,
            legal_basis=legal_basis,
            description=description,
            urgent=urgent or category.urgent,
            escalation_policy=policy,
            created_by=actor.user,
        )
        order.full_clean(exclude=["status"])
        order.save()
        decision_record_append(
            actor=actor,
            subject=order,
            action=Action.ORDER_CREATE,
            to_state=order.status,
            legal_basis=citations.TAKEDOWN_REQUEST,
            reason=f"Requested by {agency}.",
            links=[platform],
        )
        if items:
            order_items_add(order=order, actor=actor, items=items)
    return order


def order_reupload_draft(
    *,
    actor: Actor,
    platform: Platform,
    category: ContentCategory,
    agency: Agency,
    url: str,
    reupload_of: RemovalOrder | None,
    perceptual: bool,
    description: str,
    evidence: Sequence[Evidence] = (),
) -> RemovalOrder:
    """Content ordered removed before, found again by a hash match (reported by the platform
    it is on, or by an officer): a draft order for its URL, linked to the order it was removed
    under, with the evidence of the matched hash. A perceptual match alone needs an officer's
    confirmation before the order is issued."""
    actor.require_for_platform(platform.pk, "notices.add_removalorder")
    with transaction.atomic():
        year = timezone.now().year
        order = RemovalOrder(
            reference=f"RO-{year}-{counter_next(name='order', year=year):06d}",
            platform=platform,
            agency=agency,
            category=category,
            legal_basis=reupload_of.legal_basis if reupload_of else citations.TAKEDOWN_REQUEST,
            description=description,
            urgent=category.urgent or bool(reupload_of and reupload_of.urgent),
            created_by=actor.user,
            reupload_of=reupload_of,
            is_reupload=True,
            match_to_confirm=perceptual,
        )
        order.full_clean(exclude=["status"])
        order.save()
        domains = set(platform.domains.values_list("domain", flat=True))
        errors, cleaned = items_check(items=[ItemInput(url=url)], domains=domains, existing=set())
        if errors:
            raise ValidationError({"url": errors[0][1]})
        item = OrderItem.objects.create(order=order, url=cleaned[0].url)
        decision_record_append(
            actor=actor,
            subject=order,
            action=Action.ORDER_CREATE,
            to_state=order.status,
            legal_basis=citations.TAKEDOWN_REQUEST,
            reason=description,
            links=[platform, *([reupload_of] if reupload_of else [])],
        )
        for original in evidence:
            # The same bytes, stored once: a new row of this order pointing at them.
            copy = Evidence.objects.create(
                order=order,
                item=item,
                file=original.file.name,
                sha256=original.sha256,
                size=original.size,
                content_type=original.content_type,
                extension=original.extension,
                description=f"Matched hash; first captured for {original.order}",
                captured_at=original.captured_at,
            )
            decision_record_append(
                actor=actor,
                subject=copy,
                action=Action.EVIDENCE_ADD,
                legal_basis=citations.REMOVAL,
                reason=f"SHA-256 {copy.sha256}, from the matched hash's evidence.",
                links=[order, original],
            )
    return order


def order_items_add_check(*, order: RemovalOrder, actor: Actor) -> None:
    """Raise unless `actor` may add items to `order` now (a draft, with the permission)."""
    actor.require_perm(CHANGE)
    if order.status != OrderStatus.DRAFT:
        raise TransitionNotAllowed(
            _("Items can be added only while the order is a draft."), current_state=order.status
        )


def order_items_add(
    *, order: RemovalOrder, actor: Actor, items: Sequence[ItemInput]
) -> list[OrderItem]:
    """Add items to a draft; any bad item refuses them all, with its position and the reason."""
    with transaction.atomic():
        order = _lock(order)
        order_items_add_check(order=order, actor=actor)
        limit = settings.ORDER_IMPORT_MAX_ITEMS
        if len(items) > limit:
            raise ValidationError(
                _("At most %(limit)s items at once; this has %(count)s.")
                % {"limit": limit, "count": len(items)}
            )
        errors, new = _items_validate(order, items)
        if errors:
            raise ValidationError(
                [
                    _("Line %(line)s: %(problem)s") % {"line": line, "problem": message}
                    for line, message in errors
                ]
            )
        created = OrderItem.objects.bulk_create(new)
        decision_record_append(
            actor=actor,
            subject=order,
            action=Action.ORDER_ITEMS_ADD,
            from_state=order.status,
            to_state=order.status,
            legal_basis=citations.TAKEDOWN_REQUEST,
            reason=f"Added {len(created)} item(s).",
        )
    return created


def _items_validate(
    order: RemovalOrder, items: Sequence[ItemInput]
) -> tuple[list[tuple[int, str]], list[OrderItem]]:
    errors, cleaned = items_check(
        items=items,
        domains=set(order.platform.domains.values_list("domain", flat=True)),
        existing=set(order.items.values_list("url", flat=True)),
    )
    return errors, [
        OrderItem(
            order=order,
            url=i.url,
            content_id=i.content_id,
            off_platform_reason=i.off_platform_reason,
        )
        for i in cleaned
    ]


def items_check(
    *, items: Sequence[ItemInput], domains: set[str], existing: set[str]
) -> tuple[list[tuple[int, str]], list[ItemInput]]:
    """Normalize and check items against the platform's domains and the order's URLs.

    Returns (line, message) errors and the cleaned items; pure, so forms can call it too.
    """
    seen: dict[str, int] = {}
    errors: list[tuple[int, str]] = []
    cleaned: list[ItemInput] = []
    for position, item in enumerate(items, start=1):
        line = item.line or position
        try:
            url = url_normalize(item.url)
        except ValidationError as error:
            errors.append((line, error.messages[0]))
            continue
        if url in existing:
            errors.append((line, f"{url} is already in this order."))
            continue
        if url in seen:
            errors.append((line, f"{url} repeats line {seen[url]}."))
            continue
        seen[url] = line
        reason = item.off_platform_reason.strip()
        if not host_in_domains(url_host(url), domains) and not reason:
            errors.append(
                (
                    line,
                    f"{url_host(url)} is not a domain of the platform; "
                    "give a reason to include it anyway.",
                )
            )
            continue
        cleaned.append(
            ItemInput(
                url=url,
                content_id=item.content_id.strip()[:200],
                off_platform_reason=reason,
                line=line,
            )
        )
    return errors, cleaned


def items_parse(text: str, *, off_platform_reason: str = "") -> list[ItemInput]:
    """Read a pasted list of URLs or a CSV (url[,content_id]) into items that know their line.

    Blank lines and lines starting with # are skipped; a first row whose first cell is "url" is
    a header.
    """
    items: list[ItemInput] = []
    for number, row in enumerate(csv.reader(io.StringIO(text)), start=1):
        cells = [cell.strip() for cell in row]
        if not cells or not cells[0] or cells[0].startswith("#"):
            continue
        if not items and cells[0].lower() == "url":
            continue
        items.append(
            ItemInput(
                url=cells[0],
                content_id=cells[1] if len(cells) > 1 else "",
                off_platform_reason=off_platform_reason,
                line=number,
            )
        )
    return items


def order_items_import(
    *, order: RemovalOrder, actor: Actor, text: str, off_platform_reason: str = ""
) -> list[OrderItem]:
    """Import many items from text (see `items_parse`); all lines are clean, or none is added."""
    items = items_parse(text, off_platform_reason=off_platform_reason)
    if not items:
        raise ValidationError(_("The import holds no URLs."))
    return order_items_add(order=order, actor=actor, items=items)


def order_item_remove(*, item: OrderItem, actor: Actor) -> None:
    actor.require_perm(CHANGE)
    with transaction.atomic():
        order = _lock(item.order)
        if order.status != OrderStatus.DRAFT:
            raise TransitionNotAllowed(
                _("Items can be removed only while the order is a draft."),
                current_state=order.status,
            )
        item.delete()
        decision_record_append(
            actor=actor,
            subject=order,
            action=Action.ORDER_ITEM_REMOVE,
            from_state=order.status,
            to_state=order.status,
            legal_basis=citations.TAKEDOWN_REQUEST,
            reason=f"Removed item {item.url}.",
        )


# The life cycle.


def order_policy_check(*, platform: Platform, policy: EscalationPolicy) -> None:
    """An order names a profile only among the policies its platform is under."""
    if policy != platform.escalation_policy and not platform.profiles.filter(pk=policy.pk).exists():
        raise ValidationError(
            {
                "escalation_policy": _(
                    "%(platform)s is not under %(policy)s: add it to the platform's policies first."
                )
                % {"platform": platform, "policy": policy}
            }
        )


def order_policy_version(*, order: RemovalOrder) -> EscalationPolicyVersion:
    """The policy for a new order: the profile it names, else the platform's, else its
    category's, else the default."""
    policy = (
        order.escalation_policy
        or order.platform.escalation_policy
        or order.category.escalation_policy
        or policy_default()
    )
    return policy_current_version(policy=policy)


def order_issue(*, order: RemovalOrder, actor: Actor, reason: str = "") -> RemovalOrder:
    """Serve the order: the clock starts, fixed to the policy version in force now."""

    def start_clock(locked: RemovalOrder) -> None:
        if not locked.items.exists():
            raise ValidationError(_("An order needs at least one item before it is issued."))
        if locked.match_to_confirm and locked.match_confirmed_by_id is None:
            raise ValidationError(
                _(
                    "This re-upload was found by a perceptual hash alone: an officer confirms "
                    "the match before the order is issued."
                )
            )
        version = order_policy_version(order=locked)
        now = timezone.now()
        locked.policy_version = version
        locked.issued_at = now
        locked.due_at = now + version.parsed.notice_for(
            urgent=locked.urgent, reupload=locked.reupload_of_id is not None
        )
        locked.addressees = [
            {"name": c.name, "role": c.role, "email": c.email}
            for c in locked.platform.contacts.all()
        ]

    with transaction.atomic():
        order = transition_apply(
            obj=order,
            name="issue",
            actor=actor,
            legal_basis=order.legal_basis or citations.TAKEDOWN_REQUEST,
            reason=reason,
            before=start_clock,
            links=[order.platform],
        )
        assert order.due_at is not None  # the clock started: issuing set it
        subject, body = letters.order_notice_text(
            reference=order.reference,
            platform=order.platform.name,
            category=order.category.name,
            due_at=order.due_at,
            items=list(order.items.values_list("url", flat=True)),
            legal_basis=order.legal_basis,
            urgent=order.urgent,
        )
        letter = letter_issue(
            kind=OfficialLetter.Kind.ORDER_NOTICE,
            platform=order.platform,
            source=order,
            signatory=actor.user,
        )
        notification_enqueue(
            event="order.issued",
            platform=order.platform,
            subject=subject,
            body=body,
            letter=letter,
        )
        webhook_enqueue(
            platform=order.platform,
            event="order.issued",
            data={"reference": order.reference, "urgent": order.urgent, "due_at": order.due_at},
        )
    return order


def order_match_confirm_check(*, order: RemovalOrder, actor: Actor) -> None:
    actor.require_perm(ISSUE)
    if not order.match_to_confirm or order.match_confirmed_by_id is not None:
        raise TransitionNotAllowed(
            _("%(order)s has no perceptual match waiting to be confirmed.") % {"order": order},
            current_state=order.status,
        )


def order_match_confirm_and_issue(
    *, order: RemovalOrder, actor: Actor, reason: str
) -> RemovalOrder:
    """An officer looked at the content a perceptual hash matched and confirms it is the
    content ordered removed before: the re-upload order is issued at once."""
    require_reason(reason)
    with transaction.atomic():
        locked = _lock(order)
        order_match_confirm_check(order=locked, actor=actor)
        assert actor.user is not None
        locked.match_confirmed_by = actor.user
        locked.save(update_fields=["match_confirmed_by", "updated_at"])
        decision_record_append(
            actor=actor,
            subject=locked,
            action=Action.ORDER_MATCH_CONFIRM,
            from_state=locked.status,
            to_state=locked.status,
            legal_basis=citations.TAKEDOWN_REQUEST,
            reason=reason,
        )
        return order_issue(order=locked, actor=actor, reason=reason)


def order_acknowledge(*, order: RemovalOrder, actor: Actor, reason: str = "") -> RemovalOrder:
    actor.require_for_platform(order.platform_id, ISSUE)
    return transition_apply(
        obj=order, name="acknowledge", actor=actor, legal_basis=citations.REMOVAL, reason=reason
    )


def order_items_report(
    *, order: RemovalOrder, actor: Actor, reports: Sequence[ItemReport]
) -> RemovalOrder:
    """Record what the platform did about each item, all or nothing.

    The receipt time is the server's clock when the order row is locked; when every item is
    settled the order moves to `complied`.
    """
    actor.require_for_platform(order.platform_id, CHANGE)
    with transaction.atomic():
        order = _lock(order)
        received = timezone.now()
        if order.status not in [*CLOCK_STATES, OrderStatus.BLOCKED]:
            raise TransitionNotAllowed(
                _("Order %(order)s is %(status)s; it takes no reports.")
                % {"order": order, "status": order.get_status_display().lower()},
                current_state=order.status,
            )
        items = {
            i.pk: i
            for i in order.items.select_for_update().filter(pk__in=[r.item_id for r in reports])
        }
        errors: dict[str, list[str]] = {}
        for report in reports:
            item = items.get(report.item_id)
            problem = None
            if item is None:
                problem = "No such item in this order."
            elif report.action not in REPORTABLE:
                problem = f"Action must be one of {', '.join(REPORTABLE)}."
            elif item.status in SETTLED:
                problem = f"Already settled as {item.status}."
            elif report.actioned_at and report.actioned_at > received:
                problem = "The action cannot be in the future."
            elif report.actioned_at and order.issued_at and report.actioned_at < order.issued_at:
                problem = "The action cannot be before the order was issued."
            if problem:
                errors.setdefault(str(report.item_id), []).append(problem)
        if len({r.item_id for r in reports}) != len(reports):
            errors.setdefault("items", []).append("An item is reported twice.")
        if not reports:
            errors.setdefault("items", []).append("Report at least one item.")
        if errors:
            raise ValidationError(errors)
        decisions = []
        for report in reports:
            item = items[report.item_id]
            previous = item.status
            item.status = report.action
            item.actioned_at = report.actioned_at or received
            item.reported_at = received
            item.note = report.note
            decisions.append(
                Decision(
                    actor=actor,
                    subject=item,
                    action=Action.ITEM_REPORT,
                    from_state=previous,
                    to_state=item.status,
                    legal_basis=citations.REMOVAL,
                    reason=report.note,
                    links=[order],
                )
            )
        OrderItem.objects.bulk_update(
            items.values(), ["status", "actioned_at", "reported_at", "note"]
        )
        decisions_append(decisions=decisions)
        return _settle_if_done(order=order, actor=actor, when=received)


def _settle_if_done(*, order: RemovalOrder, actor: Actor, when: datetime) -> RemovalOrder:
    """Comply when every item is settled; withdraw when every item was withdrawn."""
    statuses = set(order.items.values_list("status", flat=True))
    if not statuses <= set(SETTLED):
        return order
    if statuses == {ItemStatus.WITHDRAWN}:
        return order_withdraw(order=order, actor=actor, reason="Every item was withdrawn.")
    _pause_end(order=order, when=when, by=actor)
    _penalties_stop(order=order, when=when)
    return transition_apply(
        obj=order,
        name="comply",
        actor=actor,
        legal_basis=citations.REMOVAL,
        reason="Every item reported actioned.",
    )


def _penalties_stop(*, order: RemovalOrder, when: datetime) -> None:
    """Compliance (or a withdrawal) stops the order's periodic penalties at `when`; the sweep
    totals them into fines (or voids them for a withdrawn order)."""
    PeriodicPenalty.objects.filter(
        order=order, status=PeriodicPenalty.Status.ACCRUING, stopped_at=None
    ).update(stopped_at=when)


def order_close(*, order: RemovalOrder, actor: Actor, reason: str = "") -> RemovalOrder:
    """An officer verified the content is down: the order is closed."""
    return transition_apply(
        obj=order, name="close", actor=actor, legal_basis=citations.REMOVAL, reason=reason
    )


def order_reopen(
    *,
    order: RemovalOrder,
    actor: Actor,
    reason: str,
    items: Iterable[OrderItem] | None = None,
) -> RemovalOrder:
    """Verification found content still up: those items (default: all reported) are pending
    again and the order returns to the stage it was in when it complied."""
    require_reason(reason)

    def items_back(locked: RemovalOrder) -> None:
        reported = locked.items.filter(status__in=REPORTABLE)
        if items is not None:
            reported = reported.filter(pk__in=[i.pk for i in items])
        if not reported.exists():
            raise ValidationError(_("Name at least one reported item that is still up."))
        reported.update(status=ItemStatus.PENDING, reported_at=None, actioned_at=None)

    return transition_apply(
        obj=order,
        name="reopen",
        actor=actor,
        legal_basis=citations.REMOVAL,
        reason=reason,
        before=items_back,
    )


def order_withdraw(*, order: RemovalOrder, actor: Actor, reason: str) -> RemovalOrder:
    """The regulator cancels the order (objection upheld, requester withdrew)."""
    require_reason(reason)

    def stop_clock(locked: RemovalOrder) -> None:
        now = timezone.now()
        _pause_end(order=locked, when=now, by=actor)
        _penalties_stop(order=locked, when=now)

    return transition_apply(
        obj=order,
        name="withdraw",
        actor=actor,
        legal_basis=citations.TAKEDOWN_REQUEST,
        reason=reason,
        before=stop_clock,
    )


# The clock.


def order_clock_pause_check(*, order: RemovalOrder, actor: Actor) -> None:
    actor.require_perm(ISSUE)
    if order.status not in CLOCK_STATES or order.clock_paused_at is not None:
        raise TransitionNotAllowed(
            _("The clock of %(order)s is not running.") % {"order": order},
            current_state=order.status,
        )


def order_clock_pause(*, order: RemovalOrder, actor: Actor, reason: str) -> RemovalOrder:
    """Stop the clock (e.g. while an objection is examined); the ledger keeps the pause."""
    with transaction.atomic():
        order = _lock(order)
        order_clock_pause_check(order=order, actor=actor)
        require_reason(reason)
        now = timezone.now()
        assert actor.user is not None  # only staff pause clocks (the check asked the permission)
        ClockPause.objects.create(order=order, paused_at=now, reason=reason, paused_by=actor.user)
        order.clock_paused_at = now
        order.save(update_fields=["clock_paused_at", "updated_at"])
        decision_record_append(
            actor=actor,
            subject=order,
            action=Action.ORDER_CLOCK_PAUSE,
            from_state=order.status,
            to_state=order.status,
            legal_basis=citations.REMOVAL,
            reason=reason,
        )
    return order


def order_clock_resume_check(*, order: RemovalOrder, actor: Actor) -> None:
    actor.require_perm(ISSUE)
    if order.clock_paused_at is None:
        raise TransitionNotAllowed(
            _("The clock of %(order)s is not paused.") % {"order": order},
            current_state=order.status,
        )


def order_clock_resume(*, order: RemovalOrder, actor: Actor, reason: str = "") -> RemovalOrder:
    """Restart the clock: `due_at` moves by exactly the time it stood still."""
    with transaction.atomic():
        order = _lock(order)
        order_clock_resume_check(order=order, actor=actor)
        paused = _pause_end(order=order, when=timezone.now(), by=actor)
        due = order.due_at
        assert due is not None  # a paused clock is a running one: it has a deadline
        decision_record_append(
            actor=actor,
            subject=order,
            action=Action.ORDER_CLOCK_RESUME,
            from_state=order.status,
            to_state=order.status,
            legal_basis=citations.REMOVAL,
            reason=reason or f"Clock paused for {paused}; now due {due.isoformat()}.",
        )
    return order


def _pause_end(*, order: RemovalOrder, when: datetime, by: Actor) -> timedelta | None:
    """Close an open pause, if any, and move `due_at` by its length. The order must be locked."""
    if order.clock_paused_at is None:
        return None
    paused = when - order.clock_paused_at
    ClockPause.objects.filter(order=order, resumed_at__isnull=True).update(
        resumed_at=when, resumed_by=by.user if by.kind == "user" else None
    )
    order.due_at = order.due_at + paused if order.due_at else None
    order.clock_paused_at = None
    order.save(update_fields=["due_at", "clock_paused_at", "updated_at"])
    return paused


# Objections.


def objection_file(
    *, order: RemovalOrder, actor: Actor, reason: str, items: Sequence[OrderItem]
) -> Objection:
    """The platform objects to some items; they become `disputed`. The clock keeps running."""
    actor.require_for_platform(order.platform_id, ISSUE)
    require_reason(reason)
    with transaction.atomic():
        order = _lock(order)
        if order.status not in [*CLOCK_STATES, OrderStatus.BLOCKED]:
            raise TransitionNotAllowed(
                _("Order %(order)s is %(status)s; objections are closed.")
                % {"order": order, "status": order.get_status_display().lower()},
                current_state=order.status,
            )
        ids = {i.pk for i in items}
        disputable = list(
            order.items.select_for_update().filter(pk__in=ids, status=ItemStatus.PENDING)
        )
        if not ids or len(disputable) != len(ids):
            raise ValidationError(
                {"items": _("Object to one or more pending items of this order.")}
            )
        objection = Objection.objects.create(order=order, reason=reason)
        objection.items.set(disputable)
        OrderItem.objects.filter(pk__in=ids).update(status=ItemStatus.DISPUTED)
        decision_record_append(
            actor=actor,
            subject=objection,
            action=Action.OBJECTION_FILE,
            to_state=objection.status,
            legal_basis=citations.OBJECTION,
            reason=reason,
            links=[order, *disputable],
        )
    return objection


def _objection_decided(objection: Objection) -> None:
    webhook_enqueue(
        platform=objection.order.platform,
        event="objection.decided",
        data={
            "id": objection.pk,
            "order": objection.order.reference,
            "status": objection.status,
            "reason": objection.decision_reason,
        },
    )


def objection_uphold(
    *, objection: Objection, actor: Actor, reason: str, withdraw_order: bool = False
) -> Objection:
    """The objection is right: its items are withdrawn (or the whole order, if asked)."""
    require_reason(reason)
    with transaction.atomic():
        objection = transition_apply(
            obj=objection,
            name="uphold",
            actor=actor,
            legal_basis=citations.OBJECTION,
            reason=reason,
            before=_decided_now(reason),
            links=[objection.order],
        )
        order = _lock(objection.order)
        if withdraw_order:
            order_withdraw(order=order, actor=actor, reason=f"Objection upheld: {reason}")
        else:
            objection.items.filter(status=ItemStatus.DISPUTED).update(status=ItemStatus.WITHDRAWN)
            if order.status in [*CLOCK_STATES, OrderStatus.BLOCKED]:
                _settle_if_done(order=order, actor=actor, when=timezone.now())
        _objection_decided(objection)
    return objection


def objection_reject(*, objection: Objection, actor: Actor, reason: str) -> Objection:
    """The objection fails: its items are pending again, under the same running clock."""
    require_reason(reason)
    with transaction.atomic():
        objection = transition_apply(
            obj=objection,
            name="reject",
            actor=actor,
            legal_basis=citations.OBJECTION,
            reason=reason,
            before=_decided_now(reason),
            links=[objection.order],
        )
        objection.items.filter(status=ItemStatus.DISPUTED).update(status=ItemStatus.PENDING)
        _objection_decided(objection)
    return objection


def _decided_now(reason: str) -> Callable[[Objection], None]:
    def decide(locked: Objection) -> None:
        locked.decided_at = timezone.now()
        locked.decision_reason = reason

    return decide


# Evidence.


def evidence_add_check(*, order: RemovalOrder, actor: Actor) -> None:
    actor.require_for_platform(order.platform_id, "notices.add_evidence")


def evidence_file_checked(file: File) -> tuple[str, str]:
    """An evidence file's (content type, extension), read from its bytes; a file too large,
    empty, of a type not allowed, or an image too large to decode is refused."""
    limit = settings.EVIDENCE_MAX_BYTES
    size = file.size or 0
    if size > limit:
        raise ValidationError(
            {
                "file": _("The file is %(size)s bytes; the limit is %(limit)s.")
                % {"size": size, "limit": limit}
            }
        )
    if size == 0:
        raise ValidationError({"file": _("The file is empty.")})
    file.seek(0)
    kind = filetypes.sniff(file.read(16))
    if kind is None:
        raise ValidationError(
            {
                "file": _("Not an allowed evidence type (%(allowed)s).")
                % {"allowed": filetypes.ALLOWED_DESCRIPTION}
            }
        )
    if kind[0].startswith("image/"):
        file.seek(0)
        problem = filetypes.image_problem(file, max_pixels=settings.IMAGE_MAX_PIXELS)
        if problem:
            raise ValidationError({"file": problem})
    return kind


def evidence_add(
    *,
    order: RemovalOrder,
    actor: Actor,
    file: File,
    captured_at: datetime,
    description: str = "",
    item: OrderItem | None = None,
) -> Evidence:
    """Keep a capture with its SHA-256; the type is read from the bytes, not the file name."""
    evidence_add_check(order=order, actor=actor)
    kind = evidence_file_checked(file)
    size = file.size or 0
    if item is not None and item.order_id != order.pk:
        raise ValidationError({"item": _("That item belongs to another order.")})
    if captured_at > timezone.now():
        raise ValidationError({"captured_at": _("The capture time cannot be in the future.")})
    evidence = Evidence(
        order=order,
        item=item,
        sha256=filetypes.file_sha256(file),
        size=size,
        content_type=kind[0],
        extension=kind[1],
        description=description,
        captured_at=captured_at,
        captured_by=actor.user if actor.kind == "user" else None,
        captured_by_platform=actor.platform if actor.kind == "platform" else None,
    )
    with transaction.atomic():
        evidence.file.name = filetypes.content_addressed_save(
            file, folder="evidence", sha256=evidence.sha256, extension=evidence.extension
        )
        evidence.save()
        decision_record_append(
            actor=actor,
            subject=evidence,
            action=Action.EVIDENCE_ADD,
            legal_basis=citations.REMOVAL,
            reason=f"SHA-256 {evidence.sha256}, {size} bytes, {kind[0]}.",
            links=[order, *([item] if item else [])],
        )
        # Its fingerprints (MD5, PDQ, video frames) are computed by a worker once this
        # commits, never in the request.
        wake_after_commit(FINGERPRINT_TASK, evidence.pk)
    return evidence
