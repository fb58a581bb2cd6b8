from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from nurture.applications.eligibility import check
from tests import factories

pytestmark = pytest.mark.django_db


def fields(application):
    return sorted(p.field for p in check(application))


def test_a_complete_application_has_no_problems():
    assert check(factories.ApplicationFactory()) == []


def test_missing_hong_kong_presence_is_explained():
    application = factories.ApplicationFactory(
        registered_in_hk=False, business_registration_number="", hk_presence_plan=""
    )
    problems = check(application)
    assert [p.field for p in problems] == ["registered_in_hk"]
    assert "Hong Kong presence" in problems[0].message


def test_a_plan_to_register_in_hong_kong_is_enough():
    application = factories.ApplicationFactory(
        registered_in_hk=False,
        business_registration_number="",
        hk_presence_plan="Incorporating in Hong Kong next month.",
    )
    assert check(application) == []


def test_too_old_a_company_is_refused():
    application = factories.ApplicationFactory(
        date_founded=timezone.localdate() - timedelta(days=366 * 6)
    )
    assert fields(application) == ["date_founded"]


def test_a_founding_date_in_the_future_is_refused():
    application = factories.ApplicationFactory(
        date_founded=timezone.localdate() + timedelta(days=3)
    )
    assert fields(application) == ["date_founded"]


def test_team_rules_follow_the_programme():
    application = factories.ApplicationFactory(team_size=1, full_time_staff=1, technical_staff=0)
    assert fields(application) == ["team_size", "technical_staff"]


def test_more_technical_than_full_time_staff_is_inconsistent():
    application = factories.ApplicationFactory(full_time_staff=2, technical_staff=3)
    assert fields(application) == ["technical_staff"]


def test_founders_equity_below_the_programme_minimum_is_refused():
    application = factories.ApplicationFactory(founders_equity=Decimal("5"))
    problems = check(application)
    assert [p.field for p in problems] == ["founders_equity"]
    assert "10%" in problems[0].message


def test_rules_come_from_the_programme_data():
    application = factories.ApplicationFactory(founders_equity=Decimal("5"))
    programme = application.cohort.programme
    programme.min_founder_equity = Decimal("0")
    programme.save()
    application.cohort.programme.refresh_from_db()
    assert check(application) == []


def test_blank_answers_are_listed_as_missing():
    application = factories.ApplicationFactory(
        team_size=None, sector=None, stage="", product_description=""
    )
    problems = check(application)
    assert {p.field for p in problems} == {"team_size", "sector", "stage", "product_description"}
    assert all(p.kind == "missing" for p in problems)
