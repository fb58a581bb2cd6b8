"""Allocations never overlap, proposals fit the team, meeting rooms are never double booked."""

from datetime import timedelta

import pytest
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from nurture.audit.models import AuditEntry
from nurture.workspace import services
from nurture.workspace.models import Allocation, RoomBooking

from .conftest import admitted, at, tomorrow

pytestmark = pytest.mark.django_db


def test_a_space_given_for_part_of_the_time_refuses_the_whole_request(lab):
    today = timezone.localdate()
    newcomer, _founder, _cohort = admitted("Gamma Robotics")

    with pytest.raises(services.WorkspaceError, match="N-01 is given to Alpha Vision"):
        services.allocation_create(
            actor=lab.manager,
            startup=newcomer,
            spaces=[lab.spaces["N-02"], lab.spaces["N-01"]],
            move_in=today + timedelta(days=100),
            move_out=today + timedelta(days=200),
        )
    assert not Allocation.objects.filter(startup=newcomer).exists()


def test_allocation_after_the_move_out_day_is_accepted_and_audited(lab):
    first = Allocation.objects.get(space=lab.spaces["N-01"])
    newcomer, _founder, _cohort = admitted("Gamma Robotics")

    (allocation,) = services.allocation_create(
        actor=lab.manager,
        startup=newcomer,
        spaces=[lab.spaces["N-01"]],
        move_in=first.move_out + timedelta(days=1),
        move_out=first.move_out + timedelta(days=30),
    )

    assert allocation.startup == newcomer
    assert AuditEntry.objects.filter(action="workspace.allocated").count() == 1


def test_meeting_rooms_cannot_be_allocated_and_dates_must_be_in_order(lab):
    today = timezone.localdate()
    with pytest.raises(services.WorkspaceError, match="meeting room"):
        services.allocation_create(
            actor=lab.manager,
            startup=lab.startup,
            spaces=[lab.spaces["R-1"]],
            move_in=today,
            move_out=today,
        )
    with pytest.raises(services.WorkspaceError, match="before the move-in"):
        services.allocation_create(
            actor=lab.manager,
            startup=lab.startup,
            spaces=[lab.spaces["N-03"]],
            move_in=today,
            move_out=today - timedelta(days=1),
        )


@pytest.mark.parametrize(
    ("team", "expected"),
    [(1, ["N-02"]), (2, ["N-02", "N-03"]), (4, ["O-1"]), (6, ["O-2"])],
)
def test_the_proposal_is_sized_to_the_team(lab, team, expected):
    startup, _founder, cohort = admitted("Gamma Robotics", team_size=team, cohort=lab.cohort)
    proposal = services.allocation_propose(
        startup=startup, move_in=timezone.localdate(), move_out=cohort.ends_on, cohort=cohort
    )
    assert [s.code for s in proposal.spaces] == expected
    assert proposal.seats_needed == team
    assert proposal.enough


def test_a_team_too_large_for_any_office_and_any_zone_gets_the_nearest_desks(lab):
    startup, _founder, cohort = admitted("Delta Health", team_size=7, cohort=lab.cohort)
    proposal = services.allocation_propose(
        startup=startup, move_in=timezone.localdate(), move_out=cohort.ends_on, cohort=cohort
    )
    # No office seats 7 and no zone has 7 free desks (5 in each): desks from both zones.
    assert [s.code for s in proposal.spaces] == [
        "N-02",
        "N-03",
        "N-04",
        "N-05",
        "N-06",
        "S-02",
        "S-03",
    ]
    assert proposal.enough


def test_a_proposal_says_when_the_floor_is_too_small(lab):
    startup, _founder, cohort = admitted("Delta Health", team_size=11, cohort=lab.cohort)
    proposal = services.allocation_propose(
        startup=startup, move_in=timezone.localdate(), move_out=cohort.ends_on, cohort=cohort
    )
    assert (proposal.seats, proposal.seats_needed, proposal.enough) == (10, 11, False)


def test_a_room_is_never_double_booked(lab):
    day = tomorrow()
    services.room_book(
        actor=lab.founder,
        room=lab.spaces["R-1"],
        starts_at=at(day, 10),
        ends_at=at(day, 11),
        title="Investor call",
        startup=lab.startup,
    )
    with pytest.raises(services.WorkspaceError, match="already booked from 10:00 to 11:00"):
        services.room_book(
            actor=lab.other_founder,
            room=lab.spaces["R-1"],
            starts_at=at(day, 10, 45),
            ends_at=at(day, 12),
            title="Hiring",
            startup=lab.other,
        )
    # Back to back is fine, and so is the other room.
    services.room_book(
        actor=lab.other_founder,
        room=lab.spaces["R-1"],
        starts_at=at(day, 11),
        ends_at=at(day, 12),
        title="Hiring",
        startup=lab.other,
    )
    services.room_book(
        actor=lab.other_founder,
        room=lab.spaces["R-2"],
        starts_at=at(day, 10),
        ends_at=at(day, 11),
        title="Stand-up",
        startup=lab.other,
    )
    assert RoomBooking.objects.count() == 3


@pytest.mark.parametrize(
    ("start", "end", "message"),
    [
        ((10, 0), (10, 0), "end after it starts"),
        ((10, 5), (11, 0), "quarter hour"),
        ((6, 0), (7, 0), "from 07:00 to 22:00"),
        ((21, 0), (23, 0), "from 07:00 to 22:00"),
        ((8, 0), (17, 0), "at most 8 hours"),
    ],
)
def test_bad_booking_times_are_refused_with_a_reason(lab, start, end, message):
    day = tomorrow()
    with pytest.raises(services.WorkspaceError, match=message):
        services.room_book(
            actor=lab.founder,
            room=lab.spaces["R-1"],
            starts_at=at(day, *start),
            ends_at=at(day, *end),
            title="Call",
            startup=lab.startup,
        )
    assert RoomBooking.objects.count() == 0


def test_past_and_far_future_bookings_are_refused(lab):
    yesterday = timezone.localdate() - timedelta(days=1)
    with pytest.raises(services.WorkspaceError, match="already passed"):
        services.room_book(
            actor=lab.founder,
            room=lab.spaces["R-1"],
            starts_at=at(yesterday, 10),
            ends_at=at(yesterday, 11),
            title="Call",
            startup=lab.startup,
        )
    far = timezone.localdate() + timedelta(days=120)
    with pytest.raises(services.WorkspaceError, match="90 days ahead"):
        services.room_book(
            actor=lab.founder,
            room=lab.spaces["R-1"],
            starts_at=at(far, 10),
            ends_at=at(far, 11),
            title="Call",
            startup=lab.startup,
        )


def test_only_startups_in_the_lab_book_rooms_and_only_rooms_are_booked(lab):
    outsider, founder, _cohort = admitted("Gamma Robotics")
    day = tomorrow()
    with pytest.raises(services.WorkspaceError, match="no desk in the Lab"):
        services.room_book(
            actor=founder,
            room=lab.spaces["R-1"],
            starts_at=at(day, 10),
            ends_at=at(day, 11),
            title="Call",
            startup=outsider,
        )
    with pytest.raises(services.WorkspaceError, match="Only meeting rooms"):
        services.room_book(
            actor=lab.founder,
            room=lab.spaces["N-02"],
            starts_at=at(day, 10),
            ends_at=at(day, 11),
            title="Call",
            startup=lab.startup,
        )


def test_the_same_idempotency_key_returns_the_first_booking(lab):
    day = tomorrow()
    kwargs = {
        "actor": lab.founder,
        "room": lab.spaces["R-1"],
        "starts_at": at(day, 10),
        "ends_at": at(day, 11),
        "title": "Call",
        "startup": lab.startup,
        "idempotency_key": "k-1",
    }
    first = services.room_book(**kwargs)
    again = services.room_book(**kwargs)
    assert again.pk == first.pk
    with pytest.raises(services.WorkspaceError, match="different booking"):
        services.room_book(**{**kwargs, "ends_at": at(day, 12)})
    assert RoomBooking.objects.count() == 1


def test_cancel_frees_the_room_and_bumps_the_sequence(lab):
    day = tomorrow()
    booking = services.room_book(
        actor=lab.founder,
        room=lab.spaces["R-1"],
        starts_at=at(day, 10),
        ends_at=at(day, 11),
        title="Call",
        startup=lab.startup,
    )
    services.room_cancel(actor=lab.founder, booking=booking)
    services.room_cancel(actor=lab.founder, booking=booking)  # twice: nothing more
    booking.refresh_from_db()
    assert booking.is_cancelled and booking.sequence == 1
    services.room_book(
        actor=lab.other_founder,
        room=lab.spaces["R-1"],
        starts_at=at(day, 10),
        ends_at=at(day, 11),
        title="Hiring",
        startup=lab.other,
    )


def test_move_out_can_be_brought_forward_but_not_over_the_next_startup(lab):
    first = Allocation.objects.get(space=lab.spaces["N-01"])
    newcomer, _founder, _cohort = admitted("Gamma Robotics")
    services.allocation_create(
        actor=lab.manager,
        startup=newcomer,
        spaces=[lab.spaces["N-01"]],
        move_in=first.move_out + timedelta(days=1),
        move_out=first.move_out + timedelta(days=30),
    )
    earlier = first.move_out - timedelta(days=10)
    services.allocation_change_move_out(actor=lab.manager, allocation=first, move_out=earlier)
    first.refresh_from_db()
    assert first.move_out == earlier
    with pytest.raises(services.WorkspaceError, match="given to Gamma Robotics"):
        services.allocation_change_move_out(
            actor=lab.manager, allocation=first, move_out=earlier + timedelta(days=20)
        )


# The floor is built once per test; each example starts from no bookings.
@settings(
    max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    st.lists(
        st.tuples(st.integers(0, 20), st.integers(1, 12), st.sampled_from(["R-1", "R-2"])),
        min_size=1,
        max_size=12,
    )
)
def test_accepted_bookings_never_overlap(lab, requests):
    RoomBooking.objects.all().delete()
    day = tomorrow()
    for start_quarter, quarters, room in requests:
        starts = at(day, 9) + timedelta(minutes=15 * start_quarter)
        try:
            services.room_book(
                actor=lab.founder,
                room=lab.spaces[room],
                starts_at=starts,
                ends_at=starts + timedelta(minutes=15 * quarters),
                title="Slot",
                startup=lab.startup,
            )
        except services.WorkspaceError as error:
            assert error.code == "conflict"
    for room in ("R-1", "R-2"):
        bookings = list(RoomBooking.objects.filter(room=lab.spaces[room]).order_by("starts_at"))
        for earlier, later in zip(bookings, bookings[1:], strict=False):
            assert earlier.ends_at <= later.starts_at
