import logging

from celery import shared_task
from celery.contrib.django.task import DjangoTask
from django.db import InterfaceError, OperationalError

from .jobs import job_execute, job_fail
from .models import Authority, Job
from .scoping import authority_scope

logger = logging.getLogger(__name__)

# Only these are worth retrying: a database or broker blip. A bug would fail the same way again.
TRANSIENT_ERRORS = (OperationalError, InterfaceError, ConnectionError, TimeoutError)
JOB_FAILED_MESSAGE = "The file could not be made. Try again; if it fails again, contact your platform operator."


class AuthorityTask(DjangoTask):
    """Base for tasks that work on one authority's data: they receive `authority_id` and run inside its scope."""

    abstract = True
    acks_late = True
    reject_on_worker_lost = True
    soft_time_limit = 300
    time_limit = 360
    max_retries = 5

    def __call__(self, *args, **kwargs):
        authority = Authority.objects.get(pk=kwargs["authority_id"])
        with authority_scope(authority):
            return super().__call__(*args, **kwargs)


@shared_task(base=AuthorityTask, bind=True, name="accounts.job_run")
def job_run(self, *, authority_id: int, job_id: int):
    """Runs a job record. Idempotent: a job that already succeeded is not run again."""
    job = Job.objects.filter(pk=job_id).first()
    if job is None:
        logger.warning("Job %s no longer exists", job_id)
        return
    try:
        job_execute(job)
    except TRANSIENT_ERRORS as error:
        if self.request.retries >= self.max_retries:
            job_fail(job, JOB_FAILED_MESSAGE)
            raise
        raise self.retry(exc=error, countdown=min(300, 2**self.request.retries * 5)) from error
    except Exception:
        logger.exception("Job %s failed", job_id)
        job_fail(job, JOB_FAILED_MESSAGE)
