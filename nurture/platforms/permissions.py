"""Who may ask for and manage deep-learning platform accounts. Every view and endpoint asks here."""

from nurture.applications.models import Application, ApplicationState
from nurture.startups.permissions import is_member

from .models import PlatformAccess


def is_programme_staff(user) -> bool:
    return bool(user.is_authenticated and user.is_active and user.is_programme_staff)


def can_manage_platforms(user) -> bool:
    return is_programme_staff(user)


def can_request_access(user, application: Application) -> bool:
    return bool(
        user.is_authenticated
        and user.is_active
        and application.state == ApplicationState.ACCEPTED
        and is_member(user, application.startup)
    )


def can_view_access(user, access: PlatformAccess) -> bool:
    return is_programme_staff(user) or bool(
        user.is_authenticated and user.is_active and is_member(user, access.application.startup)
    )


def accesses_visible_to(user):
    queryset = PlatformAccess.objects.select_related(
        "platform", "application__startup", "application__cohort"
    )
    if not user.is_authenticated:
        return queryset.none()
    if is_programme_staff(user):
        return queryset
    return queryset.filter(application__startup__memberships__user_id=user.pk)
