"""Background jobs over the API: start a job of a kind the caller's roles may run (its parameters checked by the
kind's own code), follow its status, download its file (audited); jobs the caller may not see answer 404."""

import csv
import io

import pytest

from accounts.audit import audit_record
from accounts.models import AuditEvent, Job, JobStatus
from accounts.roles import Role, has_permission
from accounts.scoping import authority_scope
from tests.charters.factories import build_charter

from .conftest import as_user, assert_error


def jobs_url(authority) -> str:
    return f"/api/v1/authorities/{authority.slug}/jobs/"


def _job_count(authority) -> int:
    with authority_scope(authority):
        return Job.objects.count()


def test_job_lifecycle_start_status_download(world, api, django_capture_on_commit_callbacks):
    admin = world.user(world.a, Role.ADMIN)
    audit_record(authority=world.a, actor=admin, verb="test.thing_done", object_repr="Something")
    as_user(api, admin)
    with django_capture_on_commit_callbacks(execute=True):
        started = api.post(
            jobs_url(world.a), {"kind": "audit_export_csv", "params": {"verb": "test.thing_done"}}, format="json"
        )
    assert started.status_code == 201, started.content
    job = started.json()
    assert (job["kind"], job["label"], job["params"]) == (
        "audit_export_csv",
        "Audit log (CSV)",
        {"verb": "test.thing_done"},
    )
    status = api.get(f"{jobs_url(world.a)}{job['id']}/").json()
    assert (status["status"], status["progress"], status["is_finished"]) == (JobStatus.SUCCEEDED, 100, True)
    assert status["download_url"].endswith(f"/jobs/{job['id']}/download/") and len(status["sha256"]) == 64

    download = api.get(status["download_url"])
    assert download.status_code == 200
    assert download["Content-Disposition"].startswith("attachment")
    rows = list(csv.DictReader(io.StringIO(b"".join(download.streaming_content).decode("utf-8-sig"))))
    assert [(row["verb"], row["object"]) for row in rows] == [("test.thing_done", "Something")]
    with authority_scope(world.a):
        event = AuditEvent.objects.get(verb="job.downloaded")
    assert event.actor == admin and event.changes["sha256"] == status["sha256"]


def test_a_job_not_yet_run_has_no_file(world, api):
    as_user(api, world.user(world.a, Role.ADMIN))
    # Started but not run (the on-commit task never fires inside the test's transaction): it waits.
    job = api.post(jobs_url(world.a), {"kind": "audit_export_xlsx"}, format="json").json()
    status = api.get(f"{jobs_url(world.a)}{job['id']}/").json()
    assert (status["status"], status["is_finished"], status["download_url"]) == ("pending", False, None)
    assert_error(api.get(f"{jobs_url(world.a)}{job['id']}/download/"), 404)
    with authority_scope(world.a):
        assert not AuditEvent.objects.filter(verb="job.downloaded").exists()


def test_jobs_others_may_not_see_answer_404(world, api, django_capture_on_commit_callbacks):
    as_user(api, world.user(world.a, Role.ADMIN))
    with django_capture_on_commit_callbacks(execute=True):
        job_id = api.post(jobs_url(world.a), {"kind": "audit_export_csv"}, format="json").json()["id"]
    detail, download = f"{jobs_url(world.a)}{job_id}/", f"{jobs_url(world.a)}{job_id}/download/"
    as_user(api, None)
    assert_error(api.get(detail), 401)
    assert_error(api.get(download), 401)
    # A colleague whose roles may not run the kind, another authority's admin, people with no role here.
    for other in (world.user(world.a, Role.EVALUATOR), world.user(world.b, Role.ADMIN), world.resident):
        as_user(api, other)
        assert_error(api.get(detail), 404)
        assert_error(api.get(download), 404)
    as_user(api, world.user(world.b, Role.ADMIN))
    assert_error(api.get(f"{jobs_url(world.b)}{job_id}/"), 404)
    assert_error(api.get(f"{jobs_url(world.b)}{job_id}/download/"), 404)
    with authority_scope(world.a):
        assert not AuditEvent.objects.filter(verb="job.downloaded").exists()


def test_bad_kinds_and_parameters_are_refused_and_nothing_starts(world, api):
    as_user(api, world.user(world.a, Role.ADMIN))
    _, b_version = build_charter(world, world.b, title="B charter")
    url = jobs_url(world.a)
    cases = [
        ({"kind": "no_such_kind"}, "kind"),
        ({"kind": "evaluation_pack_pdf", "params": {"evaluation_id": 1}}, "kind"),  # started from its page only
        ({}, "kind"),
        ({"kind": "audit_export_csv", "params": {"date_from": "yesterday"}}, "params.date_from"),
        ({"kind": "audit_export_csv", "params": {"verb": "no.such_verb"}}, "params.verb"),
        ({"kind": "audit_export_csv", "params": {"password": "x"}}, "params.password"),
        ({"kind": "audit_export_csv", "params": "all"}, "params"),
        ({"kind": "charter_pdf", "params": {"version_id": b_version.pk}}, "params.version_id"),
        ({"kind": "consultation_report_pdf", "params": {"consultation_id": "x"}}, "params.consultation_id"),
        ({"kind": "contract_compliance_pdf", "params": {}}, "params.contract_id"),
        ({"kind": "annual_social_value_pdf", "params": {"year": 1990}}, "params.year"),
    ]
    for body, field in cases:
        assert_error(api.post(url, body, format="json"), 400, field=field)
    assert _job_count(world.a) == 0


def test_kinds_start_through_their_own_code(world, api):
    _, version = build_charter(world, world.a, title="A charter")
    as_user(api, world.user(world.a, Role.PROCUREMENT_OFFICER))
    started = api.post(jobs_url(world.a), {"kind": "charter_pdf", "params": {"version_id": version.pk}}, format="json")
    assert started.status_code == 201, started.content
    assert started.json()["params"] == {"version_id": version.pk}
    annual = api.post(jobs_url(world.a), {"kind": "annual_social_value_pdf", "params": {"year": "2024"}}, format="json")
    assert annual.status_code == 201, annual.content
    assert annual.json()["params"] == {"year": 2024}
    with authority_scope(world.a):
        assert set(AuditEvent.objects.filter(verb="job.started").values_list("changes__kind", flat=True)) == {
            "charter_pdf",
            "annual_social_value_pdf",
        }


@pytest.mark.parametrize("role", list(Role))
def test_start_role_truth_table(world, api, role):
    as_user(api, world.user(world.a, role))
    for kind, permission in (("audit_export_csv", "audit.export"), ("contract_compliance_pdf", "contracts.export")):
        # Parameters the kind refuses: 400 past the role check, 403 before it.
        response = api.post(
            jobs_url(world.a), {"kind": kind, "params": {"date_from": "x", "contract_id": "x"}}, format="json"
        )
        assert response.status_code == (400 if has_permission({role}, permission) else 403), (kind, response.content)
    assert _job_count(world.a) == 0


def test_outsiders_cannot_start_jobs(world, api):
    body = {"kind": "audit_export_csv"}
    assert_error(api.post(jobs_url(world.a), body, format="json"), 401)
    for outsider in (world.resident, world.user(world.b, Role.ADMIN)):
        as_user(api, outsider)
        assert_error(api.post(jobs_url(world.a), body, format="json"), 404)
    assert _job_count(world.a) == 0
