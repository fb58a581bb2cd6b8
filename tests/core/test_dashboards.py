import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from nurture.applications.models import ApplicationState
from nurture.startups.models import Invitation
from tests import factories

pytestmark = pytest.mark.django_db


def dashboard(client, user):
    client.force_login(user)
    response = client.get(reverse("core:dashboard"))
    assert response.status_code == 200
    return response.content.decode()


def test_a_new_founder_is_asked_for_the_startups_profile(client, founder):
    assert "Create the startup's profile" in dashboard(client, founder)


def test_a_founder_with_an_open_call_is_offered_to_apply(client, open_call):
    startup, founder = factories.startup_with_founder(startup__name="Harbour Ledger")
    assert "Start Harbour Ledger's application" in dashboard(client, founder)


def test_a_founder_with_a_draft_is_asked_to_finish_it(client):
    application = factories.ApplicationFactory(startup__name="Kowloon Vision")
    body = dashboard(client, application.startup.members.get())
    assert "Continue the application" in body
    assert "Start Kowloon Vision" not in body


def test_a_founder_with_nothing_to_do_is_told_so(client):
    application = factories.submitted()
    body = dashboard(client, application.startup.members.get())
    assert "Nothing to do right now" in body


def test_a_pending_invitation_shows_on_the_dashboard(client):
    startup, owner = factories.startup_with_founder(startup__name="Peak Robotics")
    invitee = factories.FounderFactory(email="co@example.com")
    Invitation.objects.create(startup=startup, email="co@example.com", invited_by=owner)
    assert "You are invited to join <strong>Peak Robotics</strong>" in dashboard(client, invitee)


@pytest.mark.parametrize(
    ("factory", "heading"),
    [
        (factories.ProgrammeManagerFactory, "Programme dashboard"),
        (factories.AdministratorFactory, "Programme dashboard"),
        (factories.ReviewerFactory, "Advisory board"),
        (factories.FinanceApproverFactory, "Finance"),
        (factories.PartnerFactory, "Partners"),
    ],
)
def test_each_role_lands_on_its_own_dashboard(client, factory, heading):
    factories.submitted()
    assert f">{heading}</h1>" in dashboard(client, factory())


def founder_queries(client, founder) -> int:
    client.force_login(founder)
    with CaptureQueriesContext(connection) as queries:
        client.get(reverse("core:dashboard"))
    return len(queries)


def test_the_founder_dashboard_query_count_does_not_grow_with_applications(client):
    startup, founder = factories.startup_with_founder()
    factories.submitted(startup=startup)
    one = founder_queries(client, founder)
    for _ in range(4):
        factories.ApplicationFactory(startup=startup, state=ApplicationState.REJECTED)
        factories.StartupFactory()  # other startups are not this founder's
    assert founder_queries(client, founder) == one


def test_the_staff_dashboard_query_count_does_not_grow_with_cohorts(client):
    manager = factories.ProgrammeManagerFactory()
    factories.submitted()

    def count():
        client.force_login(manager)
        with CaptureQueriesContext(connection) as queries:
            client.get(reverse("core:dashboard"))
        return len(queries)

    one = count()
    for _ in range(4):
        factories.submitted()
    assert count() == one
