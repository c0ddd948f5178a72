"""The bidder's side of journey 6 up to the offer: find a tender in the public list with the filters, read it, ask a
clarification question (refused when empty), and read the published answer after an officer has anonymised the
question and answered it. axe on every page and state."""

import re

from playwright.sync_api import Page, expect

from accounts.roles import Role
from accounts.scoping import authority_scope
from tenders.models import Clarification
from tests.conftest import build_world
from tests.e2e.conftest import browser_mark, sign_in, sign_out, submit, visit
from tests.tenders.factories import build_tender

pytestmark = browser_mark


def test_find_read_ask_and_read_the_answer(browser_page: Page):
    page = browser_page
    world = build_world()
    tender = build_tender(world, world.a, published=True, lots=1, title="Street cleaning in the east wards")
    build_tender(world, world.b, published=True, title="Parks maintenance", value="80000")
    build_tender(world, world.a, reference="DRAFT-ONLY", title="A draft nobody sees")

    # Anyone finds it in the list, narrowing by authority and keyword; drafts never appear.
    visit(page, "/tenders/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Find a tender")
    results = page.locator("#tender-results")
    expect(results).to_contain_text("Street cleaning in the east wards")
    expect(results).to_contain_text("Parks maintenance")
    expect(page.locator("main")).not_to_contain_text("A draft nobody sees")
    page.get_by_label("Authority").select_option(label=world.a.name)
    page.get_by_label("Keyword").fill("east wards")
    submit(page, page.get_by_role("button", name="Apply filters"))
    expect(page.locator("#result-count")).to_contain_text("1 open tender matching the filters")
    expect(results).not_to_contain_text("Parks maintenance")
    page.get_by_label("Lowest value (£, excluding VAT)").fill("a lot")
    submit(page, page.get_by_role("button", name="Apply filters"), status=422)
    expect(page).to_have_title(re.compile(r"^Error: Find a tender"))
    expect(page.locator(".govuk-error-summary")).to_contain_text("The lowest value must be an amount in pounds")

    submit(page, results.get_by_role("link", name="Street cleaning in the east wards"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Street cleaning in the east wards")
    expect(page.locator("#tender-summary")).to_contain_text("£250,000 excluding VAT")
    expect(page.locator("#pinned-charter")).to_contain_text("Tender test charter, version 1")
    expect(page.locator("#no-clarifications")).to_be_visible()

    # Asking needs an account in a supplier organisation.
    submit(page, page.locator("#ask-question"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Sign in")
    sign_in(page, world.supplier_both_user.email)
    visit(page, f"/p/{world.a.slug}/tenders/{tender.pk}/")
    submit(page, page.locator("#ask-question"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Ask a clarification question")
    submit(page, page.get_by_role("button", name="Send question"), status=422)
    expect(page.locator(".govuk-error-summary").get_by_role("link", name="Enter your question")).to_be_visible()
    page.get_by_label("Your question").fill("Both Ways Ltd asks: does the contract include the market square?")
    submit(page, page.get_by_role("button", name="Send question"))
    expect(page.locator("#your-questions")).to_be_visible()
    expect(page.locator("main")).to_contain_text("Waiting for an answer")
    sign_out(page)

    # The officer rewrites the question so it does not say who asked, and answers.
    with authority_scope(world.a):
        clarification = Clarification.objects.get()
    sign_in(page, world.user(world.a, Role.PROCUREMENT_OFFICER).email)
    visit(page, f"/a/{world.a.slug}/tenders/{tender.pk}/clarifications/")
    expect(page.locator(f"#clarification-{clarification.pk}")).to_contain_text("Bo Bidder, for Both Ways Ltd")
    submit(page, page.get_by_role("link", name=f"Answer question {clarification.pk}"))
    page.get_by_label("Answer").fill("Yes: the market square is included on Saturdays.")
    submit(page, page.get_by_role("button", name="Publish the question and answer"), status=422)
    expect(page.locator(".govuk-error-summary")).to_contain_text("The published question names who asked")
    page.get_by_label("The question as it will be published").fill("Does the contract include the market square?")
    submit(page, page.get_by_role("button", name="Publish the question and answer"))
    expect(page.locator("#count-answered")).to_have_text("1")
    sign_out(page)

    # Everyone reads the answer; nobody learns who asked.
    visit(page, f"/p/{world.a.slug}/tenders/{tender.pk}/")
    card = page.locator(f"#clarification-{clarification.pk}")
    expect(card).to_contain_text("Does the contract include the market square?")
    expect(card).to_contain_text("Yes: the market square is included on Saturdays.")
    expect(page.locator("main")).not_to_contain_text("Both Ways")
