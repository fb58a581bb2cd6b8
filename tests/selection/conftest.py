import pytest

from nurture.selection.scores import ReviewScore
from tests import factories


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def scores_for(applications, merits, *, reviewers=None, per_app=3, leniency=None):
    """Three reviews per application from a rotating panel: score = merit + leniency."""
    reviewers = reviewers or [factories.ReviewerFactory() for _ in range(5)]
    leniency = leniency or [0.0] * len(reviewers)
    triples = []
    for i, (application, merit) in enumerate(zip(applications, merits, strict=True)):
        for k in range(per_app):
            j = (i + k) % len(reviewers)
            triples.append(ReviewScore(application.pk, reviewers[j].pk, merit + leniency[j]))
    return triples


def cohort_with_applications(n=12, *, sectors=None, cohort=None, **cohort_kwargs):
    cohort = cohort or factories.CallFactory(cohort=factories.CohortFactory(**cohort_kwargs)).cohort
    applications = []
    for i in range(n):
        extra = {"sector": sectors[i]} if sectors else {}
        applications.append(factories.submitted(cohort=cohort, **extra))
    return cohort, applications


def real_reviews(
    cohort, applications, merits, *, reviewers=None, per_app=3, leniency=None, feedback=True
):
    """Submitted reviews (nurture.reviews) in the cohort's written round, with a staff
    comment and feedback for the founders on each."""
    from django.utils import timezone

    from nurture.reviewers.models import Assignment, ReviewRound, RoundKind, RoundState
    from nurture.reviews.models import Review, ReviewState

    review_round, _created = ReviewRound.objects.get_or_create(
        cohort=cohort, kind=RoundKind.WRITTEN, defaults={"state": RoundState.CLOSED}
    )
    reviewers = reviewers or [
        factories.ReviewerFactory(full_name=f"Reviewer Person {k}") for k in range(5)
    ]
    leniency = leniency or [0.0] * len(reviewers)
    now = timezone.now()
    for i, (application, merit) in enumerate(zip(applications, merits, strict=True)):
        for k in range(per_app):
            j = (i + k) % len(reviewers)
            assignment = Assignment.objects.create(
                round=review_round, application=application, reviewer=reviewers[j]
            )
            Review.objects.create(
                assignment=assignment,
                state=ReviewState.SUBMITTED,
                submitted_at=now,
                weighted_total=round(min(5.0, max(1.0, merit + leniency[j])), 3),
                comment=f"Staff-only remark {application.pk}-{j}",
                feedback=f"Feedback for the founders {application.pk}-{k}" if feedback else "",
            )
    return review_round, reviewers
