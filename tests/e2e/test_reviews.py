"""Browser journeys of the review area: a reviewer reviews an assigned application; a panel
member scores pitches on a phone; a programme manager reads the round and edits the rubric."""

import pytest
from playwright.sync_api import expect

from nurture.audit.models import AuditEntry
from nurture.reviewers.models import RoundKind
from nurture.reviews import services
from nurture.reviews.models import Review, ReviewState
from tests import factories
from tests.e2e.conftest import (
    _REPORT_CSP_VIOLATIONS,
    csp_violations,
    log_in,
    open_menu,
    shot,
)
from tests.reviews.helpers import assign, published_round, submitted_review


def _assigned(reviewer_email="reviewer@example.com"):
    reviewer = factories.ReviewerFactory(email=reviewer_email, full_name="Board Member One")
    review_round = published_round()
    startup, _founder = factories.startup_with_founder(startup__name="Harbour Vision")
    application = factories.submitted(cohort=review_round.cohort, startup=startup)
    assignment = assign(review_round, application=application, reviewer=reviewer)
    other = factories.submitted(
        cohort=review_round.cohort,
        startup=factories.startup_with_founder(startup__name="Kowloon Robotics")[0],
    )
    assign(review_round, application=other, reviewer=reviewer)
    services.rubric_ensure(programme=review_round.cohort.programme)
    return reviewer, assignment


def test_a_reviewer_opens_an_application_saves_a_draft_and_submits(page):
    reviewer, assignment = _assigned()
    peer = assign(assignment.round, application=assignment.application)
    submitted_review(peer, comment="A fellow reviewer's view.")

    log_in(page, reviewer.email, factories.PASSWORD)
    shot(page, "reviews-00-dashboard")
    page.get_by_role("link", name="Review Harbour Vision next").click()
    page.get_by_role("heading", name="Harbour Vision").wait_for()
    expect(page.get_by_text("A fellow reviewer's view.")).to_have_count(0)

    with page.expect_download() as download_info:
        page.get_by_role("link", name="Download the pitch deck").click()
    assert download_info.value.suggested_filename == "deck.pdf"
    assert AuditEntry.objects.filter(
        action="application.viewed_pitch_deck", actor=reviewer
    ).exists()

    # Score two criteria; htmx saves the draft as the reviewer goes.
    page.get_by_role("group", name="Team").get_by_text("4", exact=True).click()
    page.get_by_role("group", name="Market").get_by_text("3", exact=True).click()
    expect(page.locator("#autosave-status")).to_contain_text("Draft saved")
    page.get_by_label("Comment for the programme staff").fill("Good founders; unclear pricing.")
    page.get_by_role("button", name="Save draft").click()
    expect(page.get_by_role("alert").filter(has_text="Draft saved.")).to_be_visible()
    review = Review.objects.get(assignment=assignment)
    assert review.state == ReviewState.DRAFT and review.scores.count() == 2
    shot(page, "reviews-02-draft")

    # Submitting an incomplete review says what is missing.
    page.get_by_role("button", name="Submit the review").click()
    expect(page.get_by_text("Technology and AI depth needs a score.").first).to_be_visible()
    for criterion in (
        "Technology and AI depth",
        "Fit with the Lab's resources",
        "Impact in Hong Kong",
    ):
        page.get_by_role("group", name=criterion).get_by_text("4", exact=True).click()
    page.get_by_label("Recommendation").select_option(label="Recommend")
    page.get_by_role("group", name="Confidence").get_by_text("4", exact=True).click()
    page.get_by_label("Feedback for the founders").fill("Show a pricing pilot.")
    page.get_by_role("button", name="Submit the review").click()
    expect(page.get_by_text("Your review is submitted. Thank you.")).to_be_visible()
    review.refresh_from_db()
    assert review.state == ReviewState.SUBMITTED
    assert review.comment == "Good founders; unclear pricing."
    # Now the other review shows, without the peer's name.
    expect(page.get_by_text("A fellow reviewer's view.")).to_be_visible()
    expect(page.get_by_text(peer.reviewer.email)).to_have_count(0)
    shot(page, "reviews-03-submitted")

    page.get_by_role("link", name="My reviews").first.click()
    expect(page.get_by_text("1 of 2 submitted")).to_be_visible()
    shot(page, "reviews-01-mine")


@pytest.fixture
def phone(browser, live_server, seeded, settings):
    settings.SITE_URL = live_server.url
    context = browser.new_context(
        base_url=live_server.url,
        viewport={"width": 375, "height": 812},
        device_scale_factor=2,
        is_mobile=True,
        has_touch=True,
        locale="en-GB",
    )
    context.set_default_timeout(15_000)
    context.add_init_script(_REPORT_CSP_VIOLATIONS)
    console: list[str] = []
    page = context.new_page()
    page.on("console", lambda message: console.append(message.text))
    yield page
    context.close()
    violations = csp_violations(console)
    if violations:
        pytest.fail("The Content-Security-Policy blocked something:\n" + "\n".join(violations))


def test_a_panel_member_scores_pitches_on_a_phone(phone):
    member = factories.ReviewerFactory(email="panel@example.com")
    panel = published_round(kind=RoundKind.PANEL)
    first = assign(
        panel,
        application=factories.submitted(
            cohort=panel.cohort,
            startup=factories.startup_with_founder(startup__name="Aberdeen Analytics")[0],
        ),
        reviewer=member,
    )
    assign(
        panel,
        application=factories.submitted(
            cohort=panel.cohort,
            startup=factories.startup_with_founder(startup__name="Tsuen Wan Textiles AI")[0],
        ),
        reviewer=member,
    )
    criteria = services.rubric_ensure(programme=panel.cohort.programme)

    log_in(phone, member.email, factories.PASSWORD)
    phone.goto(f"/reviews/panel/{panel.pk}/")
    shot(phone, "reviews-10-panel-list-375")
    phone.get_by_role("link", name="Aberdeen Analytics").click()
    phone.get_by_role("heading", name="Aberdeen Analytics").wait_for()
    # Nothing wider than the screen.
    assert phone.evaluate("document.documentElement.scrollWidth") <= 375
    for index, criterion in enumerate(criteria):
        group = phone.get_by_role("group", name=criterion.label)
        group.get_by_role("button", name=str(5 - index % 3)).tap()
        expect(
            phone.get_by_role("group", name=criterion.label).get_by_role(
                "button", name=str(5 - index % 3)
            )
        ).to_have_attribute("aria-pressed", "true")
    phone.get_by_role("button", name="Recommend", exact=True).tap()
    expect(phone.get_by_role("button", name="Recommend", exact=True)).to_have_attribute(
        "aria-pressed", "true"
    )
    phone.get_by_role("group", name="Confidence").get_by_role("button", name="4").tap()
    expect(
        phone.get_by_role("group", name="Confidence").get_by_role("button", name="4")
    ).to_have_attribute("aria-pressed", "true")
    review = Review.objects.get(assignment=first)
    assert review.scores.count() == len(criteria)
    assert review.weighted_total is not None
    shot(phone, "reviews-11-panel-score-375")
    phone.get_by_role("button", name="Submit my scores").tap()
    phone.get_by_role("heading", name="Tsuen Wan Textiles AI").wait_for()
    review.refresh_from_db()
    assert review.state == ReviewState.SUBMITTED


def test_a_programme_manager_reads_the_round_and_edits_the_rubric(page):
    reviewer, assignment = _assigned()
    submitted_review(assignment, value=5, comment="=SUM(A1) staff remark")
    second = assign(assignment.round, application=assignment.application)
    submitted_review(second, value=2)
    manager = factories.ProgrammeManagerFactory(email="manager@example.com")

    log_in(page, manager.email, factories.PASSWORD)
    open_menu(page, "Programme", "Reviews")
    shot(page, "reviews-19-rounds")
    page.get_by_role("link", name=str(assignment.round)).click()
    expect(page.get_by_text("2 of 3 reviews submitted")).to_be_visible()
    shot(page, "reviews-20-round")
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Export scores (CSV)").click()
    assert download_info.value.suggested_filename.endswith(".csv")
    page.get_by_role("link", name="Harbour Vision").click()
    expect(page.get_by_text(reviewer.email).first).to_be_visible()
    shot(page, "reviews-21-application-reviews")

    page.goto(f"/manage/programmes/{assignment.round.cohort.programme_id}/rubric/")
    expect(page.get_by_role("alert").or_(page.get_by_role("status")).first).to_contain_text(
        "cannot change"
    )
    shot(page, "reviews-22-rubric-locked")


def test_the_rubric_editor_changes_a_weight(page):
    manager = factories.ProgrammeManagerFactory(email="manager@example.com")
    programme = factories.programme_default()
    services.rubric_ensure(programme=programme)
    log_in(page, manager.email, factories.PASSWORD)
    page.goto(f"/manage/programmes/{programme.pk}/rubric/")
    expect(page.get_by_text("20.0% of the total").first).to_be_visible()
    shot(page, "reviews-23-rubric")
    page.get_by_role("link", name="Edit").first.click()
    page.get_by_label("Weight").fill("2")
    page.get_by_label("Label (Traditional Chinese)").fill("團隊")
    shot(page, "reviews-24-criterion-form")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("The rubric is saved.")).to_be_visible()
    expect(page.get_by_text("33.3% of the total")).to_be_visible()


def test_the_written_review_page_fits_a_phone(phone):
    reviewer, assignment = _assigned("phone-reviewer@example.com")
    log_in(phone, reviewer.email, factories.PASSWORD)
    phone.goto(f"/reviews/assignments/{assignment.pk}/")
    phone.get_by_role("heading", name="Harbour Vision").wait_for()
    phone.get_by_role("group", name="Team").get_by_text("5", exact=True).tap()
    expect(phone.locator("#autosave-status")).to_contain_text("Draft saved")
    assert phone.evaluate("document.documentElement.scrollWidth") <= 375
    shot(phone, "reviews-12-written-review-375")
