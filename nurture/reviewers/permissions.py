"""Who may see which application in review. A reviewer sees only the applications assigned
to them in a published round, and never one of a startup they are conflicted with, wherever
it would appear: lists, search, exports, API, downloads. Every review page and endpoint asks
these predicates."""

from django.db.models import QuerySet

from nurture.accounts.models import Role
from nurture.applications.models import Application

from .models import Assignment, Conflict, RoundState


def is_reviewer(user) -> bool:
    return user.is_authenticated and user.role == Role.REVIEWER


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
