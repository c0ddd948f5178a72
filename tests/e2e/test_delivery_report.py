"""Journey 9, the supplier's half, in the browser: from the account page to the contract, a future report explained,
evidence uploaded (and a stray file removed after confirming), a mistyped quantity refused and kept, the report
submitted and its receipt shown; then a contract manager's query answered. axe on every page and state."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from accounts.roles import Role
from accounts.scoping import authority_scope
from compact import services
from compact.models import DeliveryLine, Verification
from tests.compact.factories import build_direct_contract
from tests.compact.test_evidence import CSV, pdf_bytes, use_temporary_private_storage
from tests.conftest import build_world
from tests.e2e.conftest import browser_mark, sign_in, submit, visit
from tests.tenders.factories import ensure_reference_data

pytestmark = browser_mark


@pytest.fixture
def private_storage(settings, tmp_path, monkeypatch):
    # The live server runs in this process, so it stores here too.
    return use_temporary_private_storage(settings, tmp_path, monkeypatch)


def test_the_supplier_submits_a_report_with_evidence(browser_page: Page, private_storage, tmp_path):
    page = browser_page
    ensure_reference_data()
    world = build_world()
    today = timezone.localdate()
    contract = build_direct_contract(
        world, world.a, starts_on=today - timedelta(days=300), ends_on=today + timedelta(days=300)
    )
    with authority_scope(world.a):
        reports = list(contract.reports.order_by("number"))
    past = next(r for r in reports if r.period_end < today)
    future = [r for r in reports if r.period_end >= today][-1]
    register = tmp_path / "Attendance register.pdf"
    register.write_bytes(pdf_bytes())
    stray = tmp_path / "Old timesheet.csv"
    stray.write_bytes(CSV)

    sign_in(page, world.supplier_one_user.email)
    visit(page, "/account/")
    submit(page, page.get_by_role("link", name="Your contracts"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Your contracts")
    submit(page, page.get_by_role("link", name="Grounds maintenance"))
    expect(page.get_by_role("heading", level=1)).to_have_text("C-1: Grounds maintenance")

    # A report for a period that has not ended is explained, with no form.
    submit(page, page.locator(f"#report-{future.number}").get_by_role("link"))
    expect(page.locator("#future-report")).to_contain_text("a report for a future period")
    expect(page.locator("main form")).to_have_count(0)
    page.go_back()

    submit(page, page.locator(f"#report-{past.number}").get_by_role("link"))
    submit(page, page.get_by_role("link", name="Add or remove evidence"))
    page.locator('input[type="file"][name="file"]').set_input_files(str(register))
    submit(page, page.get_by_role("button", name="Upload file"))
    expect(page.locator("#evidence")).to_contain_text("Attendance register.pdf")
    # A file uploaded by mistake is removed after confirming.
    page.locator('input[type="file"][name="file"]').set_input_files(str(stray))
    submit(page, page.get_by_role("button", name="Upload file"))
    submit(page, page.get_by_role("link", name="Remove Old timesheet.csv"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Are you sure you want to remove “Old timesheet.csv”?")
    submit(page, page.get_by_role("button", name="Remove file"))
    expect(page.locator("#evidence")).not_to_contain_text("Old timesheet.csv")
    submit(page, page.get_by_role("link", name="Back to the report").last)

    # A mistyped quantity is refused next to its field, and what was typed is kept.
    quantities = page.get_by_label(re.compile(r"^Quantity delivered"))
    quantities.nth(0).fill("four")
    quantities.nth(1).fill("2")
    page.get_by_label("What was delivered this period").fill("Four apprentices started at the depot.")
    submit(page, page.get_by_role("button", name="Submit report"), status=422)
    expect(page).to_have_title(re.compile(r"^Error: "))
    expect(page.locator(".govuk-error-summary")).to_contain_text("as a number")
    expect(quantities.nth(0)).to_have_value("four")
    expect(page.get_by_label("What was delivered this period")).to_have_value("Four apprentices started at the depot.")

    quantities.nth(0).fill("4")
    submit(page, page.get_by_role("button", name="Submit report"))
    expect(page.locator(".govuk-panel--confirmation")).to_contain_text(f"Report {past.number} submitted")
    with authority_scope(world.a):
        past.refresh_from_db()
    expect(page.locator("#receipt")).to_have_value(past.receipt)
    assert [e["name"] for e in past.content["evidence"]] == ["Attendance register.pdf"]

    # The contract manager asks about a line; the supplier answers it from the contract page.
    with authority_scope(world.a):
        line = DeliveryLine.objects.filter(report=past).order_by("commitment_id").first()
        services.line_verify(
            line=line,
            acting_user=world.user(world.a, Role.CONTRACT_MANAGER),
            decision=Verification.QUERIED,
            note="Which depot did the apprentices start at?",
        )
    visit(page, f"/p/{world.a.slug}/my-contracts/{contract.pk}/")
    submit(page, page.locator("#queries").get_by_role("link"))
    expect(page.locator("#question")).to_have_text("Which depot did the apprentices start at?")
    submit(page, page.get_by_role("button", name="Send answer"), status=422)
    expect(page.locator(".govuk-error-summary")).to_contain_text("Enter your answer")
    page.get_by_label("Your answer").fill("The Northtown depot.")
    submit(page, page.get_by_role("button", name="Send answer"))
    expect(page.locator("#queries")).to_have_count(0)
