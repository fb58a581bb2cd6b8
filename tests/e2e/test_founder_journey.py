import re

from django.core import mail

from nurture.applications.models import Application, ApplicationState
from tests import factories
from tests.e2e.conftest import log_in, shot


def test_a_founder_signs_up_applies_with_a_pdf_and_submits(page, tmp_path):
    factories.CallFactory(title="Call for the 2031 Spring cohort")

    page.goto("/")
    page.get_by_role("link", name="Apply as a founder").click()
    page.get_by_label("Full name").fill("Test Founder")
    page.get_by_label("E-mail address").fill("founder@example.com")
    page.get_by_label("Password").fill(factories.PASSWORD)
    page.get_by_label("I have read the personal information collection statement").check()
    shot(page, "founder-01-signup")
    page.get_by_role("button", name="Create account").click()
    page.get_by_role("heading", name="Check your e-mail").wait_for()

    link = re.search(r"https?://\S+/accounts/verify/\S+/", mail.outbox[-1].body).group(0)
    page.goto(link)
    page.get_by_role("button", name="Confirm my e-mail address").click()
    page.get_by_text("Your e-mail address is confirmed").wait_for()
    log_in(page, "founder@example.com", factories.PASSWORD)

    page.get_by_role("link", name="Create the startup's profile").click()
    page.get_by_label("Startup name").fill("Facade Vision")
    page.get_by_label("Registered in Hong Kong").check()
    page.get_by_label("Hong Kong business registration number").fill("71234567")
    page.get_by_role("button", name="Create the profile").click()
    page.get_by_role("heading", name="Facade Vision").wait_for()

    page.get_by_role("link", name="Dashboard").click()
    page.get_by_role("button", name="Start Facade Vision's application").click()
    page.get_by_text("Your draft is created").wait_for()
    page.get_by_label("Date founded").fill("2025-05-01")
    page.get_by_label("People in the team").fill("4")
    page.get_by_label("Full-time staff").fill("3")
    page.get_by_label("Technical staff").fill("2")
    page.get_by_label("Equity held by the founders (%)").fill("90")
    page.get_by_label("Product").first.fill("Drone inspection of building facades.")
    page.get_by_label("The AI it uses").fill("Defect detection with vision transformers.")
    page.get_by_label("Sector").select_option(label="Property inspection")
    page.get_by_label("Stage").select_option(label="Minimum viable product")
    page.get_by_label("Funding raised so far (USD)").fill("50000")
    page.get_by_label("SenseTime deep-learning platform").check()
    deck = tmp_path / "Facade Vision deck.pdf"
    deck.write_bytes(factories.pdf_bytes(pages=3))
    page.get_by_label("Pitch deck (PDF)").set_input_files(str(deck))
    shot(page, "founder-02-application-form")
    page.get_by_role("button", name="Save draft").click()
    page.get_by_text("Draft saved.").wait_for()
    page.get_by_text("You can submit").wait_for()
    page.get_by_role("button", name="Submit the application").click()
    page.get_by_text("Your application is submitted").wait_for()
    shot(page, "founder-03-submitted")

    application = Application.objects.get()
    assert application.state == ApplicationState.SUBMITTED
    assert application.pitch_deck_name == "Facade Vision deck.pdf"
    assert application.platforms == ["sensetime"]
    assert any("Application received" in m.subject for m in mail.outbox)


def test_the_language_switch_shows_traditional_chinese(page):
    page.goto("/")
    page.get_by_role("button", name="繁體中文").click()
    page.wait_for_load_state()
    assert page.locator("html").get_attribute("lang") == "zh-Hant"
    page.get_by_role("link", name="登入").first.wait_for()
    shot(page, "home-zh-hant")
    page.get_by_role("button", name="English").click()
    page.get_by_role("link", name="Sign in").first.wait_for()
