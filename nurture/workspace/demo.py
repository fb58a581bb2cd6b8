"""The demo's floor at the Lab: a fictional plan of two desk zones, private offices and
meeting rooms; the admitted startups of running cohorts placed on it by the allocation
service, sized to their teams; and a few meeting-room bookings. Idempotent: once the demo
floor exists, a second load adds nothing. Every code, name and booking is invented.
"""

import random
from collections import Counter
from datetime import datetime, timedelta

from django.utils import timezone

from nurture.applications.models import Application, ApplicationState

from . import services
from .models import Space, SpaceKind

FIRST_CODE = "N-01"
ROOMS = [
    # (code, name, Chinese name, seats, equipment)
    ("R-1", "Harbour room (demo)", "海港會議室（示範）", 10, "Screen, video conferencing"),
    ("R-2", "Lion Rock room (demo)", "獅子山會議室（示範）", 6, "Screen, whiteboard"),
    ("R-3", "Pitch room (demo)", "路演室（示範）", 20, "Projector, microphones"),
]
TITLES = ["Investor call", "Customer demo", "Team planning", "Mentor session", "Hiring interview"]


def _floor(manager) -> int:
    spaces = []
    for zone, row in (("North wing", 1), ("North wing", 2), ("South wing", 4), ("South wing", 5)):
        prefix = zone[0]
        for column in range(1, 9):
            number = (row - 1) % 3 * 8 + column
            spaces.append(
                {
                    "kind": SpaceKind.DESK,
                    "code": f"{prefix}-{number:02d}",
                    "zone": zone,
                    "row": row,
                    "column": column,
                    "equipment": "Monitor, locker",
                }
            )
    for index, seats in enumerate((4, 4, 6)):
        spaces.append(
            {
                "kind": SpaceKind.OFFICE,
                "code": f"O-{index + 1}",
                "name": f"Office {index + 1} (demo)",
                "zone": "East wing",
                "seats": seats,
                "row": 7,
                "column": 1 + index * 3,
                "width": 3,
                "height": 2,
            }
        )
    for index, (code, name, name_zh, seats, equipment) in enumerate(ROOMS):
        spaces.append(
            {
                "kind": SpaceKind.MEETING_ROOM,
                "code": code,
                "name": name,
                "name_zh_hant": name_zh,
                "seats": seats,
                "equipment": equipment,
                "row": 1 + index * 2,
                "column": 10,
                "width": 2,
                "height": 2,
            }
        )
    for data in spaces:
        services.space_save(actor=manager, data={"active": True, **data})
    return len(spaces)


def demo_workspace_load(*, manager, seed: int = 20261129) -> Counter:
    created: Counter = Counter()
    if Space.objects.filter(code=FIRST_CODE).exists():
        return created
    created["spaces"] += _floor(manager)
    today = timezone.localdate()
    admitted = (
        Application.objects.filter(state=ApplicationState.ACCEPTED, cohort__ends_on__gte=today)
        .select_related("startup", "cohort")
        .order_by("cohort__starts_on", "startup__name")
    )
    placed = []
    for application in admitted:
        cohort = application.cohort
        move_in = cohort.starts_on
        proposal = services.allocation_propose(
            startup=application.startup, move_in=move_in, move_out=cohort.ends_on, cohort=cohort
        )
        if not proposal.spaces:
            continue
        services.allocation_create(
            actor=manager,
            startup=application.startup,
            spaces=proposal.spaces,
            move_in=move_in,
            move_out=cohort.ends_on,
            cohort=cohort,
            note="Demo allocation",
        )
        created["space allocations"] += len(proposal.spaces)
        if move_in <= today:
            placed.append(application.startup)
    rng = random.Random(seed)
    rooms = list(Space.objects.filter(kind=SpaceKind.MEETING_ROOM).order_by("code"))
    tz = timezone.get_current_timezone()
    for offset in range(1, 6):
        day = today + timedelta(days=offset)
        for room in rooms:
            hour = 9
            while hour < 18 and placed:
                length = rng.choice([1, 1, 2])
                if rng.random() < 0.45:
                    startup = rng.choice(placed)
                    member = startup.members.order_by("pk").first()
                    starts = datetime(day.year, day.month, day.day, hour, tzinfo=tz)
                    try:
                        services.room_book(
                            actor=member,
                            room=room,
                            starts_at=starts,
                            ends_at=starts + timedelta(hours=length),
                            title=rng.choice(TITLES),
                            startup=startup,
                        )
                        created["meeting-room bookings"] += 1
                    except services.WorkspaceError:
                        pass
                hour += length + rng.choice([0, 1])
    return created
