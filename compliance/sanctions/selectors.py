"""Reads over sanctions: the ISP feed, and what stands in the way of normalization."""

from __future__ import annotations

from datetime import datetime

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from compliance.sanctions.models import (
    UNSETTLED_FINE_STATES,
    AccessBlock,
    BlockOpening,
    BlockStatus,
    Fine,
)
from notices.models import OrderStatus

SETTLED_ORDER_STATES = [OrderStatus.COMPLIED, OrderStatus.CLOSED, OrderStatus.WITHDRAWN]


def blocklist_entries(*, now: datetime | None = None) -> list[dict[str, object]]:
    """Every domain of every platform with a block in force, with when the block started;
    less the blocks opened for now (a window running, or ended with the cause cured)."""
    now = now or timezone.now()
    opened = (
        BlockOpening.objects.filter(block__status=BlockStatus.IN_FORCE)
        .filter(
            Q(opens_at__lte=now, closes_at__gt=now, outcome="")
            | Q(outcome=BlockOpening.Outcome.CURED)
        )
        .values("block")
    )
    entries = []
    for block in (
        AccessBlock.objects.filter(status=BlockStatus.IN_FORCE)
        .exclude(pk__in=opened)
        .select_related("platform")
        .prefetch_related("domains", "platform__domains")
    ):
        # A direct block covers the domains it names; any other, every domain of the platform.
        for domain in block.domains.all() or block.platform.domains.all():
            entries.append(
                {
                    "domain": domain.domain,
                    "platform": block.platform.name,
                    "block": block.number,
                    "since": block.in_force_at,
                }
            )
    return sorted(entries, key=lambda entry: str(entry["domain"]))


def normalization_blockers(*, block: AccessBlock) -> list[str]:
    """Why access cannot be restored yet: orders not complied, fines not paid or waived, or
    (a block for operating unregistered) the registration not approved."""
    problems = [
        _("Order %(order)s is %(status)s.")
        % {"order": o.reference, "status": o.get_status_display().lower()}
        for o in block.orders.exclude(status__in=SETTLED_ORDER_STATES)
    ]
    problems += [
        _("Fine %(fine)s is %(status)s.")
        % {"fine": f.number, "status": f.get_status_display().lower()}
        for f in Fine.objects.filter(order__in=block.orders.all(), status__in=UNSETTLED_FINE_STATES)
    ]
    if block.cause == AccessBlock.Cause.REGISTRATION and not block.platform.registration_number:
        problems.append(
            _("%(platform)s is not registered: its registration is not approved.")
            % {"platform": block.platform}
        )
    return problems
