from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse

from nurture.audit.models import AuditEntry
from nurture.programmes.models import Call, Cohort
from tests import factories

HONG_KONG = ZoneInfo("Asia/Hong_Kong")


@pytest.fixture
def programme(db):
    return factories.programme_default()


def _data(programme, **changes):
    data = {
        "programme": programme.pk,
        "year": "2041",
        "intake": "spring",
        "name": "",
        "capacity": "8",
        "starts_on": "2041-03-01",
        "ends_on": "2041-08-31",
        "title": "Call for the 2041 Spring cohort",
        "title_zh_hant": "2041 年春季招募",
        "description": "Six months in the Lab.",
        "description_zh_hant": "",
        "opens_at": "2040-11-01T09:00",
        "closes_at": "2041-01-15T18:00",
    }
    data.update(changes)
    return data


def test_creates_a_cohort_with_its_call_in_hong_kong_time(
    staff_client, programme_manager, programme
):
    response = staff_client.post(reverse("programmes:cohort_create"), _data(programme))
    assert response.status_code == 302
    cohort = Cohort.objects.get(year=2041)
    assert (cohort.name, cohort.intake, cohort.capacity) == ("2041 Spring", "spring", 8)
    assert (cohort.starts_on, cohort.ends_on) == (date(2041, 3, 1), date(2041, 8, 31))
    call = cohort.call
    assert call.title_zh_hant == "2041 年春季招募"
    assert call.opens_at == datetime(2040, 11, 1, 9, 0, tzinfo=HONG_KONG)
    assert call.closes_at == datetime(2041, 1, 15, 18, 0, tzinfo=HONG_KONG)
    entry = AuditEntry.objects.get(action="cohort.created")
    assert (entry.actor, entry.target_id) == (programme_manager, str(cohort.pk))


def test_the_form_shows_the_call_in_hong_kong_time(staff_client, db):
    cohort = factories.CallFactory(
        opens_at=datetime(2030, 1, 1, 1, 30, tzinfo=ZoneInfo("UTC")),
        closes_at=datetime(2030, 1, 20, 10, 0, tzinfo=ZoneInfo("UTC")),
    ).cohort
    html = staff_client.get(reverse("programmes:cohort_edit", args=[cohort.pk])).content.decode()
    assert 'value="2030-01-01T09:30"' in html
    assert 'value="2030-01-20T18:00"' in html


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"capacity": "12"}, "capacity", "The programme takes 6 to 10 startups per cohort."),
        ({"capacity": "5"}, "capacity", "The programme takes 6 to 10 startups per cohort."),
        ({"ends_on": "2041-02-01"}, "ends_on", "The programme must end after it starts."),
        (
            {"opens_at": "2041-01-20T09:00"},
            "closes_at",
            "The call must close after it opens.",
        ),
        (
            {"closes_at": "2041-03-01T10:00"},
            "closes_at",
            "The call must close before the programme starts.",
        ),
        ({"title": ""}, "title", "This field is required."),
        ({"opens_at": "next tuesday"}, "opens_at", "Enter a valid date/time."),
    ],
)
def test_refuses_an_inconsistent_cohort_with_a_friendly_message(
    staff_client, programme, changes, field, message
):
    response = staff_client.post(reverse("programmes:cohort_create"), _data(programme, **changes))
    assert response.status_code == 200
    assert response.context["form"].errors[field] == [message]
    assert not Cohort.objects.filter(year=2041).exists()
    assert not Call.objects.filter(title__startswith="Call for the 2041").exists()
    assert not AuditEntry.objects.filter(action="cohort.created").exists()


def test_a_second_cohort_for_the_same_intake_is_a_form_error_not_a_crash(staff_client, programme):
    factories.CohortFactory(programme=programme, year=2041, intake="spring")
    response = staff_client.post(
        reverse("programmes:cohort_create"), _data(programme, name="Another name")
    )
    assert response.status_code == 200
    assert response.context["form"].errors["intake"] == [
        "HKAI Lab AI startup accelerator already has a cohort for this intake in 2041."
    ]
    assert Cohort.objects.filter(year=2041).count() == 1


def test_edits_the_cohort_and_its_call(staff_client, programme_manager, programme):
    cohort = factories.CallFactory(cohort__year=2041).cohort
    response = staff_client.post(
        reverse("programmes:cohort_edit", args=[cohort.pk]),
        _data(
            programme,
            capacity="6",
            name="2041 Spring (AI for cities)",
            closes_at="2041-01-31T23:59",
        ),
    )
    assert response.status_code == 302
    cohort.refresh_from_db()
    cohort.call.refresh_from_db()
    assert (cohort.name, cohort.capacity) == ("2041 Spring (AI for cities)", 6)
    assert cohort.call.closes_at == datetime(2041, 1, 31, 23, 59, tzinfo=HONG_KONG)
    entry = AuditEntry.objects.get(action="cohort.updated")
    assert entry.actor == programme_manager
    assert entry.data["fields"] == ["capacity", "name"]
    assert "closes_at" in entry.data["call_fields"]


def test_editing_a_cohort_may_keep_its_own_intake(staff_client, programme):
    cohort = factories.CallFactory(cohort__year=2041).cohort
    data = _data(programme)
    del data["programme"]  # the edit page does not offer it
    response = staff_client.post(reverse("programmes:cohort_edit", args=[cohort.pk]), data)
    assert response.status_code == 302
    assert (
        "programme"
        not in staff_client.get(reverse("programmes:cohort_edit", args=[cohort.pk]))
        .context["form"]
        .fields
    )


def test_editing_into_another_cohorts_intake_is_refused(staff_client, programme):
    factories.CohortFactory(programme=programme, year=2041, intake="autumn")
    cohort = factories.CallFactory(cohort__year=2041).cohort
    response = staff_client.post(
        reverse("programmes:cohort_edit", args=[cohort.pk]), _data(programme, intake="autumn")
    )
    assert response.status_code == 200
    assert "intake" in response.context["form"].errors
    cohort.refresh_from_db()
    assert cohort.intake == "spring"


def test_a_cohort_without_a_call_gets_one_when_edited(staff_client, programme):
    cohort = factories.CohortFactory(year=2041)
    staff_client.post(reverse("programmes:cohort_edit", args=[cohort.pk]), _data(programme))
    assert Call.objects.get(cohort=cohort).title == "Call for the 2041 Spring cohort"


def test_cohort_list_shows_each_cohort(staff_client, db):
    cohort = factories.CallFactory().cohort
    factories.submitted(cohort=cohort)
    response = staff_client.get(reverse("programmes:cohort_list"))
    html = response.content.decode()
    assert cohort.name in html
    assert reverse("programmes:application_list", args=[cohort.pk]) in html


def test_cohort_list_query_count_does_not_grow(staff_client, db, count_queries):
    factories.CallFactory()
    url = reverse("programmes:cohort_list")
    staff_client.get(url)
    one = count_queries(lambda: staff_client.get(url))
    for _n in range(5):
        cohort = factories.CallFactory().cohort
        factories.submitted(cohort=cohort, pitch_deck="")
    factories.CohortFactory()  # a cohort without a call
    assert count_queries(lambda: staff_client.get(url)) == one
