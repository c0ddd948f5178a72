"""An officer enters a consultation shorter than 12 weeks, is asked for the reason (error summary), gives it; the
public register and the calendar show it with its reason. axe on every page and state."""

import re
from datetime import timedelta

from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import Page, expect

from accounts.roles import Role
from tests.conftest import build_world
from tests.e2e.conftest import browser_mark, sign_in, sign_out, submit, visit

pytestmark = browser_mark

TITLE = "Winter fuel top-up scheme"
REASON = "The funding must be committed before the end of March."


def _fill_date(page: Page, name: str, day) -> None:
    page.locator(f"#id_{name}_day").fill(str(day.day))
    page.locator(f"#id_{name}_month").fill(str(day.month))
    page.locator(f"#id_{name}_year").fill(str(day.year))


def test_shorter_consultation_needs_a_reason_and_is_public(browser_page: Page):
    page = browser_page
    world = build_world()
    opens = timezone.localdate() + timedelta(days=10)
    closes = opens + timedelta(weeks=6)

    sign_in(page, world.user(world.a, Role.COMMISSIONER).email)
    visit(page, reverse("compact:register-list", args=[world.a.slug]))
    expect(page.locator("#no-consultations")).to_be_visible()
    submit(page, page.get_by_role("link", name="Enter a consultation"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Enter a consultation")
    page.get_by_label("Title").fill(TITLE)
    _fill_date(page, "opens_on", opens)
    _fill_date(page, "closes_on", closes)
    submit(page, page.get_by_role("button", name="Add to the register"), status=422)
    expect(page).to_have_title(re.compile(r"^Error: Enter a consultation"))
    summary_link = page.locator(".govuk-error-summary").get_by_role(
        "link", name="Explain why the consultation is shorter than 12 weeks: it runs for 6 weeks"
    )
    expect(summary_link).to_be_visible()
    expect(page.get_by_label("Title")).to_have_value(TITLE)
    expect(page.locator("#id_closes_on_year")).to_have_value(str(closes.year))
    summary_link.click()
    expect(page.get_by_label("Why is it shorter than 12 weeks? (only if it is)")).to_be_focused()
    page.get_by_label("Why is it shorter than 12 weeks? (only if it is)").fill(REASON)
    submit(page, page.get_by_role("button", name="Add to the register"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Consultation register")
    expect(page.locator("#register")).to_contain_text(TITLE)
    expect(page.locator("#register")).to_contain_text(REASON)
    sign_out(page)

    visit(page, reverse("compact:register-public", args=[world.a.slug]))
    expect(page.get_by_role("heading", level=1)).to_have_text("Consultations")
    expect(page.locator("#register")).to_contain_text(f"No. Reason: {REASON}")
    expect(page.locator("#compliance")).to_contain_text("100.0%")
    submit(page, page.locator("main").get_by_role("link", name="consultation calendar"))
    if opens.year != timezone.localdate().year:
        visit(page, reverse("compact:register-calendar", args=[world.a.slug]) + f"?year={opens.year}")
    expect(page.locator(f"#month-{opens.month}")).to_contain_text(TITLE)
    expect(page.locator(f"#month-{opens.month}")).to_contain_text("Opening")
