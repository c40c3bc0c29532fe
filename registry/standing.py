"""What a platform's obligations depend on besides its registration: its declared turnover (a
fine set as a share of turnover is computed from it) and its designations (a very large online
platform under the EU DSA, a category 1 service under the UK OSA, ...), each with its basis.

Both are history: a turnover is corrected by a new declaration, a designation ends and another
begins; nothing is overwritten. Each write is a decision in the record.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal, InvalidOperation

import pycountry
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from compliance.kernel.actions import Action
from compliance.kernel.actors import Actor
from compliance.kernel.decisions import decision_record_append
from compliance.kernel.errors import TransitionNotAllowed, require_reason
from compliance.policies import citations
from registry.models import DesignationKind, Platform, PlatformDesignation, PlatformTurnover

DESIGNATE = "registry.designate_platform"
MAX_AMOUNT = Decimal("1e17")  # far above any company's turnover; keeps 20 digits exact
# Designations by user count that the law ties to a number (EU DSA Art. 33(1)).
THRESHOLDS = {DesignationKind.DSA_VLOP: 45_000_000, DesignationKind.DSA_VLOSE: 45_000_000}


def currency_check(code: str) -> str:
    """An ISO 4217 code as stored (upper case), or a refusal naming the field."""
    cleaned = code.strip().upper()
    if len(cleaned) != 3 or pycountry.currencies.get(alpha_3=cleaned) is None:
        raise ValidationError(
            {"currency": _("%(code)s is not an ISO 4217 currency.") % {"code": code}}
        )
    return cleaned


def turnover_declare(
    *,
    actor: Actor,
    platform: Platform,
    amount: Decimal | str,
    currency: str,
    period_start: date,
    period_end: date,
    source: str,
    scope: str = "worldwide",
) -> PlatformTurnover:
    """Record a turnover for a period (at most a year): by an officer from the accounts, or
    by the platform itself. The latest period is the one fines are computed from."""
    actor.require_for_platform(platform.pk, "registry.change_platform")
    errors: dict[str, list[str]] = {}
    try:
        value = Decimal(str(amount))
        if not value.is_finite() or value <= 0 or value >= MAX_AMOUNT:
            raise InvalidOperation
        if value != value.quantize(Decimal("0.01")):
            errors["amount"] = [_("At most two decimals.")]
    except InvalidOperation:
        errors["amount"] = [_("A positive amount.")]
        value = Decimal(0)
    try:
        code = currency_check(currency)
    except ValidationError as refused:
        errors |= refused.message_dict
        code = ""
    if period_end < period_start:
        errors["period_end"] = [_("The period ends before it starts.")]
    elif (period_end - period_start).days > 366:
        errors["period_end"] = [_("A turnover covers a year at most.")]
    if period_end > timezone.localdate():
        errors["period_end"] = [_("A turnover is declared for a period that has ended.")]
    if not source.strip() or len(source) > 300:
        errors["source"] = [_("Say where the figure comes from (300 characters).")]
    if scope not in ("worldwide", "national"):
        errors["scope"] = [_("worldwide or national.")]
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        turnover = PlatformTurnover.objects.create(
            platform=platform,
            amount=value,
            currency=code,
            period_start=period_start,
            period_end=period_end,
            scope=scope,
            source=source.strip(),
            declared_at=timezone.now(),
            declared_by_label=actor.label,
        )
        decision_record_append(
            actor=actor,
            subject=platform,
            action=Action.TURNOVER_DECLARE,
            legal_basis=citations.TURNOVER,
            reason=f"Turnover {turnover} ({scope}), from {turnover.source}.",
            links=[turnover],
        )
    return turnover


def turnovers_current(*, platform_ids: set[int]) -> dict[int, PlatformTurnover]:
    """Each platform's worldwide turnover fines are computed from: the latest period declared,
    and for it the latest declaration (one query for all)."""
    found: dict[int, PlatformTurnover] = {}
    for declared in PlatformTurnover.objects.filter(
        platform_id__in=platform_ids, scope="worldwide"
    ).order_by("platform_id", "-period_end", "-declared_at", "-pk"):
        found.setdefault(declared.platform_id, declared)
    return found


def designation_record(
    *,
    actor: Actor,
    platform: Platform,
    kind: str,
    basis: str,
    effective_from: date,
    user_count: int | None = None,
    user_count_as_of: date | None = None,
    decision_reference: str = "",
) -> PlatformDesignation:
    """Designate a platform (supervisors): by its user count, with the date it was counted
    (at least the threshold where the law sets one), or by a decision, with its reference."""
    actor.require_perm(DESIGNATE)
    errors: dict[str, list[str]] = {}
    if kind not in DesignationKind.values:
        errors["kind"] = [_("One of %(kinds)s.") % {"kinds": ", ".join(DesignationKind.values)}]
    if basis == PlatformDesignation.Basis.USER_COUNT:
        if user_count is None or user_count_as_of is None:
            errors["user_count"] = [_("Give the user count and the date it was counted.")]
        elif kind in THRESHOLDS and user_count < THRESHOLDS[DesignationKind(kind)]:
            errors["user_count"] = [
                _("Below the threshold of %(n)s monthly active recipients.")
                % {"n": f"{THRESHOLDS[DesignationKind(kind)]:,}"}
            ]
        elif user_count_as_of > timezone.localdate():
            errors["user_count_as_of"] = [_("A count is of a day that has come.")]
    elif basis == PlatformDesignation.Basis.DECISION:
        if not decision_reference.strip():
            errors["decision_reference"] = [_("Cite the decision (its reference).")]
    else:
        errors["basis"] = [_("user_count or decision.")]
    if len(decision_reference) > 200:
        errors["decision_reference"] = [_("At most 200 characters.")]
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        Platform.objects.select_for_update().get(pk=platform.pk)
        if PlatformDesignation.objects.filter(
            platform=platform, kind=kind, ended_at__isnull=True
        ).exists():
            raise TransitionNotAllowed(
                _("%(platform)s is designated so already; end that designation first.")
                % {"platform": platform},
                current_state="designated",
            )
        designation = PlatformDesignation.objects.create(
            platform=platform,
            kind=kind,
            basis=basis,
            user_count=user_count if basis == PlatformDesignation.Basis.USER_COUNT else None,
            user_count_as_of=(
                user_count_as_of if basis == PlatformDesignation.Basis.USER_COUNT else None
            ),
            decision_reference=decision_reference.strip(),
            effective_from=effective_from,
            recorded_at=timezone.now(),
            recorded_by_label=actor.label,
        )
        basis_text = (
            f"{user_count:,} monthly active recipients as of {user_count_as_of}"
            if basis == PlatformDesignation.Basis.USER_COUNT
            else f"decision {designation.decision_reference}"
        )
        decision_record_append(
            actor=actor,
            subject=platform,
            action=Action.DESIGNATION_RECORD,
            to_state=kind,
            legal_basis=citations.DESIGNATIONS.get(kind, citations.POLICY),
            reason=f"{designation.get_kind_display()} from {effective_from}: {basis_text}.",
            links=[designation],
        )
    return designation


def designation_end_check(*, designation: PlatformDesignation, actor: Actor) -> None:
    actor.require_perm(DESIGNATE)
    if designation.ended_at is not None:
        raise TransitionNotAllowed(_("This designation has ended already."), current_state="ended")


def designation_end(
    *, designation: PlatformDesignation, actor: Actor, reason: str
) -> PlatformDesignation:
    """End a designation (the platform fell below the threshold, the decision was revoked);
    it stays in the history with why."""
    require_reason(reason)
    with transaction.atomic():
        locked = PlatformDesignation.objects.select_for_update().get(pk=designation.pk)
        designation_end_check(designation=locked, actor=actor)
        locked.ended_at = timezone.now()
        locked.end_reason = reason.strip()
        locked.save(update_fields=["ended_at", "end_reason"])
        decision_record_append(
            actor=actor,
            subject=locked.platform,
            action=Action.DESIGNATION_END,
            from_state=locked.kind,
            legal_basis=citations.DESIGNATIONS.get(locked.kind, citations.POLICY),
            reason=f"{locked.get_kind_display()} ended: {locked.end_reason}",
            links=[locked],
        )
    return locked
