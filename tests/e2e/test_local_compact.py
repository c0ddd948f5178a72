"""The local Compact in the browser: an admin makes the community group a Compact partner; its member updates action
10 on the public checklist with an evidence link (a bad web address refused first); an officer writes a case example,
the partner approves it, the officer approves and publishes it (publishing without both approvals refused first);
anyone reads it on the public case example page, and the printable checklist. axe on every page and state."""

import re

from django.urls import reverse
from playwright.sync_api import Page, expect

from accounts.roles import Role
from accounts.scoping import authority_scope
from compact.models import CaseExample
from tests.conftest import build_world
from tests.e2e.conftest import browser_mark, sign_in, sign_out, submit, visit

pytestmark = browser_mark


def test_partner_checklist_and_case_example(browser_page: Page):
    page = browser_page
    world = build_world()
    slug = world.a.slug

    # The admin makes the world's community group a Compact partner.
    sign_in(page, world.user(world.a, Role.ADMIN).email)
    visit(page, reverse("compact:partner-list", args=[slug]))
    expect(page.locator("#no-partners")).to_be_visible()
    page.get_by_label("Community group name").fill("residents")
    submit(page, page.get_by_role("button", name="Search community groups"))
    submit(page, page.locator("#group-results").get_by_role("button", name=re.compile(r"^Make a Compact partner")))
    expect(page.locator(".govuk-notification-banner")).to_contain_text("A Residents Forum is now a Compact partner")
    expect(page.locator("#partners")).to_contain_text("A Residents Forum")
    sign_out(page)

    # Its member updates action 10 on the public checklist, with an evidence link.
    sign_in(page, world.community_user.email)
    visit(page, reverse("compact:checklist-public", args=[slug]))
    submit(page, page.get_by_role("link", name=re.compile(r"^Update action 10")))
    expect(page.get_by_role("heading", level=1)).to_have_text("Update action 10: Engagement practices")
    page.get_by_label("In progress").check()
    page.get_by_label("Who is leading (optional)").fill("Compact group")
    page.get_by_label("Notes (optional)").fill("We have asked for a public consultation calendar.")
    submit(page, page.get_by_role("button", name="Save action 10"))
    expect(page.locator("#action-10")).to_contain_text("In progress")
    expect(page.locator("#action-10")).to_contain_text("We have asked for a public consultation calendar.")
    submit(page, page.get_by_role("link", name=re.compile(r"^Update action 10")))
    page.get_by_label("What the evidence is").fill("Consultation calendar request")
    page.get_by_label("Web address").fill("not a web address")
    submit(page, page.get_by_role("button", name="Add the evidence"), status=422)
    expect(page).to_have_title(re.compile(r"^Error: Update action 10"))
    expect(page.locator(".govuk-error-summary")).to_contain_text("Enter a web address starting with https://")
    expect(page.get_by_label("What the evidence is")).to_have_value("Consultation calendar request")
    page.get_by_label("Web address").fill("https://www.example.org/compact/calendar")
    submit(page, page.get_by_role("button", name="Add the evidence"))
    expect(page.locator("#evidence-list")).to_contain_text("Consultation calendar request")
    sign_out(page)

    # An officer writes a case example; publishing it before both approvals is refused.
    officer = world.user(world.a, Role.COMMISSIONER)
    sign_in(page, officer.email)
    visit(page, reverse("compact:case-list", args=[slug]))
    submit(page, page.get_by_role("link", name="Write a case example"))
    page.get_by_label("Recognising social value led to a saving (action 14)").check()
    page.get_by_label("Title").fill("Lunch club kept open")
    page.get_by_label("What was bought").fill("Day opportunities for older people.")
    page.get_by_label("What social value was or was not recognised").fill("Volunteers from the lunch club counted.")
    page.get_by_label("Cost or saving (£)").fill("12500.5.0")
    page.get_by_label("How the cost or saving was worked out").fill("Fewer care home placements over two years.")
    submit(page, page.get_by_role("button", name="Save the case example"), status=422)
    expect(page.locator(".govuk-error-summary")).to_contain_text(
        "Enter the cost or saving in pounds, like 12500 or 12500.50"
    )
    page.get_by_label("Cost or saving (£)").fill("12500.50")
    submit(page, page.get_by_role("button", name="Save the case example"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Lunch club kept open")
    submit(page, page.get_by_role("button", name="Publish"))
    expect(page.locator(".govuk-notification-banner")).to_contain_text(
        "cannot be published yet: it needs a Compact partner's approval and an officer's approval"
    )
    with authority_scope(world.a):
        example = CaseExample.objects.get()
    sign_out(page)

    # The partner's member approves it (the public cannot see a draft: tests/compact/test_local_compact_pages.py).
    public_url = reverse("compact:case-public-detail", args=[slug, example.pk])
    sign_in(page, world.community_user.email)
    visit(page, public_url)
    expect(page.locator("#readiness")).to_contain_text(
        "It needs a Compact partner's approval and an officer's approval"
    )
    submit(page, page.get_by_role("button", name="Approve for your group"))
    expect(page.locator("#partner-approval")).to_contain_text("A Residents Forum")
    sign_out(page)

    # The officer approves and publishes it.
    sign_in(page, officer.email)
    visit(page, reverse("compact:case-detail", args=[slug, example.pk]))
    expect(page.locator("#readiness")).to_contain_text("To publish it, it needs an officer's approval.")
    submit(page, page.get_by_role("button", name="Approve as the officer"))
    expect(page.locator("#readiness")).to_contain_text("it is ready to publish")
    submit(page, page.get_by_role("button", name="Publish"))
    expect(page.locator(".govuk-notification-banner")).to_contain_text("published on the public pages")
    sign_out(page)

    # Anyone reads it, and the printable checklist.
    visit(page, reverse("compact:case-public-list", args=[slug]))
    submit(page, page.get_by_role("link", name="Lunch club kept open"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Lunch club kept open")
    expect(page.locator("#case-amount")).to_have_text("£12,500.50")
    visit(page, reverse("compact:checklist-print", args=[slug]))
    expect(page.locator("#action-10")).to_contain_text("https://www.example.org/compact/calendar")
    expect(page.locator("#printed-at")).to_contain_text("Printed on")


def test_confirmation_and_refusal_pages(browser_page: Page):
    """The pages the journey does not reach: the staff checklist, removing a partner and an evidence link,
    unpublishing, a partner member's view of the drafts, and the refusal a non-partner sees."""
    from decimal import Decimal

    from compact import case_examples, checklist
    from compact.partners import partner_add

    page = browser_page
    world = build_world()
    slug = world.a.slug
    admin = world.user(world.a, Role.ADMIN)
    with authority_scope(world.a):
        partner = partner_add(authority=world.a, acting_user=admin, organisation=world.community_group)
        evidence = checklist.evidence_add(
            authority=world.a, acting_user=admin, number=2, label="Definition", url="https://www.example.org/def"
        )
        fields = {
            "kind": "cost",
            "what_was_bought": "Cleaning",
            "social_value": "Work experience places were not counted.",
            "amount": Decimal("7250"),
            "amount_explained": "A replacement scheme for a year.",
        }
        draft = case_examples.case_example_create(authority=world.a, acting_user=admin, title="A draft", **fields)
        published = case_examples.case_example_create(
            authority=world.a, acting_user=admin, title="A published one", **fields
        )
        case_examples.case_example_approve_as_officer(example=published, acting_user=admin)
        case_examples.case_example_approve_as_partner(example=published, acting_user=world.community_user)
        case_examples.case_example_publish(example=published, acting_user=admin)

    sign_in(page, world.resident.email)
    visit(page, reverse("compact:checklist-public-edit", args=[slug, 4]), status=403)
    expect(page.locator("#refusal")).to_contain_text("Compact partner groups and its officers can update the checklist")
    sign_out(page)

    sign_in(page, world.community_user.email)
    visit(page, reverse("compact:case-public-list", args=[slug]))
    expect(page.locator("#draft-case-examples")).to_contain_text("A draft")
    visit(page, reverse("compact:case-public-detail", args=[slug, draft.pk]))
    sign_out(page)

    sign_in(page, admin.email)
    visit(page, reverse("compact:checklist-staff", args=[slug]))
    expect(page.locator("#action-2")).to_contain_text("Definition")
    visit(page, reverse("compact:checklist-evidence-remove", args=[slug, evidence.pk]))
    submit(page, page.get_by_role("button", name="Remove the evidence"))
    expect(page.locator("#no-evidence")).to_be_visible()
    visit(page, reverse("compact:case-list", args=[slug]))
    visit(page, reverse("compact:case-detail", args=[slug, published.pk]))
    submit(page, page.get_by_role("link", name="Unpublish"))
    submit(page, page.get_by_role("button", name="Unpublish"))
    expect(page.locator("#published")).to_have_text("Not published")
    visit(page, reverse("compact:partner-remove", args=[slug, partner.pk]))
    submit(page, page.get_by_role("button", name="Remove the partner"))
    expect(page.locator("#no-partners")).to_be_visible()
