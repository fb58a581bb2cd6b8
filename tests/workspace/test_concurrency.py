"""Real threads, each on its own database connection, racing for the same meeting room and
the same desk: one wins, the others are refused, nothing overlaps."""

import pytest

from nurture.workspace import services
from nurture.workspace.models import Allocation, RoomBooking
from tests.resources.conftest import threaded_db  # noqa: F401  (fixture)
from tests.resources.test_concurrency import race

from .conftest import admitted, at, build_floor, tomorrow

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("threaded_db")]


def test_racing_bookings_of_one_room_make_one_booking():
    spaces = build_floor()
    teams = []
    for index in range(6):
        startup, founder, _cohort = admitted(f"Racer {index}")
        Allocation.objects.create(
            space=spaces[f"N-{index + 1:02d}"],
            startup=startup,
            move_in=tomorrow(),
            move_out=tomorrow(),
        )
        teams.append((startup, founder))

    def attempt(index):
        startup, founder = teams[index]
        try:
            services.room_book(
                actor=founder,
                room=spaces["R-1"],
                starts_at=at(tomorrow(), 10, 15 * (index % 2)),
                ends_at=at(tomorrow(), 11),
                title=f"Team {index}",
                startup=startup,
            )
            return "booked"
        except services.WorkspaceError as error:
            return error.code

    results = race(attempt, threads=6)
    assert sorted(results) == ["booked"] + ["conflict"] * 5
    assert RoomBooking.objects.count() == 1


def test_racing_allocations_of_one_desk_give_it_once():
    spaces = build_floor()
    startups = [admitted(f"Racer {index}")[0] for index in range(6)]

    def attempt(index):
        try:
            services.allocation_create(
                actor=None,
                startup=startups[index],
                spaces=[spaces["S-03"]],
                move_in=tomorrow(),
                move_out=tomorrow(),
            )
            return "given"
        except services.WorkspaceError:
            return "refused"

    results = race(attempt, threads=6)
    assert sorted(results) == ["given"] + ["refused"] * 5
    assert Allocation.objects.filter(space=spaces["S-03"]).count() == 1
