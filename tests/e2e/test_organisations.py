"""A new person creates an account and registers a supplier organisation, correcting the form after an error."""

import re

from playwright.sync_api import Page, expect

from accounts.models import Organisation, OrganisationMembership, OrganisationRole
from tests.conftest import build_world
from tests.e2e.conftest import browser_mark, submit, visit

pytestmark = browser_mark

NEW_PASSWORD = "plum-orchard-lantern-42"


def test_register_a_supplier_organisation(browser_page: Page):
    page = browser_page
    build_world()

    # Create an account from the public home page.
    visit(page, "/")
    submit(page, page.locator("main").get_by_role("link", name="Create an account"))
    page.get_by_label("Full name").fill("Sam Supplier")
    page.get_by_label("Email address").fill("sam@newsupplier.example.com")
    page.get_by_label("Create a password").fill(NEW_PASSWORD)
    page.get_by_label("Confirm your password").fill(NEW_PASSWORD)
    submit(page, page.get_by_role("button", name="Create account"))
    expect(page.get_by_role("alert")).to_contain_text("Your account has been created.")
    expect(page.get_by_role("heading", level=1)).to_have_text("Hello, Sam")

    # The home page link preselects "supplier".
    submit(page, page.get_by_role("link", name="Register a supplier organisation"))
    expect(page).to_have_title(re.compile(r"^Register an organisation"))
    supplier = page.get_by_role("radio", name="Supplier")
    expect(supplier).to_be_checked()

    # First attempt: no name and a postcode that is not one.
    page.get_by_label("Organisation name").fill("")
    page.get_by_label("Company number (optional)").fill("01234567")
    page.get_by_label("Postcode").fill("BAD 123")
    page.get_by_label("We are a small or medium-sized enterprise (SME)").check()
    submit(page, page.get_by_role("button", name="Register organisation"), status=422)

    expect(page).to_have_title(re.compile(r"^Error: Register an organisation"))
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_be_visible()
    expect(summary).to_be_focused()  # GOV.UK Frontend moves focus to the summary, so it is read out first
    expect(summary.get_by_role("heading")).to_have_text("There is a problem")
    name_link = summary.get_by_role("link", name="Enter the organisation's name")
    postcode_link = summary.get_by_role("link", name="Enter a real postcode, like SW1A 1AA")
    expect(name_link).to_have_attribute("href", "#id_name")
    expect(postcode_link).to_have_attribute("href", "#id_postcode")
    expect(summary.get_by_role("link")).to_have_count(2)
    # Each field shows its own message, and the values typed are kept.
    expect(page.locator("#id_name-error")).to_contain_text("Enter the organisation's name")
    expect(page.locator("#id_postcode-error")).to_contain_text("Enter a real postcode, like SW1A 1AA")
    expect(page.get_by_label("Postcode")).to_have_value("BAD 123")
    expect(page.get_by_label("Company number (optional)")).to_have_value("01234567")
    expect(page.get_by_label("We are a small or medium-sized enterprise (SME)")).to_be_checked()
    expect(supplier).to_be_checked()
    # A summary link takes focus to its field.
    postcode_link.click()
    expect(page.get_by_label("Postcode")).to_be_focused()
    assert Organisation.objects.filter(name="").count() == 0

    # Second attempt: correct the two fields.
    name_link.click()
    expect(page.get_by_label("Organisation name")).to_be_focused()
    page.keyboard.type("Sam's Small Supplies Ltd")
    page.get_by_label("Postcode").fill("sw1a1aa")
    submit(page, page.get_by_role("button", name="Register organisation"))

    expect(page).to_have_url(re.compile(r"/organisations/\d+/$"))
    expect(page.get_by_role("alert")).to_contain_text(
        "Sam's Small Supplies Ltd has been registered. You are its admin."
    )
    expect(page.get_by_role("heading", level=1)).to_have_text("Sam's Small Supplies Ltd")
    summary_list = page.locator("main dl.govuk-summary-list").first
    expect(summary_list).to_contain_text("SW1A 1AA")
    expect(summary_list).to_contain_text("01234567")
    expect(page.locator("#organisation-members")).to_have_text("Sam Supplier (admin)")
    expect(page.get_by_role("heading", name="Add a member")).to_be_visible()

    organisation = Organisation.objects.get(name="Sam's Small Supplies Ltd")
    assert organisation.is_sme and organisation.postcode == "SW1A 1AA"
    membership = OrganisationMembership.objects.get(organisation=organisation)
    assert membership.user.email == "sam@newsupplier.example.com"
    assert membership.role == OrganisationRole.ADMIN

    # Home now lists the organisation.
    submit(page, page.get_by_role("link", name="Community Value Charters"))
    expect(page.get_by_role("link", name="Sam's Small Supplies Ltd")).to_be_visible()
