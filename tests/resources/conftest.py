"""Fixtures for the ledger's tests: a programme with funding sources and startups' accounts."""

import sqlite3
from contextlib import closing
from decimal import Decimal

import pytest
from django.db import connection

from nurture.resources.models import Account, AccountKind, Resource, TransactionKind, Unit
from nurture.resources.services import account_open, ledger_post
from tests import factories


class Books:
    """A programme's ledger in a test: open accounts and fund them from the programme's source.

    Builds every row itself (no data-migration rows), so transactional tests can use it too.
    """

    def __init__(self):
        self.programme = factories.ProgrammeFactory()

    def account(
        self,
        *,
        startup=None,
        kind: str = AccountKind.ASSET,
        resource: str = Resource.SEED_FUNDING,
        unit: str = Unit.USD,
    ) -> Account:
        if kind in (AccountKind.POOL, AccountKind.SOURCE):
            return account_open(programme=self.programme, kind=kind, resource=resource, unit=unit)
        startup = startup or factories.StartupFactory()
        return account_open(startup=startup, kind=kind, resource=resource, unit=unit)

    def source(self, account: Account) -> Account:
        return self.account(kind=AccountKind.SOURCE, resource=account.resource, unit=account.unit)

    def fund(self, account: Account, amount, **kwargs):
        return ledger_post(
            lines=[(self.source(account), -Decimal(amount)), (account, Decimal(amount))],
            memo="funding",
            kind=TransactionKind.TOP_UP,
            **kwargs,
        )


@pytest.fixture
def books(db) -> Books:
    return Books()


def balance(account: Account) -> Decimal:
    return Account.objects.get(pk=account.pk).balance


@pytest.fixture
def threaded_db(transactional_db, tmp_path):
    """The test database, reachable from other threads' connections while they write.

    On SQLite the test database lives in memory with a shared cache, whose table locks fail at
    once ("database table is locked") instead of waiting, so threads could not queue behind
    an IMMEDIATE transaction as they do on a real file. Here the migrated database is copied
    into a file for the test, and every connection (this thread's and the workers') uses it.
    PostgreSQL needs nothing.
    """
    if connection.vendor != "sqlite" or not connection.is_in_memory_db():
        yield
        return
    settings_dict = connection.settings_dict
    memory_name = settings_dict["NAME"]
    connection.ensure_connection()
    memory = connection.connection
    path = tmp_path / "threaded.sqlite3"
    with closing(sqlite3.connect(path)) as target:
        memory.backup(target)
    connection.connection = None
    settings_dict["NAME"] = str(path)
    try:
        yield
    finally:
        connection.close()
        settings_dict["NAME"] = memory_name
        connection.connection = memory
