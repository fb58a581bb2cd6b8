from datetime import timedelta

from django.core.files.uploadedfile import SimpleUploadedFile

from nurture.accounts.services import api_token_create
from nurture.compute.models import Booking, UsageRecord
from tests.api.conftest import ApiClient
from tests.compute.conftest import next_hour
from tests.compute.test_imports import GOOD


def api_for(user) -> ApiClient:
    _token, key = api_token_create(user=user, name="tests")
    return ApiClient(key)


def booking_body(w, gpus=2, start_in=2, hours=2):
    start = next_hour(start_in)
    return {
        "startup": w.startup.pk,
        "gpu_model": w.a100.pk,
        "gpus": gpus,
        "starts_at": start.isoformat(),
        "ends_at": (start + timedelta(hours=hours)).isoformat(),
    }


def test_a_retried_booking_with_the_same_key_is_not_booked_twice(compute):
    api = api_for(compute.founder)
    headers = {"Idempotency-Key": "3b1f-booking"}
    first = api.post("/compute/bookings", booking_body(compute), headers=headers)
    again = api.post("/compute/bookings", booking_body(compute), headers=headers)
    assert (first.status_code, again.status_code) == (201, 201)
    assert first.json()["id"] == again.json()["id"]
    assert first.json()["gpu_hours"] in ("4", "4.0000", 4)
    assert Booking.objects.count() == 1


def test_booking_beyond_capacity_is_a_conflict(compute):
    api = api_for(compute.founder)
    response = api.post("/compute/bookings", booking_body(compute, gpus=9))
    assert response.status_code == 409
    assert response.json()["code"] == "capacity"
    assert Booking.objects.count() == 0


def test_booking_off_the_hour_is_refused_with_its_field(compute):
    api = api_for(compute.founder)
    body = booking_body(compute)
    body["starts_at"] = (next_hour(2) + timedelta(minutes=15)).isoformat()
    response = api.post("/compute/bookings", body)
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "starts_at"


def test_cancel_then_cancel_again_is_a_conflict(compute):
    api = api_for(compute.founder)
    booking = api.post("/compute/bookings", booking_body(compute)).json()
    assert api.post(f"/compute/bookings/{booking['id']}/cancel").json()["state"] == "cancelled"
    assert api.post(f"/compute/bookings/{booking['id']}/cancel").status_code == 409


def test_usage_and_availability(compute):
    api = api_for(compute.founder)
    api.post("/compute/bookings", booking_body(compute, gpus=3, start_in=1, hours=1))
    usage = api.get(f"/compute/startups/{compute.startup.pk}/usage").json()
    assert usage["gpu_hours_left"] in ("100", "100.0000", 100)
    assert usage["gpu_hours_booked"] in ("3", "3.0000", 3)
    week = api.get(f"/compute/availability?gpu_model={compute.a100.pk}").json()
    assert week["capacity"] == 8
    assert min(min(row["free"]) for row in week["hours"]) == 5


def test_a_bad_slurm_file_answers_422_with_its_lines_and_posts_nothing(compute):
    api = api_for(compute.manager)
    bad = GOOD + "x y|alpha-vision|2026-11-02T09:00:00|2026-11-02T10:00:00|gres/gpu=1\n"
    response = api.client.post(
        "/api/compute/slurm-imports",
        {"cluster": compute.cluster.pk, "file": SimpleUploadedFile("s.txt", bad.encode())},
        headers=api.headers,
    )
    assert response.status_code == 422
    assert response.json()["code"] == "file_rejected"
    assert response.json()["errors"][0]["field"] == "line 7"
    assert UsageRecord.objects.count() == 0


def test_odd_booking_requests_get_a_4xx(compute):
    api = api_for(compute.founder)
    naive = booking_body(compute)
    naive["starts_at"] = naive["starts_at"][:19]
    assert api.post("/compute/bookings", naive).status_code == 422
    huge = booking_body(compute, gpus=10**9)
    assert api.post("/compute/bookings", huge).status_code in (409, 422)
    far = booking_body(compute)
    far["starts_at"], far["ends_at"] = "9999-12-31T22:00:00+00:00", "9999-12-31T23:00:00+00:00"
    assert api.post("/compute/bookings", far).status_code == 422
    week = api.get(f"/compute/availability?gpu_model={compute.a100.pk}&week=9999-12-31")
    assert week.status_code == 200
    assert Booking.objects.count() == 0
