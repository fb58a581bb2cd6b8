"""The scores that calibration and selection read, as plain triples.

Services take a list of `ReviewScore` so that they do not depend on how reviews are stored;
`round_scores` reads the submitted reviews of a round (nurture.reviews: the weighted total of
each submitted review).
"""

from __future__ import annotations

from typing import NamedTuple

from django.apps import apps


class ReviewScore(NamedTuple):
    application_id: int
    reviewer_id: int
    score: float


def reviews_installed() -> bool:
    return apps.is_installed("nurture.reviews")


def round_scores(review_round) -> list[ReviewScore]:
    """Every submitted review of the round with a complete score, in a fixed order."""
    if review_round is None or not reviews_installed():
        return []
    Review = apps.get_model("reviews", "Review")
    rows = (
        Review.objects.filter(
            assignment__round=review_round, state="submitted", weighted_total__isnull=False
        )
        .order_by("assignment__application_id", "assignment__reviewer_id")
        .values_list("assignment__application_id", "assignment__reviewer_id", "weighted_total")
    )
    return [ReviewScore(app, reviewer, float(total)) for app, reviewer, total in rows]
