"""Independent scoring in the browser (journey 7 up to moderation). The evaluator: the offers stay hidden until they
declare; they declare no conflict (the interest box is revealed only for an interest), score each offer against each
question with a rationale (a missing rationale is refused by field), submit through the confirmation page, then read
their scores without being able to change them. The officer: starts the evaluation (not before the offers are
opened), forms the panel, sets the moderator, and decides on a declared interest. axe-core runs on every page."""

from playwright.sync_api import Page, expect

from accounts.roles import Role
from accounts.scoping import authority_scope
from evaluation.models import Evaluation
from tests.conftest import build_world
from tests.e2e.conftest import axe_check, browser_mark, sign_in, sign_out, submit, visit
from tests.evaluation.factories import build_evaluation, build_opened_tender, second_evaluator
from tests.tenders.factories import build_tender, ensure_reference_data

pytestmark = browser_mark


def _score(page: Page, label: str, score: str, rationale: str) -> None:
    page.get_by_role("group", name=f"Your score for {label}").get_by_label(score, exact=True).check()
    page.get_by_label(f"Your rationale for {label}").fill(rationale)


def test_an_evaluator_declares_scores_and_submits(browser_page: Page):
    page = browser_page
    world = build_world()
    ensure_reference_data()
    tender, _ = build_opened_tender(world, world.a, bids=2)
    evaluation, _ = build_evaluation(world, tender, declare=False)
    slug = world.a.slug
    base = f"/a/{slug}/evaluations/{evaluation.pk}"

    sign_in(page, world.user(world.a, Role.EVALUATOR).email)
    visit(page, f"{base}/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Evaluation")
    expect(page.locator("#panel")).to_contain_text("Not yet declared")

    # No offer before a declaration.
    visit(page, f"{base}/scoring/", status=403)
    expect(page.get_by_role("heading", level=1)).to_have_text("Declare any conflict of interest first")
    expect(page.locator("main")).not_to_contain_text("Bidder 1's method.")

    submit(page, page.get_by_role("link", name="Declare any conflict of interest"))
    expect(page.locator("#bidders")).to_contain_text("Bidder 1 Ltd")
    expect(page.locator("#bidders")).to_contain_text("Bidder 2 Ltd")
    interest = page.get_by_label("Describe the interest")
    expect(interest).to_be_hidden()
    page.get_by_label("I have an interest to declare").check()
    expect(interest).to_be_visible()
    axe_check(page)
    page.get_by_label("I have no conflict of interest").check()
    expect(interest).to_be_hidden()
    submit(page, page.get_by_role("button", name="Make the declaration"))
    expect(page.get_by_role("alert")).to_contain_text("You have declared no conflict of interest")
    expect(page.get_by_role("heading", level=1)).to_have_text("Score the offers")
    expect(page.locator("#progress-total")).to_contain_text("You have scored 0 of 4")

    # The first offer: a missing rationale is refused next to its field; then both questions scored.
    submit(page, page.get_by_role("link", name="Bidder 1 Ltd"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Score the offer from Bidder 1 Ltd")
    expect(page.locator("main")).to_contain_text("Bidder 1's method.")
    page.get_by_role("group", name="Your score for quality question 1").get_by_label("4", exact=True).check()
    submit(page, page.get_by_role("button", name="Save your scores"), status=422)
    expect(page.locator(".govuk-error-summary")).to_contain_text("Explain your score for quality question 1")
    expect(
        page.get_by_role("group", name="Your score for quality question 1").get_by_label("4", exact=True)
    ).to_be_checked()
    page.get_by_label("Your rationale for quality question 1").fill("Clear methods and named supervisors.")
    _score(page, "social value question 1", "3", "Partners named; evidence plan thin.")
    submit(page, page.get_by_role("button", name="Save your scores"))
    expect(page.get_by_role("alert")).to_contain_text("Your scores for Bidder 1 Ltd have been saved (2 changed)")
    expect(page.locator("#progress-total")).to_contain_text("You have scored 2 of 4")

    submit(page, page.get_by_role("link", name="Bidder 2 Ltd"))
    _score(page, "quality question 1", "2", "Generic methods.")
    _score(page, "social value question 1", "1", "No local partners named.")
    submit(page, page.get_by_role("button", name="Save your scores"))

    # Submit, through the confirmation page.
    submit(page, page.get_by_role("link", name="Submit your scores"))
    expect(page.locator(".govuk-warning-text")).to_contain_text("You cannot change your scores after you submit them")
    submit(page, page.get_by_role("button", name="Submit your scores"))
    expect(page.get_by_role("alert")).to_contain_text("Your scores have been submitted")
    expect(page.locator("#submitted")).to_be_visible()

    # Read-only afterwards.
    submit(page, page.get_by_role("link", name="Bidder 2 Ltd"))
    expect(page.locator("#read-only")).to_be_visible()
    expect(page.locator("main")).to_contain_text("No local partners named.")
    expect(page.get_by_role("button", name="Save your scores")).to_have_count(0)


def test_the_officer_starts_forms_the_panel_and_decides_on_a_declared_interest(browser_page: Page):
    page = browser_page
    world = build_world()
    ensure_reference_data()
    not_opened = build_tender(world, world.a, published=True, reference="SEALED-1")
    tender, _ = build_opened_tender(world, world.a, bids=2, reference="OPENED-1")
    slug = world.a.slug
    officer, evaluator = world.user(world.a, Role.PROCUREMENT_OFFICER), world.user(world.a, Role.EVALUATOR)
    second_evaluator(world, world.a)

    sign_in(page, officer.email)
    visit(page, f"/a/{slug}/tenders/{not_opened.pk}/evaluation/")
    expect(page.get_by_role("heading", level=1)).to_have_text("The evaluation cannot start yet")

    visit(page, f"/a/{slug}/tenders/{tender.pk}/evaluation/")
    share = page.get_by_label("Share of the social value weighting given to the commitments")
    share.fill("120")
    submit(page, page.get_by_role("button", name="Start the evaluation"), status=422)
    expect(page.locator(".govuk-error-summary")).to_contain_text("The share for commitments must be from 0% to 100%")
    page.get_by_label("Linear deduction from the lowest price").check()
    share.fill("40")
    submit(page, page.get_by_role("button", name="Start the evaluation"))
    expect(page.get_by_role("heading", level=1)).to_have_text("The panel")
    with authority_scope(world.a):
        evaluation = Evaluation.objects.get(tender=tender)
    base = f"/a/{slug}/evaluations/{evaluation.pk}"

    submit(page, page.get_by_role("button", name="Add to the panel"), status=422)
    expect(page.locator(".govuk-error-summary")).to_contain_text("Choose an evaluator to add")
    page.get_by_label(evaluator.full_name).check()
    submit(page, page.get_by_role("button", name="Add to the panel"))
    page.get_by_label("Second Evaluator").check()
    submit(page, page.get_by_role("button", name="Add to the panel"))
    expect(page.locator("#no-candidates")).to_contain_text("Every evaluator of Authority A Borough Council")
    page.get_by_role("group", name="Moderator").get_by_label(evaluator.full_name).check()
    submit(page, page.get_by_role("button", name="Set the moderator"))
    expect(page.get_by_role("alert")).to_contain_text(f"{evaluator.full_name} is the moderator")
    submit(page, page.get_by_role("link", name="Go to the evaluation overview"))
    expect(page.locator("#moderator")).to_have_text(evaluator.full_name)
    expect(page.locator("#step-still-scoring")).to_contain_text("2 evaluators are still scoring")
    sign_out(page)

    # The evaluator declares an interest: the offers stay hidden until the officer decides.
    sign_in(page, evaluator.email)
    visit(page, f"{base}/declaration/")
    page.get_by_label("I have an interest to declare").check()
    submit(page, page.get_by_role("button", name="Make the declaration"), status=422)
    expect(page.locator(".govuk-error-summary")).to_contain_text("Describe the interest")
    expect(page.get_by_label("Describe the interest")).to_be_visible()
    page.get_by_label("Describe the interest").fill("My cousin is a director of Bidder 2 Ltd.")
    submit(page, page.get_by_role("button", name="Make the declaration"))
    expect(page.locator("#step-waiting")).to_be_visible()
    visit(page, f"{base}/scoring/", status=403)
    expect(page.locator("#declared-interest")).to_contain_text("My cousin is a director of Bidder 2 Ltd.")
    sign_out(page)

    sign_in(page, officer.email)
    visit(page, f"{base}/")
    submit(page, page.get_by_role("link", name=f"Decide on the interest declared by {evaluator.full_name}"))
    expect(page.locator("#declared-interest")).to_contain_text("My cousin is a director of Bidder 2 Ltd.")
    page.get_by_label("Allow them to evaluate, with mitigation").check()
    submit(page, page.get_by_role("button", name="Record the decision"), status=422)
    expect(page.locator(".govuk-error-summary")).to_contain_text("Record the mitigation")
    page.get_by_label("Note").fill("Does not score Bidder 2 Ltd's social value answers alone.")
    submit(page, page.get_by_role("button", name="Record the decision"))
    expect(page.get_by_role("alert")).to_contain_text("can now read and score the offers")
    expect(page.locator("#panel")).to_contain_text("Allowed with mitigation")
    with authority_scope(world.a):
        second = evaluation.panel.get(user__full_name="Second Evaluator")
    visit(page, f"/a/{slug}/panel-members/{second.pk}/decision/")
    expect(page.locator("#nothing-declared")).to_contain_text("has not made a declaration yet")
