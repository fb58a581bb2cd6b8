from playwright.sync_api import expect

from nurture.audit.models import AuditEntry
from tests import factories
from tests.e2e.conftest import log_in, shot


def test_a_programme_manager_finds_an_application_and_opens_the_deck(page):
    call = factories.CallFactory()
    for name in ("Harbour Ledger", "Kowloon Vision", "Peak Robotics"):
        startup, _founder = factories.startup_with_founder(startup__name=name)
        factories.submitted(cohort=call.cohort, startup=startup)
    factories.ProgrammeManagerFactory(email="manager@example.com")

    log_in(page, "manager@example.com", factories.PASSWORD)
    page.get_by_role("link", name="Review the applications").click()
    page.get_by_role("cell", name="Peak Robotics").wait_for()
    shot(page, "manager-01-application-list")

    page.get_by_label("Search").fill("Kowloon")
    page.get_by_label("Search").press("Enter")
    page.get_by_role("link", name="Kowloon Vision").wait_for()
    expect(page.get_by_role("link", name="Peak Robotics")).to_have_count(0)

    page.get_by_role("link", name="Kowloon Vision").click()
    page.get_by_role("heading", name="Kowloon Vision").first.wait_for()
    shot(page, "manager-02-application")
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Open the pitch deck").click()
    download = download_info.value
    assert download.suggested_filename == "deck.pdf"
    with open(download.path(), "rb") as handle:
        assert handle.read(5) == b"%PDF-"
    actions = set(AuditEntry.objects.values_list("action", flat=True))
    assert {"application.viewed_details", "application.viewed_pitch_deck"} <= actions
