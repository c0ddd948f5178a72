"""Supporting documents on offers: what a file is (found from its content), the limits, and adding and removing them.

A document is part of the offer: sealed like the rest of it, changed only by the supplier's members while the
tender is open and the offer is not submitted, and covered by the receipt (its SHA-256 is in the submitted content,
see tenders.offers.offer_content).

Rules:
- The kind comes from the content, never the name or the browser's content type. A PDF starts with `%PDF-`. A DOCX
  or XLSX is a ZIP (OOXML) package whose [Content_Types].xml declares its main part: /word/document.xml as a Word
  document, /xl/workbook.xml as a workbook. Macro-enabled packages (a macro-enabled content type, or a
  vbaProject.bin part) are refused, and so is anything else.
- A name whose extension says one allowed type while the content is another (or is not allowed) is refused as
  disguised, naming what the file is where that is known; so is an allowed file whose name ends otherwise, since
  the name is what it is downloaded as.
- Refused too: empty files, files over OFFER_DOCUMENT_MAX_MB, and ZIPs that declare an absurd unpacked size
  (a zip bomb: the package is opened to read one small part, never unpacked).
- At most MAX_DOCUMENTS per offer. Names are cleaned for display: no folders, no control characters, at most
  NAME_MAX_LENGTH characters.

The audit trail records that a document was added or removed, with its size and kind only: authority staff read the
audit log before the deadline, and a file's name can say who is bidding.
"""

import hashlib
import re
import unicodedata
import zipfile
import zlib
from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.core.files.base import File
from django.db import transaction
from django.utils import timezone

from accounts.audit import audit_record
from accounts.models import User
from foundation.errors import DomainError

from .models import DocumentKind, Offer, OfferDocument, OfferStatus
from .offers import _require_open, supplier_member_check

MAX_DOCUMENTS = 10
NAME_MAX_LENGTH = 200
DESCRIPTION_MAX_LENGTH = 200

# Zip bomb guard. Genuine Office files unpack to far less than this, and deflate (the only method OOXML uses) cannot
# unpack to more than about 1,032 times its packed size: a package that declares more was made to mislead.
ZIP_MAX_UNPACKED_BYTES = 500 * 1024 * 1024
ZIP_MAX_RATIO = 1100
ZIP_MAX_MEMBERS = 10_000
# [Content_Types].xml is a short list; reading more than this of it is not needed to find the main part.
CONTENT_TYPES_MAX_BYTES = 1024 * 1024

CONTENT_TYPES = {
    DocumentKind.PDF: "application/pdf",
    DocumentKind.DOCX: "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    DocumentKind.XLSX: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
# How a name ending in each allowed extension claims the file, for messages.
EXTENSION_KINDS = {"pdf": DocumentKind.PDF, "docx": DocumentKind.DOCX, "xlsx": DocumentKind.XLSX}
KIND_NOUNS = {
    DocumentKind.PDF: "a PDF",
    DocumentKind.DOCX: "a Word document (DOCX)",
    DocumentKind.XLSX: "an Excel spreadsheet (XLSX)",
}
NOT_ALLOWED = "The selected file must be a PDF, DOCX or XLSX"

# The main part of an OOXML package, by part name: its content type -> (kind if allowed, what it is, has macros).
_MAIN_PARTS = {
    "/word/document.xml": {
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml": (
            DocumentKind.DOCX,
            KIND_NOUNS[DocumentKind.DOCX],
            False,
        ),
        "application/vnd.ms-word.document.macroenabled.main+xml": (None, "a macro-enabled Word document (DOCM)", True),
        "application/vnd.openxmlformats-officedocument.wordprocessingml.template.main+xml": (
            None,
            "a Word template (DOTX)",
            False,
        ),
        "application/vnd.ms-word.template.macroenabledtemplate.main+xml": (
            None,
            "a macro-enabled Word template (DOTM)",
            True,
        ),
    },
    "/xl/workbook.xml": {
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml": (
            DocumentKind.XLSX,
            KIND_NOUNS[DocumentKind.XLSX],
            False,
        ),
        "application/vnd.ms-excel.sheet.macroenabled.main+xml": (None, "a macro-enabled Excel workbook (XLSM)", True),
        "application/vnd.openxmlformats-officedocument.spreadsheetml.template.main+xml": (
            None,
            "an Excel template (XLTX)",
            False,
        ),
        "application/vnd.ms-excel.template.macroenabled.main+xml": (
            None,
            "a macro-enabled Excel template (XLTM)",
            True,
        ),
    },
    "/xl/workbook.bin": {
        "application/vnd.ms-excel.sheet.binary.macroenabled.main": (None, "a binary Excel workbook (XLSB)", True),
    },
    "/ppt/presentation.xml": {
        "application/vnd.openxmlformats-officedocument.presentationml.presentation.main+xml": (
            None,
            "a PowerPoint presentation (PPTX)",
            False,
        ),
        "application/vnd.ms-powerpoint.presentation.macroenabled.main+xml": (
            None,
            "a macro-enabled PowerPoint presentation (PPTM)",
            True,
        ),
    },
}

# Signatures of common files that are not allowed, so a refusal can say what the file is.
_SIGNATURES = (
    (b"MZ", "a Windows program"),
    (b"\x7fELF", "a Linux program"),
    (b"\xcf\xfa\xed\xfe", "a macOS program"),
    (b"\xfe\xed\xfa\xcf", "a macOS program"),
    (b"\xca\xfe\xba\xbe", "a macOS program"),
    (b"#!", "a script"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "an older Office file (DOC or XLS) or a password-protected file"),
    (b"{\\rtf", "a rich text (RTF) document"),
    (b"\x89PNG\r\n\x1a\n", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"GIF8", "a GIF image"),
    (b"Rar!", "a RAR archive"),
    (b"7z\xbc\xaf\x27\x1c", "a 7-Zip archive"),
    (b"\x1f\x8b", "a gzip archive"),
    (b"PK\x05\x06", "an empty ZIP archive"),
)

_OVERRIDE = re.compile(r"<(?:[\w.-]+:)?Override\b([^>]*)>", re.IGNORECASE)
_DEFAULT = re.compile(r"<(?:[\w.-]+:)?Default\b([^>]*)>", re.IGNORECASE)
_ATTRIBUTE = re.compile(r"([\w:.-]+)\s*=\s*(?:\"([^\"]*)\"|'([^']*)')")


class DocumentRefused(DomainError):
    """The file cannot be attached: its type, size or name. The message is shown next to the file field."""

    def __init__(self, message: str):
        super().__init__(message, field="file")


class DocumentsLocked(DomainError):
    """The offer's documents cannot change now: it has been submitted."""


# What a file is ------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Sniffed:
    kind: str | None  # a DocumentKind when the content is an allowed type
    what: str = ""  # what the content is, for messages ("a Windows program"); "" when not recognised
    macros: bool = False


def max_bytes() -> int:
    return settings.OFFER_DOCUMENT_MAX_MB * 1024 * 1024


def _attributes(text: str) -> dict[str, str]:
    return {match[1].lower(): match[2] or match[3] for match in _ATTRIBUTE.finditer(text)}


def _zip_bomb_check(archive: zipfile.ZipFile, packed_size: int) -> None:
    members = archive.infolist()
    unpacked = sum(member.file_size for member in members)
    if (
        len(members) > ZIP_MAX_MEMBERS
        or unpacked > ZIP_MAX_UNPACKED_BYTES
        or unpacked > ZIP_MAX_RATIO * max(packed_size, 1)
    ):
        raise DocumentRefused(
            "The selected file is a compressed package that claims to unpack to an unreasonable size, so it cannot "
            "be checked. Upload a PDF, DOCX or XLSX file saved from your usual software"
        )


def _sniff_package(file, packed_size: int) -> Sniffed:
    """An OOXML package is known by the main part its [Content_Types].xml declares (and that it holds)."""
    try:
        archive = zipfile.ZipFile(file)
    except (zipfile.BadZipFile, OSError, EOFError, ValueError):
        return Sniffed(None, "a damaged ZIP archive")
    with archive:
        _zip_bomb_check(archive, packed_size)
        # OOXML part names are case-insensitive.
        members = {info.filename.lower(): info for info in archive.infolist()}
        content_types = members.get("[content_types].xml")
        if content_types is None:
            return Sniffed(None, "a ZIP archive")
        try:
            with archive.open(content_types) as part:
                text = part.read(CONTENT_TYPES_MAX_BYTES).decode("utf-8", errors="replace")
        except (zipfile.BadZipFile, RuntimeError, NotImplementedError, OSError, EOFError, zlib.error):
            return Sniffed(None, "a damaged or encrypted ZIP archive")
    # Content types are matched by a pattern rather than an XML parser: this is a short, untrusted file, and only
    # two attributes of its Override and Default elements matter.
    overrides = {}
    for match in _OVERRIDE.finditer(text):
        attributes = _attributes(match[1])
        if "partname" in attributes:
            overrides[attributes["partname"].lower()] = attributes.get("contenttype", "").strip().lower()
    declared = set(overrides.values()) | {
        _attributes(match[1]).get("contenttype", "").strip().lower() for match in _DEFAULT.finditer(text)
    }
    has_vba = any(name.rsplit("/", 1)[-1] == "vbaproject.bin" for name in members) or any(
        "vbaproject" in content_type for content_type in declared
    )
    for part_name, known in _MAIN_PARTS.items():
        content_type = overrides.get(part_name)
        if content_type is None or part_name.lstrip("/") not in members:
            continue
        kind, what, macro_enabled = known.get(content_type, (None, "", False))
        if not what:
            continue
        if macro_enabled:
            return Sniffed(None, what, macros=True)
        # A DOCX or XLSX main part, but macros carried in another part: still a file with macros.
        if has_vba or any("macroenabled" in declared_type for declared_type in declared):
            return Sniffed(None, f"{what} with macros", macros=True)
        return Sniffed(kind, what)
    if has_vba:
        return Sniffed(None, "an Office file with macros", macros=True)
    return Sniffed(None, "a ZIP archive")


def sniff(file, size: int | None = None) -> Sniffed:
    """What the file's content is. Reads the start and, for a ZIP, its directory and content types; leaves the file
    at its start."""
    file.seek(0)
    head = file.read(16)
    file.seek(0)
    try:
        if head.startswith(b"%PDF-"):
            return Sniffed(DocumentKind.PDF, KIND_NOUNS[DocumentKind.PDF])
        if head.startswith(b"PK\x03\x04"):
            if size is None:
                size = file.seek(0, 2)
                file.seek(0)
            return _sniff_package(file, size)
        for signature, what in _SIGNATURES:
            if head.startswith(signature):
                return Sniffed(None, what)
        return Sniffed(None)
    finally:
        file.seek(0)


def clean_name(name: str) -> str:
    """The uploaded name as shown and downloaded: no folders, no control or invisible formatting characters (a
    right-to-left override can make "report‮fdp.exe" look like "reportexe.pdf"), spaces collapsed, at most
    NAME_MAX_LENGTH characters with the extension kept."""
    name = unicodedata.normalize("NFC", name or "")
    name = re.split(r"[\\/]", name)[-1]
    name = "".join(character for character in name if not unicodedata.category(character).startswith("C"))
    name = " ".join(name.split()).strip(" .")
    if len(name) > NAME_MAX_LENGTH:
        stem, dot, extension = name.rpartition(".")
        if dot and stem and len(extension) <= 10:
            name = f"{stem[: NAME_MAX_LENGTH - len(extension) - 1].rstrip(' .')}.{extension}"
        else:
            name = name[:NAME_MAX_LENGTH]
    return name


def extension_of(name: str) -> str:
    stem, dot, extension = name.rpartition(".")
    return extension.lower() if dot and stem else ""


def max_size_label() -> str:
    return f"{settings.OFFER_DOCUMENT_MAX_MB:g} MB"


def check_upload(*, name: str, size: int, file) -> str:
    """The kind of an uploaded file, or DocumentRefused with the reason. `name` is the cleaned name."""
    if size == 0:
        raise DocumentRefused("The selected file is empty")
    if size > max_bytes():
        raise DocumentRefused(f"The selected file must be {max_size_label()} or smaller")
    found = sniff(file, size)
    if found.macros:
        raise DocumentRefused(
            f"The selected file is {found.what}. Files with macros are not accepted: save it as a DOCX or XLSX "
            "without macros, or as a PDF, and upload that"
        )
    extension = extension_of(name)
    claimed = EXTENSION_KINDS.get(extension)
    if found.kind is not None and claimed == found.kind:
        return found.kind
    if claimed is not None:
        # Named as one allowed type, but something else inside: refused as disguised.
        if found.what:
            raise DocumentRefused(
                f"The selected file is named .{extension} but it is {found.what}, not {KIND_NOUNS[claimed]}"
            )
        raise DocumentRefused(f"The selected file is named .{extension} but it is not {KIND_NOUNS[claimed]}")
    if found.kind is not None:
        wanted = next(ext for ext, kind in EXTENSION_KINDS.items() if kind == found.kind)
        if extension:
            raise DocumentRefused(
                f"The selected file is {found.what} but its name ends in .{extension}: rename it to end in .{wanted}"
            )
        raise DocumentRefused(f"The selected file is {found.what}: rename it so that its name ends in .{wanted}")
    if found.what:
        raise DocumentRefused(f"{NOT_ALLOWED}. This file is {found.what}")
    raise DocumentRefused(NOT_ALLOWED)


# Reads --------------------------------------------------------------------------------------------------------


def offer_get_for_member(*, offer_id: int, user: User) -> Offer | None:
    """The offer, in the current authority's scope, when the user is an approved member of its supplier."""
    offer = Offer.objects.select_related("tender", "lot", "organisation").filter(pk=offer_id).first()
    if offer is None or not user.is_authenticated:
        return None
    try:
        supplier_member_check(organisation=offer.organisation, user=user)
    except DomainError:
        return None
    return offer


def documents_for_offer(offer: Offer) -> list[OfferDocument]:
    return list(offer.documents.select_related("uploaded_by").order_by("uploaded_at", "id"))


def document_change_refusal(offer: Offer, *, now: datetime | None = None) -> str:
    """Why the offer's documents cannot change now, or "" when they can."""
    try:
        _require_changeable(offer, now or timezone.now())
    except DomainError as error:
        return error.message
    return ""


# Writes -------------------------------------------------------------------------------------------------------


def _require_changeable(offer: Offer, now: datetime) -> None:
    _require_open(offer.tender, now)  # the offers module's deadline rule and message
    if offer.status == OfferStatus.SUBMITTED:
        raise DocumentsLocked("Withdraw your offer to change its documents")


def _require_room(offer: Offer) -> None:
    if offer.documents.count() >= MAX_DOCUMENTS:
        raise DocumentRefused(f"An offer can have at most {MAX_DOCUMENTS} documents. Remove one to add another")


def _locked(offer: Offer) -> Offer:
    return Offer.objects.select_for_update(of=("self",)).select_related("tender").get(pk=offer.pk)


def _mark_changed(offer: Offer) -> None:
    # As with any other change to the offer: a withdrawn offer that changes is a draft again.
    offer.status = OfferStatus.DRAFT
    offer.updated_at = timezone.now()
    offer.save(update_fields=["status", "updated_at"])


def _audit_object(offer: Offer) -> dict:
    # Named by number and tender, not by str(offer): who is bidding is sealed too.
    return {"obj": offer, "object_repr": f"Offer {offer.pk} for {offer.tender.reference}"}


class DigestingFile(File):
    """Hands the upload to storage chunk by chunk, hashing and counting what is written: the SHA-256 is of exactly
    the stored bytes, read once. (Not an UploadedFile, so storage copies it rather than moving a temporary file.)"""

    def __init__(self, upload):
        super().__init__(upload.file, name=upload.name)
        self.sha256 = hashlib.sha256()
        self.counted = 0

    def chunks(self, chunk_size=None):
        for chunk in super().chunks(chunk_size):
            self.sha256.update(chunk)
            self.counted += len(chunk)
            yield chunk


def document_add(
    *, offer: Offer, upload, description: str = "", acting_user: User, now: datetime | None = None
) -> OfferDocument:
    """Attaches an uploaded file (a Django UploadedFile) to the offer, in private storage under a random name."""
    supplier_member_check(organisation=offer.organisation, user=acting_user)
    when = now or timezone.now()
    _require_changeable(offer, when)
    _require_room(offer)
    description = " ".join((description or "").split())
    if len(description) > DESCRIPTION_MAX_LENGTH:
        raise DomainError(f"The description must be {DESCRIPTION_MAX_LENGTH} characters or fewer", field="description")
    name = clean_name(upload.name)
    kind = check_upload(name=name, size=upload.size, file=upload)
    stored = ""
    try:
        with transaction.atomic():
            offer = _locked(offer)
            # Read again under the lock: another member may have submitted or added documents meanwhile.
            _require_changeable(offer, when)
            _require_room(offer)
            document = OfferDocument(
                authority=offer.authority,
                offer=offer,
                name=name,
                kind=kind,
                description=description,
                uploaded_at=when,
                uploaded_by=acting_user,
                size=0,
                sha256="",
            )
            content = DigestingFile(upload)
            document.file.save(name, content, save=False)  # offer_document_path gives a random stored name
            stored = document.file.name
            if content.counted != upload.size:
                raise DocumentRefused("The selected file could not be read completely. Upload it again")
            document.size, document.sha256 = content.counted, content.sha256.hexdigest()
            document.save()
            _mark_changed(offer)
            audit_record(
                authority=offer.authority,
                actor=acting_user,
                verb="offer.document_added",
                changes={"size": document.size, "kind": kind},
                **_audit_object(offer),
                sealed_actor=True,
            )
    except BaseException:
        if stored:  # refused or failed after the file was written: leave nothing behind
            OfferDocument._meta.get_field("file").storage.delete(stored)
        raise
    return document


def _listed_in_a_submission(offer: Offer, sha256: str) -> bool:
    return any(
        entry.get("sha256") == sha256
        for content in offer.submissions.values_list("content", flat=True)
        for entry in content.get("documents", [])
    )


def document_remove(*, document: OfferDocument, acting_user: User, now: datetime | None = None) -> None:
    """Removes a document from the draft. Its file is deleted once the removal is committed, unless a submission
    (even a withdrawn one) lists its SHA-256."""
    offer = document.offer
    supplier_member_check(organisation=offer.organisation, user=acting_user)
    when = now or timezone.now()
    with transaction.atomic():
        offer = _locked(offer)
        _require_changeable(offer, when)
        document = OfferDocument.objects.filter(pk=document.pk, offer=offer).first()
        if document is None:
            raise DomainError("This document has already been removed.")
        stored, size, kind = document.file.name, document.size, document.kind
        # Every submission's receipt covers the SHA-256 of the files it listed; a receipt only proves what was
        # submitted while those bytes can still be produced. So a file a submission lists is never deleted: only
        # its link to the draft goes. (The file stays in the offer's folder of private storage, found by its
        # SHA-256.) Files no submission ever listed are deleted once the removal is committed.
        keep = _listed_in_a_submission(offer, document.sha256)
        document.delete()
        _mark_changed(offer)
        audit_record(
            authority=offer.authority,
            actor=acting_user,
            verb="offer.document_removed",
            changes={"size": size, "kind": kind},
            **_audit_object(offer),
            sealed_actor=True,
        )
        if not keep:
            storage = OfferDocument._meta.get_field("file").storage
            transaction.on_commit(lambda: storage.delete(stored))
