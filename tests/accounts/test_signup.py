import re

import pytest
from django.core import mail
from django.urls import reverse

from nurture.accounts.models import Role, User
from nurture.privacy.models import ConsentRecord, NoticeKind
from nurture.privacy.services import marketing_consent_given
from tests import factories

pytestmark = pytest.mark.django_db

SIGNUP = {
    "full_name": "Test Founder",
    "email": "Founder@Example.com",
    "password": factories.PASSWORD,
    "preferred_language": "en",
    "accept_collection_notice": "on",
}


def sign_up(client, capture, **changes):
    with capture(execute=True):
        return client.post(reverse("accounts:signup"), {**SIGNUP, **changes})


def test_signup_page_shows_the_collection_statement(client):
    response = client.get(reverse("accounts:signup"))
    assert response.status_code == 200
    assert "Personal information collection statement" in response.content.decode()
    assert "Who may see it" in response.content.decode()


def test_signup_creates_an_unverified_founder_and_records_consent(
    client, django_capture_on_commit_callbacks
):
    response = sign_up(client, django_capture_on_commit_callbacks)
    assert response.status_code == 200
    user = User.objects.get()
    assert (user.email, user.role, user.email_verified) == (
        "founder@example.com",
        Role.FOUNDER,
        False,
    )
    records = ConsentRecord.objects.filter(user=user)
    assert [(r.notice.kind, r.notice.version, r.granted) for r in records] == [
        (NoticeKind.COLLECTION, "2026-11", True)
    ]
    assert marketing_consent_given(user=user) is False
    assert len(mail.outbox) == 1
    assert "/accounts/verify/" in mail.outbox[0].body


def test_marketing_consent_is_separate_and_recorded(client, django_capture_on_commit_callbacks):
    sign_up(client, django_capture_on_commit_callbacks, marketing_consent="on")
    assert marketing_consent_given(user=User.objects.get()) is True


def test_signup_without_accepting_the_statement_is_refused(client):
    data = {k: v for k, v in SIGNUP.items() if k != "accept_collection_notice"}
    response = client.post(reverse("accounts:signup"), data)
    assert response.status_code == 200
    assert "Please confirm that you have read the statement." in response.content.decode()
    assert User.objects.count() == 0


def test_signup_with_a_taken_email_or_weak_password_is_refused(client):
    factories.FounderFactory(email="founder@example.com")
    response = client.post(reverse("accounts:signup"), {**SIGNUP, "password": "123"})
    body = response.content.decode()
    assert "already exists" in body
    assert "too short" in body
    assert User.objects.count() == 1


def test_unverified_users_cannot_sign_in_until_they_confirm(
    client, django_capture_on_commit_callbacks
):
    sign_up(client, django_capture_on_commit_callbacks)
    login = {"username": "founder@example.com", "password": factories.PASSWORD}
    response = client.post(reverse("accounts:login"), login)
    assert "Please confirm your e-mail address first" in response.content.decode()
    link = re.search(r"/accounts/verify/[^/\s]+/", mail.outbox[0].body).group(0)
    assert client.get(link).status_code == 200  # a GET (mail scanner) verifies nothing
    assert User.objects.get().email_verified is False
    response = client.post(link)
    assert response.status_code == 302
    assert User.objects.get().email_verified is True
    response = client.post(reverse("accounts:login"), login)
    assert response.status_code == 302
    assert response.url == reverse("core:dashboard")


def test_a_tampered_verification_link_is_refused(client):
    response = client.post("/accounts/verify/not-a-token/", follow=True)
    assert "not valid" in response.content.decode()


def test_login_with_a_wrong_password_says_so(client):
    user = factories.FounderFactory()
    response = client.post(
        reverse("accounts:login"), {"username": user.email, "password": "wrong-password"}
    )
    assert response.status_code == 200
    assert "do not match an account" in response.content.decode()


def test_login_is_case_insensitive(client):
    user = factories.FounderFactory(email="mixed@example.com")
    response = client.post(
        reverse("accounts:login"), {"username": "MIXED@example.com", "password": factories.PASSWORD}
    )
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(user.pk)
