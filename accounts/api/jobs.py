"""Background jobs over the API: start a job of a registered kind, follow its status and progress, download its file.

The same rules as the job pages: starting needs the permission the kind names (accounts/jobs.py), and the kind's own
module checks the parameters and starts the job through the function its page calls (`register_job_starter`); a job
is visible to members whose roles may run its kind, and another authority's job is not found; every download is
audited (`job.downloaded`) with the file's SHA-256.
"""

from django.http import FileResponse
from django.urls import reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse
from rest_framework import exceptions, serializers

from foundation.errors import DomainError

from .. import selectors
from ..jobs import JOB_KINDS, JOB_STARTERS, job_download_record
from ..models import JobStatus
from .generic import CreateMixin, Doc, Endpoint, ObjectEndpoint, RetrieveMixin
from .views import AuthorityApiView

TAG_JOBS = ["jobs"]


def startable_kinds() -> list[str]:
    return sorted(name for name in JOB_STARTERS if name in JOB_KINDS)


class JobStartSerializer(serializers.Serializer):
    kind = serializers.CharField(
        help_text="The kind of job: audit_export_csv and audit_export_xlsx (filters verb, object_type, actor, "
        "date_from, date_to; `audit.export`), charter_pdf (version_id) and consultation_report_pdf "
        "(consultation_id; `charters.export`), contract_compliance_pdf (contract_id) and annual_social_value_pdf "
        "(year, the financial year's first year; `contracts.export`)."
    )
    params = serializers.DictField(
        required=False, default=dict, help_text="The kind's parameters, as the kind's page asks for them."
    )

    def validate_kind(self, value):
        if value not in startable_kinds():
            raise serializers.ValidationError(f"Choose one of: {', '.join(startable_kinds())}.")
        return value


class JobSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    kind = serializers.CharField()
    label = serializers.SerializerMethodField(help_text="What the job makes, in words.")
    status = serializers.ChoiceField(choices=JobStatus.choices)
    progress = serializers.IntegerField(help_text="Percent done, 0 to 100.")
    is_finished = serializers.BooleanField(help_text="True once it succeeded or failed: stop polling.")
    error = serializers.CharField(help_text="Why it failed, when it did.")
    params = serializers.DictField()
    created_at = serializers.DateTimeField()
    started_at = serializers.DateTimeField(allow_null=True)
    finished_at = serializers.DateTimeField(allow_null=True)
    filename = serializers.CharField(help_text="The file's name, once it is ready.")
    sha256 = serializers.CharField(help_text="The file's SHA-256, to check a downloaded copy against.")
    download_url = serializers.SerializerMethodField(help_text="Where to download the file; null until it is ready.")

    def get_label(self, job) -> str:
        kind = JOB_KINDS.get(job.kind)
        return kind.label if kind else job.kind

    def get_download_url(self, job) -> str | None:
        if job.status != JobStatus.SUCCEEDED or not job.file:
            return None
        path = reverse("api:job-download", args=[job.authority.slug, job.pk])
        return self.context["request"].build_absolute_uri(path)


class JobStart(CreateMixin, Endpoint):
    # Members only (404 for others, as on the pages); the kind's own permission is checked once it is known.
    method_permissions = {"POST": "authority.view"}
    tags = TAG_JOBS
    create_serializer, output_serializer = JobStartSerializer, JobSerializer
    docs = {
        "post": Doc(
            "jobs_create",
            "Start a job",
            "Starts a background job of a kind your roles may run (the permission the kind names, as on its page). "
            "Its parameters are checked by the kind's own code: a wrong one answers 400 naming it. Follow the job at "
            "its address until `is_finished`.",
            errors=(400, 401, 403, 404),
        )
    }

    def create(self, authority, data: dict):
        kind = data["kind"]
        self.require(JOB_KINDS[kind].permission)
        job = JOB_STARTERS[kind](authority=authority, acting_user=self.request.user, kind=kind, params=data["params"])
        return selectors.job_get_visible(authority, job.pk, roles=self.roles)

    # A starter's errors name the parameter: report them under params.<name>.
    def handle_exception(self, exc):
        if isinstance(exc, DomainError) and exc.field and exc.field != "kind":
            exc = exceptions.ValidationError({"params": {exc.field: [exc.message]}})
        return super().handle_exception(exc)


class JobView(AuthorityApiView):
    def _job(self):
        if not self.request.user.is_authenticated:
            raise exceptions.NotAuthenticated()
        job = selectors.job_get_visible(self.authority, self.kwargs["job_id"], roles=self.roles)
        if job is None:
            raise exceptions.NotFound("No such job.")
        return job


class JobDetail(RetrieveMixin, ObjectEndpoint, JobView):
    tags = TAG_JOBS
    output_serializer = JobSerializer
    docs = {
        "get": Doc(
            "jobs_retrieve",
            "Read a job's status",
            "Its status and progress, and once it has succeeded the file's name, SHA-256 and download address. "
            "Visible to the authority's members whose roles may run its kind.",
            errors=(401, 404),
        )
    }

    def get_object(self):
        return self._job()


class JobDownload(Endpoint, JobView):
    tags = TAG_JOBS
    docs = {
        "get": Doc(
            "jobs_download",
            "Download a job's file",
            "The file the job made, as an attachment; 404 until it is ready. Every download is recorded in the audit "
            "log with the file's SHA-256.",
            errors=(401, 404),
            # Every job kind makes a PDF, a CSV or an XLSX workbook; the type follows the file's name.
            responses={
                (200, media_type): OpenApiResponse(OpenApiTypes.BINARY, description="The file.")
                for media_type in (
                    "application/pdf",
                    "text/csv",
                    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                )
            },
        )
    }

    def get(self, request, authority_slug, job_id):
        job = self._job()
        if job.status != JobStatus.SUCCEEDED or not job.file:
            raise exceptions.NotFound("The file is not ready.")
        job_download_record(job=job, acting_user=request.user)
        return FileResponse(job.file.open("rb"), as_attachment=True, filename=job.filename)
