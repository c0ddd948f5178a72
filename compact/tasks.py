from celery import shared_task

from .reminders import send_report_reminders as _send_report_reminders


@shared_task(name="compact.send_report_reminders", acks_late=True, soft_time_limit=300, time_limit=360)
def send_report_reminders() -> int:
    """Today's reminders about delivery reports due soon or overdue (safe to run twice a day: nothing is sent
    twice)."""
    return _send_report_reminders()
