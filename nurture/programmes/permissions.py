"""Who may run the programme: its rules, cohorts and calls, and the applications they receive.

Every view of the programme manager's screens asks here. Today each answer is "programme
staff" (programme managers and administrators); the object-level predicates take the object
so that a narrower rule (for example staff of one programme only) changes this module alone.
"""

from functools import wraps

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied

from nurture.applications.models import Application

from .models import Cohort, Programme


def is_programme_staff(user) -> bool:
    return bool(user.is_authenticated and user.is_active and user.is_programme_staff)


def can_view_programmes(user) -> bool:
    return is_programme_staff(user)


def can_edit_programme(user, programme: Programme) -> bool:
    return is_programme_staff(user)


def can_create_cohort(user, programme: Programme | None = None) -> bool:
    return is_programme_staff(user)


def can_edit_cohort(user, cohort: Cohort) -> bool:
    return is_programme_staff(user)


def can_list_applications(user, cohort: Cohort) -> bool:
    return is_programme_staff(user)


def can_export_applications(user, cohort: Cohort) -> bool:
    return is_programme_staff(user)


def can_view_application_as_staff(user, application: Application) -> bool:
    return is_programme_staff(user)


def require(allowed: bool) -> None:
    """Refuse the request (403) unless the predicate allowed it."""
    if not allowed:
        raise PermissionDenied


def staff_required(view):
    """Anonymous users go to the sign-in page; signed-in users who are not staff get 403.

    The role is checked before any object is looked up, so a refused user cannot tell an
    existing cohort or application from a missing one.
    """

    @login_required
    @wraps(view)
    def wrapped(request, *args, **kwargs):
        require(is_programme_staff(request.user))
        return view(request, *args, **kwargs)

    return wrapped
