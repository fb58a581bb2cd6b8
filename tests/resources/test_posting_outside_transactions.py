"""Postings made outside any transaction (as a worker or a script makes them).

On PostgreSQL such a posting is one statement in autocommit mode; these tests check that a
refusal there leaves nothing behind and that a success writes its entries and audit entry.
"""

from decimal import Decimal

import pytest
from django.db import connection

from nurture.audit.models import AuditEntry
from nurture.resources.models import Account, AccountKind, LedgerTransaction, Resource, Unit
from nurture.resources.services import IdempotencyConflict, LedgerError, ledger_post
from tests.resources.conftest import Books, balance

pytestmark = pytest.mark.django_db(transaction=True)

D = Decimal


@pytest.fixture
def accounts():
    books = Books()
    asset, spend = books.account(), books.account(kind=AccountKind.SPEND)
    books.fund(asset, "10.00")
    return asset, spend


def test_outside_any_transaction(accounts):
    assert connection.get_autocommit() and not connection.in_atomic_block


def test_a_debit_posts_its_entries_and_audit_entry(accounts):
    asset, spend = accounts
    txn = ledger_post(
        lines=[(asset, D("-2.50")), (spend, D("2.50"))],
        memo="",
        kind="usage",
        idempotency_key="outside-1",
    )
    assert (balance(asset), balance(spend)) == (D("7.50"), D("2.50"))
    stored = LedgerTransaction.objects.get(pk=txn.pk)
    assert sorted(stored.entries.values_list("amount", flat=True)) == [D("-2.50"), D("2.50")]
    entry = AuditEntry.objects.get(action="ledger.post", target_id=str(txn.pk))
    assert entry.target_type == "resources.ledgertransaction"
    assert entry.summary == "Usage"
    assert entry.data["idempotency_key"] == "outside-1"
    assert entry.data["lines"] == [[asset.pk, "-2.50"], [spend.pk, "2.50"]]
    again = ledger_post(
        lines=[(asset, D("-2.50")), (spend, D("2.50"))],
        memo="retried",
        kind="usage",
        idempotency_key="outside-1",
    )
    assert again.pk == txn.pk
    assert balance(asset) == D("7.50")
    with pytest.raises(IdempotencyConflict):
        ledger_post(
            lines=[(asset, D("-1.00")), (spend, D("1.00"))],
            memo="",
            kind="usage",
            idempotency_key="outside-1",
        )


def test_an_overdraft_is_refused_and_leaves_nothing(accounts):
    asset, spend = accounts
    before = (LedgerTransaction.objects.count(), AuditEntry.objects.count())
    with pytest.raises(LedgerError) as refused:
        ledger_post(lines=[(asset, D("-10.01")), (spend, D("10.01"))], memo="", kind="usage")
    assert refused.value.code == "insufficient"
    assert "Not enough left" in refused.value.message
    assert (LedgerTransaction.objects.count(), AuditEntry.objects.count()) == before
    assert (balance(asset), balance(spend)) == (D("10.00"), D("0"))


def test_mixed_units_and_scales_are_refused(accounts):
    asset, _spend = accounts
    books = Books()
    hours = books.account(resource=Resource.GPU_HOURS, unit=Unit.GPU_HOURS)
    with pytest.raises(LedgerError) as mixed:
        ledger_post(lines=[(asset, D("-1")), (hours, D("1"))], memo="", kind="transfer")
    assert mixed.value.code == "units"
    other = books.account()
    with pytest.raises(LedgerError) as scale:
        ledger_post(lines=[(asset, D("-0.001")), (other, D("0.001"))], memo="", kind="transfer")
    assert scale.value.code == "scale"
    gone = Account(pk=999_999)
    with pytest.raises(LedgerError) as missing:
        ledger_post(lines=[(asset, D("-1")), (gone, D("1"))], memo="", kind="transfer")
    assert missing.value.code == "account"
    assert balance(asset) == D("10.00")
