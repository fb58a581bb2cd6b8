"""The advisory board as reviewers: profiles, conflicts of interest, bids, review rounds and
the assignment of reviewers to applications.

The scores themselves live in nurture.reviews (rubric, reviews); the cohort proposal and the
decisions in nurture.selection.
"""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class ReviewerKind(models.TextChoices):
    AI_SCIENTIST = "ai_scientist", _("AI scientist")
    ENTREPRENEUR = "entrepreneur", _("Entrepreneur")
    PROFESSOR = "professor", _("Professor")
    INVESTOR = "investor", _("Investor")


class Language(models.TextChoices):
    ENGLISH = "en", _("English")
    CANTONESE = "yue", _("Cantonese")
    MANDARIN = "cmn", _("Mandarin")


class ReviewerProfile(models.Model):
    """A member of the advisory board who reviews applications (a user with the reviewer
    role)."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="reviewer_profile"
    )
    kind = models.CharField(_("kind"), max_length=20, choices=ReviewerKind.choices)
    affiliation = models.CharField(
        _("affiliation"),
        max_length=200,
        blank=True,
        help_text=_("The organisation the reviewer works for."),
    )
    expertise = models.TextField(
        _("expertise"),
        blank=True,
        max_length=5000,
        help_text=_("Fields, methods and industries the reviewer knows, in a few sentences."),
    )
    sectors = models.ManyToManyField(
        "programmes.Sector", verbose_name=_("sectors"), blank=True, related_name="reviewers"
    )
    languages = models.JSONField(_("languages"), default=list, blank=True)
    max_per_round = models.PositiveSmallIntegerField(
        _("most applications per round"),
        default=8,
        validators=[MinValueValidator(0), MaxValueValidator(200)],
    )
    past_companies = models.TextField(
        _("past companies"),
        blank=True,
        max_length=3000,
        help_text=_("One per line; used to find conflicts of interest."),
    )
    holdings = models.ManyToManyField(
        "startups.Startup",
        verbose_name=_("startups the reviewer holds equity in"),
        blank=True,
        related_name="investor_reviewers",
    )
    active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("reviewer profile")
        verbose_name_plural = _("reviewer profiles")
        ordering = ["user__email"]

    def __str__(self) -> str:
        return str(self.user)

    @property
    def past_company_names(self) -> list[str]:
        return [line.strip() for line in self.past_companies.splitlines() if line.strip()]


class ConflictSource(models.TextChoices):
    DECLARED_BY_REVIEWER = "reviewer", _("Declared by the reviewer")
    DECLARED_BY_STAFF = "staff", _("Declared by a programme manager")
    SAME_ORGANISATION = "organisation", _("Same organisation as a founder")
    SAME_EMAIL_DOMAIN = "email_domain", _("Same e-mail domain as a founder")
    EQUITY = "equity", _("Holds equity in the startup")
    PAST_COMPANY = "past_company", _("Shared past company")


class Conflict(models.Model):
    """A conflict of interest between a reviewer and a startup: the reviewer is never assigned
    any of the startup's applications and never sees them anywhere.

    Automatic conflicts (found from profiles) are recomputed; declared ones are kept until a
    programme manager lifts them (`lifted_at`). Only conflicts with `lifted_at` empty count.
    """

    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="conflicts"
    )
    startup = models.ForeignKey(
        "startups.Startup", on_delete=models.CASCADE, related_name="reviewer_conflicts"
    )
    source = models.CharField(_("source"), max_length=20, choices=ConflictSource.choices)
    reason = models.TextField(_("reason"), blank=True, max_length=2000)
    declared_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(default=timezone.now)
    lifted_at = models.DateTimeField(null=True, blank=True)
    lifted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = _("conflict of interest")
        verbose_name_plural = _("conflicts of interest")
        constraints = [
            models.UniqueConstraint(
                fields=["reviewer", "startup", "source"],
                condition=Q(lifted_at__isnull=True),
                name="conflict_one_active_per_source",
            )
        ]
        indexes = [models.Index(fields=["reviewer", "startup"])]

    def __str__(self) -> str:
        return f"{self.reviewer} × {self.startup} ({self.source})"


class BidValue(models.TextChoices):
    EAGER = "eager", _("Eager")
    WILLING = "willing", _("Willing")
    NOT_WILLING = "not_willing", _("Not willing")


class Bid(models.Model):
    """A reviewer's wish to review (or not) an application, given before assignment."""

    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="bids"
    )
    application = models.ForeignKey(
        "applications.Application", on_delete=models.CASCADE, related_name="bids"
    )
    value = models.CharField(_("bid"), max_length=16, choices=BidValue.choices)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("bid")
        verbose_name_plural = _("bids")
        constraints = [
            models.UniqueConstraint(fields=["reviewer", "application"], name="bid_one_per_pair")
        ]

    def __str__(self) -> str:
        return f"{self.reviewer} · {self.application_id}: {self.value}"


class RoundKind(models.TextChoices):
    WRITTEN = "written", _("Written review")
    PANEL = "panel", _("Pitch to a panel")


class RoundState(models.TextChoices):
    SETUP = "setup", pgettext_lazy("review round", "Being set up")
    BIDDING = "bidding", _("Bidding")
    ASSIGNED = "assigned", _("Assignment drafted")
    PUBLISHED = "published", _("Reviewing")
    CLOSED = "closed", pgettext_lazy("review round", "Closed")


class ReviewRound(models.Model):
    """One round of review of a cohort's applications: the written review of every submitted
    application, then the pitch of the shortlist to a panel."""

    cohort = models.ForeignKey(
        "programmes.Cohort", on_delete=models.CASCADE, related_name="review_rounds"
    )
    kind = models.CharField(_("kind"), max_length=10, choices=RoundKind.choices)
    state = models.CharField(
        _("state"), max_length=10, choices=RoundState.choices, default=RoundState.SETUP
    )
    reviewers_per_application = models.PositiveSmallIntegerField(
        _("reviewers per application"),
        default=3,
        validators=[MinValueValidator(1), MaxValueValidator(20)],
    )
    min_load = models.PositiveSmallIntegerField(_("fewest applications per reviewer"), default=0)
    max_load = models.PositiveSmallIntegerField(
        _("most applications per reviewer"),
        default=8,
        validators=[MinValueValidator(1), MaxValueValidator(500)],
    )
    fairness = models.BooleanField(
        _("fairness mode"),
        default=False,
        help_text=_("Raise the worst-served application's affinity first."),
    )
    bidding_closes_at = models.DateTimeField(_("bidding closes"), null=True, blank=True)
    deadline = models.DateTimeField(_("review deadline"), null=True, blank=True)
    pitch_at = models.DateTimeField(_("pitch session"), null=True, blank=True)
    panel = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("panel members"),
        blank=True,
        related_name="panel_rounds",
        help_text=_("For a panel round: the reviewers who hear every shortlisted pitch."),
    )
    reviews_visible_after_submit = models.BooleanField(
        _("reviewers see other reviews after submitting their own"), default=True
    )
    published_at = models.DateTimeField(null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reminder_sent_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("review round")
        verbose_name_plural = _("review rounds")
        ordering = ["cohort", "kind"]
        constraints = [
            models.UniqueConstraint(fields=["cohort", "kind"], name="round_one_per_kind"),
            models.CheckConstraint(
                condition=Q(min_load__lte=F("max_load")), name="round_min_load_at_most_max"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.cohort} · {self.get_kind_display()}"


class RunState(models.TextChoices):
    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Running")
    DONE = "done", _("Done")
    INFEASIBLE = "infeasible", _("No assignment possible")
    FAILED = "failed", _("Failed")


class AssignmentRun(models.Model):
    """One run of the optimiser for a round, done by a background task that reports its
    progress here."""

    round = models.ForeignKey(ReviewRound, on_delete=models.CASCADE, related_name="runs")
    state = models.CharField(max_length=12, choices=RunState.choices, default=RunState.QUEUED)
    progress = models.PositiveSmallIntegerField(default=0)  # percent
    step = models.CharField(max_length=200, blank=True)
    parameters = models.JSONField(default=dict, blank=True)
    objective = models.FloatField(null=True, blank=True)
    lp_bound = models.FloatField(null=True, blank=True)
    min_affinity = models.FloatField(null=True, blank=True)
    # Why no assignment exists: the optimiser's InfeasibilityReason list, as dicts.
    problems = models.JSONField(default=list, blank=True)
    error = models.TextField(blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.round} · {self.state} {self.progress}%"


class AssignmentSource(models.TextChoices):
    OPTIMISER = "optimiser", _("Optimiser")
    MANUAL = "manual", _("Changed by hand")


class Assignment(models.Model):
    """A reviewer assigned to an application in a round, with the reasons the optimiser saw.
    Reviewers see their assignments once the round is published."""

    round = models.ForeignKey(ReviewRound, on_delete=models.CASCADE, related_name="assignments")
    application = models.ForeignKey(
        "applications.Application", on_delete=models.CASCADE, related_name="assignments"
    )
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="assignments"
    )
    source = models.CharField(
        max_length=10, choices=AssignmentSource.choices, default=AssignmentSource.OPTIMISER
    )
    run = models.ForeignKey(
        AssignmentRun, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    affinity = models.FloatField(default=0)
    text_score = models.FloatField(default=0)
    sector_score = models.FloatField(default=0)
    bid = models.CharField(max_length=16, choices=BidValue.choices, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("assignment")
        verbose_name_plural = _("assignments")
        constraints = [
            models.UniqueConstraint(
                fields=["round", "application", "reviewer"], name="assignment_one_per_pair"
            )
        ]
        indexes = [models.Index(fields=["reviewer", "round"])]

    def __str__(self) -> str:
        return f"{self.reviewer} → {self.application_id} ({self.round})"
