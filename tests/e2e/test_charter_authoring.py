"""Journey 2 (and the revision part of journey 4): a commissioner builds a charter in the browser, from the Social
Value Model template, adapts it to the place, previews it and opens a 12-week consultation; later a revision shows
what changed."""

from datetime import timedelta

from django.utils import timezone
from playwright.sync_api import Page, expect

from accounts.roles import Role
from accounts.scoping import authority_scope
from charters.models import Charter, Consultation, Measure, VersionStatus
from tests.conftest import build_world
from tests.e2e.conftest import axe_check, browser_mark, sign_in, submit, visit

pytestmark = browser_mark


def test_build_a_charter_and_open_a_consultation(browser_page: Page):
    page = browser_page
    world = build_world()
    Measure.objects.update_or_create(code="E2E-JOBS", defaults={"title": "Local people employed", "unit": "fte"})
    sign_in(page, world.user(world.a, Role.COMMISSIONER).email)

    visit(page, f"/a/{world.a.slug}/")
    submit(page, page.get_by_role("navigation", name="Menu").get_by_role("link", name="Charters"))
    expect(page.locator("#no-charters")).to_be_visible()
    submit(page, page.get_by_role("button", name="Start a new charter"))
    page.get_by_label("Charter title").fill("Authority A Community Value Charter")
    page.get_by_label("From the UK Social Value Model").check()
    submit(page, page.get_by_role("button", name="Create charter"))
    expect(page.get_by_role("heading", level=1)).to_contain_text("Version 1")
    expect(page.locator("#weights-total")).to_contain_text("100%")

    # Local context and a priority place.
    submit(page, page.get_by_role("link", name="Change title, vision and local context"))
    page.get_by_label("Vision").fill("Every contract leaves the borough fairer and greener.")
    page.get_by_label("Local context").fill("Youth unemployment is twice the national rate.\n\nThe east needs jobs.")
    submit(page, page.get_by_role("button", name="Save"))
    page.get_by_text("Add a priority place").click()
    page.get_by_label("Place").fill("East Ward")
    page.get_by_label("Its needs (optional)").fill("Highest youth unemployment")
    page.get_by_role("button", name="Add place").click()  # htmx swaps the structure panel in place
    expect(page.locator("#places ~ ol")).to_contain_text("East Ward")
    # Change it in place: the edit form opens where the place was (htmx), and saves as a normal form.
    page.get_by_role("link", name="Change East Ward").click()
    expect(page.locator("#structure #item-form")).to_be_visible()
    axe_check(page)
    page.locator("#item-form").get_by_label("Its needs (optional)").fill("Highest youth unemployment in the borough")
    submit(page, page.locator("#item-form").get_by_role("button", name="Save changes"))
    expect(page.locator("#places ~ ol")).to_contain_text("in the borough")
    # Remove with htmx after the browser's confirmation; the structure panel is swapped in place.
    page.get_by_text("Add a priority place").click()
    page.get_by_label("Place").fill("Typo Ward")
    page.get_by_role("button", name="Add place").click()
    expect(page.locator("#places ~ ol")).to_contain_text("Typo Ward")
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("link", name="Remove Typo Ward").click()
    expect(page.locator("#places ~ ol")).not_to_contain_text("Typo Ward")

    # A local theme, added with htmx, then an outcome and a measure from the library.
    page.get_by_text("Add a theme").click()
    page.get_by_label("Theme", exact=True).fill("Thriving East Ward")
    page.get_by_role("button", name="Add theme").click()
    expect(page.locator("#structure")).to_contain_text("Thriving East Ward (0%)")
    submit(page, page.get_by_role("link", name="Add an outcome to Thriving East Ward"))
    page.get_by_label("Outcome", exact=True).fill("More young people in good jobs")
    submit(page, page.get_by_role("button", name="Add outcome"))
    submit(page, page.get_by_role("link", name="Add a measure to More young people in good jobs"))
    page.get_by_label("Search the library").fill("E2E")
    submit(page, page.get_by_role("button", name="Search"))
    submit(page, page.get_by_role("button", name="Add E2E-JOBS"))
    page.get_by_label("Proxy value per unit (optional)").fill("21500")
    page.get_by_label("Source of the proxy value").fill("Council estimate, 2025")
    submit(page, page.get_by_role("button", name="Save changes"))
    expect(page.locator("#structure")).to_contain_text("E2E-JOBS")

    # Weights with a live total, then saved.
    submit(page, page.get_by_role("link", name="change the weights"))
    fields = page.locator("input[name^=weight_]")
    expect(fields).to_have_count(6)
    for index, value in enumerate(["20", "20", "15", "15", "10", "30"]):
        fields.nth(index).fill(value)
    expect(page.locator("#weights-live-total")).to_contain_text("110%")
    fields.nth(5).fill("20")
    expect(page.locator("#weights-live-total")).to_contain_text("Adds up")
    submit(page, page.get_by_role("button", name="Save weights"))
    expect(page.locator("#weights-total")).to_contain_text("Theme weights total 100%")

    # Preview exactly as the public will see it.
    submit(page, page.get_by_role("link", name="Preview"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Authority A Community Value Charter")
    expect(page.locator("main")).to_contain_text("East Ward")
    expect(page.locator("main")).to_contain_text("Thriving East Ward")
    submit(page, page.get_by_role("link", name="Back to editing"))

    # Open a 12-week consultation (the defaults).
    submit(page, page.get_by_role("link", name="Open a consultation"))
    submit(page, page.get_by_role("button", name="Open consultation"))
    expect(page.locator("#consultation-status")).to_contain_text("12 weeks")
    with authority_scope(world.a):
        consultation = Consultation.objects.get()
        assert consultation.closes_on - consultation.opens_on == timedelta(weeks=12)
        assert consultation.version.status == VersionStatus.CONSULTATION
        assert consultation.opens_on == timezone.localdate()
        assert Charter.objects.get().versions.get().places.get().name == "East Ward"


def test_adopt_publish_and_revise_with_a_diff(browser_page: Page):
    from charters import consultation as consultation_services
    from charters.models import CommentSection
    from tests.charters.factories import build_charter, open_consultation

    page = browser_page
    world = build_world()
    commissioner = world.user(world.a, Role.COMMISSIONER)
    charter, version = build_charter(world, world.a, title="Authority A Charter")
    opened = timezone.localdate() - timedelta(weeks=13)
    consultation = open_consultation(world, world.a, version, today=opened)
    with authority_scope(world.a):
        comment = consultation_services.comment_create(
            consultation=consultation,
            acting_user=world.resident,
            section=CommentSection.VISION,
            text="Mention young people.",
            today=opened + timedelta(days=3),
        )
        consultation_services.comment_moderate(comment=comment, acting_user=commissioner, decision="published")

    sign_in(page, commissioner.email)
    visit(page, f"/a/{world.a.slug}/versions/{version.pk}/adopt/")
    expect(page.locator("#adoption-blockers")).to_contain_text("1 published comment has no answer yet")
    with authority_scope(world.a):
        consultation_services.comment_respond(
            comment=comment, acting_user=commissioner, outcome="accepted", text="Added to the vision."
        )
    visit(page, f"/a/{world.a.slug}/versions/{version.pk}/adopt/")
    submit(page, page.get_by_role("button", name="Adopt and publish"))
    expect(page.get_by_role("alert")).to_contain_text("Version 1 has been adopted and published.")
    expect(page.locator("#frozen")).to_contain_text("An adopted version never changes")
    expect(page.get_by_role("link", name="Change title, vision and local context")).to_have_count(0)

    # The public charter page shows it.
    visit(page, f"/p/{world.a.slug}/charter/")
    expect(page.locator("main")).to_contain_text("Authority A Charter")
    expect(page.locator("main")).to_contain_text("Theme 1")

    # A revision, a change, and the comparison.
    visit(page, f"/a/{world.a.slug}/charters/{charter.pk}/")
    submit(page, page.get_by_role("button", name="Start a revision"))
    expect(page.get_by_role("heading", level=1)).to_contain_text("Version 2")
    page.get_by_role("link", name="Change theme Theme 1").click()  # opens the form in place of the theme
    page.locator("#item-form").get_by_label("Theme", exact=True).fill("Good local jobs")
    submit(page, page.locator("#item-form").get_by_role("button", name="Save changes"))
    submit(page, page.get_by_role("link", name=f"Back to {charter.title}"))
    submit(page, page.get_by_role("link", name="Compare versions"))
    changes = page.locator("#changes")
    expect(changes).to_contain_text("Good local jobs")
    expect(changes.locator("del")).to_contain_text("Theme 1")
