"""The workspace pages: what founders and staff see and can do, and what bad input gets."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar

from nurture.workspace import services
from nurture.workspace.models import Allocation, RoomBooking

from .conftest import admitted, at, tomorrow

pytestmark = pytest.mark.django_db


def book(lab, day=None, start=10, end=11, startup=None, actor=None, room="R-1", title="Call"):
    day = day or tomorrow()
    return services.room_book(
        actor=actor or lab.founder,
        room=lab.spaces[room],
        starts_at=at(day, start),
        ends_at=at(day, end),
        title=title,
        startup=startup or lab.startup,
    )


def test_a_founder_books_a_room_through_the_form(client, lab):
    client.force_login(lab.founder)
    url = reverse("workspace:book", args=[lab.startup.pk])
    response = client.post(
        url,
        {
            "room": lab.spaces["R-1"].pk,
            "day": tomorrow().isoformat(),
            "start": "10:00",
            "end": "11:30",
            "title": "Investor call",
        },
    )
    assert response.status_code == 302
    booking = RoomBooking.objects.get()
    assert (booking.startup, booking.booked_by, booking.title) == (
        lab.startup,
        lab.founder,
        "Investor call",
    )
    page = client.get(reverse("workspace:startup", args=[lab.startup.pk]))
    assert "Investor call" in page.content.decode()


def test_a_taken_slot_is_refused_with_a_clear_message_and_nothing_saved(client, lab):
    book(lab, startup=lab.other, actor=lab.other_founder, title="Secret board meeting")
    client.force_login(lab.founder)
    response = client.post(
        reverse("workspace:book", args=[lab.startup.pk]),
        {
            "room": lab.spaces["R-1"].pk,
            "day": tomorrow().isoformat(),
            "start": "10:30",
            "end": "11:00",
            "title": "Call",
        },
    )
    assert response.status_code == 200
    text = response.content.decode()
    assert "already booked from 10:00 to 11:00" in text
    # Another startup's booking shows as taken, never by its title.
    assert "Secret board meeting" not in text
    assert RoomBooking.objects.count() == 1


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"start": "11:00", "end": "10:00"}, "The booking must end after it starts."),
        ({"start": "25:00"}, "Select a valid choice."),
        ({"day": "not-a-date"}, "Enter a valid date."),
        ({"room": "999999"}, "Select a valid choice."),
        ({"title": ""}, "This field is required."),
        ({"title": "x" * 200}, "at most 120 characters"),
    ],
)
def test_bad_input_gets_a_message_not_an_error(client, lab, data, message):
    client.force_login(lab.founder)
    form = {
        "room": lab.spaces["R-1"].pk,
        "day": tomorrow().isoformat(),
        "start": "10:00",
        "end": "11:00",
        "title": "Call",
        **data,
    }
    response = client.post(reverse("workspace:book", args=[lab.startup.pk]), form)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert RoomBooking.objects.count() == 0


def test_a_founder_cannot_book_or_see_for_another_startup(client, lab):
    client.force_login(lab.founder)
    assert client.get(reverse("workspace:book", args=[lab.other.pk])).status_code == 403
    assert client.get(reverse("workspace:startup", args=[lab.other.pk])).status_code == 403
    other_booking = book(lab, startup=lab.other, actor=lab.other_founder)
    cancel = reverse("workspace:booking_cancel", args=[other_booking.pk])
    assert client.post(cancel).status_code == 404
    ics_url = reverse("workspace:booking_ics", args=[other_booking.pk])
    assert client.get(ics_url).status_code == 404
    other_booking.refresh_from_db()
    assert not other_booking.is_cancelled


def test_the_room_calendar_names_only_ones_own_bookings(client, lab):
    book(lab, title="Our stand-up")
    book(lab, room="R-2", startup=lab.other, actor=lab.other_founder, title="Their pitch")
    client.force_login(lab.founder)
    text = client.get(reverse("workspace:rooms"), {"date": tomorrow().isoformat()}).content
    text = text.decode()
    assert "Our stand-up" in text
    assert "Their pitch" not in text
    assert "Booked" in text
    staff = client
    staff.force_login(lab.manager)
    text = staff.get(reverse("workspace:rooms"), {"date": tomorrow().isoformat()}).content
    assert "Their pitch" in text.decode()


def test_the_calendar_survives_a_bad_date(client, lab):
    client.force_login(lab.founder)
    response = client.get(reverse("workspace:rooms"), {"date": "2026-13-45"})
    assert response.status_code == 200


def test_booking_ics_is_a_valid_calendar_with_a_stable_uid(client, lab):
    booking = book(lab, title="Investor call")
    client.force_login(lab.founder)
    response = client.get(reverse("workspace:booking_ics", args=[booking.pk]))
    assert response["Content-Type"].startswith("text/calendar")
    assert "attachment" in response["Content-Disposition"]
    (event,) = Calendar.from_ical(response.content).walk("VEVENT")
    assert str(event["uid"]).startswith(f"room-booking-{booking.pk}@")
    assert event.decoded("dtstart") == booking.starts_at
    assert event.decoded("dtend") == booking.ends_at
    assert "Investor call" in str(event["summary"])
    assert str(event["status"]) == "CONFIRMED"

    services.room_cancel(actor=lab.founder, booking=booking)
    response = client.get(reverse("workspace:booking_ics", args=[booking.pk]))
    (event,) = Calendar.from_ical(response.content).walk("VEVENT")
    assert str(event["status"]) == "CANCELLED"
    assert int(event["sequence"]) == 1


def test_the_startup_calendar_holds_its_bookings_and_move_days(client, lab):
    book(lab, title="One")
    book(lab, start=14, end=15, title="Two")
    client.force_login(lab.founder)
    response = client.get(reverse("workspace:startup_ics", args=[lab.startup.pk]))
    events = Calendar.from_ical(response.content).walk("VEVENT")
    summaries = sorted(str(e["summary"]) for e in events)
    assert len(events) == 4  # two bookings, move-in, move-out
    assert any("One" in s for s in summaries) and any("Move in" in s for s in summaries)


def test_a_manager_allocates_the_proposed_desks(client, lab):
    startup, _founder, cohort = admitted("Gamma Robotics", team_size=2, cohort=lab.cohort)
    client.force_login(lab.manager)
    url = reverse("workspace:allocate", args=[startup.pk])
    page = client.get(url)
    assert page.status_code == 200
    proposed = page.context["form"].initial["spaces"]
    assert len(proposed) == 2
    response = client.post(
        url,
        {
            "spaces": proposed,
            "move_in": page.context["form"].initial["move_in"].isoformat(),
            "move_out": cohort.ends_on.isoformat(),
        },
    )
    assert response.status_code == 302
    assert Allocation.objects.filter(startup=startup).count() == 2
    floor = client.get(reverse("workspace:floor")).content.decode()
    assert "Gamma Robotics" in floor


def test_allocating_a_taken_desk_says_who_has_it(client, lab):
    startup, _founder, _cohort = admitted("Gamma Robotics", cohort=lab.cohort)
    client.force_login(lab.manager)
    today = timezone.localdate()
    response = client.post(
        reverse("workspace:allocate", args=[startup.pk]),
        {
            "spaces": [lab.spaces["N-01"].pk],
            "move_in": today.isoformat(),
            "move_out": (today + timedelta(days=10)).isoformat(),
        },
    )
    assert response.status_code == 200
    assert "N-01 is given to Alpha Vision" in response.content.decode()
    assert not Allocation.objects.filter(startup=startup).exists()


def test_the_floor_lists_admitted_startups_without_space(client, lab):
    admitted("Gamma Robotics", cohort=lab.cohort)
    client.force_login(lab.manager)
    page = client.get(reverse("workspace:floor"))
    assert [s.name for s in page.context["to_place"]] == ["Gamma Robotics"]


def test_staff_create_a_space_and_a_duplicate_code_is_refused(client, lab):
    client.force_login(lab.manager)
    data = {
        "kind": "desk",
        "code": "N-07",
        "zone": "North",
        "seats": 1,
        "row": 1,
        "column": 7,
        "width": 1,
        "height": 1,
        "active": "on",
    }
    assert client.post(reverse("workspace:space_new"), data).status_code == 302
    response = client.post(reverse("workspace:space_new"), {**data, "code": "n-07"})
    assert response.status_code == 200
    assert "Another space already has this code." in response.content.decode()


def test_changing_a_move_out_day_from_the_startup_page(client, lab):
    allocation = Allocation.objects.get(space=lab.spaces["N-01"])
    client.force_login(lab.manager)
    new_day = allocation.move_out - timedelta(days=5)
    response = client.post(
        reverse("workspace:allocation_move_out", args=[allocation.pk]),
        {"move_out": new_day.isoformat()},
    )
    assert response.status_code == 302
    allocation.refresh_from_db()
    assert allocation.move_out == new_day
    bad = client.post(
        reverse("workspace:allocation_move_out", args=[allocation.pk]), {"move_out": "x"}
    )
    assert bad.status_code == 302
    allocation.refresh_from_db()
    assert allocation.move_out == new_day


def test_pages_render_in_traditional_chinese(client, lab):
    book(lab)
    client.force_login(lab.founder)
    client.cookies["django_language"] = "zh-hant"
    response = client.get(reverse("workspace:startup", args=[lab.startup.pk]))
    assert response.status_code == 200
    assert 'lang="zh-Hant"' in response.content.decode()


def test_showing_what_is_free_for_other_dates_gives_nothing(client, lab):
    startup, _founder, _cohort = admitted("Gamma Robotics", team_size=1, cohort=lab.cohort)
    first = Allocation.objects.get(space=lab.spaces["N-01"])
    client.force_login(lab.manager)
    after = first.move_out + timedelta(days=1)
    response = client.post(
        reverse("workspace:allocate", args=[startup.pk]),
        {
            "action": "propose",
            "move_in": after.isoformat(),
            "move_out": (after + timedelta(days=30)).isoformat(),
        },
    )
    assert response.status_code == 200
    # After Alpha Vision moves out, its desk N-01 is the first free one again.
    assert [s.code for s in response.context["proposal"].spaces] == ["N-01"]
    assert response.context["form"].initial["move_in"] == after
    assert not Allocation.objects.filter(startup=startup).exists()


@pytest.mark.parametrize("day", ["0001-01-01", "9999-12-31"])
def test_far_off_days_show_today_instead(client, lab, day):
    client.force_login(lab.manager)
    for name in ("workspace:rooms", "workspace:floor"):
        response = client.get(reverse(name), {"date": day})
        assert response.status_code == 200
        assert response.context["day"] == timezone.localdate()
