"""Journeys 7–8, from moderation to the award: the moderator compares the evaluators' scores (a wide spread flagged),
records the agreed scores for each offer and finalises; the procurement officer reads the results, decides the
award and sees when standstill ends; a losing bidder reads its assessment summary. axe-core runs on every page."""

import re

from playwright.sync_api import Page, expect

from accounts.roles import Role
from accounts.scoping import authority_scope
from evaluation.models import Award
from tests.conftest import build_world
from tests.e2e.conftest import browser_mark, sign_in, sign_out, submit, visit
from tests.evaluation.factories import build_evaluation, build_opened_tender, score_everything
from tests.tenders.factories import ensure_reference_data

pytestmark = browser_mark


def test_moderate_finalise_read_results_and_award(browser_page: Page):
    page = browser_page
    world = build_world()
    ensure_reference_data()
    tender, (first, second) = build_opened_tender(world, world.a, bids=2, reference="MOD-1")
    evaluation, (moderator, _) = build_evaluation(world, tender)
    slug = world.a.slug

    # Before anyone has scored, the results page says results come after moderation.
    sign_in(page, world.user(world.a, Role.PROCUREMENT_OFFICER).email)
    visit(page, f"/a/{slug}/evaluations/{evaluation.pk}/results/")
    expect(page.locator("#results-pending")).to_contain_text("once the moderator has finalised moderation")
    visit(page, f"/a/{slug}/evaluations/{evaluation.pk}/award/")
    expect(page.locator("#award-not-yet")).to_contain_text("2 evaluators are still scoring")
    sign_out(page)

    # The evaluators disagree widely on Bidder 1's quality answer (1 and 5), closely on the rest.
    score_everything(evaluation, [moderator, _], lambda m, o, q: (1 if m == 0 else 5) if o == 0 else 3)

    sign_in(page, moderator.user.email)
    visit(page, f"/a/{slug}/evaluations/{evaluation.pk}/moderation/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Moderation")
    expect(page.locator(f"#offer-{first.pk}")).to_contain_text("Spread of 4")
    expect(page.locator(f"#offer-{second.pk}")).not_to_contain_text("Spread of")

    for offer, supplier, scores in ((first, "Bidder 1 Ltd", ("3.5", "4")), (second, "Bidder 2 Ltd", ("3", "2"))):
        submit(page, page.get_by_role("link", name=supplier))
        assert page.url.endswith(f"/moderation/{offer.pk}/")
        expect(page.get_by_role("heading", level=1)).to_have_text(f"Moderate the offer from {supplier}")
        for number, score in enumerate(scores, start=1):
            page.get_by_label(f"Agreed score for question {number}").fill(score)
            page.get_by_label(f"Why the panel agreed this score for question {number}").fill(
                f"Agreed for {supplier} on question {number} after discussion."
            )
        submit(page, page.get_by_role("button", name="Save agreed scores"))
        expect(page.get_by_role("alert")).to_contain_text(f"Agreed scores saved for {supplier}")

    # A bad value is refused next to its field, with the error summary.
    submit(page, page.get_by_role("link", name="Bidder 2 Ltd"))
    page.get_by_label("Agreed score for question 1").fill("7")
    submit(page, page.get_by_role("button", name="Save agreed scores"), status=422)
    expect(page.locator(".govuk-error-summary")).to_contain_text("The agreed score for question 1 must be from 0 to 5")
    submit(page, page.get_by_role("link", name="Back to moderation").first)

    submit(page, page.get_by_role("link", name="Finalise moderation"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Finalise moderation")
    submit(page, page.get_by_role("button", name="Finalise moderation"))
    expect(page.get_by_role("alert")).to_contain_text("Moderation is finalised")
    expect(page.get_by_role("heading", level=1)).to_have_text("Results")
    sign_out(page)

    # The procurement officer reads the results and decides the award.
    sign_in(page, world.user(world.a, Role.PROCUREMENT_OFFICER).email)
    visit(page, f"/a/{slug}/evaluations/{evaluation.pk}/results/")
    expect(page.locator(f"#rank-offer-{first.pk}")).to_contain_text("Bidder 1 Ltd")
    expect(page.locator(f"#rank-offer-{first.pk} td").first).to_contain_text("1")
    expect(page.locator(".app-sensitivity")).to_contain_text("if the social value weighting moves by ±5 points")
    submit(page, page.get_by_role("link", name="Decide the award"))
    expect(page.locator("#highest-ranked")).to_contain_text("Bidder 1 Ltd")
    expect(page.get_by_label("Bidder 1 Ltd")).to_be_checked()
    submit(page, page.get_by_role("button", name="Decide the award"), status=422)
    expect(page.locator(".govuk-error-summary")).to_contain_text("Give the reasons for the award")
    page.get_by_label("Reasons for the award").fill("The highest total: the cheapest offer with the best answers.")
    submit(page, page.get_by_role("button", name="Decide the award"))
    expect(page.get_by_role("alert")).to_contain_text("The award to Bidder 1 Ltd is decided")
    with authority_scope(world.a):
        award = Award.objects.get(evaluation=evaluation)
    expect(page.locator("#standstill")).to_have_text(
        re.compile(rf"Standstill ends at midnight at the end of {award.standstill_ends_on:%A %-d %B %Y}; ")
    )
    submit(page, page.get_by_role("link", name="Confirm the award"))
    expect(page.locator("#standstill-refusal")).to_contain_text("You cannot confirm the award to Bidder 1 Ltd yet")
    sign_out(page)

    # The losing bidder reads its assessment summary from its account.
    sign_in(page, "bidder2@example.com")
    visit(page, "/account/")
    submit(page, page.get_by_role("link", name="Your assessment summaries"))
    submit(page, page.get_by_role("link", name=tender.title))
    expect(page.get_by_role("heading", level=1)).to_have_text("Assessment summary")
    expect(page.locator("main")).to_contain_text("was ranked 2 of 2")
    expect(page.locator("main")).to_contain_text("Agreed for Bidder 2 Ltd on question 1 after discussion.")
    expect(page.locator("main")).to_contain_text("Agreed for Bidder 1 Ltd on question 1 after discussion.")
    with page.expect_download() as download:
        page.get_by_role("link", name=re.compile("Download PDF")).click()
    assert download.value.suggested_filename.endswith(".pdf")
