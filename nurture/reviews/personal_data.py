"""What the reviews app holds about a person, for a data access request (see
nurture/privacy/export.py).

A reviewer gets the reviews they wrote with their scores (criterion key and value) and the
reminders sent to them. A founder gets nothing here: reviews of their application name the
reviewers, whose identities stay confidential.
"""

from nurture.privacy.export import Contribution, personal_data, row, rows

from .models import Review, ReviewReminder, Score


@personal_data("reviews")
def reviews_data(user) -> Contribution:
    reviews = (
        Review.objects.filter(assignment__reviewer=user).select_related("assignment").order_by("pk")
    )
    scores: dict[int, list[dict]] = {}
    for score in (
        Score.objects.filter(review__in=reviews)
        .select_related("criterion")
        .order_by("review_id", "criterion__position", "pk")
    ):
        scores.setdefault(score.review_id, []).append(
            {"id": score.pk, "criterion": score.criterion.key, "value": score.value}
        )
    return Contribution(
        records={
            "reviews": [
                {
                    **row(review, exclude=["reopened_by"]),
                    "application_id": review.assignment.application_id,
                    "scores": scores.get(review.pk, []),
                }
                for review in reviews
            ],
            "reminders": rows(ReviewReminder.objects.filter(reviewer=user).order_by("pk")),
        }
    )
