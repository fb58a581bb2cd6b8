"""A programme manager runs selection, confirms the decisions and sends them; the founder
sees the decision and confirms the place."""

import os
from pathlib import Path

from playwright.sync_api import expect

from nurture.selection.models import Decision, OfferResponse
from tests import factories
from tests.e2e.conftest import log_in
from tests.selection.conftest import real_reviews

SHOTS = Path(os.environ.get("NURTURE_SELECTION_SHOTS", "/tmp/shots"))
NAMES = [
    "Harbour Ledger",
    "Kowloon Vision",
    "Peak Robotics",
    "Tsuen Wan Logistics AI",
    "Lantau Health Signals",
    "Victoria Facade Scan",
    "Sham Shui Po Retail Lens",
    "Sai Kung Tide Models",
    "Mong Kok Influence",
    "Central Credit Graph",
    "Tai Po Urban Planner",
    "Aberdeen Property Eye",
]


def shot(page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"selection-{name}.png"), full_page=True)


def test_a_manager_selects_and_sends_decisions_and_the_founder_confirms(page):
    call = factories.CallFactory()
    cohort = call.cohort
    applications = []
    for name in NAMES:
        startup, _founder = factories.startup_with_founder(startup__name=name)
        applications.append(factories.submitted(cohort=cohort, startup=startup))
    merits = [1.6 + 0.28 * i for i in range(len(NAMES))]
    real_reviews(cohort, applications, merits, leniency=[0.7, 0, 0, -0.6, 0.1])
    best = applications[-1]
    founder = best.startup.members.get()
    manager = factories.ProgrammeManagerFactory(email="manager@example.com")

    log_in(page, manager.email, factories.PASSWORD)
    page.goto(f"/manage/selection/cohorts/{cohort.pk}/")
    page.get_by_role("heading", name="Calibrated ranking and shortlist").wait_for()
    shot(page, "01-cohort")

    page.get_by_role("link", name="Calibration: Written review").click()
    page.get_by_role("heading", name="Reviewer effects").wait_for()
    shot(page, "02-calibration")

    page.goto(f"/manage/selection/cohorts/{cohort.pk}/settings/")
    page.get_by_label("Days to confirm a place").fill("10")
    shot(page, "03-settings")
    page.get_by_role("button", name="Save").click()
    page.get_by_text("The selection settings are saved.").wait_for()

    page.get_by_role("button", name="Run the optimiser").click()
    page.get_by_role("heading", name="Binding constraints").wait_for()
    expect(page.get_by_role("heading", name="Proposed for a place")).to_be_visible()
    shot(page, "04-proposal")
    page.set_viewport_size({"width": 390, "height": 844})
    shot(page, "04-proposal-phone")
    page.set_viewport_size({"width": 1280, "height": 900})
    page.get_by_role("button", name="Confirm the decisions").click()
    page.get_by_text("The decisions are recorded.").wait_for()

    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="Send the decisions").click()
    page.get_by_text("12 decisions sent to the founders.").wait_for()
    shot(page, "05-sent")

    page.context.clear_cookies()
    log_in(page, founder.email, factories.PASSWORD)
    page.goto(f"/applications/{best.pk}/")
    page.get_by_role("heading", name="The selection committee's decision").wait_for()
    expect(page.get_by_text("Aberdeen Property Eye is offered a place")).to_be_visible()
    expect(page.get_by_text("Feedback from the reviewers")).to_be_visible()
    expect(page.get_by_text("Reviewer Person")).to_have_count(0)
    expect(page.get_by_text("Staff-only remark")).to_have_count(0)
    shot(page, "06-founder-offer")
    page.set_viewport_size({"width": 390, "height": 844})
    shot(page, "06-founder-offer-phone")
    page.set_viewport_size({"width": 1280, "height": 900})
    page.get_by_role("button", name="Confirm our place").click()
    page.get_by_text("Your place is confirmed.").wait_for()
    shot(page, "07-founder-confirmed")
    assert Decision.objects.get(application=best).response == OfferResponse.CONFIRMED

    # Another founder declines; the manager confirms the replacement from the waiting list.
    runner_up = applications[-2]
    page.context.clear_cookies()
    log_in(page, runner_up.startup.members.get().email, factories.PASSWORD)
    page.goto(f"/applications/{runner_up.pk}/")
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="Decline the place").click()
    page.get_by_text("You declined the place.").first.wait_for()

    page.context.clear_cookies()
    log_in(page, manager.email, factories.PASSWORD)
    page.goto(f"/manage/selection/cohorts/{cohort.pk}/")
    page.get_by_role("link", name="Replacement after a decline").first.click()
    page.get_by_text("The optimiser proposes to offer the free place to:").wait_for()
    expect(page.get_by_text("Kowloon Vision").first).to_be_visible()
    shot(page, "08-replacement")
    page.get_by_role("button", name="Confirm and send the offer").click()
    page.get_by_text("1 offer sent.").wait_for()
    offer = Decision.objects.get(application=applications[1])
    assert (offer.outcome, offer.response) == ("accepted", OfferResponse.PENDING)
