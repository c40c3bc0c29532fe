"""Reads over the decision record."""

from django.contrib.contenttypes.models import ContentType
from django.db import models

from compliance.kernel.models import DecisionRecord


def decision_history(*, subject: models.Model) -> models.QuerySet[DecisionRecord]:
    return DecisionRecord.objects.filter(
        content_type=ContentType.objects.get_for_model(subject), object_id=str(subject.pk)
    ).select_related("actor_user")
