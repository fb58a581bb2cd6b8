"""Real threads, each on its own database connection, racing through the posting service.

On PostgreSQL the accounts' row locks serialise the postings; on SQLite the IMMEDIATE
transactions do. Either way: no overdraft, no lost posting, one posting per key.
"""

import threading
from collections import Counter
from decimal import Decimal

import pytest
from django.db import connection

from nurture.applications.models import ApplicationState
from nurture.programmes.models import BenefitItem
from nurture.resources.models import Account, AccountKind, LedgerTransaction, TransactionKind
from nurture.resources.selectors import ledger_problems
from nurture.resources.services import LedgerError, benefits_open, ledger_post
from tests import factories
from tests.resources.conftest import Books, balance

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("threaded_db")]

THREADS = 6
TIMEOUT = 120


def race(work, threads: int = THREADS) -> list:
    """Run `work(index)` in `threads` threads started together; return what each returned."""
    barrier = threading.Barrier(threads)
    results: list = [None] * threads

    def run(index: int) -> None:
        try:
            barrier.wait(timeout=TIMEOUT)
            results[index] = work(index)
        except BaseException as exc:  # reported by the test, not lost in the thread
            results[index] = exc
        finally:
            connection.close()

    workers = [threading.Thread(target=run, args=(index,)) for index in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=TIMEOUT)
    assert not any(worker.is_alive() for worker in workers), "a worker hung"
    return results


def test_racing_debits_never_overdraw_and_lose_nothing():
    books = Books()
    shared, spent = books.account(), books.account(kind=AccountKind.SPEND)
    books.fund(shared, "25.00")
    attempts = 8

    def debit(index: int) -> Counter:
        outcome = Counter()
        for _ in range(attempts):
            try:
                ledger_post(
                    lines=[(shared, Decimal("-1.00")), (spent, Decimal("1.00"))],
                    memo=f"worker {index}",
                    kind=TransactionKind.USAGE,
                )
                outcome["posted"] += 1
            except LedgerError as error:
                assert error.code == "insufficient"
                outcome["refused"] += 1
        return outcome

    results = race(debit)
    errors = [result for result in results if isinstance(result, BaseException)]
    assert errors == []
    total = sum(results, Counter())
    assert total == Counter(posted=25, refused=THREADS * attempts - 25)
    assert (balance(shared), balance(spent)) == (Decimal("0"), Decimal("25"))
    assert LedgerTransaction.objects.filter(kind=TransactionKind.USAGE).count() == 25
    assert ledger_problems() == []


def test_racing_replays_of_one_key_post_once():
    books = Books()
    payer, payee = books.account(), books.account()
    books.fund(payer, "100")

    def replay(index: int) -> int:
        return ledger_post(
            lines=[(payer, Decimal("-40")), (payee, Decimal("40"))],
            memo="import line 7",
            kind=TransactionKind.USAGE,
            idempotency_key="billing-2027-03.csv:7",
        ).pk

    results = race(replay)
    assert all(isinstance(result, int) for result in results), results
    assert len(set(results)) == 1
    assert LedgerTransaction.objects.filter(kind=TransactionKind.USAGE).count() == 1
    assert (balance(payer), balance(payee)) == (Decimal("60"), Decimal("40"))
    assert ledger_problems() == []


def test_racing_benefit_openings_post_each_entitlement_once():
    books = Books()
    programme = books.programme
    BenefitItem.objects.create(
        programme=programme, kind="seed_funding", label="Seed", amount=Decimal("100000"), unit="USD"
    )
    BenefitItem.objects.create(
        programme=programme, kind="gpu_hours", label="GPU", amount=Decimal("2000"), unit="GPU_HOURS"
    )
    cohort = factories.CohortFactory(programme=programme)
    factories.CallFactory(cohort=cohort)
    applications = [
        factories.ApplicationFactory(cohort=cohort, state=ApplicationState.ACCEPTED, sector=None)
        for _ in range(2)
    ]

    def open_benefits(index: int) -> list[int]:
        application = applications[index % len(applications)]
        return [txn.pk for txn in benefits_open(application=application, actor=None)]

    results = race(open_benefits, threads=4)
    assert all(isinstance(result, list) for result in results), results
    assert results[0] == results[2] and results[1] == results[3]
    assert LedgerTransaction.objects.filter(kind=TransactionKind.ENTITLEMENT).count() == 4
    # One opening per pool, whichever admission came first.
    assert LedgerTransaction.objects.filter(kind=TransactionKind.OPENING).count() == 2
    for application in applications:
        assets = Account.objects.filter(startup=application.startup, kind=AccountKind.ASSET)
        assert sorted(assets.values_list("balance", flat=True)) == [
            Decimal("2000"),
            Decimal("100000"),
        ]
    assert ledger_problems() == []
