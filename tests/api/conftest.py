import json

import pytest
from django.test import Client
from django.test.client import BOUNDARY, MULTIPART_CONTENT, encode_multipart

from nurture.accounts.services import api_token_create
from tests import factories

ROLES = [
    "anonymous",
    "founder",
    "other_founder",
    "reviewer",
    "finance_approver",
    "partner",
    "programme_manager",
    "administrator",
]


class ApiClient:
    """The Django test client speaking JSON to /api/, authenticated with a bearer token."""

    def __init__(self, token: str | None = None, **defaults):
        self.client = Client(**defaults)
        self.headers = {"Authorization": f"Bearer {token}"} if token else {}

    def _call(self, method: str, path: str, data=None, **extra):
        kwargs = {"headers": {**self.headers, **extra.pop("headers", {})}, **extra}
        if data is not None:
            kwargs["data"] = json.dumps(data, default=str)
            kwargs["content_type"] = "application/json"
        return getattr(self.client, method)(f"/api{path}", **kwargs)

    def get(self, path, **extra):
        return self._call("get", path, **extra)

    def post(self, path, data=None, **extra):
        return self._call("post", path, data, **extra)

    def patch(self, path, data=None, **extra):
        return self._call("patch", path, data, **extra)

    def upload(self, path, upload, *, method="post", field="pitch_deck"):
        if method == "post":
            return self.client.post(f"/api{path}", {field: upload}, headers=self.headers)
        # The test client encodes multipart bodies for POST only; build one for PUT.
        body = encode_multipart(BOUNDARY, {field: upload})
        return self.client.put(
            f"/api{path}", body, content_type=MULTIPART_CONTENT, headers=self.headers
        )


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    """Factories set a password on every user; the production hasher is slow on purpose."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def as_user(db):
    """An API client for a user, authenticated with a fresh personal token."""

    def make(user) -> ApiClient:
        if user is None:
            return ApiClient()
        _token, key = api_token_create(user=user, name="tests")
        return ApiClient(key)

    return make


@pytest.fixture
def anonymous_api():
    return ApiClient()


@pytest.fixture
def world(db):
    """One open call, a founder's startup with a draft in it, and one user per role."""
    startup, founder = factories.startup_with_founder()
    other_startup, other_founder = factories.startup_with_founder()
    call = factories.CallFactory()
    application = factories.ApplicationFactory(cohort=call.cohort, startup=startup)
    other_application = factories.ApplicationFactory(cohort=call.cohort, startup=other_startup)
    return {
        "call": call,
        "cohort": call.cohort,
        "startup": startup,
        "application": application,
        "other_startup": other_startup,
        "other_application": other_application,
        "users": {
            "anonymous": None,
            "founder": founder,
            "other_founder": other_founder,
            "reviewer": factories.ReviewerFactory(),
            "finance_approver": factories.FinanceApproverFactory(),
            "partner": factories.PartnerFactory(),
            "programme_manager": factories.ProgrammeManagerFactory(),
            "administrator": factories.AdministratorFactory(),
        },
    }


def drain(response) -> bytes:
    """Read a streamed response to the end and close its file."""
    try:
        if getattr(response, "streaming", False):
            return b"".join(response.streaming_content)
        return response.content
    finally:
        response.close()
