"""Browser journeys of the advisory board: a reviewer completes their profile, declares a
conflict and bids; a programme manager sets up the written round, runs the assignment,
changes a pair and publishes it."""

from pathlib import Path

from playwright.sync_api import expect

from nurture.reviewers.models import (
    Assignment,
    Bid,
    Conflict,
    ReviewerProfile,
    ReviewRound,
    RoundKind,
    RoundState,
)
from tests import factories
from tests.e2e.conftest import log_in

SHOTS = Path("/tmp/shots")


def shot(page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"reviewers-{name}.png"), full_page=True)


TEXTS = {
    "Harbour Facade AI": "Drone imagery and computer vision to inspect building facades.",
    "Kowloon Credit Lab": "Credit scoring for small merchants with gradient boosting.",
    "Peak Influence": "Recommendation models that match brands with influencers.",
    "Lantau Transit Twin": "Traffic simulation and forecasting for urban planning.",
}


def _cohort():
    call = factories.CallFactory()
    applications = {}
    for name, text in TEXTS.items():
        startup, _founder = factories.startup_with_founder(startup__name=name)
        applications[name] = factories.submitted(
            cohort=call.cohort, startup=startup, product_description=text, ai_description=text
        )
    return call.cohort, applications


def _reviewer(email: str, expertise: str) -> ReviewerProfile:
    user = factories.ReviewerFactory(email=email, full_name=email.split("@")[0].title())
    return ReviewerProfile.objects.create(
        user=user, kind="ai_scientist", expertise=expertise, max_per_round=3
    )


def test_a_reviewer_completes_the_profile_declares_a_conflict_and_bids(page):
    cohort, applications = _cohort()
    ReviewRound.objects.create(cohort=cohort, kind=RoundKind.WRITTEN, state=RoundState.BIDDING)
    reviewer = factories.ReviewerFactory(email="reviewer@example.com", full_name="Board reviewer")

    log_in(page, "reviewer@example.com", factories.PASSWORD)
    page.get_by_role("link", name="Complete your reviewer profile").click()
    page.get_by_label("Kind").select_option("professor")
    page.get_by_label("Affiliation").fill("Peak University")
    page.get_by_label("Expertise").fill("Computer vision, drones, remote sensing.")
    page.get_by_label("Cantonese").check()
    page.get_by_label("Past companies").fill("Old Robotics Co")
    shot(page, "01-profile")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("Your reviewer profile is saved.")).to_be_visible()
    assert ReviewerProfile.objects.get(user=reviewer).affiliation == "Peak University"

    page.get_by_role("link", name="Dashboard").first.click()
    shot(page, "02-dashboard")
    page.get_by_role("link", name="Bid and declare conflicts").click()
    expect(page.get_by_role("heading", name="Harbour Facade AI")).to_be_visible()
    shot(page, "03-bidding")

    facade = page.locator(f"#a{applications['Harbour Facade AI'].pk}")
    facade.get_by_role("button", name="Eager").click()
    expect(facade.get_by_text("Saved: Eager")).to_be_visible()
    assert Bid.objects.get(reviewer=reviewer).value == "eager"

    page.locator(f"#a{applications['Kowloon Credit Lab'].pk}").get_by_role(
        "link", name="I have a conflict"
    ).click()
    page.get_by_label("Why (seen by programme staff only)").fill("I advise the founders.")
    shot(page, "04-declare")
    page.get_by_role("button", name="Declare the conflict").click()
    expect(page.get_by_text("Conflict declared")).to_be_visible()
    expect(page.get_by_role("heading", name="Kowloon Credit Lab")).to_have_count(0)
    assert Conflict.objects.get(reviewer=reviewer).startup.name == "Kowloon Credit Lab"

    page.get_by_label("Search").fill("traffic")
    page.get_by_label("Search").press("Enter")
    expect(page.get_by_role("heading", name="Lantau Transit Twin")).to_be_visible()
    expect(page.get_by_role("heading", name="Harbour Facade AI")).to_have_count(0)
    shot(page, "05-bidding-search")
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(page.url)
    shot(page, "06-bidding-phone")
    # Nothing is wider than a phone's screen.
    assert page.evaluate("document.documentElement.scrollWidth") <= 390


def test_a_programme_manager_runs_the_assignment_and_publishes_it(page):
    cohort, applications = _cohort()
    for email, expertise in [
        ("vision@example.com", "Computer vision and drones for buildings."),
        ("credit@example.com", "Credit risk, fintech and gradient boosting."),
        ("growth@example.com", "Marketing, influencers and recommendation."),
        ("cities@example.com", "Urban planning, traffic and simulation."),
    ]:
        _reviewer(email, expertise)
    factories.ProgrammeManagerFactory(email="manager@example.com", full_name="Programme manager")
    page.on("dialog", lambda dialog: dialog.accept())

    log_in(page, "manager@example.com", factories.PASSWORD)
    page.get_by_role("link", name="Review", exact=True).first.click()
    shot(page, "13-cohort-review")
    page.locator("#main").get_by_role("link", name="Advisory board").first.click()
    expect(page.get_by_role("link", name="Vision")).to_be_visible()
    shot(page, "10-board")
    page.get_by_role("link", name="Add a reviewer").click()
    shot(page, "11-invite")
    page.go_back()
    page.get_by_role("link", name="Conflicts of interest").first.click()
    shot(page, "12-conflicts")
    page.go_back()
    page.go_back()
    page.get_by_role("link", name="Set up the written round").click()
    page.get_by_label("Reviewers per application").fill("2")
    page.get_by_label("Most applications per reviewer").fill("3")
    shot(page, "14-round-form")
    page.get_by_role("button", name="Create the round").click()
    expect(page.get_by_text("The round is created.")).to_be_visible()

    page.get_by_role("button", name="Run the assignment").click()
    expect(page.get_by_text("The assignment is ready")).to_be_visible()
    expect(page.get_by_text("the assignment is optimal")).to_be_visible()
    shot(page, "15-assignment")
    review_round = ReviewRound.objects.get(cohort=cohort)
    assert Assignment.objects.filter(round=review_round).count() == 8

    # Swap one pair to a reviewer with room left.
    facade = applications["Harbour Facade AI"]
    card = page.locator(f"#a{facade.pk}")
    pair = Assignment.objects.filter(round=review_round, application=facade).first()
    taken = set(
        Assignment.objects.filter(round=review_round, application=facade).values_list(
            "reviewer_id", flat=True
        )
    )
    loads = {
        p.user_id: Assignment.objects.filter(round=review_round, reviewer=p.user).count()
        for p in ReviewerProfile.objects.all()
    }
    free = next(uid for uid, n in loads.items() if uid not in taken and n < 3)
    card.locator(f"#swap-{pair.pk}").select_option(str(free))
    card.locator(f"#swap-{pair.pk}").locator("xpath=..").get_by_role("button", name="Swap").click()
    expect(page.get_by_role("alert").filter(has_text="instead of")).to_be_visible()
    pair.refresh_from_db()
    assert pair.reviewer_id == free

    page.get_by_role("button", name="Publish").click()
    expect(page.get_by_text("The assignment is published")).to_be_visible()
    shot(page, "16-published")
    review_round.refresh_from_db()
    assert review_round.state == RoundState.PUBLISHED


def test_a_panel_round_and_the_other_review_pages(page):
    cohort, applications = _cohort()
    for name in ("Harbour Facade AI", "Peak Influence"):
        applications[name].state = "shortlisted"
        applications[name].save()
    members = [
        _reviewer("vision@example.com", "Computer vision."),
        _reviewer("growth@example.com", "Marketing and recommendation."),
    ]
    factories.ProgrammeManagerFactory(email="manager@example.com", full_name="Programme manager")
    page.on("dialog", lambda dialog: dialog.accept())

    log_in(page, "manager@example.com", factories.PASSWORD)
    page.goto(f"/manage/cohorts/{cohort.pk}/review/panel/new/")
    page.get_by_label("Vision").check()
    page.get_by_label("Growth").check()
    shot(page, "20-panel-form")
    page.get_by_role("button", name="Create the round").click()
    page.get_by_role("button", name="Assign the panel to the shortlist").click()
    expect(page.get_by_text("4 pairs assigned to the panel.")).to_be_visible()
    shot(page, "21-panel-round")
    page.get_by_role("button", name="Publish").click()
    expect(page.get_by_text("The assignment is published")).to_be_visible()
    panel = ReviewRound.objects.get(cohort=cohort, kind=RoundKind.PANEL)
    page.goto(f"/manage/rounds/{panel.pk}/edit/")
    shot(page, "22-round-edit")

    page.goto(f"/manage/reviewers/{members[0].pk}/")
    expect(page.get_by_role("heading", name="Vision")).to_be_visible()
    shot(page, "23-reviewer-edit")
    page.goto("/manage/conflicts/new/")
    page.get_by_label("Reviewer").select_option(str(members[1].user_id))
    page.get_by_label("Startup").select_option(label="Peak Influence")
    page.get_by_label("Reason").fill("Sits on the startup's advisory board.")
    shot(page, "24-conflict-form")
    page.get_by_role("button", name="Record the conflict").click()
    expect(page.get_by_role("cell", name="Peak Influence")).to_be_visible()
    page.get_by_label("Why the conflict no longer applies").first.fill("Left the board.")
    page.get_by_role("button", name="Lift").first.click()
    expect(page.get_by_text("The conflict is lifted.")).to_be_visible()

    written = ReviewRound.objects.create(
        cohort=cohort, kind=RoundKind.WRITTEN, state=RoundState.BIDDING, max_load=1
    )
    page.goto(f"/manage/rounds/{written.pk}/")
    page.get_by_role("button", name="Run the assignment").click()
    expect(page.get_by_text("No assignment satisfies every rule")).to_be_visible()
    run = written.runs.get()
    page.goto(f"/manage/runs/{run.pk}/")
    shot(page, "25-run-infeasible")

    page.context.clear_cookies()
    log_in(page, "vision@example.com", factories.PASSWORD)
    page.goto("/reviewers/assigned/")
    expect(page.get_by_role("cell", name="Harbour Facade AI", exact=True)).to_be_visible()
    shot(page, "26-assigned")
    page.goto("/reviewers/bidding/")
    shot(page, "27-bidding-index")
