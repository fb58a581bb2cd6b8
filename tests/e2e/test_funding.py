"""Browser: a finance approver approves a seed-funding tranche and the founder sees it paid;
the other seed-funding and platform pages render for the people who use them."""

import shutil
from pathlib import Path

import pytest
from django.apps import apps
from django.utils.module_loading import import_string
from playwright.sync_api import expect

from nurture.funding import services
from nurture.funding.models import DisbursementStatus
from nurture.platforms import services as platform_services
from nurture.platforms.models import Platform
from tests import factories
from tests.e2e.conftest import log_in, shot
from tests.funding.conftest import admitted_application, request_payment

SHOTS = Path("/tmp/shots")


@pytest.fixture
def funding_seeded(seeded):
    """The live server's database is flushed: put back this area's data migrations too."""
    for path in (
        "nurture.funding.migrations.0002_seed_default_tranches.seed",
        "nurture.platforms.migrations.0002_seed_platforms.seed",
    ):
        import_string(path)(apps, None)


def snap(page, name: str) -> None:
    shot(page, f"funding-{name}")
    SHOTS.mkdir(parents=True, exist_ok=True)
    source = Path("var/screenshots") / f"funding-{name}.png"
    if source.exists():
        shutil.copy(source, SHOTS / f"funding-{name}.png")


def _log_out(page) -> None:
    page.context.clear_cookies()


def test_finance_approves_a_tranche_and_the_founder_sees_it_paid(page, funding_seeded):
    startup, founder = factories.startup_with_founder(
        startup__name="Lantern Facade AI", user__email="founder@example.com"
    )
    application = admitted_application(startup=startup)
    manager = factories.ProgrammeManagerFactory(email="manager@example.com")
    finance = factories.FinanceApproverFactory(email="finance@example.com")
    tranches = services.tranche_schedule_create(application=application, actor=manager)
    disbursement = request_payment(tranches[0], manager)

    log_in(page, finance.email, factories.PASSWORD)
    queue = page.get_by_role("link", name="Lantern Facade AI")
    expect(queue).to_be_visible()
    snap(page, "01-finance-dashboard")
    queue.click()
    page.get_by_role("heading", name="Approve and record the payment").wait_for()
    expect(page.get_by_text("012-345678-901")).to_be_visible()
    snap(page, "02-request-to-approve")
    page.get_by_label("Payment reference").fill("HCB-TT-2027-0042")
    page.get_by_role("button", name="Approve", exact=True).click()
    expect(page.get_by_text("Approved: the tranche is recorded as paid.")).to_be_visible()
    snap(page, "03-approved")
    disbursement.refresh_from_db()
    assert disbursement.status == DisbursementStatus.APPROVED
    assert disbursement.decided_by == finance

    _log_out(page)
    log_in(page, founder.email, factories.PASSWORD)
    page.get_by_role("link", name="Seed funding: schedule and payments").click()
    page.get_by_role("heading", name="Seed funding", exact=True).wait_for()
    row = page.get_by_role("row").filter(has_text="On joining")
    expect(row.get_by_text("Paid", exact=True)).to_be_visible()
    expect(row.get_by_text("Ref. HCB-TT-2027-0042")).to_be_visible()
    expect(page.get_by_text("USD 40,000.00 paid, USD 60,000.00 to come")).to_be_visible()
    expect(page.get_by_text("012-345678-901")).to_have_count(0)
    snap(page, "04-founder-schedule")
    page.set_viewport_size({"width": 390, "height": 844})
    snap(page, "05-founder-schedule-phone")


def test_the_staff_and_platform_pages_render(page, funding_seeded):
    startup, founder = factories.startup_with_founder(
        startup__name="Kowloon Vision", user__email="kv@example.com"
    )
    application = admitted_application(startup=startup)
    manager = factories.ProgrammeManagerFactory(email="manager@example.com")
    tranches = services.tranche_schedule_create(application=application, actor=manager)
    request_payment(tranches[0], manager)
    platform_services.platform_access_request(
        application=application,
        platform=Platform.objects.get(slug="sensetime"),
        actor=founder,
        purpose="Fine-tune a defect detector.",
    )

    log_in(page, founder.email, factories.PASSWORD)
    page.goto("/platforms/")
    page.get_by_role("heading", name="Ask for an account").wait_for()
    snap(page, "10-founder-platforms")
    page.get_by_label("Platform").select_option(label="Alibaba Cloud machine-learning platform")
    page.get_by_role("button", name="Send the request").click()
    expect(page.get_by_text("Your request is sent")).to_be_visible()

    _log_out(page)
    log_in(page, manager.email, factories.PASSWORD)
    page.goto(f"/funding/manage/cohorts/{application.cohort_id}/")
    expect(page.get_by_role("link", name="Kowloon Vision")).to_be_visible()
    snap(page, "11-cohort-schedules")
    page.get_by_role("link", name="Request payment").first.click()
    page.get_by_role("heading", name="Request a disbursement").wait_for()
    snap(page, "12-request-form")
    page.goto(f"/funding/manage/programmes/{application.cohort.programme_id}/tranches/")
    page.get_by_role("button", name="Save the tranches").wait_for()
    snap(page, "13-tranche-rules")
    page.goto("/funding/disbursements/")
    snap(page, "14-disbursement-list")
    page.goto("/platforms/manage/")
    expect(page.get_by_role("link", name="Mark provisioned")).to_have_count(2)
    snap(page, "15-platform-requests")
    page.get_by_role("link", name="Mark provisioned").first.click()
    page.get_by_label("Account on the platform").fill("st-kv-0001")
    page.get_by_role("button", name="Mark provisioned").click()
    expect(page.get_by_text("Marked provisioned")).to_be_visible()
    page.goto("/platforms/manage/?show=active")
    snap(page, "16-platforms-provisioned")
    page.goto("/platforms/manage/platforms/")
    snap(page, "17-platform-list")
