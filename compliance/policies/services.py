"""Writing and choosing escalation policies."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from compliance.kernel.actions import Action
from compliance.kernel.actors import Actor
from compliance.kernel.decisions import decision_record_append
from compliance.policies import citations
from compliance.policies.fines import fine_rule_problems
from compliance.policies.models import EscalationPolicy, EscalationPolicyVersion, PublicHoliday
from compliance.policies.terms import PERIOD_KEYS, DataLadderAction, LadderAction


def ladder_validate(
    ladder: Any,
    *,
    actions: Sequence[str] = LadderAction.values,
    last_only: str = LadderAction.BLOCK_PROPOSAL,
    field: str = "ladder",
) -> None:
    """Refuse a ladder the sweep could not follow, saying which step is wrong and why (in
    `field`): an order's ladder by default, a data-access request's with its own actions."""
    if not isinstance(ladder, list) or not ladder:
        raise ValidationError({field: _("The ladder is a non-empty list of steps.")})
    errors = []
    for number, step in enumerate(ladder, start=1):
        if not isinstance(step, dict):
            errors.append(_("Step %(n)s: must be an object.") % {"n": number})
            continue
        units = [unit for unit, (key, _) in PERIOD_KEYS.items() if key in step]
        periods = {key for keys in PERIOD_KEYS.values() for key in keys}
        allowed = {"action", "fine_per_item", "fine", "legal_basis", "needs_approval", *periods}
        if set(step) - allowed:
            errors.append(
                _("Step %(n)s: unknown keys %(keys)s.")
                % {"n": number, "keys": sorted(set(step) - allowed)}
            )
        if step.get("action") not in actions:
            errors.append(
                _("Step %(n)s: action must be one of %(actions)s.")
                % {"n": number, "actions": ", ".join(actions)}
            )
        if len(units) != 1:
            errors.append(
                _(
                    "Step %(n)s: give its period once, as period_hours, period_days or "
                    "period_working_days."
                )
                % {"n": number}
            )
        else:
            key, urgent_key = PERIOD_KEYS[units[0]]
            if set(step) & periods - {key, urgent_key}:
                errors.append(
                    _("Step %(n)s: its periods must be in one unit (%(unit)s).")
                    % {"n": number, "unit": units[0]}
                )
            for name in (key, urgent_key):
                value = step.get(name, step.get(key))
                if not isinstance(value, int) or isinstance(value, bool) or value < 1:
                    errors.append(
                        _("Step %(n)s: %(name)s must be a whole number, at least 1.")
                        % {"n": number, "name": name}
                    )
        basis = step.get("legal_basis", "")
        if not isinstance(basis, str) or len(basis) > 300:
            errors.append(
                _("Step %(n)s: legal_basis is text of at most 300 characters.") % {"n": number}
            )
        errors += _fine_problems(step, number)
    steps = [s.get("action") for s in ladder if isinstance(s, dict)]
    if last_only in steps[:-1]:
        errors.append(
            _("The block proposal can only be the last step.")
            if last_only == LadderAction.BLOCK_PROPOSAL
            else _("The supervisor referral can only be the last step.")
        )
    if errors:
        raise ValidationError({field: errors})


def _fine_problems(step: dict[str, Any], number: int) -> list[str]:
    """A warning_fine step charges by `fine_per_item` or by a `fine` rule (one of them);
    no other step carries a fine."""
    if step.get("action") != LadderAction.WARNING_FINE:
        if {"fine_per_item", "fine", "needs_approval"} & set(step):
            return [_("Step %(n)s: only warning_fine steps carry a fine.") % {"n": number}]
        return []
    if not isinstance(step.get("needs_approval", False), bool):
        return [_("Step %(n)s: needs_approval is true or false.") % {"n": number}]
    if "fine_per_item" in step and "fine" in step:
        return [_("Step %(n)s: give fine_per_item or a fine rule, not both.") % {"n": number}]
    if "fine" in step:
        return [
            _("Step %(n)s: %(problem)s.") % {"n": number, "problem": problem}
            for problem in fine_rule_problems(step["fine"])
        ]
    try:
        if Decimal(str(step.get("fine_per_item"))) <= 0:
            raise InvalidOperation
    except InvalidOperation:
        return [_("Step %(n)s: fine_per_item must be a positive amount.") % {"n": number}]
    return []


def policy_save(*, policy: EscalationPolicy, actor: Actor) -> EscalationPolicyVersion:
    """Save the policy's edited terms as a new version; running orders keep their version."""
    actor.require_perm(
        "compliance.change_escalationpolicy" if policy.pk else "compliance.add_escalationpolicy"
    )
    ladder_validate(policy.ladder)
    ladder_validate(
        policy.data_request_ladder,
        actions=DataLadderAction.values,
        last_only=DataLadderAction.SUPERVISOR_REFERRAL,
        field="data_request_ladder",
    )
    ladder_validate(
        policy.risk_assessment_ladder,
        actions=DataLadderAction.values,
        last_only=DataLadderAction.SUPERVISOR_REFERRAL,
        field="risk_assessment_ladder",
    )
    policy.full_clean(exclude=["version"])
    with transaction.atomic():
        if policy.pk:
            EscalationPolicy.objects.select_for_update().filter(pk=policy.pk).get()
            previous = EscalationPolicy.objects.get(pk=policy.pk).version
        else:
            previous = 0
        policy.version = previous + 1
        policy.save()
        version = EscalationPolicyVersion.objects.create(
            policy=policy,
            version=policy.version,
            terms=policy.terms(),
            created_by=actor.user if actor.kind == "user" else None,
        )
        decision_record_append(
            actor=actor,
            subject=policy,
            action=Action.POLICY_SAVE,
            from_state=f"v{previous}" if previous else "",
            to_state=f"v{policy.version}",
            legal_basis=citations.POLICY,
            reason=f"Version {policy.version} of {policy.name}.",
            links=[version],
        )
    return version


def policy_current_version(*, policy: EscalationPolicy) -> EscalationPolicyVersion:
    return policy.versions.get(version=policy.version)


def policy_default() -> EscalationPolicy:
    return EscalationPolicy.objects.get(is_default=True)


# The calendar: public holidays and collective leave days (data, decreed yearly).

HOLIDAYS = "compliance.change_publicholiday"


def holiday_save(*, actor: Actor, holiday: PublicHoliday) -> PublicHoliday:
    """Add or correct one day of the calendar; working-day deadlines set from now count it."""
    _require_calendar(actor)
    holiday.full_clean()
    with transaction.atomic():
        before = (
            PublicHoliday.objects.filter(pk=holiday.pk).values_list("date", "name").first()
            if holiday.pk
            else None
        )
        holiday.save()
        decision_record_append(
            actor=actor,
            subject=holiday,
            action=Action.HOLIDAY_SAVE,
            legal_basis=citations.POLICY,
            reason=(f"Was {before[0]}: {before[1]}; now " if before else "Added ")
            + f"{holiday.date}: {holiday.name} ({holiday.get_kind_display()}).",
        )
    return holiday


def _require_calendar(actor: Actor) -> None:
    """Supervisors; and operators' commands on the server (a job actor)."""
    if actor.kind != "job":
        actor.require_perm(HOLIDAYS)


def holidays_add(*, actor: Actor, entries: Sequence[tuple[date, str, str]]) -> list[PublicHoliday]:
    """A decree's list of days at once: a day named twice in the list, or already on the
    calendar, refuses the whole list (naming the day), nothing written."""
    _require_calendar(actor)
    seen: set[date] = set()
    errors = []
    for day, _name, _kind in entries:
        if day in seen:
            errors.append(f"{day} is in the list twice.")
        seen.add(day)
    existing = set(PublicHoliday.objects.filter(date__in=seen).values_list("date", flat=True))
    errors += [f"{day} is already on the calendar." for day in sorted(existing)]
    if errors:
        raise ValidationError({"dates": errors})
    with transaction.atomic():
        return [
            holiday_save(actor=actor, holiday=PublicHoliday(date=day, name=name, kind=kind))
            for day, name, kind in entries
        ]


def holiday_delete(*, actor: Actor, holiday: PublicHoliday) -> None:
    actor.require_perm("compliance.delete_publicholiday")
    with transaction.atomic():
        decision_record_append(
            actor=actor,
            subject=holiday,
            action=Action.HOLIDAY_DELETE,
            legal_basis=citations.POLICY,
            reason=f"Removed {holiday.date}: {holiday.name}.",
        )
        holiday.delete()
