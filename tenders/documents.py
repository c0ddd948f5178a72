"""Supporting documents on offers: what a file is (found from its content), the limits, and adding and removing them.

A document is part of the offer: sealed like the rest of it, changed only by the supplier's members while the
tender is open and the offer is not submitted, and covered by the receipt (its SHA-256 is in the submitted content,
see tenders.offers.offer_content).

Rules:
- The kind comes from the content, never the name or the browser's content type (`foundation.files.sniff`): a PDF,
  or a DOCX or XLSX known by the main part its OOXML package declares. Macro-enabled packages are refused, and so is
  anything else.
- A name whose extension says one allowed type while the content is another (or is not allowed) is refused as
  disguised, naming what the file is where that is known; so is an allowed file whose name ends otherwise, since
  the name is what it is downloaded as.
- Refused too: empty files, files over OFFER_DOCUMENT_MAX_MB, and ZIPs that declare an absurd unpacked size
  (a zip bomb: the package is opened to read one small part, never unpacked).
- At most MAX_DOCUMENTS per offer. Names are cleaned for display (`foundation.files.clean_name`): no folders, no
  control characters, at most NAME_MAX_LENGTH characters.

The audit trail records that a document was added or removed, with its size and kind only: authority staff read the
audit log before the deadline, and a file's name can say who is bidding.
"""

from datetime import datetime

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from accounts.audit import audit_record
from accounts.models import User
from foundation.errors import DomainError
from foundation.files import DigestingFile, PackageRefused, Sniffed, clean_name, extension_of, sniff

from .models import DocumentKind, Offer, OfferDocument, OfferStatus
from .offers import _require_open, supplier_member_check

MAX_DOCUMENTS = 10
DESCRIPTION_MAX_LENGTH = 200

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
ACCEPTED = frozenset(DocumentKind.values)  # foundation.files.FileKind spells these the same
NOT_ALLOWED = "The selected file must be a PDF, DOCX or XLSX"


class DocumentRefused(DomainError):
    """The file cannot be attached: its type, size or name. The message is shown next to the file field."""

    def __init__(self, message: str):
        super().__init__(message, field="file")


class DocumentsLocked(DomainError):
    """The offer's documents cannot change now: it has been submitted."""


# What a file is ------------------------------------------------------------------------------------------------


def max_bytes() -> int:
    return settings.OFFER_DOCUMENT_MAX_MB * 1024 * 1024


def max_size_label() -> str:
    return f"{settings.OFFER_DOCUMENT_MAX_MB:g} MB"


def _offer_kind(file, size: int) -> Sniffed:
    """What the file is, with a kind only when offers accept it (a PNG is named, not accepted)."""
    try:
        found = sniff(file, size)
    except PackageRefused as refused:
        raise DocumentRefused(refused.message) from None
    return found if found.kind in ACCEPTED else Sniffed(None, found.what, found.macros)


def check_upload(*, name: str, size: int, file) -> str:
    """The kind of an uploaded file, or DocumentRefused with the reason. `name` is the cleaned name."""
    if size == 0:
        raise DocumentRefused("The selected file is empty")
    if size > max_bytes():
        raise DocumentRefused(f"The selected file must be {max_size_label()} or smaller")
    found = _offer_kind(file, size)
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
