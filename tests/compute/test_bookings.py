from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from hypothesis import given, settings
from hypothesis import strategies as st

from nurture.compute.models import Booking, BookingState
from nurture.compute.services import ComputeError, booking_cancel, booking_create, peak_load
from tests.compute.conftest import next_hour


def book(w, gpus, start_in, hours, *, startup=None, actor=None, key=None):
    starts = next_hour(start_in)
    return booking_create(
        startup=startup or w.startup,
        gpu_model=w.a100,
        gpus=gpus,
        starts_at=starts,
        ends_at=starts + timedelta(hours=hours),
        actor=actor or w.founder,
        idempotency_key=key,
    )


def test_a_booking_counts_gpu_hours(compute):
    booking = book(compute, 2, 1, 3)
    assert (booking.gpus, booking.gpu_hours, booking.state) == (2, Decimal(6), "confirmed")


def test_capacity_is_never_exceeded_at_any_instant(compute):
    book(compute, 6, 1, 4)
    book(compute, 2, 2, 1, startup=compute.other, actor=compute.other_founder)
    with pytest.raises(ComputeError) as refused:
        book(compute, 1, 2, 1, startup=compute.other, actor=compute.other_founder)
    assert refused.value.code == "capacity"
    # Back to back with the first booking's end: the GPUs are free again.
    assert book(compute, 8, 5, 1).gpus == 8


def test_booking_beyond_the_quota_left_after_other_bookings_is_refused(compute):
    book(compute, 8, 1, 10)  # 80 of the 100 GPU-hours
    with pytest.raises(ComputeError) as refused:
        book(compute, 8, 20, 3)  # 24 more
    assert refused.value.code == "quota"
    assert book(compute, 4, 20, 5).gpu_hours == Decimal(20)


def test_the_same_idempotency_key_gives_the_same_booking(compute):
    first = book(compute, 1, 1, 2, key="k-1")
    again = book(compute, 1, 1, 2, key="k-1")
    assert again.pk == first.pk
    assert Booking.objects.count() == 1
    with pytest.raises(ComputeError) as refused:
        book(compute, 2, 1, 2, key="k-1")
    assert refused.value.code == "idempotency_conflict"


@pytest.mark.parametrize(
    "start_in, hours, minute, field",
    [
        (-3, 2, 0, "starts_at"),
        (1, 0, 0, "ends_at"),
        (1, 400, 0, "ends_at"),
        (1, 2, 30, "starts_at"),
    ],
)
def test_bad_windows_are_refused(compute, start_in, hours, minute, field):
    starts = next_hour(start_in).replace(minute=minute)
    with pytest.raises(ComputeError) as refused:
        booking_create(
            startup=compute.startup,
            gpu_model=compute.a100,
            gpus=1,
            starts_at=starts,
            ends_at=starts + timedelta(hours=hours),
            actor=compute.founder,
        )
    assert refused.value.field == field
    assert Booking.objects.count() == 0


def test_cancel_frees_capacity_and_quota_and_happens_once(compute):
    booking = book(compute, 8, 1, 12)
    booking_cancel(booking=booking, actor=compute.founder)
    assert Booking.objects.get().state == BookingState.CANCELLED
    with pytest.raises(ComputeError):
        booking_cancel(booking=booking, actor=compute.manager)
    assert book(compute, 8, 1, 12).gpus == 8


windows = st.lists(
    st.tuples(st.integers(0, 30), st.integers(1, 10), st.integers(1, 8)), max_size=25
)


@settings(max_examples=40, deadline=None)
@given(requests=windows)
@pytest.mark.django_db
def test_any_sequence_of_bookings_stays_within_capacity(requests):
    from django.db.transaction import atomic, set_rollback

    from tests.compute.conftest import lab

    with atomic():  # each example starts from the same empty Lab
        _book_and_check(lab(), requests)
        set_rollback(True)


def _book_and_check(w, requests):
    for start_in, hours, gpus in requests:
        try:
            book(w, gpus, start_in + 1, hours)
        except ComputeError as error:
            assert error.code in {"capacity", "quota"}
    held = list(
        Booking.objects.filter(state=BookingState.CONFIRMED).values_list(
            "starts_at", "ends_at", "gpus"
        )
    )
    if held:
        first = min(start for start, _end, _gpus in held)
        last = max(end for _start, end, _gpus in held)
        assert peak_load(held, first, last) <= 8
    assert sum(Decimal(g) * Decimal((e - s) / timedelta(hours=1)) for s, e, g in held) <= 100


def test_peak_load_frees_gpus_at_the_end_instant():
    t = next_hour(1)
    hour = timedelta(hours=1)
    assert peak_load([(t, t + hour, 3), (t + hour, t + 2 * hour, 4)], t, t + 2 * hour) == 4
    assert peak_load([(t, t + 2 * hour, 3), (t + hour, t + 3 * hour, 4)], t, t + 3 * hour) == 7


def test_a_booking_downloads_as_an_ics_event_for_its_startup_only(client, compute):
    from icalendar import Calendar

    start = next_hour(3)
    booking = booking_create(
        startup=compute.startup,
        gpu_model=compute.a100,
        gpus=2,
        starts_at=start,
        ends_at=start + timedelta(hours=2),
        actor=compute.founder,
    )
    url = reverse("compute:booking_ics", args=[booking.pk])
    client.force_login(compute.founder)
    response = client.get(url)
    assert response["Content-Type"].startswith("text/calendar")
    (event,) = Calendar.from_ical(response.content).walk("VEVENT")
    assert event.decoded("dtstart") == booking.starts_at
    assert "2 × NVIDIA A100 80GB" in str(event["summary"])
    client.force_login(compute.other_founder)
    assert client.get(url).status_code == 404
