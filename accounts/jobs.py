"""Background jobs: a registry of job kinds, and the runner that every job task goes through.

A job kind names the permission needed to start it and download its file, and a handler that does the work:
`handler(job, report_progress) -> (filename, bytes)`. Handlers run inside the job's authority scope.
"""

import hashlib
from collections.abc import Callable
from dataclasses import dataclass

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from .audit import audit_record
from .models import Job, JobStatus, User


@dataclass(frozen=True)
class JobKind:
    name: str
    label: str
    permission: str
    handler: Callable


JOB_KINDS: dict[str, JobKind] = {}


def register_job_kind(name: str, *, label: str, permission: str):
    def decorator(handler):
        JOB_KINDS[name] = JobKind(name=name, label=label, permission=permission, handler=handler)
        return handler

    return decorator


def job_kind(name: str) -> JobKind:
    return JOB_KINDS[name]


# Kinds a caller may start by name (the API): the kind's own module checks the parameters and starts the job through
# the function its page calls, `starter(*, authority, acting_user, kind, params) -> Job`, raising DomainError with the
# parameter's name as the field. Kinds without one (evaluation packs, assessment summaries) start only from their page.
JOB_STARTERS: dict[str, Callable] = {}


def register_job_starter(name: str):
    def decorator(starter):
        JOB_STARTERS[name] = starter
        return starter

    return decorator


class ProgressReporter:
    """Writes progress to the job row at most once per whole percent, so a long loop costs few queries."""

    def __init__(self, job: Job):
        self.job = job
        self.last = job.progress

    def __call__(self, done: int, total: int):
        percent = min(99, int(done * 100 / total)) if total else 99
        if percent > self.last:
            self.last = percent
            Job.objects.filter(pk=self.job.pk).update(progress=percent)


def job_execute(job: Job) -> Job:
    """Runs a job once. Safe to call again: a finished job is left as it is."""
    if job.status == JobStatus.SUCCEEDED:
        return job
    Job.objects.filter(pk=job.pk).update(
        status=JobStatus.RUNNING, started_at=timezone.now(), attempts=job.attempts + 1, error=""
    )
    job.refresh_from_db()
    kind = job_kind(job.kind)
    filename, content = kind.handler(job, ProgressReporter(job))
    with transaction.atomic():
        job.file.save(filename, ContentFile(content), save=False)
        job.filename = filename
        job.sha256 = hashlib.sha256(content).hexdigest()
        job.status = JobStatus.SUCCEEDED
        job.progress = 100
        job.finished_at = timezone.now()
        job.save(update_fields=["file", "filename", "sha256", "status", "progress", "finished_at"])
    return job


def job_fail(job: Job, message: str) -> None:
    Job.objects.filter(pk=job.pk).update(status=JobStatus.FAILED, error=message, finished_at=timezone.now())


def job_download_record(*, job: Job, acting_user: User) -> None:
    """Records who downloaded a job's file, and which file (its SHA-256): exports carry tenant data out."""
    audit_record(
        authority=job.authority,
        actor=acting_user,
        verb="job.downloaded",
        obj=job,
        changes={"kind": job.kind, "filename": job.filename, "sha256": job.sha256},
    )
