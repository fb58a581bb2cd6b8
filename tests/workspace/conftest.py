"""A Lab floor (desks in two zones, two offices, two meeting rooms) and admitted startups."""

from datetime import date, datetime, time, timedelta
from types import SimpleNamespace

import pytest
from django.utils import timezone

from nurture.applications.models import ApplicationState
from nurture.workspace.models import Allocation, Space, SpaceKind
from tests import factories


def build_floor() -> dict[str, Space]:
    spaces = {}
    for zone, row in (("North", 1), ("South", 3)):
        for column in range(1, 7):
            code = f"{zone[0]}-{column:02d}"
            spaces[code] = Space.objects.create(
                kind=SpaceKind.DESK, code=code, zone=zone, row=row, column=column
            )
    spaces["O-1"] = Space.objects.create(
        kind=SpaceKind.OFFICE, code="O-1", seats=4, zone="East", row=5, column=1, width=2
    )
    spaces["O-2"] = Space.objects.create(
        kind=SpaceKind.OFFICE, code="O-2", seats=6, zone="East", row=5, column=3, width=2
    )
    spaces["R-1"] = Space.objects.create(
        kind=SpaceKind.MEETING_ROOM, code="R-1", name="Harbour", seats=8, row=7, column=1
    )
    spaces["R-2"] = Space.objects.create(
        kind=SpaceKind.MEETING_ROOM, code="R-2", name="Lion Rock", seats=4, row=7, column=2
    )
    return spaces


def admitted(name: str, *, team_size: int = 2, cohort=None):
    startup, founder = factories.startup_with_founder(startup__name=name)
    cohort = cohort or factories.CohortFactory(
        starts_on=timezone.localdate() - timedelta(days=30),
        ends_on=timezone.localdate() + timedelta(days=150),
    )
    factories.ApplicationFactory(
        startup=startup, cohort=cohort, state=ApplicationState.ACCEPTED, team_size=team_size
    )
    return startup, founder, cohort


def place(startup, space, *, days_before=30, days_after=150) -> Allocation:
    today = timezone.localdate()
    return Allocation.objects.create(
        space=space,
        startup=startup,
        move_in=today - timedelta(days=days_before),
        move_out=today + timedelta(days=days_after),
    )


def at(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=timezone.get_current_timezone())


def tomorrow() -> date:
    return timezone.localdate() + timedelta(days=1)


@pytest.fixture
def lab(db):
    spaces = build_floor()
    startup, founder, cohort = admitted("Alpha Vision", team_size=2)
    other, other_founder, _ = admitted("Beta Speech", team_size=2, cohort=cohort)
    place(startup, spaces["N-01"])
    place(other, spaces["S-01"])
    return SimpleNamespace(
        spaces=spaces,
        startup=startup,
        founder=founder,
        other=other,
        other_founder=other_founder,
        cohort=cohort,
        manager=factories.ProgrammeManagerFactory(),
    )
