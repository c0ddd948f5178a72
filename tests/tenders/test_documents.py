"""Supporting documents on offers: the kind found from the content (disguised, macro-enabled and bomb files refused),
the size and count limits, private storage, who may change them and when, the receipt covering them, and the
pages (upload, list, download, remove) for the supplier's members only."""

import hashlib
import io
import re
import struct
import zipfile
from datetime import timedelta
from functools import cache

import openpyxl
import pytest
from django.core.files.storage import storages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.models import AuditEvent
from accounts.roles import Role
from accounts.scoping import authority_scope
from foundation import files
from foundation.errors import DomainError
from tenders import documents, offers
from tenders.models import DocumentKind, OfferDocument, OfferStatus, Tender
from tenders.receipts import receipt_matches
from tests.tenders.factories import build_tender
from tests.tenders.test_offers import _draft

pytestmark = pytest.mark.django_db


# Real small files ---------------------------------------------------------------------------------------------


@cache
def pdf_bytes() -> bytes:
    import weasyprint

    return weasyprint.HTML(string="<h1>Delivery plan</h1><p>Apprentices from Moor End.</p>").write_pdf()


CONTENT_TYPES_XML = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/word/document.xml" ContentType="{main}"/>'
    "{extra}</Types>"
)
DOCX_MAIN = "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"
DOCM_MAIN = "application/vnd.ms-word.document.macroEnabled.main+xml"
RELS_XML = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
    'officeDocument" Target="word/document.xml"/></Relationships>'
)
DOCUMENT_XML = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
    "<w:body><w:p><w:r><w:t>Letter of support</w:t></w:r></w:p></w:body></w:document>"
)


def docx_bytes(main=DOCX_MAIN, *, vba=False, text=DOCUMENT_XML) -> bytes:
    """A minimal OOXML Word package (Word opens it), written with zipfile."""
    buffer = io.BytesIO()
    extra = '<Override PartName="/word/vbaProject.bin" ContentType="application/vnd.ms-office.vbaProject"/>'
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as package:
        package.writestr("[Content_Types].xml", CONTENT_TYPES_XML.format(main=main, extra=extra if vba else ""))
        package.writestr("_rels/.rels", RELS_XML)
        package.writestr("word/document.xml", text)
        if vba:
            package.writestr("word/vbaProject.bin", b"\xd0\xcf\x11\xe0 not really VBA")
    return buffer.getvalue()


@cache
def xlsx_bytes() -> bytes:
    workbook = openpyxl.Workbook()
    workbook.active.append(["Measure", "Quantity"])
    workbook.active.append(["Local jobs", 4])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def xlsm_bytes() -> bytes:
    """openpyxl's workbook with its main part declared macro-enabled, as Excel saves an XLSM."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(xlsx_bytes())) as source, zipfile.ZipFile(buffer, "w") as package:
        for item in source.infolist():
            data = source.read(item)
            if item.filename == "[Content_Types].xml":
                data = data.replace(
                    b"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml",
                    b"application/vnd.ms-excel.sheet.macroEnabled.main+xml",
                )
            package.writestr(item, data)
    return buffer.getvalue()


def plain_zip_bytes() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("notes.txt", "Nothing Office about this.")
    return buffer.getvalue()


def bomb_bytes() -> bytes:
    """A package whose directory declares a 2 GB part: the sizes are patched into its central directory, as a zip
    bomb's are, so the test needs no gigabytes."""
    data = bytearray(docx_bytes())
    at = data.find(b"PK\x01\x02")
    while at != -1:
        data[at + 24 : at + 28] = struct.pack("<I", 0x7FFFFFFF)  # the entry's uncompressed size
        at = data.find(b"PK\x01\x02", at + 4)
    return bytes(data)


EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff" + b"\x00" * 200 + b"This program cannot be run in DOS mode"


def upload(name: str, content: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="application/octet-stream")


# Fixtures and helpers -----------------------------------------------------------------------------------------


@pytest.fixture(autouse=True)
def private_storage(settings, tmp_path, monkeypatch):
    """Private storage in a temporary folder. The FileField resolved its storage when the model was loaded, so it is
    pointed at the overridden one as well."""
    settings.STORAGES = {
        **settings.STORAGES,
        "private": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": tmp_path / "private", "base_url": None},
        },
    }
    storage = storages["private"]
    monkeypatch.setattr(OfferDocument._meta.get_field("file"), "storage", storage)
    return tmp_path / "private"


def stored_files(root) -> list:
    return [path for path in root.rglob("*") if path.is_file()] if root.exists() else []


@pytest.fixture
def tender(world):
    return build_tender(world, world.a, published=True)


@pytest.fixture
def offer(world, tender):
    return _draft(world, tender)


def add(world, offer, name="Delivery plan.pdf", content=None, user=None, description="", now=None):
    with authority_scope(offer.authority):
        return documents.document_add(
            offer=offer,
            upload=upload(name, pdf_bytes() if content is None else content),
            description=description,
            acting_user=user or world.supplier_both_user,
            now=now,
        )


def past_the_deadline(tender) -> None:
    with authority_scope(tender.authority):
        Tender.objects.filter(pk=tender.pk).update(submission_deadline=timezone.now() - timedelta(minutes=1))


def count(offer) -> int:
    with authority_scope(offer.authority):
        return OfferDocument.objects.filter(offer=offer).count()


# What a file is -----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "content", "kind"),
    [
        ("Plan.pdf", pdf_bytes, DocumentKind.PDF),
        ("Letter.DOCX", docx_bytes, DocumentKind.DOCX),
        ("Figures.xlsx", xlsx_bytes, DocumentKind.XLSX),
    ],
)
def test_the_kind_comes_from_the_content(name, content, kind):
    data = content()
    assert files.sniff(io.BytesIO(data)).kind == kind
    assert documents.check_upload(name=name, size=len(data), file=upload(name, data)) == kind


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("Letter.docx", plain_zip_bytes, "The selected file is named .docx but it is a ZIP archive, not a Word"),
        ("Figures.xlsx", pdf_bytes, "The selected file is named .xlsx but it is a PDF, not an Excel spreadsheet"),
        ("Plan.pdf", lambda: EXE, "The selected file is named .pdf but it is a Windows program, not a PDF"),
        ("Plan.pdf", lambda: b"Just some words", "The selected file is named .pdf but it is not a PDF"),
        ("Letter.docm", lambda: docx_bytes(DOCM_MAIN), "is a macro-enabled Word document (DOCM). Files with macros"),
        ("Letter.docx", lambda: docx_bytes(DOCM_MAIN), "is a macro-enabled Word document (DOCM). Files with macros"),
        ("Letter.docx", lambda: docx_bytes(vba=True), "Word document (DOCX) with macros. Files with macros are not"),
        ("Figures.xlsx", xlsm_bytes, "is a macro-enabled Excel workbook (XLSM). Files with macros are not accepted"),
        ("notes.txt", lambda: b"Just some words", "The selected file must be a PDF, DOCX or XLSX"),
        ("setup.exe", lambda: EXE, "The selected file must be a PDF, DOCX or XLSX. This file is a Windows program"),
        ("Plan.txt", pdf_bytes, "The selected file is a PDF but its name ends in .txt: rename it to end in .pdf"),
        ("Plan", pdf_bytes, "rename it so that its name ends in .pdf"),
        ("Letter.docx", bomb_bytes, "claims to unpack to an unreasonable size"),
        ("Letter.docx", lambda: b"", "The selected file is empty"),
    ],
)
def test_disguised_unsafe_and_empty_files_are_refused_and_nothing_is_stored(
    world, offer, private_storage, name, content, message
):
    with pytest.raises(documents.DocumentRefused, match=re.escape(message)) as refused:
        add(world, offer, name=name, content=content())
    assert refused.value.field == "file"
    assert count(offer) == 0
    assert stored_files(private_storage) == []


def test_files_over_the_size_limit_are_refused_with_the_limit(world, offer, settings, private_storage):
    settings.OFFER_DOCUMENT_MAX_MB = 1
    limit = 1024 * 1024
    padded = pdf_bytes() + b"\n%" + b"x" * (limit - len(pdf_bytes()) - 2)  # a comment after %%EOF: still a PDF
    assert len(padded) == limit
    with pytest.raises(documents.DocumentRefused, match="The selected file must be 1 MB or smaller"):
        add(world, offer, content=padded + b"x")
    assert count(offer) == 0 and stored_files(private_storage) == []
    assert add(world, offer, content=padded).size == limit


def test_at_most_ten_documents_per_offer(world, offer, private_storage):
    for number in range(documents.MAX_DOCUMENTS):
        add(world, offer, name=f"Letter {number}.docx", content=docx_bytes())
    with pytest.raises(documents.DocumentRefused, match="An offer can have at most 10 documents"):
        add(world, offer, name="One too many.pdf")
    assert count(offer) == 10
    assert len(stored_files(private_storage)) == 10


# Adding and removing ------------------------------------------------------------------------------------------


def test_a_document_is_stored_privately_under_a_random_name_and_audited_without_its_name(world, offer, private_storage):
    data = docx_bytes()
    document = add(world, offer, name="Both Ways Ltd letter of support.docx", content=data, description="From Moor End")
    assert (document.name, document.kind, document.size) == ("Both Ways Ltd letter of support.docx", "docx", len(data))
    assert document.sha256 == hashlib.sha256(data).hexdigest()
    assert document.description == "From Moor End"
    assert document.uploaded_by == world.supplier_both_user
    [path] = stored_files(private_storage)
    assert path.read_bytes() == data
    assert "letter" not in document.file.name and "Both" not in document.file.name
    assert document.file.name.startswith(f"offers/{world.a.pk}/{offer.pk}/")
    with authority_scope(world.a):
        event = AuditEvent.objects.get(verb="offer.document_added")
    assert event.changes == {"size": len(data), "kind": "docx"}
    assert event.actor == world.supplier_both_user
    assert "letter" not in event.object_repr.lower() and "Both Ways" not in event.object_repr


def test_only_the_suppliers_members_add_and_remove(world, offer):
    document = add(world, offer)
    for outsider in (world.supplier_one_user, world.resident, world.user(world.a, Role.ADMIN)):
        with pytest.raises(DomainError, match="Only members of Both Ways Ltd"):
            add(world, offer, user=outsider)
        with authority_scope(world.a), pytest.raises(DomainError, match="Only members of Both Ways Ltd"):
            documents.document_remove(document=document, acting_user=outsider)
    assert count(offer) == 1


def test_a_submitted_offer_keeps_its_documents_until_withdrawn(world, offer):
    document = add(world, offer)
    user = world.supplier_both_user
    with authority_scope(world.a):
        offers.offer_submit(offer=offer, acting_user=user)
        offer.refresh_from_db()
    with pytest.raises(documents.DocumentsLocked, match="Withdraw your offer to change its documents"):
        add(world, offer, name="Late letter.docx", content=docx_bytes())
    with authority_scope(world.a):
        with pytest.raises(documents.DocumentsLocked, match="Withdraw your offer to change its documents"):
            documents.document_remove(document=document, acting_user=user)
        assert documents.document_change_refusal(offer) == "Withdraw your offer to change its documents"
        offers.offer_withdraw(offer=offer, acting_user=user)
        offer.refresh_from_db()
        assert documents.document_change_refusal(offer) == ""
    add(world, offer, name="Late letter.docx", content=docx_bytes())
    offer.refresh_from_db()
    assert count(offer) == 2 and offer.status == OfferStatus.DRAFT  # changed since it was withdrawn


def test_nothing_changes_after_the_deadline(world, tender, offer):
    document = add(world, offer)
    deadline = tender.submission_deadline
    with pytest.raises(offers.OfferDeadlinePassed, match="your draft has been kept"):
        add(world, offer, now=deadline)
    past_the_deadline(tender)
    offer.tender.refresh_from_db()
    with pytest.raises(offers.OfferDeadlinePassed, match="The deadline for offers was"):
        add(world, offer)
    with authority_scope(world.a):
        with pytest.raises(offers.OfferDeadlinePassed):
            documents.document_remove(document=document, acting_user=world.supplier_both_user)
        assert documents.document_change_refusal(offer).startswith("The deadline for offers was")
    assert count(offer) == 1


def test_removing_deletes_the_file_after_commit_and_is_audited(
    world, offer, private_storage, django_capture_on_commit_callbacks
):
    document = add(world, offer)
    with authority_scope(world.a), django_capture_on_commit_callbacks(execute=False) as callbacks:
        documents.document_remove(document=document, acting_user=world.supplier_both_user)
        assert len(stored_files(private_storage)) == 1  # still there until the removal is committed
    for callback in callbacks:
        callback()
    assert count(offer) == 0 and stored_files(private_storage) == []
    with authority_scope(world.a):
        event = AuditEvent.objects.get(verb="offer.document_removed")
    assert event.changes == {"size": len(pdf_bytes()), "kind": "pdf"}


def test_a_file_a_submission_lists_is_never_deleted(world, offer, private_storage, django_capture_on_commit_callbacks):
    document = add(world, offer)
    user = world.supplier_both_user
    with authority_scope(world.a), django_capture_on_commit_callbacks(execute=True):
        offers.offer_submit(offer=offer, acting_user=user)
        offers.offer_withdraw(offer=offer, acting_user=user)
        offer.refresh_from_db()
        documents.document_remove(document=document, acting_user=user)
    assert count(offer) == 0
    [kept] = stored_files(private_storage)
    assert hashlib.sha256(kept.read_bytes()).hexdigest() == document.sha256


def test_the_receipt_covers_the_documents(world, offer):
    data = xlsx_bytes()
    add(world, offer, name="Figures.xlsx", content=data)
    with authority_scope(world.a):
        submission = offers.offer_submit(offer=offer, acting_user=world.supplier_both_user)
    listed = submission.content["documents"]
    assert listed == [
        {"name": "Figures.xlsx", "kind": "xlsx", "size": len(data), "sha256": hashlib.sha256(data).hexdigest()}
    ]
    assert receipt_matches(submission.content, submission.received_at, submission.receipt)
    swapped = {**submission.content, "documents": [{**listed[0], "sha256": hashlib.sha256(b"other").hexdigest()}]}
    assert not receipt_matches(swapped, submission.received_at, submission.receipt)


# Pages --------------------------------------------------------------------------------------------------------


def _urls(offer, document=None, authority=None):
    slug = (authority or offer.authority).slug
    urls = {"list": reverse("tenders:offer-documents", args=[slug, offer.pk])}
    if document is not None:
        urls["remove"] = reverse("tenders:offer-document-remove", args=[slug, offer.pk, document.pk])
        urls["download"] = reverse("tenders:offer-document-download", args=[slug, offer.pk, document.pk])
    return urls


def test_upload_list_download_and_remove_through_the_pages(
    client, world, offer, private_storage, django_capture_on_commit_callbacks
):
    client.force_login(world.supplier_both_user)
    url = _urls(offer)["list"]
    page = client.get(url)
    text = page.content.decode()
    assert page.status_code == 200
    assert 'id="no-documents"' in text
    assert 'enctype="multipart/form-data"' in text and 'accept=".pdf,.docx,.xlsx"' in text
    assert reverse("tenders:offer-edit", args=[world.a.slug, offer.pk]) in text

    data = docx_bytes()
    response = client.post(url, {"file": upload("Letter of support.docx", data), "description": "From Moor End"})
    assert response.status_code == 303 and response["Location"] == url
    page = client.get(url)
    text = page.content.decode()
    assert "“Letter of support.docx” has been added to your offer." in text
    assert "Letter of support.docx" in text and "From Moor End" in text and "Word document (DOCX)" in text
    assert "Bo Bidder" in text
    with authority_scope(world.a):
        document = OfferDocument.objects.get(offer=offer)

    urls = _urls(offer, document)
    download = client.get(urls["download"])
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == data
    assert download["Content-Type"] == documents.CONTENT_TYPES["docx"]
    assert download["Content-Disposition"] == 'attachment; filename="Letter of support.docx"'
    assert download["X-Content-Type-Options"] == "nosniff"
    assert download["Cache-Control"] == "private, no-store"
    assert client.post(urls["download"]).status_code == 405

    confirm = client.get(urls["remove"])
    assert confirm.status_code == 200
    assert "Are you sure you want to remove “Letter of support.docx”?" in confirm.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(urls["remove"])
    assert response.status_code == 303 and response["Location"] == url
    text = client.get(url).content.decode()
    assert "“Letter of support.docx” has been removed from your offer." in text
    assert 'id="no-documents"' in text
    assert count(offer) == 0 and stored_files(private_storage) == []


def test_a_refused_upload_shows_the_error_by_the_field_and_keeps_the_description(client, world, offer):
    client.force_login(world.supplier_both_user)
    url = _urls(offer)["list"]
    response = client.post(url, {"file": upload("Plan.pdf", EXE), "description": "Our delivery plan"})
    text = response.content.decode()
    assert response.status_code == 422
    assert "<title>Error: " in text
    assert "govuk-error-summary" in text and 'href="#id_file"' in text
    assert 'id="id_file-error"' in text and "but it is a Windows program, not a PDF" in text
    assert 'value="Our delivery plan"' in text
    response = client.post(url, {"description": "No file"})
    assert response.status_code == 422 and "Select a file to upload" in response.content.decode()
    assert count(offer) == 0


def test_an_oversized_upload_is_not_read_in_full(client, world, offer, settings, private_storage):
    settings.OFFER_DOCUMENT_MAX_MB = 1
    client.force_login(world.supplier_both_user)
    big = pdf_bytes() + b"%" + b"x" * (1024 * 1024)
    response = client.post(_urls(offer)["list"], {"file": upload("Plan.pdf", big)})
    assert response.status_code == 422
    text = response.content.decode()
    assert "The selected file must be 1 MB or smaller" in text and 'id="id_file-error"' in text
    assert "A PDF, DOCX or XLSX file, 1 MB or smaller" in text
    assert count(offer) == 0 and stored_files(private_storage) == []


def test_a_file_uploaded_to_a_temporary_file_is_hashed_as_stored(client, world, offer, settings, private_storage):
    settings.FILE_UPLOAD_MAX_MEMORY_SIZE = 1024  # larger uploads arrive as a temporary file on disk, not in memory
    client.force_login(world.supplier_both_user)
    data = xlsx_bytes()
    assert len(data) > 1024
    assert client.post(_urls(offer)["list"], {"file": upload("Figures.xlsx", data)}).status_code == 303
    with authority_scope(world.a):
        document = OfferDocument.objects.get(offer=offer)
    [path] = stored_files(private_storage)
    assert path.read_bytes() == data
    assert (document.size, document.sha256) == (len(data), hashlib.sha256(data).hexdigest())


def test_the_upload_form_goes_when_the_offer_is_full(client, world, offer):
    for number in range(documents.MAX_DOCUMENTS):
        add(world, offer, name=f"Letter {number}.docx", content=docx_bytes())
    client.force_login(world.supplier_both_user)
    text = client.get(_urls(offer)["list"]).content.decode()
    assert 'id="documents-full"' in text and 'type="file"' not in text


def test_read_only_once_submitted_and_after_the_deadline(client, world, tender, offer):
    document = add(world, offer)
    client.force_login(world.supplier_both_user)
    urls = _urls(offer, document)
    with authority_scope(world.a):
        offers.offer_submit(offer=offer, acting_user=world.supplier_both_user)

    page = client.get(urls["list"])
    text = page.content.decode()
    assert page.status_code == 200
    assert "Withdraw your offer to change its documents" in text
    assert reverse("tenders:offer-withdraw", args=[world.a.slug, offer.pk]) in text
    assert 'type="file"' not in text and urls["remove"] not in text
    assert urls["download"] in text  # still theirs to read
    refused = client.post(urls["list"], {"file": upload("Late.pdf", pdf_bytes())})
    assert refused.status_code == 422 and "Withdraw your offer to change its documents" in refused.content.decode()
    assert client.get(urls["remove"]).status_code == 200
    assert "You cannot remove" in client.get(urls["remove"]).content.decode()
    assert client.post(urls["remove"]).status_code == 422
    assert count(offer) == 1

    with authority_scope(world.a):
        offers.offer_withdraw(offer=offer, acting_user=world.supplier_both_user)
    past_the_deadline(tender)
    text = client.get(urls["list"]).content.decode()
    assert "The deadline for offers was" in text and 'type="file"' not in text
    refused = client.post(urls["list"], {"file": upload("Late.pdf", pdf_bytes())})
    assert refused.status_code == 422 and "The deadline for offers was" in refused.content.decode()
    assert client.post(urls["remove"]).status_code == 422
    assert client.get(urls["download"]).status_code == 200
    assert count(offer) == 1


def test_nobody_else_reaches_the_documents(client, world, offer):
    document = add(world, offer)
    urls = _urls(offer, document)
    outsiders = (
        world.supplier_one_user,
        world.resident,
        world.community_user,
        world.user(world.a, Role.ADMIN),
        world.user(world.a, Role.PROCUREMENT_OFFICER),
    )
    for outsider in outsiders:
        client.force_login(outsider)
        for url in urls.values():
            assert client.get(url).status_code == 404, (outsider, url)
        assert client.post(urls["list"], {"file": upload("Mine.pdf", pdf_bytes())}).status_code == 404
        assert client.post(urls["remove"]).status_code == 404
    client.force_login(world.supplier_both_user)  # bids to authority B as well: B's slug finds no such offer
    for url in _urls(offer, document, authority=world.b).values():
        assert client.get(url).status_code == 404
    assert client.get(reverse("tenders:offer-documents", args=["no-such-council", offer.pk])).status_code == 404
    client.logout()
    response = client.get(urls["list"])
    assert response.status_code == 302 and "/sign-in/" in response["Location"]
    assert count(offer) == 1


def test_another_offers_document_is_not_found_under_this_offer(client, world, tender, offer):
    other_offer = _draft(world, tender, organisation=world.supplier_one, user=world.supplier_one_user)
    theirs = add(world, other_offer, user=world.supplier_one_user)
    client.force_login(world.supplier_both_user)
    for url in (
        reverse("tenders:offer-document-download", args=[world.a.slug, offer.pk, theirs.pk]),
        reverse("tenders:offer-document-remove", args=[world.a.slug, offer.pk, theirs.pk]),
    ):
        assert client.get(url).status_code == 404


def test_download_names_are_quoted_safely(client, world, offer):
    document = add(world, offer, name='Plan "final"; v2 – Moor End.pdf')
    client.force_login(world.supplier_both_user)
    response = client.get(_urls(offer, document)["download"])
    assert response["Content-Disposition"] == (
        "attachment; filename*=utf-8''Plan%20%22final%22%3B%20v2%20%E2%80%93%20Moor%20End.pdf"
    )


def test_an_upload_without_the_csrf_token_is_refused(world, offer):
    # The page lifts Django's CSRF check only to put its size guard in place first; it checks the token itself.
    client = Client(enforce_csrf_checks=True)
    client.force_login(world.supplier_both_user)
    response = client.post(_urls(offer)["list"], {"file": upload("Plan.pdf", pdf_bytes())})
    assert response.status_code == 403
    assert count(offer) == 0
