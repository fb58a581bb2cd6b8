"""Reads of the ledger, each in a fixed number of queries whatever the number of rows.

Sums are done by the database. PostgreSQL's numeric is exact; SQLite, the embedded default,
stores decimals as doubles, so its sums are exact to 15 significant digits and are rounded
here to each unit's scale.
"""

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from django.db.models import (
    Case,
    Count,
    DecimalField,
    F,
    Q,
    QuerySet,
    Sum,
    Value,
    When,
    Window,
)
from django.db.models.functions import Coalesce
from django.utils.translation import gettext as _

from nurture.applications.models import Application, ApplicationState
from nurture.programmes.models import Cohort, Programme
from nurture.startups.models import Startup

from .models import (
    AMOUNT_DIGITS,
    AMOUNT_PLACES,
    UNIT_SCALE,
    Account,
    AccountKind,
    Entry,
    LedgerTransaction,
    TransactionKind,
)

# Any real difference between two stored amounts is at least one unit of the last place;
# half of that absorbs SQLite's floating-point sums without hiding a real error.
STORED = Decimal(1).scaleb(-AMOUNT_PLACES)
TOLERANCE = STORED / 2
ZERO = Value(
    Decimal("0"), output_field=DecimalField(max_digits=AMOUNT_DIGITS, decimal_places=AMOUNT_PLACES)
)


def _exact(amount: Decimal | None, unit: str) -> Decimal:
    return Decimal(amount or 0).quantize(Decimal(1).scaleb(-UNIT_SCALE[unit]))


@dataclass(frozen=True)
class Balance:
    resource: str
    unit: str
    balance: Decimal  # what the startup holds now
    used: Decimal  # what it has used or been paid out


def balances_for_startup(*, startup: Startup) -> list[Balance]:
    """A startup's balance and use of each resource (one query)."""
    rows = (
        Account.objects.filter(startup=startup)
        .values("resource", "unit")
        .annotate(
            held=Coalesce(Sum("balance", filter=Q(kind=AccountKind.ASSET)), ZERO),
            used=Coalesce(Sum("balance", filter=Q(kind=AccountKind.SPEND)), ZERO),
        )
        .order_by("resource", "unit")
    )
    return [
        Balance(
            resource=row["resource"],
            unit=row["unit"],
            balance=_exact(row["held"], row["unit"]),
            used=_exact(row["used"], row["unit"]),
        )
        for row in rows
    ]


@dataclass(frozen=True)
class StatementLine:
    entry_id: int
    transaction_id: int
    posted_at: datetime
    kind: str
    memo: str
    amount: Decimal
    balance: Decimal  # the account's balance after this entry


def statement(*, account: Account, since: datetime | None = None) -> list[StatementLine]:
    """The account's entries in posting order with the running balance (at most two queries).

    With `since`, the lines start there and the running balance starts from everything
    posted before it.
    """
    entries = Entry.objects.filter(account=account)
    opening = Decimal("0")
    if since is not None:
        opening = entries.filter(transaction__created_at__lt=since).aggregate(
            total=Coalesce(Sum("amount"), ZERO)
        )["total"]
        entries = entries.filter(transaction__created_at__gte=since)
    rows = entries.annotate(
        running=Window(Sum("amount"), order_by=F("id").asc()),
        posted_at=F("transaction__created_at"),
        kind=F("transaction__kind"),
        memo=F("transaction__memo"),
    ).values_list("id", "transaction_id", "posted_at", "kind", "memo", "amount", "running")
    return [
        StatementLine(
            entry_id=entry_id,
            transaction_id=transaction_id,
            posted_at=posted_at,
            kind=kind,
            memo=memo,
            amount=_exact(amount, account.unit),
            balance=_exact(opening + Decimal(running), account.unit),
        )
        for entry_id, transaction_id, posted_at, kind, memo, amount, running in rows.order_by("id")
    ]


@dataclass(frozen=True)
class Totals:
    resource: str
    unit: str
    committed: Decimal  # granted to startups
    used: Decimal  # used by, or paid out to, them
    left: Decimal  # still held by them


def totals_for_cohort(*, cohort: Cohort) -> list[Totals]:
    """Committed, used and left per resource for a cohort's accepted startups (two queries)."""
    committed = {
        (row["account__resource"], row["account__unit"]): row["total"]
        for row in Entry.objects.filter(
            transaction__cohort=cohort,
            transaction__kind__in=[TransactionKind.ENTITLEMENT, TransactionKind.REVERSAL],
            account__kind=AccountKind.ASSET,
        )
        .values("account__resource", "account__unit")
        .annotate(total=Sum("amount"))
        .order_by()
    }
    startups = Application.objects.filter(cohort=cohort, state=ApplicationState.ACCEPTED).values(
        "startup_id"
    )
    held = (
        Account.objects.filter(startup__in=startups)
        .values("resource", "unit")
        .annotate(
            used=Coalesce(Sum("balance", filter=Q(kind=AccountKind.SPEND)), ZERO),
            left=Coalesce(Sum("balance", filter=Q(kind=AccountKind.ASSET)), ZERO),
        )
        .order_by()
    )
    by_unit = {(row["resource"], row["unit"]): row for row in held}
    return [
        Totals(
            resource=resource,
            unit=unit,
            committed=_exact(committed.get((resource, unit)), unit),
            used=_exact(by_unit.get((resource, unit), {}).get("used"), unit),
            left=_exact(by_unit.get((resource, unit), {}).get("left"), unit),
        )
        for resource, unit in sorted(set(committed) | set(by_unit))
    ]


@dataclass(frozen=True)
class PoolTotals:
    resource: str
    unit: str
    funded: Decimal  # brought into the pool
    granted: Decimal  # given out of it to startups
    left: Decimal


def totals_for_pools(*, programme: Programme) -> list[PoolTotals]:
    """Each of a programme's pools: what came in, what went out, what is left (one query)."""
    rows = (
        Account.objects.filter(programme=programme, kind=AccountKind.POOL)
        .annotate(
            funded=Coalesce(Sum("entries__amount", filter=Q(entries__amount__gt=0)), ZERO),
            granted=Coalesce(Sum("entries__amount", filter=Q(entries__amount__lt=0)), ZERO),
        )
        .order_by("resource", "unit")
    )
    return [
        PoolTotals(
            resource=pool.resource,
            unit=pool.unit,
            funded=_exact(pool.funded, pool.unit),
            granted=_exact(-pool.granted, pool.unit),
            left=_exact(pool.balance, pool.unit),
        )
        for pool in rows
    ]


# --- Consistency (nurture ledger-check) -----------------------------------------------------


def _outside(total, expected) -> Q:
    return Q(**{f"{total}__gt": expected + TOLERANCE}) | Q(**{f"{total}__lt": expected - TOLERANCE})


def unbalanced_transactions() -> QuerySet:
    """Transactions whose entries do not sum to zero, mix units, or are fewer than two."""
    return (
        LedgerTransaction.objects.annotate(
            lines=Count("entries"),
            total=Coalesce(Sum("entries__amount"), ZERO),
            units=Count("entries__account__unit", distinct=True),
            resources=Count("entries__account__resource", distinct=True),
        )
        .filter(
            Q(lines__lt=2)
            | Q(units__gt=1)
            | Q(resources__gt=1)
            | Q(total__gt=TOLERANCE)
            | Q(total__lt=-TOLERANCE)
        )
        .order_by("id")
        .values("id", "lines", "total", "units", "resources")
    )


def stale_balances() -> QuerySet:
    """Accounts whose cached balance differs from the sum of their entries."""
    return (
        Account.objects.annotate(entries_total=Coalesce(Sum("entries__amount"), ZERO))
        .filter(_outside("balance", F("entries_total")))
        .order_by("id")
        .values("id", "balance", "entries_total")
    )


def negative_balances() -> QuerySet:
    """Accounts that may not go negative but are below zero."""
    return (
        Account.objects.exclude(kind=AccountKind.SOURCE)
        .filter(balance__lt=0)
        .order_by("id")
        .values("id", "balance")
    )


def unmirrored_reversals() -> QuerySet:
    """(original, account) pairs where a reversal does not exactly negate its original.

    Each entry of an original and of its reversal is grouped under the original's id and the
    account: a faithful mirror leaves two entries summing to zero in every group.
    """
    return (
        Entry.objects.filter(
            Q(transaction__kind=TransactionKind.REVERSAL) | Q(transaction__reversal__isnull=False)
        )
        .annotate(
            original=Case(
                When(
                    transaction__kind=TransactionKind.REVERSAL, then=F("transaction__reverses_id")
                ),
                default=F("transaction_id"),
            )
        )
        .values("original", "account_id")
        .annotate(lines=Count("id"), total=Sum("amount"))
        .filter(Q(lines__gt=2) | Q(lines__lt=2) | Q(total__gt=TOLERANCE) | Q(total__lt=-TOLERANCE))
        .order_by("original", "account_id")
    )


def _plain(row: dict) -> dict:
    """Amounts at the stored scale, whatever type the database's sums came back as."""
    return {
        name: Decimal(value).quantize(STORED) if name in AMOUNT_NAMES else value
        for name, value in row.items()
    }


AMOUNT_NAMES = frozenset({"total", "balance", "entries_total"})


def ledger_problems(*, limit: int = 50) -> list[str]:
    """Everything wrong with the ledger, each named; empty when the ledger is consistent.

    Four aggregate queries, each at most `limit` rows, whatever the size of the ledger.
    """
    problems = [
        _(
            "Transaction #%(id)s does not balance: %(lines)s lines summing to %(total)s, "
            "in %(units)s units and %(resources)s resources."
        )
        % _plain(row)
        for row in unbalanced_transactions()[:limit]
    ]
    problems += [
        _(
            "Account #%(id)s caches a balance of %(balance)s "
            "but its entries sum to %(entries_total)s."
        )
        % _plain(row)
        for row in stale_balances()[:limit]
    ]
    problems += [
        _("Account #%(id)s may not go negative but holds %(balance)s.") % _plain(row)
        for row in negative_balances()[:limit]
    ]
    problems += [
        _(
            "The reversal of transaction #%(original)s does not mirror it on account "
            "#%(account_id)s: %(lines)s entries summing to %(total)s."
        )
        % _plain(row)
        for row in unmirrored_reversals()[:limit]
    ]
    return problems
