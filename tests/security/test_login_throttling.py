"""Login throttling (django-axes), its audit trail, and session expiry."""

import time

import pytest
from django.contrib.auth import SESSION_KEY
from django.test import override_settings

from nurture.accounts.middleware import LAST_SEEN_AT, SIGNED_IN_AT
from nurture.accounts.services import api_token_create
from nurture.audit.models import AuditEntry
from tests import factories

pytestmark = pytest.mark.django_db


def sign_in(client, email, password, **extra):
    return client.post("/accounts/login/", {"username": email, "password": password}, **extra)


def fail(client, email, times):
    for _ in range(times):
        response = sign_in(client, email, "not-the-password")
        assert response.status_code in {200, 429}
    return response


def test_five_failures_lock_the_address_out_and_say_when_to_retry(client):
    founder = factories.FounderFactory()
    for _ in range(4):
        response = sign_in(client, founder.email, "wrong")
        assert response.status_code == 200
        assert "do not match an account" in response.content.decode()
    response = sign_in(client, founder.email, "wrong")
    assert response.status_code == 429
    page = response.content.decode()
    assert "Too many failed sign-in attempts. Please try again after" in page
    assert "(in 15 minutes)" in page


def test_the_right_password_is_refused_during_a_lockout(client):
    founder = factories.FounderFactory()
    fail(client, founder.email, 5)
    response = sign_in(client, founder.email, factories.PASSWORD)
    assert response.status_code == 429
    assert SESSION_KEY not in client.session
    assert "Please try again after" in response.content.decode()


def test_changing_the_case_of_the_address_buys_no_more_attempts(client):
    founder = factories.FounderFactory()
    fail(client, founder.email, 4)
    response = sign_in(client, founder.email.upper(), "wrong")
    assert response.status_code == 429


def test_the_lockout_is_per_address_and_client(client):
    founder, other = factories.FounderFactory(), factories.FounderFactory()
    fail(client, founder.email, 5)
    # Another account from the same client, and the same account from another client.
    assert sign_in(client, other.email, factories.PASSWORD).status_code == 302
    client.logout()
    response = sign_in(client, founder.email, factories.PASSWORD, REMOTE_ADDR="10.1.2.3")
    assert response.status_code == 302


def test_after_the_cool_off_the_right_password_works(client, settings):
    from datetime import timedelta

    founder = factories.FounderFactory()
    fail(client, founder.email, 5)
    settings.AXES_COOLOFF_TIME = timedelta(seconds=0)
    assert sign_in(client, founder.email, factories.PASSWORD).status_code == 302


def test_a_lockout_shows_in_the_chosen_language(client):
    founder = factories.FounderFactory()
    fail(client, founder.email, 4)
    response = sign_in(client, founder.email, "wrong", HTTP_ACCEPT_LANGUAGE="zh-hant")
    assert response.status_code == 429
    assert response["Content-Language"] == "zh-hant"


def test_an_unverified_account_cannot_be_probed_past_the_lockout(client):
    """The "confirm your e-mail first" answer means the password was right; during a
    lockout it is not given."""
    user = factories.FounderFactory(email_verified_at=None)
    response = sign_in(client, user.email, factories.PASSWORD)
    assert "Please confirm your e-mail address first" in response.content.decode()
    fail(client, user.email, 5)
    response = sign_in(client, user.email, factories.PASSWORD)
    assert response.status_code == 429
    assert "Please confirm your e-mail address first" not in response.content.decode()


def test_failures_and_lockouts_are_in_the_audit_log(client):
    founder = factories.FounderFactory()
    fail(client, founder.email, 5)
    failed = AuditEntry.objects.filter(action="user.login_failed")
    locked = AuditEntry.objects.get(action="user.login_locked_out")
    assert failed.count() == 5
    assert {entry.target_id for entry in failed} == {str(founder.pk)}
    assert (locked.target_id, locked.summary, locked.ip_address) == (
        str(founder.pk),
        founder.email,
        "127.0.0.1",
    )
    assert locked.actor is None


def test_a_failure_for_an_unknown_address_is_recorded_without_a_target(client):
    sign_in(client, "nobody@example.com", "whatever")
    entry = AuditEntry.objects.get(action="user.login_failed")
    assert (entry.target_id, entry.summary) == ("", "nobody@example.com")


def test_a_successful_sign_in_is_recorded_and_clears_the_failures(client):
    founder = factories.FounderFactory()
    fail(client, founder.email, 4)
    assert sign_in(client, founder.email, factories.PASSWORD).status_code == 302
    assert AuditEntry.objects.filter(action="user.login", actor=founder).count() == 1
    client.logout()
    # The count starts again: four more failures do not lock.
    assert fail(client, founder.email, 4).status_code == 200


def test_api_tokens_and_forced_logins_are_not_throttled(client):
    from tests.api.conftest import ApiClient

    founder = factories.FounderFactory()
    fail(client, founder.email, 5)
    _token, key = api_token_create(user=founder, name="t")
    assert ApiClient(key).get("/me").status_code == 200
    client.force_login(founder)
    assert client.get("/dashboard/").status_code == 200


def test_the_admin_sign_in_is_throttled_too(client):
    admin = factories.AdministratorFactory()
    for _ in range(5):
        response = client.post(
            "/admin/login/", {"username": admin.email, "password": "wrong", "next": "/admin/"}
        )
    assert response.status_code == 429


# --- Session expiry --------------------------------------------------------------------------


def age_session(client, *, signed_in_ago: int, seen_ago: int) -> None:
    session = client.session
    now = int(time.time())
    session[SIGNED_IN_AT] = now - signed_in_ago
    session[LAST_SEEN_AT] = now - seen_ago
    session.save()


def test_a_session_ends_after_the_idle_timeout(client, founder):
    client.force_login(founder)
    age_session(client, signed_in_ago=3600, seen_ago=31 * 60)
    response = client.get("/dashboard/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")
    response = client.get(response["Location"])
    assert "signed out after a period of inactivity" in response.content.decode()


def test_a_busy_session_still_ends_after_the_absolute_age(client, founder):
    client.force_login(founder)
    age_session(client, signed_in_ago=8 * 3600, seen_ago=10)
    response = client.get("/dashboard/")
    assert response.status_code == 302
    assert SESSION_KEY not in client.session


def test_activity_keeps_a_session_alive_and_is_written_at_most_once_a_minute(client, founder):
    client.force_login(founder)
    age_session(client, signed_in_ago=3600, seen_ago=29 * 60)
    assert client.get("/dashboard/").status_code == 200
    seen = client.session[LAST_SEEN_AT]
    assert seen >= int(time.time()) - 2
    assert client.get("/dashboard/").status_code == 200
    assert client.session[LAST_SEEN_AT] == seen


@override_settings(SESSION_IDLE_TIMEOUT=60)
def test_the_idle_timeout_is_a_setting(client, founder):
    client.force_login(founder)
    age_session(client, signed_in_ago=120, seen_ago=61)
    assert client.get("/dashboard/").status_code == 302


def test_the_test_clients_login_without_a_request_still_works(client):
    founder = factories.FounderFactory()
    assert client.login(username=founder.email, password=factories.PASSWORD)
