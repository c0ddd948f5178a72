"""Journey 6, the bidder's offer: a supplier's member reads the public tender, asks a clarification question, starts
an offer, fills the price, commitments and answers, watches the value panel follow the typed quantities (htmx)
before saving, saves, checks and submits, reads the receipt; withdraws, changes a quantity, resubmits and sees
version 2; then, the deadline having passed, a further submission is refused. Also the form saved without
JavaScript. axe-core runs on every page and state."""

import re
from datetime import timedelta

from django.utils import timezone
from playwright.sync_api import Page, expect

from accounts.scoping import authority_scope
from tenders import offers
from tenders.models import Offer, OfferStatus, OfferSubmission, Tender
from tests.conftest import build_world
from tests.e2e.conftest import PASSWORD, TIMEOUT_MS, axe_check, browser_mark, sign_in, submit, visit
from tests.tenders.factories import build_tender

pytestmark = browser_mark


def _groups(receipt: str) -> str:
    return " ".join(receipt[i : i + 8] for i in range(0, len(receipt), 8))


def _tender_with_questions(world):
    tender = build_tender(world, world.a, published=True, title="Street cleaning in the east wards")
    with authority_scope(world.a):
        measures = offers.measures_for(tender, None)
        quality, social = tender.questions.order_by("kind", "position", "id")
    return tender, measures, quality, social


def test_offer_from_the_tender_to_the_receipt_withdraw_resubmit_and_the_deadline(browser_page: Page):
    page = browser_page
    world = build_world()
    tender, (first, second), quality, social = _tender_with_questions(world)
    code = first.charter_measure.code
    sign_in(page, world.supplier_both_user.email)

    # Read the tender and ask a question about it.
    visit(page, f"/p/{world.a.slug}/tenders/{tender.pk}/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Street cleaning in the east wards")
    submit(page, page.locator("#ask-question"))
    page.get_by_label("Your question").fill("Does the contract include the market square?")
    submit(page, page.get_by_role("button", name="Send question"))
    expect(page.locator("#your-questions")).to_be_visible()

    # Start an offer.
    submit(page, page.locator("#make-offer"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Make an offer")
    submit(page, page.get_by_role("button", name="Start the offer"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Your offer")
    expect(page.locator("#offer-status")).to_have_text("Draft")
    expect(page.locator("#offer-deadline")).to_contain_text(re.compile(r"(GMT|BST) on "))
    with authority_scope(world.a):
        offer = Offer.objects.get(tender=tender)

    # Fill it in; the value panel follows the typed quantity before anything is saved.
    page.get_by_label("Price (£, excluding VAT)").fill("1,000,000")
    page.get_by_label(f"Quantity for {code}").fill("4")
    panel = page.locator("#offer-value")
    expect(panel).to_contain_text("not saved yet")
    expect(panel.locator("#offer-value-total")).to_contain_text("£100,000.00")
    expect(panel.locator("#offer-value-total")).to_contain_text("40.0% gross")
    with authority_scope(world.a):
        assert not offer.commitments.exists()
    page.get_by_label(f"Quantity for {second.charter_measure.code}").fill("two")
    expect(panel.locator("#offer-value-left-out")).to_contain_text("must be a number")
    axe_check(page)
    page.get_by_label(f"Quantity for {second.charter_measure.code}").fill("")
    expect(panel.locator("#offer-value-left-out")).to_have_count(0)
    page.get_by_label(f"When you will deliver {code}").fill("Every year of the contract")
    page.get_by_label(f"Where you will deliver {code}").fill("East Ward")
    page.get_by_label(f"How you will deliver {code}").fill("Apprentices recruited through the Moor End job club.")
    answer = "Daily sweeps with weekly quality checks by a supervisor."
    page.get_by_label(quality.text).fill(answer)
    # The GOV.UK character count, in words.
    expect(page.locator(f"#question-{quality.pk} .govuk-character-count__status")).to_contain_text(
        f"You have {quality.word_limit - len(answer.split())} words remaining"
    )
    axe_check(page)
    # A mistake comes back with the error next to its box and everything typed kept.
    page.get_by_label("Price (£, excluding VAT)").fill("a million")
    submit(page, page.get_by_role("button", name="Save draft"), status=422)
    expect(page).to_have_title(re.compile(r"^Error: Your offer"))
    expect(page.locator("#id_price-error")).to_contain_text("The price must be an amount in pounds")
    expect(page.get_by_label(quality.text)).to_have_value(answer)
    expect(page.locator("#offer-value-total")).to_contain_text("£100,000.00")
    page.get_by_label("Price (£, excluding VAT)").fill("1,000,000")
    submit(page, page.get_by_role("button", name="Save draft"))
    expect(page.get_by_role("alert")).to_contain_text("Your draft has been saved")
    expect(page.locator("#offer-value-total")).to_contain_text("£100,000.00")
    expect(page.get_by_label(f"Quantity for {code}")).to_have_value("4")

    # Checking before the social value question is answered: the page says what is missing.
    submit(page, page.get_by_role("button", name="Save and check your offer"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Check your offer before you submit")
    expect(page.locator("#not-ready")).to_contain_text("answer")
    submit(page, page.get_by_role("button", name="Submit offer"), status=422)
    expect(page.locator(".govuk-error-summary")).to_contain_text("Confirm that you may submit this offer")
    page.get_by_label("I confirm that I may submit this offer for Both Ways Ltd", exact=False).check()
    submit(page, page.get_by_role("button", name="Submit offer"), status=422)
    expect(page.locator(".govuk-error-summary")).to_contain_text("Answer every question before you submit")
    # The error links to the box on the offer page.
    submit(page, page.locator(".govuk-error-summary").get_by_role("link"))
    expect(page.get_by_label(social.text)).to_be_visible()
    page.get_by_label(social.text).fill("We will name the places and partners, and publish quarterly evidence.")
    submit(page, page.get_by_role("button", name="Save and check your offer"))
    expect(page.locator("#summary-commitments")).to_contain_text("4 full-time equivalent jobs (FTE)")
    expect(page.locator("#summary-value")).to_contain_text("£100,000.00")
    page.get_by_label("I confirm that I may submit this offer for Both Ways Ltd", exact=False).check()
    submit(page, page.get_by_role("button", name="Submit offer"))

    # The receipt.
    expect(page.get_by_role("heading", level=1)).to_have_text("Offer submitted")
    with authority_scope(world.a):
        version_1 = OfferSubmission.objects.get(offer=offer)
    expect(page.locator("#receipt-groups")).to_have_text(_groups(version_1.receipt))
    expect(page.get_by_label("Receipt to copy")).to_have_value(version_1.receipt)
    expect(page.locator("#receipt-version")).to_have_text("1")
    expect(page.locator("#received-at")).to_contain_text(re.compile(r"(GMT|BST)"))

    # Withdraw to change it.
    submit(page, page.get_by_role("link", name="Back to your offer").first)
    expect(page.locator("#offer-status")).to_have_text("Submitted")
    expect(page.locator("#current-submission")).to_contain_text(_groups(version_1.receipt))
    submit(page, page.get_by_role("button", name="Withdraw to make changes"))
    expect(page.locator(".govuk-warning-text")).to_contain_text("will not consider your offer unless you submit it")
    submit(page, page.get_by_role("button", name="Withdraw offer"))
    expect(page.get_by_role("alert")).to_contain_text("Version 1 of your offer has been withdrawn")
    expect(page.locator("#offer-status")).to_have_text("Withdrawn")

    # Change a quantity, watch the value follow, resubmit: version 2.
    page.get_by_label(f"Quantity for {code}").fill("6")
    expect(page.locator("#offer-value-total")).to_contain_text("£150,000.00")
    submit(page, page.get_by_role("button", name="Save and check your offer"))
    page.get_by_label("I confirm that I may submit this offer for Both Ways Ltd", exact=False).check()
    submit(page, page.get_by_role("button", name="Submit offer"))
    expect(page.locator("#receipt-version")).to_have_text("2")
    expect(page.locator("#version-1")).to_contain_text("Withdrawn")
    expect(page.locator("#version-2")).to_contain_text("Current version")
    with authority_scope(world.a):
        version_2 = OfferSubmission.objects.get(offer=offer, number=2)
    assert version_2.content["commitments"][0]["quantity"] == "6"
    expect(page.locator("#receipt-groups")).to_have_text(_groups(version_2.receipt))

    # Withdrawn once more and about to submit again, when the deadline passes: refused, the draft kept.
    submit(page, page.get_by_role("link", name="Back to your offer").first)
    submit(page, page.get_by_role("button", name="Withdraw to make changes"))
    submit(page, page.get_by_role("button", name="Withdraw offer"))
    submit(page, page.get_by_role("button", name="Save and check your offer"))
    page.get_by_label("I confirm that I may submit this offer for Both Ways Ltd", exact=False).check()
    with authority_scope(world.a):
        Tender.objects.filter(pk=tender.pk).update(submission_deadline=timezone.now() - timedelta(minutes=1))
    submit(page, page.get_by_role("button", name="Submit offer"), status=422)
    expect(page.locator(".govuk-error-summary")).to_contain_text("The deadline for offers was")
    expect(page.locator(".govuk-error-summary")).to_contain_text("your draft has been kept")
    submit(page, page.get_by_role("link", name="Back to your offer").first)
    expect(page.locator("#refusal")).to_contain_text("Offers can no longer be submitted or changed")
    expect(page.get_by_role("button", name="Save draft")).to_have_count(0)
    expect(page.locator("#summary-commitments")).to_contain_text("6 full-time equivalent jobs (FTE)")
    with authority_scope(world.a):
        offer.refresh_from_db()
        # Saving after the withdrawal made it a draft again (offer_update); no third version exists.
        assert offer.status == OfferStatus.DRAFT and offer.submissions.count() == 2

    # Their offers, listed from the account page.
    visit(page, "/account/")
    submit(page, page.get_by_role("link", name="Your offers"))
    expect(page.locator(f"#offer-{offer.pk}")).to_contain_text("Street cleaning in the east wards")
    expect(page.locator(f"#offer-{offer.pk}")).to_contain_text("Version 2 (withdrawn)")


def _go(page: Page, path: str, *, status: int = 200) -> None:
    response = page.goto(path)
    assert response is not None and response.status == status, f"{path}: {response and response.status}"


def _click(page: Page, button, *, status: int = 200) -> None:
    with page.expect_navigation() as navigation:
        button.click()
    assert navigation.value.status == status, f"{navigation.value.url}: {navigation.value.status}"


def test_the_offer_form_saves_without_javascript(chromium_browser, live_server):
    """axe-core is JavaScript, so it cannot run in a context without it (it never finishes): these are the same
    pages and states the test above checks with axe, here with GOV.UK Frontend and htmx switched off."""
    world = build_world()
    tender, (first, _), quality, _ = _tender_with_questions(world)
    code = first.charter_measure.code
    context = chromium_browser.new_context(base_url=live_server.url, java_script_enabled=False)
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    try:
        _go(page, "/account/sign-in/")
        page.get_by_label("Email address").fill(world.supplier_both_user.email)
        page.get_by_label("Password", exact=True).fill(PASSWORD)
        _click(page, page.locator("main").get_by_role("button", name="Sign in"))
        _go(page, f"/p/{world.a.slug}/tenders/{tender.pk}/")
        _click(page, page.locator("#make-offer"))
        _click(page, page.get_by_role("button", name="Start the offer"))
        page.get_by_label("Price (£, excluding VAT)").fill("900000")
        page.get_by_label(f"Quantity for {code}").fill("3")
        page.get_by_label(quality.text).fill("Daily sweeps.")
        # Without JavaScript the panel shows the saved values, until the draft is saved.
        expect(page.locator("#offer-value-total")).to_contain_text("No commitments yet")
        _click(page, page.get_by_role("button", name="Save draft"))
        expect(page.get_by_role("alert")).to_contain_text("Your draft has been saved")
        expect(page.locator("#offer-value-basis")).to_contain_text("From your saved draft")
        expect(page.locator("#offer-value-total")).to_contain_text("£75,000.00")
        expect(page.get_by_label(quality.text)).to_have_value("Daily sweeps.")
        page.get_by_label(f"Quantity for {code}").fill("lots")
        _click(page, page.get_by_role("button", name="Save draft"), status=422)
        expect(page.locator(".govuk-error-summary")).to_contain_text("must be a number")
        expect(page.get_by_label(f"Quantity for {code}")).to_have_value("lots")
        with authority_scope(world.a):
            offer = Offer.objects.get(tender=tender)
            assert offer.commitments.get().quantity == 3
    finally:
        context.close()
