"""iCalendar (.ics) files for meeting-room bookings and move-in days, with the icalendar
library: one VEVENT per booking, a stable UID and a SEQUENCE that grows with every change, so
that a calendar program updates (or, for a cancelled booking, removes) the event it has."""

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _
from icalendar import Calendar, Event

from .models import Allocation, RoomBooking

PRODID = "-//Nurture//HKAI Lab accelerator//EN"
LOCATION = "HKAI Lab, Hong Kong Science Park"


def _domain() -> str:
    site = getattr(settings, "SITE_URL", "") or "http://localhost"
    return site.split("://", 1)[-1].split("/", 1)[0].split(":", 1)[0] or "localhost"


def _calendar(name: str) -> Calendar:
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("x-wr-calname", name)
    return calendar


def _booking_event(booking: RoomBooking) -> Event:
    event = Event()
    event.add("uid", f"room-booking-{booking.pk}@{_domain()}")
    event.add("dtstamp", timezone.now())
    event.add("dtstart", booking.starts_at)
    event.add("dtend", booking.ends_at)
    event.add("summary", f"{booking.title} · {booking.room.code}")
    room = booking.room.display_name or booking.room.code
    event.add("location", f"{room}, {LOCATION}")
    if booking.startup_id:
        event.add("description", booking.startup.name)
    event.add("sequence", booking.sequence)
    event.add("status", "CANCELLED" if booking.is_cancelled else "CONFIRMED")
    return event


def bookings_ics(bookings, *, name: str) -> bytes:
    calendar = _calendar(name)
    if any(b.is_cancelled for b in bookings):
        calendar.add("method", "PUBLISH")
    for booking in bookings:
        calendar.add_component(_booking_event(booking))
    return calendar.to_ical()


def allocations_ics(allocations: list[Allocation], *, name: str) -> bytes:
    """Move-in and move-out days as all-day events."""
    calendar = _calendar(name)
    for allocation in allocations:
        days = (
            ("move-in", _("Move in"), allocation.move_in),
            ("move-out", _("Move out"), allocation.move_out),
        )
        for kind, label, day in days:
            event = Event()
            event.add("uid", f"allocation-{allocation.pk}-{kind}@{_domain()}")
            event.add("dtstamp", timezone.now())
            event.add("dtstart", day)
            event.add("summary", f"{allocation.startup.name}: {label} · {allocation.space.code}")
            event.add("location", LOCATION)
            event.add("transp", "TRANSPARENT")
            calendar.add_component(event)
    return calendar.to_ical()
