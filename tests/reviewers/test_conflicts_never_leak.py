"""A conflicted reviewer never sees the startup's application anywhere.

The walk is generic: every GET page of the web authorisation matrix (all areas, including
reviews and selection as they exist in nurture/urls.py) and every API operation of the API
matrix, called as a reviewer who is conflicted with the world's startup, which every area's
fixtures use for its own objects (assignments, reviews, panel scores). The startup carries a
unique name, and no response may contain it. Control tests show the same pages do show it
without the conflict, so the walk can fail.
"""

import pytest
from django.urls import reverse

from nurture.accounts.services import api_token_create
from nurture.applications.models import Application
from nurture.reviewers.models import Conflict, ConflictSource
from nurture.startups.models import Startup
from tests import factories
from tests.api.conftest import ApiClient, drain
from tests.api.endpoints.reviewers import stage
from tests.api.test_permissions import ENDPOINTS
from tests.api.test_permissions import MODULES as API_MODULES
from tests.test_authorization import MATRIX, world  # noqa: F401 (the web world fixture)

SECRET = "Zephyrquill Analytics"
GET_PAGES = sorted(name for name, (method, _a, _e) in MATRIX.items() if method == "get")


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def _name_the_startup(startup):
    Startup.objects.filter(pk=startup.pk).update(name=SECRET, legal_name=f"{SECRET} Limited")


def _conflict(reviewer, startup):
    Conflict.objects.create(
        reviewer=reviewer, startup=startup, source=ConflictSource.DECLARED_BY_REVIEWER
    )


@pytest.fixture
def conflicted_web(world):  # noqa: F811
    _name_the_startup(world.startup)
    _conflict(world.users["reviewer"], world.startup)
    return world


def _page(client, w, name, query=""):
    client.force_login(w.users["reviewer"])
    url = reverse(name, args=MATRIX[name][1](w)) + query
    response = client.get(url, follow=True)
    return response.status_code, drain(response).decode("utf-8", "replace")


@pytest.mark.parametrize("name", GET_PAGES)
def test_no_page_shows_a_conflicted_application(client, conflicted_web, name):
    _status, body = _page(client, conflicted_web, name)
    assert SECRET not in body


@pytest.mark.parametrize(
    ("name", "query"),
    [
        ("reviewers:bids", "?q=Zephyrquill"),
        ("reviewers:assigned", "?q=Zephyrquill"),
    ],
)
def test_search_does_not_find_a_conflicted_application(client, conflicted_web, name, query):
    status, body = _page(client, conflicted_web, name, query)
    assert status == 200
    assert SECRET not in body


def test_bidding_on_or_opening_a_conflicted_application_is_not_found(client, conflicted_web):
    w = conflicted_web
    client.force_login(w.users["reviewer"])
    args = [w.review_round.pk, w.application.pk]
    assert client.get(reverse("reviewers:declare", args=args)).status_code == 404
    assert client.post(reverse("reviewers:bid", args=args), {"value": "eager"}).status_code == 404


@pytest.mark.parametrize("name", ["reviewers:bids", "reviewers:declare"])
def test_control_without_the_conflict_the_page_shows_it(client, world, name):  # noqa: F811
    _name_the_startup(world.startup)
    status, body = _page(client, world, name)
    assert status == 200
    assert SECRET in body


# --- The API ----------------------------------------------------------------------------------


@pytest.fixture
def api_world(db):
    """The API matrix's world (tests/api/conftest.py), prepared by every area's module."""
    startup, founder = factories.startup_with_founder()
    other_startup, other_founder = factories.startup_with_founder()
    call = factories.CallFactory()
    data = {
        "call": call,
        "cohort": call.cohort,
        "startup": startup,
        "application": factories.ApplicationFactory(cohort=call.cohort, startup=startup),
        "other_startup": other_startup,
        "other_application": factories.ApplicationFactory(
            cohort=call.cohort, startup=other_startup
        ),
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
    for module in API_MODULES:
        if hasattr(module, "prepare"):
            module.prepare(data)
    # The reviewers' rows (staged on first use) bid for an application of the same startup.
    staged = stage(data)
    Application.objects.filter(pk=staged["bid_application"].pk).update(startup=startup)
    _name_the_startup(startup)
    return data


def _reviewer_api(w) -> ApiClient:
    _token, key = api_token_create(user=w["users"]["reviewer"], name="leak test")
    return ApiClient(key)


@pytest.mark.parametrize("endpoint", sorted(ENDPOINTS))
def test_no_api_operation_shows_a_conflicted_application(api_world, endpoint):
    _conflict(api_world["users"]["reviewer"], api_world["startup"])
    call, _expected = ENDPOINTS[endpoint]
    body = drain(call(_reviewer_api(api_world), api_world)).decode("utf-8", "replace")
    assert SECRET not in body


@pytest.mark.parametrize(
    "path",
    [
        "/reviewers/rounds/{bidding_round}/bids",
        "/reviews/assignments",
    ],
)
def test_control_without_the_conflict_the_api_shows_it(api_world, path):
    ids = {k: v.pk for k, v in api_world["reviewers"].items() if hasattr(v, "pk")}
    response = _reviewer_api(api_world).get(path.format(**ids))
    assert response.status_code == 200
    assert SECRET in response.content.decode()


def test_the_api_refuses_bids_and_conflicts_for_a_conflicted_application(api_world):
    _conflict(api_world["users"]["reviewer"], api_world["startup"])
    api = _reviewer_api(api_world)
    staged = api_world["reviewers"]
    round_id, app_id = staged["bidding_round"].pk, staged["bid_application"].pk
    assert (
        api._call(
            "put", f"/reviewers/rounds/{round_id}/bids/{app_id}", {"value": "eager"}
        ).status_code
        == 404
    )
    assert api.post("/reviewers/conflicts", {"application": app_id}).status_code == 404
