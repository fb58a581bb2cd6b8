"""Every programme manager's screen × every role: staff only; anonymous users sign in first."""

import pytest
from django.urls import reverse

from nurture.programmes.models import Cohort
from tests import factories
from tests.conftest import ALL_ROLES, STAFF_ROLES


def _urls(application):
    cohort = application.cohort
    return [
        reverse("programmes:programme_list"),
        reverse("programmes:programme_edit", args=[cohort.programme_id]),
        reverse("programmes:cohort_list"),
        reverse("programmes:cohort_create"),
        reverse("programmes:cohort_edit", args=[cohort.pk]),
        reverse("programmes:application_list", args=[cohort.pk]),
        reverse("programmes:application_export", args=[cohort.pk, "csv"]),
        reverse("programmes:application_export", args=[cohort.pk, "xlsx"]),
        reverse("programmes:application_detail", args=[application.pk]),
    ]


@pytest.mark.parametrize("role", ALL_ROLES)
def test_each_page_is_for_programme_staff_only(client_as, role):
    application = factories.submitted()
    client = client_as(role)
    for url in _urls(application):
        response = client.get(url)
        if role == "anonymous":
            assert response.status_code == 302, url
            assert response["Location"].startswith(reverse("accounts:login")), url
        elif role in STAFF_ROLES:
            assert response.status_code == 200, url
        else:
            assert response.status_code == 403, url


@pytest.mark.parametrize("role", [r for r in ALL_ROLES if r not in STAFF_ROLES])
def test_writes_are_refused_to_everyone_but_staff(client_as, role, cohort):
    client = client_as(role)
    programme = cohort.programme
    cohorts_before = Cohort.objects.count()
    posts = [
        reverse("programmes:programme_edit", args=[programme.pk]),
        reverse("programmes:cohort_create"),
        reverse("programmes:cohort_edit", args=[cohort.pk]),
    ]
    for url in posts:
        response = client.post(url, {"rules-name": "Hijacked", "year": "2199"})
        assert response.status_code == (302 if role == "anonymous" else 403), url
    programme.refresh_from_db()
    assert programme.name != "Hijacked"
    assert Cohort.objects.count() == cohorts_before


@pytest.mark.parametrize("role", ["founder", "reviewer", "partner"])
def test_a_refused_user_cannot_tell_a_missing_application_from_an_existing_one(client_as, role):
    client = client_as(role)
    assert client.get(reverse("programmes:application_detail", args=[999999])).status_code == 403
    assert client.get(reverse("programmes:application_list", args=[999999])).status_code == 403


def test_the_founder_of_the_application_cannot_use_the_staff_view(client, db):
    application = factories.submitted()
    founder = application.startup.members.get()
    client.force_login(founder)
    url = reverse("programmes:application_detail", args=[application.pk])
    assert client.get(url).status_code == 403


def test_an_inactive_programme_manager_is_refused(client, db):
    manager = factories.ProgrammeManagerFactory(is_active=False)
    client.force_login(manager)
    assert client.get(reverse("programmes:cohort_list")).status_code in (302, 403)
