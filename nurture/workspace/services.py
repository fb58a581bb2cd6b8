"""Every write to the floor: spaces, allocations to startups, meeting-room bookings.

Each function runs in one transaction and records an audit entry. Allocations and bookings
lock their space's row first (`select_for_update`; on SQLite the connection's immediate
transactions serialise writers), then check for overlaps: two requests for the same desk or
the same room at the same time are checked one after the other, and the second is refused.
"""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.db import IntegrityError
from django.db.transaction import atomic
from django.utils import timezone
from django.utils.translation import gettext as _

from nurture.audit.services import audit_record
from nurture.startups.models import Startup

from .models import Allocation, RoomBooking, Space, SpaceKind

# Meeting rooms: bookable in quarter hours, from 07:00 to 22:00 Hong Kong time, at most
# eight hours at a time and up to 90 days ahead.
SLOT_MINUTES = 15
OPENS = time(7, 0)
CLOSES = time(22, 0)
MAX_BOOKING = timedelta(hours=8)
BOOKING_HORIZON = timedelta(days=90)
# A team of this size or more is offered a private office when one is free.
OFFICE_FROM_TEAM_SIZE = 3


class WorkspaceError(Exception):
    """A refused request; nothing was written. The message is for the person who asked."""

    def __init__(self, message: str, *, code: str = "invalid", field: str | None = None):
        super().__init__(message)
        self.message = message
        self.code = code
        self.field = field


SPACE_FIELDS = (
    "kind",
    "code",
    "name",
    "name_zh_hant",
    "zone",
    "seats",
    "row",
    "column",
    "width",
    "height",
    "equipment",
    "active",
)


def space_save(*, actor, space: Space | None = None, data: dict) -> Space:
    """Create a space, or change one; a desk has one seat."""
    creating = space is None
    space = space or Space()
    for name in SPACE_FIELDS:
        if name in data:
            setattr(space, name, data[name])
    if space.kind == SpaceKind.DESK:
        space.seats = 1
    with atomic():
        if Space.objects.filter(code__iexact=space.code).exclude(pk=space.pk).exists():
            raise WorkspaceError(_("Another space already has this code."), field="code")
        space.save()
        audit_record(
            actor=actor,
            action="workspace.space_created" if creating else "workspace.space_changed",
            target=space,
            summary=str(space),
        )
    return space


# --- Allocations ------------------------------------------------------------------------------


def _overlapping_allocations(space: Space, move_in: date, move_out: date, exclude=None):
    queryset = Allocation.objects.filter(
        space=space, move_in__lte=move_out, move_out__gte=move_in
    ).select_related("startup")
    if exclude is not None:
        queryset = queryset.exclude(pk=exclude.pk)
    return queryset


def allocation_create(
    *,
    actor,
    startup: Startup,
    spaces: list[Space],
    move_in: date,
    move_out: date,
    cohort=None,
    note: str = "",
) -> list[Allocation]:
    """Give `spaces` (desks or offices) to `startup` from `move_in` to `move_out`, all or
    none: a space already given to someone for part of that time refuses the whole request."""
    if not spaces:
        raise WorkspaceError(_("Choose at least one desk or office."), field="spaces")
    if move_out < move_in:
        raise WorkspaceError(_("The move-out day is before the move-in day."), field="move_out")
    with atomic():
        locked = list(
            Space.objects.select_for_update().filter(pk__in=[s.pk for s in spaces]).order_by("pk")
        )
        if len(locked) != len({s.pk for s in spaces}):
            raise WorkspaceError(_("One of these spaces no longer exists."), field="spaces")
        for space in locked:
            if space.kind == SpaceKind.MEETING_ROOM:
                raise WorkspaceError(
                    _("%(code)s is a meeting room: book it instead of allocating it.")
                    % {"code": space.code},
                    field="spaces",
                )
            if not space.active:
                raise WorkspaceError(
                    _("%(code)s is not in use.") % {"code": space.code}, field="spaces"
                )
            clash = _overlapping_allocations(space, move_in, move_out).first()
            if clash is not None:
                raise WorkspaceError(
                    _(
                        "%(code)s is given to %(startup)s from %(start)s to %(end)s; choose "
                        "another space or other dates."
                    )
                    % {
                        "code": space.code,
                        "startup": clash.startup.name,
                        "start": clash.move_in.isoformat(),
                        "end": clash.move_out.isoformat(),
                    },
                    field="spaces",
                )
        allocations = [
            Allocation.objects.create(
                space=space,
                startup=startup,
                cohort=cohort,
                move_in=move_in,
                move_out=move_out,
                note=note,
                created_by=actor,
            )
            for space in locked
        ]
        audit_record(
            actor=actor,
            action="workspace.allocated",
            target=startup,
            summary=_("%(spaces)s to %(startup)s, %(start)s – %(end)s")
            % {
                "spaces": ", ".join(s.code for s in locked),
                "startup": startup.name,
                "start": move_in.isoformat(),
                "end": move_out.isoformat(),
            },
            data={"allocations": [a.pk for a in allocations]},
        )
    return allocations


def allocation_change_move_out(*, actor, allocation: Allocation, move_out: date) -> Allocation:
    """Move a startup out earlier (or stay longer, if the space is free until then)."""
    with atomic():
        space = Space.objects.select_for_update().get(pk=allocation.space_id)
        allocation = Allocation.objects.select_for_update().get(pk=allocation.pk)
        if move_out < allocation.move_in:
            raise WorkspaceError(
                _("The move-out day is before the move-in day (%(day)s).")
                % {"day": allocation.move_in.isoformat()},
                field="move_out",
            )
        clash = _overlapping_allocations(
            space, allocation.move_in, move_out, exclude=allocation
        ).first()
        if clash is not None:
            raise WorkspaceError(
                _("%(code)s is given to %(startup)s from %(start)s.")
                % {
                    "code": space.code,
                    "startup": clash.startup.name,
                    "start": clash.move_in.isoformat(),
                },
                field="move_out",
            )
        before = allocation.move_out
        allocation.move_out = move_out
        allocation.save(update_fields=["move_out"])
        audit_record(
            actor=actor,
            action="workspace.move_out_changed",
            target=allocation,
            summary=str(allocation),
            data={"from": before.isoformat(), "to": move_out.isoformat()},
        )
    return allocation


def allocation_delete(*, actor, allocation: Allocation) -> None:
    """Withdraw an allocation that has not started yet (one that has: change its move-out)."""
    with atomic():
        allocation = Allocation.objects.select_for_update().get(pk=allocation.pk)
        if allocation.move_in <= timezone.localdate():
            raise WorkspaceError(
                _("The startup has already moved in; change the move-out day instead.")
            )
        audit_record(
            actor=actor,
            action="workspace.allocation_withdrawn",
            target=allocation.startup,
            summary=str(allocation),
        )
        allocation.delete()


@dataclass(frozen=True)
class Proposal:
    spaces: list[Space]
    seats_needed: int
    seats: int

    @property
    def enough(self) -> bool:
        return self.seats >= self.seats_needed


def seats_needed(startup: Startup, cohort=None) -> int:
    """The team's size: from its application to the cohort when it says, else its members."""
    size = None
    if cohort is not None:
        application = startup.applications.filter(cohort=cohort).only("team_size").first()
        size = application.team_size if application else None
    return max(1, size or startup.memberships.count())


def free_spaces(move_in: date, move_out: date) -> list[Space]:
    """Desks and offices in use that nobody has for any day of [move_in, move_out]."""
    taken = Allocation.objects.filter(move_in__lte=move_out, move_out__gte=move_in).values(
        "space_id"
    )
    return list(
        Space.objects.filter(active=True, kind__in=[SpaceKind.DESK, SpaceKind.OFFICE])
        .exclude(pk__in=taken)
        .order_by("zone", "row", "column", "code")
    )


def allocation_propose(*, startup: Startup, move_in: date, move_out: date, cohort=None):
    """Spaces sized to the team, free for the whole period: for a team of three or more the
    smallest private office that seats it, otherwise (or when no office fits) desks side by
    side in one zone, the closest group first."""
    needed = seats_needed(startup, cohort)
    free = free_spaces(move_in, move_out)
    if needed >= OFFICE_FROM_TEAM_SIZE:
        offices = sorted(
            (s for s in free if s.kind == SpaceKind.OFFICE and s.seats >= needed),
            key=lambda s: (s.seats, s.code),
        )
        if offices:
            return Proposal(spaces=[offices[0]], seats_needed=needed, seats=offices[0].seats)
    desks = [s for s in free if s.kind == SpaceKind.DESK]
    best: list[Space] = []
    best_spread = None
    zones: dict[str, list[Space]] = {}
    for desk in desks:
        zones.setdefault(desk.zone, []).append(desk)
    for group in zones.values():
        if len(group) < needed:
            continue
        for start in range(len(group) - needed + 1):
            window = group[start : start + needed]
            spread = (
                max(d.row for d in window) - min(d.row for d in window),
                max(d.column for d in window) - min(d.column for d in window),
            )
            if best_spread is None or spread < best_spread:
                best, best_spread = window, spread
    if not best:
        # Not enough free desks in any one zone: as many as there are, nearest first.
        best = desks[:needed]
    return Proposal(spaces=best, seats_needed=needed, seats=len(best))


# --- Meeting rooms ----------------------------------------------------------------------------


def _on_slot(moment: datetime) -> bool:
    local = timezone.localtime(moment)
    return local.second == 0 and local.microsecond == 0 and local.minute % SLOT_MINUTES == 0


def _check_booking_window(starts_at: datetime, ends_at: datetime, now: datetime) -> None:
    # Comparisons first: they hold for any datetime, where converting a far-off one to Hong
    # Kong time could overflow.
    if ends_at <= starts_at:
        raise WorkspaceError(_("The booking must end after it starts."), field="ends_at")
    if starts_at < now:
        raise WorkspaceError(_("This time has already passed."), field="starts_at")
    if starts_at > now + BOOKING_HORIZON:
        raise WorkspaceError(
            _("Rooms can be booked up to %(days)s days ahead.") % {"days": BOOKING_HORIZON.days},
            field="starts_at",
        )
    if ends_at - starts_at > MAX_BOOKING:
        raise WorkspaceError(
            _("A booking lasts at most %(hours)s hours.")
            % {"hours": int(MAX_BOOKING.total_seconds() // 3600)},
            field="ends_at",
        )
    if not (_on_slot(starts_at) and _on_slot(ends_at)):
        raise WorkspaceError(
            _("Bookings start and end on the quarter hour (for example 10:00 or 10:15)."),
            field="starts_at",
        )
    start, end = timezone.localtime(starts_at), timezone.localtime(ends_at)
    opens = OPENS.strftime("%H:%M")
    closes = CLOSES.strftime("%H:%M")
    if start.date() != end.date() and end.time() != time(0, 0):
        raise WorkspaceError(_("A booking starts and ends on the same day."), field="ends_at")
    if start.time() < OPENS or (end.time() > CLOSES or end.time() == time(0, 0)):
        raise WorkspaceError(
            _("Meeting rooms can be booked from %(opens)s to %(closes)s.")
            % {"opens": opens, "closes": closes},
            field="starts_at",
        )


def startup_in_lab(startup: Startup, day: date) -> bool:
    """Whether the startup has a desk or office in the Lab on `day`."""
    return Allocation.objects.filter(startup=startup, move_in__lte=day, move_out__gte=day).exists()


def room_book(
    *,
    actor,
    room: Space,
    starts_at: datetime,
    ends_at: datetime,
    title: str,
    startup: Startup | None = None,
    idempotency_key: str = "",
) -> RoomBooking:
    """Book a meeting room for [starts_at, ends_at). A startup books only while it has space
    in the Lab; staff may book for the Lab itself (no startup). With an `idempotency_key`
    already used by `actor`, the first booking is returned when the request is the same, and
    refused when it differs."""
    title = (title or "").strip()
    if not title:
        raise WorkspaceError(_("Say what the booking is for."), field="title")
    if len(title) > 120:
        raise WorkspaceError(_("Keep the title under 120 characters."), field="title")
    now = timezone.now()
    with atomic():
        locked = Space.objects.select_for_update().filter(pk=room.pk).first()
        if locked is None:
            raise WorkspaceError(_("No such meeting room."), code="not_found", field="room")
        if idempotency_key:
            existing = RoomBooking.objects.filter(
                booked_by=actor, idempotency_key=idempotency_key
            ).first()
            if existing is not None:
                same = (
                    existing.room_id == locked.pk
                    and existing.starts_at == starts_at
                    and existing.ends_at == ends_at
                    and existing.startup_id == (startup.pk if startup else None)
                    and existing.title == title
                )
                if not same:
                    raise WorkspaceError(
                        _("This idempotency key was already used for a different booking."),
                        code="idempotency_conflict",
                    )
                return existing
        if locked.kind != SpaceKind.MEETING_ROOM or not locked.active:
            raise WorkspaceError(_("Only meeting rooms in use can be booked."), field="room")
        _check_booking_window(starts_at, ends_at, now)
        if startup is not None and not startup_in_lab(startup, timezone.localdate(starts_at)):
            raise WorkspaceError(
                _(
                    "%(startup)s has no desk in the Lab on that day; meeting rooms are for "
                    "startups working in the Lab."
                )
                % {"startup": startup.name},
                field="starts_at",
            )
        clash = (
            RoomBooking.objects.filter(
                room=locked, cancelled_at__isnull=True, starts_at__lt=ends_at, ends_at__gt=starts_at
            )
            .order_by("starts_at")
            .first()
        )
        if clash is not None:
            raise WorkspaceError(
                _("%(room)s is already booked from %(start)s to %(end)s; choose another time.")
                % {
                    "room": locked.code,
                    "start": timezone.localtime(clash.starts_at).strftime("%H:%M"),
                    "end": timezone.localtime(clash.ends_at).strftime("%H:%M"),
                },
                code="conflict",
                field="starts_at",
            )
        try:
            booking = RoomBooking.objects.create(
                room=locked,
                startup=startup,
                title=title,
                starts_at=starts_at,
                ends_at=ends_at,
                booked_by=actor,
                idempotency_key=idempotency_key,
            )
        except IntegrityError as error:  # pragma: no cover - the lock above prevents it
            raise WorkspaceError(_("This booking could not be saved; try again.")) from error
        audit_record(
            actor=actor,
            action="workspace.room_booked",
            target=booking,
            summary=str(booking),
            data={"startup": startup.pk if startup else None},
        )
    return booking


def room_cancel(*, actor, booking: RoomBooking) -> RoomBooking:
    """Cancel a booking that has not ended; cancelling twice changes nothing."""
    with atomic():
        booking = RoomBooking.objects.select_for_update().get(pk=booking.pk)
        if booking.cancelled_at is not None:
            return booking
        if booking.ends_at <= timezone.now():
            raise WorkspaceError(_("This booking is over; it cannot be cancelled."))
        booking.cancelled_at = timezone.now()
        booking.cancelled_by = actor
        booking.sequence += 1
        booking.save(update_fields=["cancelled_at", "cancelled_by", "sequence"])
        audit_record(
            actor=actor, action="workspace.room_cancelled", target=booking, summary=str(booking)
        )
    return booking


def bookings_between(room: Space, start: datetime, end: datetime):
    return RoomBooking.objects.filter(
        room=room, cancelled_at__isnull=True, starts_at__lt=end, ends_at__gt=start
    )


def day_bounds(day: date) -> tuple[datetime, datetime]:
    tz = timezone.get_current_timezone()
    start = datetime.combine(day, time(0, 0), tzinfo=tz)
    return start, start + timedelta(days=1)
