"""Startup profiles through the API: created by founders, changed by their members."""

import pytest

from nurture.startups.models import Startup
from tests import factories


@pytest.fixture
def founder_api(world, as_user):
    return as_user(world["users"]["founder"])


def test_a_founder_creates_a_startup_and_becomes_its_member(db, as_user):
    founder = factories.FounderFactory()
    sector = factories.SectorFactory()

    response = as_user(founder).post(
        "/startups",
        {
            "name": "Facade AI",
            "registered_in_hk": True,
            "business_registration_number": "71234567",
            "date_founded": "2025-01-15",
            "sector": sector.pk,
            "website": "https://facade.example",
        },
    )

    assert response.status_code == 201, response.content
    body = response.json()
    startup = Startup.objects.get(pk=body["id"])
    assert (startup.name, startup.sector, str(startup.date_founded)) == (
        "Facade AI",
        sector,
        "2025-01-15",
    )
    assert [m["user_id"] for m in body["members"]] == [founder.pk]


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({}, "name"),
        ({"name": ""}, "name"),
        ({"name": "A", "website": "not a url"}, "website"),
        ({"name": "A", "registered_in_hk": True}, "business_registration_number"),
        ({"name": "A", "sector": 999999}, "sector"),
        ({"name": "A", "owner": 1}, "owner"),
    ],
)
def test_an_invalid_startup_is_refused_with_the_field(db, as_user, payload, field):
    founder = factories.FounderFactory()

    response = as_user(founder).post("/startups", payload)

    assert response.status_code == 422, response.content
    assert field in {e["field"] for e in response.json()["errors"]}
    assert not founder.startups.exists()


def test_a_member_changes_only_the_fields_sent(world, founder_api):
    startup = world["startup"]

    response = founder_api.patch(f"/startups/{startup.pk}", {"summary": "Drones and vision."})

    assert response.status_code == 200, response.content
    startup.refresh_from_db()
    assert (startup.summary, startup.registered_in_hk) == ("Drones and vision.", True)


def test_a_change_that_breaks_the_forms_rules_is_refused(world, founder_api):
    startup = world["startup"]

    response = founder_api.patch(f"/startups/{startup.pk}", {"business_registration_number": ""})

    assert response.status_code == 422
    startup.refresh_from_db()
    assert startup.business_registration_number != ""
