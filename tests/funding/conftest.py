"""Fixtures for seed funding: an admitted startup whose cohort started four months ago."""

import time
from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from nurture.accounts.reauth import REAUTH_SESSION_KEY
from nurture.applications.models import ApplicationState
from nurture.funding import services
from nurture.programmes.models import BenefitItem
from tests import factories

BANK = {
    "bank_account_name": "Facade Vision Limited",
    "bank_name": "Harbour Commercial Bank",
    "bank_account_number": "012-345678-901",
}


def admitted_application(programme=None, *, started_days_ago: int = 120, **kwargs):
    """An accepted application in a cohort that started `started_days_ago` days ago."""
    today = timezone.localdate()
    cohort = factories.CohortFactory(
        programme=programme or factories.programme_default(),
        starts_on=today - timedelta(days=started_days_ago),
        ends_on=today - timedelta(days=started_days_ago) + timedelta(days=183),
    )
    return factories.ApplicationFactory(
        cohort=cohort, state=ApplicationState.ACCEPTED, sector=None, **kwargs
    )


def own_programme(seed=Decimal("100000"), unit="USD"):
    """A programme built by the test (no data-migration rows), with a seed-funding line."""
    programme = factories.ProgrammeFactory()
    BenefitItem.objects.create(
        programme=programme, kind="seed_funding", label="Seed", amount=seed, unit=unit
    )
    return programme


def request_payment(tranche, manager, **overrides):
    return services.disbursement_request(
        tranche=tranche,
        actor=manager,
        **{"evidence": "Agreement signed.", **BANK, **overrides},
    )


def confirm_recently(client) -> None:
    """As if the signed-in user had just confirmed their password (nurture.accounts.reauth)."""
    session = client.session
    session[REAUTH_SESSION_KEY] = int(time.time())
    session.save()


@pytest.fixture
def application(db):
    return admitted_application()


@pytest.fixture
def manager(db):
    return factories.ProgrammeManagerFactory()


@pytest.fixture
def finance(db):
    return factories.FinanceApproverFactory()


@pytest.fixture
def tranches(application, manager):
    return services.tranche_schedule_create(application=application, actor=manager)


@pytest.fixture
def pending(tranches, manager):
    return request_payment(tranches[0], manager)
