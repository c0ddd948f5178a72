"""The audit trail is append-only; the audit log page filters and paginates; the export job produces CSV and XLSX
whose rows match the events."""

import csv
import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from accounts.audit import audit_record
from accounts.models import AuditEvent, Job, JobStatus
from accounts.roles import Role
from accounts.scoping import authority_scope

pytestmark = pytest.mark.django_db


def _make_events(world, count, authority=None):
    authority = authority or world.a
    admin = world.user(authority, Role.ADMIN)
    for number in range(count):
        audit_record(
            authority=authority,
            actor=admin,
            verb="test.thing_done" if number % 2 else "test.other",
            object_type="thing",
            object_id=number,
            object_repr=f"Thing {number}",
            changes={"n": {"before": number, "after": number + 1}},
        )


def test_events_cannot_be_changed_or_deleted(world):
    _make_events(world, 1)
    with authority_scope(world.a):
        event = AuditEvent.objects.first()
        event.verb = "tampered"
        with pytest.raises(PermissionError):
            event.save()
        with pytest.raises(PermissionError):
            event.delete()
        with pytest.raises(PermissionError):
            AuditEvent.objects.filter(pk=event.pk).update(verb="tampered")
        with pytest.raises(PermissionError):
            AuditEvent.objects.filter(pk=event.pk).delete()
        assert AuditEvent.objects.get(pk=event.pk).verb == "test.other"


def test_audit_log_filters_and_paginates(client, world):
    _make_events(world, 120)
    _make_events(world, 3, authority=world.b)
    client.force_login(world.user(world.a, Role.ADMIN))
    url = reverse("accounts:audit-log", args=[world.a.slug])
    page = client.get(url)
    assert page.status_code == 200
    assert page.context["page_obj"].paginator.count == 120
    assert len(page.context["events"]) == 50
    filtered = client.get(url, {"verb": "test.thing_done", "page": 2})
    assert filtered.context["page_obj"].paginator.count == 60
    assert all(event.verb == "test.thing_done" for event in filtered.context["events"])
    assert "verb=test.thing_done" in filtered.context["query_string"]
    bad = client.get(url, {"date_from": "2026-02-01", "date_to": "2026-01-01"})
    assert bad.status_code == 422
    assert "The to date must be the same as or after the from date" in bad.content.decode()


def test_audit_log_empty_state(client, db):
    from tests.factories import AuthorityFactory, MembershipFactory

    authority = AuthorityFactory()
    admin = MembershipFactory(authority=authority, role=Role.ADMIN).user
    client.force_login(admin)
    body = client.get(reverse("accounts:audit-log", args=[authority.slug])).content.decode()
    assert "Nothing has been recorded yet" in body


def _rows_from_events(authority, verb=None):
    with authority_scope(authority):
        events = AuditEvent.objects.filter(authority=authority).exclude(verb="job.started")
        if verb:
            events = events.filter(verb=verb)
        return {(e.verb, e.object_id, e.object_repr, e.actor_label) for e in events}


def _start_export(client, world, export_format, **filters):
    client.force_login(world.user(world.a, Role.ADMIN))
    response = client.post(reverse("accounts:audit-export", args=[world.a.slug]), {"format": export_format, **filters})
    assert response.status_code == 303
    with authority_scope(world.a):
        job = Job.objects.latest("created_at")
    assert response["Location"] == reverse("accounts:job-detail", args=[world.a.slug, job.pk])
    return job


def test_export_csv_rows_match_events(client, world, django_capture_on_commit_callbacks):
    _make_events(world, 30)
    _make_events(world, 5, authority=world.b)
    with django_capture_on_commit_callbacks(execute=True):
        job = _start_export(client, world, "csv")
    with authority_scope(world.a):
        job.refresh_from_db()
    assert (job.status, job.progress) == (JobStatus.SUCCEEDED, 100)
    expected = _rows_from_events(world.a)  # before the download, which is audited too
    download = client.get(reverse("accounts:job-download", args=[world.a.slug, job.pk]))
    assert download.status_code == 200
    assert download["Content-Disposition"].startswith("attachment")
    text = b"".join(download.streaming_content).decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(text)))
    got = {(r["verb"], r["object_id"], r["object"], r["actor"]) for r in rows if r["verb"] != "job.started"}
    assert got == expected
    assert len(rows) == 31  # 30 events and the export's own job.started event


def test_export_xlsx_respects_filters(client, world, django_capture_on_commit_callbacks):
    _make_events(world, 30)
    with django_capture_on_commit_callbacks(execute=True):
        job = _start_export(client, world, "xlsx", verb="test.thing_done")
    download = client.get(reverse("accounts:job-download", args=[world.a.slug, job.pk]))
    workbook = load_workbook(io.BytesIO(b"".join(download.streaming_content)), read_only=True)
    rows = list(workbook["Audit log"].iter_rows(values_only=True))
    header, data = rows[0], rows[1:]
    assert header[:3] == ("time", "actor", "verb")
    got = {(row[2], row[4], row[5], row[1]) for row in data}
    assert got == _rows_from_events(world.a, verb="test.thing_done")
    assert len(data) == 15


def test_export_neutralises_spreadsheet_formulas(client, world, django_capture_on_commit_callbacks):
    audit_record(
        authority=world.a,
        actor=world.user(world.a, Role.ADMIN),
        verb="test.x",
        object_repr='=HYPERLINK("http://evil")',
    )
    with django_capture_on_commit_callbacks(execute=True):
        job = _start_export(client, world, "csv")
    text = b"".join(client.get(reverse("accounts:job-download", args=[world.a.slug, job.pk])).streaming_content).decode(
        "utf-8-sig"
    )
    assert "'=HYPERLINK" in text


def test_job_status_partial_stops_polling_when_done(client, world, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        job = _start_export(client, world, "csv")
    status_url = reverse("accounts:job-status", args=[world.a.slug, job.pk])
    response = client.get(status_url, headers={"HX-Request": "true"})
    assert response.status_code == 286
    assert "Your file is ready" in response.content.decode()
    assert "<html" not in response.content.decode()


def test_job_page_without_javascript_offers_a_refresh_link(client, world):
    # Queue the job but do not run it (no on_commit execution): it stays pending.
    job = _start_export(client, world, "csv")
    page = client.get(reverse("accounts:job-detail", args=[world.a.slug, job.pk]))
    body = page.content.decode()
    assert "Refresh the page" in body
    assert 'hx-trigger="every 1s"' in body
    status = client.get(reverse("accounts:job-status", args=[world.a.slug, job.pk]))
    assert status.status_code == 200
    not_ready = client.get(reverse("accounts:job-download", args=[world.a.slug, job.pk]))
    assert not_ready.status_code == 404


def test_failed_job_shows_the_error_and_can_be_rerun_safely(world, monkeypatch):
    from accounts import jobs
    from accounts.services import job_start
    from accounts.tasks import job_run

    def broken(job, report_progress):
        raise RuntimeError("boom")

    monkeypatch.setitem(jobs.JOB_KINDS, "broken", jobs.JobKind("broken", "Broken", "audit.export", broken))
    with authority_scope(world.a):
        job = job_start(authority=world.a, acting_user=world.user(world.a, Role.ADMIN), kind="broken")
    job_run.apply(kwargs={"authority_id": world.a.pk, "job_id": job.pk})
    with authority_scope(world.a):
        job.refresh_from_db()
    assert job.status == JobStatus.FAILED
    assert "could not be made" in job.error


def test_running_a_finished_job_again_changes_nothing(world, django_capture_on_commit_callbacks):
    from accounts.services import job_start
    from accounts.tasks import job_run

    with authority_scope(world.a), django_capture_on_commit_callbacks(execute=True):
        job = job_start(authority=world.a, acting_user=world.user(world.a, Role.ADMIN), kind="audit_export_csv")
    with authority_scope(world.a):
        job.refresh_from_db()
    first_file = job.file.name
    job_run.apply(kwargs={"authority_id": world.a.pk, "job_id": job.pk})
    with authority_scope(world.a):
        job.refresh_from_db()
    assert (job.file.name, job.attempts) == (first_file, 1)
