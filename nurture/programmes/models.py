from decimal import Decimal

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from nurture.core.i18n import pick


class Programme(models.Model):
    """An accelerator programme and its rules. Every number is data, not code."""

    name = models.CharField(_("name"), max_length=200)
    name_zh_hant = models.CharField(_("name (Traditional Chinese)"), max_length=200, blank=True)
    slug = models.SlugField(unique=True)
    organisation = models.CharField(_("run by"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    cohorts_per_year = models.PositiveSmallIntegerField(_("cohorts a year"), default=2)
    min_startups_per_cohort = models.PositiveSmallIntegerField(
        _("fewest startups per cohort"), default=6
    )
    max_startups_per_cohort = models.PositiveSmallIntegerField(
        _("most startups per cohort"), default=10
    )
    yearly_cap = models.PositiveSmallIntegerField(_("most startups a year"), default=20)
    length_months = models.PositiveSmallIntegerField(_("programme length (months)"), default=6)
    followon_name = models.CharField(_("follow-on programme"), max_length=200, blank=True)
    followon_months = models.PositiveSmallIntegerField(_("follow-on length (months)"), default=30)
    # Eligibility rules applied to applications before submission.
    requires_hk_presence = models.BooleanField(
        _("requires a Hong Kong presence"),
        default=True,
        help_text=_("Registered in Hong Kong, or committed to registering before joining."),
    )
    max_company_age_years = models.PositiveSmallIntegerField(
        _("oldest company (years)"),
        null=True,
        blank=True,
        default=5,
        help_text=_("Leave empty for no limit."),
    )
    min_team_size = models.PositiveSmallIntegerField(_("smallest team"), default=2)
    min_technical_share = models.PositiveSmallIntegerField(
        _("least technical share of the team (%)"),
        default=50,
        validators=[MaxValueValidator(100)],
    )
    min_founder_equity = models.DecimalField(
        _("least equity held by the founders (%)"),
        max_digits=5,
        decimal_places=2,
        default=Decimal("10"),
        validators=[MinValueValidator(0), MaxValueValidator(100)],
    )
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("programme")
        verbose_name_plural = _("programmes")
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(min_startups_per_cohort__lte=F("max_startups_per_cohort")),
                name="programme_cohort_size_range",
            )
        ]

    def __str__(self) -> str:
        return self.display_name

    @property
    def display_name(self) -> str:
        return pick(self.name, self.name_zh_hant)


class BenefitKind(models.TextChoices):
    SEED_FUNDING = "seed_funding", _("Seed funding")
    CLOUD_CREDITS = "cloud_credits", _("Cloud credits")
    GPU_HOURS = "gpu_hours", _("GPU compute")
    WORKSPACE = "workspace", _("Working space")
    PLATFORM_ACCESS = "platform_access", _("Deep-learning platform access")
    ADVISORY = "advisory", _("Advisory board")
    OTHER = "other", _("Other")


class BenefitUnit(models.TextChoices):
    USD = "USD", _("US dollars")
    HKD = "HKD", _("Hong Kong dollars")
    GPU_HOURS = "GPU_HOURS", _("GPU-hours")
    DESKS = "DESKS", _("desks")
    NONE = "", _("no quantity")


class BenefitItem(models.Model):
    """One line of a programme's benefit package; later parts turn it into an entitlement."""

    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="benefits")
    kind = models.CharField(_("kind"), max_length=32, choices=BenefitKind.choices)
    label = models.CharField(_("label"), max_length=200)
    label_zh_hant = models.CharField(_("label (Traditional Chinese)"), max_length=200, blank=True)
    amount = models.DecimalField(
        _("amount"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    unit = models.CharField(_("unit"), max_length=16, choices=BenefitUnit.choices, blank=True)
    details = models.CharField(_("details"), max_length=300, blank=True)
    details_zh_hant = models.CharField(
        _("details (Traditional Chinese)"), max_length=300, blank=True
    )
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name = _("benefit")
        verbose_name_plural = _("benefit package")
        ordering = ["programme", "position", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(amount__isnull=True) | Q(amount__gte=0), name="benefit_amount_positive"
            )
        ]

    def __str__(self) -> str:
        return self.display_label

    @property
    def display_label(self) -> str:
        return pick(self.label, self.label_zh_hant)

    @property
    def display_details(self) -> str:
        return pick(self.details, self.details_zh_hant)


class Sector(models.Model):
    name = models.CharField(_("name"), max_length=100, unique=True)
    name_zh_hant = models.CharField(_("name (Traditional Chinese)"), max_length=100, blank=True)
    slug = models.SlugField(unique=True)
    is_vertical = models.BooleanField(
        _("vertical industry adopting AI"),
        default=False,
    )

    class Meta:
        verbose_name = _("sector")
        verbose_name_plural = _("sectors")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.display_name

    @property
    def display_name(self) -> str:
        return pick(self.name, self.name_zh_hant)


class Intake(models.TextChoices):
    SPRING = "spring", _("Spring")
    AUTUMN = "autumn", _("Autumn")


class Cohort(models.Model):
    """One intake of the programme, e.g. "2027 Spring", with its call for applications."""

    programme = models.ForeignKey(Programme, on_delete=models.PROTECT, related_name="cohorts")
    name = models.CharField(_("name"), max_length=100)
    year = models.PositiveSmallIntegerField(_("year"))
    intake = models.CharField(_("intake"), max_length=10, choices=Intake.choices)
    capacity = models.PositiveSmallIntegerField(_("places"), default=10)
    starts_on = models.DateField(_("programme starts"))
    ends_on = models.DateField(_("programme ends"))

    class Meta:
        verbose_name = _("cohort")
        verbose_name_plural = _("cohorts")
        ordering = ["-starts_on"]
        constraints = [
            models.UniqueConstraint(
                fields=["programme", "year", "intake"], name="cohort_one_per_intake"
            ),
            models.CheckConstraint(
                condition=Q(starts_on__lt=F("ends_on")), name="cohort_starts_before_end"
            ),
        ]

    def __str__(self) -> str:
        return self.display_name

    @property
    def display_name(self) -> str:
        """The name in the reader's language when it is the usual "<year> <intake>"."""
        with translation.override("en"):
            usual = f"{self.year} {Intake(self.intake).label}"
        if self.name == usual:
            return f"{self.year} {Intake(self.intake).label}"
        return self.name


class Call(models.Model):
    """The call for applications of a cohort: open between two instants."""

    cohort = models.OneToOneField(Cohort, on_delete=models.CASCADE, related_name="call")
    title = models.CharField(_("title"), max_length=200)
    title_zh_hant = models.CharField(_("title (Traditional Chinese)"), max_length=200, blank=True)
    description = models.TextField(_("description"), blank=True)
    description_zh_hant = models.TextField(_("description (Traditional Chinese)"), blank=True)
    opens_at = models.DateTimeField(_("opens"))
    closes_at = models.DateTimeField(_("closes"))

    class Meta:
        verbose_name = _("call for applications")
        verbose_name_plural = _("calls for applications")
        ordering = ["-closes_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(opens_at__lt=F("closes_at")), name="call_opens_before_close"
            )
        ]

    def __str__(self) -> str:
        return self.display_title

    @property
    def display_title(self) -> str:
        return pick(self.title, self.title_zh_hant)

    @property
    def display_description(self) -> str:
        return pick(self.description, self.description_zh_hant)

    def is_open(self, at=None) -> bool:
        at = at or timezone.now()
        return self.opens_at <= at < self.closes_at

    @property
    def status(self) -> str:
        now = timezone.now()
        if now < self.opens_at:
            return "upcoming"
        return "open" if now < self.closes_at else "closed"
