"""Ledger invariants under random sequences of postings, transfers, reversals and replays.

Each example runs against a small model (a dict of expected balances) and is rolled back
afterwards. After every operation: the database's balances equal the model's; at the end:
every transaction balances, no account that may not go negative is negative, every cached
balance equals the sum of its entries, and every reversal mirrors its original.
"""

from dataclasses import dataclass, field
from decimal import Decimal

import pytest
from django.db import transaction
from django.db.models import Sum
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from nurture.resources.models import (
    UNIT_SCALE,
    Account,
    AccountKind,
    Entry,
    LedgerTransaction,
    Resource,
    TransactionKind,
    Unit,
)
from nurture.resources.selectors import ledger_problems
from nurture.resources.services import (
    IdempotencyConflict,
    LedgerError,
    ledger_post,
    ledger_reverse,
)
from tests.resources.conftest import Books

pytestmark = pytest.mark.django_db

GROUPS = [(Resource.SEED_FUNDING, Unit.USD), (Resource.GPU_HOURS, Unit.GPU_HOURS)]
HOLDERS = 4  # per group: a pool, two startups' balances, a spending account

amounts = st.integers(min_value=1, max_value=50_000)
operations = st.lists(
    st.one_of(
        st.tuples(st.just("fund"), st.integers(0, 1), st.integers(0, HOLDERS - 1), amounts),
        st.tuples(
            st.just("transfer"),
            st.integers(0, 1),
            st.integers(0, HOLDERS - 1),
            st.integers(0, HOLDERS - 1),
            amounts,
            st.booleans(),
        ),
        st.tuples(st.just("reverse"), st.integers(0, 1000)),
        st.tuples(st.just("replay"), st.integers(0, 1000), st.booleans()),
    ),
    min_size=1,
    max_size=25,
)


@dataclass
class Posted:
    pk: int
    lines: list  # [(account, amount)]
    key: str | None
    is_reversal: bool = False
    reversed: bool = False


@dataclass
class Model:
    sources: list
    holders: list  # per group, the accounts that may not go negative
    balances: dict = field(default_factory=dict)
    posted: list = field(default_factory=list)

    def amount(self, group: int, units: int) -> Decimal:
        return Decimal(units).scaleb(-UNIT_SCALE[GROUPS[group][1]])

    def allows(self, lines) -> bool:
        return all(
            account.may_go_negative or self.balances[account.pk] + amount >= 0
            for account, amount in lines
        )

    def apply(self, lines) -> None:
        for account, amount in lines:
            self.balances[account.pk] += amount

    def check(self) -> None:
        stored = dict(Account.objects.values_list("pk", "balance"))
        assert stored == self.balances


def post(model: Model, lines, *, key=None) -> None:
    if model.allows(lines):
        txn = ledger_post(lines=lines, memo="", kind=TransactionKind.TRANSFER, idempotency_key=key)
        model.apply(lines)
        model.posted.append(Posted(pk=txn.pk, lines=lines, key=key))
    else:
        with pytest.raises(LedgerError) as error:
            ledger_post(lines=lines, memo="", kind=TransactionKind.TRANSFER, idempotency_key=key)
        assert error.value.code == "insufficient"


def reverse(model: Model, choice: int) -> None:
    if not model.posted:
        return
    target = model.posted[choice % len(model.posted)]
    original = LedgerTransaction.objects.get(pk=target.pk)
    mirror = [(account, -amount) for account, amount in target.lines]
    if target.is_reversal or target.reversed or not model.allows(mirror):
        with pytest.raises(LedgerError) as error:
            ledger_reverse(transaction=original, memo="", actor=None)
        expected = (
            "reversal_of_reversal"
            if target.is_reversal
            else "already_reversed"
            if target.reversed
            else "insufficient"
        )
        assert error.value.code == expected
        return
    before = dict(model.balances)
    reversal = ledger_reverse(transaction=original, memo="", actor=None)
    model.apply(mirror)
    target.reversed = True
    model.posted.append(Posted(pk=reversal.pk, lines=mirror, key=None, is_reversal=True))
    # Reversal restores: every account it touches moves back by exactly what the original gave.
    for account, amount in target.lines:
        assert model.balances[account.pk] == before[account.pk] - amount


def replay(model: Model, choice: int, same: bool) -> None:
    keyed = [posted for posted in model.posted if posted.key]
    if not keyed:
        return
    target = keyed[choice % len(keyed)]
    lines = target.lines
    if not same:
        (first, amount), *rest = lines
        (second, other) = rest[0]
        lines = [(first, amount * 2), (second, other * 2)]
    counts = LedgerTransaction.objects.count()
    if same:
        again = ledger_post(
            lines=lines, memo="retry", kind=TransactionKind.TRANSFER, idempotency_key=target.key
        )
        assert again.pk == target.pk
    else:
        with pytest.raises(IdempotencyConflict):
            ledger_post(
                lines=lines, memo="", kind=TransactionKind.TRANSFER, idempotency_key=target.key
            )
    assert LedgerTransaction.objects.count() == counts


def stored(amount) -> Decimal:
    return Decimal(amount).quantize(Decimal("0.0001"))


def run(ops) -> None:
    books = Books()
    sources, holders = [], []
    for resource, unit in GROUPS:
        pool = books.account(kind=AccountKind.POOL, resource=resource, unit=unit)
        startups = [books.account(resource=resource, unit=unit) for _ in range(2)]
        spend = books.account(kind=AccountKind.SPEND, resource=resource, unit=unit)
        holders.append([pool, *startups, spend])
        sources.append(books.source(pool))
    model = Model(sources=sources, holders=holders)
    model.balances = dict.fromkeys(Account.objects.values_list("pk", flat=True), Decimal("0"))

    for number, op in enumerate(ops):
        if op[0] == "fund":
            _name, group, target, units = op
            amount = model.amount(group, units)
            post(model, [(sources[group], -amount), (holders[group][target], amount)])
        elif op[0] == "transfer":
            _name, group, source, target, units, keyed = op
            if source == target:
                continue
            amount = model.amount(group, units)
            lines = [(holders[group][source], -amount), (holders[group][target], amount)]
            post(model, lines, key=f"op-{number}" if keyed else None)
        elif op[0] == "reverse":
            reverse(model, op[1])
        else:
            replay(model, op[1], op[2])
        model.check()

    assert ledger_problems() == []
    # SQLite sums its decimals as doubles: round them to the stored scale before comparing.
    totals = Entry.objects.values("transaction_id").annotate(total=Sum("amount"))
    assert all(stored(row["total"]) == 0 for row in totals)
    assert not Account.objects.exclude(kind=AccountKind.SOURCE).filter(balance__lt=0).exists()
    for account in Account.objects.annotate(total=Sum("entries__amount")):
        assert account.balance == stored(account.total or 0)


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(ops=operations)
def test_ledger_invariants_hold_under_any_sequence_of_operations(ops):
    with transaction.atomic():
        run(ops)
        transaction.set_rollback(True)
