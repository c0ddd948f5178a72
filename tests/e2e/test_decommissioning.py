"""Journey 11: a decommissioning assessment is recorded before a contract is ended early. A contract manager is first
refused ending the contract early without one, opens the assessment (an empty form refused first), a Compact partner
group's member responds on the public page, the manager answers, the response period passes, the manager records the
decision and ends the contract early; the public assessment page shows it all without anyone's name. axe on every
page and state."""

import re
from datetime import timedelta

from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import Page, expect

from accounts.roles import Role
from accounts.scoping import authority_scope
from compact.models import CompactPartner, DecommissioningAssessment
from tests.compact.test_contract_pages import build_reported_contract
from tests.conftest import build_world
from tests.e2e.conftest import browser_mark, sign_in, sign_out, submit, visit
from tests.tenders.factories import ensure_reference_data

pytestmark = browser_mark


def _fill_date(page: Page, group: str, day):
    fieldset = page.get_by_role("group", name=group)
    fieldset.get_by_label("Day").fill(str(day.day))
    fieldset.get_by_label("Month").fill(str(day.month))
    fieldset.get_by_label("Year").fill(str(day.year))


def test_assessment_before_ending_a_contract_early(browser_page: Page):
    page = browser_page
    ensure_reference_data()
    world = build_world()
    contract = build_reported_contract(world, world.a, reference="J11-1").contract
    manager = world.user(world.a, Role.CONTRACT_MANAGER)
    with authority_scope(world.a):
        # The community group is one of the authority's Compact partners (added by an admin elsewhere).
        CompactPartner.objects.create(authority=world.a, organisation=world.community_group)
    today = timezone.localdate()
    contract_path = reverse("compact:contract-detail", args=[world.a.slug, contract.pk])

    # Ending early without an assessment is refused, with the message at the field and nothing lost.
    sign_in(page, manager.email)
    visit(page, reverse("compact:contract-end", args=[world.a.slug, contract.pk]))
    expect(page.locator("#early-end-assessment")).to_contain_text("Record a decommissioning assessment")
    page.get_by_label("Ended early", exact=True).check()
    _fill_date(page, "Date it ended", today)
    page.get_by_label("Why it ended early (if it did)").fill("The grant that funds it has ended.")
    submit(page, page.get_by_role("button", name="Record the end of the contract"), status=422)
    expect(page.locator(".govuk-error-summary")).to_contain_text("Record a decommissioning assessment before ending")
    expect(page.get_by_label("Why it ended early (if it did)")).to_have_value("The grant that funds it has ended.")

    # The manager opens the assessment from the contract page.
    visit(page, contract_path)
    submit(page, page.get_by_role("link", name="Open an assessment"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Open a decommissioning assessment")
    expect(page.locator("#outstanding")).to_be_visible()
    expect(page.locator("#to-be-told")).to_contain_text(world.community_group.name)
    submit(page, page.get_by_role("button", name="Open the assessment"), status=422)
    expect(page).to_have_title(re.compile(r"^Error: Open a decommissioning assessment"))
    expect(page.locator(".govuk-error-summary")).to_contain_text("Enter what is proposed and why")
    page.get_by_label("Ending the contract early").check()
    page.get_by_label("What is proposed and why").fill("End the contract in the spring: the grant has ended.")
    _fill_date(page, "Date the change would take effect", today + timedelta(days=40))
    page.get_by_label("Impact on beneficiaries").fill("Children lose the Saturday club.")
    page.get_by_label("Impact on service users").fill("Families are referred to the library programme.")
    page.get_by_label("Impact on volunteers").fill("Six volunteers move to other clubs.")
    _fill_date(page, "Responses due by", today + timedelta(days=14))
    submit(page, page.get_by_role("button", name="Open the assessment"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Ending the contract early")
    expect(page.locator("#decision-blocked")).to_contain_text("You can record the decision from")
    with authority_scope(world.a):
        assessment = DecommissioningAssessment.objects.get(contract=contract)
    public_path = reverse("compact:assessment-public", args=[world.a.slug, assessment.pk])
    sign_out(page)

    # A partner group's member responds on the public page.
    sign_in(page, world.community_user.email)
    visit(page, public_path)
    expect(page.locator("main")).to_contain_text(f"You are responding for {world.community_group.name}")
    submit(page, page.get_by_role("button", name="Publish the response"), status=422)
    expect(page.locator(".govuk-error-summary")).to_contain_text("Enter your response")
    page.get_by_label("Your organisation's response").fill("Our volunteers could run the club on Saturdays.")
    submit(page, page.get_by_role("button", name="Publish the response"))
    expect(page.locator("#responses").locator("xpath=..")).to_contain_text("Our volunteers could run the club")
    sign_out(page)

    # The manager answers the response.
    sign_in(page, manager.email)
    visit(page, reverse("compact:assessment-detail", args=[world.a.slug, assessment.pk]))
    submit(page, page.get_by_role("link", name=f"Answer to {world.community_group.name}"))
    page.get_by_label("Your answer").fill("The hall stays open on Saturdays for the forum's club.")
    submit(page, page.get_by_role("button", name="Publish the answer"))
    expect(page.locator("main")).to_contain_text("The hall stays open on Saturdays")
    visit(page, reverse("compact:assessment-decide", args=[world.a.slug, assessment.pk]))
    expect(page.locator("#decision-blocked")).to_contain_text("after responses close on")
    visit(page, reverse("compact:assessment-list", args=[world.a.slug]))
    expect(page.locator("#assessments")).to_contain_text("J11-1")
    visit(page, reverse("compact:assessment-reduce", args=[world.a.slug, contract.pk]))
    expect(page.locator("#no-reduction")).to_be_visible()

    # The response period passes: its end is moved back through the ORM rather than waiting two weeks.
    with authority_scope(world.a):
        DecommissioningAssessment.objects.filter(pk=assessment.pk).update(responses_due_on=today - timedelta(days=1))
    visit(page, reverse("compact:assessment-detail", args=[world.a.slug, assessment.pk]))
    submit(page, page.get_by_role("link", name="Record the decision"))
    submit(page, page.get_by_role("button", name="Record the decision"), status=422)
    expect(page.locator(".govuk-error-summary")).to_contain_text("Choose the decision")
    page.get_by_label("Go ahead with changes").check()
    page.get_by_label("Reasons for the decision").fill("The grant has ended; the hall stays open for the club.")
    submit(page, page.get_by_role("button", name="Record the decision"))
    expect(page.locator("#decision")).to_contain_text("Go ahead with changes")

    # Now the contract can be ended early.
    submit(page, page.get_by_role("link", name="Record the end of the contract"))
    expect(page.locator("#early-end-assessment")).to_contain_text("decided to go ahead")
    page.get_by_label("Ended early", exact=True).check()
    _fill_date(page, "Date it ended", today)
    page.get_by_label("Why it ended early (if it did)").fill("The grant that funds it has ended.")
    submit(page, page.get_by_role("button", name="Record the end of the contract"))
    expect(page.locator("#contract-status")).to_contain_text("Ended early")
    sign_out(page)

    # The public page shows the assessment, the response and answer, and the decision, naming no one.
    visit(page, reverse("compact:assessment-public-list", args=[world.a.slug]))
    submit(page, page.get_by_role("link", name=re.compile("J11-1")))
    expect(page).to_have_url(re.compile(re.escape(public_path)))
    main = page.locator("main")
    expect(main).to_contain_text("Children lose the Saturday club.")
    expect(main).to_contain_text(world.community_group.name)
    expect(main).to_contain_text("The hall stays open on Saturdays")
    expect(page.locator("#decision")).to_contain_text("The grant has ended; the hall stays open for the club.")
    expect(page.locator("#notified")).to_contain_text(world.supplier_one.name)
    for person in (manager, world.community_user, world.supplier_one_user):
        expect(main).not_to_contain_text(person.full_name)
        expect(main).not_to_contain_text(person.email)
