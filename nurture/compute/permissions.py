"""Who may see and do what with GPU compute and cloud credits. Views and the API ask here.

A startup's compute (quota, bookings, usage, credits) is seen by its members and by programme
staff; bookings are made by its members; a booking is cancelled by its startup's members or
by staff. The inventory, quotas, imports and exports are for programme staff.
"""

from nurture.startups.models import Startup
from nurture.startups.permissions import is_member

from .models import Booking


def _active(user) -> bool:
    return bool(user.is_authenticated and user.is_active)


def is_compute_staff(user) -> bool:
    return _active(user) and user.is_programme_staff


def can_view_compute(user, startup: Startup) -> bool:
    return _active(user) and (user.is_programme_staff or is_member(user, startup))


def can_book(user, startup: Startup) -> bool:
    return _active(user) and is_member(user, startup)


def can_cancel_booking(user, booking: Booking) -> bool:
    return _active(user) and (user.is_programme_staff or is_member(user, booking.startup))


def can_view_availability(user) -> bool:
    """The calendar shows free GPUs, not who booked them: founders and staff."""
    return _active(user) and (user.is_programme_staff or user.is_founder)


def can_manage_compute(user) -> bool:
    return is_compute_staff(user)


def startups_with_compute_visible_to(user):
    if not _active(user):
        return Startup.objects.none()
    if user.is_programme_staff:
        return Startup.objects.all()
    return Startup.objects.filter(memberships__user_id=user.pk)


def bookings_visible_to(user):
    if not _active(user):
        return Booking.objects.none()
    if user.is_programme_staff:
        return Booking.objects.all()
    return Booking.objects.filter(startup__memberships__user_id=user.pk)
