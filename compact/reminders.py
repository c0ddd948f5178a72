"""Daily reminders about delivery reports not yet submitted (run by Celery beat: compact.send_report_reminders).

- due within 7 days (due date today included) → "due soon" to the supplier's approved members and the responsible
  officer;
- overdue by 1 to 29 days → "overdue" to the same people;
- overdue by 30 days or more → "escalation" to the same people and the authority's admins.

Idempotent: the Reminder row (unique per report, kind and day) is created first, in the same transaction that
schedules the emails on commit; a second run on the same day finds the row and sends nothing."""

from datetime import date, timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone

from accounts.emails import send_templated_email
from accounts.models import Authority, Membership, OrganisationMembership, OrganisationMemberStatus
from accounts.roles import Role
from accounts.scoping import authority_scope

from .models import ContractStatus, DeliveryReport, Reminder, ReminderKind, ReportStatus

DUE_SOON_DAYS = 7
ESCALATE_AFTER_DAYS = 30


def reminder_kind(due_on: date, today: date) -> str | None:
    """Which reminder a report still due on `due_on` gets on `today`, if any."""
    overdue = (today - due_on).days
    if overdue >= ESCALATE_AFTER_DAYS:
        return ReminderKind.ESCALATION
    if overdue > 0:
        return ReminderKind.OVERDUE
    if -overdue <= DUE_SOON_DAYS:
        return ReminderKind.DUE_SOON
    return None


def _supplier_emails(organisation_ids: set[int]) -> dict[int, list[str]]:
    emails: dict[int, list[str]] = {}
    rows = OrganisationMembership.objects.filter(
        organisation_id__in=organisation_ids, status=OrganisationMemberStatus.APPROVED, user__is_active=True
    ).values_list("organisation_id", "user__email")
    for organisation_id, email in rows:
        emails.setdefault(organisation_id, []).append(email)
    return emails


def _send(reminder: Reminder, report: DeliveryReport, authority: Authority, today: date) -> None:
    contract = report.contract
    context = {
        "authority_name": authority.name,
        "kind": reminder.kind,
        "contract": contract,
        "report": report,
        "supplier": contract.supplier.name,
        "officer": contract.responsible_officer,
        "days_overdue": (today - report.due_on).days,
        "days_left": (report.due_on - today).days,
        "report_url": settings.SITE_URL
        + reverse("compact:report-submit", args=[authority.slug, contract.pk, report.number]),
        "contract_url": settings.SITE_URL + reverse("compact:contract-detail", args=[authority.slug, contract.pk]),
    }
    # One email per person: supplier staff and the authority's staff do not see each other's addresses.
    for email in reminder.recipients:
        send_templated_email(to=[email], template="report_reminder", context=context)


def authority_report_reminders(authority: Authority, today: date) -> int:
    """The reminders due today for one authority's reports; returns how many were recorded (and sent)."""
    sent = 0
    with authority_scope(authority):
        reports = list(
            DeliveryReport.objects.filter(
                authority=authority, status=ReportStatus.DUE, due_on__lte=today + timedelta(days=DUE_SOON_DAYS)
            )
            # Reports for periods after a contract ended early are not owed.
            .filter(~Q(contract__status=ContractStatus.ENDED_EARLY) | Q(contract__ended_on__gte=F("period_end")))
            .select_related("contract__supplier", "contract__responsible_officer")
            .order_by("due_on", "pk")
        )
        if not reports:
            return 0
        suppliers = _supplier_emails({report.contract.supplier_id for report in reports})
        admins = sorted(
            Membership.objects.filter(authority=authority, role=Role.ADMIN, user__is_active=True).values_list(
                "user__email", flat=True
            )
        )
        for report in reports:
            kind = reminder_kind(report.due_on, today)
            if kind is None:
                continue
            recipients = [*suppliers.get(report.contract.supplier_id, []), report.contract.responsible_officer.email]
            if kind == ReminderKind.ESCALATION:
                recipients += admins
            recipients = sorted(set(recipients))
            try:
                with transaction.atomic():
                    reminder, created = Reminder.objects.get_or_create(
                        report=report,
                        kind=kind,
                        sent_on=today,
                        defaults={"authority": authority, "recipients": recipients},
                    )
                    if created:
                        transaction.on_commit(
                            lambda reminder=reminder, report=report: _send(reminder, report, authority, today)
                        )
            except IntegrityError:
                # Another run recorded it between our read and our insert: that run sends it.
                continue
            sent += created
    return sent


def send_report_reminders(today: date | None = None) -> int:
    """Every authority's reminders for `today` (the local date by default); returns how many were recorded."""
    today = today or timezone.localdate()
    return sum(authority_report_reminders(authority, today) for authority in Authority.objects.order_by("pk"))
