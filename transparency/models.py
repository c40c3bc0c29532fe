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

    period_kind = models.CharField(max_length=8, choices=KINDS, verbose_name=_("period kind"))
    period_start = models.DateField(verbose_name=_("period start"))
    platform = models.ForeignKey(
        "registry.Platform",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("platform"),
    )
    metric = models.CharField(max_length=40, verbose_name=_("metric"))
    dimension = models.CharField(max_length=60, blank=True, verbose_name=_("dimension"))
    # None where nothing can be measured (a median of no removals).
    value = models.DecimalField(
        max_digits=20, decimal_places=4, null=True, blank=True, verbose_name=_("value")
    )
    # How many events the figure rests on: the count itself, the orders behind a median, the
    # denominator of a share, the fines behind an amount.
    base = models.PositiveIntegerField(verbose_name=_("base"))
    # Shown as "fewer than 5" (or not at all): small counts and what would reveal them.
    hidden = models.BooleanField(default=False, verbose_name=_("hidden"))
    computed_at = models.DateTimeField(verbose_name=_("computed at"))

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

    version = models.PositiveIntegerField(unique=True, verbose_name=_("version"))
    status = FSMField(
        max_length=16,
        choices=Status.choices,
        default=Status.DRAFT,
        protected=True,
        verbose_name=_("status"),
    )
    summary = models.TextField(verbose_name=_("summary"))
    formula = models.TextField(verbose_name=_("formula"))
    # [{"code": ..., "weight": "0.30", "best": "4", "worst": "72"}], checked by the services.
    indicators = models.JSONField(verbose_name=_("indicators"))
    # The share of the weights that must be measured for a platform to get a score at all.
    min_coverage = models.DecimalField(
        max_digits=4, decimal_places=3, default="0.600", verbose_name=_("min coverage")
    )
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("created at"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("created by"),
    )
    consultation_opens_at = models.DateTimeField(
        null=True, blank=True, verbose_name=_("consultation opens at")
    )
    consultation_closes_at = models.DateTimeField(
        null=True, blank=True, verbose_name=_("consultation closes at")
    )
    adopted_at = models.DateTimeField(null=True, blank=True, verbose_name=_("adopted at"))
    adopted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("adopted by"),
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

    methodology = models.ForeignKey(
        Methodology,
        on_delete=models.PROTECT,
        related_name="comments",
        verbose_name=_("methodology"),
    )
    body = models.TextField(verbose_name=_("body"))
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("created at"))

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
        "registry.Platform",
        on_delete=models.PROTECT,
        related_name="safety_scores",
        verbose_name=_("platform"),
    )
    period_kind = models.CharField(max_length=8, choices=KINDS, verbose_name=_("period kind"))
    period_start = models.DateField(verbose_name=_("period start"))
    methodology = models.ForeignKey(
        Methodology, on_delete=models.PROTECT, related_name="scores", verbose_name=_("methodology")
    )
    score = models.DecimalField(max_digits=5, decimal_places=1, verbose_name=_("score"))
    coverage = models.DecimalField(max_digits=4, decimal_places=3, verbose_name=_("coverage"))
    # [{"code", "value", "normalized", "weight"}]: how the score was reached.
    components = models.JSONField(verbose_name=_("components"))
    computed_at = models.DateTimeField(verbose_name=_("computed at"))
    final = models.BooleanField(default=False, verbose_name=_("final"))

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

    period_kind = models.CharField(max_length=8, choices=KINDS, verbose_name=_("period kind"))
    period_start = models.DateField(verbose_name=_("period start"))
    refreshed_at = models.DateTimeField(verbose_name=_("refreshed at"))
    final = models.BooleanField(default=False, verbose_name=_("final"))

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

    period_kind = models.CharField(max_length=8, choices=KINDS, verbose_name=_("period kind"))
    period_start = models.DateField(verbose_name=_("period start"))
    name = models.CharField(max_length=16, verbose_name=_("name"))  # figures, scores
    format = models.CharField(max_length=8, verbose_name=_("format"))  # csv, json
    # CSV lines without the header; JSON: the rows, comma-separated, without the brackets.
    body = models.TextField(verbose_name=_("body"))
    rows = models.PositiveIntegerField(verbose_name=_("rows"))

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
