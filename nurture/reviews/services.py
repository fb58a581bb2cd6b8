"""Every write to the rubric and the reviews: keyword-only, one transaction, one audit entry.

Deadline and state rules are checked inside the transaction against the locked assignment
row, so a form, an htmx tap, an API call or a replayed request all meet the same checks:

- a reviewer changes a review only while the round is published (reviewing);
- after the round's deadline a submitted review is frozen (staff may reopen it, which makes
  it a draft again); a draft may still be finished and submitted until the round closes;
- submitting needs a score for every criterion of the rubric, a recommendation and a
  confidence.

The rubric is refused any change while a round of the programme that is not closed holds a
submitted review (the scores already given would no longer mean what the reviewer meant).
Each review caches its weighted total when its scores change, so closing a round freezes its
totals even if the rubric changes for a later round.
"""

from datetime import timedelta
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from nurture.audit.services import audit_record
from nurture.core.mail import send_bilingual_mail
from nurture.reviewers.models import Assignment, ReviewRound, RoundState
from nurture.reviewers.permissions import conflicted_startup_ids

from . import scoring
from .defaults import DEFAULT_RUBRIC
from .models import (
    COMMENT_MAX,
    FEEDBACK_MAX,
    SCALE,
    Criterion,
    Recommendation,
    ReminderKind,
    Review,
    ReviewReminder,
    ReviewState,
    ScaleAnchor,
    Score,
)
from .permissions import edit_refusal

REVIEW_FIELDS = ("scores", "recommendation", "confidence", "comment", "feedback")
REMINDERS = (
    (ReminderKind.ONE_DAY, timedelta(days=1)),
    (ReminderKind.THREE_DAYS, timedelta(days=3)),
)
# How each refusal maps onto HTTP: a conflict with the review's or round's state, or a
# request that is not allowed at all.
CONFLICT_CODES = frozenset({"round_closed", "deadline_passed", "rubric_locked", "not_submitted"})


class ReviewError(Exception):
    """A refused change; `problems` lists (field, message) pairs for the form or the API."""

    def __init__(self, message: str, *, code: str = "invalid", problems=None):
        super().__init__(message)
        self.message = message
        self.code = code
        self.problems: list[tuple[str | None, str]] = problems or []

    @property
    def status(self) -> int:
        if self.code == "forbidden":
            return 403
        return 409 if self.code in CONFLICT_CODES else 422


def _refusal_message(code: str, round: ReviewRound) -> str:
    if code == "round_closed":
        return _("This review round is not open for reviewing.")
    if code == "deadline_passed":
        when = timezone.localtime(round.deadline).strftime("%Y-%m-%d %H:%M")
        return _(
            "The review deadline passed on %(when)s: a submitted review can no longer be "
            "changed. Ask a programme manager to reopen it."
        ) % {"when": when}
    return _("Only the assigned reviewer can change this review.")


# --- Rubric -----------------------------------------------------------------------------------


def rubric_criteria(programme) -> list[Criterion]:
    """The programme's criteria in use, in order, with their anchors (two queries)."""
    return list(
        Criterion.objects.filter(programme=programme, active=True)
        .prefetch_related("anchors")
        .order_by("position", "id")
    )


def rubric_weights(criteria) -> dict[int, Decimal]:
    return {c.pk: c.weight for c in criteria}


def _seed(programme) -> list[Criterion]:
    created = []
    for position, (key, label, label_zh, desc, desc_zh, weight, anchors) in enumerate(
        DEFAULT_RUBRIC, start=1
    ):
        criterion, new = Criterion.objects.get_or_create(
            programme=programme,
            key=key,
            defaults={
                "label": label,
                "label_zh_hant": label_zh,
                "description": desc,
                "description_zh_hant": desc_zh,
                "weight": Decimal(weight),
                "position": position,
            },
        )
        if new:
            ScaleAnchor.objects.bulk_create(
                ScaleAnchor(criterion=criterion, point=point, text=en, text_zh_hant=zh)
                for point, (en, zh) in enumerate(anchors, start=1)
            )
            created.append(criterion)
    return created


@transaction.atomic
def rubric_ensure(*, programme, user=None) -> list[Criterion]:
    """Give a programme without any criteria the default rubric; return its criteria."""
    if not Criterion.objects.filter(programme=programme).exists():
        _seed(programme)
        audit_record(
            actor=user,
            action="rubric.seeded",
            target=programme,
            summary=str(programme),
        )
    return rubric_criteria(programme)


def rubric_lock_reason(programme) -> str | None:
    """Why the rubric may not change now, or None."""
    busy = (
        ReviewRound.objects.filter(
            cohort__programme=programme,
            assignments__review__state=ReviewState.SUBMITTED,
        )
        .exclude(state=RoundState.CLOSED)
        .select_related("cohort")
        .first()
    )
    if busy is None:
        return None
    return _(
        "The rubric cannot change while reviews are submitted in %(round)s: the scores "
        "given so far would no longer mean what the reviewers meant. Change it once that "
        "round is closed."
    ) % {"round": str(busy)}


def _require_rubric_unlocked(programme) -> None:
    reason = rubric_lock_reason(programme)
    if reason:
        raise ReviewError(reason, code="rubric_locked")


def _write_anchors(criterion: Criterion, anchors: list[tuple[str, str]]) -> None:
    if len(anchors) != len(SCALE):
        raise ReviewError(_("Each of the five points of the scale needs its meaning."))
    for point, (text, text_zh) in zip(SCALE, anchors, strict=True):
        ScaleAnchor.objects.update_or_create(
            criterion=criterion, point=point, defaults={"text": text, "text_zh_hant": text_zh}
        )


_CRITERION_FIELDS = (
    "key",
    "label",
    "label_zh_hant",
    "description",
    "description_zh_hant",
    "weight",
    "position",
)


@transaction.atomic
def criterion_create(
    *, user, programme, data: dict[str, Any], anchors: list[tuple[str, str]]
) -> Criterion:
    _require_rubric_unlocked(programme)
    if Criterion.objects.filter(programme=programme, key=data["key"]).exists():
        raise ReviewError(
            _("Another criterion already uses this key."), problems=[("key", _("Already used."))]
        )
    criterion = Criterion(programme=programme, **{k: data[k] for k in _CRITERION_FIELDS})
    criterion.full_clean()
    criterion.save()
    _write_anchors(criterion, anchors)
    audit_record(
        actor=user,
        action="rubric.criterion_created",
        target=criterion,
        summary=f"{programme}: {criterion.label}",
        data={"weight": str(criterion.weight)},
    )
    return criterion


@transaction.atomic
def criterion_update(
    *, user, criterion: Criterion, data: dict[str, Any], anchors: list[tuple[str, str]]
) -> Criterion:
    _require_rubric_unlocked(criterion.programme)
    before = {"weight": str(criterion.weight), "label": criterion.label}
    fields = [f for f in _CRITERION_FIELDS if f != "key"]
    for name in fields:
        setattr(criterion, name, data[name])
    criterion.full_clean()
    criterion.save(update_fields=fields)
    _write_anchors(criterion, anchors)
    audit_record(
        actor=user,
        action="rubric.criterion_updated",
        target=criterion,
        summary=f"{criterion.programme}: {criterion.label}",
        data={"before": before, "after": {"weight": str(criterion.weight)}},
    )
    return criterion


@transaction.atomic
def criterion_set_active(*, user, criterion: Criterion, active: bool) -> Criterion:
    """Take a criterion out of the rubric (its past scores stay) or put it back."""
    _require_rubric_unlocked(criterion.programme)
    if not active and (
        Criterion.objects.filter(programme=criterion.programme, active=True)
        .exclude(pk=criterion.pk)
        .count()
        == 0
    ):
        raise ReviewError(_("A rubric needs at least one criterion."))
    criterion.active = active
    criterion.save(update_fields=["active"])
    audit_record(
        actor=user,
        action="rubric.criterion_restored" if active else "rubric.criterion_removed",
        target=criterion,
        summary=f"{criterion.programme}: {criterion.label}",
    )
    return criterion


# --- Reviews ----------------------------------------------------------------------------------


def _clean_changes(changes: dict[str, Any], criteria: list[Criterion]) -> dict[str, Any]:
    """Check each provided value; raise one ReviewError naming every bad field."""
    problems: list[tuple[str | None, str]] = []
    clean: dict[str, Any] = {}
    by_id = {c.pk: c for c in criteria}
    unknown = set(changes) - set(REVIEW_FIELDS)
    for name in sorted(unknown):
        problems.append((name, _("Unknown field.")))
    if "scores" in changes:
        scores = {}
        for raw_key, raw_value in (changes["scores"] or {}).items():
            try:
                criterion_id = int(raw_key)
            except (TypeError, ValueError):
                criterion_id = None
            if criterion_id not in by_id:
                problems.append((f"scores.{raw_key}", _("No such criterion in this rubric.")))
                continue
            if raw_value in (None, ""):
                scores[criterion_id] = None
                continue
            try:
                value = int(raw_value)
                if str(value) != str(raw_value).strip():
                    raise ValueError
            except (TypeError, ValueError):
                value = None
            if value not in SCALE:
                problems.append(
                    (
                        f"scores.{criterion_id}",
                        _("%(criterion)s: a score is a whole number from 1 to 5.")
                        % {"criterion": by_id[criterion_id].display_label},
                    )
                )
                continue
            scores[criterion_id] = value
        clean["scores"] = scores
    if "recommendation" in changes:
        value = changes["recommendation"] or ""
        if value and value not in Recommendation.values:
            problems.append(("recommendation", _("Choose one of the recommendations.")))
        clean["recommendation"] = value
    if "confidence" in changes:
        raw = changes["confidence"]
        if raw in (None, ""):
            clean["confidence"] = None
        else:
            try:
                value = int(raw)
            except (TypeError, ValueError):
                value = None
            if value not in SCALE:
                problems.append(("confidence", _("Confidence is a whole number from 1 to 5.")))
            clean["confidence"] = value
    for name, limit in (("comment", COMMENT_MAX), ("feedback", FEEDBACK_MAX)):
        if name in changes:
            text = (changes[name] or "").replace("\r\n", "\n").strip()
            if len(text) > limit:
                problems.append(
                    (
                        name,
                        _("At most %(limit)d characters (this text has %(length)d).")
                        % {"limit": limit, "length": len(text)},
                    )
                )
            clean[name] = text
    if problems:
        raise ReviewError(_("Please correct the review."), problems=problems)
    return clean


def _locked_assignment(assignment: Assignment) -> Assignment:
    return (
        # Only the assignment row: other reviewers' saves must not queue on the round.
        Assignment.objects.select_for_update(of=("self",))
        .select_related("round__cohort__programme", "application__startup")
        .get(pk=assignment.pk)
    )


def _apply(review: Review, clean: dict[str, Any], criteria: list[Criterion]) -> None:
    for name in ("recommendation", "confidence", "comment", "feedback"):
        if name in clean:
            setattr(review, name, clean[name])
    if "scores" in clean:
        for criterion_id, value in clean["scores"].items():
            if value is None:
                Score.objects.filter(review=review, criterion_id=criterion_id).delete()
            else:
                Score.objects.update_or_create(
                    review=review, criterion_id=criterion_id, defaults={"value": value}
                )
    scores = dict(review.scores.values_list("criterion_id", "value"))
    review.weighted_total = scoring.weighted_total(scores, rubric_weights(criteria))


def _missing(review: Review, criteria: list[Criterion]) -> list[tuple[str | None, str]]:
    scored = set(review.scores.values_list("criterion_id", flat=True))
    problems = [
        (
            f"scores.{c.pk}",
            _("%(criterion)s needs a score.") % {"criterion": c.display_label},
        )
        for c in criteria
        if c.pk not in scored
    ]
    if not review.recommendation:
        problems.append(("recommendation", _("Choose a recommendation.")))
    if review.confidence is None:
        problems.append(("confidence", _("Say how confident you are (1 to 5).")))
    return problems


def _save(*, user, assignment: Assignment, changes: dict[str, Any], submit: bool) -> Review:
    assignment = _locked_assignment(assignment)
    review = Review.objects.filter(assignment=assignment).first()
    refusal = edit_refusal(user, assignment, review)
    if refusal:
        raise ReviewError(_refusal_message(refusal, assignment.round), code=refusal)
    criteria = rubric_ensure(programme=assignment.round.cohort.programme, user=user)
    clean = _clean_changes(changes, criteria)
    now = timezone.now()
    created = review is None
    if created:
        review = Review.objects.create(assignment=assignment, created_at=now, updated_at=now)
    was_submitted = review.is_submitted
    _apply(review, clean, criteria)
    review.updated_at = now
    if submit or was_submitted:
        # A submitted review stays complete: a change to it is checked like a submission.
        problems = _missing(review, criteria)
        if problems:
            raise ReviewError(
                _(
                    "The review cannot be submitted yet: every criterion needs a score, "
                    "and a recommendation and confidence are needed."
                )
                if not was_submitted
                else _("A submitted review must stay complete."),
                code="incomplete",
                problems=problems,
            )
    if submit and not was_submitted:
        review.state = ReviewState.SUBMITTED
        review.submitted_at = now
    review.save()
    if submit and not was_submitted:
        action = "review.submitted"
    elif was_submitted:
        action = "review.changed_after_submission"
    else:
        action = "review.draft_saved"
    audit_record(
        actor=user,
        action=action,
        target=review,
        summary=str(assignment.application),
        data={
            "round": assignment.round_id,
            "application": assignment.application_id,
            "weighted_total": str(review.weighted_total) if review.weighted_total else None,
        },
    )
    return review


@transaction.atomic
def review_save(*, user, assignment: Assignment, changes: dict[str, Any]) -> Review:
    """Save what the reviewer has entered so far (creates the draft on first save).

    `changes` holds only the fields to change: `scores` ({criterion id: 1-5 or None}),
    `recommendation`, `confidence`, `comment`, `feedback`.
    """
    return _save(user=user, assignment=assignment, changes=changes, submit=False)


@transaction.atomic
def review_submit(*, user, assignment: Assignment, changes: dict[str, Any] | None = None) -> Review:
    """Apply the last changes and submit: every score, a recommendation and a confidence."""
    return _save(user=user, assignment=assignment, changes=changes or {}, submit=True)


@transaction.atomic
def review_reopen(*, user, review: Review) -> Review:
    """Staff turn a submitted review back into a draft, so its reviewer may change it even
    after the deadline (not once the round is closed)."""
    review = (
        Review.objects.select_for_update(of=("self",))
        .select_related("assignment__round", "assignment__reviewer", "assignment__application")
        .get(pk=review.pk)
    )
    if not user.is_programme_staff:
        raise ReviewError(_("Only programme staff can reopen a review."), code="forbidden")
    if not review.is_submitted:
        raise ReviewError(_("Only a submitted review can be reopened."), code="not_submitted")
    if review.assignment.round.state == RoundState.CLOSED:
        raise ReviewError(_("This review round is closed."), code="round_closed")
    now = timezone.now()
    review.state = ReviewState.DRAFT
    review.submitted_at = None
    review.reopened_at = now
    review.reopened_by = user
    review.updated_at = now
    review.save(update_fields=["state", "submitted_at", "reopened_at", "reopened_by", "updated_at"])
    audit_record(
        actor=user,
        action="review.reopened",
        target=review,
        summary=str(review.assignment),
        data={"round": review.assignment.round_id},
    )
    reviewer_email = review.assignment.reviewer.email
    context = {
        "link": f"{settings.SITE_URL}/reviews/assignments/{review.assignment_id}/",
        "startup_name": review.assignment.application.startup.name,
    }
    transaction.on_commit(
        lambda: send_bilingual_mail(
            to=[reviewer_email], template="reviews/email/reopened", context=context
        )
    )
    return review


def review_record_deck_download(*, user, assignment: Assignment) -> None:
    audit_record(
        actor=user,
        action="application.viewed_pitch_deck",
        target=assignment.application,
        summary=str(assignment.application),
        data={"as": "reviewer", "round": assignment.round_id},
    )


def review_export_record(*, user, round: ReviewRound, rows: int) -> None:
    audit_record(
        actor=user,
        action="reviews.exported",
        target=round,
        summary=str(round),
        data={"rows": rows, "format": "csv"},
    )


# --- Reminders --------------------------------------------------------------------------------


def _in_each_language(value) -> dict[str, str]:
    result = {}
    for language in ("en", "zh-hant"):
        with translation.override(language):
            result[language] = str(value())
    return result


def review_reminders_send(*, now=None) -> int:
    """E-mail each reviewer with unfinished reviews 3 days and 1 day before a published
    round's deadline, once each (a unique row per round, reviewer and kind)."""
    now = now or timezone.now()
    rounds = ReviewRound.objects.filter(
        state=RoundState.PUBLISHED, deadline__gt=now, deadline__lte=now + timedelta(days=3)
    ).select_related("cohort")
    sent = 0
    for round in rounds:
        left = round.deadline - now
        kind = next(k for k, window in REMINDERS if left <= window)
        unfinished = (
            Assignment.objects.filter(round=round)
            .exclude(review__state=ReviewState.SUBMITTED)
            .select_related("reviewer", "application")
            .order_by("reviewer_id")
        )
        per_reviewer: dict[int, list[Assignment]] = {}
        for assignment in unfinished:
            per_reviewer.setdefault(assignment.reviewer_id, []).append(assignment)
        for reviewer_id, assignments in per_reviewer.items():
            reviewer = assignments[0].reviewer
            conflicted = set(conflicted_startup_ids(reviewer).values_list("startup_id", flat=True))
            count = sum(1 for a in assignments if a.application.startup_id not in conflicted)
            if not count or not reviewer.is_active:
                continue
            with transaction.atomic():
                _reminder, created = ReviewReminder.objects.get_or_create(
                    round=round, reviewer_id=reviewer_id, kind=kind, defaults={"unfinished": count}
                )
                if not created:
                    continue
                audit_record(
                    actor=None,
                    action="review.deadline_reminder",
                    target=round,
                    summary=f"{reviewer.email}: {count}",
                    data={"kind": kind, "reviewer": reviewer_id, "unfinished": count},
                )
                context = {
                    "unfinished": count,
                    "round_name": _in_each_language(lambda round=round: round),
                    "deadline": timezone.localtime(round.deadline).strftime("%Y-%m-%d %H:%M"),
                    "link": f"{settings.SITE_URL}/reviews/",
                }
                transaction.on_commit(
                    lambda email=reviewer.email, context=context: send_bilingual_mail(
                        to=[email], template="reviews/email/reminder", context=context
                    )
                )
            sent += 1
    return sent
