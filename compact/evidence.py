"""Evidence on delivery reports: what a file is (found from its content), the limits, and adding and removing it.

Rules:
- Accepted: PDF, PNG, JPEG, XLSX and CSV, known from the content, never the name or the browser's content type.
  PDF, PNG, JPEG and XLSX are recognised as offers' supporting documents are (foundation.files.sniff: macro-enabled
  workbooks refused); CSV is valid UTF-8 text (a byte order mark allowed) with no NUL bytes whose first line has a
  comma or semicolon, so a renamed program is refused.
- The name's extension must say what the content is (it is downloaded under that name); names are cleaned as
  offers' documents' names are.
- Refused too: empty files and files over EVIDENCE_MAX_MB. At most MAX_EVIDENCE files per report.
- Only approved members of the contract's supplier add or remove evidence, and only until the report is verified.
  The audit trail records the kind and size only.
- A removed file is deleted once the removal is committed, unless the report's submitted content lists its
  SHA-256: the receipt covers it, and proves something only while those bytes can still be produced.
"""

from dataclasses import dataclass

from django.conf import settings
from django.db import transaction

from accounts.audit import audit_record
from accounts.models import OrganisationKind, OrganisationMembership, OrganisationMemberStatus, User
from foundation import files
from foundation.errors import DomainError

from .errors import StateConflict
from .models import Contract, DeliveryReport, Evidence, ReportStatus

MAX_EVIDENCE = 20


class EvidenceKind:
    PDF = "pdf"
    PNG = "png"
    JPEG = "jpeg"
    XLSX = "xlsx"
    CSV = "csv"


LABELS = {
    EvidenceKind.PDF: "PDF",
    EvidenceKind.PNG: "PNG image",
    EvidenceKind.JPEG: "JPEG image",
    EvidenceKind.XLSX: "Excel spreadsheet (XLSX)",
    EvidenceKind.CSV: "CSV file",
}
KIND_NOUNS = {
    EvidenceKind.PDF: "a PDF",
    EvidenceKind.PNG: "a PNG image",
    EvidenceKind.JPEG: "a JPEG image",
    EvidenceKind.XLSX: "an Excel spreadsheet (XLSX)",
    EvidenceKind.CSV: "a CSV file",
}
CONTENT_TYPES = {
    EvidenceKind.PDF: "application/pdf",
    EvidenceKind.PNG: "image/png",
    EvidenceKind.JPEG: "image/jpeg",
    EvidenceKind.XLSX: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    EvidenceKind.CSV: "text/csv; charset=utf-8",
}
EXTENSION_KINDS = {
    "pdf": EvidenceKind.PDF,
    "png": EvidenceKind.PNG,
    "jpg": EvidenceKind.JPEG,
    "jpeg": EvidenceKind.JPEG,
    "xlsx": EvidenceKind.XLSX,
    "csv": EvidenceKind.CSV,
}
# The kinds foundation.files.sniff recognises that are accepted here (CSV has no signature: see _is_csv).
ACCEPTED_SNIFFED = frozenset((EvidenceKind.PDF, EvidenceKind.PNG, EvidenceKind.JPEG, EvidenceKind.XLSX))
ACCEPT = ".pdf,.png,.jpg,.jpeg,.xlsx,.csv"
NOT_ALLOWED = "The selected file must be a PDF, PNG, JPEG, XLSX or CSV"

UTF8_BOM = b"\xef\xbb\xbf"


class EvidenceRefused(DomainError):
    """The file cannot be added: its type, size or name, or the report has as many files as allowed."""

    def __init__(self, message: str):
        super().__init__(message, field="file")


@dataclass(frozen=True)
class Sniffed:
    kind: str | None
    what: str = ""
    macros: bool = False


def max_bytes() -> int:
    return settings.EVIDENCE_MAX_MB * 1024 * 1024


def max_size_label() -> str:
    return f"{settings.EVIDENCE_MAX_MB:g} MB"


def _is_csv(file) -> bool:
    file.seek(0)
    data = file.read()
    file.seek(0)
    if data.startswith(UTF8_BOM):
        data = data[len(UTF8_BOM) :]
    if b"\x00" in data:
        return False
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    first = text.splitlines()[0] if text.strip() else ""
    return "," in first or ";" in first


def sniff(file, size: int | None = None) -> Sniffed:
    """What the file's content is; leaves the file at its start."""
    found = files.sniff(file, size)  # EvidenceKind spells the kinds it shares as foundation.files.FileKind does
    if found.macros:
        return Sniffed(None, found.what, macros=True)
    if found.kind in ACCEPTED_SNIFFED:
        return Sniffed(found.kind, KIND_NOUNS[found.kind])
    if found.kind is not None or found.what:
        return Sniffed(None, found.what)  # a DOCX, a program, an archive: known, and not accepted here
    if _is_csv(file):
        return Sniffed(EvidenceKind.CSV, KIND_NOUNS[EvidenceKind.CSV])
    return Sniffed(None)


def check_upload(*, name: str, size: int, file) -> str:
    """The kind of an uploaded file, or EvidenceRefused with the reason. `name` is the cleaned name."""
    if size == 0:
        raise EvidenceRefused("The selected file is empty")
    if size > max_bytes():
        raise EvidenceRefused(f"The selected file must be {max_size_label()} or smaller")
    try:
        found = sniff(file, size)
    except files.PackageRefused as refused:  # a zip bomb
        raise EvidenceRefused(refused.message) from None
    if found.macros:
        raise EvidenceRefused(f"The selected file is {found.what}. Files with macros are not accepted")
    extension = files.extension_of(name)
    claimed = EXTENSION_KINDS.get(extension)
    if found.kind is not None and claimed == found.kind:
        return found.kind
    if claimed is not None:
        if found.what:
            raise EvidenceRefused(
                f"The selected file is named .{extension} but it is {found.what}, not {KIND_NOUNS[claimed]}"
            )
        raise EvidenceRefused(f"The selected file is named .{extension} but it is not {KIND_NOUNS[claimed]}")
    if found.kind is not None:
        wanted = next(ext for ext, kind in EXTENSION_KINDS.items() if kind == found.kind)
        raise EvidenceRefused(f"The selected file is {found.what}: rename it so that its name ends in .{wanted}")
    if found.what:
        raise EvidenceRefused(f"{NOT_ALLOWED}. This file is {found.what}")
    raise EvidenceRefused(NOT_ALLOWED)


# Who and when --------------------------------------------------------------------------------------------------


def is_supplier_member(contract: Contract, user: User) -> bool:
    return (
        user.is_authenticated
        and contract.supplier.kind == OrganisationKind.SUPPLIER
        and OrganisationMembership.objects.filter(
            organisation_id=contract.supplier_id, user=user, status=OrganisationMemberStatus.APPROVED
        ).exists()
    )


def _require_member(contract: Contract, user: User) -> None:
    if not is_supplier_member(contract, user):
        raise DomainError(f"Only members of {contract.supplier.name} can change the evidence on this contract.")


def change_refusal(report: DeliveryReport) -> str:
    """Why the report's evidence cannot change now, or "" when it can."""
    if report.status == ReportStatus.VERIFIED:
        return "This report has been verified: its evidence can no longer be changed."
    return ""


def _locked(report: DeliveryReport) -> DeliveryReport:
    report = DeliveryReport.objects.select_for_update().select_related("contract__supplier").get(pk=report.pk)
    if refusal := change_refusal(report):
        raise StateConflict(refusal)
    return report


def _require_room(report: DeliveryReport) -> None:
    if report.evidence.count() >= MAX_EVIDENCE:
        raise EvidenceRefused(f"A report can have at most {MAX_EVIDENCE} files of evidence. Remove one to add another")


# Writes -------------------------------------------------------------------------------------------------------


def evidence_add(*, report: DeliveryReport, upload, acting_user: User) -> Evidence:
    """Attaches an uploaded file to the report, in private storage under a random name."""
    _require_member(report.contract, acting_user)
    if refusal := change_refusal(report):
        raise StateConflict(refusal)
    _require_room(report)
    name = files.clean_name(upload.name)
    if not name:
        raise EvidenceRefused("The selected file has no usable name: rename it and upload it again")
    kind = check_upload(name=name, size=upload.size, file=upload)
    storage = Evidence._meta.get_field("file").storage
    stored = ""
    try:
        with transaction.atomic():
            report = _locked(report)
            _require_room(report)  # again under the lock: another member may have added files meanwhile
            evidence = Evidence(
                authority=report.authority,
                report=report,
                name=name,
                kind=kind,
                size=0,
                sha256="",
                uploaded_by=acting_user,
            )
            content = files.DigestingFile(upload)  # hashes exactly the bytes written
            evidence.file.save(name, content, save=False)
            stored = evidence.file.name
            if content.counted != upload.size:
                raise EvidenceRefused("The selected file could not be read completely. Upload it again")
            evidence.size, evidence.sha256 = content.counted, content.sha256.hexdigest()
            evidence.save()
            audit_record(
                authority=report.authority,
                actor=acting_user,
                verb="report.evidence_added",
                obj=report,
                changes={"kind": kind, "size": evidence.size},
            )
    except BaseException:
        if stored:  # refused or failed after the file was written: leave nothing behind
            storage.delete(stored)
        raise
    return evidence


def _listed_in_submission(report: DeliveryReport, sha256: str) -> bool:
    return any(entry.get("sha256") == sha256 for entry in (report.content or {}).get("evidence", []))


def evidence_remove(*, evidence: Evidence, acting_user: User) -> None:
    """Removes a file from the report; the stored file goes once the removal is committed (see the module's rules
    for a file the submitted report lists)."""
    _require_member(evidence.report.contract, acting_user)
    with transaction.atomic():
        report = _locked(evidence.report)
        evidence = Evidence.objects.filter(pk=evidence.pk, report=report).first()
        if evidence is None:
            raise DomainError("This file has already been removed.")
        stored, kind, size = evidence.file.name, evidence.kind, evidence.size
        keep = _listed_in_submission(report, evidence.sha256)
        evidence.delete()
        audit_record(
            authority=report.authority,
            actor=acting_user,
            verb="report.evidence_removed",
            obj=report,
            changes={"kind": kind, "size": size},
        )
        if not keep:
            storage = Evidence._meta.get_field("file").storage
            transaction.on_commit(lambda: storage.delete(stored))


# Reads --------------------------------------------------------------------------------------------------------


def evidence_for_report(report: DeliveryReport) -> list[Evidence]:
    return list(report.evidence.select_related("uploaded_by").order_by("uploaded_at", "id"))
