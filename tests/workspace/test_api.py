"""The workspace API: what each founder sees, bad input, idempotent retries."""

import pytest

from nurture.accounts.services import api_token_create
from nurture.workspace.models import RoomBooking
from tests.api.conftest import ApiClient

from .conftest import at, tomorrow

pytestmark = pytest.mark.django_db


def api_for(user) -> ApiClient:
    _token, key = api_token_create(user=user, name="tests")
    return ApiClient(key)


def booking_body(lab, start=10, end=11, **extra):
    return {
        "startup": lab.startup.pk,
        "room": lab.spaces["R-1"].pk,
        "starts_at": at(tomorrow(), start).isoformat(),
        "ends_at": at(tomorrow(), end).isoformat(),
        "title": "Investor call",
        **extra,
    }


def test_a_founder_books_and_a_retry_with_the_same_key_books_nothing_more(lab):
    api = api_for(lab.founder)
    headers = {"Idempotency-Key": "retry-1"}
    first = api.post("/workspace/bookings", booking_body(lab), headers=headers)
    again = api.post("/workspace/bookings", booking_body(lab), headers=headers)
    assert (first.status_code, again.status_code) == (201, 201)
    assert first.json() == again.json()
    assert RoomBooking.objects.count() == 1


def test_a_taken_slot_is_a_conflict_and_bad_times_are_422(lab):
    api = api_for(lab.founder)
    assert api.post("/workspace/bookings", booking_body(lab)).status_code == 201
    taken = api.post("/workspace/bookings", booking_body(lab, start=10, end=12))
    assert taken.status_code == 409
    assert taken.json()["code"] == "conflict"
    backwards = api.post("/workspace/bookings", booking_body(lab, start=12, end=11))
    assert backwards.status_code == 422
    assert backwards.json()["errors"][0]["field"] == "ends_at"
    garbage = api.post("/workspace/bookings", {**booking_body(lab), "starts_at": "soon"})
    assert garbage.status_code == 422
    assert RoomBooking.objects.count() == 1


def test_another_startups_bookings_are_neither_listed_nor_named(lab):
    other_api = api_for(lab.other_founder)
    other_api.post(
        "/workspace/bookings",
        {**booking_body(lab), "startup": lab.other.pk, "title": "Their secret"},
    )
    api = api_for(lab.founder)
    assert api.get("/workspace/bookings").json()["items"] == []
    day = api.get(f"/workspace/rooms/day?day={tomorrow().isoformat()}").json()
    taken = [s for room in day for s in room["slots"] if s["title"]]
    assert [(s["title"], s["booking"]) for s in taken] == [("Booked", None)]
    other = RoomBooking.objects.get()
    assert api.post(f"/workspace/bookings/{other.pk}/cancel").status_code == 404
    other.refresh_from_db()
    assert not other.is_cancelled


def test_allocations_are_a_founders_own(lab):
    items = api_for(lab.founder).get("/workspace/allocations").json()["items"]
    assert [(i["startup"], i["space_code"]) for i in items] == [(lab.startup.pk, "N-01")]


@pytest.mark.parametrize("day", ["0001-01-01", "9999-12-31"])
def test_a_far_off_day_is_refused_not_a_server_error(lab, day):
    response = api_for(lab.founder).get(f"/workspace/rooms/day?day={day}")
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "day"


@pytest.mark.parametrize(
    ("starts_at", "ends_at"),
    [
        ("9999-12-31T23:00:00+00:00", "9999-12-31T23:45:00+00:00"),
        ("0001-01-01T00:00:00+00:00", "0001-01-01T01:00:00+00:00"),
    ],
)
def test_far_off_booking_times_are_refused_not_a_server_error(lab, starts_at, ends_at):
    body = {**booking_body(lab), "starts_at": starts_at, "ends_at": ends_at}
    response = api_for(lab.founder).post("/workspace/bookings", body)
    assert response.status_code == 422
    assert RoomBooking.objects.count() == 0
