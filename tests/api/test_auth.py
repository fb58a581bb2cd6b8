"""Personal API tokens and the browser session; anonymous clients read only public data."""

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from nurture.accounts.services import api_token_create, api_token_revoke
from tests import factories

from .conftest import ApiClient

CSRF_SECRET = "a" * 32


def test_a_valid_token_authenticates(founder):
    _token, key = api_token_create(user=founder, name="laptop")

    response = ApiClient(key).get("/me")

    assert response.status_code == 200
    assert response.json()["email"] == founder.email


def test_a_token_records_its_use(founder):
    token, key = api_token_create(user=founder, name="laptop")

    ApiClient(key).get("/me")

    token.refresh_from_db()
    assert token.last_used_at is not None


def test_a_revoked_token_is_refused(founder):
    token, key = api_token_create(user=founder, name="laptop")
    api_token_revoke(user=founder, token=token)

    response = ApiClient(key).get("/me")

    assert response.status_code == 401
    assert response.json()["code"] == "not_authenticated"
    assert response["WWW-Authenticate"].startswith("Bearer")


def test_an_expired_token_is_refused(founder):
    _token, key = api_token_create(
        user=founder, name="laptop", expires_at=timezone.now() - timedelta(days=1)
    )

    assert ApiClient(key).get("/me").status_code == 401


def test_the_token_of_a_deactivated_user_is_refused(founder):
    _token, key = api_token_create(user=founder, name="laptop")
    founder.is_active = False
    founder.save(update_fields=["is_active"])

    assert ApiClient(key).get("/me").status_code == 401


@pytest.mark.parametrize(
    "header",
    [
        "Bearer nrt_garbage",
        "Bearer ",
        "Bearer",
        "Basic dXNlcjpwYXNz",
        "nrt_no_scheme",
        "Bearer " + "x" * 5000,
    ],
)
def test_a_garbage_authorization_header_is_refused(db, header):
    response = Client().get("/api/me", headers={"Authorization": header})

    assert response.status_code == 401


def test_a_token_secret_is_not_a_password(founder):
    response = ApiClient(factories.PASSWORD).get("/me")

    assert response.status_code == 401


@pytest.mark.parametrize(
    "path", ["/me", "/startups", "/applications", "/applications/1", "/startups/1"]
)
def test_anonymous_requests_to_private_endpoints_get_401(db, path):
    response = ApiClient().get(path)

    assert response.status_code == 401
    assert response.json()["code"] == "not_authenticated"


@pytest.mark.parametrize("path", ["/programmes", "/cohorts", "/calls", "/sectors"])
def test_public_reads_need_no_authentication(open_call, path):
    response = ApiClient().get(path)

    assert response.status_code == 200
    assert response.json()["count"] >= 1


def test_the_browser_session_authenticates(founder):
    client = Client()
    client.force_login(founder)

    response = client.get("/api/me")

    assert response.status_code == 200
    assert response.json()["id"] == founder.pk


def test_a_session_write_without_csrf_token_is_refused(founder):
    client = Client(enforce_csrf_checks=True)
    client.force_login(founder)

    response = client.post("/api/startups", {"name": "Facade AI"}, content_type="application/json")

    assert response.status_code == 403
    assert response.json()["code"] == "csrf_failed"
    assert not founder.startups.exists()


def test_a_session_write_with_csrf_token_is_accepted(founder):
    client = Client(enforce_csrf_checks=True)
    client.force_login(founder)
    client.cookies["csrftoken"] = CSRF_SECRET

    response = client.post(
        "/api/startups",
        {"name": "Facade AI"},
        content_type="application/json",
        headers={"X-CSRFToken": CSRF_SECRET},
    )

    assert response.status_code == 201
    assert [s.name for s in founder.startups.all()] == ["Facade AI"]


def test_a_token_write_needs_no_csrf_token(founder):
    _token, key = api_token_create(user=founder, name="script")

    response = ApiClient(key, enforce_csrf_checks=True).post("/startups", {"name": "Facade AI"})

    assert response.status_code == 201


def test_me_lists_the_users_startups(db, as_user):
    startup, founder = factories.startup_with_founder()

    body = as_user(founder).get("/me").json()

    assert body == {
        "id": founder.pk,
        "email": founder.email,
        "full_name": founder.full_name,
        "role": "founder",
        "role_display": "Founder",
        "is_programme_staff": False,
        "preferred_language": "en",
        "startups": [{"id": startup.pk, "name": startup.name}],
    }


def test_the_language_follows_accept_language(db):
    response = ApiClient().get("/me", headers={"Accept-Language": "zh-hant"})

    assert response.status_code == 401
    assert response["Content-Language"] == "zh-hant"
