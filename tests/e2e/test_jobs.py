"""Background jobs seen from the browser: the audit log export and the job page that follows it."""

import csv
import io
import re

import pytest
from playwright.sync_api import Page, expect
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError

from accounts import services
from accounts.exports import AUDIT_COLUMNS
from accounts.jobs import job_execute
from accounts.models import Job, JobStatus
from accounts.roles import Role
from accounts.scoping import authority_scope
from tests.conftest import build_world
from tests.e2e.conftest import axe_check, browser_mark, sign_in, submit, visit

pytestmark = browser_mark


def test_audit_export_job_page(browser_page: Page):
    page = browser_page
    world = build_world()
    admin = world.user(world.a, Role.ADMIN)
    # Something worth exporting: one audited change in A, and one in B that must not appear.
    with authority_scope(world.a):
        services.invitation_create(authority=world.a, acting_user=admin, email="in.a@example.org", roles=["evaluator"])
    with authority_scope(world.b):
        b_admin = world.user(world.b, Role.ADMIN)
        services.invitation_create(
            authority=world.b, acting_user=b_admin, email="in.b@example.org", roles=["evaluator"]
        )

    sign_in(page, admin.email)
    visit(page, f"/a/{world.a.slug}/audit/")
    expect(page.locator("#audit-events tbody tr")).to_have_count(1)  # B's invitation is not in A's log
    expect(page.locator("#audit-events")).to_contain_text("invitation.created")

    submit(page, page.get_by_role("button", name="Export as CSV"))
    expect(page).to_have_url(re.compile(rf"/a/{world.a.slug}/jobs/\d+/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Audit log (CSV)")
    expect(page.get_by_role("heading", name="Your file is ready")).to_be_visible()
    download_link = page.get_by_role("link", name=re.compile(r"^Download audit-log-authority-a-\d{8}-\d{6}\.csv$"))
    expect(download_link).to_be_visible()

    with page.expect_download() as download_info:
        download_link.click()
    download = download_info.value
    assert re.fullmatch(r"audit-log-authority-a-\d{8}-\d{6}\.csv", download.suggested_filename)
    text = download.path().read_bytes().decode("utf-8-sig")
    assert text.splitlines()[0] == ",".join(AUDIT_COLUMNS)
    rows = list(csv.DictReader(io.StringIO(text)))
    # Newest first: the export's own start, then the invitation; nothing from authority B.
    assert [row["verb"] for row in rows] == ["job.started", "invitation.created"], rows
    assert {row["actor"] for row in rows} == {admin.email}, rows
    assert "in.b@example.org" not in text

    # The staff home lists the download too.
    visit(page, f"/a/{world.a.slug}/")
    expect(page.get_by_role("heading", name="Your downloads")).to_be_visible()
    expect(page.get_by_role("link", name=re.compile(r"\d+ \w+, \d\d:\d\d")).first).to_be_visible()


def test_htmx_polling_stops(browser_page: Page):
    page = browser_page
    world = build_world()
    admin = world.user(world.a, Role.ADMIN)
    with authority_scope(world.a):
        job = Job.objects.create(authority=world.a, kind="audit_export_csv", requested_by=admin)
    status_path = f"/a/{world.a.slug}/jobs/{job.pk}/status/"

    sign_in(page, admin.email)
    visit(page, f"/a/{world.a.slug}/jobs/{job.pk}/")
    expect(page.locator("#job-status")).to_contain_text("Waiting to start")
    expect(page.get_by_label(re.compile(r"^Progress: 0%"))).to_be_visible()
    # The page asks for its status while the job is not finished.
    with page.expect_response(lambda response: response.url.endswith(status_path)) as first_poll:
        pass
    assert first_poll.value.status == 200

    # The job finishes (as a worker would); the next poll shows the file and tells htmx to stop (286).
    with authority_scope(world.a):
        job_execute(job)
        assert Job.objects.get(pk=job.pk).status == JobStatus.SUCCEEDED
    # A poll already under way may still say "Waiting to start" or "Running"; wait for the one that says "finished".
    with page.expect_response(lambda response: response.url.endswith(status_path) and response.status == 286):
        pass
    expect(page.get_by_role("heading", name="Your file is ready")).to_be_visible()
    expect(page.get_by_role("link", name=re.compile(r"^Download audit-log-authority-a-"))).to_be_visible()
    expect(page.locator("#job-status")).not_to_have_attribute("hx-get", re.compile(".*"))
    axe_check(page)  # the page as htmx left it

    # No further polls: wait one and a half polling intervals for a request that must not come.
    with pytest.raises(PlaywrightTimeoutError):
        page.wait_for_event("request", predicate=lambda request: request.url.endswith(status_path), timeout=1_500)
