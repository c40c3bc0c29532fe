"""Escalation policies: every deadline, ladder rung and fine is data, versioned.

An order keeps the `EscalationPolicyVersion` it was issued under; editing a policy writes a new
version (versions are append-only), so a running order's clock never changes under it.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from compliance.policies import mr5
from compliance.policies.terms import PolicyTerms


class EscalationPolicy(models.Model):
    name = models.CharField(max_length=100, unique=True, verbose_name=_("name"))
    jurisdiction = models.CharField(
        max_length=100, default="Indonesia", verbose_name=_("jurisdiction")
    )
    description = models.TextField(blank=True, verbose_name=_("description"))
    is_default = models.BooleanField(
        default=False,
        help_text="Used when neither the platform nor the category names a policy.",
        verbose_name=_("is default"),
    )
    notice_hours = models.PositiveIntegerField(
        default=mr5.TERMS["notice_hours"],
        help_text="Deadline of a normal order.",
        verbose_name=_("notice hours"),
    )
    urgent_notice_hours = models.PositiveIntegerField(
        default=mr5.TERMS["urgent_notice_hours"],
        help_text="Deadline of an urgent order (terrorism, CSAM, public order).",
        verbose_name=_("urgent notice hours"),
    )
    ladder = models.JSONField(
        default=list,
        help_text=(
            "Steps after a missed deadline, in order. Each: action (warning, warning_fine, "
            "block_proposal), period_hours, urgent_period_hours, and for warning_fine either "
            "fine_per_item or a fine rule (fixed, or a share of turnover)."
        ),
        verbose_name=_("ladder"),
    )
    currency = models.CharField(
        max_length=3, default=mr5.TERMS["currency"], verbose_name=_("currency")
    )
    fine_cap_per_item = models.DecimalField(
        max_digits=18,
        decimal_places=2,
        default=Decimal(mr5.TERMS["fine_cap_per_item"]),
        help_text="Most that fines on one content item may add up to.",
        verbose_name=_("fine cap per item"),
    )
    fines_only_ugc = models.BooleanField(
        default=mr5.TERMS["fines_only_ugc"],
        help_text="Fines apply only to user-generated-content platforms.",
        verbose_name=_("fines only ugc"),
    )
    fine_payment_days = models.PositiveIntegerField(
        default=mr5.TERMS["fine_payment_days"], verbose_name=_("fine payment days")
    )
    reupload_notice_hours = models.PositiveIntegerField(
        null=True,
        blank=True,
        help_text="Deadline of an order for content already ordered removed and found again "
        "(empty: the normal deadline).",
        verbose_name=_("reupload notice hours"),
    )
    fines_need_approval = models.BooleanField(
        default=mr5.TERMS["fines_need_approval"],
        help_text="A supervisor approves each fine before it is assessed.",
        verbose_name=_("fines need approval"),
    )
    # Registration faults (MR5 Art. 7) and normalization (Art. 20): read live, not versioned.
    registration_update_days = models.PositiveIntegerField(
        default=14,
        help_text="Time to correct registration data before a written warning.",
        verbose_name=_("registration update days"),
    )
    registration_warning_days = models.PositiveIntegerField(
        default=7,
        help_text="Time after a warning before suspension is proposed.",
        verbose_name=_("registration warning days"),
    )
    suspension_days = models.PositiveIntegerField(
        default=7,
        help_text="Time after suspension before revocation is proposed (Art. 7).",
        verbose_name=_("suspension days"),
    )
    unregistered_notice_days = models.PositiveIntegerField(
        default=7,
        help_text="Time an unregistered platform has to register before a block.",
        verbose_name=_("unregistered notice days"),
    )
    registration_period_unit = models.CharField(
        max_length=16,
        choices=[("days", "calendar days"), ("working_days", "working days")],
        default="days",
        help_text="How the registration periods above count: working days end at the end of "
        "the day in the regulator's zone and skip weekends and public holidays (July 2022: 5 "
        "working days).",
        verbose_name=_("registration period unit"),
    )
    normalization_requires_commitments = models.BooleanField(
        default=False,
        help_text="A normalization request carries the operator's written commitments (always "
        "for a direct block under Art. 9).",
        verbose_name=_("normalization requires commitments"),
    )
    normalization_decision_hours = models.PositiveIntegerField(
        default=48,
        help_text="A complete normalization request is decided within this time.",
        verbose_name=_("normalization decision hours"),
    )
    # Data-access requests (Art. 21-46): read when a request is made, and kept on it.
    data_request_days = models.PositiveIntegerField(
        default=mr5.DATA_REQUEST_DAYS,
        help_text="Calendar days a platform has to answer a data-access request.",
        verbose_name=_("data request days"),
    )
    data_request_ladder = models.JSONField(
        default=mr5.data_ladder,
        help_text="Steps after an unanswered data-access request's deadline. Each: action "
        "(warning, supervisor_referral), period_hours or period_days, legal_basis.",
        verbose_name=_("data request ladder"),
    )
    # Periodic risk assessments: read when a cycle opens, and kept on it.
    risk_assessment_ladder = models.JSONField(
        default=mr5.risk_ladder,
        help_text="Steps after a risk assessment's missed deadline. Each: action (warning, "
        "supervisor_referral), period_hours or period_days, legal_basis.",
        verbose_name=_("risk assessment ladder"),
    )
    version = models.PositiveIntegerField(default=0, editable=False, verbose_name=_("version"))
    updated_at = models.DateTimeField(auto_now=True, verbose_name=_("updated at"))

    class Meta:
        verbose_name = _("escalation policy")
        verbose_name_plural = _("escalation policies")
        constraints = [
            models.UniqueConstraint(
                fields=["is_default"],
                condition=models.Q(is_default=True),
                name="one_default_escalation_policy",
            )
        ]

    def __str__(self) -> str:
        return self.name

    def terms(self) -> dict[str, Any]:
        """Everything a running order needs, as stored in a version."""
        optional = {}
        if self.reupload_notice_hours is not None:
            optional["reupload_notice_hours"] = self.reupload_notice_hours
        return optional | {
            "notice_hours": self.notice_hours,
            "urgent_notice_hours": self.urgent_notice_hours,
            "ladder": self.ladder,
            "currency": self.currency,
            "fine_cap_per_item": str(self.fine_cap_per_item),
            "fines_only_ugc": self.fines_only_ugc,
            "fine_payment_days": self.fine_payment_days,
            "fines_need_approval": self.fines_need_approval,
        }


class EscalationPolicyVersion(models.Model):
    policy = models.ForeignKey(
        EscalationPolicy,
        on_delete=models.PROTECT,
        related_name="versions",
        verbose_name=_("policy"),
    )
    version = models.PositiveIntegerField(verbose_name=_("version"))
    terms = models.JSONField(verbose_name=_("terms"))
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("created at"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("created by"),
    )

    class Meta:
        verbose_name = _("escalation policy version")
        verbose_name_plural = _("escalation policy versions")
        ordering = ["policy", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["policy", "version"], name="policy_version_unique")
        ]

    def __str__(self) -> str:
        return f"{self.policy} v{self.version}"

    @property
    def parsed(self) -> PolicyTerms:
        return PolicyTerms.from_json(self.terms)


class PublicHoliday(models.Model):
    """A day no working-day period counts: a public holiday or a collective leave day (cuti
    bersama), decreed yearly by the government. Shipped for 2022-2027 (migration 0017);
    supervisors keep it current in the admin."""

    class Kind(models.TextChoices):
        PUBLIC = "public", _("Public holiday")
        COLLECTIVE_LEAVE = "collective_leave", _("Collective leave (cuti bersama)")

    date = models.DateField(unique=True, verbose_name=_("date"))
    name = models.CharField(max_length=200, verbose_name=_("name"))
    kind = models.CharField(
        max_length=20, choices=Kind.choices, default=Kind.PUBLIC, verbose_name=_("kind")
    )

    class Meta:
        verbose_name = _("public holiday")
        verbose_name_plural = _("public holidays")
        ordering = ["date"]

    def __str__(self) -> str:
        return f"{self.date}: {self.name}"
