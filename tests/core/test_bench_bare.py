import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_bare_page_does_not_exist_by_default(client_for, founder, client):
    assert client.get(reverse("core:bench_bare")).status_code == 404
    assert client_for(founder).get(reverse("core:bench_bare")).status_code == 404


def test_bare_page_renders_the_base_layout_for_a_signed_in_user(settings, client_for, founder):
    settings.BENCH_BARE_PAGE = True

    response = client_for(founder).get(reverse("core:bench_bare"))

    assert response.status_code == 200
    assert [t.name for t in response.templates][0] == "base.html"


def test_bare_page_sends_anonymous_visitors_to_sign_in(settings, client):
    settings.BENCH_BARE_PAGE = True

    response = client.get(reverse("core:bench_bare"))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))
