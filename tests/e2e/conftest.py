"""Browser tests: headless Chromium (Debian's, not a Playwright download) against pytest-django's live server.

Every page a test reaches is checked with axe-core: `visit()` navigates and checks, `submit()` clicks a button that
submits a form, waits for the page it leads to and checks that. Tests build their data with `build_world()` inside
`django_db(transaction=True)`, so the live server thread sees it.
"""

import os
import shutil
from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page, Response, expect, sync_playwright

from tests.factories import PASSWORD

# Playwright's sync API runs an event loop in the test thread; Django refuses ORM calls from a thread with a running
# loop unless told it is safe. Only the browser tests need this, so it is set here and not in the settings.
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
TIMEOUT_MS = 10_000
expect.set_options(timeout=TIMEOUT_MS)

__all__ = ["PASSWORD", "axe_check", "browser_mark", "sign_in", "sign_out", "submit", "visit"]

# What every browser test module sets as its `pytestmark`.
browser_mark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

_axe = Axe()
# axe-core's default rules: WCAG 2.0 and 2.1 A and AA, best practice, and WCAG 2.2 A. Its one WCAG 2.2 AA rule,
# target-size (2.5.8), is off by default in axe-core 4.12; turn it on. AAA, deprecated and experimental rules stay off.
AXE_OPTIONS = {"resultTypes": ["violations"], "rules": {"target-size": {"enabled": True}}}


@pytest.fixture(scope="session")
def chromium_browser():
    executable = shutil.which(str(CHROMIUM))
    if executable is None:
        message = f"Chromium is not installed at {CHROMIUM}; the browser tests need it."
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    playwright = sync_playwright().start()
    try:
        browser = playwright.chromium.launch(executable_path=executable, headless=True, args=CHROMIUM_ARGS)
        yield browser
        browser.close()
    finally:
        playwright.stop()


@pytest.fixture
def browser_page(chromium_browser, live_server):
    """A fresh browser context (no cookies) per test, with relative URLs resolved against the live server.

    Uncaught JavaScript errors on any page fail the test: GOV.UK Frontend and htmx must start cleanly.
    """
    context = chromium_browser.new_context(base_url=live_server.url, accept_downloads=True)
    context.set_default_timeout(TIMEOUT_MS)
    context.set_default_navigation_timeout(TIMEOUT_MS)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(f"{page.url}: {error}"))

    def on_console(message):
        # Chromium logs every 4xx or 5xx document as an error; the tests check those statuses themselves.
        if message.type != "error":
            return
        if message.text.startswith("Failed to load resource") and message.location.get("url") == page.url:
            return
        errors.append(f"{page.url}: {message.text}")

    page.on("console", on_console)
    yield page
    context.close()
    assert not errors, "JavaScript errors in the browser:\n" + "\n".join(errors)


def axe_check(page: Page) -> None:
    """Run axe-core's WCAG 2.0, 2.1 and 2.2 A and AA rules and best practice on the page; expect no violations."""
    results = _axe.run(page, options=AXE_OPTIONS)
    violations = results.response["violations"]
    if not violations:
        return
    lines = [f"{len(violations)} accessibility violation(s) on {page.url} (title {page.title()!r}):"]
    for violation in violations:
        lines.append(f"- {violation['id']} ({violation['impact']}): {violation['help']} <{violation['helpUrl']}>")
        for node in violation["nodes"]:
            target = " ".join(str(part) for part in node["target"])
            lines.append(f"    at {target}: {node.get('failureSummary', '').replace(chr(10), ' ')}")
    pytest.fail("\n".join(lines), pytrace=False)


def visit(page: Page, path: str, *, status: int = 200) -> Response:
    """Go to a page, check the answer's status, and run axe on it."""
    response = page.goto(path)
    assert response is not None, f"no response for {path}"
    assert response.status == status, f"{path} answered {response.status}, expected {status}"
    axe_check(page)
    return response


def submit(page: Page, button, *, status: int = 200) -> Response:
    """Click a button (or link) that loads a new page, wait for that page, check its final status, run axe on it.

    Redirects are followed: a 303 after a successful POST ends on the page it points to, and `status` is that page's.
    """
    with page.expect_navigation() as navigation:
        button.click()
    response = navigation.value
    assert response is not None, "the click did not load a page"
    assert response.status == status, f"{response.url} answered {response.status}, expected {status}"
    axe_check(page)
    return response


def sign_in(page: Page, email: str, password: str = PASSWORD) -> None:
    """Sign in through the real form, and expect to land signed in."""
    visit(page, "/account/sign-in/")
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password", exact=True).fill(password)
    submit(page, page.locator("main").get_by_role("button", name="Sign in"))
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()


def sign_out(page: Page) -> None:
    """Sign out with the button in the header, and expect to be signed out on the public home page."""
    submit(page, page.get_by_role("navigation", name="Menu").get_by_role("button", name="Sign out"))
    expect(page.get_by_role("navigation", name="Menu").get_by_role("link", name="Sign in")).to_be_visible()
