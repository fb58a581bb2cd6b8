"""The benefits ledger: a startup's balances and statement, a programme's totals.

A startup's members and the programme's staff and finance approvers see its balances and
statement; anyone else gets 404, as if it did not exist. The totals are for staff and finance
(403 for other roles).
"""

from datetime import datetime
from decimal import Decimal

from django.core.exceptions import PermissionDenied
from django.http import Http404
from ninja import Router, Schema
from ninja.pagination import paginate

from nurture.programmes.models import Programme
from nurture.resources import selectors
from nurture.resources.permissions import can_view_programme_totals, can_view_statement
from nurture.startups.models import Startup

from . import schemas
from .pagination import PageNumberPagination
from .schemas import PathId

router = Router(tags=["Benefits"])

_ERRORS = {401: schemas.Error, 403: schemas.Error, 404: schemas.Error, 422: schemas.Error}


class Balance(Schema):
    resource: str
    unit: str
    balance: Decimal  # what the startup holds now
    used: Decimal  # what it has used, or been paid out
    total: Decimal  # what it was given: balance + used


class Upcoming(Schema):
    resource: str
    unit: str
    amount: Decimal
    cohort: int


class Balances(Schema):
    startup: int
    balances: list[Balance]
    upcoming: list[Upcoming]


class StatementLine(Schema):
    account: int
    resource: str
    unit: str
    account_kind: str
    entry: int
    transaction: int
    posted_at: datetime
    kind: str
    memo: str
    amount: Decimal
    balance: Decimal  # the account's balance after this entry


class ResourceTotals(Schema):
    resource: str
    unit: str
    committed: Decimal
    disbursed: Decimal
    used: Decimal
    left: Decimal


class CohortTotals(Schema):
    cohort: int
    name: str
    startups: int
    totals: list[ResourceTotals]


class PoolTotals(Schema):
    resource: str
    unit: str
    funded: Decimal
    granted: Decimal
    left: Decimal


class ProgrammeTotals(Schema):
    programme: int
    pools: list[PoolTotals]
    all_cohorts: list[ResourceTotals]
    cohorts: list[CohortTotals]


def _startup(user, startup_id: int) -> Startup:
    startup = Startup.objects.filter(pk=startup_id).first()
    if startup is None or not can_view_statement(user, startup):
        raise Http404
    return startup


def _totals(row) -> dict:
    return {
        "resource": row.resource,
        "unit": row.unit,
        "committed": row.committed,
        "disbursed": row.disbursed,
        "used": row.used,
        "left": row.left,
    }


@router.get(
    "/benefits/startups/{startup_id}/balances",
    response={200: Balances, **_ERRORS},
    summary="A startup's balances and what is still to come",
)
def benefit_balances(request, startup_id: PathId):
    startup = _startup(request.user, startup_id)
    return {
        "startup": startup.pk,
        "balances": [
            {
                "resource": b.resource,
                "unit": b.unit,
                "balance": b.balance,
                "used": b.used,
                "total": b.total,
            }
            for b in selectors.balances_for_startup(startup=startup)
        ],
        "upcoming": [
            {"resource": u.resource, "unit": u.unit, "amount": u.amount, "cohort": u.cohort.pk}
            for u in selectors.upcoming_for_startup(startup=startup)
        ],
    }


@router.get(
    "/benefits/startups/{startup_id}/statement",
    response={200: list[StatementLine], **_ERRORS},
    summary="A startup's statement: every entry with its account's running balance",
)
@paginate(PageNumberPagination)
def benefit_statement(request, startup_id: PathId):
    startup = _startup(request.user, startup_id)
    return [
        {
            "account": line.account_id,
            "resource": line.resource,
            "unit": line.unit,
            "account_kind": line.account_kind,
            "entry": line.entry_id,
            "transaction": line.transaction_id,
            "posted_at": line.posted_at,
            "kind": line.kind,
            "memo": line.memo,
            "amount": line.amount,
            "balance": line.balance,
        }
        for line in selectors.startup_statement(startup=startup)
    ]


@router.get(
    "/benefits/programmes/{programme_id}/totals",
    response={200: ProgrammeTotals, **_ERRORS},
    summary="Committed, disbursed, used and left per cohort and pool (staff and finance)",
)
def benefit_totals(request, programme_id: PathId):
    if not can_view_programme_totals(request.user):
        raise PermissionDenied
    programme = Programme.objects.filter(pk=programme_id).first()
    if programme is None:
        raise Http404
    cohorts = selectors.programme_totals(programme=programme)
    return {
        "programme": programme.pk,
        "pools": [
            {
                "resource": p.resource,
                "unit": p.unit,
                "funded": p.funded,
                "granted": p.granted,
                "left": p.left,
            }
            for p in selectors.totals_for_pools(programme=programme)
        ],
        "all_cohorts": [_totals(row) for row in selectors.programme_grand_totals(cohorts)],
        "cohorts": [
            {
                "cohort": c.cohort.pk,
                "name": c.cohort.name,
                "startups": c.startups,
                "totals": [_totals(row) for row in c.rows],
            }
            for c in cohorts
        ],
    }
