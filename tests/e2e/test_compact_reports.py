"""A contract manager makes a contract's compliance report and the annual social value report, and follows each job
to its file; both pages pass axe, including the annual form's error."""

from playwright.sync_api import Page, expect

from accounts.roles import Role
from tests.compact.test_reports import _contract
from tests.conftest import build_world
from tests.e2e.conftest import axe_check, browser_mark, sign_in, submit, visit
from tests.tenders.factories import ensure_reference_data

pytestmark = browser_mark


def test_compliance_and_annual_report_journey(browser_page: Page):
    page = browser_page
    ensure_reference_data()
    world = build_world()
    contract, _ = _contract(world, world.a)

    sign_in(page, world.user(world.a, Role.CONTRACT_MANAGER).email)
    visit(page, f"/a/{world.a.slug}/contracts/{contract.pk}/compliance-report/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Contract compliance report")
    axe_check(page)
    submit(page, page.get_by_role("button", name="Make the compliance report"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Contract compliance report (PDF)")
    expect(page.get_by_role("link", name="Download compliance-CR-1")).to_be_visible(timeout=30000)

    visit(page, f"/a/{world.a.slug}/reports/annual/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Annual social value report")
    axe_check(page)
    # A year outside the list (as a tampered form would send) is refused next to the field; the reloaded form's
    # own years are accepted.
    page.locator("#id_year").evaluate("select => { select.options[0].value = '1990'; select.selectedIndex = 0; }")
    submit(page, page.get_by_role("button", name="Make the annual report"), status=422)
    expect(page.locator(".govuk-error-summary")).to_contain_text("Choose a financial year")
    axe_check(page)
    submit(page, page.get_by_role("button", name="Make the annual report"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Annual social value report (PDF)")
    expect(page.get_by_role("link", name="Download social-value-")).to_be_visible(timeout=30000)
