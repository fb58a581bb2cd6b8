"""Browser tests: Playwright drives Debian's Chromium against pytest-django's live server."""

import os
import shutil
from pathlib import Path

import pytest

CHROMIUM = os.environ.get("NURTURE_CHROMIUM", "/usr/bin/chromium")
SCREENSHOTS = Path(os.environ.get("NURTURE_SCREENSHOTS", "var/screenshots"))

# Playwright's sync API runs an event loop in this thread; the ORM calls that the tests make
# between browser steps are synchronous and safe here.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


def pytest_collection_modifyitems(config, items):
    for item in items:
        if "tests/e2e/" in str(item.fspath).replace(os.sep, "/"):
            item.add_marker(pytest.mark.e2e)


@pytest.fixture(scope="session")
def browser():
    if not Path(CHROMIUM).exists() or shutil.which(CHROMIUM) is None:
        if os.environ.get("NURTURE_REQUIRE_BROWSER"):
            pytest.fail(f"Chromium is required for browser tests but {CHROMIUM} is missing.")
        pytest.skip(f"Chromium not found at {CHROMIUM}")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            headless=True,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-dev-shm-usage",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
            ],
        )
        yield browser
        browser.close()


@pytest.fixture
def seeded(transactional_db):
    """Live-server tests flush the database; put back what the data migrations seed."""
    from django.apps import apps
    from django.utils.module_loading import import_string

    for path in (
        "nurture.programmes.migrations.0002_seed_default_programme.seed",
        "nurture.programmes.migrations.0003_benefit_details_zh_hant.translate_seeded_details",
        "nurture.privacy.migrations.0002_seed_notices.seed",
    ):
        import_string(path)(apps, None)


# Reports every Content-Security-Policy violation to the console with a marker, including
# those Chromium does not print itself (a report-only policy, an eval refused by a library).
# An init script runs through DevTools, so the page's own policy does not block it.
CSP_MARKER = "csp-violation:"
_REPORT_CSP_VIOLATIONS = """
document.addEventListener("securitypolicyviolation", (event) => {
  console.error("MARKER " + event.effectiveDirective + " blocked " + (event.blockedURI || "inline")
    + " in " + event.sourceFile + ":" + event.lineNumber);
});
""".replace("MARKER", CSP_MARKER)


def csp_violations(messages: list[str]) -> list[str]:
    return [
        text
        for text in messages
        if text.startswith(CSP_MARKER) or "Content Security Policy" in text
    ]


@pytest.fixture
def page(browser, live_server, seeded, settings):
    settings.SITE_URL = live_server.url
    context = browser.new_context(
        base_url=live_server.url, viewport={"width": 1280, "height": 900}, locale="en-GB"
    )
    context.set_default_timeout(15_000)
    context.add_init_script(_REPORT_CSP_VIOLATIONS)
    console: list[str] = []
    page = context.new_page()
    page.on("console", lambda message: console.append(message.text))
    page.on("pageerror", lambda error: console.append(f"page error: {error}"))
    # A test that provokes a violation on purpose reads and clears this list.
    page.console_messages = console
    yield page
    context.close()
    violations = csp_violations(console)
    if violations:
        pytest.fail("The Content-Security-Policy blocked something:\n" + "\n".join(violations))


def shot(page, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)


def totp_now(user) -> str:
    """The code an authenticator app with the user's device shows now (the next one if the
    current one was used already: django-otp accepts each time step once)."""
    import time

    from django_otp.plugins.otp_totp.models import TOTPDevice

    from nurture.accounts.twofactor import current_code

    device = TOTPDevice.objects.get(user=user, confirmed=True)
    now = time.time()
    step_now = int((now - device.t0) // device.step)
    ahead = device.step if device.last_t >= step_now else 0
    return current_code(device, at=now + ahead)


def log_in(page, email: str, password: str) -> None:
    """Sign in through the pages; staff (and founders with 2FA on) pass the code step with
    a code from their device, which staff get here if they have none."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from nurture.accounts.models import User
    from nurture.accounts.twofactor import must_verify, two_factor_required

    user = User.objects.filter(email__iexact=email).first()
    if (
        user is not None
        and two_factor_required(user)
        and not TOTPDevice.objects.filter(user=user, confirmed=True).exists()
    ):
        TOTPDevice.objects.create(user=user, name="Browser test", confirmed=True)
    page.goto("/accounts/login/")
    page.get_by_label("E-mail address").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    if user is not None and must_verify(user):
        page.wait_for_url("**/accounts/login/code/**")
        page.get_by_label("Authentication code").fill(totp_now(user))
        page.get_by_role("button", name="Verify").click()
    page.wait_for_url("**/dashboard/")


def open_menu(page, menu: str, item: str) -> None:
    """Follow a link of the navigation bar's `menu` (Programme, Benefits, Oversight)."""
    page.locator("#nav").get_by_role("button", name=menu, exact=True).click()
    page.locator("#nav").get_by_role("link", name=item, exact=True).click()
