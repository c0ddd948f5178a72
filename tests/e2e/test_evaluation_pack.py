"""The evaluation pack in the browser: before moderation is finalised the page explains why there is no pack yet;
after it, one click makes the PDF, XLSX and CSV, the page offers each with its SHA-256, and a downloaded file has
that fingerprint. While files are being made the page polls and updates by itself. axe-core runs on every page."""

import hashlib
import re
from pathlib import Path

from playwright.sync_api import Page, expect

from accounts.jobs import job_execute
from accounts.models import Job
from accounts.roles import Role
from accounts.scoping import authority_scope
from evaluation import packs
from tests.conftest import build_world
from tests.e2e.conftest import axe_check, browser_mark, sign_in, submit, visit
from tests.evaluation.factories import build_awarded, build_evaluation, build_opened_tender
from tests.tenders.factories import ensure_reference_data

pytestmark = browser_mark


def test_officer_makes_and_downloads_the_pack(browser_page: Page):
    page = browser_page
    world = build_world()
    ensure_reference_data()
    scoring_tender, _ = build_opened_tender(world, world.a, reference="IN-SCORING")
    in_scoring, _ = build_evaluation(world, scoring_tender)
    awarded = build_awarded(world, world.a, reference="AWARDED").evaluation
    slug = world.a.slug

    sign_in(page, world.user(world.a, Role.PROCUREMENT_OFFICER).email)
    visit(page, f"/a/{slug}/evaluations/{in_scoring.pk}/pack/")
    expect(page.locator("#pack-not-yet")).to_contain_text("once moderation is finalised")
    expect(page.get_by_role("button", name="Make the evaluation pack")).to_have_count(0)

    visit(page, f"/a/{slug}/evaluations/{awarded.pk}/pack/")
    # Without a broker the jobs run in-process once the request's transaction commits: the page it leads to is done.
    submit(page, page.get_by_role("button", name="Make the evaluation pack"))
    expect(page.locator(".govuk-notification-banner")).to_contain_text("The evaluation pack is being made")
    files = page.locator("#pack-files")
    with authority_scope(world.a):
        jobs = {job.kind: job for job in packs.pack_jobs(awarded)}
    for job in jobs.values():
        expect(files).to_contain_text(job.sha256)
    expect(page.locator("#pack-status")).not_to_have_attribute("hx-get", re.compile(".*"))

    pdf = jobs[packs.PACK_PDF]
    with page.expect_download() as download_info:
        page.get_by_role("link", name=f"Download {pdf.filename}").click()
    content = Path(download_info.value.path()).read_bytes()
    assert content.startswith(b"%PDF") and hashlib.sha256(content).hexdigest() == pdf.sha256


def test_page_follows_the_files_while_they_are_made(browser_page: Page):
    page = browser_page
    world = build_world()
    ensure_reference_data()
    evaluation = build_awarded(world, world.a).evaluation
    officer = world.user(world.a, Role.PROCUREMENT_OFFICER)
    with authority_scope(world.a):
        # Queued but not yet run, as with a busy worker.
        jobs = [
            Job.objects.create(
                authority=world.a, kind=kind, params={"evaluation_id": evaluation.pk}, requested_by=officer
            )
            for kind in packs.PACK_KINDS
        ]
    status_path = f"/a/{world.a.slug}/evaluations/{evaluation.pk}/pack/status/"

    sign_in(page, officer.email)
    visit(page, f"/a/{world.a.slug}/evaluations/{evaluation.pk}/pack/")
    expect(page.get_by_label("Progress: 0%")).to_have_count(3)
    expect(page.get_by_role("button", name="Make the pack again")).to_be_visible()

    with authority_scope(world.a):
        for job in jobs:
            job_execute(job)
    with page.expect_response(lambda response: response.url.endswith(status_path) and response.status == 286):
        pass
    for job in jobs:
        with authority_scope(world.a):
            job.refresh_from_db()
        expect(page.get_by_role("link", name=f"Download {job.filename}")).to_be_visible()
    expect(page.locator("#pack-status")).not_to_have_attribute("hx-get", re.compile(".*"))
    axe_check(page)  # the page as htmx left it
