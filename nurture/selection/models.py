"""Calibration settings, the cohort proposal, decisions and offers.

Scores come from nurture.reviews; calibration is computed from them on demand (it takes
milliseconds) and stored only as part of a proposal, so a proposal keeps the figures the
committee discussed.
"""

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class SelectionSettings(models.Model):
    """A cohort's selection rules beyond the programme's: the seed-funding pool, the offer
    deadline, when reviewers disagree, how many bootstrap samples to draw."""

    cohort = models.OneToOneField(
        "programmes.Cohort", on_delete=models.CASCADE, related_name="selection_settings"
    )
    funding_pool_usd = models.DecimalField(
        _("seed-funding pool (USD)"),
        max_digits=14,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
        help_text=_("Leave empty for places × the seed funding of the benefit package."),
    )
    offer_days = models.PositiveSmallIntegerField(
        _("days to confirm a place"),
        default=14,
        validators=[MinValueValidator(1), MaxValueValidator(90)],
    )
    disagreement_threshold = models.DecimalField(
        _("disagreement threshold (score points)"),
        max_digits=4,
        decimal_places=2,
        default=Decimal("1.00"),
        validators=[MinValueValidator(Decimal("0.1")), MaxValueValidator(Decimal("4"))],
        help_text=_(
            "Applications whose calibrated scores spread more than this (standard deviation)"
            " are flagged for discussion."
        ),
    )
    bootstrap_rounds = models.PositiveSmallIntegerField(
        _("bootstrap samples"),
        default=200,
        validators=[MinValueValidator(0), MaxValueValidator(2000)],
    )
    waitlist_size = models.PositiveSmallIntegerField(
        _("waitlist length"), default=5, validators=[MaxValueValidator(100)]
    )

    class Meta:
        verbose_name = _("selection settings")
        verbose_name_plural = _("selection settings")

    def __str__(self) -> str:
        return str(self.cohort)


class SectorCap(models.Model):
    """At most `cap` startups of a sector in the cohort."""

    cohort = models.ForeignKey(
        "programmes.Cohort", on_delete=models.CASCADE, related_name="sector_caps"
    )
    sector = models.ForeignKey("programmes.Sector", on_delete=models.CASCADE, related_name="+")
    cap = models.PositiveSmallIntegerField(_("at most"), validators=[MaxValueValidator(100)])

    class Meta:
        verbose_name = _("sector cap")
        verbose_name_plural = _("sector caps")
        ordering = ["sector__name"]
        constraints = [
            models.UniqueConstraint(fields=["cohort", "sector"], name="sector_cap_one_per_sector")
        ]

    def __str__(self) -> str:
        return f"{self.sector} ≤ {self.cap}"


class ProgrammeSectorCap(models.Model):
    """The programme's default cap for a sector, for every cohort that sets none of its own."""

    programme = models.ForeignKey(
        "programmes.Programme", on_delete=models.CASCADE, related_name="sector_caps"
    )
    sector = models.ForeignKey("programmes.Sector", on_delete=models.CASCADE, related_name="+")
    cap = models.PositiveSmallIntegerField(_("at most"), validators=[MaxValueValidator(100)])

    class Meta:
        verbose_name = _("programme sector cap")
        verbose_name_plural = _("programme sector caps")
        ordering = ["sector__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["programme", "sector"], name="programme_sector_cap_one_per_sector"
            )
        ]

    def __str__(self) -> str:
        return f"{self.sector} ≤ {self.cap}"


class MarkKind(models.TextChoices):
    INCLUDE = "include", _("Must include")
    EXCLUDE = "exclude", _("Must exclude")


class Mark(models.Model):
    """A programme manager's must-include or must-exclude mark on an application."""

    application = models.OneToOneField(
        "applications.Application", on_delete=models.CASCADE, related_name="selection_mark"
    )
    kind = models.CharField(_("mark"), max_length=10, choices=MarkKind.choices)
    reason = models.CharField(_("reason"), max_length=500)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("selection mark")
        verbose_name_plural = _("selection marks")

    def __str__(self) -> str:
        return f"{self.application_id}: {self.kind}"


class ProposalKind(models.TextChoices):
    COHORT = "cohort", _("Cohort proposal")
    REPLACEMENT = "replacement", _("Replacement after a decline")


class ProposalState(models.TextChoices):
    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Running")
    DONE = "done", pgettext_lazy("proposal", "Ready")
    INFEASIBLE = "infeasible", _("No cohort possible")
    FAILED = "failed", _("Failed")
    CONFIRMED = "confirmed", pgettext_lazy("proposal", "Confirmed")


class Proposal(models.Model):
    """One run of the exact optimiser for a cohort, with the figures it saw."""

    cohort = models.ForeignKey(
        "programmes.Cohort", on_delete=models.CASCADE, related_name="proposals"
    )
    kind = models.CharField(max_length=12, choices=ProposalKind.choices, default="cohort")
    state = models.CharField(
        max_length=12, choices=ProposalState.choices, default=ProposalState.QUEUED
    )
    # The constraints as solved: size_min, size_max, remaining_places, size_limit, pool,
    # cost, sector_caps, bootstrap_rounds, round (the review round the scores came from).
    parameters = models.JSONField(default=dict, blank=True)
    objective = models.FloatField(null=True, blank=True)
    # Why no cohort exists, or the error, for the manager.
    problems = models.JSONField(default=list, blank=True)
    # The constraints that hold with equality in the proposal (cohort_size, yearly_cap,
    # funding_pool, sector:<name>).
    binding = models.JSONField(default=list, blank=True)
    # For a replacement: the application whose decline or lapse prompted it.
    replaces = models.ForeignKey(
        "applications.Application",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)
    confirmed_at = models.DateTimeField(null=True, blank=True)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("cohort proposal")
        verbose_name_plural = _("cohort proposals")
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.cohort} · {self.get_kind_display()} #{self.pk}"


class Outcome(models.TextChoices):
    ACCEPTED = "accepted", _("Accepted")
    WAITLISTED = "waitlisted", _("Waitlisted")
    REJECTED = "rejected", _("Not selected")


class Candidate(models.Model):
    """One application in a proposal: its figures, the proposed outcome and why."""

    proposal = models.ForeignKey(Proposal, on_delete=models.CASCADE, related_name="candidates")
    application = models.ForeignKey(
        "applications.Application", on_delete=models.CASCADE, related_name="+"
    )
    outcome = models.CharField(max_length=12, choices=Outcome.choices)
    waitlist_position = models.PositiveSmallIntegerField(null=True, blank=True)
    rank = models.PositiveIntegerField()
    merit = models.FloatField()
    raw_mean = models.FloatField(null=True, blank=True)
    reviews = models.PositiveSmallIntegerField(default=0)
    disagreement = models.FloatField(default=0)
    flagged = models.BooleanField(default=False)
    margin = models.FloatField(null=True, blank=True)
    # CandidateDecision.reason of nurture.optimize.selection.
    reason = models.CharField(max_length=20)
    probability = models.FloatField(null=True, blank=True)

    class Meta:
        ordering = ["rank"]
        constraints = [
            models.UniqueConstraint(
                fields=["proposal", "application"], name="candidate_one_per_proposal"
            )
        ]

    def __str__(self) -> str:
        return f"{self.proposal_id} · {self.application_id}: {self.outcome}"


class OfferResponse(models.TextChoices):
    PENDING = "pending", _("Awaiting the startup's answer")
    CONFIRMED = "confirmed", _("Place confirmed")
    DECLINED = "declined", _("Place declined")
    LAPSED = "lapsed", _("Deadline missed")


class Decision(models.Model):
    """The committee's decision on an application, confirmed by a programme manager. The
    founders see it once it is sent (`sent_at`)."""

    application = models.OneToOneField(
        "applications.Application", on_delete=models.CASCADE, related_name="decision"
    )
    outcome = models.CharField(_("decision"), max_length=12, choices=Outcome.choices)
    waitlist_position = models.PositiveSmallIntegerField(null=True, blank=True)
    proposal = models.ForeignKey(
        Proposal, null=True, blank=True, on_delete=models.SET_NULL, related_name="decisions"
    )
    proposed_outcome = models.CharField(max_length=12, choices=Outcome.choices, blank=True)
    change_reason = models.CharField(_("reason for the change"), max_length=500, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(null=True, blank=True)
    offer_deadline = models.DateTimeField(_("confirm by"), null=True, blank=True)
    response = models.CharField(max_length=10, choices=OfferResponse.choices, blank=True)
    responded_at = models.DateTimeField(null=True, blank=True)
    responded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("decision")
        verbose_name_plural = _("decisions")
        constraints = [
            models.CheckConstraint(
                condition=Q(offer_deadline__isnull=True) | Q(outcome="accepted"),
                name="decision_offer_only_when_accepted",
            )
        ]

    def __str__(self) -> str:
        return f"{self.application_id}: {self.outcome}"

    @property
    def is_sent(self) -> bool:
        return self.sent_at is not None

    @property
    def awaits_response(self) -> bool:
        return (
            self.outcome == Outcome.ACCEPTED
            and self.sent_at is not None
            and self.response == OfferResponse.PENDING
        )
