"""My benefits, the statement page and its downloads, the programme's totals."""

import csv
import io
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from nurture.applications.models import ApplicationState
from nurture.audit.models import AuditEntry
from nurture.programmes.models import BenefitItem
from nurture.resources import exports
from nurture.resources.models import AccountKind, Resource, TransactionKind, Unit
from nurture.resources.selectors import (
    programme_grand_totals,
    programme_totals,
    startup_statement,
    upcoming_for_startup,
)
from nurture.resources.services import account_open, benefits_open, ledger_post, ledger_reverse
from tests import factories

pytestmark = pytest.mark.django_db

D = Decimal


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def cohort(books):
    programme = books.programme
    BenefitItem.objects.create(
        programme=programme, kind="seed_funding", label="Seed", amount=D("100000"), unit="USD"
    )
    BenefitItem.objects.create(
        programme=programme, kind="cloud_credits", label="Cloud", amount=D("5000"), unit="USD"
    )
    BenefitItem.objects.create(
        programme=programme, kind="gpu_hours", label="GPU", amount=D("2000"), unit="GPU_HOURS"
    )
    cohort = factories.CohortFactory(programme=programme)
    factories.CallFactory(cohort=cohort)
    return cohort


def move(startup, resource, unit, amount, kind, memo="usage"):
    asset = account_open(startup=startup, kind=AccountKind.ASSET, resource=resource, unit=unit)
    used = account_open(startup=startup, kind=AccountKind.SPEND, resource=resource, unit=unit)
    return ledger_post(lines=[(asset, -D(amount)), (used, D(amount))], memo=memo, kind=kind)


@pytest.fixture
def admitted(cohort):
    """An admitted startup with its benefits opened and some of them used; and its founder."""
    startup, founder = factories.startup_with_founder()
    application = factories.ApplicationFactory(
        cohort=cohort, startup=startup, state=ApplicationState.ACCEPTED
    )
    benefits_open(application=application, actor=None)
    move(startup, Resource.SEED_FUNDING, Unit.USD, "40000", TransactionKind.DISBURSEMENT, "T1")
    move(startup, Resource.CLOUD_CREDITS, Unit.USD, "1234.56", TransactionKind.USAGE)
    move(startup, Resource.GPU_HOURS, Unit.GPU_HOURS, "12.5", TransactionKind.USAGE, "=cmd|x")
    return startup, founder, application


# --- Selectors ------------------------------------------------------------------------------


def test_upcoming_lists_entitlements_until_benefits_open(cohort):
    startup = factories.StartupFactory()
    application = factories.ApplicationFactory(
        cohort=cohort, startup=startup, state=ApplicationState.ACCEPTED
    )
    upcoming = upcoming_for_startup(startup=startup)
    assert {(u.resource, u.amount) for u in upcoming} == {
        ("seed_funding", D("100000.00")),
        ("cloud_credits", D("5000.00")),
        ("gpu_hours", D("2000.0000")),
    }
    benefits_open(application=application, actor=None)
    assert upcoming_for_startup(startup=startup) == []


def test_an_application_not_accepted_has_nothing_coming(cohort):
    application = factories.ApplicationFactory(cohort=cohort, state=ApplicationState.SUBMITTED)
    assert upcoming_for_startup(startup=application.startup) == []


def test_the_statement_runs_a_balance_per_account(admitted, django_assert_num_queries):
    startup, _founder, _application = admitted
    with django_assert_num_queries(1):
        lines = startup_statement(startup=startup)
    by_account: dict = {}
    for line in lines:
        by_account.setdefault(line.account_id, []).append(line)
    assert len(by_account) == 6  # asset and spend of three resources
    for account_lines in by_account.values():
        running = D(0)
        for line in account_lines:
            running += line.amount
            assert line.balance == running
    seed_asset = [
        line
        for line in lines
        if line.resource == "seed_funding" and line.account_kind == AccountKind.ASSET
    ]
    assert [line.balance for line in seed_asset] == [D("100000.00"), D("60000.00")]


def test_programme_totals_split_disbursed_and_used(admitted, cohort, django_assert_num_queries):
    startup, _founder, _application = admitted
    other = factories.ApplicationFactory(cohort=cohort, state=ApplicationState.ACCEPTED)
    benefits_open(application=other, actor=None)
    txn = move(other.startup, Resource.CLOUD_CREDITS, Unit.USD, "100", TransactionKind.USAGE)
    ledger_reverse(transaction=txn, memo="refund", actor=None)
    with django_assert_num_queries(4):
        totals = programme_totals(programme=cohort.programme)
    (cohort_totals,) = totals
    assert cohort_totals.startups == 2
    rows = {(r.resource, r.unit): r for r in cohort_totals.rows}
    seed = rows[("seed_funding", "USD")]
    assert (seed.committed, seed.disbursed, seed.used, seed.left) == (
        D("200000.00"),
        D("40000.00"),
        D("0.00"),
        D("160000.00"),
    )
    cloud = rows[("cloud_credits", "USD")]
    # The reversed usage counts for nothing.
    assert (cloud.committed, cloud.used, cloud.left) == (
        D("10000.00"),
        D("1234.56"),
        D("8765.44"),
    )
    gpu = rows[("gpu_hours", "GPU_HOURS")]
    assert gpu.used == D("12.5000") and gpu.committed == D("4000.0000")
    for row in cohort_totals.rows:
        assert row.committed == row.disbursed + row.used + row.left
    grand = {(r.resource, r.unit): r for r in programme_grand_totals(totals)}
    assert grand[("seed_funding", "USD")].left == D("160000.00")


# --- Pages ----------------------------------------------------------------------------------


def test_my_benefits_shows_balances_and_links(client, admitted):
    startup, founder, _application = admitted
    client.force_login(founder)
    response = client.get("/benefits/")
    assert response.status_code == 200
    page = response.content.decode()
    assert startup.name in page
    assert "USD 60,000.00" in page  # seed funding still to be paid out
    assert "USD 3,765.44" in page  # cloud credits left
    assert "1,987.5" in page  # GPU-hours left
    assert f"/benefits/startups/{startup.pk}/statement.csv" in page
    assert "/funding/" in page and "/compute/" in page and "/workspace/" in page


def test_my_benefits_shows_what_is_coming(client, cohort):
    startup, founder = factories.startup_with_founder()
    factories.ApplicationFactory(cohort=cohort, startup=startup, state=ApplicationState.ACCEPTED)
    client.force_login(founder)
    page = client.get("/benefits/").content.decode()
    assert "What is coming" in page
    assert "USD 100,000.00" in page


def test_my_benefits_picks_only_among_own_startups(client, admitted):
    _startup, founder, _application = admitted
    stranger = factories.StartupFactory(name="Not Yours Ltd")
    client.force_login(founder)
    page = client.get(f"/benefits/?startup={stranger.pk}").content.decode()
    assert "Not Yours Ltd" not in page


def test_my_benefits_without_a_startup(client):
    client.force_login(factories.FounderFactory())
    response = client.get("/benefits/")
    assert response.status_code == 200
    assert "Once your startup is admitted" in response.content.decode()


def test_the_statement_page_for_members_and_staff(client, admitted):
    startup, founder, _application = admitted
    for user, code in [
        (founder, 200),
        (factories.ProgrammeManagerFactory(), 200),
        (factories.FinanceApproverFactory(), 200),
        (factories.FounderFactory(), 403),
        (factories.ReviewerFactory(), 403),
        (factories.PartnerFactory(), 403),
    ]:
        client.force_login(user)
        assert client.get(f"/benefits/startups/{startup.pk}/statement/").status_code == code


def test_csv_download_is_audited_and_guards_formulas(client, admitted):
    startup, founder, _application = admitted
    client.force_login(founder)
    response = client.get(f"/benefits/startups/{startup.pk}/statement.csv")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0][0] == "Resource"
    memos = [row[7] for row in rows[1:]]
    assert "'=cmd|x" in memos
    assert "=cmd|x" not in memos
    amounts = [row[8] for row in rows[1:]]
    assert "-12.5000" in amounts  # numbers are not prefixed
    entry = AuditEntry.objects.get(action="ledger.statement_export")
    assert entry.actor == founder
    assert entry.target_id == str(startup.pk)
    assert entry.data == {"format": "csv", "lines": len(rows) - 1}


def test_xlsx_download_keeps_formulas_as_text(client, admitted):
    startup, founder, _application = admitted
    client.force_login(founder)
    response = client.get(f"/benefits/startups/{startup.pk}/statement.xlsx")
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).active
    cells = [cell for row in sheet.iter_rows() for cell in row]
    formula = [cell for cell in cells if cell.value == "=cmd|x"]
    assert formula and all(cell.data_type == "s" for cell in formula)
    assert any(cell.value == D("-12.5") or cell.value == -12.5 for cell in cells)


def test_pdf_download(client, admitted):
    startup, _founder, _application = admitted
    startup.name = "Lab 實驗室 Ltd"
    startup.save()
    client.force_login(factories.FinanceApproverFactory())
    response = client.get(f"/benefits/startups/{startup.pk}/statement.pdf")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    assert AuditEntry.objects.filter(action="ledger.statement_export", data__format="pdf").exists()


def test_pdf_without_a_cjk_font_replaces_and_says_so(admitted, settings):
    startup, _founder, _application = admitted
    startup.name = "Lab 實驗室 Ltd"
    settings.PDF_FONT_PATHS = ["/nonexistent.ttf"]
    body = exports.statement_pdf(startup, startup_statement(startup=startup))
    assert body.startswith(b"%PDF")
    path, covered = exports.pdf_font()
    assert path is None and exports.CJK_PROBE not in covered


def test_another_startups_statement_cannot_be_downloaded(client, admitted):
    startup, _founder, _application = admitted
    client.force_login(factories.FounderFactory())
    for fmt in exports.FORMATS:
        assert client.get(f"/benefits/startups/{startup.pk}/statement.{fmt}").status_code == 403
    assert not AuditEntry.objects.filter(action="ledger.statement_export").exists()


def test_an_unknown_format_is_404(client, admitted):
    startup, founder, _application = admitted
    client.force_login(founder)
    assert client.get(f"/benefits/startups/{startup.pk}/statement.exe").status_code == 404


def test_totals_page_for_staff_and_finance(client, admitted, cohort):
    for user in (factories.ProgrammeManagerFactory(), factories.FinanceApproverFactory()):
        client.force_login(user)
        response = client.get(f"/benefits/totals/?programme={cohort.programme.pk}")
        assert response.status_code == 200
        page = response.content.decode()
        assert "USD 40,000.00" in page  # disbursed
        assert "USD 1,234.56" in page  # used credits
        assert admitted[0].name in page


def test_totals_page_refuses_founders_and_unknown_programmes(client, admitted):
    _startup, founder, _application = admitted
    client.force_login(founder)
    assert client.get("/benefits/totals/").status_code == 403
    client.force_login(factories.ProgrammeManagerFactory())
    assert client.get("/benefits/totals/?programme=999999").status_code == 404
    assert client.get("/benefits/totals/?programme=abc").status_code == 404
