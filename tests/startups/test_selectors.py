"""A founder's dashboard reads written out in SQL agree with the ORM's answers."""

from datetime import UTC, date, datetime, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from nurture.applications.models import Application, ApplicationState
from nurture.programmes.models import Call, Sector
from nurture.startups.models import Invitation, Startup
from nurture.startups.selectors import pending_invitations, startups_with_applications
from tests import factories

pytestmark = pytest.mark.django_db


def values(instance, names=None) -> dict:
    """The loaded field values of an instance (deferred ones left out)."""
    loaded = instance.__dict__
    return {
        field.attname: loaded[field.attname]
        for field in instance._meta.concrete_fields
        if field.attname in loaded and (names is None or field.attname in names)
    }


@pytest.fixture
def founder():
    """A founder of three startups: one with applications in three cohorts (one without a
    call), one without any, one without a sector; and other people's startups besides."""
    user = factories.FounderFactory()
    sector = Sector.objects.order_by("pk").first()
    busy = factories.StartupFactory(
        name="beta", sector=sector, website="https://example.com", summary="Vision for ports."
    )
    idle = factories.StartupFactory(name="Alpha", sector=sector)
    bare = factories.StartupFactory(name="gamma", sector=None, date_founded=None)
    for startup in (busy, idle, bare):
        factories.MemberFactory(startup=startup, user=user)
    starts = [date(2026, 3, 1), date(2025, 9, 1), date(2027, 3, 1)]
    for index, starts_on in enumerate(starts):
        cohort = factories.CohortFactory(starts_on=starts_on, ends_on=starts_on + timedelta(180))
        if index != 1:
            factories.CallFactory(
                cohort=cohort,
                opens_at=datetime(2026, 1, 1, 8, 30, 15, 123456, tzinfo=UTC),
                closes_at=datetime(2026, 2, 1, 23, 59, tzinfo=UTC),
            )
        factories.ApplicationFactory(
            cohort=cohort, startup=busy, state=list(ApplicationState)[index]
        )
    factories.ApplicationFactory(startup=bare)
    # Someone else's startup and application, in the same cohorts.
    factories.ApplicationFactory(startup=factories.MemberFactory().startup)
    return user


def test_the_startups_and_applications_are_the_orms(founder):
    startups, applications = startups_with_applications(founder)

    expected = list(Startup.objects.filter(memberships__user=founder).select_related("sector"))
    assert [values(s) for s in startups] == [values(s) for s in expected]
    assert [values(s.sector) if s.sector else None for s in startups] == [
        values(s.sector) if s.sector else None for s in expected
    ]

    expected = list(
        Application.objects.filter(startup__memberships__user=founder)
        .select_related("startup", "cohort__call")
        .order_by("-cohort__starts_on")
    )
    assert [a.pk for a in applications] == [a.pk for a in expected]
    for mine, theirs in zip(applications, expected, strict=True):
        assert values(mine) == values(theirs, values(mine))
        assert values(mine.startup) == values(theirs.startup)
        assert values(mine.cohort) == values(theirs.cohort, values(mine.cohort))
        theirs_call = getattr(theirs.cohort, "call", None)
        if theirs_call is None:
            assert mine.cohort._state.fields_cache["call"] is None
        else:
            assert values(mine.cohort.call) == values(theirs_call, values(mine.cohort.call))
            assert mine.cohort.call.cohort is mine.cohort
    # The types as the ORM gives them: aware datetimes, dates, booleans.
    (call,) = [a.cohort.call for a in applications if a.cohort.starts_on == date(2026, 3, 1)]
    assert call.opens_at == datetime(2026, 1, 1, 8, 30, 15, 123456, tzinfo=UTC)
    assert call.opens_at.utcoffset() == timedelta(0)
    assert isinstance(startups[0].registered_in_hk, bool)
    assert isinstance(startups[0].date_founded, date)


def test_the_startups_query_is_one_query_and_nothing_loads_later(founder):
    with CaptureQueriesContext(connection) as queries:
        startups, applications = startups_with_applications(founder)
        for application in applications:
            (application.startup.name, application.cohort.display_name, application.state)
            call = application.cohort._state.fields_cache["call"]
            if call is not None:
                (call.opens_at, call.closes_at)
        for startup in startups:
            (startup.name, startup.sector.display_name if startup.sector else "")
    assert len(queries) == 1


def test_a_user_without_startups_has_none(db):
    assert startups_with_applications(factories.FounderFactory()) == ([], [])


def test_pending_invitations_are_the_orms_pending_ones(settings):
    settings.INVITATION_MAX_AGE_DAYS = 14
    startup, owner = factories.startup_with_founder()
    other, _owner = factories.startup_with_founder()
    now = timezone.now()
    made = [
        Invitation.objects.create(startup=startup, email="Co@Example.com", invited_by=owner),
        Invitation.objects.create(
            startup=other, email="co@example.COM", created_at=now - timedelta(days=13, hours=23)
        ),
        # Not pending: too old, accepted, revoked; or for someone else.
        Invitation.objects.create(
            startup=other, email="co@example.com", created_at=now - timedelta(days=14, hours=1)
        ),
        Invitation.objects.create(startup=startup, email="co@example.com", accepted_at=now),
        Invitation.objects.create(startup=other, email="co@example.com", revoked_at=now),
        Invitation.objects.create(startup=startup, email="co_x@example.com"),
        Invitation.objects.create(startup=startup, email="co%@example.com"),
    ]
    expected = [
        i
        for i in Invitation.objects.filter(email__iexact="co@example.com").select_related("startup")
        if i.is_pending
    ]
    found = pending_invitations("co@example.com")
    assert [i.pk for i in found] == [i.pk for i in expected] == [made[0].pk, made[1].pk]
    assert [values(i) for i in found] == [values(i) for i in expected]
    assert [i.startup.name for i in found] == [startup.name, other.name]
    # A wildcard in the address is a character, not a pattern.
    assert [i.pk for i in pending_invitations("co_@example.com")] == []
    assert [i.pk for i in pending_invitations("co%@example.com")] == [made[6].pk]


def test_a_cohort_without_a_call_is_loaded_with_none(founder):
    _startups, applications = startups_with_applications(founder)
    without = [a for a in applications if not Call.objects.filter(cohort=a.cohort_id).exists()]
    assert len(without) == 1
    assert without[0].cohort._state.fields_cache["call"] is None
