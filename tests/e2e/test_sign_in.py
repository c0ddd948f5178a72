"""Signing in through the real form: every staff role lands where it should, and the form works by keyboard alone."""

import re

from django.conf import settings
from playwright.sync_api import Page, expect

from accounts.roles import Role
from tests.conftest import build_world
from tests.e2e.conftest import PASSWORD, axe_check, browser_mark, sign_in, sign_out, submit, visit

pytestmark = browser_mark

STAFF_ROLES = [Role.ADMIN, Role.COMMISSIONER, Role.PROCUREMENT_OFFICER, Role.EVALUATOR, Role.CONTRACT_MANAGER]
ADMIN_ONLY_NAV = ["Members", "Settings", "Audit log"]
SITE_NAME = settings.SITE_NAME
DASH = " \N{EN DASH} "  # between the parts of a page title


def _menu(page: Page):
    return page.get_by_role("navigation", name="Menu")


def _focused_is(page: Page, selector: str) -> bool:
    return page.evaluate("(selector) => document.activeElement.matches(selector)", selector)


def test_sign_in_each_role_reaches_home(browser_page: Page):
    page = browser_page
    world = build_world()
    for role in STAFF_ROLES:
        user = world.user(world.a, role)
        sign_in(page, user.email)

        # Home lists the one authority this person works for, with their role, and nothing of authority B.
        expect(page).to_have_url(re.compile(r"/$"))
        expect(page.get_by_role("heading", level=1)).to_have_text(f"Hello, {user.get_short_name()}")
        authorities = page.locator("#your-authorities > li")
        expect(authorities).to_have_count(1)
        expect(authorities).to_contain_text(world.a.name)
        expect(authorities).to_contain_text(role.label)
        expect(page.get_by_text(world.b.name)).to_have_count(0)

        submit(page, authorities.get_by_role("link", name=world.a.name))
        expect(page).to_have_url(re.compile(rf"/a/{world.a.slug}/$"))
        expect(page).to_have_title(f"Staff home{DASH}{world.a.name}{DASH}{SITE_NAME}")
        expect(page.get_by_role("heading", level=1)).to_have_text(world.a.name)
        expect(page.get_by_role("heading", name="Your roles")).to_be_visible()
        roles = page.locator("#your-roles dt")
        expect(roles).to_have_text([role.label])

        # The staff navigation only offers what the role may do: members, settings and the audit log are the admin's.
        menu = _menu(page)
        expect(menu.get_by_role("link", name="Home")).to_have_attribute("aria-current", "page")
        for name in ADMIN_ONLY_NAV:
            expect(menu.get_by_role("link", name=name, exact=True)).to_have_count(1 if role == Role.ADMIN else 0)
        if role == Role.ADMIN:
            submit(page, menu.get_by_role("link", name="Members", exact=True))
            expect(page.get_by_role("heading", level=1)).to_have_text("Members")
        sign_out(page)

    # A supplier has no public body, but sees their organisation and can open it.
    sign_in(page, world.supplier_both_user.email)
    expect(page.get_by_role("heading", level=1)).to_have_text("Hello, Bo")
    expect(page.locator("#your-authorities")).to_have_count(0)
    expect(page.get_by_text("You do not work for a public body on this service.")).to_be_visible()
    submit(page, page.get_by_role("link", name=world.supplier_both.name))
    expect(page.get_by_role("heading", level=1)).to_have_text(world.supplier_both.name)
    expect(page.locator("#organisation-members")).to_contain_text("Bo Bidder (admin)")
    expect(_menu(page).get_by_role("link", name="Members", exact=True)).to_have_count(0)
    sign_out(page)

    # A community group member sees their group under "Your community groups", and no supplier.
    sign_in(page, world.community_user.email)
    expect(page.get_by_role("heading", level=1)).to_have_text("Hello, Cam")
    groups_heading = page.get_by_role("heading", name="Your community groups")
    expect(groups_heading).to_be_visible()
    group_link = page.locator("h2:has-text('Your community groups') + p").get_by_role("link")
    expect(group_link).to_have_text(world.community_group.name)
    expect(page.get_by_role("link", name=world.supplier_both.name)).to_have_count(0)


def test_sign_in_with_keyboard_only(browser_page: Page):
    page = browser_page
    world = build_world()
    user = world.user(world.a, Role.COMMISSIONER)

    # From the top of the public home page, the first Tab stop is the skip link, shown when it has focus.
    visit(page, "/")
    skip_link = page.get_by_role("link", name="Skip to main content")
    hidden_box = skip_link.bounding_box()
    assert hidden_box is not None and hidden_box["width"] <= 1 and hidden_box["height"] <= 1, hidden_box
    page.keyboard.press("Tab")
    expect(skip_link).to_be_focused()
    shown_box = skip_link.bounding_box()
    assert shown_box is not None and shown_box["width"] > 50 and shown_box["height"] > 10, shown_box
    # Following it moves focus to the main content.
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"#main-content$"))
    expect(page.locator("#main-content")).to_be_focused()

    # Tab on from the main content to the "Sign in" start button, and press Enter.
    start_button = page.locator("main").get_by_role("button", name="Sign in")
    for _ in range(10):
        page.keyboard.press("Tab")
        if _focused_is(page, "main a.govuk-button--start"):
            break
    expect(start_button).to_be_focused()
    with page.expect_navigation():
        page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"/account/sign-in/$"))
    assert page.title().startswith("Sign in"), page.title()
    axe_check(page)

    # Tab until the email field has focus, then type, Tab, type, Enter. (Today the sign-in form autofocuses the email
    # field, so no Tab is needed here, and the page's skip link is not its first Tab stop: see the report.)
    email = page.get_by_label("Email address")
    for _ in range(15):
        if _focused_is(page, "input[type=email]"):
            break
        page.keyboard.press("Tab")
    expect(email).to_be_focused()
    page.keyboard.type(user.email)
    page.keyboard.press("Tab")
    expect(page.get_by_label("Password", exact=True)).to_be_focused()
    page.keyboard.type(PASSWORD)
    with page.expect_navigation():
        page.keyboard.press("Enter")
    axe_check(page)
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Hello, {user.get_short_name()}")
    expect(page.locator("#your-authorities")).to_contain_text(Role.COMMISSIONER.label)


def test_sign_in_page_names_the_service(browser_page: Page):
    page = browser_page
    visit(page, "/account/sign-in/")
    expect(page.locator(".govuk-generic-header__homepage-link")).to_have_text(SITE_NAME, timeout=1_000)
    expect(page).to_have_title(f"Sign in{DASH}{SITE_NAME}", timeout=1_000)
