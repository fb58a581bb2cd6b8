"""Reads of the floor: the floor plan on a day, a day of the meeting rooms, a startup's
spaces and bookings, and the admitted startups still without space."""

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from django.db.models import Exists, OuterRef, Prefetch
from django.utils import timezone

from nurture.applications.models import Application, ApplicationState
from nurture.startups.models import Startup

from . import services
from .models import Allocation, RoomBooking, Space, SpaceKind


@dataclass
class FloorCell:
    space: Space
    allocation: Allocation | None = None
    bookings_today: int = 0

    @property
    def occupied(self) -> bool:
        return self.allocation is not None


@dataclass
class Floor:
    day: date
    cells: list[FloorCell]
    rows: int
    columns: int
    zones: list[str] = field(default_factory=list)

    @property
    def desks_free(self) -> int:
        return sum(1 for c in self.cells if c.space.kind == SpaceKind.DESK and not c.occupied)

    @property
    def desks_total(self) -> int:
        return sum(1 for c in self.cells if c.space.kind == SpaceKind.DESK)

    @property
    def offices_free(self) -> int:
        return sum(1 for c in self.cells if c.space.kind == SpaceKind.OFFICE and not c.occupied)

    @property
    def offices_total(self) -> int:
        return sum(1 for c in self.cells if c.space.kind == SpaceKind.OFFICE)


def floor_plan(day: date) -> Floor:
    """Every space in use with whoever has it on `day` (three queries)."""
    spaces = list(Space.objects.filter(active=True).order_by("row", "column", "code"))
    allocations = {
        a.space_id: a
        for a in Allocation.objects.filter(move_in__lte=day, move_out__gte=day).select_related(
            "startup"
        )
    }
    start, end = services.day_bounds(day)
    counts: dict[int, int] = {}
    for room_id in RoomBooking.objects.filter(
        cancelled_at__isnull=True, starts_at__lt=end, ends_at__gt=start
    ).values_list("room_id", flat=True):
        counts[room_id] = counts.get(room_id, 0) + 1
    cells = [
        FloorCell(space=s, allocation=allocations.get(s.pk), bookings_today=counts.get(s.pk, 0))
        for s in spaces
    ]
    rows = max((s.row + s.height - 1 for s in spaces), default=0)
    columns = max((s.column + s.width - 1 for s in spaces), default=0)
    zones = sorted({s.zone for s in spaces if s.zone})
    return Floor(day=day, cells=cells, rows=rows, columns=columns, zones=zones)


@dataclass
class Segment:
    """A run of quarter hours in a room's day: free, or one booking."""

    start: datetime
    end: datetime
    booking: RoomBooking | None = None

    @property
    def quarters(self) -> int:
        return int((self.end - self.start).total_seconds() // (services.SLOT_MINUTES * 60))

    @property
    def slots(self) -> list[datetime]:
        """The start of each quarter hour in the segment (for links to book a free one)."""
        step = timedelta(minutes=services.SLOT_MINUTES)
        return [self.start + step * i for i in range(self.quarters)]


@dataclass
class RoomDay:
    room: Space
    segments: list[Segment]


def room_days(day: date) -> tuple[list[datetime], list[RoomDay]]:
    """The meeting rooms' bookings on `day`, as segments between opening and closing time;
    plus the hours for the calendar's heading."""
    tz = timezone.get_current_timezone()
    opens = datetime.combine(day, services.OPENS, tzinfo=tz)
    closes = datetime.combine(day, services.CLOSES, tzinfo=tz)
    rooms = list(
        Space.objects.filter(kind=SpaceKind.MEETING_ROOM, active=True)
        .order_by("code")
        .prefetch_related(
            Prefetch(
                "bookings",
                queryset=RoomBooking.objects.filter(
                    cancelled_at__isnull=True, starts_at__lt=closes, ends_at__gt=opens
                )
                .select_related("startup")
                .order_by("starts_at"),
                to_attr="day_bookings",
            )
        )
    )
    days = []
    for room in rooms:
        segments, cursor = [], opens
        for booking in room.day_bookings:
            start = max(booking.starts_at, opens)
            end = min(booking.ends_at, closes)
            if start > cursor:
                segments.append(Segment(cursor, start))
            segments.append(Segment(start, end, booking))
            cursor = end
        if cursor < closes:
            segments.append(Segment(cursor, closes))
        days.append(RoomDay(room=room, segments=segments))
    hours = []
    moment = opens
    while moment < closes:
        hours.append(moment)
        moment += timedelta(hours=1)
    return hours, days


def startup_allocations(startup: Startup, *, today: date | None = None):
    """The startup's current and coming spaces, then the past ones."""
    today = today or timezone.localdate()
    allocations = list(
        Allocation.objects.filter(startup=startup).select_related("space").order_by("move_in")
    )
    current = [a for a in allocations if a.move_out >= today]
    past = [a for a in allocations if a.move_out < today]
    return current, past


def startup_bookings(startup: Startup, *, now: datetime | None = None):
    """The startup's coming bookings (not cancelled), and the last 20 past or cancelled."""
    now = now or timezone.now()
    bookings = RoomBooking.objects.filter(startup=startup).select_related("room", "booked_by")
    coming = list(bookings.filter(cancelled_at__isnull=True, ends_at__gt=now).order_by("starts_at"))
    past = list(
        bookings.exclude(cancelled_at__isnull=True, ends_at__gt=now).order_by("-starts_at")[:20]
    )
    return coming, past


def startups_to_place(day: date):
    """Admitted startups of cohorts running on `day` or starting later, with no space from
    `day` on: the programme manager's list of who still needs a desk."""
    has_space = Allocation.objects.filter(startup=OuterRef("pk"), move_out__gte=day)
    admitted = Application.objects.filter(
        state=ApplicationState.ACCEPTED, cohort__ends_on__gte=day
    ).values("startup_id")
    return (
        Startup.objects.filter(pk__in=admitted)
        .annotate(has_space=Exists(has_space))
        .filter(has_space=False)
        .order_by("name")
    )


def admitted_cohort(startup: Startup, day: date):
    """The cohort the startup was admitted to that runs on `day` or next, if any."""
    application = (
        Application.objects.filter(
            startup=startup, state=ApplicationState.ACCEPTED, cohort__ends_on__gte=day
        )
        .select_related("cohort")
        .order_by("cohort__starts_on")
        .first()
    )
    return application.cohort if application else None
