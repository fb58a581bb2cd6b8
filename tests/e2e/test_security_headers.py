"""Every kind of page runs under the strict Content-Security-Policy with nothing blocked (the
`page` fixture fails a test on any violation)."""

from tests import factories
from tests.e2e.conftest import CSP_MARKER, csp_violations, log_in


def test_the_api_docs_render_and_expand_under_the_policy(page):
    page.goto("/api/docs")
    page.get_by_role("heading", name="Nurture API").wait_for()
    page.get_by_text("/api/programmes", exact=True).first.click()
    page.get_by_role("button", name="Try it out").click()
    page.get_by_role("button", name="Execute").click()
    page.locator(".live-responses-table").wait_for()


def test_signed_in_pages_and_htmx_filters_run_under_the_policy(page):
    manager = factories.ProgrammeManagerFactory()
    log_in(page, manager.email, factories.PASSWORD)
    page.goto("/manage/audit/")
    # The search box filters through htmx: a request, a swap, the indicator.
    with page.expect_response(lambda response: "/manage/audit/?" in response.url):
        page.get_by_label("Search").press_sequentially("login")
    page.locator("#audit-table table").wait_for()
    page.goto("/accounts/profile/")
    page.goto("/accounts/tokens/")


def test_a_blocked_inline_script_would_be_reported(page):
    """The check itself works: an inline script injected into a page is refused and seen."""
    page.goto("/")
    page.evaluate(
        """() => { const s = document.createElement("script");
        s.textContent = "window.ran = true"; document.body.append(s); }"""
    )
    page.wait_for_timeout(200)
    assert page.evaluate("() => window.ran === undefined")
    seen = csp_violations(page.console_messages)
    assert any(text.startswith(CSP_MARKER + " script-src-elem blocked inline") for text in seen)
    page.console_messages.clear()
