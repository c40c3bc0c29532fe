"""Published figures, kept as aggregates so no public page scans the raw tables; the gender
safety index's versioned methodology, its public comments, and the scores it gave."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django_fsm import ConcurrentTransitionMixin, FSMField, transition

from transparency.periods import PeriodKind

MANAGE = "transparency.manage_methodology"
KINDS = [(k.value, k.value) for k in PeriodKind]


class Aggregate(models.Model):
    """One figure: a metric for one period and one platform (or all platforms: no platform),
    in total or for one value of a dimension (`category:ncii`, `requester:court`)."""

    period_kind = models.CharField(max_length=8, choices=KINDS)
    period_start = models.DateField()
    platform = models.ForeignKey(
        "registry.Platform", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    metric = models.CharField(max_length=40)
    dimension = models.CharField(max_length=60, blank=True)
    # None where nothing can be measured (a median of no removals).
    value = models.DecimalField(max_digits=20, decimal_places=4, null=True, blank=True)
    # How many events the figure rests on: the count itself, the orders behind a median, the
    # denominator of a share, the fines behind an amount.
    base = models.PositiveIntegerField()
    # Shown as "fewer than 5" (or not at all): small counts and what would reveal them.
    hidden = models.BooleanField(default=False)
    computed_at = models.DateTimeField()

    class Meta:
        verbose_name = _("aggregate")
        verbose_name_plural = _("aggregates")
        ordering = ["period_kind", "period_start", "platform", "metric", "dimension"]
        constraints = [
            models.UniqueConstraint(
                fields=["period_kind", "period_start", "platform", "metric", "dimension"],
                condition=models.Q(platform__isnull=False),
                name="aggregate_once_per_platform",
            ),
            models.UniqueConstraint(
                fields=["period_kind", "period_start", "metric", "dimension"],
                condition=models.Q(platform__isnull=True),
                name="aggregate_once_for_all",
            ),
        ]
        indexes = [
            models.Index(fields=["period_kind", "period_start", "metric"], name="aggregate_period")
        ]

    def __str__(self) -> str:
        return f"{self.metric}{'/' + self.dimension if self.dimension else ''} {self.period_start}"


class Methodology(ConcurrentTransitionMixin, models.Model):
    """One version of the gender safety index's method: its indicators, their weights and the
    thresholds that normalize them, and the formula in words."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        CONSULTATION = "consultation", _("Open for public comment")
        ADOPTED = "adopted", _("Adopted (in use)")
        SUPERSEDED = "superseded", _("Superseded")

    version = models.PositiveIntegerField(unique=True)
    status = FSMField(max_length=16, choices=Status.choices, default=Status.DRAFT, protected=True)
    summary = models.TextField()
    formula = models.TextField()
    # [{"code": ..., "weight": "0.30", "best": "4", "worst": "72"}], checked by the services.
    indicators = models.JSONField()
    # The share of the weights that must be measured for a platform to get a score at all.
    min_coverage = models.DecimalField(max_digits=4, decimal_places=3, default="0.600")
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    consultation_opens_at = models.DateTimeField(null=True, blank=True)
    consultation_closes_at = models.DateTimeField(null=True, blank=True)
    adopted_at = models.DateTimeField(null=True, blank=True)
    adopted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("methodology")
        verbose_name_plural = _("methodologies")
        ordering = ["-version"]
        permissions = [
            ("manage_methodology", "Can draft, publish for comment and adopt index methodologies")
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["status"],
                condition=models.Q(status="adopted"),
                name="one_adopted_methodology",
            )
        ]

    def __str__(self) -> str:
        return f"Gender safety index, version {self.version}"

    @transition(field=status, source=Status.DRAFT, target=Status.CONSULTATION, permission=MANAGE)
    def publish(self) -> None:
        pass

    @transition(field=status, source=Status.CONSULTATION, target=Status.ADOPTED, permission=MANAGE)
    def adopt(self) -> None:
        pass

    @transition(field=status, source=Status.ADOPTED, target=Status.SUPERSEDED, permission=MANAGE)
    def supersede(self) -> None:
        pass


class MethodologyComment(models.Model):
    """A member of the public's comment on a version open for comment: plain text, kept as
    written, shown escaped and with links left out (docs/transparency.md)."""

    methodology = models.ForeignKey(Methodology, on_delete=models.PROTECT, related_name="comments")
    body = models.TextField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("methodology comment")
        verbose_name_plural = _("methodology comments")
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"Comment #{self.pk} on version {self.methodology.version}"


class SafetyScore(models.Model):
    """A platform's index for one period under one methodology version. A score of an ended
    period is final: never recomputed, whatever version is adopted later."""

    platform = models.ForeignKey(
        "registry.Platform", on_delete=models.PROTECT, related_name="safety_scores"
    )
    period_kind = models.CharField(max_length=8, choices=KINDS)
    period_start = models.DateField()
    methodology = models.ForeignKey(Methodology, on_delete=models.PROTECT, related_name="scores")
    score = models.DecimalField(max_digits=5, decimal_places=1)
    coverage = models.DecimalField(max_digits=4, decimal_places=3)
    # [{"code", "value", "normalized", "weight"}]: how the score was reached.
    components = models.JSONField()
    computed_at = models.DateTimeField()
    final = models.BooleanField(default=False)

    class Meta:
        verbose_name = _("safety score")
        verbose_name_plural = _("safety scores")
        ordering = ["period_kind", "period_start", "-score"]
        constraints = [
            models.UniqueConstraint(
                fields=["platform", "period_kind", "period_start", "methodology"],
                name="score_once_per_version",
            )
        ]

    def __str__(self) -> str:
        return f"{self.platform} {self.period_start}: {self.score}"


class Publication(models.Model):
    """A period whose figures are published: when last refreshed, and whether final (the
    period has ended and its figures, refreshed after the end, will not change)."""

    period_kind = models.CharField(max_length=8, choices=KINDS)
    period_start = models.DateField()
    refreshed_at = models.DateTimeField()
    final = models.BooleanField(default=False)

    class Meta:
        verbose_name = _("publication")
        verbose_name_plural = _("publications")
        ordering = ["period_kind", "-period_start"]
        constraints = [
            models.UniqueConstraint(fields=["period_kind", "period_start"], name="publish_once")
        ]

    def __str__(self) -> str:
        return f"{self.period_kind} {self.period_start}"


class Download(models.Model):
    """A period's download as published, written by the refresh that computed its figures:
    serving one is reading a row, never building it."""

    period_kind = models.CharField(max_length=8, choices=KINDS)
    period_start = models.DateField()
    name = models.CharField(max_length=16)  # figures, scores
    format = models.CharField(max_length=8)  # csv, json
    # CSV lines without the header; JSON: the rows, comma-separated, without the brackets.
    body = models.TextField()
    rows = models.PositiveIntegerField()

    class Meta:
        verbose_name = _("download")
        verbose_name_plural = _("downloads")
        constraints = [
            models.UniqueConstraint(
                fields=["period_kind", "period_start", "name", "format"], name="download_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.name}.{self.format} {self.period_kind} {self.period_start}"
