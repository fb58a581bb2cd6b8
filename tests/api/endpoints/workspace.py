"""The Lab's floor: rows for tests/api/test_permissions.py.

The world gains a desk given to the founder's startup, a meeting room, and one booking of it
by the founder.
"""

from datetime import datetime, time, timedelta

from django.utils import timezone

ROLES = (
    "anonymous",
    "founder",
    "other_founder",
    "reviewer",
    "finance_approver",
    "partner",
    "programme_manager",
    "administrator",
)


def _expect(default, **codes):
    return {**dict.fromkeys(ROLES, default), "anonymous": 401, **codes}


SIGNED_IN = _expect(200)
ROOMS = _expect(403, founder=200, other_founder=200, programme_manager=200, administrator=200)
BOOK = _expect(404, founder=201, programme_manager=403, administrator=403)
CANCEL = _expect(404, founder=200, programme_manager=200, administrator=200)


def _at(hour: int) -> datetime:
    day = timezone.localdate() + timedelta(days=1)
    return datetime.combine(day, time(hour), tzinfo=timezone.get_current_timezone())


def prepare(world):
    from nurture.workspace.models import Allocation, RoomBooking, Space, SpaceKind

    today = timezone.localdate()
    desk = Space.objects.create(kind=SpaceKind.DESK, code="API-D1", row=1, column=1)
    room = Space.objects.create(kind=SpaceKind.MEETING_ROOM, code="API-R1", row=2, column=1)
    Allocation.objects.create(
        space=desk,
        startup=world["startup"],
        move_in=today - timedelta(days=1),
        move_out=today + timedelta(days=60),
    )
    world["room"] = room
    world["room_booking"] = RoomBooking.objects.create(
        room=room,
        startup=world["startup"],
        title="Call",
        starts_at=_at(10),
        ends_at=_at(11),
        booked_by=world["users"]["founder"],
    )


ENDPOINTS = {
    "meeting rooms": (lambda api, w: api.get("/workspace/rooms"), ROOMS),
    "meeting rooms' day": (
        lambda api, w: api.get(f"/workspace/rooms/day?day={timezone.localdate().isoformat()}"),
        ROOMS,
    ),
    "room bookings": (lambda api, w: api.get("/workspace/bookings"), SIGNED_IN),
    "room booking create": (
        lambda api, w: api.post(
            "/workspace/bookings",
            {
                "startup": w["startup"].pk,
                "room": w["room"].pk,
                "starts_at": _at(14).isoformat(),
                "ends_at": _at(15).isoformat(),
                "title": "Hiring",
            },
        ),
        BOOK,
    ),
    "room booking cancel": (
        lambda api, w: api.post(f"/workspace/bookings/{w['room_booking'].pk}/cancel"),
        CANCEL,
    ),
    "space allocations": (lambda api, w: api.get("/workspace/allocations"), SIGNED_IN),
}
