"""Browser: staff must pass two-factor authentication; a founder turns it on; re-authentication
before an export."""

import base64
import re
import time

from django.conf import settings
from django.contrib.sessions.backends.db import SessionStore
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import expect

from nurture.accounts.reauth import REAUTH_SESSION_KEY, reauth_window
from nurture.audit.models import AuditEntry
from tests import factories
from tests.e2e.conftest import log_in, shot, totp_now


def _password_step(page, email: str) -> None:
    page.goto("/accounts/login/")
    page.get_by_label("E-mail address").fill(email)
    page.get_by_label("Password").fill(factories.PASSWORD)
    page.get_by_role("button", name="Sign in").click()


def _code_from_page_secret(page) -> str:
    secret = page.get_by_test_id("otp-secret").inner_text().replace(" ", "")
    key = base64.b32decode(secret + "=" * (-len(secret) % 8))
    return f"{TOTP(key).token():06d}"


def test_a_staff_member_must_pass_the_code_step(page):
    manager = factories.ProgrammeManagerFactory(email="manager@example.com")
    TOTPDevice.objects.create(user=manager, name="Phone", confirmed=True)

    _password_step(page, manager.email)
    page.wait_for_url("**/accounts/login/code/**")
    expect(page.get_by_role("heading", name="Enter your code")).to_be_visible()
    shot(page, "accounts-2fa-01-code-step")

    # Nothing else is reachable before the code: back to the code step.
    page.goto("/manage/cohorts/")
    page.wait_for_url("**/accounts/login/code/**")

    page.get_by_label("Authentication code").fill("000000")
    page.get_by_role("button", name="Verify").click()
    expect(page.get_by_text("That code is not right. Please try again.")).to_be_visible()
    shot(page, "accounts-2fa-02-wrong-code")

    page.wait_for_timeout(1100)  # django-otp waits a second after a wrong code
    page.get_by_label("Authentication code").fill(totp_now(manager))
    page.get_by_role("button", name="Verify").click()
    page.wait_for_url("**/manage/cohorts/")
    assert {"user.login", "user.otp_failed", "user.otp_verified"} <= set(
        AuditEntry.objects.filter(target_id=str(manager.pk)).values_list("action", flat=True)
    )


def test_too_many_wrong_codes_lock_the_code_step_with_a_clear_message(page, settings):
    settings.OTP_FAILURE_LIMIT = 2
    settings.OTP_TOTP_THROTTLE_FACTOR = 0
    reviewer = factories.ReviewerFactory(email="reviewer@example.com")
    TOTPDevice.objects.create(user=reviewer, name="Phone", confirmed=True)
    _password_step(page, reviewer.email)
    page.wait_for_url("**/accounts/login/code/**")
    for _attempt in range(2):
        page.get_by_label("Authentication code").fill("000000")
        page.get_by_role("button", name="Verify").click()
    expect(page.get_by_test_id("otp-lockout")).to_contain_text("Too many wrong codes")
    expect(page.get_by_role("button", name="Verify")).to_be_disabled()
    shot(page, "accounts-2fa-03-lockout")


def test_a_new_staff_member_sets_up_two_factor_at_first_sign_in(page):
    finance = factories.FinanceApproverFactory(email="finance@example.com")
    _password_step(page, finance.email)
    page.wait_for_url("**/accounts/two-factor/setup/**")
    expect(page.get_by_test_id("otp-qr").locator("svg")).to_be_visible()
    shot(page, "accounts-2fa-04-setup-required")
    page.set_viewport_size({"width": 390, "height": 844})
    shot(page, "accounts-2fa-04-setup-required-phone")
    page.get_by_label("Authentication code").fill(_code_from_page_secret(page))
    page.get_by_role("button", name="Turn on two-factor authentication").click()
    codes = page.get_by_test_id("backup-codes").locator("li")
    expect(codes).to_have_count(10)
    shot(page, "accounts-2fa-05-backup-codes")
    page.get_by_role("link", name="I have saved them — continue").click()
    page.wait_for_url("**/dashboard/")


def test_a_founder_turns_on_two_factor_and_then_signs_in_with_a_backup_code(page):
    founder = factories.FounderFactory(email="founder@example.com")
    _password_step(page, founder.email)
    page.wait_for_url("**/dashboard/")

    page.goto("/accounts/profile/")
    card = page.locator("#two-factor")
    expect(card.get_by_text("Off", exact=True)).to_be_visible()
    shot(page, "accounts-2fa-06-profile-off")
    card.get_by_role("link", name="Turn on two-factor authentication").click()
    page.wait_for_url("**/accounts/two-factor/setup/**")
    page.get_by_label("Authentication code").fill("123")
    page.get_by_role("button", name="Turn on two-factor authentication").click()
    expect(page.get_by_text("That code is not right.")).to_be_visible()
    shot(page, "accounts-2fa-07-setup-optional")
    page.wait_for_timeout(1100)  # django-otp waits a second after a wrong code
    page.get_by_label("Authentication code").fill(_code_from_page_secret(page))
    page.get_by_role("button", name="Turn on two-factor authentication").click()
    backup = page.get_by_test_id("backup-codes").locator("li").first.inner_text().strip()
    page.get_by_role("link", name="I have saved them — continue").click()
    page.wait_for_url("**/accounts/profile/")
    expect(card.get_by_text("On", exact=True)).to_be_visible()
    expect(card).to_contain_text("10 backup codes left.")
    shot(page, "accounts-2fa-08-profile-on")

    # Next time, the code step; a backup code works once.
    page.get_by_role("button", name=re.compile(founder.full_name)).click()
    page.get_by_role("button", name="Sign out").click()
    _password_step(page, founder.email)
    page.wait_for_url("**/accounts/login/code/**")
    page.get_by_label("Authentication code").fill(backup)
    page.get_by_role("button", name="Verify").click()
    page.wait_for_url("**/dashboard/")
    expect(page.get_by_text("You used a backup code; 9 are left.")).to_be_visible()


def _age_the_confirmation(page, seconds: int) -> None:
    """Make the browser's session look as if its sign-in were `seconds` old, rather than
    shrinking REAUTH_SECONDS and sleeping: a one-second window also closes between the
    confirmation and the download it lets through on a loaded machine."""
    (cookie,) = [c for c in page.context.cookies() if c["name"] == settings.SESSION_COOKIE_NAME]
    session = SessionStore(session_key=cookie["value"])
    session[REAUTH_SESSION_KEY] = int(time.time()) - seconds
    session.save()


def test_an_export_asks_for_the_password_and_code_again_then_downloads(page):
    manager = factories.ProgrammeManagerFactory(email="manager@example.com")
    TOTPDevice.objects.create(user=manager, name="Phone", confirmed=True)
    call = factories.CallFactory()
    factories.submitted(cohort=call.cohort)
    log_in(page, manager.email, factories.PASSWORD)
    _age_the_confirmation(page, reauth_window() + 60)
    page.goto(f"/manage/cohorts/{call.cohort.pk}/applications/")
    page.get_by_role("link", name=re.compile("CSV")).first.click()
    page.wait_for_url("**/accounts/confirm/**")
    expect(page.get_by_role("heading", name="Confirm it is you")).to_be_visible()
    shot(page, "accounts-reauth-01-confirm")
    page.get_by_label("Password").fill(factories.PASSWORD)
    page.get_by_label("Authentication code").fill(totp_now(manager))
    with page.expect_download() as download_info:
        page.get_by_role("button", name="Confirm").click()
    assert download_info.value.suggested_filename.endswith(".csv")
    assert AuditEntry.objects.filter(action="user.reauthenticated").count() == 1


def test_a_founder_creates_a_read_only_token_and_sees_its_scope(page):
    founder = factories.FounderFactory(email="founder@example.com")
    log_in(page, founder.email, factories.PASSWORD)
    page.goto("/accounts/tokens/")
    page.get_by_label("Name").fill("Monthly report")
    expect(page.get_by_label("May")).to_have_value("read")
    page.get_by_role("button", name="Create token").click()
    expect(page.get_by_test_id("new-token")).to_contain_text("nrt_")
    row = page.get_by_role("row", name=re.compile("Monthly report"))
    expect(row).to_contain_text("read only")
    shot(page, "accounts-tokens-scopes")
