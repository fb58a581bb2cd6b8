"""A founder reads My benefits and downloads a statement; staff read the programme's totals."""

from datetime import timedelta
from decimal import Decimal
from pathlib import Path

from django.utils import timezone

from nurture.applications.models import ApplicationState
from nurture.audit.models import AuditEntry
from nurture.programmes.models import BenefitItem
from nurture.resources.models import AccountKind, Resource, TransactionKind, Unit
from nurture.resources.services import account_open, benefits_open, ledger_post
from tests import factories

SHOTS = Path("/tmp/shots")
D = Decimal


def snap(page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"benefits-{name}.png"), full_page=True)


def admitted_startup():
    """A fictional startup admitted to a cohort of a fictional programme, benefits opened."""
    programme = factories.ProgrammeFactory(name="Demo Accelerator (fictional)")
    for kind, label, amount, unit in [
        ("seed_funding", "Seed funding", "100000", "USD"),
        ("cloud_credits", "Cloud credits", "5000", "USD"),
        ("gpu_hours", "GPU-hours", "2000", "GPU_HOURS"),
    ]:
        BenefitItem.objects.create(
            programme=programme, kind=kind, label=label, amount=D(amount), unit=unit
        )
    cohort = factories.CohortFactory(programme=programme)
    startup, founder = factories.startup_with_founder(startup__name="Beta Robotics (fictional)")
    application = factories.ApplicationFactory(
        cohort=cohort, startup=startup, state=ApplicationState.ACCEPTED
    )
    benefits_open(application=application, actor=None)
    for resource, unit, amount, kind, memo in [
        (Resource.SEED_FUNDING, Unit.USD, "40000", TransactionKind.DISBURSEMENT, "Tranche 1"),
        (Resource.CLOUD_CREDITS, Unit.USD, "1234.56", TransactionKind.USAGE, "October bill"),
        (Resource.GPU_HOURS, Unit.GPU_HOURS, "12.5", TransactionKind.USAGE, "Job 5001"),
    ]:
        asset = account_open(startup=startup, kind=AccountKind.ASSET, resource=resource, unit=unit)
        spend = account_open(startup=startup, kind=AccountKind.SPEND, resource=resource, unit=unit)
        ledger_post(lines=[(asset, -D(amount)), (spend, D(amount))], memo=memo, kind=kind)
    # A booking two days ago, so the usage chart has a bar.
    from nurture.compute.models import Booking, GpuModel

    starts = timezone.now().replace(minute=0, second=0, microsecond=0) - timedelta(days=2)
    Booking.objects.create(
        startup=startup,
        gpu_model=GpuModel.objects.create(name="Demo GPU (fictional)", slug="demo-gpu"),
        gpus=2,
        starts_at=starts,
        ends_at=starts + timedelta(hours=3),
        gpu_hours=D(6),
    )
    return programme, startup, founder


def test_a_founder_sees_benefits_and_downloads_a_statement(page, tmp_path):
    from tests.e2e.conftest import log_in

    programme, startup, founder = admitted_startup()
    log_in(page, founder.email, factories.PASSWORD)
    page.get_by_role("link", name="My benefits", exact=True).first.click()
    page.get_by_role("heading", name="My benefits").wait_for()
    seed = page.locator(".balance-card[data-resource='seed_funding']")
    assert "USD 60,000.00" in seed.inner_text()
    assert (
        "USD 3,765.44" in page.locator(".balance-card[data-resource='cloud_credits']").inner_text()
    )
    assert "1,987.5" in page.locator(".balance-card[data-resource='gpu_hours']").inner_text()
    page.get_by_role("heading", name="GPU usage, last four weeks").wait_for()
    assert page.locator("#usage-heading ~ figure svg rect").count() >= 1
    snap(page, "mine")

    with page.expect_download() as download_info:
        page.get_by_role("link", name="CSV", exact=True).click()
    download = download_info.value
    assert download.suggested_filename.startswith(f"statement-startup-{startup.pk}-")
    saved = tmp_path / "statement.csv"
    download.save_as(saved)
    text = saved.read_text(encoding="utf-8-sig")
    assert "Tranche 1" in text and "October bill" in text
    assert AuditEntry.objects.filter(
        action="ledger.statement_export", actor=founder, target_id=str(startup.pk)
    ).exists()

    page.get_by_role("link", name="Statement", exact=True).click()
    page.get_by_role("heading", name="Statement of Beta Robotics (fictional)").wait_for()
    assert page.locator("table.statement-table").count() == 6
    snap(page, "statement")
    page.set_viewport_size({"width": 390, "height": 844})
    page.go_back()
    page.get_by_role("heading", name="My benefits").wait_for()
    snap(page, "mine-phone")


def test_staff_read_the_totals_and_download_a_pdf(page):
    from tests.e2e.conftest import log_in

    programme, startup, _founder = admitted_startup()
    manager = factories.ProgrammeManagerFactory()
    log_in(page, manager.email, factories.PASSWORD)
    page.goto(f"/benefits/totals/?programme={programme.pk}")
    page.get_by_role("heading", name="Benefits: programme totals").wait_for()
    totals = page.locator("#totals-all").inner_text()
    assert "USD 100,000.00" in totals and "USD 40,000.00" in totals
    snap(page, "totals")
    with page.expect_download() as download_info:
        page.get_by_role("link", name="PDF").first.click()
    assert download_info.value.suggested_filename.endswith(".pdf")
    assert AuditEntry.objects.filter(action="ledger.statement_export", actor=manager).exists()
