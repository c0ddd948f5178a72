"""Opening offers in the browser: an evaluator finds a tender's offers sealed (the count only); a procurement officer
opens them after the deadline from the tender page, through the confirmation page, and reads an offer with its
repeated passage highlighted and its receipt verified. axe-core runs on every page."""

from playwright.sync_api import Page, expect

from accounts.roles import Role
from tests.conftest import build_world
from tests.e2e.conftest import browser_mark, sign_in, sign_out, submit, visit
from tests.tenders.factories import build_tender, ensure_reference_data
from tests.tenders.sealed_offers import submitted_offer, tender_past_deadline

pytestmark = browser_mark

SHARED = (
    "Our social value team will work with local schools, colleges and job centres to fill every new post, "
    "with mentoring and paid travel for the first three months"
)


def test_sealed_then_opened_and_read(browser_page: Page):
    page = browser_page
    world = build_world()
    ensure_reference_data()
    open_tender = build_tender(world, world.a, published=True, reference="OPEN-1")
    sealed_offer = submitted_offer(world, open_tender)
    tender = tender_past_deadline(world, world.a, reference="DUE-1")
    submitted_offer(world, tender, narrative="Apprentices from East Ward.", answer=SHARED + ".")
    copied = submitted_offer(
        world,
        tender,
        organisation=world.supplier_one,
        user=world.supplier_one_user,
        narrative="Litter picks in East Ward with volunteers.",
        answer="In East Ward: " + SHARED + ".",
        documents={"Delivery plan.pdf": b"%PDF-1.4\nplan\n%%EOF\n"},
    )
    slug = world.a.slug

    # Before the deadline: the evaluator sees how many offers there are, and nothing else.
    sign_in(page, world.user(world.a, Role.EVALUATOR).email)
    visit(page, f"/a/{slug}/tenders/{open_tender.pk}/")
    expect(page.locator("#offers-status")).to_contain_text("1 offer received; sealed until")
    visit(page, f"/a/{slug}/tenders/{open_tender.pk}/offers/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Offers are sealed")
    expect(page.locator("#offer-count")).to_have_text("1")
    visit(page, f"/a/{slug}/offers/{sealed_offer.pk}/", status=403)
    expect(page.locator("#sealed-message")).to_contain_text("sealed until the submission deadline")
    sign_out(page)

    # The procurement officer cannot open them before the deadline; after it, opens them from the tender page.
    sign_in(page, world.user(world.a, Role.PROCUREMENT_OFFICER).email)
    visit(page, f"/a/{slug}/tenders/{open_tender.pk}/open-offers/")
    expect(page.locator("#not-yet")).to_contain_text("Offers can be opened only after the submission deadline")
    visit(page, f"/a/{slug}/tenders/{tender.pk}/")
    expect(page.locator("#offers-status")).to_contain_text("2 offers received")
    submit(page, page.get_by_role("button", name="Open offers"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Open the offers")
    expect(page.locator(".govuk-warning-text")).to_contain_text("Opening cannot be undone")
    submit(page, page.get_by_role("button", name="Open 2 offers"))
    expect(page.get_by_role("alert")).to_contain_text("The offers have been opened")
    expect(page.locator("#offers")).to_contain_text("Both Ways Ltd")
    expect(page.locator("#offers")).to_contain_text("Only A Services Ltd")

    submit(page, page.get_by_role("link", name="Only A Services Ltd"))
    assert page.url.endswith(f"/a/{slug}/offers/{copied.pk}/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Offer from Only A Services Ltd")
    expect(page.locator("#receipt-verifies")).to_have_text("Verified")
    expect(page.locator("mark").first).to_have_text(SHARED)
    expect(page.locator("#document-list")).to_contain_text("Delivery plan.pdf")
    with page.expect_download() as download:
        page.get_by_role("link", name="Delivery plan.pdf").click()
    assert download.value.suggested_filename == "Delivery plan.pdf"
