"""Charter documents: the charter PDF and the consultation report PDF, made by background jobs.

Two job kinds (see accounts/jobs.py), both behind the `charters.export` permission:
- `charter_pdf` (params `{"version_id": id}`): cover, vision, local context and priority places, themes, outcomes
  and measures with weights, units and proxies, the consultation summary, adoption. Made on request by staff, on
  adoption (the `version_adopted` signal), and on first public download of an adopted or superseded version.
- `consultation_report_pdf` (params `{"consultation_id": id}`): every published comment with its part of the
  charter, who spoke (a group's name or "A resident", never a person) and the answer; counts by section and by
  answer; how many were hidden (never their text). Its data comes from `consultation_report_data`, the
  consultation pages' selector, so the report and the public consultation page agree.

Handlers run inside the job's authority scope (the job runner re-enters it), so every query here is scoped.
"""

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db.models import Count, Q
from django.dispatch import receiver
from django.template.loader import render_to_string
from django.utils import timezone

from accounts.jobs import register_job_kind, register_job_starter
from accounts.models import Authority, Job, JobStatus, User
from accounts.scoping import authority_scope
from accounts.services import job_start
from foundation.errors import DomainError
from foundation.pdf import html_to_pdf

from .models import CharterVersion, Comment, CommentStatus, Consultation, VersionStatus
from .selectors import version_content
from .selectors.consultation import consultation_report_data
from .signals import version_adopted

logger = logging.getLogger(__name__)

CHARTER_PDF = "charter_pdf"
CONSULTATION_REPORT_PDF = "consultation_report_pdf"
# The Compact's standard consultation length, whatever an authority's own default.
COMPACT_WEEKS = 12
# A public download does not start a new job within this long of a failed one: a refresh loop must not keep a
# worker busy with a document that fails.
PUBLIC_RETRY_AFTER = timedelta(minutes=10)
# A job still waiting after this long was lost (a worker died before taking it): the public gets a fresh one.
PUBLIC_STALE_AFTER = timedelta(minutes=15)


# The consultation summary in the charter PDF (the report's data: selectors.consultation.consultation_report_data)


@dataclass
class ConsultationSummary:
    consultation: Consultation
    published: int
    answered: int
    hidden: int
    held: int

    @property
    def meets_compact(self) -> bool:
        return self.consultation.length_days >= COMPACT_WEEKS * 7


def consultation_summary(consultation: Consultation) -> ConsultationSummary:
    """Counts for a consultation in one query: published, answered, hidden and held comments."""
    counts = Comment.objects.filter(consultation=consultation).aggregate(
        published=Count("id", filter=Q(status=CommentStatus.PUBLISHED)),
        answered=Count("id", filter=Q(status=CommentStatus.PUBLISHED, response__isnull=False)),
        hidden=Count("id", filter=Q(status=CommentStatus.HIDDEN)),
        held=Count("id", filter=Q(status=CommentStatus.HELD)),
    )
    return ConsultationSummary(consultation=consultation, **counts)


# The charter PDF --------------------------------------------------------------------------------------------


def successor(version: CharterVersion) -> CharterVersion | None:
    """For a superseded version, the version adopted after it (the one that superseded it)."""
    if version.status != VersionStatus.SUPERSEDED:
        return None
    return (
        CharterVersion.objects.filter(
            charter_id=version.charter_id, number__gt=version.number, adopted_at__isnull=False
        )
        .order_by("number")
        .first()
    )


def charter_pdf_context(version: CharterVersion) -> dict:
    consultation = Consultation.objects.filter(version=version).first()
    return {
        "authority": version.authority,
        "charter": version.charter,
        "version": version,
        "content": version_content(version),
        "summary": consultation_summary(consultation) if consultation else None,
        "successor": successor(version),
        "compact_weeks": COMPACT_WEEKS,
        "generated_at": timezone.now(),
    }


def charter_pdf_bytes(version: CharterVersion) -> bytes:
    return html_to_pdf(render_to_string("charters/pdf/charter.html", charter_pdf_context(version)))


def consultation_report_bytes(consultation: Consultation) -> bytes:
    report = consultation_report_data(consultation)
    context = {
        "authority": consultation.authority,
        "report": report,
        "version": report.version,
        "meets_compact": consultation.length_days >= COMPACT_WEEKS * 7,
        "compact_weeks": COMPACT_WEEKS,
        "generated_at": timezone.now(),
    }
    return html_to_pdf(render_to_string("charters/pdf/consultation_report.html", context))


def _version_for(job: Job) -> CharterVersion:
    return CharterVersion.objects.select_related("charter", "authority").get(
        pk=job.params["version_id"], authority=job.authority
    )


@register_job_kind(CHARTER_PDF, label="Charter (PDF)", permission="charters.export")
def charter_pdf(job: Job, report_progress) -> tuple[str, bytes]:
    version = _version_for(job)
    report_progress(1, 3)
    content = charter_pdf_bytes(version)
    report_progress(2, 3)
    return f"charter-{job.authority.slug}-{version.charter_id}-v{version.number}.pdf", content


@register_job_kind(CONSULTATION_REPORT_PDF, label="Consultation report (PDF)", permission="charters.export")
def consultation_report_pdf(job: Job, report_progress) -> tuple[str, bytes]:
    consultation = Consultation.objects.select_related("version", "version__charter", "authority").get(
        pk=job.params["consultation_id"], authority=job.authority
    )
    report_progress(1, 3)
    content = consultation_report_bytes(consultation)
    report_progress(2, 3)
    version = consultation.version
    return f"consultation-report-{job.authority.slug}-{version.charter_id}-v{version.number}.pdf", content


# Starting the jobs ------------------------------------------------------------------------------------------


def charter_pdf_request(*, version: CharterVersion, acting_user: User | None) -> Job:
    """Starts a charter PDF job for any version (staff may print a draft). `acting_user` None means the system
    (a public download of an adopted version that had no PDF yet)."""
    return job_start(
        authority=version.authority, acting_user=acting_user, kind=CHARTER_PDF, params={"version_id": version.pk}
    )


def consultation_report_request(*, consultation: Consultation, acting_user: User) -> Job:
    return job_start(
        authority=consultation.authority,
        acting_user=acting_user,
        kind=CONSULTATION_REPORT_PDF,
        params={"consultation_id": consultation.pk},
    )


def _param_id(params: dict, name: str) -> int | None:
    value = params.get(name)
    return value if isinstance(value, int) else int(value) if str(value or "").isdigit() else None


@register_job_starter(CHARTER_PDF)
def charter_pdf_start(*, authority: Authority, acting_user: User, kind: str, params: dict) -> Job:
    """By name (the API): any version of the authority's charters, drafts too, as on the staff page."""
    version = CharterVersion.objects.filter(authority=authority, pk=_param_id(params, "version_id")).first()
    if version is None:
        raise DomainError("Choose one of the authority's charter versions", field="version_id")
    return charter_pdf_request(version=version, acting_user=acting_user)


@register_job_starter(CONSULTATION_REPORT_PDF)
def consultation_report_start(*, authority: Authority, acting_user: User, kind: str, params: dict) -> Job:
    consultation = Consultation.objects.filter(authority=authority, pk=_param_id(params, "consultation_id")).first()
    if consultation is None:
        raise DomainError("Choose one of the authority's consultations", field="consultation_id")
    return consultation_report_request(consultation=consultation, acting_user=acting_user)


@receiver(version_adopted, dispatch_uid="charters.documents.pdf_on_adoption")
def pdf_on_adoption(sender, *, version: CharterVersion, acting_user: User | None = None, **kwargs) -> Job | None:
    """Makes the charter PDF as soon as a version is adopted, so the public download is ready at once.

    Runs after the adoption has committed, perhaps outside any request's scope (a command, a task), so it enters
    the authority's scope itself. The adoption stands whatever happens here: a PDF that cannot be started is
    logged, and the public download starts one later."""
    try:
        with authority_scope(version.authority):
            return charter_pdf_request(version=version, acting_user=acting_user)
    except Exception:
        logger.exception("Could not start the charter PDF for version %s", version.pk)
        return None


# The public PDF ---------------------------------------------------------------------------------------------


def public_since(version: CharterVersion) -> datetime | None:
    """When the version last changed status: a PDF made before then prints an out-of-date status (a draft's
    "Draft", or "Adopted" on a version since superseded), so the public is never given one."""
    if version.status == VersionStatus.ADOPTED:
        return version.adopted_at
    later = successor(version)
    return later.adopted_at if later else version.adopted_at


def charter_pdf_jobs(version: CharterVersion):
    return Job.objects.filter(authority=version.authority, kind=CHARTER_PDF, params__version_id=version.pk)


def consultation_report_jobs(consultation: Consultation):
    return Job.objects.filter(
        authority=consultation.authority, kind=CONSULTATION_REPORT_PDF, params__consultation_id=consultation.pk
    )


def public_charter_pdf(version: CharterVersion) -> Job:
    """The job whose file the public gets for an adopted or superseded version: the latest PDF made since its
    status last changed; else one under way; else a new one started by the system. Without a broker the new job
    runs in-process before this returns, so the caller may find it finished already."""
    if version.status not in (VersionStatus.ADOPTED, VersionStatus.SUPERSEDED):
        raise ValueError("Only adopted and superseded versions have a public PDF")
    since = public_since(version)
    jobs = charter_pdf_jobs(version)
    if since is not None:
        jobs = jobs.filter(created_at__gte=since)
    ready = jobs.filter(status=JobStatus.SUCCEEDED).order_by("-finished_at", "-pk").first()
    if ready is not None:
        return ready
    now = timezone.now()
    under_way = (
        jobs.filter(status__in=[JobStatus.PENDING, JobStatus.RUNNING], created_at__gte=now - PUBLIC_STALE_AFTER)
        .order_by("-pk")
        .first()
    )
    if under_way is not None:
        return under_way
    failed = jobs.filter(status=JobStatus.FAILED, finished_at__gte=now - PUBLIC_RETRY_AFTER).first()
    if failed is not None:
        return failed
    job = charter_pdf_request(version=version, acting_user=None)
    job.refresh_from_db()
    return job
