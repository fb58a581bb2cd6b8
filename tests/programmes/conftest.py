import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests import factories

ROLE_FACTORIES = {
    "founder": factories.FounderFactory,
    "reviewer": factories.ReviewerFactory,
    "finance_approver": factories.FinanceApproverFactory,
    "partner": factories.PartnerFactory,
    "programme_manager": factories.ProgrammeManagerFactory,
    "administrator": factories.AdministratorFactory,
}
STAFF_ROLES = {"programme_manager", "administrator"}
ALL_ROLES = ["anonymous", *ROLE_FACTORIES]


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    """Tests here create many founders; the production hasher is deliberately slow."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def client_as(client, db):
    """A test client signed in with a new user of the given role ("anonymous": nobody)."""

    def sign_in(role: str):
        if role != "anonymous":
            client.force_login(ROLE_FACTORIES[role]())
        return client

    return sign_in


@pytest.fixture
def staff_client(client, programme_manager):
    client.force_login(programme_manager)
    return client


@pytest.fixture
def cohort(db):
    return factories.CallFactory().cohort


@pytest.fixture
def count_queries():
    """Run a callable and return how many queries it made."""

    def run(func) -> int:
        with CaptureQueriesContext(connection) as captured:
            func()
        return len(captured.captured_queries)

    return run
