"""Who may see which application in review. A reviewer sees only the applications assigned
to them in a published round, and never one of a startup they are conflicted with, wherever
it would appear: lists, search, exports, API, downloads. Every review page and endpoint asks
these predicates."""

from django.db.models import QuerySet

from nurture.accounts.models import Role
from nurture.applications.models import Application, ApplicationState
from nurture.core.permissions import role_required

from .models import Assignment, Conflict, ReviewRound, RoundKind, RoundState


def is_reviewer(user) -> bool:
    return user.is_authenticated and user.role == Role.REVIEWER


def is_active_reviewer(user) -> bool:
    return is_reviewer(user) and user.is_active


# Signed-in, active reviewers only (others 403, anonymous to the sign-in page); the object is
# looked up afterwards, through what the reviewer may see.
reviewer_required = role_required(is_active_reviewer)


def conflicted_startup_ids(user) -> QuerySet:
    """The startups the user has an active conflict with (a subquery of ids)."""
    return Conflict.objects.filter(reviewer=user, lifted_at__isnull=True).values("startup_id")


def is_conflicted(user, application: Application) -> bool:
    return Conflict.objects.filter(
        reviewer=user, startup_id=application.startup_id, lifted_at__isnull=True
    ).exists()


def visible_assignments(user) -> QuerySet[Assignment]:
    """The user's assignments in published (or closed) rounds, minus conflicted startups."""
    if not is_reviewer(user):
        return Assignment.objects.none()
    return Assignment.objects.filter(
        reviewer=user, round__state__in=[RoundState.PUBLISHED, RoundState.CLOSED]
    ).exclude(application__startup_id__in=conflicted_startup_ids(user))


def reviewer_applications(user) -> QuerySet[Application]:
    """Applications the reviewer may open."""
    return Application.objects.filter(
        pk__in=visible_assignments(user).values("application_id")
    ).exclude(startup_id__in=conflicted_startup_ids(user))


def can_review(user, application: Application) -> bool:
    return reviewer_applications(user).filter(pk=application.pk).exists()


def can_manage_reviews(user) -> bool:
    """Programme staff run rounds, conflicts, profiles and assignments."""
    return bool(user.is_authenticated and user.is_active and user.is_programme_staff)


def bidding_rounds(user) -> QuerySet[ReviewRound]:
    """The rounds a reviewer may bid in now."""
    if not (is_reviewer(user) and user.is_active):
        return ReviewRound.objects.none()
    return ReviewRound.objects.filter(state=RoundState.BIDDING, kind=RoundKind.WRITTEN)


def biddable_applications(user, review_round: ReviewRound) -> QuerySet[Application]:
    """What a reviewer sees while bidding: the round's submitted applications (their summary
    only), minus every startup the reviewer is conflicted with."""
    if not bidding_rounds(user).filter(pk=review_round.pk).exists():
        return Application.objects.none()
    return Application.objects.filter(
        cohort_id=review_round.cohort_id,
        state__in=[ApplicationState.SUBMITTED, ApplicationState.UNDER_REVIEW],
    ).exclude(startup_id__in=conflicted_startup_ids(user))


def can_bid(user, review_round: ReviewRound, application: Application) -> bool:
    return biddable_applications(user, review_round).filter(pk=application.pk).exists()
