"""Who may calibrate, select and decide (programme staff), and who may see and answer a
decision (the startup's founders, once it is sent). Every view and endpoint asks here."""

from nurture.applications.models import Application
from nurture.programmes.models import Cohort
from nurture.startups.permissions import is_member

from .models import Decision


def is_programme_staff(user) -> bool:
    return bool(user.is_authenticated and user.is_active and user.is_programme_staff)


def can_calibrate(user, cohort: Cohort) -> bool:
    """Calibration shows reviewer identities and their effects: staff only."""
    return is_programme_staff(user)


def can_select(user, cohort: Cohort) -> bool:
    return is_programme_staff(user)


def can_decide(user, cohort: Cohort) -> bool:
    return is_programme_staff(user)


def can_view_decision(user, application: Application) -> bool:
    """The startup's founders see their decision once sent; staff see every decision."""
    if not (user.is_authenticated and user.is_active):
        return False
    return is_programme_staff(user) or is_member(user, application.startup)


def can_answer_offer(user, decision: Decision) -> bool:
    return (
        user.is_authenticated
        and user.is_active
        and is_member(user, decision.application.startup)
        and decision.awaits_response
    )
