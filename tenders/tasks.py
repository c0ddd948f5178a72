from celery import shared_task

from .services import tenders_close_due


@shared_task(name="tenders.close_due", acks_late=True, soft_time_limit=120, time_limit=180)
def close_due_tenders() -> int:
    """Records as closed every published tender whose submission deadline has passed (safe to run twice)."""
    return tenders_close_due()
