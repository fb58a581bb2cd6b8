import pytest
from django.core import mail
from django.urls import reverse

from nurture.startups.models import Invitation, Startup, StartupMember
from tests import factories

pytestmark = pytest.mark.django_db


def test_a_founder_creates_the_startup_profile(client, founder):
    client.force_login(founder)
    response = client.post(
        reverse("startups:create"),
        {
            "name": "Facade AI",
            "website": "facade.example",
            "registered_in_hk": "on",
            "business_registration_number": "71234567",
            "date_founded": "2025-01-10",
        },
    )
    startup = Startup.objects.get()
    assert response.url == reverse("startups:detail", args=[startup.pk])
    assert startup.website == "https://facade.example"
    assert list(startup.members.all()) == [founder]


def test_a_hong_kong_company_needs_its_registration_number(client, founder):
    client.force_login(founder)
    response = client.post(reverse("startups:create"), {"name": "X", "registered_in_hk": "on"})
    assert response.status_code == 200
    assert "business registration number" in response.content.decode()
    assert Startup.objects.count() == 0


@pytest.mark.parametrize(
    "factory",
    [factories.ReviewerFactory, factories.PartnerFactory, factories.FinanceApproverFactory],
)
def test_only_founders_create_startups(client, factory):
    client.force_login(factory())
    assert client.get(reverse("startups:create")).status_code == 403
    assert client.post(reverse("startups:create"), {"name": "X"}).status_code == 403


def test_another_founder_cannot_see_or_edit_the_startup(client):
    startup, _owner = factories.startup_with_founder()
    client.force_login(factories.FounderFactory())
    assert client.get(reverse("startups:detail", args=[startup.pk])).status_code == 403
    response = client.post(reverse("startups:edit", args=[startup.pk]), {"name": "Stolen"})
    assert response.status_code == 403
    startup.refresh_from_db()
    assert startup.name != "Stolen"


def test_invite_and_accept_a_cofounder(client, django_capture_on_commit_callbacks):
    startup, owner = factories.startup_with_founder()
    client.force_login(owner)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("startups:invite", args=[startup.pk]), {"email": "Co@Example.com"})
    invitation = Invitation.objects.get()
    assert invitation.email == "co@example.com"
    assert invitation.token in mail.outbox[0].body
    cofounder = factories.FounderFactory(email="co@example.com")
    client.force_login(cofounder)
    url = reverse("startups:invitation", args=[invitation.token])
    assert startup.name in client.get(url).content.decode()
    response = client.post(url)
    assert response.url == reverse("startups:detail", args=[startup.pk])
    assert StartupMember.objects.filter(startup=startup, user=cofounder).exists()
    # A replayed acceptance changes nothing.
    client.post(url)
    assert StartupMember.objects.filter(startup=startup).count() == 2


def test_an_invitation_cannot_be_used_by_another_address(client):
    startup, owner = factories.startup_with_founder()
    invitation = Invitation.objects.create(
        startup=startup, email="co@example.com", invited_by=owner
    )
    client.force_login(factories.FounderFactory(email="someone@example.com"))
    response = client.post(reverse("startups:invitation", args=[invitation.token]))
    assert "not valid" in response.content.decode()
    assert startup.members.count() == 1


def test_a_revoked_invitation_no_longer_works(client):
    startup, owner = factories.startup_with_founder()
    invitation = Invitation.objects.create(
        startup=startup, email="co@example.com", invited_by=owner
    )
    client.force_login(owner)
    client.post(reverse("startups:invitation_revoke", args=[startup.pk, invitation.pk]))
    client.force_login(factories.FounderFactory(email="co@example.com"))
    client.post(reverse("startups:invitation", args=[invitation.token]))
    assert startup.members.count() == 1


def test_inviting_an_existing_member_is_refused_with_a_message(client):
    startup, owner = factories.startup_with_founder()
    client.force_login(owner)
    response = client.post(
        reverse("startups:invite", args=[startup.pk]), {"email": owner.email}, follow=True
    )
    assert "already a member" in response.content.decode()
    assert Invitation.objects.count() == 0
