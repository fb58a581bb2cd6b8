"""Demo reviews (fictional): the written review of the demo's most recently decided cohort.

Called by `nurture.core.demo` after the applications exist. Rows are written directly, as
the demo loader does, since the round is history that no user action could produce today.
Idempotent: a round is reused if one exists (another part of the demo may have made it);
assignments are created only for a round that has none; a review only where one is missing.
"""

import random
from collections import Counter
from datetime import datetime, timedelta
from decimal import Decimal

from nurture.applications.models import ApplicationState
from nurture.reviewers.models import Assignment, Conflict, ReviewRound, RoundKind, RoundState

from . import scoring
from .models import Recommendation, Review, ReviewState, Score
from .services import rubric_ensure

PER_APPLICATION = 3
# The mean score each outcome was reviewed at, before noise.
MEANS = {
    ApplicationState.ACCEPTED: 4.1,
    ApplicationState.WAITLISTED: 3.4,
    ApplicationState.REJECTED: 2.6,
}
COMMENTS = [
    "Fictional demo review. Technically credible; the go-to-market plan needs work.",
    "Fictional demo review. Strong team, but the AI is mostly off-the-shelf.",
    "Fictional demo review. Clear need in Hong Kong; traction still thin.",
    "Fictional demo review. Would make good use of the Lab's GPU compute.",
    "Fictional demo review. Market is crowded; differentiation unclear.",
]
FEEDBACK = [
    "Show evidence that customers will pay: a pilot contract or letters of intent.",
    "Explain what in your model is your own work and how you will keep ahead.",
    "Your team is strong; add someone with sales experience in your target industry.",
    "Be specific about what GPU compute and cloud credits would let you build.",
    "",
]


def _recommendation(total: Decimal) -> str:
    if total >= Decimal("4"):
        return Recommendation.STRONGLY_RECOMMEND
    if total >= Decimal("3.3"):
        return Recommendation.RECOMMEND
    if total >= Decimal("2.7"):
        return Recommendation.NEUTRAL
    return Recommendation.DO_NOT_RECOMMEND


def demo_reviews_load(*, cohort, reviewers: list, seed: int) -> Counter:
    created: Counter = Counter()
    if not reviewers or getattr(cohort, "call", None) is None:
        return created
    closes_at: datetime = cohort.call.closes_at
    review_round, new = ReviewRound.objects.get_or_create(
        cohort=cohort,
        kind=RoundKind.WRITTEN,
        defaults={
            "state": RoundState.CLOSED,
            "reviewers_per_application": PER_APPLICATION,
            "max_load": 40,
            "deadline": closes_at + timedelta(days=21),
            "published_at": closes_at + timedelta(days=2),
        },
    )
    created["review rounds"] += new
    if review_round.state not in (RoundState.PUBLISHED, RoundState.CLOSED):
        return created
    applications = list(
        cohort.applications.filter(state__in=list(MEANS)).select_related("startup").order_by("pk")
    )
    rng = random.Random(seed)
    if not review_round.assignments.exists():
        conflicts = set(
            Conflict.objects.filter(lifted_at__isnull=True).values_list("reviewer_id", "startup_id")
        )
        rows = []
        turn = 0
        for application in applications:
            chosen = []
            for step in range(len(reviewers)):
                reviewer = reviewers[(turn + step) % len(reviewers)]
                if (reviewer.pk, application.startup_id) not in conflicts:
                    chosen.append(reviewer)
                if len(chosen) == PER_APPLICATION:
                    break
            turn += PER_APPLICATION
            rows += [
                Assignment(
                    round=review_round,
                    application=application,
                    reviewer=reviewer,
                    affinity=round(rng.uniform(0.2, 0.9), 3),
                    created_at=review_round.published_at or closes_at,
                )
                for reviewer in chosen
            ]
        Assignment.objects.bulk_create(rows)
        created["assignments"] += len(rows)
    criteria = rubric_ensure(programme=cohort.programme)
    weights = {c.pk: c.weight for c in criteria}
    reviewed = set(
        Review.objects.filter(assignment__round=review_round).values_list(
            "assignment_id", flat=True
        )
    )
    assignments = (
        Assignment.objects.filter(round=review_round)
        .exclude(pk__in=reviewed)
        .select_related("application")
        .order_by("pk")
    )
    window = (review_round.deadline or closes_at + timedelta(days=21)) - closes_at
    for assignment in assignments:
        mean = MEANS.get(assignment.application.state, 3.0)
        scores = {c.pk: min(5, max(1, round(rng.gauss(mean, 0.7)))) for c in criteria}
        total = scoring.weighted_total(scores, weights)
        at = closes_at + window * rng.uniform(0.2, 0.95)
        review = Review.objects.create(
            assignment=assignment,
            state=ReviewState.SUBMITTED,
            recommendation=_recommendation(total),
            confidence=rng.randint(2, 5),
            comment=rng.choice(COMMENTS),
            feedback=rng.choice(FEEDBACK),
            weighted_total=total,
            created_at=at - timedelta(hours=2),
            updated_at=at,
            submitted_at=at,
        )
        Score.objects.bulk_create(
            Score(review=review, criterion_id=pk, value=value) for pk, value in scores.items()
        )
        created["reviews"] += 1
    return created
