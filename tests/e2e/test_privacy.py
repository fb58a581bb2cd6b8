"""Browser: a founder opts out from the link in a marketing e-mail; a founder asks for their
data and downloads the export that staff produced."""

import io
import json
import re
import zipfile

from django.core import mail

from nurture.privacy.models import DataRequest, DeliveryStatus, MarketingDelivery
from nurture.privacy.services import marketing_consent_given, marketing_consent_set
from tests import factories
from tests.e2e.conftest import log_in, shot


def test_a_founder_opts_out_from_the_link_in_a_marketing_email(page):
    founder = factories.FounderFactory(email="founder@example.com", full_name="Test Founder")
    marketing_consent_set(user=founder, granted=True, context="signup")
    factories.FounderFactory(email="no-consent@example.com")
    factories.ProgrammeManagerFactory(email="manager@example.com")

    log_in(page, "manager@example.com", factories.PASSWORD)
    page.goto("/privacy/manage/marketing/")
    page.get_by_role("link", name="New message").click()
    page.get_by_label("Kind").select_option(label="Event promotion")
    page.get_by_label("Audience").select_option(label="Founders")
    page.get_by_label("Subject (English)").fill("Demo day on 5 March")
    page.get_by_label("Subject (Traditional Chinese)").fill("三月五日示範日")
    page.get_by_label("Message (English)").fill("Meet the investors at the Lab.")
    page.get_by_label("Message (Traditional Chinese)").fill("在實驗室與投資者會面。")
    shot(page, "privacy-marketing-form")
    page.get_by_role("button", name="Save the message").click()
    page.get_by_role("button", name="Send now").click()
    page.get_by_text("Queued: 1. Refused for lack of consent: 1.").wait_for()
    shot(page, "privacy-marketing-detail")
    page.goto("/privacy/manage/marketing/")
    shot(page, "privacy-marketing-list")
    page.context.clear_cookies()

    (email,) = [m for m in mail.outbox if "Demo day" in m.subject]
    assert email.to == ["founder@example.com"]
    link = re.search(r"https?://\S+/privacy/unsubscribe/\S+/", email.body).group(0)
    assert email.extra_headers["List-Unsubscribe"] == f"<{link}>"
    page.goto(link)
    page.get_by_role("heading", name="Stop news by e-mail?").wait_for()
    shot(page, "privacy-unsubscribe-confirm")
    page.get_by_role("button", name="Stop sending me news").click()
    page.get_by_role("heading", name="You will receive no more news by e-mail").wait_for()
    shot(page, "privacy-unsubscribe-done")

    assert not marketing_consent_given(user=founder)
    assert MarketingDelivery.objects.get(user=founder).status == DeliveryStatus.SENT


def test_a_founder_asks_for_their_data_and_downloads_the_export(page):
    application = factories.submitted()
    founder = application.startup.members.get()
    factories.ProgrammeManagerFactory(email="manager@example.com", full_name="Manager")

    log_in(page, founder.email, factories.PASSWORD)
    page.goto("/accounts/profile/")
    page.get_by_role("link", name="Make a data access or correction request").click()
    page.get_by_label("Access: a copy of my personal data").check()
    page.get_by_role("button", name="Send the request").click()
    page.get_by_text("Your request is received.").wait_for()
    shot(page, "privacy-my-requests")
    page.set_viewport_size({"width": 390, "height": 844})
    shot(page, "privacy-my-requests-phone")
    page.set_viewport_size({"width": 1280, "height": 900})
    page.context.clear_cookies()

    log_in(page, "manager@example.com", factories.PASSWORD)
    page.get_by_role("button", name="Oversight").click()
    page.get_by_role("link", name="Data access and correction requests").click()
    shot(page, "privacy-request-queue")
    page.set_viewport_size({"width": 390, "height": 844})
    shot(page, "privacy-request-queue-phone")
    page.set_viewport_size({"width": 1280, "height": 900})
    page.get_by_role("link", name="Access: a copy of my personal data").click()
    shot(page, "privacy-request-detail")
    page.get_by_role("button", name="Produce the export").click()
    page.get_by_text("This request is closed.").wait_for()
    page.goto("/privacy/manage/retention/")
    shot(page, "privacy-retention")
    page.context.clear_cookies()

    log_in(page, founder.email, factories.PASSWORD)
    page.goto("/privacy/requests/")
    with page.expect_download() as download:
        page.get_by_role("link", name="Download (ZIP)").click()
    with open(download.value.path(), "rb") as handle:
        content = handle.read()
    archive = zipfile.ZipFile(io.BytesIO(content))
    data = json.loads(archive.read("data.json"))
    assert data["subject"]["email"] == founder.email
    assert any(name.startswith("files/applications/") for name in archive.namelist())
    assert DataRequest.objects.get().export_ready
