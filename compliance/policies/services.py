"""Writing and choosing escalation policies."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction

from compliance.kernel.actions import Action
from compliance.kernel.actors import Actor
from compliance.kernel.decisions import decision_record_append
from compliance.policies import citations
from compliance.policies.models import EscalationPolicy, EscalationPolicyVersion
from compliance.policies.terms import LadderAction


def ladder_validate(ladder: Any) -> None:
    """Refuse a ladder the sweep could not follow, saying which step is wrong and why."""
    if not isinstance(ladder, list) or not ladder:
        raise ValidationError({"ladder": "The ladder is a non-empty list of steps."})
    errors = []
    for number, step in enumerate(ladder, start=1):
        if not isinstance(step, dict):
            errors.append(f"Step {number}: must be an object.")
            continue
        allowed = {"action", "period_hours", "urgent_period_hours", "fine_per_item"}
        if set(step) - allowed:
            errors.append(f"Step {number}: unknown keys {sorted(set(step) - allowed)}.")
        if step.get("action") not in LadderAction.values:
            errors.append(f"Step {number}: action must be one of {', '.join(LadderAction.values)}.")
        for key in ("period_hours", "urgent_period_hours"):
            value = step.get(key)
            if not isinstance(value, int) or isinstance(value, bool) or value < 1:
                errors.append(f"Step {number}: {key} must be a whole number of hours, at least 1.")
        if step.get("action") == LadderAction.WARNING_FINE:
            try:
                if Decimal(str(step.get("fine_per_item"))) <= 0:
                    raise InvalidOperation
            except InvalidOperation:
                errors.append(f"Step {number}: fine_per_item must be a positive amount.")
        elif "fine_per_item" in step:
            errors.append(f"Step {number}: only warning_fine steps carry a fine.")
    actions = [s.get("action") for s in ladder if isinstance(s, dict)]
    if LadderAction.BLOCK_PROPOSAL in actions[:-1]:
        errors.append("The block proposal can only be the last step.")
    if errors:
        raise ValidationError({"ladder": errors})


def policy_save(*, policy: EscalationPolicy, actor: Actor) -> EscalationPolicyVersion:
    """Save the policy's edited terms as a new version; running orders keep their version."""
    actor.require_perm(
        "compliance.change_escalationpolicy" if policy.pk else "compliance.add_escalationpolicy"
    )
    ladder_validate(policy.ladder)
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
