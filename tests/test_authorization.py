"""Every web URL × every role: allowed or refused as it should be.

The matrix lives in tests/authz/, one module per area (see its __init__); every URL the
project serves must have a row (the Django admin and the REST API have their own tests); a
new URL without a row fails `test_every_url_is_in_the_matrix`.
"""

import importlib
import pkgutil
from types import SimpleNamespace

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from nurture.accounts.models import ApiToken
from nurture.startups.models import Invitation
from tests import authz, factories
from tests.authz import LOGIN, REDIRECT, ROLES, SKIPPED_NAMES, SKIPPED_NAMESPACES

MODULES = [
    importlib.import_module(f"{authz.__name__}.{info.name}")
    for info in pkgutil.iter_modules(authz.__path__)
]
MATRIX = {}
for _module in MODULES:
    assert not set(_module.ROWS) & set(MATRIX), f"{_module.__name__} repeats a URL"
    MATRIX.update(_module.ROWS)


@pytest.fixture
def world(db):
    application = factories.submitted()
    startup = application.startup
    member = startup.members.get()
    other_application = factories.submitted()
    users = {
        "anonymous": None,
        "member": member,
        "other_founder": other_application.startup.members.get(),
        "reviewer": factories.ReviewerFactory(),
        "finance": factories.FinanceApproverFactory(),
        "partner": factories.PartnerFactory(),
        "manager": factories.ProgrammeManagerFactory(),
        "admin": factories.AdministratorFactory(),
    }
    invitation = Invitation.objects.create(
        startup=startup, email="invitee@example.com", invited_by=member
    )
    token = ApiToken.objects.create(
        user=member, name="t", prefix="x", key_hash=ApiToken.hash_key("secret")
    )
    world = SimpleNamespace(
        users=users,
        application=application,
        other_application=other_application,
        startup=startup,
        cohort=application.cohort,
        programme=application.cohort.programme,
        invitation=invitation,
        member_token=token,
    )
    for module in MODULES:
        if hasattr(module, "prepare"):
            module.prepare(world)
    return world


def url_names(patterns=None, namespace=""):
    for pattern in patterns if patterns is not None else get_resolver().url_patterns:
        if isinstance(pattern, URLResolver):
            inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            if pattern.namespace in SKIPPED_NAMESPACES:
                continue
            yield from url_names(pattern.url_patterns, inner)
        elif isinstance(pattern, URLPattern) and pattern.name and pattern.name not in SKIPPED_NAMES:
            yield f"{namespace}{pattern.name}"


def test_every_url_is_in_the_matrix():
    assert sorted(set(url_names()) - set(MATRIX)) == []
    assert sorted(set(MATRIX) - set(url_names())) == []


def check(client, world, name, role):
    method, args, expected = MATRIX[name]
    user = world.users[role]
    if user is not None:
        client.force_login(user)
    url = reverse(name, args=args(world))
    response = getattr(client, method)(url)
    outcome = expected[role]
    if outcome == LOGIN:
        assert response.status_code == 302, (name, role, response.status_code)
        assert response.url.startswith(reverse("accounts:login")), (name, role, response.url)
    elif outcome == REDIRECT:
        assert response.status_code == 302, (name, role, response.status_code)
        assert not response.url.startswith(reverse("accounts:login")), (name, role, response.url)
    else:
        assert response.status_code == outcome, (name, role, response.status_code)
    if hasattr(response, "close"):
        response.close()


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("name", sorted(MATRIX))
def test_each_role_gets_what_it_should(client, world, name, role):
    check(client, world, name, role)


@pytest.mark.parametrize(
    "name",
    [
        "applications:detail",
        "applications:edit",
        "applications:pitch_deck",
        "applications:submit",
        "applications:withdraw",
    ],
)
def test_a_founder_never_reaches_another_startups_application(client, world, name):
    method = MATRIX[name][0]
    client.force_login(world.users["member"])
    response = getattr(client, method)(reverse(name, args=[world.other_application.pk]))
    assert response.status_code == 403
