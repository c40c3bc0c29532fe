"""Platforms (private-scope electronic system operators) and their registration life cycle."""

from __future__ import annotations

from django.core.validators import RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from django_fsm import RETURN_VALUE, ConcurrentTransitionMixin, FSMField, transition

from compliance.kernel.models import ApiKeyFields
from registry.hostnames import hostname_normalize


class RegistrationStatus(models.TextChoices):
    UNREGISTERED = "unregistered", _("Unregistered (operating without registration)")
    PENDING = "pending", _("Application pending")
    REGISTERED = "registered", _("Registered")
    REJECTED = "rejected", _("Application rejected")
    UPDATE_REQUIRED = "update_required", _("Update required")
    WARNED = "warned", _("Warned")
    SUSPENDED = "suspended", _("Suspended")
    BLOCKED = "blocked", _("Access blocked")
    REVOKED = "revoked", _("Registration revoked")


# States in which a platform is serving users and can be blocked (MR5 Art. 7, 15(12)).
BLOCKABLE_STATES = [
    RegistrationStatus.UNREGISTERED,
    RegistrationStatus.PENDING,
    RegistrationStatus.REGISTERED,
    RegistrationStatus.UPDATE_REQUIRED,
    RegistrationStatus.WARNED,
    RegistrationStatus.SUSPENDED,
]

MANAGE = "registry.manage_registration"
SANCTION = "registry.sanction_platform"


class Sector(models.TextChoices):
    SOCIAL_MEDIA = "social_media", _("Social media and content sharing")
    SEARCH = "search", _("Search engine")
    MESSAGING = "messaging", _("Messaging and communication")
    ECOMMERCE = "ecommerce", _("E-commerce and marketplace")
    FINANCE = "finance", _("Financial services")
    MEDIA = "media", _("Digital media and streaming")
    GAMES = "games", _("Games")
    CLOUD = "cloud", _("Cloud and hosting")
    OTHER = "other", _("Other")


class Platform(ConcurrentTransitionMixin, models.Model):
    """The registration record MR5 Art. 3-4 asks for, and where the platform stands."""

    name = models.CharField(_("electronic system name"), max_length=200, unique=True)
    legal_name = models.CharField(_("legal entity"), max_length=200)
    sector = models.CharField(max_length=32, choices=Sector.choices, verbose_name=_("sector"))
    business_model = models.TextField(blank=True, verbose_name=_("business model"))
    is_ugc = models.BooleanField(
        _("user-generated content"), default=False, help_text="Fines apply only to UGC platforms."
    )
    is_foreign = models.BooleanField(_("foreign operator"), default=False)
    country = models.CharField(
        max_length=2,
        blank=True,
        validators=[RegexValidator(r"^[A-Z]{2}$", "Use an ISO 3166-1 alpha-2 code, e.g. SG.")],
        help_text="Country of incorporation (ISO 3166-1 alpha-2).",
        verbose_name=_("country"),
    )
    leadership = models.TextField(
        blank=True,
        help_text="Directors and officers (foreign operators).",
        verbose_name=_("leadership"),
    )
    incorporation_number = models.CharField(
        max_length=100, blank=True, verbose_name=_("incorporation number")
    )
    incorporation_date = models.DateField(
        null=True, blank=True, verbose_name=_("incorporation date")
    )
    user_count = models.PositiveBigIntegerField(_("users in Indonesia"), default=0)
    personal_data_processed = models.TextField(
        blank=True, verbose_name=_("personal data processed")
    )
    data_location = models.CharField(max_length=200, blank=True, verbose_name=_("data location"))
    escalation_policy = models.ForeignKey(
        "compliance.EscalationPolicy",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="Overrides the category's and the default policy for new orders.",
        verbose_name=_("escalation policy"),
    )
    profiles = models.ManyToManyField(
        "compliance.EscalationPolicy",
        blank=True,
        related_name="+",
        help_text="Further policies (other jurisdictions' profiles) an order for this platform "
        "may be issued under.",
        verbose_name=_("also under"),
    )

    status = FSMField(
        max_length=32,
        choices=RegistrationStatus.choices,
        default=RegistrationStatus.UNREGISTERED,
        protected=True,
        verbose_name=_("status"),
    )
    registration_number = models.CharField(
        max_length=32, unique=True, null=True, blank=True, verbose_name=_("registration number")
    )
    # An application filed while blocked for operating unregistered (the status stays
    # `blocked` until normalization).
    registration_filed_at = models.DateTimeField(
        null=True, blank=True, verbose_name=_("registration filed at")
    )
    registered_at = models.DateTimeField(null=True, blank=True, verbose_name=_("registered at"))
    times_blocked = models.PositiveIntegerField(default=0, verbose_name=_("times blocked"))
    fault_due_at = models.DateTimeField(
        null=True,
        blank=True,
        help_text="When the registration-fault sweep next acts (MR5 Art. 7); empty if nothing.",
        verbose_name=_("fault due at"),
    )
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("created at"))
    updated_at = models.DateTimeField(auto_now=True, verbose_name=_("updated at"))

    class Meta:
        verbose_name = _("platform")
        verbose_name_plural = _("platforms")
        ordering = ["name"]
        permissions = [
            ("manage_registration", "Can decide registration applications and updates"),
            ("sanction_platform", "Can suspend, block, revoke and normalize platforms"),
            ("designate_platform", "Can designate platforms (very large, category 1, ...)"),
        ]
        indexes = [models.Index(fields=["fault_due_at"], name="platform_fault_due")]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(status="registered")
                | models.Q(registration_number__isnull=False),
                name="platform_registered_has_number",
            )
        ]

    def __str__(self) -> str:
        return self.name

    @transition(
        field=status,
        source=[RegistrationStatus.UNREGISTERED, RegistrationStatus.REJECTED],
        target=RegistrationStatus.PENDING,
        permission=MANAGE,
        custom={"actors": {"platform"}},
    )
    def file_application(self) -> None:
        """The platform applies (itself, or an officer records its paper application)."""

    @transition(
        field=status,
        source=RegistrationStatus.PENDING,
        target=RegistrationStatus.REGISTERED,
        permission=MANAGE,
    )
    def approve(self) -> None:
        pass

    @transition(
        field=status,
        source=RegistrationStatus.PENDING,
        target=RegistrationStatus.REJECTED,
        permission=MANAGE,
    )
    def reject(self) -> None:
        pass

    @transition(
        field=status,
        source=RegistrationStatus.REGISTERED,
        target=RegistrationStatus.UPDATE_REQUIRED,
        permission=MANAGE,
        custom={"actors": {"platform"}},
    )
    def require_update(self) -> None:
        """A change was declared (MR5 Art. 5) or an officer found the record out of date."""

    @transition(
        field=status,
        source=[
            RegistrationStatus.UPDATE_REQUIRED,
            RegistrationStatus.WARNED,
            RegistrationStatus.SUSPENDED,
        ],
        target=RegistrationStatus.REGISTERED,
        permission=MANAGE,
    )
    def accept_update(self) -> None:
        """The record was put right: the fault is cured."""

    @transition(
        field=status,
        source=RegistrationStatus.UPDATE_REQUIRED,
        target=RegistrationStatus.WARNED,
        permission=MANAGE,
        custom={"actors": {"job"}},
    )
    def warn(self) -> None:
        pass

    @transition(
        field=status,
        source=RegistrationStatus.WARNED,
        target=RegistrationStatus.SUSPENDED,
        permission=SANCTION,
    )
    def suspend(self) -> None:
        pass

    @transition(
        field=status,
        source=RegistrationStatus.SUSPENDED,
        target=RegistrationStatus.REVOKED,
        permission=SANCTION,
    )
    def revoke(self) -> None:
        pass

    @transition(
        field=status,
        source=BLOCKABLE_STATES,
        target=RegistrationStatus.BLOCKED,
        permission=SANCTION,
    )
    def block(self) -> None:
        self.times_blocked += 1

    @transition(
        field=status,
        source=RegistrationStatus.BLOCKED,
        target=RETURN_VALUE(RegistrationStatus.REGISTERED, RegistrationStatus.PENDING),
        permission=SANCTION,
    )
    def normalize(self) -> str:
        # A platform that never held a registration goes back to review, not to `registered`.
        return (
            RegistrationStatus.REGISTERED
            if self.registration_number
            else RegistrationStatus.PENDING
        )


class PlatformDomain(models.Model):
    platform = models.ForeignKey(
        Platform, on_delete=models.CASCADE, related_name="domains", verbose_name=_("platform")
    )
    domain = models.CharField(max_length=253, unique=True, verbose_name=_("domain"))
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("created at"))

    class Meta:
        verbose_name = _("platform domain")
        verbose_name_plural = _("platform domains")
        ordering = ["domain"]

    def __str__(self) -> str:
        return self.domain

    def clean(self) -> None:
        self.domain = hostname_normalize(self.domain)


class PlatformContact(models.Model):
    """A contact person in the country (MR5 Art. 3); notices and letters are addressed to them."""

    platform = models.ForeignKey(
        Platform, on_delete=models.CASCADE, related_name="contacts", verbose_name=_("platform")
    )
    name = models.CharField(max_length=200, verbose_name=_("name"))
    role = models.CharField(max_length=200, verbose_name=_("role"))
    email = models.EmailField(verbose_name=_("email"))
    phone = models.CharField(
        max_length=32,
        validators=[
            RegexValidator(r"^\+?[0-9 ()-]{6,31}$", "Enter a phone number, e.g. +62 21 555 0100.")
        ],
        verbose_name=_("phone"),
    )

    class Meta:
        verbose_name = _("platform contact")
        verbose_name_plural = _("platform contacts")
        ordering = ["name"]

    def __str__(self) -> str:
        return f"{self.name} ({self.role})"


class PlatformApp(models.Model):
    class Store(models.TextChoices):
        GOOGLE_PLAY = "google_play", _("Google Play")
        APP_STORE = "app_store", _("Apple App Store")
        OTHER = "other", _("Other")

    platform = models.ForeignKey(
        Platform, on_delete=models.CASCADE, related_name="apps", verbose_name=_("platform")
    )
    store = models.CharField(max_length=16, choices=Store.choices, verbose_name=_("store"))
    identifier = models.CharField(
        max_length=200,
        help_text="e.g. com.example.app or id123456789",
        verbose_name=_("identifier"),
    )

    class Meta:
        verbose_name = _("platform app")
        verbose_name_plural = _("platform apps")
        constraints = [
            models.UniqueConstraint(fields=["store", "identifier"], name="platformapp_unique_id")
        ]

    def __str__(self) -> str:
        return f"{self.get_store_display()}: {self.identifier}"


class ApiKey(ApiKeyFields):
    """A platform's key to the portal API, `cek_<prefix>_<secret>`."""

    platform = models.ForeignKey(
        Platform, on_delete=models.PROTECT, related_name="api_keys", verbose_name=_("platform")
    )

    class Meta(ApiKeyFields.Meta):
        verbose_name = _("API key")
        verbose_name_plural = _("API keys")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.name} (cek_{self.prefix}_…)"


class WebhookEndpoint(models.Model):
    """Where a platform receives signed events (Standard Webhooks)."""

    platform = models.OneToOneField(
        Platform, on_delete=models.CASCADE, related_name="webhook", verbose_name=_("platform")
    )
    url = models.URLField(max_length=500, verbose_name=_("url"))
    # Kept as is: signing needs it (it is a shared secret, not a password).
    secret = models.CharField(max_length=100, verbose_name=_("secret"))
    updated_at = models.DateTimeField(auto_now=True, verbose_name=_("updated at"))

    class Meta:
        verbose_name = _("webhook endpoint")
        verbose_name_plural = _("webhook endpoints")

    def __str__(self) -> str:
        return self.url


class RegistrationChange(models.Model):
    """A change of registration data a platform declared (MR5 Art. 5) and the corrected record
    it submitted. Submitting stops the registration fault clock; an officer then accepts the
    record (it replaces the registered one) or asks for more (the clock runs again). At most one
    change per platform is open at a time."""

    class Status(models.TextChoices):
        AWAITING_DATA = "awaiting_data", _("Waiting for the corrected record")
        SUBMITTED = "submitted", _("Submitted, waiting for an officer")
        MORE_REQUESTED = "more_requested", _("More information requested")
        ACCEPTED = "accepted", _("Accepted")

    OPEN = (Status.AWAITING_DATA, Status.SUBMITTED, Status.MORE_REQUESTED)

    platform = models.ForeignKey(
        Platform, on_delete=models.PROTECT, related_name="changes", verbose_name=_("platform")
    )
    description = models.TextField(verbose_name=_("description"))
    record = models.JSONField(
        default=dict,
        blank=True,
        verbose_name=_("corrected record"),
        help_text=_("The fields the platform submitted, each replacing the registered value."),
    )
    status = models.CharField(
        max_length=16,
        choices=Status.choices,
        default=Status.AWAITING_DATA,
        verbose_name=_("status"),
    )
    declared_at = models.DateTimeField(verbose_name=_("declared at"))
    submitted_at = models.DateTimeField(null=True, blank=True, verbose_name=_("submitted at"))
    submissions = models.PositiveIntegerField(default=0, verbose_name=_("submissions"))
    decided_at = models.DateTimeField(null=True, blank=True, verbose_name=_("decided at"))
    decided_by_label = models.CharField(max_length=200, blank=True, verbose_name=_("decided by"))
    officer_reason = models.TextField(blank=True, verbose_name=_("officer's reason"))

    class Meta:
        verbose_name = _("registration change")
        verbose_name_plural = _("registration changes")
        ordering = ["-declared_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["platform"],
                condition=models.Q(status__in=["awaiting_data", "submitted", "more_requested"]),
                name="registration_change_one_open",
            )
        ]

    def __str__(self) -> str:
        return f"RC-{self.pk} ({self.platform_id})"


class PlatformTurnover(models.Model):
    """A platform's turnover for a period, as declared: what a fine set as a share of turnover
    is computed from. Kept whole: a correction is a new declaration, the old one stays."""

    platform = models.ForeignKey(
        Platform, on_delete=models.PROTECT, related_name="turnovers", verbose_name=_("platform")
    )
    amount = models.DecimalField(max_digits=20, decimal_places=2, verbose_name=_("amount"))
    currency = models.CharField(
        max_length=3, verbose_name=_("currency"), help_text=_("ISO 4217 code, e.g. EUR.")
    )
    period_start = models.DateField(verbose_name=_("period start"))
    period_end = models.DateField(verbose_name=_("period end"))
    scope = models.CharField(
        max_length=16,
        choices=[("worldwide", _("Worldwide")), ("national", _("In the jurisdiction"))],
        default="worldwide",
        verbose_name=_("scope"),
    )
    source = models.CharField(
        max_length=300,
        verbose_name=_("source"),
        help_text=_("Where the figure comes from: audited accounts, the platform's statement."),
    )
    declared_at = models.DateTimeField(verbose_name=_("declared at"))
    declared_by_label = models.CharField(max_length=200, verbose_name=_("declared by"))

    class Meta:
        verbose_name = _("turnover")
        verbose_name_plural = _("turnovers")
        ordering = ["-period_end", "-declared_at", "-pk"]
        constraints = [
            models.CheckConstraint(condition=models.Q(amount__gt=0), name="turnover_positive"),
            models.CheckConstraint(
                condition=models.Q(period_end__gte=models.F("period_start")),
                name="turnover_period_ordered",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.amount:,.2f} {self.currency} ({self.period_start} to {self.period_end})"


class DesignationKind(models.TextChoices):
    DSA_VLOP = "dsa_vlop", _("Very large online platform (EU DSA Art. 33)")
    DSA_VLOSE = "dsa_vlose", _("Very large online search engine (EU DSA Art. 33)")
    OSA_CATEGORY_1 = "osa_category_1", _("Category 1 service (UK OSA s. 95)")
    OSA_CATEGORY_2A = "osa_category_2a", _("Category 2A service (UK OSA s. 95)")
    OSA_CATEGORY_2B = "osa_category_2b", _("Category 2B service (UK OSA s. 95)")
    RISK_ASSESSMENT = "risk_assessment", _("Designated for periodic risk assessments")


class PlatformDesignation(models.Model):
    """A designation of a platform and its basis (user counts with their date, or a
    decision), in force from a date until ended; the rows are its history."""

    class Basis(models.TextChoices):
        USER_COUNT = "user_count", _("User count")
        DECISION = "decision", _("Decision")

    platform = models.ForeignKey(
        Platform, on_delete=models.PROTECT, related_name="designations", verbose_name=_("platform")
    )
    kind = models.CharField(
        max_length=20, choices=DesignationKind.choices, verbose_name=_("designation")
    )
    basis = models.CharField(max_length=16, choices=Basis.choices, verbose_name=_("basis"))
    user_count = models.PositiveBigIntegerField(
        null=True,
        blank=True,
        verbose_name=_("monthly active users"),
        help_text=_("Average monthly active recipients in the jurisdiction."),
    )
    user_count_as_of = models.DateField(null=True, blank=True, verbose_name=_("user count as of"))
    decision_reference = models.CharField(
        max_length=200, blank=True, verbose_name=_("decision reference")
    )
    effective_from = models.DateField(verbose_name=_("effective from"))
    recorded_at = models.DateTimeField(verbose_name=_("recorded at"))
    recorded_by_label = models.CharField(max_length=200, verbose_name=_("recorded by"))
    ended_at = models.DateTimeField(null=True, blank=True, verbose_name=_("ended at"))
    end_reason = models.TextField(blank=True, verbose_name=_("reason for ending"))

    class Meta:
        verbose_name = _("designation")
        verbose_name_plural = _("designations")
        ordering = ["-effective_from", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["platform", "kind"],
                condition=models.Q(ended_at__isnull=True),
                name="designation_one_in_force_per_kind",
            ),
            models.CheckConstraint(
                condition=~models.Q(basis="user_count")
                | models.Q(user_count__isnull=False, user_count_as_of__isnull=False),
                name="designation_user_count_has_count",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.platform}"
