"""The .ics files of the Lab's floor: meeting-room bookings and move-in and move-out days
(built with nurture.core.ics)."""

from django.utils.translation import gettext as _

from nurture.core import ics

from .models import Allocation, RoomBooking


def booking_event(booking: RoomBooking):
    room = booking.room.display_name or booking.room.code
    return ics.event(
        uid=f"room-booking-{booking.pk}",
        start=booking.starts_at,
        end=booking.ends_at,
        summary=f"{booking.title} · {booking.room.code}",
        location=f"{room}, {ics.LOCATION}",
        description=booking.startup.name if booking.startup_id else "",
        sequence=booking.sequence,
        cancelled=booking.is_cancelled,
    )


def allocation_events(allocation: Allocation):
    """Move-in and move-out days as all-day events."""
    days = (
        ("move-in", _("Move in"), allocation.move_in),
        ("move-out", _("Move out"), allocation.move_out),
    )
    for kind, label, day in days:
        yield ics.event(
            uid=f"allocation-{allocation.pk}-{kind}",
            start=day,
            end=None,
            summary=f"{allocation.startup.name}: {label} · {allocation.space.code}",
            transparent=True,
        )


def bookings_calendar(bookings, allocations=(), *, name: str):
    cal = ics.calendar(name)
    for booking in bookings:
        cal.add_component(booking_event(booking))
    for allocation in allocations:
        for item in allocation_events(allocation):
            cal.add_component(item)
    return cal
