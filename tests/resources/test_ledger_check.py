from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from nurture.cli import main
from nurture.resources.models import Account, Entry, LedgerTransaction, TransactionKind
from nurture.resources.selectors import ledger_problems
from nurture.resources.services import ledger_post, ledger_reverse

pytestmark = pytest.mark.django_db


def raw(sql: str, params: list) -> None:
    """Corrupt the ledger behind the services' back, as a bad migration or manual fix would."""
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


@pytest.fixture
def ledger(books):
    payer, payee, third = books.account(), books.account(), books.account()
    books.fund(payer, "100")
    original = ledger_post(
        lines=[(payer, Decimal("-35")), (payee, Decimal("35"))], memo="", kind="transfer"
    )
    reversal = ledger_reverse(transaction=original, memo="", actor=None)
    return payer, payee, third, original, reversal


def test_a_consistent_ledger_passes(ledger, capsys):
    out = StringIO()
    call_command("ledger_check", stdout=out)
    assert out.getvalue().startswith("Ledger consistent: 3 transactions, 6 entries")


def test_the_command_is_reachable_as_nurture_ledger_check(ledger, capsys):
    main(["nurture", "ledger-check"])
    assert "Ledger consistent" in capsys.readouterr().out


def test_a_stale_cached_balance_is_named(ledger):
    payer = ledger[0]
    raw("UPDATE resources_account SET balance = balance + 1 WHERE id = %s", [payer.pk])
    err = StringIO()
    with pytest.raises(CommandError) as error:
        call_command("ledger_check", stderr=err)
    assert error.value.returncode == 1
    assert err.getvalue().splitlines() == [
        f"Account #{payer.pk} caches a balance of 101.0000 but its entries sum to 100.0000."
    ]


def test_an_unbalanced_transaction_is_named(ledger):
    payer, payee, third, original, _reversal = ledger
    raw(
        "INSERT INTO resources_entry (transaction_id, account_id, amount) VALUES (%s, %s, %s)",
        [original.pk, third.pk, "5"],
    )
    problems = ledger_problems()
    assert (
        f"Transaction #{original.pk} does not balance: 3 lines summing to 5.0000, "
        "in 1 units and 1 resources."
    ) in problems
    assert any(problem.startswith(f"Account #{third.pk} caches") for problem in problems)
    assert any(
        problem.startswith(f"The reversal of transaction #{original.pk}") for problem in problems
    )


def test_a_reversal_that_does_not_mirror_its_original_is_named(ledger):
    payer, payee, _third, original, reversal = ledger
    raw("UPDATE resources_entry SET amount = amount / 7 WHERE transaction_id = %s", [reversal.pk])
    raw("UPDATE resources_account SET balance = 70 WHERE id = %s", [payer.pk])
    raw("UPDATE resources_account SET balance = 30 WHERE id = %s", [payee.pk])
    assert ledger_problems() == [
        f"The reversal of transaction #{original.pk} does not mirror it on account "
        f"#{account.pk}: 2 entries summing to {total}."
        for account, total in [(payer, "-30.0000"), (payee, "30.0000")]
    ]


def test_a_negative_balance_is_named(ledger, books):
    payer = ledger[0]
    if connection.vendor == "sqlite":
        raw("PRAGMA ignore_check_constraints = ON", [])
    else:
        # Rolled back with the test's transaction; pending foreign-key checks go first.
        raw("SET CONSTRAINTS ALL IMMEDIATE", [])
        raw(
            "ALTER TABLE resources_account DROP CONSTRAINT ledger_account_balance_not_negative",
            [],
        )
    try:
        raw("UPDATE resources_account SET balance = -1 WHERE id = %s", [payer.pk])
        assert f"Account #{payer.pk} may not go negative but holds -1.0000." in ledger_problems()
    finally:
        if connection.vendor == "sqlite":
            raw("PRAGMA ignore_check_constraints = OFF", [])


def test_the_check_takes_a_fixed_number_of_queries(ledger, books, django_assert_num_queries):
    with django_assert_num_queries(4):
        ledger_problems()
    for _ in range(20):
        books.fund(ledger[2], "1")
    with django_assert_num_queries(4):
        assert ledger_problems() == []


def test_entries_and_transactions_cannot_be_changed_or_deleted(ledger):
    original = ledger[3]
    entry = original.entries.first()
    entry.amount = Decimal("1")
    for attempt in (
        entry.save,
        entry.delete,
        original.save,
        original.delete,
        lambda: Entry.objects.filter(pk=entry.pk).update(amount=1),
        lambda: Entry.objects.all().delete(),
        lambda: LedgerTransaction.objects.update(kind=TransactionKind.ADJUSTMENT),
        lambda: LedgerTransaction.objects.all().delete(),
    ):
        with pytest.raises(TypeError):
            attempt()
    assert Entry.objects.get(pk=entry.pk).amount != Decimal("1")
    assert Account.objects.count() == 4
