"""Reads of the ledger, each in a fixed number of queries whatever the number of rows.

Sums are done by the database. PostgreSQL's numeric is exact; SQLite, the embedded default,
stores decimals as doubles, so its sums are exact to 15 significant digits and are rounded
here to each unit's scale.
"""

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from django.db.models import (
    Case,
    Count,
    DecimalField,
    F,
    Prefetch,
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
from nurture.programmes.models import BenefitItem, Cohort, Programme
from nurture.startups.models import Startup

from .models import (
    AMOUNT_DIGITS,
    AMOUNT_PLACES,
    RESOURCE_UNITS,
    UNIT_SCALE,
    Account,
    AccountKind,
    Entry,
    LedgerTransaction,
    Resource,
    TransactionKind,
)
from .services import benefits_key

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

    @property
    def total(self) -> Decimal:
        """What it was given, net of reversals: held plus used."""
        return self.balance + self.used


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


# --- A startup's benefits and statement -----------------------------------------------------


def startups_of_user(user) -> list[Startup]:
    """The startups the user is a member of, by name (one query)."""
    if not user.is_authenticated:
        return []
    return list(Startup.objects.filter(memberships__user_id=user.pk).distinct().order_by("name"))


@dataclass(frozen=True)
class Upcoming:
    resource: str
    unit: str
    amount: Decimal
    cohort: Cohort


def upcoming_for_startup(*, startup: Startup) -> list[Upcoming]:
    """Entitlements of the startup's accepted applications not yet posted (two queries).

    Each accepted application's benefit package (seed funding, cloud credits, GPU-hours) is
    released by `benefits_open` under one key per resource; a resource whose key holds no
    transaction yet is still to come.
    """
    applications = list(
        Application.objects.filter(startup=startup, state=ApplicationState.ACCEPTED)
        .select_related("cohort")
        .prefetch_related(
            Prefetch(
                "cohort__programme__benefits",
                queryset=BenefitItem.objects.filter(
                    kind__in=[choice for choice, _label in Resource.choices], amount__gt=0
                ).order_by("position", "id"),
                to_attr="ledger_items",
            )
        )
        .order_by("cohort__starts_on", "id")
    )
    wanted: dict[str, Upcoming] = {}
    for application in applications:
        totals: dict[tuple[str, str], Decimal] = {}
        for item in application.cohort.programme.ledger_items:
            if item.unit in RESOURCE_UNITS.get(item.kind, ()):
                totals[(item.kind, item.unit)] = totals.get((item.kind, item.unit), 0) + item.amount
        for (resource, unit), amount in totals.items():
            wanted[benefits_key(application, resource, unit)] = Upcoming(
                resource=resource,
                unit=unit,
                amount=_exact(amount, unit),
                cohort=application.cohort,
            )
    if not wanted:
        return []
    posted = set(
        LedgerTransaction.objects.filter(idempotency_key__in=list(wanted)).values_list(
            "idempotency_key", flat=True
        )
    )
    return [upcoming for key, upcoming in wanted.items() if key not in posted]


@dataclass(frozen=True)
class StartupStatementLine:
    account_id: int
    resource: str
    unit: str
    account_kind: str
    entry_id: int
    transaction_id: int
    posted_at: datetime
    kind: str
    memo: str
    amount: Decimal
    balance: Decimal  # the account's balance after this entry


def startup_statement(*, startup: Startup) -> list[StartupStatementLine]:
    """Every entry of the startup's accounts with each account's running balance (one query).

    Ordered by resource, unit, account kind (its balance, then what it used) and posting.
    """
    rows = (
        Entry.objects.filter(account__startup=startup)
        .annotate(
            running=Window(Sum("amount"), partition_by=[F("account_id")], order_by=F("id").asc()),
            posted_at=F("transaction__created_at"),
            kind=F("transaction__kind"),
            memo=F("transaction__memo"),
            resource=F("account__resource"),
            unit=F("account__unit"),
            account_kind=F("account__kind"),
        )
        .values_list(
            "account_id",
            "resource",
            "unit",
            "account_kind",
            "id",
            "transaction_id",
            "posted_at",
            "kind",
            "memo",
            "amount",
            "running",
        )
        .order_by("account__resource", "account__unit", "account__kind", "id")
    )
    return [
        StartupStatementLine(
            account_id=account_id,
            resource=resource,
            unit=unit,
            account_kind=account_kind,
            entry_id=entry_id,
            transaction_id=transaction_id,
            posted_at=posted_at,
            kind=kind,
            memo=memo,
            amount=_exact(amount, unit),
            balance=_exact(running, unit),
        )
        for (
            account_id,
            resource,
            unit,
            account_kind,
            entry_id,
            transaction_id,
            posted_at,
            kind,
            memo,
            amount,
            running,
        ) in rows
    ]


# --- The programme's totals for staff -------------------------------------------------------


@dataclass
class ResourceTotals:
    resource: str
    unit: str
    committed: Decimal = Decimal("0")  # granted to the startups, net of reversals
    disbursed: Decimal = Decimal("0")  # paid out to them (seed funding)
    used: Decimal = Decimal("0")  # used by them (credits, GPU-hours, anything else spent)
    left: Decimal = Decimal("0")  # still held by them

    @property
    def used_share(self) -> int:
        """Disbursed and used, in percent of what was committed."""
        if self.committed <= 0:
            return 0
        return min(100, int((self.disbursed + self.used) * 100 / self.committed))


@dataclass
class CohortTotals:
    cohort: Cohort
    startups: int
    rows: list[ResourceTotals]


def programme_totals(*, programme: Programme) -> list[CohortTotals]:
    """Committed, disbursed, used and left per cohort and resource (three queries).

    A startup counts in the cohort that accepted it. What it holds is its asset balance;
    what it spent, its spending accounts' entries, split by the kind of the transaction (a
    reversal counts as the kind it reverses): disbursements are "disbursed", the rest "used".
    Committed is their sum, i.e. what came in net of what went back.
    """
    cohorts = list(programme.cohorts.order_by("-starts_on", "-id"))
    members = defaultdict(set)
    for startup_id, cohort_id in Application.objects.filter(
        cohort__programme=programme, state=ApplicationState.ACCEPTED
    ).values_list("startup_id", "cohort_id"):
        members[startup_id].add(cohort_id)
    tables: dict[int, dict[tuple[str, str], ResourceTotals]] = {c.pk: {} for c in cohorts}

    def row(cohort_id: int, resource: str, unit: str) -> ResourceTotals:
        table = tables[cohort_id]
        if (resource, unit) not in table:
            table[(resource, unit)] = ResourceTotals(resource=resource, unit=unit)
        return table[(resource, unit)]

    if members:
        held = Account.objects.filter(kind=AccountKind.ASSET, startup_id__in=list(members))
        for startup_id, resource, unit, balance in held.values_list(
            "startup_id", "resource", "unit", "balance"
        ):
            for cohort_id in members[startup_id]:
                row(cohort_id, resource, unit).left += _exact(balance, unit)
        spent = (
            Entry.objects.filter(
                account__kind=AccountKind.SPEND, account__startup_id__in=list(members)
            )
            .annotate(
                what=Coalesce(F("transaction__reverses__kind"), F("transaction__kind")),
            )
            .values("account__startup_id", "account__resource", "account__unit", "what")
            .annotate(total=Sum("amount"))
            .order_by()
        )
        for entry in spent:
            unit = entry["account__unit"]
            for cohort_id in members[entry["account__startup_id"]]:
                totals = row(cohort_id, entry["account__resource"], unit)
                if entry["what"] == TransactionKind.DISBURSEMENT:
                    totals.disbursed += _exact(entry["total"], unit)
                else:
                    totals.used += _exact(entry["total"], unit)
    order = {resource: position for position, resource in enumerate(Resource.values)}
    result = []
    for cohort in cohorts:
        rows = sorted(tables[cohort.pk].values(), key=lambda r: (order[r.resource], r.unit))
        for totals in rows:
            totals.committed = totals.left + totals.disbursed + totals.used
        result.append(
            CohortTotals(
                cohort=cohort,
                startups=sum(1 for cohort_ids in members.values() if cohort.pk in cohort_ids),
                rows=rows,
            )
        )
    return result


def programme_grand_totals(cohorts: list[CohortTotals]) -> list[ResourceTotals]:
    """The cohorts' rows added up per resource and unit."""
    grand: dict[tuple[str, str], ResourceTotals] = {}
    for cohort in cohorts:
        for totals in cohort.rows:
            key = (totals.resource, totals.unit)
            into = grand.setdefault(key, ResourceTotals(resource=totals.resource, unit=totals.unit))
            into.committed += totals.committed
            into.disbursed += totals.disbursed
            into.used += totals.used
            into.left += totals.left
    order = {resource: position for position, resource in enumerate(Resource.values)}
    return sorted(grand.values(), key=lambda r: (order[r.resource], r.unit))
