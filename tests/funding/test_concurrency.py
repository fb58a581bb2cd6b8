"""Finance approvers racing to approve one request: one approval, one posting.

Real threads, each on its own connection. On PostgreSQL the request's row lock serialises
them; on SQLite the IMMEDIATE transactions do.
"""

from decimal import Decimal

import pytest

from nurture.funding import services
from nurture.funding.models import DisbursementStatus
from nurture.resources.models import Account, AccountKind, LedgerTransaction, TransactionKind
from nurture.resources.selectors import ledger_problems
from tests import factories
from tests.funding.conftest import admitted_application, own_programme, request_payment
from tests.resources.conftest import threaded_db  # noqa: F401  (fixture)
from tests.resources.test_concurrency import THREADS, race

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("threaded_db")]


def test_racing_approvals_approve_once_and_post_once():
    application = admitted_application(own_programme())
    manager = factories.ProgrammeManagerFactory()
    approvers = [factories.FinanceApproverFactory() for _ in range(THREADS)]
    tranches = services.tranche_schedule_create(application=application, actor=manager)
    disbursement = request_payment(tranches[0], manager)

    def approve(index: int) -> str:
        try:
            services.disbursement_approve(
                disbursement=disbursement,
                actor=approvers[index],
                payment_reference=f"REF-{index}",
            )
        except services.FundingError as error:
            return error.code
        return "approved"

    results = race(approve)

    assert sorted(results) == ["already_decided"] * (THREADS - 1) + ["approved"], results
    disbursement.refresh_from_db()
    assert disbursement.status == DisbursementStatus.APPROVED
    winner = results.index("approved")
    assert disbursement.payment_reference == f"REF-{winner}"
    assert disbursement.decided_by == approvers[winner]
    assert LedgerTransaction.objects.filter(kind=TransactionKind.DISBURSEMENT).count() == 1
    balances = {
        account.kind: account.balance
        for account in Account.objects.filter(startup=application.startup, resource="seed_funding")
    }
    assert balances == {AccountKind.ASSET: Decimal("60000"), AccountKind.SPEND: Decimal("40000")}
    assert ledger_problems() == []


def test_racing_requests_for_one_tranche_make_one_request():
    application = admitted_application(own_programme())
    managers = [factories.ProgrammeManagerFactory() for _ in range(THREADS)]
    tranches = services.tranche_schedule_create(application=application, actor=managers[0])

    def ask(index: int) -> str:
        try:
            request_payment(tranches[0], managers[index])
        except services.FundingError as error:
            return error.code
        return "requested"

    results = race(ask)

    assert sorted(results) == ["duplicate"] * (THREADS - 1) + ["requested"], results
    assert tranches[0].disbursements.count() == 1
