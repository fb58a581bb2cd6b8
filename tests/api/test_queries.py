"""The number of queries of each list endpoint does not grow with its rows."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests import factories


def _add_programme(user):
    programme = factories.ProgrammeFactory()
    programme.benefits.create(kind="seed_funding", label="Seed", amount=100000, unit="USD")


def _add_call(user):
    factories.CallFactory()


def _add_sector(user):
    factories.SectorFactory()


def _add_startup(user):
    member = factories.MemberFactory(user=user) if user.is_founder else factories.MemberFactory()
    factories.MemberFactory(startup=member.startup)


def _add_application(user):
    if user.is_founder:
        startup = user.startups.first()
        factories.ApplicationFactory(startup=startup)
    else:
        factories.ApplicationFactory()


LISTS = {
    "/programmes": _add_programme,
    "/cohorts": _add_call,
    "/calls": _add_call,
    "/calls?status=open": _add_call,
    "/sectors": _add_sector,
    "/startups": _add_startup,
    "/applications": _add_application,
    "/applications?state=draft": _add_application,
}


def _count(api, path) -> tuple[int, int]:
    with CaptureQueriesContext(connection) as queries:
        response = api.get(path)
    assert response.status_code == 200, response.content
    return len(queries), len(response.json()["items"])


@pytest.mark.parametrize("role", ["founder", "programme_manager"])
@pytest.mark.parametrize("path", list(LISTS))
def test_list_queries_do_not_grow_with_rows(db, as_user, path, role):
    startup, founder = factories.startup_with_founder()
    user = founder if role == "founder" else factories.ProgrammeManagerFactory()
    add = LISTS[path]
    add(user)
    api = as_user(user)
    api.get("/me")  # the token's first use is recorded once; later requests skip it

    one, rows_before = _count(api, path)
    for _ in range(4):
        add(user)
    several, rows_after = _count(api, path)

    assert rows_after > rows_before
    assert several == one
