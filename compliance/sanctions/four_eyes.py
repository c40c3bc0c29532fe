"""Four-eyes: every sanction decision is taken by someone other than whoever proposed it.

Proposals record who made them (`proposer_fields`); a decision runs `decided_by` on the
locked proposal, inside the transition, so every path (admin, API, command, a direct service
call) goes through the same check.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from compliance.kernel.actors import Actor
from compliance.kernel.errors import FourEyesViolation
from compliance.sanctions.models import ProposedBy


def proposer_fields(actor: Actor, now: datetime) -> dict[str, Any]:
    """What a new proposal records of who made it: a staff user, or a named job."""
    return {
        "proposed_at": now,
        "proposed_by": actor.user if actor.kind == "user" else None,
        "proposed_by_label": actor.label,
    }


def four_eyes_check(proposal: ProposedBy, actor: Actor) -> None:
    """The decider must not be the proposer."""
    if actor.kind == "user" and actor.user is not None and proposal.proposed_by_id == actor.user.pk:
        raise FourEyesViolation(
            _("A proposal must be approved by someone other than its proposer.")
        )


def decided_by(actor: Actor, reason: str) -> Callable[[Any], None]:
    """The `before` step of a decision's transition: check four-eyes, then record who decided,
    when and why on the locked proposal."""

    def mark(locked: ProposedBy) -> None:
        four_eyes_check(locked, actor)
        locked.decided_at = timezone.now()
        locked.decided_by = actor.user if actor.kind == "user" else None
        locked.decision_reason = reason

    return mark
