"""Periodic risk assessments of designated platforms (EU DSA Art. 34-35, UK OSA s 9, or a
regulator's decision): a cycle with a deadline, the platform's submission (a document and an
answer per risk area), the officers' findings, the mitigation measures they order with their
own deadlines, and the platform's reports on each measure."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from registry.models import Platform


class RiskArea(models.TextChoices):
    ILLEGAL_CONTENT = "illegal_content", _("Illegal content")
    GENDER_BASED_VIOLENCE = (
        "gender_based_violence",
        _("Gender-based violence, including non-consensual and synthetic intimate images"),
    )
    MINORS = "minors", _("Minors")
    DESIGN_FEATURES = "design_features", _("Design features, such as generative tools")


class Severity(models.TextChoices):
    LOW = "low", _("Low")
    MEDIUM = "medium", _("Medium")
    HIGH = "high", _("High")


class RiskAssessment(models.Model):
    """One cycle of one platform: due by `due_at`; unsubmitted past its clock, it climbs the
    risk-assessment ladder of the platform's policy (copied here when the cycle opened)."""

    class Status(models.TextChoices):
        AWAITING = "awaiting", _("Waiting for the platform's assessment")
        SUBMITTED = "submitted", _("Submitted, to be reviewed")
        REVIEWED = "reviewed", _("Reviewed")

    platform = models.ForeignKey(
        Platform,
        on_delete=models.PROTECT,
        related_name="risk_assessments",
        verbose_name=_("platform"),
    )
    cycle = models.CharField(max_length=20, help_text=_("E.g. 2027."), verbose_name=_("cycle"))
    legal_basis = models.CharField(max_length=300, verbose_name=_("legal basis"))
    status = models.CharField(
        max_length=16, choices=Status.choices, default=Status.AWAITING, verbose_name=_("status")
    )
    opened_at = models.DateTimeField(verbose_name=_("opened at"))
    submit_by = models.DateTimeField(verbose_name=_("submit by"))
    ladder = models.JSONField(verbose_name=_("ladder"))
    escalation_level = models.PositiveSmallIntegerField(
        default=0, verbose_name=_("escalation level")
    )
    # When the sweep next acts on it (empty once submitted or referred).
    due_at = models.DateTimeField(null=True, blank=True, verbose_name=_("due at"))
    referred_to_supervisor_at = models.DateTimeField(
        null=True, blank=True, verbose_name=_("referred to a supervisor at")
    )
    submitted_at = models.DateTimeField(null=True, blank=True, verbose_name=_("submitted at"))
    submitted_late = models.BooleanField(default=False, verbose_name=_("submitted late"))
    document = models.FileField(upload_to="risk/", blank=True, verbose_name=_("document"))
    document_sha256 = models.CharField(max_length=64, blank=True, verbose_name=_("SHA-256"))
    answers = models.JSONField(
        default=dict,
        help_text=_("Per risk area: its severity and the risks found."),
        verbose_name=_("answers"),
    )
    reviewed_at = models.DateTimeField(null=True, blank=True, verbose_name=_("reviewed at"))

    class Meta:
        verbose_name = _("risk assessment")
        verbose_name_plural = _("risk assessments")
        ordering = ["-opened_at", "-pk"]
        permissions = [("review_riskassessment", "Can review risk assessments")]
        constraints = [
            models.UniqueConstraint(fields=["platform", "cycle"], name="one_assessment_a_cycle")
        ]
        indexes = [
            models.Index(
                fields=["due_at"],
                name="assessment_due",
                condition=models.Q(status="awaiting"),
            )
        ]

    def __str__(self) -> str:
        return f"RA-{self.pk} ({self.cycle})"


class RiskFinding(models.Model):
    assessment = models.ForeignKey(
        RiskAssessment,
        on_delete=models.PROTECT,
        related_name="findings",
        verbose_name=_("risk assessment"),
    )
    area = models.CharField(max_length=32, choices=RiskArea.choices, verbose_name=_("area"))
    severity = models.CharField(max_length=8, choices=Severity.choices, verbose_name=_("severity"))
    text = models.TextField(verbose_name=_("finding"))
    recorded_at = models.DateTimeField(verbose_name=_("recorded at"))
    recorded_by_label = models.CharField(max_length=200, verbose_name=_("recorded by"))

    class Meta:
        verbose_name = _("finding")
        verbose_name_plural = _("findings")
        ordering = ["recorded_at", "pk"]

    def __str__(self) -> str:
        return f"{self.get_area_display()}: {self.get_severity_display()}"


class MitigationMeasure(models.Model):
    class Status(models.TextChoices):
        ORDERED = "ordered", _("Ordered, waiting for a report")
        REPORTED = "reported", _("Reported on")
        OVERDUE = "overdue", _("Not reported on by its deadline")

    assessment = models.ForeignKey(
        RiskAssessment,
        on_delete=models.PROTECT,
        related_name="measures",
        verbose_name=_("risk assessment"),
    )
    area = models.CharField(max_length=32, choices=RiskArea.choices, verbose_name=_("area"))
    description = models.TextField(verbose_name=_("description"))
    report_by = models.DateTimeField(verbose_name=_("report by"))
    status = models.CharField(
        max_length=16, choices=Status.choices, default=Status.ORDERED, verbose_name=_("status")
    )
    ordered_at = models.DateTimeField(verbose_name=_("ordered at"))
    ordered_by_label = models.CharField(max_length=200, verbose_name=_("ordered by"))

    class Meta:
        verbose_name = _("mitigation measure")
        verbose_name_plural = _("mitigation measures")
        ordering = ["report_by", "pk"]

    def __str__(self) -> str:
        return f"MM-{self.pk}"


class MeasureReport(models.Model):
    """What the platform did about a measure, in its words; a later report adds to it."""

    measure = models.ForeignKey(
        MitigationMeasure,
        on_delete=models.PROTECT,
        related_name="reports",
        verbose_name=_("mitigation measure"),
    )
    text = models.TextField(verbose_name=_("report"))
    reported_at = models.DateTimeField(verbose_name=_("reported at"))
    late = models.BooleanField(default=False, verbose_name=_("late"))

    class Meta:
        verbose_name = _("measure report")
        verbose_name_plural = _("measure reports")
        ordering = ["reported_at", "pk"]

    def __str__(self) -> str:
        return f"{self.measure} at {self.reported_at:%Y-%m-%d}"
