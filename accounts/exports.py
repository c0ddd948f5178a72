"""The audit log export: the first job kind, proving the job pipeline end to end (CSV and XLSX)."""

import csv
import io
import json

from django.utils import timezone

from foundation.errors import DomainError

from .jobs import register_job_kind, register_job_starter
from .models import Authority, Job, User
from .selectors import audit_events, audit_filter_choices

AUDIT_COLUMNS = ["time", "actor", "verb", "object_type", "object_id", "object", "changes", "ip_address"]


def _filters(job: Job) -> dict:
    params = job.params or {}
    return {key: params.get(key) or "" for key in ("verb", "actor", "object_type")} | {
        "date_from": params.get("date_from") or None,
        "date_to": params.get("date_to") or None,
    }


def audit_rows(job: Job, report_progress):
    events = audit_events(job.authority, **_filters(job))
    total = events.count()
    for done, event in enumerate(events.iterator(chunk_size=500), start=1):
        yield [
            timezone.localtime(event.created_at).isoformat(timespec="seconds"),
            event.actor_label,
            event.verb,
            event.object_type,
            event.object_id,
            event.object_repr,
            _json(event.changes),
            event.ip_address or "",
        ]
        report_progress(done, total)


def _json(value) -> str:
    return json.dumps(value, sort_keys=True, ensure_ascii=False) if value else ""


def safe_cell(value: str) -> str:
    # Spreadsheet apps run cells that start with these as formulas: a user-typed name must never execute.
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


def _filename(job: Job, extension: str) -> str:
    return f"audit-log-{job.authority.slug}-{timezone.localtime(job.created_at):%Y%m%d-%H%M%S}.{extension}"


@register_job_kind("audit_export_csv", label="Audit log (CSV)", permission="audit.export")
def audit_export_csv(job: Job, report_progress) -> tuple[str, bytes]:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(AUDIT_COLUMNS)
    for row in audit_rows(job, report_progress):
        writer.writerow([safe_cell(cell) for cell in row])
    return _filename(job, "csv"), buffer.getvalue().encode("utf-8-sig")


@register_job_kind("audit_export_xlsx", label="Audit log (XLSX)", permission="audit.export")
def audit_export_xlsx(job: Job, report_progress) -> tuple[str, bytes]:
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("Audit log")
    sheet.append(AUDIT_COLUMNS)
    for row in audit_rows(job, report_progress):
        sheet.append([safe_cell(cell) for cell in row])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return _filename(job, "xlsx"), buffer.getvalue()


@register_job_starter("audit_export_csv")
@register_job_starter("audit_export_xlsx")
def audit_export_start(*, authority: Authority, acting_user: User, kind: str, params: dict) -> Job:
    """The audit log page's filters (verb, object_type, actor, date_from, date_to), checked by the page's own form."""
    from .forms import AuditFilterForm
    from .services import job_start

    unknown = sorted(set(params) - set(AuditFilterForm.base_fields))
    if unknown:
        raise DomainError(
            f"The audit log export takes only these filters: {', '.join(AuditFilterForm.base_fields)}", field=unknown[0]
        )
    verbs, object_types = audit_filter_choices(authority)
    form = AuditFilterForm({key: str(value) for key, value in params.items()}, verbs=verbs, object_types=object_types)
    if not form.is_valid():
        name, messages = next(iter(form.errors.items()))
        raise DomainError(messages[0], field=name)
    filters = {key: str(value) for key, value in form.cleaned_data.items() if value}
    return job_start(authority=authority, acting_user=acting_user, kind=kind, params=filters)
