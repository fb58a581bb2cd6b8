"""API rate limits: 429 with Retry-After once a client or user has used its allowance."""

import pytest

from nurture.accounts.services import api_token_create
from tests import factories
from tests.api.conftest import ApiClient

pytestmark = pytest.mark.django_db


def test_an_anonymous_client_is_limited_per_address(settings):
    settings.API_RATE_ANON = "3/min"
    client = ApiClient()
    assert [client.get("/programmes").status_code for _ in range(3)] == [200, 200, 200]
    response = client.get("/programmes")
    assert response.status_code == 429
    assert 1 <= int(response["Retry-After"]) <= 60
    assert response.json()["code"] == "rate_limited"
    assert response["Retry-After"] in response.json()["detail"]
    # Another client address has its own allowance.
    assert ApiClient(REMOTE_ADDR="10.9.8.7").get("/programmes").status_code == 200


def test_a_forged_forwarded_for_header_does_not_reset_the_limit(settings):
    settings.API_RATE_ANON = "2/min"
    client = ApiClient()
    codes = [
        client.get("/programmes", headers={"X-Forwarded-For": f"192.0.2.{n}"}).status_code
        for n in range(3)
    ]
    assert codes == [200, 200, 429]


def test_a_token_user_is_limited_per_user(settings):
    settings.API_RATE_USER = "2/min"
    founder = factories.FounderFactory()
    _token, key = api_token_create(user=founder, name="t")
    client = ApiClient(key)
    assert [client.get("/me").status_code for _ in range(3)] == [200, 200, 429]
    other = factories.FounderFactory()
    _token, other_key = api_token_create(user=other, name="t")
    assert ApiClient(other_key).get("/me").status_code == 200


def test_a_limit_can_be_lifted(settings):
    settings.API_RATE_ANON = "off"
    client = ApiClient()
    assert {client.get("/programmes").status_code for _ in range(5)} == {200}
