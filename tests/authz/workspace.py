"""Rows for the Lab's floor: founders' workspace pages and bookings, staff's floor plan."""

from datetime import datetime, time, timedelta

from django.utils import timezone

from nurture.workspace.models import Allocation, RoomBooking, Space, SpaceKind

from . import LOGIN, REDIRECT, roles, staff_only, team_only


def prepare(world):
    today = timezone.localdate()
    desk = Space.objects.create(kind=SpaceKind.DESK, code="AZ-01", row=1, column=1)
    room = Space.objects.create(kind=SpaceKind.MEETING_ROOM, code="AZ-R", row=2, column=1)
    world.space = desk
    world.allocation = Allocation.objects.create(
        space=desk,
        startup=world.startup,
        move_in=today - timedelta(days=1),
        move_out=today + timedelta(days=60),
    )
    starts = datetime.combine(
        today + timedelta(days=1), time(10), tzinfo=timezone.get_current_timezone()
    )
    world.room_booking = RoomBooking.objects.create(
        room=room,
        startup=world.startup,
        title="Call",
        starts_at=starts,
        ends_at=starts + timedelta(hours=1),
        booked_by=world.users["member"],
    )


# Another startup's booking is not found (404), as if it did not exist.
BOOKING = roles(404, anonymous=LOGIN, member=200, manager=200, admin=200)
BOOKING_CANCEL = roles(404, anonymous=LOGIN, member=REDIRECT, manager=REDIRECT, admin=REDIRECT)
FOUNDERS_AND_STAFF = roles(
    403, anonymous=LOGIN, member=200, other_founder=200, manager=200, admin=200
)

ROWS = {
    "workspace:mine": (
        "get",
        lambda w: [],
        roles(
            403,
            anonymous=LOGIN,
            member=REDIRECT,
            other_founder=REDIRECT,
            manager=REDIRECT,
            admin=REDIRECT,
        ),
    ),
    "workspace:startup": ("get", lambda w: [w.startup.pk], team_only(staff=200)),
    "workspace:book": ("get", lambda w: [w.startup.pk], team_only()),
    "workspace:startup_ics": ("get", lambda w: [w.startup.pk], team_only(staff=200)),
    "workspace:booking_cancel": ("post", lambda w: [w.room_booking.pk], BOOKING_CANCEL),
    "workspace:booking_ics": ("get", lambda w: [w.room_booking.pk], BOOKING),
    "workspace:rooms": ("get", lambda w: [], FOUNDERS_AND_STAFF),
    "workspace:floor": ("get", lambda w: [], staff_only()),
    "workspace:spaces": ("get", lambda w: [], staff_only()),
    "workspace:space_new": ("get", lambda w: [], staff_only()),
    "workspace:space_edit": ("get", lambda w: [w.space.pk], staff_only()),
    "workspace:allocate": ("get", lambda w: [w.startup.pk], staff_only()),
    "workspace:allocation_move_out": (
        "post",
        lambda w: [w.allocation.pk],
        staff_only(REDIRECT),
    ),
    "workspace:allocation_withdraw": (
        "post",
        lambda w: [w.allocation.pk],
        staff_only(REDIRECT),
    ),
}
