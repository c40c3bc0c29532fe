"""Sanctions and their decisions: fines, access blocks, registration sanctions, normalization.

Proposals come from the sweep or an officer; approvals come from a supervisor who is not the
proposer (four-eyes). `sweep_all` is what beat and `manage.py escalate` run.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from compliance.delivery import letters
from compliance.delivery.email import notification_enqueue
from compliance.delivery.webhooks import webhook_enqueue
from compliance.kernel.actions import Action
from compliance.kernel.actors import Actor
from compliance.kernel.counters import counter_next, numbers_draw
from compliance.kernel.decisions import decision_record_append
from compliance.kernel.errors import (
    FourEyesViolation,
    TransitionNotAllowed,
    require_reason,
)
from compliance.kernel.formats import amount_wire, moment_wire
from compliance.kernel.letters import letter_issue
from compliance.kernel.models import OfficialLetter
from compliance.kernel.transitions import transition_apply
from compliance.policies import citations
from compliance.policies.fines import penalty_total
from compliance.policies.services import policy_default
from compliance.sanctions.four_eyes import decided_by, proposer_fields
from compliance.sanctions.models import (
    APPROVE,
    AccessBlock,
    BlockOpening,
    BlockStatus,
    CommitmentKind,
    Fine,
    FineStatus,
    NormalizationRequest,
    NormalizationVerification,
    PaymentDeclaration,
    PeriodicPenalty,
    RegistrationSanction,
    SanctionRelease,
)
from compliance.sanctions.selectors import normalization_blockers
from notices.models import CLOCK_STATES, OrderStatus, RemovalOrder
from registry import services as registry
from registry.hostnames import hostname_normalize
from registry.models import BLOCKABLE_STATES, Platform, PlatformDomain, RegistrationStatus

log = logging.getLogger(__name__)


# Access blocks.


def access_block_propose_check(*, platform: Platform, actor: Actor) -> None:
    """Raise unless `actor` may propose blocking `platform`: one serving users."""
    actor.require_perm("compliance.add_accessblock")
    if platform.status not in BLOCKABLE_STATES:
        raise TransitionNotAllowed(
            _("%(platform)s is %(status)s: there is nothing to block.")
            % {"platform": platform, "status": platform.get_status_display().lower()},
            current_state=platform.status,
        )


def access_block_propose(
    *, platform: Platform, actor: Actor, reason: str, orders: list[RemovalOrder] | None = None
) -> AccessBlock:
    """Propose blocking the whole platform (an unregistered platform may be blocked directly)."""
    access_block_propose_check(platform=platform, actor=actor)
    require_reason(reason)
    with transaction.atomic():
        block = block_open(platform_id=platform.pk, now=timezone.now(), actor=actor, reason=reason)
        if orders:
            block.orders.add(*orders)
    return block


def access_block_propose_for_order(
    *, order_id: int, platform_id: int, now: datetime, actor: Actor, reason: str
) -> AccessBlock:
    """The sweep's block rung: join the platform's open block, or propose one."""
    block = block_open(platform_id=platform_id, now=now, actor=actor, reason=reason)
    block.orders.add(order_id)
    return block


def block_open(
    *,
    platform_id: int,
    now: datetime,
    actor: Actor,
    reason: str,
    cause: str = AccessBlock.Cause.ORDERS,
) -> AccessBlock:
    platform = Platform.objects.select_for_update().get(pk=platform_id)
    active = AccessBlock.objects.filter(
        platform=platform, status__in=[BlockStatus.PROPOSED, BlockStatus.IN_FORCE]
    ).first()
    if active is not None:
        return active
    basis = (
        citations.REGISTRATION_BLOCK
        if cause == AccessBlock.Cause.REGISTRATION
        else citations.ACCESS_BLOCK
    )
    return _block_proposed(
        platform=platform, actor=actor, now=now, cause=cause, legal_basis=basis, reason=reason
    )


def _block_number(now: datetime) -> str:
    return f"AB-{now.year}-{counter_next(name='block', year=now.year):06d}"


def _block_proposed(
    *,
    platform: Platform,
    actor: Actor,
    now: datetime,
    cause: str,
    legal_basis: str,
    reason: str,
    domains: Sequence[PlatformDomain] = (),
    recorded: str = "",
    links: Sequence[Any] = (),
) -> AccessBlock:
    """A new block proposal, numbered, with its decision record (`recorded` says more than
    the reason, if given). The caller holds the platform's lock and checked none is open."""
    block = AccessBlock.objects.create(
        number=_block_number(now),
        platform=platform,
        reason=reason,
        cause=cause,
        legal_basis=legal_basis,
        **proposer_fields(actor, now),
    )
    if domains:
        block.domains.set(domains)
    # Warned before the decision, so the platform can still comply or object in time.
    webhook_enqueue(
        platform=platform,
        event="block.proposed",
        data={
            "block": block.number,
            "cause": cause,
            "legal_basis": legal_basis,
            "reason": reason,
            "proposed_at": block.proposed_at,
            "domains": [d.domain for d in domains] or None,
        },
    )
    decision_record_append(
        actor=actor,
        subject=block,
        action=Action.BLOCK_PROPOSE,
        to_state=block.status,
        legal_basis=legal_basis,
        reason=recorded or reason,
        links=[platform, *links],
    )
    return block


def access_block_approve(*, block: AccessBlock, actor: Actor, reason: str = "") -> AccessBlock:
    """Put the block in force: the platform's registration goes to `blocked`, ISPs see it."""
    with transaction.atomic():
        block = transition_apply(
            obj=block,
            name="approve",
            actor=actor,
            legal_basis=block.legal_basis or citations.ACCESS_BLOCK,
            reason=reason,
            before=_in_force(actor, reason),
            links=[block.platform],
        )
        platform = registry.platform_block(platform=block.platform, actor=actor, block=block)
        for order in block.orders.filter(status__in=CLOCK_STATES).order_by("pk"):
            transition_apply(
                obj=order,
                name="enforce_block",
                actor=actor,
                legal_basis=citations.ACCESS_BLOCK,
                reason=f"Access block {block.number} in force with content still up.",
                links=[block],
            )
        subject, body = letters.block_in_force_text(
            number=block.number, platform=platform.name, since=block.in_force_at
        )
        letter = letter_issue(
            kind=OfficialLetter.Kind.BLOCK_ORDER,
            platform=platform,
            source=block,
            signatory=actor.user,
        )
        notification_enqueue(
            event="block.in_force",
            letter=letter,
            platform=platform,
            subject=subject,
            body=body,
        )
        webhook_enqueue(
            platform=platform,
            event="block.in_force",
            data={"block": block.number, "since": block.in_force_at},
        )
    return block


def _in_force(actor: Actor, reason: str) -> Any:
    decide = decided_by(actor, reason)

    def mark(locked: AccessBlock) -> None:
        decide(locked)
        locked.in_force_at = locked.decided_at

    return mark


def access_block_reject(*, block: AccessBlock, actor: Actor, reason: str) -> AccessBlock:
    require_reason(reason)
    return transition_apply(
        obj=block,
        name="reject",
        actor=actor,
        legal_basis=citations.ACCESS_BLOCK,
        reason=reason,
        before=decided_by(actor, reason),
    )


def _block_lift(
    *,
    block: AccessBlock,
    actor: Actor,
    reason: str,
    legal_basis: str,
    cause: NormalizationRequest | SanctionRelease,
) -> AccessBlock:
    """Take the platform off the ISP feed at once. Only for a decision already made by two
    people: a granted normalization, or an approved release (`cause`)."""
    require_reason(reason)
    if cause.decided_by_id is None or cause.status not in ("granted", "approved"):
        raise FourEyesViolation(_("A block is lifted only through an approved decision."))

    def lifted(locked: AccessBlock) -> None:
        locked.lifted_at = timezone.now()

    with transaction.atomic():
        block = transition_apply(
            obj=block,
            name="lift",
            actor=actor,
            legal_basis=legal_basis,
            reason=reason,
            before=lifted,
            links=[cause],
        )
        platform = Platform.objects.get(pk=block.platform_id)
        if platform.status == RegistrationStatus.BLOCKED:
            platform = registry.platform_normalize(platform=platform, actor=actor, block=block)
        conditions = cause.conditions if isinstance(cause, NormalizationRequest) else []
        until = cause.verify_until if isinstance(cause, NormalizationRequest) else None
        subject, body = letters.block_lifted_text(
            number=block.number,
            platform=platform.name,
            reason=reason,
            conditions=[c["text"] for c in conditions],
            until=until,
        )
        letter = letter_issue(
            kind=OfficialLetter.Kind.BLOCK_LIFTING,
            platform=platform,
            source=block,
            signatory=actor.user,
            facts={
                "reason": reason,
                "legal_basis": legal_basis,
                "conditions": [c["text"] for c in conditions],
                "verify_until": moment_wire(until) if until and conditions else None,
            },
        )
        notification_enqueue(
            event="block.lifted",
            letter=letter,
            platform=platform,
            subject=subject,
            body=body,
        )
        webhook_enqueue(
            platform=platform,
            event="block.lifted",
            data={
                "block": block.number,
                "lifted_at": block.lifted_at,
                "conditions": [c["text"] for c in conditions],
                "verify_until": until,
            },
        )
    return block


# Ending a sanction early: a proposal, then a second supervisor's approval.


def access_block_lift_propose(*, block: AccessBlock, actor: Actor, reason: str) -> SanctionRelease:
    """Propose lifting a block in force outside normalization (a court's order, an error)."""
    return _release_propose(
        kind=SanctionRelease.Kind.LIFT,
        sanction=block,
        actor=actor,
        reason=reason,
        legal_basis=citations.NORMALIZATION,
    )


def fine_waive_propose(*, fine: Fine, actor: Actor, reason: str) -> SanctionRelease:
    """Propose waiving an assessed or overdue fine."""
    return _release_propose(
        kind=SanctionRelease.Kind.WAIVE,
        sanction=fine,
        actor=actor,
        reason=reason,
        legal_basis=citations.FINE,
    )


# What a sanction must be to be ended early: a block in force, a fine not yet paid.
RELEASABLE: dict[type[AccessBlock | Fine], list[str]] = {
    AccessBlock: [BlockStatus.IN_FORCE],
    Fine: [FineStatus.ASSESSED, FineStatus.OVERDUE],
}


def sanction_release_propose_check(*, sanction: AccessBlock | Fine, actor: Actor) -> None:
    """Raise unless `actor` may propose lifting this block or waiving this fine now."""
    actor.require_perm("compliance.add_sanctionrelease")
    if sanction.status not in RELEASABLE[type(sanction)]:
        raise TransitionNotAllowed(
            _("%(sanction)s is %(status)s; there is nothing to end.")
            % {"sanction": sanction, "status": sanction.get_status_display().lower()},
            current_state=sanction.status,
        )
    if sanction.releases.filter(status=SanctionRelease.Status.PROPOSED).exists():
        raise TransitionNotAllowed(
            _("Ending %(sanction)s is already proposed and waiting for a decision.")
            % {"sanction": sanction},
            current_state=SanctionRelease.Status.PROPOSED,
        )


def _release_propose(
    *,
    kind: str,
    sanction: AccessBlock | Fine,
    actor: Actor,
    reason: str,
    legal_basis: str,
) -> SanctionRelease:
    with transaction.atomic():
        locked = type(sanction)._default_manager.select_for_update().get(pk=sanction.pk)
        sanction_release_propose_check(sanction=locked, actor=actor)
        require_reason(reason)
        target = {"block" if kind == SanctionRelease.Kind.LIFT else "fine": locked}
        release = SanctionRelease.objects.create(
            kind=kind, reason=reason, **target, **proposer_fields(actor, timezone.now())
        )
        decision_record_append(
            actor=actor,
            subject=release,
            action=Action.RELEASE_PROPOSE,
            to_state=release.status,
            legal_basis=legal_basis,
            reason=reason,
            links=[locked],
        )
    return release


def sanction_release_approve(
    *, release: SanctionRelease, actor: Actor, reason: str = ""
) -> SanctionRelease:
    """A second supervisor agrees: the block is lifted, or the fine waived."""
    lift = release.kind == SanctionRelease.Kind.LIFT
    basis = citations.NORMALIZATION if lift else citations.FINE
    with transaction.atomic():
        release = transition_apply(
            obj=release,
            name="approve",
            actor=actor,
            legal_basis=basis,
            reason=reason,
            before=decided_by(actor, reason),
            links=[release.sanction],
        )
        text = reason or release.reason
        if release.block is not None:
            _block_lift(
                block=release.block, actor=actor, reason=text, legal_basis=basis, cause=release
            )
        else:
            assert release.fine is not None
            _fine_waive(fine=release.fine, actor=actor, reason=release.reason, cause=release)
    return release


def sanction_release_reject(
    *, release: SanctionRelease, actor: Actor, reason: str
) -> SanctionRelease:
    require_reason(reason)
    return transition_apply(
        obj=release,
        name="reject",
        actor=actor,
        legal_basis=citations.NORMALIZATION
        if release.kind == SanctionRelease.Kind.LIFT
        else citations.FINE,
        reason=reason,
        before=decided_by(actor, reason),
    )


# Fines.


def fine_approve(*, fine: Fine, actor: Actor, reason: str = "") -> Fine:
    """Where the policy asks for it, a supervisor confirms the fine the sweep proposed; the
    assessment letter, signed by that supervisor, goes to the platform."""
    with transaction.atomic():
        fine = transition_apply(
            obj=fine, name="approve", actor=actor, legal_basis=citations.FINE, reason=reason
        )
        letter_issue(
            kind=OfficialLetter.Kind.FINE,
            platform=fine.platform,
            source=fine,
            signatory=actor.user,
        )
    return fine


def fine_reject(*, fine: Fine, actor: Actor, reason: str) -> Fine:
    require_reason(reason)
    return transition_apply(
        obj=fine, name="reject", actor=actor, legal_basis=citations.FINE, reason=reason
    )


def fine_declare_payment(*, fine: Fine, actor: Actor, payment_reference: str) -> Fine:
    """The platform says it paid; an officer confirms against the treasury's records."""
    actor.require_for_platform(fine.platform_id, "compliance.confirm_payment")
    if not payment_reference.strip():
        raise ValidationError({"payment_reference": _("Give the payment reference.")})
    with transaction.atomic():
        locked = Fine.objects.select_for_update().get(pk=fine.pk)
        if locked.status not in (FineStatus.ASSESSED, FineStatus.OVERDUE):
            raise TransitionNotAllowed(
                _("Fine %(fine)s is %(status)s; it takes no payment.")
                % {"fine": locked, "status": locked.get_status_display().lower()},
                current_state=locked.status,
            )
        locked.payment_reference = payment_reference.strip()
        locked.payment_declared_at = timezone.now()
        locked.save(update_fields=["payment_reference", "payment_declared_at"])
        # Each declaration stays as said; the one before it is no longer the one to confirm.
        locked.declarations.filter(status=PaymentDeclaration.Status.PENDING).update(
            status=PaymentDeclaration.Status.SUPERSEDED
        )
        PaymentDeclaration.objects.create(
            fine=locked,
            reference=locked.payment_reference,
            declared_at=locked.payment_declared_at,
            declared_by_label=actor.label,
        )
        decision_record_append(
            actor=actor,
            subject=locked,
            action=Action.FINE_DECLARE_PAYMENT,
            from_state=locked.status,
            to_state=locked.status,
            legal_basis=citations.FINE,
            reason=f"Payment reference {locked.payment_reference}.",
        )
    return locked


def fine_confirm_payment(*, fine: Fine, actor: Actor, payment_reference: str = "") -> Fine:
    def paid(locked: Fine) -> None:
        reference = payment_reference.strip() or locked.payment_reference
        if not reference:
            raise ValidationError({"payment_reference": _("Give the payment reference.")})
        locked.payment_reference = reference
        locked.paid_at = timezone.now()
        locked.declarations.filter(status=PaymentDeclaration.Status.PENDING).update(
            status=PaymentDeclaration.Status.CONFIRMED
        )

    return transition_apply(
        obj=fine,
        name="confirm_payment",
        actor=actor,
        legal_basis=citations.FINE,
        reason=f"Payment {payment_reference}".strip(),
        before=paid,
    )


def _fine_waive(*, fine: Fine, actor: Actor, reason: str, cause: SanctionRelease) -> Fine:
    """Only for an approved release: one person alone never waives a fine."""
    if cause.decided_by_id is None or cause.status != SanctionRelease.Status.APPROVED:
        raise FourEyesViolation(_("A fine is waived only through an approved proposal."))

    def waived(locked: Fine) -> None:
        locked.waived_reason = reason

    return transition_apply(
        obj=fine,
        name="waive",
        actor=actor,
        legal_basis=citations.FINE,
        reason=reason,
        before=waived,
        links=[cause],
    )


# Registration faults (MR5 Art. 7).


def registration_sanction_propose(
    *, platform: Platform, actor: Actor, kind: str, reason: str
) -> RegistrationSanction:
    if actor.kind != "job":
        actor.require_perm("compliance.add_registrationsanction")
    with transaction.atomic():
        sanction = RegistrationSanction.objects.create(
            platform=platform, kind=kind, reason=reason, **proposer_fields(actor, timezone.now())
        )
        Platform.objects.filter(pk=platform.pk).update(fault_due_at=None)
        decision_record_append(
            actor=actor,
            subject=sanction,
            action=Action.REGISTRATION_SANCTION_PROPOSE,
            to_state=sanction.status,
            legal_basis=citations.REGISTRATION_FAULTS,
            reason=reason,
            links=[platform],
        )
    return sanction


def registration_sanction_approve(
    *, sanction: RegistrationSanction, actor: Actor, reason: str = ""
) -> RegistrationSanction:
    with transaction.atomic():
        sanction = transition_apply(
            obj=sanction,
            name="approve",
            actor=actor,
            legal_basis=citations.REGISTRATION_FAULTS,
            reason=reason,
            before=decided_by(actor, reason),
        )
        service = (
            registry.platform_suspend
            if sanction.kind == RegistrationSanction.Kind.SUSPEND
            else registry.platform_revoke
        )
        service(platform=sanction.platform, actor=actor, sanction=sanction)
        if sanction.kind == RegistrationSanction.Kind.REVOKE:
            _revocation_block(sanction, actor)
    return sanction


def _revocation_block(sanction: RegistrationSanction, actor: Actor) -> None:
    """Revocation comes with an access block (MR5 Art. 7(2)(c)): in force at once, decided by
    the two people who decided the revocation (its proposer and its approver). A block already
    proposed or in force stays as it is."""
    platform = sanction.platform
    if AccessBlock.objects.filter(
        platform=platform, status__in=[BlockStatus.PROPOSED, BlockStatus.IN_FORCE]
    ).exists():
        return
    now = timezone.now()
    block = AccessBlock.objects.create(
        number=_block_number(now),
        platform=platform,
        status=BlockStatus.IN_FORCE,
        cause=AccessBlock.Cause.REGISTRATION,
        legal_basis=citations.REGISTRATION_BLOCK,
        reason=f"Registration revoked: {sanction.reason}",
        proposed_at=sanction.proposed_at,
        proposed_by=sanction.proposed_by,
        proposed_by_label=sanction.proposed_by_label,
        decided_at=now,
        decided_by=actor.user,
        decision_reason="With the revocation.",
        in_force_at=now,
    )
    decision_record_append(
        actor=actor,
        subject=block,
        action=Action.BLOCK_APPROVE,
        to_state=block.status,
        legal_basis=citations.REGISTRATION_BLOCK,
        reason=f"In force with the revocation of {platform}'s registration.",
        links=[sanction, platform],
    )


def registration_sanction_reject(
    *, sanction: RegistrationSanction, actor: Actor, reason: str
) -> RegistrationSanction:
    require_reason(reason)
    return transition_apply(
        obj=sanction,
        name="reject",
        actor=actor,
        legal_basis=citations.REGISTRATION_FAULTS,
        reason=reason,
        before=decided_by(actor, reason),
    )


# Normalization (MR5 Art. 20).


def normalization_request_file_check(
    *, platform: Platform, actor: Actor, blocks: QuerySet[AccessBlock] | None = None
) -> AccessBlock:
    """Raise unless a normalization of `platform` may be requested now; return the block in
    force it would end (taken from `blocks`, e.g. a locking queryset)."""
    actor.require_for_platform(platform.pk, "compliance.add_normalizationrequest")
    block = (
        (blocks if blocks is not None else AccessBlock.objects)
        .filter(platform=platform, status=BlockStatus.IN_FORCE)
        .first()
    )
    if block is None:
        raise TransitionNotAllowed(
            _("%(platform)s has no block in force.") % {"platform": platform},
            current_state=platform.status,
        )
    if block.normalizations.filter(status=NormalizationRequest.Status.REQUESTED).exists():
        raise TransitionNotAllowed(
            _("A normalization request is already waiting for a decision."),
            current_state=NormalizationRequest.Status.REQUESTED,
        )
    return block


ITEMS_MAX, ITEM_TEXT_MAX = 20, 2000


def commitments_clean(commitments: Sequence[Any]) -> list[dict[str, str]]:
    """Commitments as kept: each a kind and a text; ValidationError naming the faulty one."""
    if not isinstance(commitments, list | tuple) or len(commitments) > ITEMS_MAX:
        raise ValidationError({"commitments": f"A list of at most {ITEMS_MAX} commitments."})
    cleaned = []
    for n, entry in enumerate(commitments, start=1):
        kind = entry.get("kind") if isinstance(entry, dict) else None
        text = str(entry.get("text", "")).strip() if isinstance(entry, dict) else ""
        if kind not in CommitmentKind.values:
            kinds = ", ".join(CommitmentKind.values)
            raise ValidationError({"commitments": f"Commitment {n}: kind is one of {kinds}."})
        if not text or len(text) > ITEM_TEXT_MAX:
            raise ValidationError(
                {"commitments": f"Commitment {n}: a text of 1 to {ITEM_TEXT_MAX} characters."}
            )
        cleaned.append({"kind": kind, "text": text})
    return cleaned


def normalization_request_file(
    *, platform: Platform, actor: Actor, statement: str, commitments: Sequence[Any] = ()
) -> NormalizationRequest:
    """A blocked platform (or an officer for it) asks for access to be restored, with its
    written commitments where the policy asks for them (always after a direct block)."""
    cleaned = commitments_clean(list(commitments))
    with transaction.atomic():
        block = normalization_request_file_check(
            platform=platform, actor=actor, blocks=AccessBlock.objects.select_for_update()
        )
        if not statement.strip():
            raise ValidationError({"statement": _("Say what was done to comply.")})
        policy = platform.escalation_policy or policy_default()
        required = (
            policy.normalization_requires_commitments or block.cause == AccessBlock.Cause.DIRECT
        )
        if required and not cleaned:
            raise ValidationError(
                {"commitments": _("This normalization needs the operator's written commitments.")}
            )
        now = timezone.now()
        request = NormalizationRequest.objects.create(
            platform=platform,
            block=block,
            statement=statement,
            commitments=cleaned,
            decide_by=now + timedelta(hours=policy.normalization_decision_hours),
            **proposer_fields(actor, now),
        )
        decision_record_append(
            actor=actor,
            subject=request,
            action=Action.NORMALIZATION_FILE,
            to_state=request.status,
            legal_basis=citations.NORMALIZATION,
            reason=statement + "".join(f"\nCommitment ({c['kind']}): {c['text']}" for c in cleaned),
            links=[block],
        )
    return request


def normalization_grant(
    *,
    request: NormalizationRequest,
    actor: Actor,
    reason: str = "",
    conditions: Sequence[str] = (),
    verify_until: datetime | None = None,
) -> NormalizationRequest:
    """Restore access: only when what the block stands for is cured (orders complied, fines
    settled, the registration approved). A grant may be conditional: conditions verified by
    officers until `verify_until`, a breach proposing a re-block (Grok, February 2026)."""
    kept = [str(c).strip() for c in conditions]
    if len(kept) > ITEMS_MAX or any(not c or len(c) > ITEM_TEXT_MAX for c in kept):
        raise ValidationError(
            {"conditions": f"At most {ITEMS_MAX} conditions of 1 to {ITEM_TEXT_MAX} characters."}
        )
    if kept and (verify_until is None or verify_until <= timezone.now()):
        raise ValidationError({"verify_until": _("Conditions are verified until a later date.")})
    if verify_until is not None and not kept:
        raise ValidationError({"conditions": _("Name the conditions to verify.")})

    def check(locked: NormalizationRequest) -> None:
        decided_by(actor, reason)(locked)
        problems = normalization_blockers(block=locked.block)
        if problems:
            raise ValidationError([_("Normalization cannot be granted yet."), *problems])
        locked.conditions = [{"text": c} for c in kept]
        locked.verify_until = verify_until
        if kept:
            assert verify_until is not None
            locked.decision_reason = (
                f"{reason} Conditional until {timezone.localtime(verify_until):%d %B %Y}: "
                + "; ".join(f"({n}) {c}" for n, c in enumerate(kept, start=1))
            ).strip()

    with transaction.atomic():
        request = transition_apply(
            obj=request,
            name="grant",
            actor=actor,
            legal_basis=citations.NORMALIZATION,
            reason=(
                f"{reason} Conditions: " + "; ".join(f"({n}) {c}" for n, c in enumerate(kept, 1))
                if kept
                else reason
            ),
            before=check,
            links=[request.block],
        )
        letter_issue(
            kind=OfficialLetter.Kind.NORMALIZATION,
            platform=request.platform,
            source=request,
            signatory=actor.user,
        )
        _block_lift(
            block=request.block,
            actor=actor,
            reason=reason or f"Normalization granted ({request.pk}).",
            legal_basis=citations.NORMALIZATION,
            cause=request,
        )
    return request


def normalization_refuse(
    *, request: NormalizationRequest, actor: Actor, reason: str
) -> NormalizationRequest:
    require_reason(reason)
    with transaction.atomic():
        request = transition_apply(
            obj=request,
            name="refuse",
            actor=actor,
            legal_basis=citations.NORMALIZATION,
            reason=reason,
            before=decided_by(actor, reason),
        )
        letter_issue(
            kind=OfficialLetter.Kind.NORMALIZATION,
            platform=request.platform,
            source=request,
            signatory=actor.user,
        )
    return request


# Temporary openings.

OPENING_LONGEST = timedelta(days=90)


def access_block_open_temporarily(
    *, block: AccessBlock, actor: Actor, opens_at: datetime, closes_at: datetime, reason: str
) -> BlockOpening:
    """Take a block in force off the ISPs' feed for a fixed window (a supervisor's decision);
    the sweep puts it back at the window's end unless its cause was cured meanwhile."""
    actor.require_perm(APPROVE)
    require_reason(reason)
    if closes_at <= opens_at:
        raise ValidationError({"closes_at": _("The window ends after it starts.")})
    if closes_at - opens_at > OPENING_LONGEST:
        raise ValidationError({"closes_at": _("A temporary opening lasts at most 90 days.")})
    if closes_at <= timezone.now():
        raise ValidationError({"closes_at": _("The window has already ended.")})
    with transaction.atomic():
        locked = AccessBlock.objects.select_for_update().get(pk=block.pk)
        access_block_open_temporarily_check(block=locked, actor=actor)
        overlapping = locked.openings.filter(
            opens_at__lt=closes_at, closes_at__gt=opens_at, outcome=""
        ).first()
        if overlapping is not None:
            raise ValidationError(
                {"opens_at": _("The window overlaps %(other)s.") % {"other": overlapping}}
            )
        assert actor.user is not None
        opening = BlockOpening.objects.create(
            block=locked,
            opens_at=opens_at,
            closes_at=closes_at,
            reason=reason,
            decided_by=actor.user,
            decided_at=timezone.now(),
        )
        decision_record_append(
            actor=actor,
            subject=locked,
            action=Action.BLOCK_OPEN_TEMPORARILY,
            from_state=locked.status,
            to_state=locked.status,
            legal_basis=citations.ACCESS_BLOCK,
            reason=f"Open from {timezone.localtime(opens_at):%d %B %Y %H:%M} to "
            f"{timezone.localtime(closes_at):%d %B %Y %H:%M %Z}: {reason}",
            links=[locked.platform],
        )
    return opening


def block_openings_end(*, now: datetime, actor: Actor) -> int:
    """Windows that ended: the block is back on the feed, or (its cause cured: a registration
    block whose platform is now registered) stays open until the normalization is decided."""
    count = 0
    with transaction.atomic():
        for opening in (
            BlockOpening.objects.select_for_update(skip_locked=True)
            .filter(ended_at__isnull=True, closes_at__lte=now)
            .select_related("block__platform")
        ):
            block = opening.block
            cured = (
                block.status == BlockStatus.IN_FORCE
                and block.cause == AccessBlock.Cause.REGISTRATION
                and bool(block.platform.registration_number)
            )
            opening.ended_at = now
            opening.outcome = BlockOpening.Outcome.CURED if cured else BlockOpening.Outcome.RETURNED
            opening.save(update_fields=["ended_at", "outcome"])
            decision_record_append(
                actor=actor,
                subject=block,
                action=Action.BLOCK_OPENING_END,
                from_state=block.status,
                to_state=block.status,
                legal_basis=citations.ACCESS_BLOCK,
                reason=(
                    f"Temporary opening ended; {block.platform} is registered "
                    f"({block.platform.registration_number}): access stays open until the "
                    "normalization is decided."
                    if cured
                    else "Temporary opening ended: the block is back in force."
                ),
            )
            count += 1
    return count


# Periodic penalties (EU DSA Art. 52(4) and 76): stopped by compliance, then totalled.


def periodic_penalties_settle(*, now: datetime, actor: Actor) -> int:
    """Total each penalty its order's compliance stopped into a fine on the letter of the rung
    that started it (proposed when that rung needs a supervisor's approval), and void those of
    withdrawn orders. Returns how many were settled."""
    count = 0
    with transaction.atomic():
        for penalty in (
            PeriodicPenalty.objects.select_for_update(skip_locked=True, of=("self",))
            .filter(status=PeriodicPenalty.Status.ACCRUING, stopped_at__isnull=False)
            .select_related("order__policy_version", "platform", "letter")
        ):
            if penalty.order.status == OrderStatus.WITHDRAWN:
                penalty.status = PeriodicPenalty.Status.VOID
                penalty.save(update_fields=["status"])
                decision_record_append(
                    actor=actor,
                    subject=penalty.order,
                    action=Action.PENALTY_VOID,
                    from_state=penalty.order.status,
                    to_state=penalty.order.status,
                    legal_basis=penalty.letter.legal_basis,
                    reason=f"The periodic penalty of letter {penalty.letter.number} ends "
                    "unfined: the order was withdrawn.",
                )
            else:
                _penalty_total(penalty, now=now, actor=actor)
            count += 1
    return count


def _penalty_total(penalty: PeriodicPenalty, *, now: datetime, actor: Actor) -> None:
    assert penalty.stopped_at is not None
    total = penalty_total(
        daily=penalty.daily_amount,
        cap=penalty.cap,
        started=penalty.started_at,
        stopped=penalty.stopped_at,
        currency=penalty.currency,
    )
    version = penalty.order.policy_version
    assert version is not None  # an order that climbed a ladder was issued under a policy
    fine = Fine.objects.create(
        number=f"FN-{now.year}-{numbers_draw(name='fine', count=1)[0]:06d}",
        order=penalty.order,
        platform=penalty.platform,
        letter=penalty.letter,
        amount=total.amount,
        currency=penalty.currency,
        item_amounts={},
        computation=f"{penalty.computation}; {total.computation}",
        status=FineStatus.PROPOSED if penalty.needs_approval else FineStatus.ASSESSED,
        assessed_at=now,
        due_at=now + version.parsed.fine_payment_period,
    )
    penalty.status = PeriodicPenalty.Status.TOTALLED
    penalty.fine = fine
    penalty.save(update_fields=["status", "fine"])
    decision_record_append(
        actor=actor,
        subject=penalty.order,
        action=Action.PENALTY_TOTAL,
        from_state=penalty.order.status,
        to_state=penalty.order.status,
        legal_basis=penalty.letter.legal_basis,
        reason=f"Periodic penalty of letter {penalty.letter.number} stopped by compliance: "
        f"{total.computation}.",
        links=[fine],
    )
    if fine.status == FineStatus.ASSESSED:
        letter_issue(kind=OfficialLetter.Kind.FINE, platform=fine.platform, source=fine, now=now)
    webhook_enqueue(
        platform=fine.platform,
        event="fine.assessed",
        data={
            "number": fine.number,
            "order": penalty.order.reference,
            "amount": amount_wire(fine.amount),
            "currency": fine.currency,
            "due_at": fine.due_at,
            "status": fine.status,
        },
    )


# Direct blocks (MR5 Art. 9): prohibited content, without the ladder of letters.


def access_block_propose_direct(
    *,
    platform: Platform,
    actor: Actor,
    domains: Sequence[str],
    reason: str,
    legal_basis: str = citations.DIRECT_BLOCK,
) -> AccessBlock:
    """A supervisor proposes blocking chosen domains of a platform at once (Grok, January
    2026: the service's own domains, not its parent's). Another supervisor puts it in force,
    as every block; the ISPs' feed then carries those domains only."""
    actor.require_perm(APPROVE)
    require_reason(reason)
    basis = legal_basis.strip()
    if not basis or len(basis) > 300:
        raise ValidationError(
            {"legal_basis": _("Cite the rule applied, in at most 300 characters.")}
        )
    if not domains:
        raise ValidationError({"domains": _("Choose the domains to block.")})
    owned = {d.domain: d for d in platform.domains.all()}
    chosen = []
    for name in domains:
        try:
            normalized = hostname_normalize(name)
        except ValidationError:
            normalized = name
        if normalized not in owned:
            raise ValidationError(
                {
                    "domains": _("%(domain)s is not a domain of %(platform)s.")
                    % {"domain": name, "platform": platform}
                }
            )
        chosen.append(owned[normalized])
    with transaction.atomic():
        locked = Platform.objects.select_for_update().get(pk=platform.pk)
        access_block_propose_direct_check(platform=locked, actor=actor)
        return _block_proposed(
            platform=platform,
            actor=actor,
            now=timezone.now(),
            cause=AccessBlock.Cause.DIRECT,
            legal_basis=basis,
            reason=reason,
            domains=chosen,
            recorded=f"{reason} Domains: {', '.join(d.domain for d in chosen)}.",
        )


VERIFY = "compliance.add_normalizationrequest"  # officers


def normalization_verify(
    *,
    request: NormalizationRequest,
    actor: Actor,
    outcome: str,
    note: str,
    condition: int | None = None,
) -> NormalizationVerification:
    """An officer records a check of a conditional normalization within its verification
    period. A breach names the condition and proposes a re-block of the same domains, citing
    it, for a supervisor to put in force."""
    actor.require_perm(VERIFY)
    require_reason(note)
    if outcome not in NormalizationVerification.Outcome.values:
        raise ValidationError({"outcome": "met or breached."})
    with transaction.atomic():
        locked = NormalizationRequest.objects.select_for_update().get(pk=request.pk)
        normalization_verify_check(request=locked, actor=actor)
        now = timezone.now()
        breached = outcome == NormalizationVerification.Outcome.BREACHED
        if breached and (condition is None or not 1 <= condition <= len(locked.conditions)):
            raise ValidationError(
                {
                    "condition": _("Name the breached condition: 1 to %(count)s.")
                    % {"count": len(locked.conditions)}
                }
            )
        assert actor.user is not None
        reblock = _reblock_propose(locked, actor, condition, note) if breached else None
        verification = NormalizationVerification.objects.create(
            request=locked,
            checked_at=now,
            checked_by=actor.user,
            outcome=outcome,
            condition=condition if breached else None,
            note=note,
            reblock=reblock,
        )
        decision_record_append(
            actor=actor,
            subject=locked,
            action=Action.NORMALIZATION_VERIFY,
            from_state=locked.status,
            to_state=locked.status,
            legal_basis=citations.NORMALIZATION,
            reason=(
                f"Condition {condition} breached ({locked.conditions[condition - 1]['text']}): "
                f"{note} Re-block {reblock} proposed."
                if breached and reblock is not None and condition is not None
                else f"Conditions met: {note}"
            ),
            links=[reblock] if reblock else [],
        )
    return verification


def _reblock_propose(
    request: NormalizationRequest, actor: Actor, condition: int | None, note: str
) -> AccessBlock:
    """A new block of the same domains, on the same grounds, citing the breached condition."""
    original = request.block
    assert condition is not None
    text = request.conditions[condition - 1]["text"]
    if AccessBlock.objects.filter(
        platform=request.platform, status__in=[BlockStatus.PROPOSED, BlockStatus.IN_FORCE]
    ).exists():
        raise TransitionNotAllowed(
            _("%(platform)s already has a block proposed or in force.")
            % {"platform": request.platform},
            current_state=original.status,
        )
    return _block_proposed(
        platform=request.platform,
        actor=actor,
        now=timezone.now(),
        cause=original.cause,
        legal_basis=original.legal_basis or citations.ACCESS_BLOCK,
        reason=f"Breach of condition {condition} of normalization #{request.pk} ({text}): {note}",
        domains=list(original.domains.all()),
        links=[original],
    )


# What the admin's buttons ask before they show (each service checks the same again).


def access_block_propose_direct_check(*, platform: Platform, actor: Actor) -> None:
    actor.require_perm(APPROVE)
    if AccessBlock.objects.filter(
        platform=platform, status__in=[BlockStatus.PROPOSED, BlockStatus.IN_FORCE]
    ).exists():
        raise TransitionNotAllowed(
            _("%(platform)s already has a block proposed or in force.") % {"platform": platform},
            current_state=platform.status,
        )


def access_block_open_temporarily_check(*, block: AccessBlock, actor: Actor) -> None:
    actor.require_perm(APPROVE)
    if block.status != BlockStatus.IN_FORCE:
        raise TransitionNotAllowed(
            _("Block %(block)s is %(status)s; only a block in force is opened.")
            % {"block": block, "status": block.get_status_display().lower()},
            current_state=block.status,
        )


def normalization_verify_check(*, request: NormalizationRequest, actor: Actor) -> None:
    actor.require_perm(VERIFY)
    if (
        request.status != NormalizationRequest.Status.GRANTED
        or not request.conditions
        or request.verify_until is None
        or timezone.now() > request.verify_until
    ):
        raise TransitionNotAllowed(
            _("Only a conditional normalization is verified, within its period."),
            current_state=request.status,
        )
