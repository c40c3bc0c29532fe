"""Removal orders: who asked, what must come down, by when, and what the platform answered."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django_fsm import RETURN_VALUE, ConcurrentTransitionMixin, FSMField, transition

from compliance.sanctions.models import UNSETTLED_FINE_STATES, PeriodicPenalty


class Agency(models.Model):
    """Who may request a takedown (MR5 Art. 14(1))."""

    class Kind(models.TextChoices):
        MINISTRY = "ministry", _("Ministry or government agency")
        LAW_ENFORCEMENT = "law_enforcement", _("Law enforcement")
        COURT = "court", _("Court")
        VICTIM_SUPPORT = "victim_support", _("Victim-support centre")
        PUBLIC = "public", _("Public complaint channel")

    name = models.CharField(max_length=200, unique=True, verbose_name=_("name"))
    kind = models.CharField(max_length=32, choices=Kind.choices, verbose_name=_("kind"))
    email = models.EmailField(blank=True, verbose_name=_("email"))
    is_active = models.BooleanField(default=True, verbose_name=_("is active"))

    class Meta:
        verbose_name = _("agency")
        verbose_name_plural = _("agencies")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class ContentCategory(models.Model):
    code = models.SlugField(max_length=50, unique=True, verbose_name=_("code"))
    name = models.CharField(max_length=200, verbose_name=_("name"))
    urgent = models.BooleanField(
        default=False,
        help_text="Urgent orders get the short deadline (MR5 Art. 14(3)).",
        verbose_name=_("urgent"),
    )
    escalation_policy = models.ForeignKey(
        "compliance.EscalationPolicy",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="Overrides the default policy for orders in this category.",
        verbose_name=_("escalation policy"),
    )

    class Meta:
        verbose_name = _("content category")
        verbose_name_plural = _("content categories")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class OrderStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    ISSUED = "issued", _("Issued")
    ACKNOWLEDGED = "acknowledged", _("Acknowledged")
    WARNED = "warned", _("Warned")
    FINED = "fined", _("Fined")
    BLOCKED = "blocked", _("Blocked")
    COMPLIED = "complied", _("Complied")
    CLOSED = "closed", _("Closed")
    WITHDRAWN = "withdrawn", _("Withdrawn")


# States with a running clock: the sweep looks at these (DESIGN §5).
CLOCK_STATES = [OrderStatus.ISSUED, OrderStatus.ACKNOWLEDGED, OrderStatus.WARNED, OrderStatus.FINED]
ISSUE = "notices.issue_order"
VERIFY = "notices.verify_order"


class RemovalOrder(ConcurrentTransitionMixin, models.Model):
    reference = models.CharField(max_length=32, editable=False, verbose_name=_("reference"))
    platform = models.ForeignKey(
        "registry.Platform",
        on_delete=models.PROTECT,
        related_name="orders",
        db_index=False,
        verbose_name=_("platform"),
    )
    # Every index on this table is rewritten by each escalation (no HOT update is possible:
    # status and due_at are indexed), so foreign keys that only the admin filters on go without.
    agency = models.ForeignKey(
        Agency,
        on_delete=models.PROTECT,
        related_name="orders",
        verbose_name="requested by",
        db_index=False,
    )
    category = models.ForeignKey(
        ContentCategory,
        on_delete=models.PROTECT,
        related_name="orders",
        db_index=False,
        verbose_name=_("category"),
    )
    legal_basis = models.CharField(max_length=300, verbose_name=_("legal basis"))
    description = models.TextField(blank=True, verbose_name=_("description"))
    urgent = models.BooleanField(default=False, verbose_name=_("urgent"))
    status = FSMField(
        max_length=32,
        choices=OrderStatus.choices,
        default=OrderStatus.DRAFT,
        protected=True,
        verbose_name=_("status"),
    )
    escalation_policy = models.ForeignKey(
        "compliance.EscalationPolicy",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="The profile the order is issued under: the platform's own or one it is also "
        "under (empty: the platform's, else the category's, else the default).",
        verbose_name=_("escalation policy"),
    )
    policy_version = models.ForeignKey(
        "compliance.EscalationPolicyVersion",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="orders",
        help_text="Fixed when the order is issued.",
        db_index=False,
        verbose_name=_("policy version"),
    )
    addressees = models.JSONField(
        default=list,
        blank=True,
        help_text="Contact persons the notice was addressed to.",
        verbose_name=_("addressees"),
    )
    issued_at = models.DateTimeField(null=True, blank=True, verbose_name=_("issued at"))
    due_at = models.DateTimeField(null=True, blank=True, verbose_name=_("due at"))
    clock_paused_at = models.DateTimeField(null=True, blank=True, verbose_name=_("clock paused at"))
    escalation_level = models.PositiveSmallIntegerField(
        default=0, verbose_name=_("escalation level")
    )
    reopen_status = models.CharField(
        max_length=32,
        blank=True,
        help_text="The stage to return to if verification fails.",
        verbose_name=_("reopen status"),
    )
    # None for an order a platform opened by reporting a re-upload it found.
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
        verbose_name=_("created by"),
    )
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("created at"))
    # Content already ordered removed, found again: the order it was removed under.
    reupload_of = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="reuploads",
        db_index=False,
        verbose_name=_("reupload of"),
    )
    # Content found again after an order (with or without the original order: a list's entry
    # may be a hash alone); counted in the transparency figures' re-upload rate.
    is_reupload = models.BooleanField(default=False, verbose_name=_("is reupload"))
    # A re-upload found by a perceptual hash alone is a lead, never a sanction on its own: an
    # officer confirms the match before the order may be issued.
    match_to_confirm = models.BooleanField(default=False, verbose_name=_("match to confirm"))
    match_confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
        verbose_name=_("match confirmed by"),
    )
    updated_at = models.DateTimeField(auto_now=True, verbose_name=_("updated at"))

    class Meta:
        verbose_name = _("removal order")
        verbose_name_plural = _("removal orders")
        ordering = ["-created_at"]
        permissions = [
            ("issue_order", "Can issue, withdraw and pause removal orders"),
            ("verify_order", "Can verify compliance, close and reopen removal orders"),
        ]
        indexes = [
            # The sweep's claim query: due, running clocks only (DESIGN §5).
            models.Index(
                fields=["due_at"],
                name="order_due_running_clock",
                condition=models.Q(status__in=CLOCK_STATES, clock_paused_at__isnull=True),
            ),
            # A platform's orders, newest changes first (the portal's "updated since").
            models.Index(fields=["platform", "updated_at"], name="order_platform_updated"),
        ]
        constraints = [
            # A constraint, not unique=True: the field option would add a second (LIKE) index
            # that nothing uses and every escalation rewrites.
            models.UniqueConstraint(fields=["reference"], name="order_reference_unique"),
        ]

    def __str__(self) -> str:
        return self.reference

    @transition(field=status, source=OrderStatus.DRAFT, target=OrderStatus.ISSUED, permission=ISSUE)
    def issue(self) -> None:
        pass

    @transition(
        field=status,
        source=OrderStatus.ISSUED,
        target=OrderStatus.ACKNOWLEDGED,
        permission=ISSUE,
        custom={"actors": {"platform"}},
    )
    def acknowledge(self) -> None:
        pass

    @transition(
        field=status,
        source=[*CLOCK_STATES, OrderStatus.BLOCKED],
        target=OrderStatus.COMPLIED,
        permission=ISSUE,
        custom={"actors": {"platform", "job"}},
    )
    def comply(self) -> None:
        self.reopen_status = self.status

    @transition(
        field=status,
        source=CLOCK_STATES,
        target=RETURN_VALUE(OrderStatus.WARNED, OrderStatus.FINED),
        custom={"actors": {"job"}},
    )
    def escalate(self, target: str) -> str:
        """One rung up the policy ladder, from a running clock to these states only.

        The sweep escalates thousands of orders in one statement and does not call this: it
        checks every change it plans against what is declared here (compliance/sweep/claim.py),
        so this declaration stays the one place that says what may follow what.
        """
        return target

    @transition(
        field=status,
        source=CLOCK_STATES,
        target=OrderStatus.BLOCKED,
        permission="compliance.approve_sanction",
        custom={"actors": {"job"}},
    )
    def enforce_block(self) -> None:
        """The platform's access block came into force with this order's content still up:
        the order shows `blocked` from now (a proposed block leaves it as it was)."""

    def fines_settled(self) -> bool:
        """No fine left unpaid, and no periodic penalty still to be totalled into one."""
        return not (
            self.fines.filter(status__in=UNSETTLED_FINE_STATES).exists()
            or self.penalties.filter(status=PeriodicPenalty.Status.ACCRUING).exists()
        )

    @transition(
        field=status,
        source=OrderStatus.COMPLIED,
        target=OrderStatus.CLOSED,
        permission=VERIFY,
        # django-fsm's stubs type conditions over any Model; this one reads an order's fines.
        conditions=[fines_settled],  # type: ignore[list-item]
    )
    def close(self) -> None:
        """Closed only when no fine is left unpaid (a late compliance leaves fines payable)."""

    @transition(
        field=status,
        source=[OrderStatus.COMPLIED, OrderStatus.CLOSED],
        target=RETURN_VALUE(*CLOCK_STATES, OrderStatus.BLOCKED),
        permission=VERIFY,
    )
    def reopen(self) -> str:
        return self.reopen_status

    @transition(
        field=status,
        source=[OrderStatus.DRAFT, *CLOCK_STATES, OrderStatus.COMPLIED],
        target=OrderStatus.WITHDRAWN,
        permission=ISSUE,
    )
    def withdraw(self) -> None:
        pass


class ItemStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    REMOVED = "removed", _("Removed")
    GEO_BLOCKED = "geo_blocked", _("Geo-blocked")
    ACCOUNT_SUSPENDED = "account_suspended", _("Account suspended")
    NOT_FOUND = "not_found", _("Not found")
    DISPUTED = "disputed", _("Disputed")
    WITHDRAWN = "withdrawn", _("Withdrawn")


# What a platform may report for an item; each settles it.
REPORTABLE = [
    ItemStatus.REMOVED,
    ItemStatus.GEO_BLOCKED,
    ItemStatus.ACCOUNT_SUSPENDED,
    ItemStatus.NOT_FOUND,
]
SETTLED = [*REPORTABLE, ItemStatus.WITHDRAWN]


class OrderItem(models.Model):
    order = models.ForeignKey(
        RemovalOrder, on_delete=models.CASCADE, related_name="items", verbose_name=_("order")
    )
    url = models.URLField(max_length=2000, verbose_name=_("url"))
    content_id = models.CharField(
        _("content identifier"), max_length=200, blank=True, help_text="Post, video or account id."
    )
    status = models.CharField(
        max_length=32,
        choices=ItemStatus.choices,
        default=ItemStatus.PENDING,
        verbose_name=_("status"),
    )
    off_platform_reason = models.CharField(
        max_length=300,
        blank=True,
        help_text="Why an item on a domain not registered to the platform is included.",
        verbose_name=_("off platform reason"),
    )
    actioned_at = models.DateTimeField(null=True, blank=True, verbose_name=_("actioned at"))
    reported_at = models.DateTimeField(null=True, blank=True, verbose_name=_("reported at"))
    note = models.TextField(blank=True, verbose_name=_("note"))

    class Meta:
        verbose_name = _("order item")
        verbose_name_plural = _("order items")
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["order", "url"], name="orderitem_unique_url_per_order")
        ]

    def __str__(self) -> str:
        return self.url


def _evidence_path(instance: Evidence, filename: str) -> str:
    # Content-addressed: the same bytes always land at the same name; nothing is overwritten.
    return f"evidence/{instance.sha256[:2]}/{instance.sha256}{instance.extension}"


class Evidence(models.Model):
    """A capture of the content; kept with its hash, never replaced or deleted (append-only)."""

    order = models.ForeignKey(
        RemovalOrder, on_delete=models.PROTECT, related_name="evidence", verbose_name=_("order")
    )
    item = models.ForeignKey(
        OrderItem,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="evidence",
        verbose_name=_("item"),
    )
    file = models.FileField(upload_to=_evidence_path, max_length=200, verbose_name=_("file"))
    sha256 = models.CharField(max_length=64, verbose_name=_("sha256"))
    size = models.PositiveBigIntegerField(verbose_name=_("size"))
    content_type = models.CharField(max_length=100, verbose_name=_("content type"))
    extension = models.CharField(max_length=10, verbose_name=_("extension"))
    description = models.CharField(max_length=300, blank=True, verbose_name=_("description"))
    captured_at = models.DateTimeField(verbose_name=_("captured at"))
    captured_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("captured by"),
    )
    captured_by_platform = models.ForeignKey(
        "registry.Platform",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("captured by platform"),
    )
    added_at = models.DateTimeField(auto_now_add=True, verbose_name=_("added at"))

    class Meta:
        verbose_name = _("evidence")
        verbose_name_plural = _("evidence")
        ordering = ["added_at"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(sha256__regex=r"^[0-9a-f]{64}$"), name="evidence_sha256_hex"
            )
        ]

    def __str__(self) -> str:
        return f"{self.sha256[:12]} ({self.content_type}, {self.size} bytes)"


class Objection(ConcurrentTransitionMixin, models.Model):
    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        UPHELD = "upheld", _("Upheld")
        REJECTED = "rejected", _("Rejected")

    order = models.ForeignKey(
        RemovalOrder, on_delete=models.PROTECT, related_name="objections", verbose_name=_("order")
    )
    items = models.ManyToManyField(OrderItem, related_name="objections", verbose_name=_("items"))
    reason = models.TextField(verbose_name=_("reason"))
    status = FSMField(
        max_length=16,
        choices=Status.choices,
        default=Status.OPEN,
        protected=True,
        verbose_name=_("status"),
    )
    filed_at = models.DateTimeField(auto_now_add=True, verbose_name=_("filed at"))
    decided_at = models.DateTimeField(null=True, blank=True, verbose_name=_("decided at"))
    decision_reason = models.TextField(blank=True, verbose_name=_("decision reason"))

    class Meta:
        verbose_name = _("objection")
        verbose_name_plural = _("objections")
        ordering = ["-filed_at"]
        permissions = [("decide_objection", "Can uphold or reject objections")]

    def __str__(self) -> str:
        return f"Objection #{self.pk} to {self.order}"

    @transition(
        field=status,
        source=Status.OPEN,
        target=Status.UPHELD,
        permission="notices.decide_objection",
    )
    def uphold(self) -> None:
        pass

    @transition(
        field=status,
        source=Status.OPEN,
        target=Status.REJECTED,
        permission="notices.decide_objection",
    )
    def reject(self) -> None:
        pass


class ClockPause(models.Model):
    """One pause of an order's clock; `due_at` moves by exactly the paused time on resume."""

    order = models.ForeignKey(
        RemovalOrder, on_delete=models.PROTECT, related_name="pauses", verbose_name=_("order")
    )
    paused_at = models.DateTimeField(verbose_name=_("paused at"))
    resumed_at = models.DateTimeField(null=True, blank=True, verbose_name=_("resumed at"))
    reason = models.TextField(verbose_name=_("reason"))
    paused_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("paused by"),
    )
    resumed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("resumed by"),
    )

    class Meta:
        verbose_name = _("clock pause")
        verbose_name_plural = _("clock pauses")
        ordering = ["paused_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["order"],
                condition=models.Q(resumed_at__isnull=True),
                name="one_open_pause_per_order",
            )
        ]

    def __str__(self) -> str:
        return f"Pause of {self.order} from {self.paused_at}"
