"""Reads of reviews, each at a fixed number of queries.

`founder_feedback(application)` is the only read meant for founders: the anonymous texts
that reviewers wrote for them, once the decision is out; it never returns a name, a score or
a staff comment.
"""

from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, OuterRef, Prefetch, Q, Subquery

from nurture.applications.models import Application, ApplicationState
from nurture.reviewers.models import Assignment, ReviewRound, RoundState
from nurture.reviewers.permissions import visible_assignments

from . import scoring
from .models import Criterion, Review, ReviewState, Score
from .permissions import can_see_other_reviews
from .services import rubric_criteria

# The founders hear the decision once it is one of these (the selection's decision e-mail
# goes out with the state change).
DECIDED_STATES = frozenset(
    {ApplicationState.ACCEPTED, ApplicationState.WAITLISTED, ApplicationState.REJECTED}
)


def _reviews_with_scores():
    return Review.objects.prefetch_related(
        Prefetch("scores", queryset=Score.objects.select_related("criterion"))
    )


def review_of(assignment: Assignment) -> Review | None:
    return _reviews_with_scores().filter(assignment=assignment).first()


@dataclass
class RubricRow:
    criterion: Criterion
    share: Decimal
    value: int | None = None
    anchors: list = field(default_factory=list)


def rubric_rows(criteria: list[Criterion], review: Review | None) -> list[RubricRow]:
    """Each criterion with its normalised weight, anchors and the review's score."""
    shares = scoring.normalised_weights({c.pk: c.weight for c in criteria})
    values = {s.criterion_id: s.value for s in review.scores.all()} if review else {}
    return [RubricRow(c, shares[c.pk], values.get(c.pk), list(c.anchors.all())) for c in criteria]


def reviewer_assignments(user):
    """The reviewer's visible assignments with their review's state and total, newest round
    first; one query whatever the number of rows."""
    return (
        visible_assignments(user)
        .select_related("round__cohort", "application__startup", "application__sector")
        .annotate(
            review_state=Subquery(
                Review.objects.filter(assignment=OuterRef("pk")).values("state")[:1]
            ),
            review_total=Subquery(
                Review.objects.filter(assignment=OuterRef("pk")).values("weighted_total")[:1]
            ),
        )
        .order_by("-round__created_at", "round__kind", "application__startup__name")
    )


def progress(assignments) -> dict:
    rows = list(assignments)
    done = sum(1 for a in rows if a.review_state == ReviewState.SUBMITTED)
    drafts = sum(1 for a in rows if a.review_state == ReviewState.DRAFT)
    return {
        "total": len(rows),
        "submitted": done,
        "drafts": drafts,
        "not_started": len(rows) - done - drafts,
        "percent": round(100 * done / len(rows)) if rows else 0,
    }


def other_reviews(user, assignment: Assignment, own: Review | None) -> list[Review] | None:
    """Fellow reviewers' submitted reviews of the same application in the same round, or None
    when the user may not see them yet (own review not submitted, or the round says no)."""
    if not can_see_other_reviews(user, assignment, own):
        return None
    return list(
        _reviews_with_scores()
        .filter(
            assignment__round_id=assignment.round_id,
            assignment__application_id=assignment.application_id,
            state=ReviewState.SUBMITTED,
        )
        .exclude(assignment__reviewer_id=user.pk)
        .order_by("submitted_at", "pk")
    )


def panel_assignments(user, round: ReviewRound) -> list[Assignment]:
    """The panel member's applications in a panel round, in a stable order."""
    return list(
        visible_assignments(user)
        .filter(round=round)
        .select_related("application__startup", "application__sector", "round__cohort__programme")
        .order_by("application__startup__name", "pk")
    )


# --- Staff ------------------------------------------------------------------------------------


def rounds_overview():
    """Every review round with its counts of assignments and submitted reviews."""
    return (
        ReviewRound.objects.select_related("cohort")
        .annotate(
            n_assignments=Count("assignments", distinct=True),
            n_submitted=Count(
                "assignments__review",
                filter=Q(assignments__review__state=ReviewState.SUBMITTED),
                distinct=True,
            ),
        )
        .order_by("-cohort__starts_on", "kind")
    )


@dataclass
class ApplicationRow:
    application: Application
    reviews: list = field(default_factory=list)
    assigned: int = 0
    stats: dict = field(default_factory=dict)
    recommendations: dict = field(default_factory=dict)


def round_assignments(round: ReviewRound):
    return (
        Assignment.objects.filter(round=round)
        .select_related("reviewer", "application__startup", "application__sector")
        .prefetch_related(
            Prefetch(
                "review",
                queryset=Review.objects.prefetch_related(
                    Prefetch("scores", queryset=Score.objects.select_related("criterion"))
                ),
            )
        )
        .order_by("application__startup__name", "reviewer__email")
    )


def _review(assignment):
    try:
        return assignment.review
    except Review.DoesNotExist:
        return None


def round_completion(round: ReviewRound) -> tuple[list[dict], list[ApplicationRow]]:
    """Per reviewer: assigned, submitted, drafts; per application: its reviews, weighted
    totals and their spread. A fixed number of queries."""
    reviewers: dict[int, dict] = {}
    applications: dict[int, ApplicationRow] = {}
    for assignment in round_assignments(round):
        review = _review(assignment)
        state = review.state if review else None
        entry = reviewers.setdefault(
            assignment.reviewer_id,
            {"reviewer": assignment.reviewer, "assigned": 0, "submitted": 0, "drafts": 0},
        )
        entry["assigned"] += 1
        entry["submitted"] += state == ReviewState.SUBMITTED
        entry["drafts"] += state == ReviewState.DRAFT
        row = applications.setdefault(
            assignment.application_id, ApplicationRow(application=assignment.application)
        )
        row.assigned += 1
        row.reviews.append((assignment, review))
    for row in applications.values():
        submitted = [r for _a, r in row.reviews if r is not None and r.is_submitted]
        row.stats = scoring.summary(r.weighted_total for r in submitted)
        for r in submitted:
            row.recommendations[r.recommendation] = row.recommendations.get(r.recommendation, 0) + 1
    for entry in reviewers.values():
        entry["percent"] = (200 * entry["submitted"] + entry["assigned"]) // (2 * entry["assigned"])
    reviewer_rows = sorted(reviewers.values(), key=lambda e: (e["percent"], e["reviewer"].email))
    application_rows = sorted(
        applications.values(),
        key=lambda r: (
            r.stats["mean"] is None,
            -(r.stats["mean"] or 0),
            r.application.startup.name,
        ),
    )
    return reviewer_rows, application_rows


def application_reviews(round: ReviewRound, application: Application) -> list[tuple]:
    """Every assignment of the application in the round with its review (or None)."""
    return [(a, _review(a)) for a in round_assignments(round).filter(application=application)]


def round_criteria(round: ReviewRound) -> list[Criterion]:
    return rubric_criteria(round.cohort.programme)


# --- Founders ---------------------------------------------------------------------------------


def founder_feedback(application: Application) -> list[str]:
    """The feedback that reviewers wrote for the founders, without names, scores or staff
    comments, in a neutral order; empty until the decision is out (see DECIDED_STATES) and
    for reviews not submitted."""
    if application.state not in DECIDED_STATES:
        return []
    texts = (
        Review.objects.filter(
            assignment__application_id=application.pk,
            state=ReviewState.SUBMITTED,
        )
        .exclude(feedback="")
        .order_by("assignment__round__kind", "pk")
        .values_list("feedback", flat=True)
    )
    return list(texts)


def reviewer_dashboard(user) -> list[dict]:
    """The reviewer's rounds still open for reviewing, with progress and the next
    unfinished application (for the dashboard)."""
    rounds: dict[int, dict] = {}
    for assignment in reviewer_assignments(user).filter(round__state=RoundState.PUBLISHED):
        entry = rounds.setdefault(
            assignment.round_id, {"round": assignment.round, "assignments": [], "next": None}
        )
        entry["assignments"].append(assignment)
        if entry["next"] is None and assignment.review_state != ReviewState.SUBMITTED:
            entry["next"] = assignment
    for entry in rounds.values():
        entry["progress"] = progress(entry["assignments"])
    return list(rounds.values())
