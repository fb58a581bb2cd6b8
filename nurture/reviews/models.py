"""The rubric a programme scores applications with, and the reviews themselves.

A review belongs to one Assignment (nurture.reviewers): the written round and the pitch panel
use the same Review model. Scores are integers on an anchored 1-5 scale, one per criterion;
the weighted total is computed by `scoring.weighted_total` and nowhere else.
"""

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from nurture.core.i18n import pick

SCALE = (1, 2, 3, 4, 5)
COMMENT_MAX = 5000
FEEDBACK_MAX = 3000


class Criterion(models.Model):
    """One criterion of a programme's rubric, with its weight and an anchored 1-5 scale."""

    programme = models.ForeignKey(
        "programmes.Programme", on_delete=models.CASCADE, related_name="criteria"
    )
    key = models.SlugField(_("key"), max_length=40)
    label = models.CharField(_("label"), max_length=120)
    label_zh_hant = models.CharField(_("label (Traditional Chinese)"), max_length=120, blank=True)
    description = models.TextField(_("what to look for"), blank=True, max_length=1000)
    description_zh_hant = models.TextField(
        _("what to look for (Traditional Chinese)"), blank=True, max_length=1000
    )
    weight = models.DecimalField(
        _("weight"),
        max_digits=6,
        decimal_places=2,
        default=Decimal("1"),
        validators=[MinValueValidator(Decimal("0.01"))],
        help_text=_("Any positive number; the weights are shown as shares of their sum."),
    )
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    active = models.BooleanField(_("in use"), default=True)

    class Meta:
        verbose_name = _("criterion")
        verbose_name_plural = _("criteria")
        ordering = ["programme", "position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["programme", "key"], name="criterion_key_unique"),
            models.CheckConstraint(condition=Q(weight__gt=0), name="criterion_weight_positive"),
        ]

    def __str__(self) -> str:
        return self.display_label

    @property
    def display_label(self) -> str:
        return pick(self.label, self.label_zh_hant)

    @property
    def display_description(self) -> str:
        return pick(self.description, self.description_zh_hant)


class ScaleAnchor(models.Model):
    """What one point of a criterion's 1-5 scale means, in both languages."""

    criterion = models.ForeignKey(Criterion, on_delete=models.CASCADE, related_name="anchors")
    point = models.PositiveSmallIntegerField(
        _("point"), validators=[MinValueValidator(1), MaxValueValidator(5)]
    )
    text = models.CharField(_("meaning"), max_length=300)
    text_zh_hant = models.CharField(_("meaning (Traditional Chinese)"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("scale anchor")
        verbose_name_plural = _("scale anchors")
        ordering = ["criterion", "point"]
        constraints = [
            models.UniqueConstraint(fields=["criterion", "point"], name="anchor_one_per_point"),
            models.CheckConstraint(
                condition=Q(point__gte=1, point__lte=5), name="anchor_point_1_to_5"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.criterion.key} {self.point}"

    @property
    def display_text(self) -> str:
        return pick(self.text, self.text_zh_hant)


class Recommendation(models.TextChoices):
    STRONGLY_RECOMMEND = "strong_yes", _("Strongly recommend")
    RECOMMEND = "yes", _("Recommend")
    NEUTRAL = "neutral", pgettext_lazy("recommendation", "Neutral")
    DO_NOT_RECOMMEND = "no", _("Do not recommend")


class ReviewState(models.TextChoices):
    DRAFT = "draft", pgettext_lazy("review", "Draft")
    SUBMITTED = "submitted", pgettext_lazy("review", "Submitted")


class Review(models.Model):
    """A reviewer's review of one application in one round (one per Assignment)."""

    assignment = models.OneToOneField(
        "reviewers.Assignment", on_delete=models.CASCADE, related_name="review"
    )
    state = models.CharField(
        _("state"), max_length=10, choices=ReviewState.choices, default=ReviewState.DRAFT
    )
    recommendation = models.CharField(
        _("recommendation"), max_length=12, choices=Recommendation.choices, blank=True
    )
    confidence = models.PositiveSmallIntegerField(
        _("confidence"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(5)],
        help_text=_("How sure you are of your judgement: 1 (guess) to 5 (expert)."),
    )
    comment = models.TextField(
        _("comment for the programme staff"),
        blank=True,
        max_length=COMMENT_MAX,
        help_text=_("Only programme staff (and, if the round allows, fellow reviewers) read this."),
    )
    feedback = models.TextField(
        _("feedback for the founders"),
        blank=True,
        max_length=FEEDBACK_MAX,
        help_text=_("Optional. Shown to the founders without your name once the decision is sent."),
    )
    # Cached from scoring.weighted_total whenever the scores change; null until every
    # criterion of the rubric has a score.
    weighted_total = models.DecimalField(max_digits=6, decimal_places=3, null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)
    submitted_at = models.DateTimeField(null=True, blank=True)
    reopened_at = models.DateTimeField(null=True, blank=True)
    reopened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("review")
        verbose_name_plural = _("reviews")
        ordering = ["assignment__round", "assignment__application", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(confidence__isnull=True) | Q(confidence__gte=1, confidence__lte=5),
                name="review_confidence_1_to_5",
            ),
            models.CheckConstraint(
                condition=Q(state="draft") | Q(submitted_at__isnull=False),
                name="review_submitted_has_time",
            ),
        ]
        indexes = [models.Index(fields=["state"])]

    def __str__(self) -> str:
        return f"{self.assignment} · {self.state}"

    @property
    def is_submitted(self) -> bool:
        return self.state == ReviewState.SUBMITTED


class Score(models.Model):
    """One criterion's score in a review: an integer from 1 to 5."""

    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="scores")
    criterion = models.ForeignKey(Criterion, on_delete=models.PROTECT, related_name="scores")
    value = models.PositiveSmallIntegerField(
        _("score"), validators=[MinValueValidator(1), MaxValueValidator(5)]
    )

    class Meta:
        verbose_name = _("score")
        verbose_name_plural = _("scores")
        constraints = [
            models.UniqueConstraint(fields=["review", "criterion"], name="score_one_per_criterion"),
            models.CheckConstraint(condition=Q(value__gte=1, value__lte=5), name="score_1_to_5"),
        ]

    def __str__(self) -> str:
        return f"{self.criterion.key}={self.value}"


class ReminderKind(models.TextChoices):
    THREE_DAYS = "3d", _("Three days before the deadline")
    ONE_DAY = "1d", _("One day before the deadline")


class ReviewReminder(models.Model):
    """A deadline reminder sent to a reviewer for a round; each kind at most once."""

    round = models.ForeignKey(
        "reviewers.ReviewRound", on_delete=models.CASCADE, related_name="review_reminders"
    )
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="review_reminders"
    )
    kind = models.CharField(max_length=2, choices=ReminderKind.choices)
    unfinished = models.PositiveSmallIntegerField(default=0)
    sent_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["round", "reviewer", "kind"], name="review_reminder_once_each"
            )
        ]

    def __str__(self) -> str:
        return f"{self.round} · {self.reviewer} · {self.kind}"
