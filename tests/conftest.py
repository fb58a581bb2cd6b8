import shutil
from types import SimpleNamespace

import pytest
from django.core import mail
from django.core.cache import cache
from django.db import connection
from django.db.backends.base.base import BaseDatabaseWrapper
from django.test.utils import CaptureQueriesContext
from django.utils import translation

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
def _private_storage(settings, tmp_path):
    """Each test stores uploads in its own folder, removed afterwards."""
    location = tmp_path / "private"
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": location},
        },
    }
    yield
    shutil.rmtree(location, ignore_errors=True)


def _seed_again() -> None:
    """Run the forward function of every data migration of Nurture's apps, in migration
    order (third-party ones are written against their historical models)."""
    from django.apps import apps
    from django.db.migrations.loader import MigrationLoader
    from django.db.migrations.operations.special import RunPython

    graph = MigrationLoader(connection).graph
    done = set()
    for leaf in graph.leaf_nodes():
        for key in graph.forwards_plan(leaf):
            if key in done or not apps.get_app_config(key[0]).name.startswith("nurture."):
                continue
            done.add(key)
            for operation in graph.nodes[key].operations:
                if isinstance(operation, RunPython):
                    # Seed functions read only schema_editor.connection, if anything.
                    operation.code(apps, SimpleNamespace(connection=connection))


def _is_transactional(request) -> bool:
    marker = request.node.get_closest_marker("django_db")
    if marker is not None and marker.kwargs.get("transaction"):
        return True
    return "transactional_db" in request.fixturenames or "live_server" in request.fixturenames


@pytest.fixture(autouse=True)
def _seeded_after_flush(request):
    """A transactional test ends by flushing the database, and with it the rows that the data
    migrations seed (the programme, its sectors and benefits, the notices, the rubric...).
    Before each transactional test, seed them again when they are gone, so that the tests do
    not depend on their order."""
    if not _is_transactional(request):
        return
    request.getfixturevalue("transactional_db")
    from nurture.programmes.models import Programme

    if not Programme.objects.exists():
        _seed_again()


@pytest.fixture(autouse=True)
def _keep_the_test_connection(monkeypatch):
    """Closing a streamed response (a pitch deck) fires `request_finished`, whose handler
    closes any connection that is not in autocommit mode: inside a test's transaction on
    PostgreSQL, that is the test's own connection. Inside that transaction it stays open."""
    original = BaseDatabaseWrapper.close_if_unusable_or_obsolete

    def close_unless_in_a_test_transaction(self):
        if not self.in_atomic_block:
            original(self)

    monkeypatch.setattr(
        BaseDatabaseWrapper, "close_if_unusable_or_obsolete", close_unless_in_a_test_transaction
    )


@pytest.fixture(autouse=True)
def _english_by_default():
    """A request in Chinese leaves its language active in the thread; each test starts anew."""
    translation.activate("en")
    yield
    translation.deactivate()


@pytest.fixture(autouse=True)
def _empty_cache():
    """The cache outlives each test's rolled-back transaction; start every test without it."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    """Factories hash a password for every user; the production hasher is slow on purpose."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _mail_outbox(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    mail.outbox = []


def pytest_configure(config):
    config.addinivalue_line(
        "markers",
        "no_auto_otp: force_login gives a session that has not passed two-factor verification",
    )


@pytest.fixture(autouse=True)
def _force_login_passes_two_factor(request, monkeypatch):
    """Staff must pass two-factor authentication before reaching any page
    (nurture.accounts.middleware.TwoFactorMiddleware). `client.force_login(user)` gives such
    a user a confirmed authenticator device (if they have none) and a session that has passed
    the code step, as a real sign-in would. Tests of the code step itself opt out with
    `@pytest.mark.no_auto_otp`."""
    if request.node.get_closest_marker("no_auto_otp"):
        return
    from django.test.client import ClientMixin

    original = ClientMixin.force_login

    def force_login(self, user, backend=None):
        from django_otp import DEVICE_ID_SESSION_KEY
        from django_otp.plugins.otp_totp.models import TOTPDevice

        from nurture.accounts.twofactor import must_verify

        original(self, user, backend)
        if must_verify(user):
            device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
            if device is None:
                # bulk_create: no post_save, so no "two-factor enabled" audit entry.
                [device] = TOTPDevice.objects.bulk_create(
                    [TOTPDevice(user=user, name="Test authenticator", confirmed=True)]
                )
            session = self.session
            session[DEVICE_ID_SESSION_KEY] = device.persistent_id
            session.save()

    monkeypatch.setattr(ClientMixin, "force_login", force_login)


@pytest.fixture
def founder(db):
    return factories.FounderFactory()


@pytest.fixture
def programme_manager(db):
    return factories.ProgrammeManagerFactory()


@pytest.fixture
def open_call(db):
    return factories.CallFactory()


@pytest.fixture
def client_for(client):
    """Log a user in on the test client and return the client."""

    def login(user):
        client.force_login(user)
        return client

    return login


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
