"""A commissioner browses the measure library, adds and changes a local measure, and imports a CSV file."""

from playwright.sync_api import Page, expect

from accounts.roles import Role
from charters.library import measure_import
from tests.charters.test_library import make_csv
from tests.conftest import build_world
from tests.e2e.conftest import browser_mark, sign_in, submit, visit

pytestmark = browser_mark


def test_local_measures_journey(browser_page: Page, tmp_path):
    page = browser_page
    world = build_world()
    # A platform measure of our own: an earlier browser test may have emptied the migrated starter library.
    measure_import(
        file=make_csv(
            {
                "code": "PLAT-01",
                "title": "Spend with local SMEs",
                "unit": "£",
                "proxy_value_gbp": "1",
                "proxy_source": "Spend",
            }
        )
    )
    library_path = f"/a/{world.a.slug}/measures/"

    sign_in(page, world.user(world.a, Role.COMMISSIONER).email)
    visit(page, library_path)
    expect(page.get_by_role("heading", level=1)).to_have_text("Measure library")
    expect(page.locator("#measures")).to_contain_text("Spend with local SMEs")
    submit(page, page.get_by_role("link", name="PLAT-01"))
    expect(page.locator("#measure-value")).to_contain_text("£1.00 per £1")
    visit(page, library_path)

    # Adding with mistakes shows them all, and keeps what was typed.
    submit(page, page.get_by_role("button", name="Add a local measure"), status=200)
    page.get_by_label("Title").fill("Hours of befriending older residents")
    page.get_by_label("Proxy value (£ per unit)").fill("-4")
    submit(page, page.get_by_role("button", name="Add measure"), status=422)
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_contain_text("Enter a code")
    expect(summary).to_contain_text("Select a unit")
    expect(summary).to_contain_text("The proxy value must be £0 or more")
    expect(page.get_by_label("Title")).to_have_value("Hours of befriending older residents")

    page.get_by_label("Code", exact=True).fill("LOC-COM-01")
    page.get_by_label("Unit", exact=True).select_option("hours")
    page.get_by_label("Proxy value (£ per unit)").fill("")
    page.get_by_label("Evidence guidance").fill("A log of visits, signed by the scheme's coordinator.")
    submit(page, page.get_by_role("button", name="Add measure"))
    expect(page.get_by_role("alert")).to_contain_text("Local measure LOC-COM-01 added.")
    expect(page.get_by_role("heading", level=1)).to_have_text("Hours of befriending older residents")

    # A change is kept in the measure's history.
    submit(page, page.get_by_role("link", name="Change this measure"))
    page.get_by_label("Title").fill("Hours of befriending")
    submit(page, page.get_by_role("button", name="Save changes"))
    expect(page.locator("#measure-history")).to_contain_text(
        "Hours of befriending older residents → Hours of befriending"
    )

    # The library shows it as local, and finds it by search.
    visit(page, library_path)
    page.get_by_role("searchbox", name="Search").fill("befriending")
    submit(page, page.get_by_role("button", name="Search"))
    expect(page.locator("#measure-count")).to_have_text("1 measure matching the search")
    expect(page.locator("#measures")).to_contain_text("Local")

    # A file with a bad row imports nothing and says where the problem is; a good file imports.
    bad = tmp_path / "bad.csv"
    bad.write_text(make_csv({"code": "IMP-01"}, {"code": "IMP-02", "unit": "furlongs"}), encoding="utf-8")
    good = tmp_path / "good.csv"
    good.write_text(make_csv({"code": "IMP-01"}, {"code": "IMP-02"}), encoding="utf-8")
    visit(page, library_path)
    submit(page, page.get_by_role("button", name="Import local measures"))
    page.get_by_label("Upload a CSV file").set_input_files(str(bad))
    submit(page, page.get_by_role("button", name="Import measures"), status=422)
    expect(page.locator(".govuk-error-summary")).to_contain_text("Line 3, column unit: “furlongs” is not a unit")
    page.get_by_label("Upload a CSV file").set_input_files(str(good))
    submit(page, page.get_by_role("button", name="Import measures"))
    expect(page.get_by_role("alert")).to_contain_text("Local measures imported: 2 added, 0 changed, 0 unchanged.")
    expect(page.locator("#measures")).to_contain_text("IMP-02")
