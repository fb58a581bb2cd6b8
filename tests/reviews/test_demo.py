import pytest

from nurture.applications.models import ApplicationState
from nurture.core import demo
from nurture.reviewers.models import Assignment, ReviewRound
from nurture.reviews import selectors
from nurture.reviews.models import Review, ReviewState, Score

pytestmark = pytest.mark.django_db


def test_demo_reviews_a_decided_cohort_once_and_fictionally():
    demo.demo_load()
    counts = (ReviewRound.objects.count(), Assignment.objects.count(), Review.objects.count())
    assert counts[2] > 0 and counts[1] == counts[2]
    assert not Review.objects.exclude(state=ReviewState.SUBMITTED).exists()
    assert all(
        c.startswith("Fictional demo review")
        for c in Review.objects.values_list("comment", flat=True)
    )
    assert Score.objects.count() == 5 * counts[2]

    # Accepted startups were reviewed better on average than rejected ones.
    def mean(state):
        totals = list(
            Review.objects.filter(assignment__application__state=state).values_list(
                "weighted_total", flat=True
            )
        )
        return sum(totals) / len(totals)

    assert mean(ApplicationState.ACCEPTED) > mean(ApplicationState.REJECTED)
    rejected = (
        Review.objects.filter(assignment__application__state=ApplicationState.REJECTED)
        .exclude(feedback="")
        .first()
    )
    assert rejected.feedback in selectors.founder_feedback(rejected.assignment.application)

    result = demo.demo_load()
    assert result.total == 0
    assert (
        ReviewRound.objects.count(),
        Assignment.objects.count(),
        Review.objects.count(),
    ) == counts
