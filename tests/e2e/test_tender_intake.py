"""Journey 5: a procurement officer creates a tender, sees the threshold assessment, picks relevant measures with
reasons and targets, sets weightings (an out-of-band social value weighting asks for a justification), adds a
question and publishes it. axe-core runs on every page."""

import re
from datetime import timedelta

from django.utils import timezone
from playwright.sync_api import Page, expect

from accounts.roles import Role
from accounts.scoping import authority_scope
from tenders.models import RelevantMeasure, Tender, TenderStatus
from tests.conftest import build_world
from tests.e2e.conftest import axe_check, browser_mark, sign_in, submit, visit
from tests.tenders.factories import adopted_test_charter, charter_measures, ensure_reference_data

pytestmark = browser_mark


def fill_date(page: Page, name: str, day) -> None:
    page.locator(f"#id_{name}_date_day").fill(str(day.day))
    page.locator(f"#id_{name}_date_month").fill(str(day.month))
    page.locator(f"#id_{name}_date_year").fill(str(day.year))


def choose_measure(page: Page, measure, *, reason: str, kind: str, quantity: str, weight: str) -> None:
    submit(page, page.get_by_role("link", name="Choose relevant measures"))
    submit(page, page.get_by_role("link", name=f"Choose {measure.code} {measure.title}"))
    expect(page.get_by_role("heading", level=1)).to_have_text(f"{measure.code} {measure.title}")
    page.get_by_label("Why is this measure relevant to what is bought?").fill(reason)
    page.get_by_label(kind, exact=True).check()
    page.get_by_label("Quantity (optional)").fill(quantity)
    page.get_by_label("Weight within social value").fill(weight)
    submit(page, page.get_by_role("button", name="Add measure"))


def test_create_assess_choose_measures_weigh_and_publish(browser_page: Page):
    page = browser_page
    world = build_world()
    ensure_reference_data()
    version = adopted_test_charter(world, world.a)
    first, second = charter_measures(world.a, version)[:2]
    officer = world.user(world.a, Role.PROCUREMENT_OFFICER)
    sign_in(page, officer.email)

    visit(page, f"/a/{world.a.slug}/")
    submit(page, page.get_by_role("navigation", name="Menu").get_by_role("link", name="Tenders"))
    expect(page.locator("#no-tenders")).to_contain_text("has no tenders yet")
    submit(page, page.get_by_role("button", name="Create a tender"))

    # The details, with the live summary and the CPV picker (htmx).
    page.get_by_label("Reference").fill("AAB-2026-001")
    page.get_by_label("Title").fill("Street cleaning in the east wards")
    page.get_by_label("Description").fill("Sweeping, litter picking and graffiti removal in the east wards.")
    page.get_by_label("Services", exact=True).check()
    page.get_by_label("Contract term (optional)").fill("36")
    page.get_by_label("Estimated value, excluding VAT").fill("250,000")
    expect(page.locator("#summary-including")).to_contain_text("£300,000")
    page.get_by_label("Find CPV codes to add").fill("street cleaning")
    choose = page.locator("#cpv-picker-results").get_by_role("button", name=re.compile(r"^Choose 90610000"))
    expect(choose).to_be_visible()
    axe_check(page)
    choose.click()
    expect(page.get_by_label("CPV codes (optional)")).to_have_value("90610000")
    expect(page.locator("#cpv-picker-status")).to_contain_text("Added 90610000")
    expect(page.locator("#summary-divisions")).to_contain_text("90")
    today = timezone.localdate()
    fill_date(page, "clarification_deadline", today + timedelta(days=20))
    fill_date(page, "submission_deadline", today + timedelta(days=30))
    page.get_by_label("Submission deadline: time").fill("12:00pm")
    page.get_by_label("Contact email address").fill("streets@authority-a.example.org")
    submit(page, page.get_by_role("button", name="Save draft"))
    expect(page.get_by_role("alert")).to_contain_text("Draft tender AAB-2026-001 has been saved.")

    # The threshold assessment and the reporting level, worked out from the draft.
    expect(page.locator("#threshold-assessment")).to_contain_text(
        "£300,000 including VAT is above the £207,720 threshold for goods and services bought by sub-central "
        "authorities, in force from 1 January 2026: the Social Value Act duty applies"
    )
    expect(page.locator("#reporting-level")).to_contain_text("Quarterly")
    expect(page.locator("#submission-deadline")).to_contain_text(
        re.compile(r"12:00pm (GMT|BST) on " + re.escape(f"{(today + timedelta(days=30)).day} "))
    )
    expect(page.locator("#publication-checklist")).to_contain_text("Choose at least one relevant measure")

    # Relevant measures with reasons and targets.
    choose_measure(
        page,
        first,
        reason="Street cleaning is labour-intensive: the contract can employ local people.",
        kind="A target",
        quantity="4",
        weight="60",
    )
    expect(page.locator("#measure-total-tender")).to_contain_text("Must total 100%")
    choose_measure(
        page,
        second,
        reason="Crews work in the east wards every day, where the need is highest.",
        kind="A minimum",
        quantity="2",
        weight="40",
    )
    expect(page.locator("#relevant-measures-tender")).to_contain_text("Target: 4")
    expect(page.locator("#relevant-measures-tender")).to_contain_text("Minimum: 2")
    expect(page.locator("#measure-total-tender")).to_have_text("100%")

    # Weightings: social value above the band needs a justification.
    submit(page, page.get_by_role("link", name="Change the weightings"))
    page.get_by_label("Price weighting").fill("50")
    page.get_by_label("Quality weighting").fill("10")
    page.get_by_label("Social value weighting").fill("35")
    expect(page.locator("#weightings-live-total")).to_contain_text("95%")
    page.get_by_label("Social value weighting").fill("40")
    expect(page.locator("#weightings-live-total")).to_contain_text("Adds up")
    expect(page.locator("#weightings-live-total")).to_contain_text("outside the 10–30% band")
    submit(page, page.get_by_role("button", name="Save weightings"), status=422)
    expect(page.locator(".govuk-error-summary")).to_contain_text(
        "Explain why the social value weighting of 40% is outside Authority A Borough Council's band of 10% to 30%"
    )
    page.get_by_label("Justification (only if social value is outside the band)").fill(
        "Youth unemployment in the east wards is the council's first priority this year."
    )
    submit(page, page.get_by_role("button", name="Save weightings"))
    expect(page.locator("#tender-weightings")).to_contain_text("Outside the 10–30% band")
    expect(page.locator("#weighting-justification")).to_contain_text("Youth unemployment")

    # A quality question (quality is weighted, so it needs one).
    submit(page, page.get_by_role("link", name="Add a quality question"))
    page.get_by_label("Question", exact=True).fill("How will you keep the streets clean to the specified standard?")
    page.get_by_label("Guidance for bidders (optional)").fill("Describe methods, staffing and quality checks.")
    page.get_by_label("Weight within its part").fill("100")
    submit(page, page.get_by_role("button", name="Add question"))
    expect(page.locator("#questions")).to_be_visible()
    expect(page.locator("main")).to_contain_text("How will you keep the streets clean")
    expect(page.locator("#publication-checklist")).to_have_text("Ready to publish.")

    # Publish.
    submit(page, page.get_by_role("button", name="Publish"))
    expect(page.locator("#publication-summary")).to_contain_text("above the £207,720 threshold")
    submit(page, page.get_by_role("button", name="Publish tender"))
    expect(page.get_by_role("alert")).to_contain_text("Tender AAB-2026-001 has been published.")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Published")
    expect(page.locator("#charter-version")).to_contain_text("pinned at publication")

    with authority_scope(world.a):
        tender = Tender.objects.get(reference="AAB-2026-001")
        assert tender.status == TenderStatus.PUBLISHED
        assert tender.charter_version == version
        assert tender.social_value_weight == 40
        assert tender.threshold_assessment["duty_applies"] is True
        reasons = dict(RelevantMeasure.objects.filter(tender=tender).values_list("charter_measure__code", "reason"))
        assert reasons[first.code].startswith("Street cleaning is labour-intensive")

    # The list shows it as published.
    submit(page, page.get_by_role("link", name="Back to tenders"))
    expect(page.locator("#tenders")).to_contain_text("AAB-2026-001")
    expect(page.locator("#tenders")).to_contain_text("Published")
