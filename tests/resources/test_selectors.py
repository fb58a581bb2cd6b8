from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from nurture.applications.models import ApplicationState
from nurture.programmes.models import BenefitItem
from nurture.resources.models import AccountKind, Resource, TransactionKind, Unit
from nurture.resources.selectors import (
    Balance,
    PoolTotals,
    Totals,
    balances_for_startup,
    statement,
    totals_for_cohort,
    totals_for_pools,
)
from nurture.resources.services import account_open, benefits_open, ledger_post
from tests import factories

pytestmark = pytest.mark.django_db

D = Decimal


def spend(startup, resource, unit, amount):
    asset = account_open(startup=startup, kind=AccountKind.ASSET, resource=resource, unit=unit)
    used = account_open(startup=startup, kind=AccountKind.SPEND, resource=resource, unit=unit)
    return ledger_post(
        lines=[(asset, -D(amount)), (used, D(amount))], memo="usage", kind=TransactionKind.USAGE
    )


@pytest.fixture
def cohort(books):
    programme = books.programme
    BenefitItem.objects.create(
        programme=programme, kind="seed_funding", label="Seed", amount=D("100000"), unit="USD"
    )
    BenefitItem.objects.create(
        programme=programme, kind="gpu_hours", label="GPU", amount=D("2000"), unit="GPU_HOURS"
    )
    cohort = factories.CohortFactory(programme=programme)
    factories.CallFactory(cohort=cohort)
    return cohort


def admit(cohort):
    application = factories.ApplicationFactory(cohort=cohort, state=ApplicationState.ACCEPTED)
    benefits_open(application=application, actor=None)
    return application.startup


def test_a_startups_balances_and_use(cohort, django_assert_num_queries):
    startup = admit(cohort)
    spend(startup, Resource.GPU_HOURS, Unit.GPU_HOURS, "12.5")
    with django_assert_num_queries(1):
        balances = balances_for_startup(startup=startup)
    assert balances == [
        Balance(resource="gpu_hours", unit="GPU_HOURS", balance=D("1987.5"), used=D("12.5")),
        Balance(resource="seed_funding", unit="USD", balance=D("100000"), used=D("0")),
    ]


def test_a_statement_carries_the_running_balance(books, django_assert_num_queries):
    account = books.account(resource=Resource.CLOUD_CREDITS)
    books.fund(account, "100")
    for amount in ("25.10", "30"):
        spend(account.startup, Resource.CLOUD_CREDITS, Unit.USD, amount)
    with django_assert_num_queries(1):
        lines = statement(account=account)
    assert [(line.kind, line.amount, line.balance) for line in lines] == [
        ("top_up", D("100"), D("100")),
        ("usage", D("-25.10"), D("74.90")),
        ("usage", D("-30"), D("44.90")),
    ]
    assert all(line.balance.as_tuple().exponent == -2 for line in lines)


def test_a_statement_from_a_date_starts_from_the_balance_then(books, django_assert_num_queries):
    account = books.account()
    books.fund(account, "100")
    since = timezone.now() + timedelta(microseconds=1)
    books.fund(account, "5")
    with django_assert_num_queries(2):
        lines = statement(account=account, since=since)
    assert [(line.amount, line.balance) for line in lines] == [(D("5"), D("105"))]


def test_cohort_totals_take_a_fixed_number_of_queries(cohort, django_assert_num_queries):
    first = admit(cohort)
    spend(first, Resource.SEED_FUNDING, Unit.USD, "40000")
    with django_assert_num_queries(2):
        one = totals_for_cohort(cohort=cohort)
    for _ in range(3):
        admit(cohort)
    with django_assert_num_queries(2):
        many = totals_for_cohort(cohort=cohort)
    assert one == [
        Totals("gpu_hours", "GPU_HOURS", committed=D("2000"), used=D("0"), left=D("2000")),
        Totals("seed_funding", "USD", committed=D("100000"), used=D("40000"), left=D("60000")),
    ]
    assert many == [
        Totals("gpu_hours", "GPU_HOURS", committed=D("8000"), used=D("0"), left=D("8000")),
        Totals("seed_funding", "USD", committed=D("400000"), used=D("40000"), left=D("360000")),
    ]


def test_pool_totals(cohort, books, django_assert_num_queries):
    for _ in range(2):
        admit(cohort)
    with django_assert_num_queries(1):
        pools = totals_for_pools(programme=books.programme)
    # The programme factory's yearly cap is the model's default, 20 startups.
    assert pools == [
        PoolTotals("gpu_hours", "GPU_HOURS", funded=D("40000"), granted=D("4000"), left=D("36000")),
        PoolTotals(
            "seed_funding", "USD", funded=D("2000000"), granted=D("200000"), left=D("1800000")
        ),
    ]
