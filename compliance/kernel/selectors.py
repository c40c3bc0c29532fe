"""Reads over the decision record."""

from django.contrib.contenttypes.models import ContentType
from django.db import models

from compliance.kernel.models import DecisionRecord


def decision_history(*, subject: models.Model) -> models.QuerySet[DecisionRecord]:
    return DecisionRecord.objects.filter(
        content_type=ContentType.objects.get_for_model(subject), object_id=str(subject.pk)
    ).select_related("actor_user")


def blocklist_entries() -> list[dict[str, object]]:
    """Every domain of every platform with a block in force, with when the block started."""
    from compliance.sanctions.models import BlockStatus
    from registry.models import PlatformDomain

    rows = (
        PlatformDomain.objects.filter(platform__blocks__status=BlockStatus.IN_FORCE)
        .order_by("domain")
        .values(
            "domain", "platform__name", "platform__blocks__number", "platform__blocks__in_force_at"
        )
    )
    return [
        {
            "domain": row["domain"],
            "platform": row["platform__name"],
            "block": row["platform__blocks__number"],
            "since": row["platform__blocks__in_force_at"],
        }
        for row in rows
    ]
