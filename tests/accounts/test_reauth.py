"""Re-authentication before sensitive actions (nurture.accounts.reauth)."""

import time

import pytest
from django.http import HttpResponse
from django.test import RequestFactory
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice

from nurture.accounts.reauth import (
    REAUTH_SESSION_KEY,
    api_recent_auth_required,
    has_recent_auth,
    recent_auth_required,
)
from nurture.accounts.twofactor import current_code
from nurture.api.errors import ApiError
from nurture.audit.models import AuditEntry
from tests import factories

pytestmark = pytest.mark.django_db


def _age_confirmation(client, seconds):
    session = client.session
    session[REAUTH_SESSION_KEY] = int(time.time()) - seconds
    session.save()


def _staff(client, password="a long pass phrase 42"):
    user = factories.ProgrammeManagerFactory()
    user.set_password(password)
    user.save()
    client.force_login(user)
    return user


def _code(user, *, ahead: int = 0) -> str:
    device = TOTPDevice.objects.get(user=user, confirmed=True)
    return current_code(device, at=time.time() + ahead * device.step)


def test_signing_in_counts_as_a_recent_confirmation(client, cohort):
    _staff(client)
    url = reverse("programmes:application_export", args=[cohort.pk, "csv"])
    response = client.get(url)
    assert response.status_code == 200
    b"".join(response.streaming_content)


def test_an_old_confirmation_sends_an_export_to_the_confirmation_page_and_back(
    client, cohort, settings
):
    settings.REAUTH_SECONDS = 600
    user = _staff(client)
    _age_confirmation(client, 601)
    url = reverse("programmes:application_export", args=[cohort.pk, "xlsx"])
    response = client.get(url + "?state=all")
    assert response.status_code == 302
    assert response.url.startswith(reverse("accounts:reauth"))
    page = client.get(response.url)
    assert page.status_code == 200
    assert page.context["next"] == url + "?state=all"
    confirmed = client.post(
        reverse("accounts:reauth"),
        {"password": "a long pass phrase 42", "code": _code(user), "next": url + "?state=all"},
    )
    assert confirmed.status_code == 302
    assert confirmed.url == url + "?state=all"
    assert client.get(confirmed.url).status_code == 200
    assert AuditEntry.objects.filter(action="user.reauthenticated").count() == 1


def test_a_wrong_password_does_not_confirm(client, cohort):
    user = _staff(client)
    _age_confirmation(client, 3600)
    response = client.post(
        reverse("accounts:reauth"),
        {"password": "wrong", "code": _code(user), "next": reverse("audit:list")},
    )
    assert response.status_code == 200
    assert "password" in response.context["form"].errors
    assert AuditEntry.objects.filter(action="user.login_failed").count() == 1
    url = reverse("programmes:application_export", args=[cohort.pk, "csv"])
    assert client.get(url).status_code == 302


def test_repeated_wrong_passwords_lock_the_confirmation_page(client, settings):
    settings.AXES_FAILURE_LIMIT = 3
    _staff(client)
    _age_confirmation(client, 3600)
    user = TOTPDevice.objects.get().user
    for _attempt in range(3):
        response = client.post(
            reverse("accounts:reauth"), {"password": "wrong", "code": _code(user)}
        )
    assert response.status_code == 429
    assert "Too many failed sign-in attempts" in response.content.decode()
    assert response.templates[0].name == "accounts/reauth.html"
    response = client.post(
        reverse("accounts:reauth"), {"password": "a long pass phrase 42", "code": _code(user)}
    )
    assert response.status_code == 429
    assert not has_recent_auth(response.wsgi_request)


@pytest.mark.parametrize(
    "next_url",
    ["https://evil.example/", "//evil.example/x", "javascript:alert(1)", "0", "core:home", ""],
)
def test_the_confirmation_page_only_goes_back_to_this_site(client, next_url):
    user = factories.FounderFactory()
    client.force_login(user)
    response = client.post(
        reverse("accounts:reauth"), {"password": factories.PASSWORD, "next": next_url}
    )
    assert response.status_code == 302
    assert response.url == reverse("core:dashboard")


def test_a_post_is_never_replayed_but_sent_back_to_its_form(rf_user_request):
    calls = []

    @recent_auth_required
    def approve(request):
        calls.append(request)
        return HttpResponse("done")

    request = rf_user_request(
        "post", "/money/approve/", referer="http://testserver/money/7/?tab=2", recent=False
    )
    response = approve(request)
    assert calls == []
    assert response.status_code == 302
    assert response.url == reverse("accounts:reauth") + "?next=%2Fmoney%2F7%2F%3Ftab%3D2"

    # A form on another site is no place to come back to.
    request = rf_user_request(
        "post", "/money/approve/", referer="https://evil.example/", recent=False
    )
    response = approve(request)
    assert response.url == reverse("accounts:reauth") + "?next=%2Fdashboard%2F"
    assert calls == []

    request = rf_user_request("post", "/money/approve/", recent=True)
    assert approve(request).content == b"done"
    assert len(calls) == 1


def test_htmx_requests_are_redirected_with_hx_redirect(rf_user_request):
    @recent_auth_required
    def approve(request):
        return HttpResponse("done")

    request = rf_user_request("post", "/money/approve/", recent=False, htmx="/money/7/")
    response = approve(request)
    assert response.status_code == 204
    assert response["HX-Redirect"] == reverse("accounts:reauth") + "?next=%2Fmoney%2F7%2F"


def test_the_window_comes_from_settings(rf_user_request, settings):
    settings.REAUTH_SECONDS = 30
    request = rf_user_request("get", "/x/", recent=False)
    request.session[REAUTH_SESSION_KEY] = int(time.time()) - 31
    assert not has_recent_auth(request)
    request.session[REAUTH_SESSION_KEY] = int(time.time()) - 5
    assert has_recent_auth(request)
    assert not has_recent_auth(request, seconds=2)


def test_the_api_decorator_answers_reauth_required(rf_user_request):
    @api_recent_auth_required
    def export(request):
        return {"ok": True}

    request = rf_user_request("get", "/api/x", recent=False)
    with pytest.raises(ApiError) as refused:
        export(request)
    assert (refused.value.status, refused.value.code) == (403, "reauth_required")
    request.session[REAUTH_SESSION_KEY] = int(time.time())
    assert export(request) == {"ok": True}

    # A personal token passes: creating one needed a recent confirmation.
    request = rf_user_request("get", "/api/x", recent=False)
    request.api_token = object()
    assert export(request) == {"ok": True}

    from django.contrib.auth.models import AnonymousUser

    request.api_token = None
    request.user = AnonymousUser()
    with pytest.raises(ApiError) as refused:
        export(request)
    assert (refused.value.status, refused.value.code) == (401, "reauth_required")


def test_the_audit_export_asks_for_the_password_again(client, settings):
    _staff(client)
    _age_confirmation(client, 3600)
    response = client.get(reverse("audit:export"))
    assert response.status_code == 302
    assert response.url.startswith(reverse("accounts:reauth"))
    assert not AuditEntry.objects.filter(action="audit.exported").exists()


def test_a_founder_is_refused_the_audit_export_before_any_confirmation(client):
    client.force_login(factories.FounderFactory())
    _age_confirmation(client, 3600)
    assert client.get(reverse("audit:export")).status_code == 403


@pytest.fixture
def rf_user_request(db):
    from django.contrib.messages.storage.fallback import FallbackStorage
    from django.contrib.sessions.backends.db import SessionStore
    from django_htmx.middleware import HtmxDetails

    user = factories.ProgrammeManagerFactory()

    def make(method, path, *, referer=None, recent=True, htmx=None):
        extra = {}
        if referer:
            extra["HTTP_REFERER"] = referer
        if htmx:
            extra["HTTP_HX_REQUEST"] = "true"
            extra["HTTP_HX_CURRENT_URL"] = "http://testserver" + htmx
        request = getattr(RequestFactory(), method)(path, **extra)
        request.user = user
        request.session = SessionStore()
        if recent:
            request.session[REAUTH_SESSION_KEY] = int(time.time())
        request._messages = FallbackStorage(request)
        request.htmx = HtmxDetails(request)
        return request

    return make


def test_with_a_device_the_confirmation_needs_a_right_code_too(client):
    user = _staff(client)
    _age_confirmation(client, 3600)
    url = reverse("accounts:reauth")
    response = client.post(url, {"password": "a long pass phrase 42"})
    assert response.status_code == 200
    assert "code" in response.context["form"].errors
    response = client.post(url, {"password": "a long pass phrase 42", "code": "000000"})
    assert response.context["form"].errors["code"] == ["That code is not right. Please try again."]
    assert AuditEntry.objects.filter(action="user.otp_failed", target_id=str(user.pk)).exists()
    assert not has_recent_auth(response.wsgi_request)
    time.sleep(1.05)  # django-otp waits a second after a wrong code
    response = client.post(url, {"password": "a long pass phrase 42", "code": _code(user)})
    assert response.status_code == 302
    assert has_recent_auth(response.wsgi_request)


def test_a_founder_without_a_device_confirms_with_the_password_only(client):
    client.force_login(factories.FounderFactory())
    _age_confirmation(client, 3600)
    page = client.get(reverse("accounts:reauth"))
    assert "code" not in page.context["form"].fields
    response = client.post(reverse("accounts:reauth"), {"password": factories.PASSWORD})
    assert response.status_code == 302
