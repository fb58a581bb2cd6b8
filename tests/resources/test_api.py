"""The benefits API: balances, statement and totals, with their permissions."""

from decimal import Decimal

import pytest

from nurture.accounts.services import api_token_create
from nurture.applications.models import ApplicationState
from nurture.programmes.models import BenefitItem
from nurture.resources.models import AccountKind, Resource, TransactionKind, Unit
from nurture.resources.services import account_open, benefits_open, ledger_post
from tests import factories
from tests.api.conftest import ApiClient

pytestmark = pytest.mark.django_db

D = Decimal


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def client_for(user) -> ApiClient:
    _token, key = api_token_create(user=user, name="tests")
    return ApiClient(key)


@pytest.fixture
def admitted(books):
    programme = books.programme
    BenefitItem.objects.create(
        programme=programme, kind="seed_funding", label="Seed", amount=D("100000"), unit="USD"
    )
    BenefitItem.objects.create(
        programme=programme, kind="gpu_hours", label="GPU", amount=D("200"), unit="GPU_HOURS"
    )
    cohort = factories.CohortFactory(programme=programme)
    startup, founder = factories.startup_with_founder()
    application = factories.ApplicationFactory(
        cohort=cohort, startup=startup, state=ApplicationState.ACCEPTED
    )
    benefits_open(application=application, actor=None)
    asset = account_open(
        startup=startup, kind=AccountKind.ASSET, resource=Resource.GPU_HOURS, unit=Unit.GPU_HOURS
    )
    spend = account_open(
        startup=startup, kind=AccountKind.SPEND, resource=Resource.GPU_HOURS, unit=Unit.GPU_HOURS
    )
    ledger_post(lines=[(asset, -D("2.5")), (spend, D("2.5"))], memo="job", kind="usage")
    return startup, founder, cohort


def test_balances_for_the_founder(admitted):
    startup, founder, _cohort = admitted
    body = client_for(founder).get(f"/benefits/startups/{startup.pk}/balances").json()
    balances = {(b["resource"], b["unit"]): b for b in body["balances"]}
    gpu = balances[("gpu_hours", "GPU_HOURS")]
    assert (D(gpu["balance"]), D(gpu["used"]), D(gpu["total"])) == (D("197.5"), D("2.5"), D(200))
    assert D(balances[("seed_funding", "USD")]["balance"]) == D("100000")
    assert body["upcoming"] == []


def test_statement_pages_with_running_balances(admitted):
    startup, founder, _cohort = admitted
    api = client_for(founder)
    body = api.get(f"/benefits/startups/{startup.pk}/statement?page_size=2").json()
    assert body["count"] == 4  # seed asset; GPU asset twice and GPU spend
    assert len(body["items"]) == 2
    everything = api.get(f"/benefits/startups/{startup.pk}/statement").json()["items"]
    gpu_asset = [
        line
        for line in everything
        if line["resource"] == "gpu_hours" and line["account_kind"] == "asset"
    ]
    assert [D(line["balance"]) for line in gpu_asset] == [D(200), D("197.5")]
    assert {line["kind"] for line in everything} == {
        TransactionKind.ENTITLEMENT,
        TransactionKind.USAGE,
    }


def test_another_founder_gets_404(admitted):
    startup, _founder, _cohort = admitted
    stranger = client_for(factories.FounderFactory())
    assert stranger.get(f"/benefits/startups/{startup.pk}/balances").status_code == 404
    assert stranger.get(f"/benefits/startups/{startup.pk}/statement").status_code == 404
    assert stranger.get("/benefits/startups/999999/balances").status_code == 404


def test_totals_for_finance(admitted):
    _startup, _founder, cohort = admitted
    body = (
        client_for(factories.FinanceApproverFactory())
        .get(f"/benefits/programmes/{cohort.programme_id}/totals")
        .json()
    )
    (cohort_totals,) = body["cohorts"]
    assert cohort_totals["startups"] == 1
    gpu = next(t for t in cohort_totals["totals"] if t["resource"] == "gpu_hours")
    assert (D(gpu["committed"]), D(gpu["used"]), D(gpu["left"])) == (D(200), D("2.5"), D("197.5"))
    pools = {p["resource"]: p for p in body["pools"]}
    assert D(pools["seed_funding"]["granted"]) == D("100000")


def test_totals_refuse_founders_and_unknown_programmes(admitted):
    _startup, founder, cohort = admitted
    assert (
        client_for(founder).get(f"/benefits/programmes/{cohort.programme_id}/totals").status_code
        == 403
    )
    staff = client_for(factories.ProgrammeManagerFactory())
    assert staff.get("/benefits/programmes/999999/totals").status_code == 404
    assert staff.get("/benefits/programmes/0/totals").status_code == 422
