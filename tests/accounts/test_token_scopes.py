"""API token scopes: chosen on the tokens page, shown in the list, enforced by the API."""

import time

import pytest
from django.urls import reverse

from nurture.accounts.models import ApiToken, TokenScope
from nurture.accounts.reauth import REAUTH_SESSION_KEY
from nurture.accounts.services import AccountError, api_token_create
from nurture.startups.models import Startup
from tests import factories
from tests.api.conftest import ApiClient

pytestmark = pytest.mark.django_db


def test_a_read_only_token_reads_but_may_not_change_anything(founder):
    startup, _member = factories.startup_with_founder()
    _token, key = api_token_create(user=founder, name="report", scopes=TokenScope.READ)
    api = ApiClient(key)
    assert api.get("/me").status_code == 200
    assert api.get("/startups").status_code == 200
    refused = api.post("/startups", {"name": "New Co"})
    assert refused.status_code == 403
    assert refused.json()["code"] == "insufficient_scope"
    assert "may only read" in refused.json()["detail"]
    # Refused before the endpoint ran: nothing was created.
    assert not Startup.objects.filter(name="New Co").exists()
    patch = api.patch(f"/startups/{startup.pk}", {"summary": "x"})
    assert (patch.status_code, patch.json()["code"]) == (403, "insufficient_scope")


def test_a_read_and_write_token_may_change_things(founder):
    _token, key = api_token_create(user=founder, name="sync", scopes=TokenScope.READ_WRITE)
    response = ApiClient(key).post(
        "/startups",
        {
            "name": "Write Scope Ltd",
            "legal_name": "Write Scope Limited",
            "registered_in_hk": True,
            "business_registration_number": "71234567",
            "date_founded": "2025-01-01",
            "summary": "We build things.",
        },
    )
    assert response.status_code in (201, 422), response.content
    assert response.json().get("code") != "insufficient_scope"


def test_unknown_scopes_are_refused(founder):
    with pytest.raises(AccountError):
        api_token_create(user=founder, name="x", scopes="admin")
    assert not ApiToken.objects.exists()


def test_the_tokens_page_offers_read_only_first_and_shows_each_tokens_scope(client, founder):
    client.force_login(founder)
    page = client.get(reverse("accounts:tokens"))
    assert page.context["form"].fields["scopes"].initial == TokenScope.READ
    client.post(
        reverse("accounts:tokens"), {"name": "Reports", "expires_in_days": 30, "scopes": "read"}
    )
    client.post(
        reverse("accounts:tokens"),
        {"name": "Sync", "expires_in_days": 30, "scopes": "read write"},
    )
    assert dict(ApiToken.objects.values_list("name", "scopes")) == {
        "Reports": "read",
        "Sync": "read write",
    }
    html = client.get(reverse("accounts:tokens")).content.decode()
    assert "read only" in html and "read and write" in html
    bad = client.post(
        reverse("accounts:tokens"), {"name": "Bad", "expires_in_days": 30, "scopes": "root"}
    )
    assert bad.status_code == 200 and "scopes" in bad.context["form"].errors
    assert ApiToken.objects.count() == 2


def test_creating_a_token_needs_a_recent_confirmation(client, founder):
    client.force_login(founder)
    session = client.session
    session[REAUTH_SESSION_KEY] = int(time.time()) - 3600
    session.save()
    response = client.post(
        reverse("accounts:tokens"),
        {"name": "Late", "expires_in_days": 30, "scopes": "read"},
        HTTP_REFERER="http://testserver/accounts/tokens/",
    )
    assert response.status_code == 302
    assert response.url == reverse("accounts:reauth") + "?next=%2Faccounts%2Ftokens%2F"
    assert not ApiToken.objects.exists()


def test_existing_tokens_became_read_and_write():
    """The migration fills the new column of existing rows with read and write: tokens made
    before scopes keep what they could do."""
    from importlib import import_module

    migration = import_module("nurture.accounts.migrations.0002_apitoken_scopes").Migration
    [add] = migration.operations
    assert (add.name, add.field.default) == ("scopes", TokenScope.READ_WRITE)
