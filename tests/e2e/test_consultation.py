"""Journey 3: a community member comments on a theme for their group; the commissioner publishes and answers it (in
place, with htmx); the public consultation page shows the comment with its answer. axe on every page and state."""

import re

from playwright.sync_api import Page, expect

from accounts.roles import Role
from accounts.scoping import authority_scope
from charters.models import Comment, CommentStatus, ResponseOutcome
from tests.charters.factories import build_charter, open_consultation
from tests.conftest import build_world
from tests.e2e.conftest import axe_check, browser_mark, sign_in, sign_out, submit, visit

pytestmark = browser_mark


def test_comment_moderate_answer_and_read_publicly(browser_page: Page):
    page = browser_page
    world = build_world()
    _, version = build_charter(world, world.a, title="Authority A Community Value Charter")
    consultation = open_consultation(world, world.a, version)
    public_path = f"/p/{world.a.slug}/consultations/{consultation.pk}/"

    # The public reads the draft; commenting needs signing in.
    visit(page, public_path)
    expect(page.get_by_role("heading", level=1)).to_have_text("Authority A Community Value Charter")
    expect(page.locator("#consultation-dates")).to_contain_text("84 days left")
    expect(page.locator("#comment-counts")).to_have_text("No comments have been published yet.")

    # A community member signs in and comments on a theme, speaking for their group.
    sign_in(page, world.community_user.email)
    visit(page, public_path)
    # The link's visible text is "Comment on this theme"; the theme's name is for screen readers.
    submit(page, page.get_by_role("link", name=re.compile(r"^Comment on this theme\W+Theme 1$")))
    expect(page.get_by_role("heading", level=1)).to_have_text("Comment on the theme: Theme 1")
    group = page.get_by_role("radio", name="A Residents Forum")
    group.check()
    submit(page, page.get_by_role("button", name="Send comment"), status=422)  # nothing written yet
    expect(page).to_have_title(re.compile(r"^Error: Comment on the theme"))
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_be_focused()
    expect(summary.get_by_role("link", name="Enter your comment")).to_have_attribute("href", "#id_text")
    expect(group).to_be_checked()  # the choice is kept
    page.get_by_label("Your comment").fill("Please ask for apprenticeships for young people in East Ward.")
    submit(page, page.get_by_role("button", name="Send comment"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Your comment has been sent")
    expect(page.locator(".govuk-panel__body")).to_have_text("It will appear once it has been checked.")

    # Held: not public yet, and listed on the member's own page.
    submit(page, page.get_by_role("link", name="your comments"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Your comments")
    card = page.locator(".govuk-summary-card").first
    expect(card).to_contain_text("Being checked")
    expect(card).to_contain_text("speaking for A Residents Forum")
    visit(page, public_path)
    expect(page.locator("main")).not_to_contain_text("apprenticeships for young people")
    with authority_scope(world.a):
        comment = Comment.objects.get()
    assert (comment.status, comment.organisation_id) == (CommentStatus.HELD, world.community_group.pk)
    sign_out(page)

    # The commissioner publishes it and answers it, each in place.
    sign_in(page, world.user(world.a, Role.COMMISSIONER).email)
    visit(page, f"/a/{world.a.slug}/consultations/{consultation.pk}/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Comments and answers")
    expect(page.locator("#count-held")).to_have_text("1")
    card = page.locator(f"#comment-{comment.pk}")
    expect(card).to_contain_text("Cam Community, speaking for A Residents Forum")
    card.get_by_role("button", name=f"Publish comment {comment.pk}").click()
    expect(card).to_contain_text(f"Comment {comment.pk} published.")
    expect(page.locator("#count-held")).to_have_text("0")
    expect(page.locator("#count-unanswered")).to_have_text("1")
    axe_check(page)

    card.get_by_role("radio", name="Accepted", exact=True).check()
    card.get_by_label("Response").fill("We agree. Larger contracts will ask for apprenticeships in East Ward.")
    card.get_by_label("What changed in the next version (optional)").fill("A new apprenticeships measure.")
    card.get_by_role("button", name=f"Publish the response to comment {comment.pk}").click()
    expect(card).to_contain_text(f"Comment {comment.pk} answered.")
    expect(card.locator(".govuk-tag").first).to_have_text("Answered")
    expect(page.locator("#count-answered")).to_have_text("1")
    axe_check(page)
    with authority_scope(world.a):
        comment.refresh_from_db()
        assert comment.response.outcome == ResponseOutcome.ACCEPTED
    sign_out(page)

    # Anyone can read the comment and its answer: you said, we did.
    visit(page, public_path)
    expect(page.locator("#comment-counts")).to_have_text("1 published comment, 1 answered.")
    public_card = page.locator(f"#comment-{comment.pk}")
    expect(public_card.get_by_role("heading")).to_contain_text("From A Residents Forum")
    expect(public_card).to_contain_text("apprenticeships for young people in East Ward")
    expect(public_card).to_contain_text("Accepted")
    expect(public_card).to_contain_text("Larger contracts will ask for apprenticeships")
    expect(public_card).to_contain_text("A new apprenticeships measure.")
    expect(page.locator("main")).not_to_contain_text("Cam Community")
