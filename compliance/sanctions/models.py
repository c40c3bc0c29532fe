"""Sanctions an escalation creates, each an official letter with a number.

`WarningLetter` (one per rung that sends a letter), `Fine` (user-generated-content platforms,
from the policy's fine schedule), `AccessBlock` (the whole platform, enforced by ISPs), and the
proposals a supervisor decides: registration sanctions and normalization requests.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django_fsm import ConcurrentTransitionMixin, FSMField, transition

APPROVE = "compliance.approve_sanction"
CONFIRM_PAYMENT = "compliance.confirm_payment"


class ProposedBy(models.Model):
    """Who proposed a sanction: a staff user or a named job (for the four-eyes check)."""

    proposed_at = models.DateTimeField(verbose_name=_("proposed at"))
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("proposed by"),
    )
    proposed_by_label = models.CharField(max_length=200, verbose_name=_("proposed by label"))
    decided_at = models.DateTimeField(null=True, blank=True, verbose_name=_("decided at"))
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("decided by"),
    )
    decision_reason = models.TextField(blank=True, verbose_name=_("decision reason"))

    class Meta:
        abstract = True


class WarningLetter(models.Model):
    # Unique as a constraint, not `unique=True`, which on PostgreSQL adds a second index (for
    # LIKE 'prefix%', which nothing runs): the sweep writes 100,000 letters at a time.
    number = models.CharField(max_length=32, verbose_name=_("number"))
    # Found through letter_once_per_level's index, which starts with the order.
    order = models.ForeignKey(
        "notices.RemovalOrder",
        on_delete=models.PROTECT,
        related_name="letters",
        db_index=False,
        verbose_name=_("order"),
    )
    platform = models.ForeignKey(
        "registry.Platform",
        on_delete=models.PROTECT,
        related_name="letters",
        verbose_name=_("platform"),
    )
    level = models.PositiveSmallIntegerField(
        help_text="1 for the first letter, and so on.", verbose_name=_("level")
    )
    issued_at = models.DateTimeField(verbose_name=_("issued at"))
    response_due_at = models.DateTimeField(null=True, blank=True, verbose_name=_("response due at"))
    items_outstanding = models.PositiveIntegerField(verbose_name=_("items outstanding"))
    legal_basis = models.CharField(max_length=300, verbose_name=_("legal basis"))

    class Meta:
        verbose_name = _("warning letter")
        verbose_name_plural = _("warning letters")
        ordering = ["order", "level"]
        constraints = [
            # One letter per rung: a sweep run twice cannot send a second.
            models.UniqueConstraint(fields=["order", "level"], name="letter_once_per_level"),
            models.UniqueConstraint(fields=["number"], name="letter_number_unique"),
        ]

    def __str__(self) -> str:
        return self.number


class FineStatus(models.TextChoices):
    PROPOSED = "proposed", _("Proposed (awaiting approval)")
    ASSESSED = "assessed", _("Assessed")
    PAID = "paid", _("Paid")
    OVERDUE = "overdue", _("Overdue")
    WAIVED = "waived", _("Waived")
    REJECTED = "rejected", _("Rejected")


UNSETTLED_FINE_STATES = [FineStatus.PROPOSED, FineStatus.ASSESSED, FineStatus.OVERDUE]


class Fine(ConcurrentTransitionMixin, models.Model):
    # The sweep creates fines in bulk and records the decision on their order, not on each
    # fine: these are the states a fine with no record of its own may be in.
    created_states = [FineStatus.PROPOSED, FineStatus.ASSESSED]

    number = models.CharField(
        max_length=32, verbose_name=_("number")
    )  # unique: see WarningLetter.number
    order = models.ForeignKey(
        "notices.RemovalOrder",
        on_delete=models.PROTECT,
        related_name="fines",
        verbose_name=_("order"),
    )
    platform = models.ForeignKey(
        "registry.Platform",
        on_delete=models.PROTECT,
        related_name="fines",
        verbose_name=_("platform"),
    )
    letter = models.OneToOneField(
        WarningLetter, on_delete=models.PROTECT, related_name="fine", verbose_name=_("letter")
    )
    amount = models.DecimalField(max_digits=18, decimal_places=2, verbose_name=_("amount"))
    currency = models.CharField(max_length=3, verbose_name=_("currency"))
    item_amounts = models.JSONField(
        help_text="Amount per outstanding item id (for the cap).", verbose_name=_("item amounts")
    )
    computation = models.TextField(
        blank=True,
        help_text="How the amount was worked out (a share of turnover, say), as its letter "
        "shows it.",
        verbose_name=_("computation"),
    )
    status = FSMField(
        max_length=16,
        choices=FineStatus.choices,
        default=FineStatus.ASSESSED,
        protected=True,
        verbose_name=_("status"),
    )
    assessed_at = models.DateTimeField(verbose_name=_("assessed at"))
    due_at = models.DateTimeField(help_text="End of the payment period.", verbose_name=_("due at"))
    payment_reference = models.CharField(
        max_length=100, blank=True, verbose_name=_("payment reference")
    )
    payment_declared_at = models.DateTimeField(
        null=True, blank=True, verbose_name=_("payment declared at")
    )
    paid_at = models.DateTimeField(null=True, blank=True, verbose_name=_("paid at"))
    waived_reason = models.TextField(blank=True, verbose_name=_("waived reason"))

    class Meta:
        verbose_name = _("fine")
        verbose_name_plural = _("fines")
        ordering = ["-assessed_at"]
        permissions = [("confirm_payment", "Can confirm that a fine was paid")]
        indexes = [
            models.Index(
                fields=["due_at"], name="fine_due_assessed", condition=models.Q(status="assessed")
            )
        ]
        constraints = [models.UniqueConstraint(fields=["number"], name="fine_number_unique")]

    def __str__(self) -> str:
        return self.number

    @transition(
        field=status, source=FineStatus.PROPOSED, target=FineStatus.ASSESSED, permission=APPROVE
    )
    def approve(self) -> None:
        pass

    @transition(
        field=status, source=FineStatus.PROPOSED, target=FineStatus.REJECTED, permission=APPROVE
    )
    def reject(self) -> None:
        pass

    @transition(
        field=status,
        source=[FineStatus.ASSESSED, FineStatus.OVERDUE],
        target=FineStatus.PAID,
        permission=CONFIRM_PAYMENT,
    )
    def confirm_payment(self) -> None:
        pass

    @transition(
        field=status,
        source=FineStatus.ASSESSED,
        target=FineStatus.OVERDUE,
        custom={"actors": {"job"}},
    )
    def lapse(self) -> None:
        pass

    @transition(
        field=status,
        source=[FineStatus.ASSESSED, FineStatus.OVERDUE],
        target=FineStatus.WAIVED,
        permission=APPROVE,
    )
    def waive(self) -> None:
        pass


class PeriodicPenalty(models.Model):
    """A penalty accruing for each day begun from its rung until the order is complied with
    (EU DSA Art. 52(4) and 76). Compliance, a closure or a withdrawal stops it (`stopped_at`);
    the sweep then totals it into a `Fine` on its rung's letter, or voids it for a withdrawn
    order."""

    class Status(models.TextChoices):
        ACCRUING = "accruing", _("Accruing")
        TOTALLED = "totalled", _("Totalled into a fine")
        VOID = "void", _("Void (the order was withdrawn)")

    order = models.ForeignKey(
        "notices.RemovalOrder",
        on_delete=models.PROTECT,
        related_name="penalties",
        verbose_name=_("order"),
    )
    platform = models.ForeignKey(
        "registry.Platform",
        on_delete=models.PROTECT,
        related_name="penalties",
        verbose_name=_("platform"),
    )
    letter = models.OneToOneField(
        WarningLetter,
        on_delete=models.PROTECT,
        related_name="penalty",
        help_text="The letter of the rung that started it.",
        verbose_name=_("letter"),
    )
    daily_amount = models.DecimalField(
        max_digits=18, decimal_places=2, verbose_name=_("amount a day")
    )
    currency = models.CharField(max_length=3, verbose_name=_("currency"))
    cap = models.DecimalField(
        max_digits=18, decimal_places=2, null=True, blank=True, verbose_name=_("cap")
    )
    computation = models.TextField(verbose_name=_("computation"))
    needs_approval = models.BooleanField(default=False, verbose_name=_("needs approval"))
    started_at = models.DateTimeField(verbose_name=_("started at"))
    stopped_at = models.DateTimeField(null=True, blank=True, verbose_name=_("stopped at"))
    status = models.CharField(
        max_length=16,
        choices=Status.choices,
        default=Status.ACCRUING,
        verbose_name=_("status"),
    )
    fine = models.OneToOneField(
        Fine,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="penalty",
        verbose_name=_("fine"),
    )

    class Meta:
        verbose_name = _("periodic penalty")
        verbose_name_plural = _("periodic penalties")
        ordering = ["-started_at"]
        indexes = [
            models.Index(
                fields=["stopped_at"],
                name="penalty_stopped_accruing",
                condition=models.Q(status="accruing"),
            )
        ]

    def __str__(self) -> str:
        return f"{self.letter_id}: {self.currency} {self.daily_amount} a day"


class PaymentDeclaration(models.Model):
    """A platform's word that it paid a fine, kept as said: a second declaration is a new row,
    and the one an officer confirms is marked so (the others are superseded)."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting for an officer")
        CONFIRMED = "confirmed", _("Confirmed")
        SUPERSEDED = "superseded", _("Superseded by a later declaration")

    fine = models.ForeignKey(
        Fine, on_delete=models.PROTECT, related_name="declarations", verbose_name=_("fine")
    )
    reference = models.CharField(max_length=100, verbose_name=_("payment reference"))
    declared_at = models.DateTimeField(verbose_name=_("declared at"))
    declared_by_label = models.CharField(max_length=200, verbose_name=_("declared by"))
    status = models.CharField(
        max_length=16,
        choices=Status.choices,
        default=Status.PENDING,
        verbose_name=_("status"),
    )

    class Meta:
        verbose_name = _("payment declaration")
        verbose_name_plural = _("payment declarations")
        ordering = ["-declared_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.reference} for {self.fine_id}"


class BlockStatus(models.TextChoices):
    PROPOSED = "proposed", _("Proposed")
    IN_FORCE = "in_force", _("In force")
    LIFTED = "lifted", _("Lifted")
    REJECTED = "rejected", _("Rejected")


class AccessBlock(ConcurrentTransitionMixin, ProposedBy):
    """An order to ISPs to block every domain of the platform (MR5 Art. 15(12), 18-19)."""

    number = models.CharField(max_length=32, unique=True, verbose_name=_("number"))
    platform = models.ForeignKey(
        "registry.Platform",
        on_delete=models.PROTECT,
        related_name="blocks",
        verbose_name=_("platform"),
    )
    orders = models.ManyToManyField(
        "notices.RemovalOrder", blank=True, related_name="blocks", verbose_name=_("orders")
    )

    class Cause(models.TextChoices):
        ORDERS = "orders", _("Orders left unanswered (the ladder)")
        REGISTRATION = "registration", _("Operating without registration (MR5 Art. 7)")
        DIRECT = "direct", _("Prohibited content, without the ladder (MR5 Art. 9)")

    status = FSMField(
        max_length=16,
        choices=BlockStatus.choices,
        default=BlockStatus.PROPOSED,
        protected=True,
        verbose_name=_("status"),
    )
    # What must be cured before access is normalized: orders and fines settled, or the
    # registration approved.
    cause = models.CharField(
        max_length=16, choices=Cause.choices, default=Cause.ORDERS, verbose_name=_("cause")
    )
    # A direct block names the domains it covers (Grok, January 2026: the service's own, not
    # its parent's); none named: every domain of the platform.
    domains = models.ManyToManyField(
        "registry.PlatformDomain", blank=True, related_name="+", verbose_name=_("domains")
    )
    legal_basis = models.CharField(max_length=300, blank=True, verbose_name=_("legal basis"))
    reason = models.TextField(verbose_name=_("reason"))
    in_force_at = models.DateTimeField(null=True, blank=True, verbose_name=_("in force at"))
    lifted_at = models.DateTimeField(null=True, blank=True, verbose_name=_("lifted at"))

    class Meta:
        verbose_name = _("access block")
        verbose_name_plural = _("access blocks")
        ordering = ["-proposed_at"]
        permissions = [
            (
                "approve_sanction",
                "Can approve or reject blocks, fines, suspensions, revocations, "
                "normalizations, liftings and waivers proposed by someone else",
            ),
        ]
        constraints = [
            # A platform has at most one block proposed or in force; later orders join it.
            models.UniqueConstraint(
                fields=["platform"],
                condition=models.Q(status__in=["proposed", "in_force"]),
                name="one_active_block_per_platform",
            )
        ]

    def __str__(self) -> str:
        return self.number

    @transition(
        field=status, source=BlockStatus.PROPOSED, target=BlockStatus.IN_FORCE, permission=APPROVE
    )
    def approve(self) -> None:
        pass

    @transition(
        field=status, source=BlockStatus.PROPOSED, target=BlockStatus.REJECTED, permission=APPROVE
    )
    def reject(self) -> None:
        pass

    @transition(
        field=status, source=BlockStatus.IN_FORCE, target=BlockStatus.LIFTED, permission=APPROVE
    )
    def lift(self) -> None:
        pass


class RegistrationSanction(ConcurrentTransitionMixin, ProposedBy):
    """A proposed suspension or revocation of a registration (MR5 Art. 7), for a supervisor."""

    class Kind(models.TextChoices):
        SUSPEND = "suspend", _("Temporary suspension")
        REVOKE = "revoke", _("Revocation")

    class Status(models.TextChoices):
        PROPOSED = "proposed", _("Proposed")
        APPROVED = "approved", _("Approved")
        REJECTED = "rejected", _("Rejected")

    platform = models.ForeignKey(
        "registry.Platform",
        on_delete=models.PROTECT,
        related_name="registration_sanctions",
        verbose_name=_("platform"),
    )
    kind = models.CharField(max_length=16, choices=Kind.choices, verbose_name=_("kind"))
    status = FSMField(
        max_length=16,
        choices=Status.choices,
        default=Status.PROPOSED,
        protected=True,
        verbose_name=_("status"),
    )
    reason = models.TextField(verbose_name=_("reason"))

    class Meta:
        verbose_name = _("registration sanction")
        verbose_name_plural = _("registration sanctions")
        ordering = ["-proposed_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["platform", "kind"],
                condition=models.Q(status="proposed"),
                name="one_open_registration_sanction",
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} of {self.platform}"

    @transition(field=status, source=Status.PROPOSED, target=Status.APPROVED, permission=APPROVE)
    def approve(self) -> None:
        pass

    @transition(field=status, source=Status.PROPOSED, target=Status.REJECTED, permission=APPROVE)
    def reject(self) -> None:
        pass


class NormalizationRequest(ConcurrentTransitionMixin, ProposedBy):
    """A blocked platform asks for access to be restored (MR5 Art. 20)."""

    class Status(models.TextChoices):
        REQUESTED = "requested", _("Requested")
        GRANTED = "granted", _("Granted")
        REFUSED = "refused", _("Refused")

    platform = models.ForeignKey(
        "registry.Platform",
        on_delete=models.PROTECT,
        related_name="normalization_requests",
        verbose_name=_("platform"),
    )
    block = models.ForeignKey(
        AccessBlock,
        on_delete=models.PROTECT,
        related_name="normalizations",
        verbose_name=_("block"),
    )
    status = FSMField(
        max_length=16,
        choices=Status.choices,
        default=Status.REQUESTED,
        protected=True,
        verbose_name=_("status"),
    )
    statement = models.TextField(
        help_text="What the platform did to comply.", verbose_name=_("statement")
    )
    # The operator's written commitments (Grok, January 2026): [{"kind", "text"}].
    commitments = models.JSONField(default=list, blank=True, verbose_name=_("commitments"))
    # What a grant made access conditional on, verified until `verify_until`: [{"text"}].
    conditions = models.JSONField(default=list, blank=True, verbose_name=_("conditions"))
    verify_until = models.DateTimeField(null=True, blank=True, verbose_name=_("verify until"))
    decide_by = models.DateTimeField(
        help_text="2 x 24 hours after a complete request.", verbose_name=_("decide by")
    )
    flagged_late_at = models.DateTimeField(null=True, blank=True, verbose_name=_("flagged late at"))

    class Meta:
        verbose_name = _("normalization request")
        verbose_name_plural = _("normalization requests")
        ordering = ["-proposed_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["block"],
                condition=models.Q(status="requested"),
                name="one_open_normalization_per_block",
            )
        ]

    def __str__(self) -> str:
        return f"Normalization of {self.platform} ({self.block})"

    @property
    def refusal_suggested(self) -> bool:
        return self.platform.times_blocked > 3

    @transition(field=status, source=Status.REQUESTED, target=Status.GRANTED, permission=APPROVE)
    def grant(self) -> None:
        pass

    @transition(field=status, source=Status.REQUESTED, target=Status.REFUSED, permission=APPROVE)
    def refuse(self) -> None:
        pass


class SanctionRelease(ConcurrentTransitionMixin, ProposedBy):
    """A proposal to end a sanction early: lift a block in force (a court's order, an error),
    or waive a fine. Like every sanction decision it takes effect only when a supervisor
    other than the proposer approves it; normalization lifts a block by its own path."""

    class Kind(models.TextChoices):
        LIFT = "lift", _("Lift an access block")
        WAIVE = "waive", _("Waive a fine")

    class Status(models.TextChoices):
        PROPOSED = "proposed", _("Proposed")
        APPROVED = "approved", _("Approved")
        REJECTED = "rejected", _("Rejected")

    kind = models.CharField(max_length=16, choices=Kind.choices, verbose_name=_("kind"))
    block = models.ForeignKey(
        AccessBlock,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="releases",
        verbose_name=_("block"),
    )
    fine = models.ForeignKey(
        Fine,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="releases",
        verbose_name=_("fine"),
    )
    status = FSMField(
        max_length=16,
        choices=Status.choices,
        default=Status.PROPOSED,
        protected=True,
        verbose_name=_("status"),
    )
    reason = models.TextField(verbose_name=_("reason"))

    class Meta:
        verbose_name = _("sanction release")
        verbose_name_plural = _("sanction releases")
        ordering = ["-proposed_at"]
        constraints = [
            models.CheckConstraint(
                condition=(
                    models.Q(kind="lift", block__isnull=False, fine__isnull=True)
                    | models.Q(kind="waive", fine__isnull=False, block__isnull=True)
                ),
                name="release_names_its_sanction",
            ),
            models.UniqueConstraint(
                fields=["block"],
                condition=models.Q(status="proposed", block__isnull=False),
                name="one_open_release_per_block",
            ),
            models.UniqueConstraint(
                fields=["fine"],
                condition=models.Q(status="proposed", fine__isnull=False),
                name="one_open_release_per_fine",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.block or self.fine}"

    @property
    def sanction(self) -> AccessBlock | Fine:
        """The block or fine it would end (the database requires exactly one)."""
        sanction = self.block or self.fine
        assert sanction is not None
        return sanction

    @transition(field=status, source=Status.PROPOSED, target=Status.APPROVED, permission=APPROVE)
    def approve(self) -> None:
        pass

    @transition(field=status, source=Status.PROPOSED, target=Status.REJECTED, permission=APPROVE)
    def reject(self) -> None:
        pass


class BlockOpening(models.Model):
    """A block lifted for a fixed window (PayPal, July 2022: 31 July 08:00 to 5 August 23:59
    WIB, while its registration was completed). At the window's end the block is back on the
    ISPs' feed, unless its cause was cured meanwhile (a registration block: the platform is
    registered), in which case access stays open until the normalization is decided."""

    class Outcome(models.TextChoices):
        RETURNED = "returned", _("Block back in force")
        CURED = "cured", _("Cause cured: stays open until normalized")

    block = models.ForeignKey(
        AccessBlock, on_delete=models.PROTECT, related_name="openings", verbose_name=_("block")
    )
    opens_at = models.DateTimeField(verbose_name=_("opens at"))
    closes_at = models.DateTimeField(verbose_name=_("closes at"))
    reason = models.TextField(verbose_name=_("reason"))
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("decided by"),
    )
    decided_at = models.DateTimeField(verbose_name=_("decided at"))
    ended_at = models.DateTimeField(null=True, blank=True, verbose_name=_("ended at"))
    outcome = models.CharField(
        max_length=16, choices=Outcome.choices, blank=True, verbose_name=_("outcome")
    )

    class Meta:
        verbose_name = _("block opening")
        verbose_name_plural = _("block openings")
        ordering = ["block", "opens_at"]
        indexes = [
            models.Index(
                fields=["closes_at"], name="opening_to_end", condition=models.Q(ended_at=None)
            )
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(closes_at__gt=models.F("opens_at")),
                name="opening_ends_after_it_starts",
            )
        ]

    def __str__(self) -> str:
        return (
            f"{self.block} open {self.opens_at:%Y-%m-%d %H:%M} to {self.closes_at:%Y-%m-%d %H:%M}"
        )


class CommitmentKind(models.TextChoices):
    TECHNICAL_SAFEGUARDS = "technical_safeguards", _("Stronger technical safeguards")
    FEATURE_RESTRICTION = "feature_restriction", _("Restricted features")
    POLICY_ENFORCEMENT = "policy_enforcement", _("Policy enforcement")
    INCIDENT_RESPONSE = "incident_response", _("Incident-response protocol")
    OTHER = "other", _("Other")


class NormalizationVerification(models.Model):
    """An officer's check, within a conditional normalization's verification period, that its
    conditions hold; a breach proposes a re-block citing the breached condition."""

    class Outcome(models.TextChoices):
        MET = "met", _("Conditions met")
        BREACHED = "breached", _("A condition breached")

    request = models.ForeignKey(
        NormalizationRequest,
        on_delete=models.PROTECT,
        related_name="verifications",
        verbose_name=_("request"),
    )
    checked_at = models.DateTimeField(verbose_name=_("checked at"))
    checked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("checked by"),
    )
    outcome = models.CharField(max_length=16, choices=Outcome.choices, verbose_name=_("outcome"))
    condition = models.PositiveSmallIntegerField(
        null=True,
        blank=True,
        help_text="The breached condition's number (from 1).",
        verbose_name=_("condition"),
    )
    note = models.TextField(verbose_name=_("note"))
    reblock = models.ForeignKey(
        AccessBlock,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("reblock"),
    )

    class Meta:
        verbose_name = _("normalization verification")
        verbose_name_plural = _("normalization verifications")
        ordering = ["request", "checked_at"]

    def __str__(self) -> str:
        return f"{self.get_outcome_display()} ({self.checked_at:%Y-%m-%d})"
