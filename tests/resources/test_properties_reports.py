"""The reports read what the ledger holds, under random sequences of use, payouts and refunds.

For two admitted startups of one cohort, each example draws usage of credits and GPU-hours,
seed-funding disbursements, top-ups from the pools and reversals of any of them (refused
when the money is gone, as the ledger must). Afterwards:

- a startup's statement runs each account's balance: every line is the sum of the lines
  before it, and the last one is the account's balance;
- the programme's totals add up: committed = disbursed + used + left for every cohort and
  resource; left is what the startups hold; disbursed is exactly the disbursements not
  reversed, used the rest of what was spent; the cohort's rows sum to the grand totals;
- the ledger has no problem (`ledger-check`).
"""

from collections import defaultdict
from decimal import Decimal

import pytest
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from nurture.applications.models import ApplicationState
from nurture.programmes.models import BenefitItem
from nurture.resources.models import Account, AccountKind, Resource, TransactionKind, Unit
from nurture.resources.selectors import (
    ledger_problems,
    programme_grand_totals,
    programme_totals,
    startup_statement,
)
from nurture.resources.services import (
    LedgerError,
    account_open,
    benefits_open,
    ledger_post,
    ledger_reverse,
)
from tests import factories

pytestmark = pytest.mark.django_db

RESOURCES = [
    (Resource.SEED_FUNDING, Unit.USD, TransactionKind.DISBURSEMENT, Decimal("0.01")),
    (Resource.CLOUD_CREDITS, Unit.USD, TransactionKind.USAGE, Decimal("0.01")),
    (Resource.GPU_HOURS, Unit.GPU_HOURS, TransactionKind.USAGE, Decimal("0.0001")),
]
ENTITLEMENT = Decimal("1000")

operations = st.lists(
    st.one_of(
        # Spend `units` of a resource (a disbursement for seed funding, usage otherwise).
        st.tuples(st.just("spend"), st.integers(0, 1), st.integers(0, 2), st.integers(1, 40_000)),
        st.tuples(st.just("top_up"), st.integers(0, 1), st.integers(0, 2), st.integers(1, 9_000)),
        st.tuples(st.just("reverse"), st.integers(0, 1000)),
    ),
    min_size=1,
    max_size=20,
)


def _world():
    programme = factories.ProgrammeFactory(yearly_cap=4)
    for resource, unit, _kind, _step in RESOURCES:
        BenefitItem.objects.create(
            programme=programme, kind=resource, label=resource, amount=ENTITLEMENT, unit=unit
        )
    cohort = factories.CohortFactory(programme=programme)
    startups = []
    for _index in range(2):
        application = factories.ApplicationFactory(cohort=cohort, state=ApplicationState.ACCEPTED)
        benefits_open(application=application, actor=None)
        startups.append(application.startup)
    return programme, cohort, startups


def _accounts(programme, startup, resource, unit):
    return (
        account_open(startup=startup, kind=AccountKind.ASSET, resource=resource, unit=unit),
        account_open(startup=startup, kind=AccountKind.SPEND, resource=resource, unit=unit),
        account_open(programme=programme, kind=AccountKind.POOL, resource=resource, unit=unit),
    )


@settings(
    max_examples=20,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(ops=operations)
def test_statements_and_totals_agree_with_the_ledger(ops):
    with transaction.atomic():
        _check(ops)
        transaction.set_rollback(True)


def _check(ops):
    programme, cohort, startups = _world()
    posted = []  # (transaction, startup index, resource index, kind, amount)
    reversed_ = set()
    for op in ops:
        try:
            if op[0] in ("spend", "top_up"):
                _name, who, which, units = op
                resource, unit, kind, step = RESOURCES[which]
                asset, spend, pool = _accounts(programme, startups[who], resource, unit)
                amount = units * step
                if op[0] == "spend":
                    lines, kind_ = [(asset, -amount), (spend, amount)], kind
                else:
                    lines, kind_ = [(pool, -amount), (asset, amount)], TransactionKind.TOP_UP
                txn = ledger_post(lines=lines, memo=op[0], kind=kind_, cohort=cohort)
                posted.append((txn, who, which, kind_, amount))
            else:
                candidates = [p for p in posted if p[0].pk not in reversed_]
                if not candidates:
                    continue
                txn, who, which, kind_, amount = candidates[op[1] % len(candidates)]
                ledger_reverse(transaction=txn, memo="refund", actor=None)
                reversed_.add(txn.pk)
        except LedgerError as error:
            assert error.code in {"insufficient"}, error.message

    # Statements: running balances per account, ending at the account's balance.
    for startup in startups:
        lines = startup_statement(startup=startup)
        running = defaultdict(Decimal)
        for line in lines:
            running[line.account_id] += line.amount
            assert line.balance == running[line.account_id]
        balances = dict(Account.objects.filter(startup=startup).values_list("id", "balance"))
        assert set(running) <= set(balances)
        for account_id, balance in balances.items():
            # An account opened for a refused posting has no line and holds nothing.
            assert running.get(account_id, Decimal(0)) == balance
            assert balance >= 0

    # Totals: the identity, what the startups hold, and disbursements exactly.
    (cohort_totals,) = programme_totals(programme=programme)
    assert cohort_totals.startups == 2
    rows = {(row.resource, row.unit): row for row in cohort_totals.rows}
    for which, (resource, unit, kind, _step) in enumerate(RESOURCES):
        row = rows[(resource, unit)]
        assert row.committed == row.disbursed + row.used + row.left
        held = Account.objects.filter(
            startup__in=startups, kind=AccountKind.ASSET, resource=resource, unit=unit
        )
        spent = Account.objects.filter(
            startup__in=startups, kind=AccountKind.SPEND, resource=resource, unit=unit
        )
        assert row.left == sum((a.balance for a in held), Decimal(0))
        assert row.disbursed + row.used == sum((a.balance for a in spent), Decimal(0))
        expected_disbursed = sum(
            (
                amount
                for txn, _who, w, kind_, amount in posted
                if w == which and kind_ == TransactionKind.DISBURSEMENT and txn.pk not in reversed_
            ),
            Decimal(0),
        )
        assert row.disbursed == expected_disbursed
        topped = sum(
            (
                amount
                for txn, _who, w, kind_, amount in posted
                if w == which and kind_ == TransactionKind.TOP_UP and txn.pk not in reversed_
            ),
            Decimal(0),
        )
        assert row.committed == 2 * ENTITLEMENT + topped
    grand = {(row.resource, row.unit): row for row in programme_grand_totals([cohort_totals])}
    assert grand == rows
    assert ledger_problems() == []
