"""Every endpoint × every role: allowed or refused, including another startup's objects.

A founder sees only their own startup's objects; another startup's answer 404, so their
existence is not disclosed. Programme staff read everything but change no founder's answers.
Reviewers, finance approvers and partners see no startups or applications.
"""

import importlib
import pkgutil

import pytest

from nurture.applications.models import Application, ApplicationState
from nurture.audit.models import AuditEntry
from tests import factories

from . import endpoints as endpoint_modules
from .conftest import ROLES, drain

ALL_200 = dict.fromkeys(ROLES, 200)
SIGNED_IN_200 = {**ALL_200, "anonymous": 401}
# Reads of one startup's object: its founders and programme staff.
OWN_READ = {
    "anonymous": 401,
    "founder": 200,
    "other_founder": 404,
    "reviewer": 404,
    "finance_approver": 404,
    "partner": 404,
    "programme_manager": 200,
    "administrator": 200,
}
# Changes to one startup's object: its founders only; staff may see it, so they get 403.
OWN_WRITE = {**OWN_READ, "programme_manager": 403, "administrator": 403}
CREATE_STARTUP = {
    "anonymous": 401,
    "founder": 201,
    "other_founder": 201,
    "reviewer": 403,
    "finance_approver": 403,
    "partner": 403,
    "programme_manager": 403,
    "administrator": 403,
}
START_APPLICATION = {**OWN_WRITE, "founder": 201}


def _withdrawn(world):
    Application.objects.filter(pk=world["application"].pk).update(state=ApplicationState.WITHDRAWN)


ENDPOINTS = {
    "programme list": (lambda api, w: api.get("/programmes"), ALL_200),
    "programme detail": (
        lambda api, w: api.get(f"/programmes/{w['cohort'].programme_id}"),
        ALL_200,
    ),
    "cohort list": (lambda api, w: api.get("/cohorts"), ALL_200),
    "cohort detail": (lambda api, w: api.get(f"/cohorts/{w['cohort'].pk}"), ALL_200),
    "call list": (lambda api, w: api.get("/calls?status=open"), ALL_200),
    "call detail": (lambda api, w: api.get(f"/calls/{w['call'].pk}"), ALL_200),
    "sector list": (lambda api, w: api.get("/sectors"), ALL_200),
    "me": (lambda api, w: api.get("/me"), SIGNED_IN_200),
    "startup list": (lambda api, w: api.get("/startups"), SIGNED_IN_200),
    "startup create": (
        lambda api, w: api.post("/startups", {"name": "Facade AI"}),
        CREATE_STARTUP,
    ),
    "startup detail": (lambda api, w: api.get(f"/startups/{w['startup'].pk}"), OWN_READ),
    "startup update": (
        lambda api, w: api.patch(f"/startups/{w['startup'].pk}", {"summary": "Changed."}),
        OWN_WRITE,
    ),
    "application list": (lambda api, w: api.get("/applications"), SIGNED_IN_200),
    "application start": (
        lambda api, w: api.post(
            "/applications",
            {"startup": w["startup"].pk, "cohort": factories.CallFactory().cohort_id},
        ),
        START_APPLICATION,
    ),
    "application detail": (
        lambda api, w: api.get(f"/applications/{w['application'].pk}"),
        OWN_READ,
    ),
    "application update": (
        lambda api, w: api.patch(f"/applications/{w['application'].pk}", {"team_size": 9}),
        OWN_WRITE,
    ),
    "application submit": (
        lambda api, w: api.post(f"/applications/{w['application'].pk}/submit"),
        OWN_WRITE,
    ),
    "application withdraw": (
        lambda api, w: api.post(f"/applications/{w['application'].pk}/withdraw"),
        OWN_WRITE,
    ),
    "application reopen": (
        lambda api, w: _withdrawn(w) or api.post(f"/applications/{w['application'].pk}/reopen"),
        OWN_WRITE,
    ),
    "pitch deck upload (POST)": (
        lambda api, w: api.upload(
            f"/applications/{w['application'].pk}/pitch-deck",
            factories.pdf_upload("new.pdf", pages=2),
        ),
        OWN_WRITE,
    ),
    "pitch deck upload (PUT)": (
        lambda api, w: api.upload(
            f"/applications/{w['application'].pk}/pitch-deck",
            factories.pdf_upload("new.pdf", pages=2),
            method="put",
        ),
        OWN_WRITE,
    ),
    "pitch deck download": (
        lambda api, w: api.get(f"/applications/{w['application'].pk}/pitch-deck"),
        OWN_READ,
    ),
}


# Rows of later areas, from tests/api/endpoints/ (see its __init__).
MODULES = [
    importlib.import_module(f"{endpoint_modules.__name__}.{info.name}")
    for info in pkgutil.iter_modules(endpoint_modules.__path__)
]
for _module in MODULES:
    assert not set(_module.ENDPOINTS) & set(ENDPOINTS), f"{_module.__name__} repeats a row"
    ENDPOINTS.update(_module.ENDPOINTS)


@pytest.fixture
def full_world(world):
    """The world with what every area's rows need; the tests of what lists hold use the
    plain world, so that its two startups are the only ones."""
    for module in MODULES:
        if hasattr(module, "prepare"):
            module.prepare(world)
    return world


def _snapshot(application):
    application.refresh_from_db()
    return (
        application.state,
        application.team_size,
        application.pitch_deck.name,
        application.startup.summary,
    )


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("endpoint", list(ENDPOINTS))
def test_endpoint_allows_or_refuses_each_role(endpoint, role, full_world, as_user):
    world = full_world
    call, expected = ENDPOINTS[endpoint]
    application = world["application"]
    if endpoint != "application reopen":
        before = _snapshot(application)
    else:
        _withdrawn(world)
        before = _snapshot(application)
    starts = Application.objects.count()

    response = call(as_user(world["users"][role]), world)
    drain(response)

    assert response.status_code == expected[role], response.content
    if response.status_code >= 400:
        assert _snapshot(application) == before
        assert Application.objects.count() == starts
        assert set(response.json()) == {"detail", "code", "errors"}


def _ids(response) -> set[int]:
    assert response.status_code == 200, response.content
    return {item["id"] for item in response.json()["items"]}


VISIBLE_APPLICATIONS = {
    "founder": {"application"},
    "other_founder": {"other_application"},
    "reviewer": set(),
    "finance_approver": set(),
    "partner": set(),
    "programme_manager": {"application", "other_application"},
    "administrator": {"application", "other_application"},
}
VISIBLE_STARTUPS = {
    role: {name.replace("application", "startup") for name in names}
    for role, names in VISIBLE_APPLICATIONS.items()
}


@pytest.mark.parametrize("role", list(VISIBLE_APPLICATIONS))
def test_application_list_holds_only_what_the_role_may_see(role, world, as_user):
    response = as_user(world["users"][role]).get("/applications")

    assert _ids(response) == {world[name].pk for name in VISIBLE_APPLICATIONS[role]}


@pytest.mark.parametrize("role", list(VISIBLE_STARTUPS))
def test_startup_list_holds_only_what_the_role_may_see(role, world, as_user):
    response = as_user(world["users"][role]).get("/startups")

    assert _ids(response) == {world[name].pk for name in VISIBLE_STARTUPS[role]}


def test_another_startups_application_and_deck_are_not_found(world, as_user):
    api = as_user(world["users"]["founder"])
    other = world["other_application"]

    responses = [
        api.get(f"/applications/{other.pk}"),
        api.get(f"/applications/{other.pk}/pitch-deck"),
        api.patch(f"/applications/{other.pk}", {"team_size": 1}),
        api.post(f"/applications/{other.pk}/submit"),
        api.post(f"/applications/{other.pk}/withdraw"),
        api.upload(f"/applications/{other.pk}/pitch-deck", factories.pdf_upload()),
        api.get(f"/startups/{world['other_startup'].pk}"),
        api.patch(f"/startups/{world['other_startup'].pk}", {"name": "Mine now"}),
        api.post("/applications", {"startup": world["other_startup"].pk, "cohort": 1}),
    ]

    assert [r.status_code for r in responses] == [404] * len(responses)
    # The same answer as for an object that does not exist.
    assert responses[0].json() == api.get("/applications/999999").json()
    other.refresh_from_db()
    assert (other.state, other.team_size) == (ApplicationState.DRAFT, 5)


def test_staff_download_of_a_pitch_deck_is_audited(world, as_user):
    application = world["application"]
    response = as_user(world["users"]["programme_manager"]).get(
        f"/applications/{application.pk}/pitch-deck"
    )

    assert response.status_code == 200
    assert drain(response).startswith(b"%PDF-")
    assert (
        AuditEntry.objects.filter(
            action="application.viewed_pitch_deck", target_id=str(application.pk)
        ).count()
        == 1
    )


def test_the_matrix_covers_every_operation_of_the_openapi_document(
    full_world, as_user, monkeypatch
):
    world = full_world
    """A new endpoint without a row in ENDPOINTS fails here."""
    import re

    from django.test import Client

    called: set[tuple[str, str]] = set()
    original = Client.generic

    def recording(self, method, path, *args, **kwargs):
        called.add((method.lower(), path.split("?")[0]))
        return original(self, method, path, *args, **kwargs)

    monkeypatch.setattr(Client, "generic", recording)
    api = as_user(world["users"]["founder"])
    for call, _expected in ENDPOINTS.values():
        drain(call(api, world))
    document = Client().get("/api/openapi.json").json()
    missing = []
    for template, operations in document["paths"].items():
        pattern = re.compile("^" + re.sub(r"\{[^}]+\}", r"[^/]+", template) + "$")
        for method in operations:
            if not any(m == method and pattern.match(path) for m, path in called):
                missing.append(f"{method.upper()} {template}")
    assert missing == []
