import pytest
from django.urls import reverse
from django.utils import timezone

from nurture.accounts.models import ApiToken
from nurture.accounts.services import api_token_authenticate
from nurture.privacy.services import marketing_consent_given
from tests import factories

pytestmark = pytest.mark.django_db


def test_marketing_consent_can_be_given_and_withdrawn_at_any_time(client):
    user = factories.FounderFactory()
    client.force_login(user)
    client.post(reverse("accounts:profile"), {"form": "marketing", "marketing_consent": "on"})
    assert marketing_consent_given(user=user) is True
    client.post(reverse("accounts:profile"), {"form": "marketing"})
    assert marketing_consent_given(user=user) is False
    assert user.consent_records.count() == 2


def test_profile_changes_the_language(client):
    user = factories.FounderFactory()
    client.force_login(user)
    response = client.post(
        reverse("accounts:profile"),
        {"form": "profile", "full_name": "New Name", "preferred_language": "zh-hant"},
    )
    assert response.status_code == 302
    user.refresh_from_db()
    assert (user.full_name, user.preferred_language) == ("New Name", "zh-hant")


def test_a_token_is_shown_once_and_stored_only_as_a_hash(client):
    user = factories.FounderFactory()
    client.force_login(user)
    response = client.post(
        reverse("accounts:tokens"), {"name": "CRM", "expires_in_days": 30, "scopes": "read"}
    )
    key = response.context["new_key"]
    token = ApiToken.objects.get()
    assert key not in token.key_hash
    assert api_token_authenticate(key=key) == user
    assert key not in client.get(reverse("accounts:tokens")).content.decode()


def test_revoked_and_expired_tokens_do_not_authenticate(client):
    user = factories.FounderFactory()
    client.force_login(user)
    client.post(reverse("accounts:tokens"), {"name": "one", "expires_in_days": 0, "scopes": "read"})
    token = ApiToken.objects.get()
    client.post(reverse("accounts:token_revoke", args=[token.pk]))
    token.refresh_from_db()
    assert token.revoked_at is not None
    token.revoked_at = None
    token.expires_at = timezone.now()
    token.save()
    assert not token.is_usable


def test_nobody_revokes_another_users_token(client):
    owner = factories.FounderFactory()
    client.force_login(owner)
    client.post(
        reverse("accounts:tokens"), {"name": "mine", "expires_in_days": 30, "scopes": "read"}
    )
    token = ApiToken.objects.get()
    client.force_login(factories.FounderFactory())
    assert client.post(reverse("accounts:token_revoke", args=[token.pk])).status_code == 404
    token.refresh_from_db()
    assert token.revoked_at is None
