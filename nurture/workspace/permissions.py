"""Who may see and do what on the Lab's floor. Views and the API ask here.

A startup's spaces and bookings are seen by its members and by programme staff; its members
book and cancel its meeting-room bookings. The room calendar shows founders when rooms are
taken, and by whom only for their own startup's bookings. The floor plan with every startup's
name, the spaces and the allocations are for programme staff.
"""

from nurture.startups.models import Startup
from nurture.startups.permissions import is_member

from .models import RoomBooking


def _active(user) -> bool:
    return bool(user.is_authenticated and user.is_active)


def can_manage_workspace(user) -> bool:
    return _active(user) and user.is_programme_staff


def can_view_workspace(user, startup: Startup) -> bool:
    return _active(user) and (user.is_programme_staff or is_member(user, startup))


def can_book_rooms(user, startup: Startup) -> bool:
    return _active(user) and is_member(user, startup)


def can_view_rooms(user) -> bool:
    return _active(user) and (user.is_programme_staff or user.is_founder)


def can_view_booking(user, booking: RoomBooking) -> bool:
    if not _active(user):
        return False
    if user.is_programme_staff or booking.booked_by_id == user.pk:
        return True
    return booking.startup is not None and is_member(user, booking.startup)


def can_cancel_booking(user, booking: RoomBooking) -> bool:
    return can_view_booking(user, booking)


def bookings_visible_to(user):
    if not _active(user):
        return RoomBooking.objects.none()
    if user.is_programme_staff:
        return RoomBooking.objects.all()
    return RoomBooking.objects.filter(startup__memberships__user_id=user.pk)
