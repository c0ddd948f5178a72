"""The public delivery tracker, a community check and its answer, the golden thread and "you said, we did": from the
authority's public page to a contract's verified delivery, a community group member questioning a delivery (refused
when empty), the responsible officer answering it publicly, the thread back to the consultation, and the commenter's
account page. axe on every page and state."""

import re

from django.urls import reverse
from playwright.sync_api import Page, expect

from accounts.roles import Role
from accounts.scoping import authority_scope
from compact.models import CommunityCheck
from tests.compact.test_thread import CHANGE, build_consulted_contract
from tests.conftest import build_world
from tests.e2e.conftest import browser_mark, sign_in, sign_out, submit, visit

pytestmark = browser_mark


def test_tracker_check_answer_and_thread(browser_page: Page):
    page = browser_page
    world = build_world()
    tracked, *_ = build_consulted_contract(world, world.a)
    line = tracked.accepted[0]

    # Anyone finds the tracker from the authority's public page and reads verified delivery only.
    visit(page, reverse("accounts:authority-public", args=[world.a.slug]))
    submit(page, page.get_by_role("link", name="Contracts and what they deliver"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Contracts and what they deliver")
    submit(page, page.get_by_role("link", name="Youth employment contract"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Youth employment contract")
    expect(page.locator("#commitments")).to_contain_text("7 full-time equivalent jobs (FTE)")
    expect(page.locator("main")).not_to_contain_text("55.55")

    # Checking a delivery needs an account in a community group.
    submit(page, page.locator(f"#line-{line.pk}").get_by_role("link", name=re.compile("Confirm or question")))
    expect(page.get_by_role("heading", level=1)).to_have_text("Sign in")
    sign_in(page, world.community_user.email)
    contract_path = reverse("compact:tracker-contract", args=[world.a.slug, tracked.contract.pk])
    visit(page, reverse("compact:community-check", args=[world.a.slug, tracked.contract.pk, line.pk]))
    expect(page.get_by_role("heading", level=1)).to_have_text("Confirm or question a delivery")
    submit(page, page.get_by_role("button", name="Publish your check"), status=422)
    expect(page).to_have_title(re.compile(r"^Error: Confirm or question a delivery"))
    expect(page.locator(".govuk-error-summary").get_by_role("link", name="Enter your comment")).to_be_visible()
    page.get_by_label("Questions it").check()
    page.get_by_label("Your comment").fill("Nobody from the estate was taken on in East Ward.")
    submit(page, page.get_by_role("button", name="Publish your check"))
    expect(page.locator(f"#line-{line.pk}")).to_contain_text("A Residents Forum")
    expect(page.locator(f"#line-{line.pk}")).to_contain_text("Not answered yet.")
    sign_out(page)

    # The responsible officer answers; the answer is public.
    sign_in(page, world.user(world.a, Role.CONTRACT_MANAGER).email)
    with authority_scope(world.a):
        check_id = CommunityCheck.objects.get().pk
    visit(page, reverse("compact:community-check-answer", args=[world.a.slug, check_id]))
    expect(page.get_by_role("heading", level=1)).to_have_text("Answer a community check")
    submit(page, page.get_by_role("button", name="Publish the answer"), status=422)
    expect(page.locator(".govuk-error-summary")).to_contain_text("Enter your answer")
    page.get_by_label("Your answer").fill("We have asked the supplier for its payroll records for East Ward.")
    submit(page, page.get_by_role("button", name="Publish the answer"))
    expect(page).to_have_url(re.compile(re.escape(contract_path)))
    expect(page.locator(f"#check-{check_id}")).to_contain_text("payroll records for East Ward")

    # The golden thread, back to the comment that changed the measure.
    visit(page, reverse("compact:thread", args=[world.a.slug, tracked.commitments[0].pk]))
    expect(page.locator("#relevance-reason")).to_contain_text("follows from the work")
    expect(page.locator("main")).to_contain_text(CHANGE)
    sign_out(page)

    # The commenter sees what was delivered.
    sign_in(page, world.community_user.email)
    visit(page, reverse("accounts:account"))
    submit(page, page.get_by_role("link", name="You said, we did: what was delivered"))
    expect(page.get_by_role("heading", level=1)).to_have_text("You said, we did: what was delivered")
    expect(page.locator("main")).to_contain_text("Youth employment contract")
    expect(page.locator("main")).to_contain_text(CHANGE)
