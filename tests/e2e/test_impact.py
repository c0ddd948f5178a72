"""A contract manager reads the cumulative impact dashboard, regroups and filters it, and downloads what is shown."""

import csv
import io

from playwright.sync_api import Page, expect

from accounts.roles import Role
from tests.compact.test_impact import build_data
from tests.conftest import build_world
from tests.e2e.conftest import axe_check, browser_mark, sign_in, submit, visit
from tests.tenders.factories import ensure_reference_data

pytestmark = browser_mark


def test_impact_dashboard_journey(browser_page: Page):
    page = browser_page
    ensure_reference_data()
    world = build_world()
    build_data(world, world.a, contracts=3)

    sign_in(page, world.user(world.a, Role.CONTRACT_MANAGER).email)
    visit(page, f"/a/{world.a.slug}/impact/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Cumulative impact")
    chart = page.get_by_role("img", name="Social value committed and delivered by theme, gross £")
    expect(chart).to_be_visible()
    expect(page.locator("#impact-groups tbody tr")).to_have_count(2)

    page.get_by_label("Group by").select_option("supplier")
    page.get_by_label("Contract status").select_option("active")
    submit(page, page.get_by_role("button", name="Show figures"))
    expect(page.get_by_role("heading", name="By supplier")).to_be_visible()
    expect(page.locator("#impact-groups")).to_contain_text(world.supplier_one.name)
    expect(page.get_by_role("link", name="Clear filters")).to_be_visible()

    with page.expect_download() as download_info:
        page.get_by_role("link", name="Download these figures as CSV").click()
    rows = list(csv.reader(io.StringIO(download_info.value.path().read_bytes().decode("utf-8-sig"))))
    assert rows[0][0] == "supplier"
    page_groups = page.locator("#impact-groups tbody th").all_inner_texts()
    assert sorted({row[0] for row in rows[1:-1]}) == sorted(page_groups)

    # A date range the wrong way round is refused with the error next to the field, and the page still works.
    page.get_by_label("From (date)").fill("2026-06-01")
    page.get_by_label("To (date)").fill("2026-01-01")
    submit(page, page.get_by_role("button", name="Show figures"), status=422)
    expect(page.locator(".govuk-error-summary")).to_contain_text("The to date must be the same as or after")
    axe_check(page)
