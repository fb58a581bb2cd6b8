"""Who may score, read and manage reviews. Every review page and endpoint asks here.

A reviewer reaches a review only through one of their visible assignments
(`nurture.reviewers.permissions.visible_assignments`: published or closed rounds, never a
startup they are conflicted with); anything else is answered as if it did not exist.
Programme staff read every review and manage the rubric. Founders never reach a review:
they see only the anonymous feedback of `selectors.founder_feedback`.
"""

from django.http import Http404
from django.utils import timezone

from nurture.core.permissions import role_required
from nurture.reviewers.models import Assignment, ReviewRound, RoundState
from nurture.reviewers.permissions import (
    can_review,
    is_reviewer,
    reviewer_required,
    visible_assignments,
)

from .models import Review

__all__ = [
    "can_review",
    "is_reviewer",
    "is_programme_staff",
    "assignment_for",
    "can_edit_review",
    "can_see_other_reviews",
    "can_manage_reviews",
    "can_manage_rubric",
    "reviewer_required",
    "staff_required",
]


def is_programme_staff(user) -> bool:
    return bool(user.is_authenticated and user.is_active and user.is_programme_staff)


def assignment_for(user, pk: int) -> Assignment:
    """The user's own visible assignment, or 404 (also for a conflicted or foreign one)."""
    assignment = (
        visible_assignments(user)
        .select_related("round__cohort__programme", "application__startup", "application__sector")
        .filter(pk=pk)
        .first()
    )
    if assignment is None:
        raise Http404
    return assignment


def edit_refusal(user, assignment: Assignment, review: Review | None, *, now=None) -> str | None:
    """Why the reviewer may not change this review now (a code), or None if they may."""
    if assignment.reviewer_id != user.pk or not is_reviewer(user):
        return "forbidden"
    if assignment.round.state != RoundState.PUBLISHED:
        return "round_closed"
    now = now or timezone.now()
    deadline = assignment.round.deadline
    if review is not None and review.is_submitted and deadline is not None and now >= deadline:
        return "deadline_passed"
    return None


def can_edit_review(user, assignment: Assignment, review: Review | None) -> bool:
    return edit_refusal(user, assignment, review) is None


def can_see_other_reviews(user, assignment: Assignment, review: Review | None) -> bool:
    """Fellow reviewers' reviews of the same application: only once the user's own review is
    submitted, and only if the round allows it."""
    return bool(
        assignment.reviewer_id == user.pk
        and assignment.round.reviews_visible_after_submit
        and review is not None
        and review.is_submitted
    )


def can_manage_reviews(user, round: ReviewRound | None = None) -> bool:
    return is_programme_staff(user)


def can_manage_rubric(user, programme=None) -> bool:
    return is_programme_staff(user)


staff_required = role_required(is_programme_staff)
