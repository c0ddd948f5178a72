"""The public side of journey 4: after adoption, anyone can read the charter, its history and the superseded
versions, download its PDF, and find it (and open consultations) in the platform-wide lists."""

import re

from playwright.sync_api import Page, expect

from accounts.roles import Role
from accounts.scoping import authority_scope
from charters import services
from tests.charters.factories import adopt_without_consultation, build_charter, open_consultation
from tests.conftest import build_world
from tests.e2e.conftest import browser_mark, submit, visit

pytestmark = browser_mark


def test_anyone_reads_the_adopted_charter_and_downloads_its_pdf(browser_page: Page):
    page = browser_page
    world = build_world()
    commissioner = world.user(world.a, Role.COMMISSIONER)
    charter, first = build_charter(world, world.a, measures_per_outcome=2)
    adopt_without_consultation(world, world.a, first)
    with authority_scope(world.a):
        second = services.version_revise(charter=charter, acting_user=commissioner)
        services.version_details_update(
            version=second,
            acting_user=commissioner,
            title="Authority A charter, second edition",
            vision="Every pound spent builds community wealth.",
            local_context="The canal corridor is changing fast.",
        )
    adopt_without_consultation(world, world.a, second)
    with authority_scope(world.a):
        third = services.version_revise(charter=charter, acting_user=commissioner)
    open_consultation(world, world.a, third)

    visit(page, f"/p/{world.a.slug}/charter/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Authority A charter, second edition")
    expect(page.locator("main")).to_contain_text("Every pound spent builds community wealth.")
    expect(page.locator("#open-consultations")).to_contain_text("version 3")

    # The superseded first version, with a banner pointing back to the current one.
    submit(page, page.get_by_role("link", name=re.compile(r"^Version 1\b")))
    expect(page.locator("#superseded")).to_contain_text("This version has been superseded.")
    expect(page.locator("main")).to_contain_text("A fairer, greener borough")
    submit(page, page.get_by_role("link", name="Read the current version (version 2)"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Authority A charter, second edition")

    # Without a broker the PDF is made in-process on the first request, so it downloads at once.
    with page.expect_download() as download_info:
        page.locator("#charter-pdf").click()
    download = download_info.value
    assert download.suggested_filename.endswith("-v2.pdf")
    with open(download.path(), "rb") as handle:
        assert handle.read(5) == b"%PDF-"

    visit(page, "/charters/")
    expect(page.locator("#adopted-charters")).to_contain_text("Authority A charter, second edition")
    visit(page, "/consultations/")
    expect(page.locator("#open-consultations")).to_contain_text(world.a.name)


def test_public_pages_before_anything_is_adopted(browser_page: Page):
    page = browser_page
    world = build_world()
    build_charter(world, world.a)
    visit(page, f"/p/{world.a.slug}/charter/")
    expect(page.locator("#no-charter")).to_be_visible()
    visit(page, "/charters/")
    expect(page.locator("#no-charters")).to_be_visible()
    visit(page, "/consultations/")
    expect(page.locator("#no-consultations")).to_be_visible()
