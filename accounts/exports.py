"""The audit log export: the first job kind, proving the job pipeline end to end (CSV and XLSX)."""

import csv
import io
import json

from django.utils import timezone

from .jobs import register_job_kind
from .models import Job
from .selectors import audit_events

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
