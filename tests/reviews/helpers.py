"""Builders for review tests: a published round with assignments, all fictional."""

from datetime import timedelta

from django.utils import timezone

from nurture.reviewers.models import Assignment, Conflict, ReviewRound, RoundKind, RoundState
from nurture.reviews import services
from nurture.reviews.models import Criterion
from tests import factories


def published_round(cohort=None, *, kind=RoundKind.WRITTEN, days_left=7, **fields) -> ReviewRound:
    cohort = cohort or factories.CallFactory().cohort
    return ReviewRound.objects.create(
        cohort=cohort,
        kind=kind,
        state=fields.pop("state", RoundState.PUBLISHED),
        deadline=timezone.now() + timedelta(days=days_left) if days_left is not None else None,
        **fields,
    )


def assign(review_round, application=None, reviewer=None) -> Assignment:
    application = application or factories.submitted(cohort=review_round.cohort)
    reviewer = reviewer or factories.ReviewerFactory()
    return Assignment.objects.create(round=review_round, application=application, reviewer=reviewer)


def criteria(review_round) -> list[Criterion]:
    return services.rubric_ensure(programme=review_round.cohort.programme)


def full_changes(review_round, value=4, **overrides) -> dict:
    changes = {
        "scores": {c.pk: value for c in criteria(review_round)},
        "recommendation": "yes",
        "confidence": 3,
        "comment": "Solid team; the market needs a closer look.",
        "feedback": "Show more evidence that customers will pay.",
    }
    changes.update(overrides)
    return changes


def submitted_review(assignment, value=4, **overrides):
    return services.review_submit(
        user=assignment.reviewer,
        assignment=assignment,
        changes=full_changes(assignment.round, value, **overrides),
    )


def conflict(reviewer, application) -> Conflict:
    return Conflict.objects.create(
        reviewer=reviewer, startup=application.startup, source="reviewer", reason="Adviser."
    )
