import shutil

import pytest
from django.core import mail
from django.db.backends.base.base import BaseDatabaseWrapper

from tests import factories


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
def _fast_password_hashing(settings):
    """Factories hash a password for every user; the production hasher is slow on purpose."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _mail_outbox(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    mail.outbox = []


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
