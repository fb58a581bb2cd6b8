import uuid
from pathlib import PurePath

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class ApplicationState(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted")
    WITHDRAWN = "withdrawn", _("Withdrawn")
    UNDER_REVIEW = "under_review", _("Under review")
    SHORTLISTED = "shortlisted", _("Shortlisted")
    ACCEPTED = "accepted", _("Accepted")
    WAITLISTED = "waitlisted", _("Waitlisted")
    REJECTED = "rejected", _("Not selected")


# States in which the founders may still change the application, while the call is open.
EDITABLE_STATES = frozenset({ApplicationState.DRAFT})


class Stage(models.TextChoices):
    IDEA = "idea", _("Idea")
    PROTOTYPE = "prototype", _("Prototype")
    MVP = "mvp", _("Minimum viable product")
    EARLY_REVENUE = "early_revenue", _("Early revenue")
    GROWTH = "growth", _("Growth")


class Platform(models.TextChoices):
    ALIBABA_CLOUD = "alibaba_cloud", _("Alibaba Cloud machine-learning platform")
    SENSETIME = "sensetime", _("SenseTime deep-learning platform")


def pitch_deck_path(instance: "Application", filename: str) -> str:
    # The stored name is random; the name the founder gave is kept apart, never used as a path.
    return f"pitch-decks/{instance.cohort_id}/{uuid.uuid4().hex}.pdf"


class Application(models.Model):
    """A startup's application to one cohort's call. One per startup per cohort."""

    cohort = models.ForeignKey(
        "programmes.Cohort",
        verbose_name=_("cohort"),
        on_delete=models.PROTECT,
        related_name="applications",
    )
    startup = models.ForeignKey(
        "startups.Startup",
        verbose_name=_("startup"),
        on_delete=models.CASCADE,
        related_name="applications",
    )
    state = models.CharField(
        _("state"),
        max_length=20,
        choices=ApplicationState.choices,
        default=ApplicationState.DRAFT,
        db_index=True,
    )

    # Company
    registered_in_hk = models.BooleanField(
        _("the company is registered in Hong Kong"), default=False
    )
    hk_presence_plan = models.TextField(
        _("Hong Kong presence"),
        blank=True,
        help_text=_("If not yet registered in Hong Kong: how and when the company will be."),
    )
    business_registration_number = models.CharField(
        _("business registration number"), max_length=32, blank=True
    )
    date_founded = models.DateField(_("date founded"), null=True, blank=True)

    # Team
    team_size = models.PositiveSmallIntegerField(
        _("people in the team"), null=True, blank=True, validators=[MinValueValidator(1)]
    )
    full_time_staff = models.PositiveSmallIntegerField(_("full-time staff"), null=True, blank=True)
    technical_staff = models.PositiveSmallIntegerField(_("technical staff"), null=True, blank=True)
    founders_equity = models.DecimalField(
        _("equity held by the founders (%)"),
        max_digits=5,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0), MaxValueValidator(100)],
    )

    # Product
    product_description = models.TextField(_("product"), blank=True, max_length=5000)
    ai_description = models.TextField(_("the AI it uses"), blank=True, max_length=5000)
    sector = models.ForeignKey(
        "programmes.Sector",
        verbose_name=_("sector"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="applications",
    )
    stage = models.CharField(_("stage"), max_length=20, choices=Stage.choices, blank=True)
    traction = models.TextField(_("traction"), blank=True, max_length=3000)
    funding_raised_usd = models.DecimalField(
        _("funding raised so far (USD)"),
        max_digits=14,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
    )

    # What the startup wants from the Lab
    gpu_hours_per_month = models.PositiveIntegerField(
        _("GPU-hours needed a month"), null=True, blank=True
    )
    platforms = models.JSONField(_("deep-learning platforms wanted"), default=list, blank=True)
    lab_needs = models.TextField(_("what else you want from the Lab"), blank=True, max_length=3000)

    # Pitch deck
    pitch_deck = models.FileField(_("pitch deck"), upload_to=pitch_deck_path, blank=True)
    pitch_deck_name = models.CharField(max_length=200, blank=True)
    pitch_deck_size = models.PositiveIntegerField(null=True, blank=True)

    # Bookkeeping
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)
    submitted_at = models.DateTimeField(_("submitted"), null=True, blank=True, db_index=True)
    withdrawn_at = models.DateTimeField(null=True, blank=True)
    collection_notice = models.ForeignKey(
        "privacy.PrivacyNotice", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    deadline_reminder_sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("application")
        verbose_name_plural = _("applications")
        ordering = ["-updated_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["cohort", "startup"], name="application_one_per_startup_per_cohort"
            ),
            models.CheckConstraint(
                condition=Q(founders_equity__isnull=True)
                | Q(founders_equity__gte=0, founders_equity__lte=100),
                name="application_equity_percent",
            ),
        ]
        indexes = [
            models.Index(fields=["cohort", "state"]),
            # The programme manager's list: a cohort's applications, latest submission first
            # (on PostgreSQL with NULLS LAST, as the list sorts: migration 0004).
            models.Index(
                fields=["cohort", "-submitted_at", "id"], name="application_cohort_latest"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.startup} → {self.cohort}"

    @property
    def is_editable_state(self) -> bool:
        return self.state in EDITABLE_STATES

    @property
    def technical_share(self) -> int | None:
        if not self.full_time_staff or self.technical_staff is None:
            return None
        return round(100 * self.technical_staff / self.full_time_staff)

    @property
    def pitch_deck_filename(self) -> str:
        return PurePath(self.pitch_deck_name or "pitch-deck.pdf").name

    def platform_labels(self) -> list[str]:
        labels = dict(Platform.choices)
        return [str(labels.get(p, p)) for p in self.platforms]
