"""A person creates an API token on their account, copies it once, uses it, and revokes it."""

from playwright.sync_api import Page, expect

from tests.conftest import build_world
from tests.e2e.conftest import browser_mark, sign_in, submit, visit

pytestmark = browser_mark


def test_create_use_and_revoke_a_token(browser_page: Page):
    page = browser_page
    world = build_world()
    sign_in(page, world.resident.email)

    visit(page, "/account/")
    submit(page, page.get_by_role("link", name="Your API tokens"))
    expect(page.get_by_role("heading", level=1)).to_have_text("API tokens")
    expect(page.locator("#no-tokens")).to_be_visible()

    # A name is required: the form says so, as an error summary and next to the field.
    submit(page, page.get_by_role("button", name="Create a token"))
    submit(page, page.get_by_role("button", name="Create token"), status=422)
    expect(page.locator(".govuk-error-summary")).to_contain_text("Enter a name for the token")
    page.get_by_label("Name").fill("Monthly report")
    response = submit(page, page.get_by_role("button", name="Create token"))
    assert "no-store" in response.headers["cache-control"]

    # The secret is shown once.
    expect(page.get_by_role("heading", level=1)).to_have_text("Copy your new API token")
    secret = page.locator("#api-token-secret").inner_text()
    assert secret.startswith("cvc_")
    expect(page.locator("main")).to_contain_text("It will not be shown again")
    used = page.request.get("/api/v1/authorities/", headers={"Authorization": f"Bearer {secret}"})
    assert used.status == 200

    visit(page, page.url)
    expect(page.locator("main")).not_to_contain_text(secret)

    # Listed by name and prefix, then revoked after a confirmation.
    visit(page, "/account/api-tokens/")
    row = page.locator("#api-tokens tbody tr")
    expect(row).to_have_count(1)
    expect(row).to_contain_text("Monthly report")
    expect(row).to_contain_text(secret[: len("cvc_") + 8])
    submit(page, row.get_by_role("link", name="Revoke Monthly report"))
    expect(page.get_by_role("heading", level=1)).to_contain_text("Are you sure")
    submit(page, page.get_by_role("button", name="Revoke token"))
    expect(page.get_by_role("alert")).to_contain_text("has been revoked")
    expect(page.locator("#no-tokens")).to_be_visible()

    refused = page.request.get("/api/v1/authorities/", headers={"Authorization": f"Bearer {secret}"})
    assert refused.status == 401
    assert refused.json()["title"] == "Not signed in"


def test_the_api_documentation_page_loads(browser_page: Page):
    page = browser_page
    build_world()
    response = page.goto("/api/docs/")
    assert response is not None and response.status == 200
    expect(page.locator(".swagger-ui .title")).to_contain_text("Community Value Charters API")
