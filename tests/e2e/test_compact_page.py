"""Journey 12: the local Compact page shows the authority's consultations and their 12-week compliance (a charter
consultation appears in the register by itself), the action checklist its partner community groups keep up to date,
and case examples. A partner group's member updates an action from the page; the public reads the result; staff
find the Compact from their navigation. axe on every page."""

import re
from datetime import timedelta

from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import Page, expect

from accounts.roles import Role
from accounts.scoping import authority_scope
from compact import case_examples, partners, register
from tests.charters.factories import build_charter, open_consultation
from tests.conftest import build_world
from tests.e2e.conftest import browser_mark, sign_in, sign_out, submit, visit

pytestmark = browser_mark

SHORTER = "Winter fuel top-up"
REASON = "The grant had to be committed before the end of March."
CASE = "Lunch club kept open"


def _compact_of_authority_a(world):
    """A charter out for consultation, an entered consultation shorter than 12 weeks with its reason, the community
    group as Compact partner, one published case example and one draft."""
    admin, officer = world.user(world.a, Role.ADMIN), world.user(world.a, Role.COMMISSIONER)
    today = timezone.localdate()
    _, version = build_charter(world, world.a, title="Our place, our value")
    open_consultation(world, world.a, version)
    with authority_scope(world.a):
        register.register_add(
            authority=world.a,
            acting_user=officer,
            title=SHORTER,
            opens_on=today - timedelta(days=7),
            closes_on=today + timedelta(days=28),
            shorter_reason=REASON,
        )
        partners.partner_add(authority=world.a, acting_user=admin, organisation=world.community_group)
        fields = {
            "kind": "saving",
            "what_was_bought": "Day opportunities for older people.",
            "social_value": "The lunch club's volunteers were counted.",
            "amount": "12500",
            "amount_explained": "Fewer care home placements over two years.",
        }
        example = case_examples.case_example_create(authority=world.a, acting_user=officer, title=CASE, **fields)
        case_examples.case_example_approve_as_partner(example=example, acting_user=world.community_user)
        case_examples.case_example_approve_as_officer(example=example, acting_user=officer)
        case_examples.case_example_publish(example=example, acting_user=officer)
        case_examples.case_example_create(authority=world.a, acting_user=officer, title="Still a draft", **fields)


def test_journey_12_the_local_compact_page(browser_page: Page):
    page = browser_page
    world = build_world()
    slug = world.a.slug
    _compact_of_authority_a(world)
    compact_url = reverse("compact:compact-page", args=[slug])

    # A partner group's member finds the Compact from the authority's public page and updates an action.
    sign_in(page, world.community_user.email)
    visit(page, reverse("accounts:authority-public", args=[slug]))
    submit(page, page.get_by_role("link", name="The local Compact"))
    expect(page.get_by_role("heading", level=1)).to_have_text("The local Compact")
    expect(page.locator("#summary-achieved")).to_have_text("0 of 16")
    submit(page, page.locator("#partner-note").get_by_role("link", name="update the checklist"))
    submit(page, page.get_by_role("link", name=re.compile(r"^Update action 10")))
    page.get_by_label("Achieved").check()
    page.get_by_label("Notes (optional)").fill("The council now publishes a consultation calendar.")
    submit(page, page.get_by_role("button", name="Save action 10"))
    expect(page.locator("#action-10")).to_contain_text("Achieved")
    sign_out(page)

    # The public reads the page: consultations with their compliance, the checklist, the case example.
    visit(page, compact_url)
    expect(page.locator("#partner-note")).to_have_count(0)
    expect(page.locator("#compact-partner-names")).to_contain_text(world.community_group.name)
    expect(page.locator("#register-open-now")).to_contain_text("Our place, our value")
    expect(page.locator("#register-open-now")).to_contain_text(SHORTER)
    expect(page.locator("#register-share")).to_contain_text("100.0%")
    expect(page.locator("#summary-achieved")).to_have_text("1 of 16")
    expect(page.locator("#compact-case-examples")).to_contain_text(CASE)
    expect(page.locator("main")).not_to_contain_text("Still a draft")
    expect(page.locator("#decommissioning-assessments")).to_contain_text("No contract has been assessed")

    submit(page, page.get_by_role("link", name="All consultations and the yearly figures"))
    expect(page.locator("#register")).to_contain_text("Our place, our value")
    expect(page.locator("#register")).to_contain_text(REASON)
    visit(page, compact_url)
    submit(page, page.locator("#register-summary").get_by_role("link", name="consultation calendar"))
    expect(page.locator("main")).to_contain_text(SHORTER)
    visit(page, compact_url)
    submit(page, page.get_by_role("link", name="See all 16 actions, with notes and evidence"))
    expect(page.locator("#action-10")).to_contain_text("The council now publishes a consultation calendar.")
    visit(page, compact_url)
    submit(page, page.locator("#compact-case-examples").get_by_role("link", name=CASE))
    expect(page.get_by_role("heading", level=1)).to_have_text(CASE)

    # Staff reach the same areas from the Compact item in their navigation.
    sign_in(page, world.user(world.a, Role.ADMIN).email)
    visit(page, reverse("accounts:authority-home", args=[slug]))
    submit(page, page.get_by_role("navigation", name="Menu").get_by_role("link", name="Compact"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Local Compact")
    expect(page.locator("#compact-areas")).to_contain_text("Compact partners")
    submit(page, page.get_by_role("link", name="Consultation register"))
    expect(page.locator("#register")).to_contain_text("Our place, our value")
