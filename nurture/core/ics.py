"""iCalendar (.ics) files with the icalendar library, for bookings of meeting rooms and GPUs
and for move-in days: a stable UID per event and a SEQUENCE that grows with every change, so
that a calendar program updates (or, for a cancelled booking, removes) the event it has."""

from datetime import date, datetime

from django.conf import settings
from django.http import HttpResponse
from django.utils import timezone
from icalendar import Calendar, Event

PRODID = "-//Nurture//HKAI Lab accelerator//EN"
LOCATION = "HKAI Lab, Hong Kong Science Park"


def domain() -> str:
    """The site's host name, for the events' UIDs."""
    site = getattr(settings, "SITE_URL", "") or "http://localhost"
    return site.split("://", 1)[-1].split("/", 1)[0].split(":", 1)[0] or "localhost"


def calendar(name: str) -> Calendar:
    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", "PUBLISH")
    if name:
        cal.add("x-wr-calname", name)
    return cal


def event(
    *,
    uid: str,
    start: datetime | date,
    end: datetime | date | None,
    summary: str,
    location: str = LOCATION,
    description: str = "",
    sequence: int = 0,
    cancelled: bool = False,
    transparent: bool = False,
) -> Event:
    item = Event()
    item.add("uid", f"{uid}@{domain()}")
    item.add("dtstamp", timezone.now())
    item.add("dtstart", start)
    if end is not None:
        item.add("dtend", end)
    item.add("summary", summary)
    item.add("location", location)
    if description:
        item.add("description", description)
    item.add("sequence", sequence)
    item.add("status", "CANCELLED" if cancelled else "CONFIRMED")
    if transparent:
        item.add("transp", "TRANSPARENT")
    return item


def response(cal: Calendar, filename: str) -> HttpResponse:
    """The calendar as a download."""
    answer = HttpResponse(cal.to_ical(), content_type="text/calendar; charset=utf-8")
    answer["Content-Disposition"] = f'attachment; filename="{filename}"'
    return answer
