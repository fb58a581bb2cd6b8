"""Who may run the programme: its rules, cohorts and calls, and the applications they receive.

Every view of the programme manager's screens asks here. Today each answer is "programme
staff" (programme managers and administrators); the object-level predicates take the object
so that a narrower rule (for example staff of one programme only) changes this module alone.
"""

from nurture.applications.models import Application
from nurture.core.permissions import role_required

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


# Programme staff only, checked before any cohort or application is looked up.
staff_required = role_required(is_programme_staff)
