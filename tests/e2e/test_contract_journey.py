"""Journey 9, the staff half: the procurement officer creates the contract from a confirmed award (a wrong date
refused first), the supplier's report is submitted (through the service), and the contract manager reads the contract,
opens the report, queries nothing empty, accepts the line, and confirms the performance rating. axe on every page and
state."""

import re
from datetime import timedelta

from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import Page, expect

from accounts.models import OrganisationMembership, OrganisationMemberStatus
from accounts.roles import Role
from accounts.scoping import authority_scope
from compact import services
from compact.models import Contract, DeliveryReport
from tests.conftest import build_world
from tests.e2e.conftest import browser_mark, sign_in, sign_out, submit, visit
from tests.evaluation.factories import build_awarded
from tests.tenders.factories import adopted_test_charter, charter_measures, ensure_reference_data

pytestmark = browser_mark


def _fill_date(page: Page, group: str, day):
    fieldset = page.get_by_role("group", name=group)
    fieldset.get_by_label("Day").fill(str(day.day))
    fieldset.get_by_label("Month").fill(str(day.month))
    fieldset.get_by_label("Year").fill(str(day.year))


def test_contract_from_award_and_verification(browser_page: Page):
    page = browser_page
    ensure_reference_data()
    world = build_world()
    award = build_awarded(world, world.a, confirm=True)
    manager = world.user(world.a, Role.CONTRACT_MANAGER)
    today = timezone.localdate()
    starts_on = today - timedelta(days=200)

    # The procurement officer goes from the confirmed award to a new contract.
    sign_in(page, world.user(world.a, Role.PROCUREMENT_OFFICER).email)
    with authority_scope(world.a):
        evaluation_id = award.evaluation_id
    visit(page, reverse("evaluation:award", args=[world.a.slug, evaluation_id]))
    submit(page, page.get_by_role("link", name="Create the contract"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Create the contract")
    page.get_by_label("Responsible officer").select_option(str(manager.pk))
    _fill_date(page, "Start date", starts_on)
    _fill_date(page, "End date", starts_on - timedelta(days=1))
    submit(page, page.get_by_role("button", name="Create the contract"), status=422)
    expect(page).to_have_title(re.compile(r"^Error: Create the contract"))
    expect(page.locator(".govuk-error-summary")).to_contain_text("must end on or after the day it starts")
    _fill_date(page, "End date", starts_on + timedelta(days=730))
    submit(page, page.get_by_role("button", name="Create the contract"))
    expect(page.locator("#responsible-officer")).to_contain_text(manager.full_name or manager.email)
    expect(page.locator("#reports")).to_contain_text("Overdue")
    submit(page, page.get_by_role("navigation", name="Menu").get_by_role("link", name="Contracts"))
    expect(page.locator("#contracts")).to_contain_text(award.evaluation.tender.reference)
    sign_out(page)

    # The supplier reports on the first quarter (it has ended).
    with authority_scope(world.a):
        contract = Contract.objects.get(award_id_source=award.pk)
        report = DeliveryReport.objects.filter(contract=contract).order_by("number").first()
        commitment = contract.commitments.first()
        member = OrganisationMembership.objects.filter(
            organisation=contract.supplier, status=OrganisationMemberStatus.APPROVED
        ).first()
        services.report_submit(
            report=report,
            acting_user=member.user,
            lines={commitment.pk: ("2", "Northtown", "Two started in the quarter")},
            narrative="A good start.",
        )

    # The contract manager verifies the line and confirms the rating.
    sign_in(page, manager.email)
    visit(page, reverse("compact:contract-detail", args=[world.a.slug, contract.pk]))
    submit(page, page.locator(f"#report-{report.pk}").get_by_role("link"))
    expect(page.locator("#receipt")).to_contain_text("Verifies")
    submit(page, page.get_by_role("link", name=re.compile("^Verify")))
    page.get_by_label("Query: ask the supplier a question").check()
    submit(page, page.get_by_role("button", name="Record the decision"), status=422)
    expect(page.locator(".govuk-error-summary")).to_contain_text("Enter the question for the supplier")
    page.get_by_label("Accept").check()
    submit(page, page.get_by_role("button", name="Record the decision"))
    expect(page.locator("#report-status")).to_have_text("Verified")
    submit(page, page.get_by_role("link", name="Back to the contract"))
    expect(page.locator("#commitments")).to_contain_text("2")
    submit(page, page.get_by_role("link", name="Confirm the performance rating"))
    submit(page, page.get_by_role("button", name="Confirm the rating"))
    expect(page.locator("#confirmed-ratings")).to_be_visible()
    visit(page, reverse("compact:kpi-add", args=[world.a.slug, contract.pk]))
    visit(page, reverse("compact:contract-end", args=[world.a.slug, contract.pk]))


def test_contract_awarded_elsewhere(browser_page: Page):
    """A contract manager enters a contract awarded elsewhere: empty first (refused, 422), then valid."""
    page = browser_page
    ensure_reference_data()
    world = build_world()
    version = adopted_test_charter(world, world.a)
    measure = charter_measures(world.a, version)[0]
    manager = world.user(world.a, Role.CONTRACT_MANAGER)
    starts_on = timezone.localdate()

    sign_in(page, manager.email)
    visit(page, reverse("compact:contract-list", args=[world.a.slug]))
    submit(page, page.get_by_role("link", name="Enter a contract awarded elsewhere"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Enter a contract awarded elsewhere")
    submit(page, page.get_by_role("button", name="Create the contract"), status=422)
    expect(page).to_have_title(re.compile(r"^Error: Enter a contract awarded elsewhere"))
    expect(page.locator(".govuk-error-summary")).to_contain_text("Choose the supplier organisation")

    page.get_by_label("Supplier organisation").select_option(str(world.supplier_one.pk))
    page.get_by_label("Contract reference").fill("EXT-9")
    page.get_by_label("Contract title").fill("Library cleaning")
    page.get_by_label("Contract value (£)").fill("25000")
    _fill_date(page, "Start date", starts_on)
    _fill_date(page, "End date", starts_on + timedelta(days=365))
    page.get_by_label("Responsible officer").select_option(str(manager.pk))
    page.get_by_label("Charter version").select_option(str(version.pk))
    first = page.get_by_role("group", name="Commitment 1")
    first.get_by_label("Measure").select_option(str(measure.pk))
    first.get_by_label("Target").fill("3")
    submit(page, page.get_by_role("button", name="Create the contract"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Library cleaning")
    with authority_scope(world.a):
        assert Contract.objects.get(authority=world.a, reference="EXT-9").commitments.count() == 1
