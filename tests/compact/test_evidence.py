"""Evidence on delivery reports: the kind found from the content (disguised files refused), the size and count
limits, private storage, who may change it and until when, and audit without names."""

import io
import struct
import zlib
from datetime import UTC, datetime
from functools import cache

import openpyxl
import pytest
from django.core.files.storage import storages
from django.core.files.uploadedfile import SimpleUploadedFile

from accounts.models import AuditEvent
from accounts.scoping import authority_scope
from compact import evidence, services
from compact.models import DeliveryLine, Evidence, ReportStatus, Verification
from foundation.errors import DomainError
from tests.compact.factories import build_direct_contract

pytestmark = pytest.mark.django_db

AFTER_FIRST_PERIOD = datetime(2026, 7, 2, 9, 0, tzinfo=UTC)  # light-touch: half-yearly


# Real small files ---------------------------------------------------------------------------------------------


@cache
def pdf_bytes() -> bytes:
    import weasyprint

    return weasyprint.HTML(string="<h1>Apprentices</h1><p>Four started in March.</p>").write_pdf()


def png_bytes() -> bytes:
    """A 1×1 white PNG, written chunk by chunk."""

    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b"\x00\xff\xff\xff"))
        + chunk(b"IEND", b"")
    )


JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00" + b"\x00" * 32 + b"\xff\xd9"


@cache
def xlsx_bytes() -> bytes:
    workbook = openpyxl.Workbook()
    workbook.active.append(["Measure", "Quantity"])
    workbook.active.append(["Apprentices", 4])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


CSV = b"Measure,Quantity,Place\nApprentices,4,Northtown\n"
CSV_BOM_SEMICOLON = "\ufeffMesure;Quantité\nApprentis;4\n".encode()
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff" + b"\x00" * 200 + b"This program cannot be run in DOS mode"


def upload(name: str, content: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="application/octet-stream")


# Fixtures and helpers -----------------------------------------------------------------------------------------


def use_temporary_private_storage(settings, tmp_path, monkeypatch):
    """Private storage in a temporary folder; the FileField resolved its storage when the model was loaded, so it is
    pointed at the overridden one as well. Returns the folder."""
    settings.STORAGES = {
        **settings.STORAGES,
        "private": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": tmp_path / "private", "base_url": None},
        },
    }
    monkeypatch.setattr(Evidence._meta.get_field("file"), "storage", storages["private"])
    return tmp_path / "private"


@pytest.fixture(autouse=True)
def private_storage(settings, tmp_path, monkeypatch):
    return use_temporary_private_storage(settings, tmp_path, monkeypatch)


def stored_files(root) -> list:
    return [path for path in root.rglob("*") if path.is_file()] if root.exists() else []


@pytest.fixture
def contract(world):
    return build_direct_contract(world, world.a)


@pytest.fixture
def report(contract):
    with authority_scope(contract.authority):
        return contract.reports.get(number=1)


def add(world, report, name="Register.pdf", content=None, user=None):
    with authority_scope(report.authority):
        return evidence.evidence_add(
            report=report,
            upload=upload(name, pdf_bytes() if content is None else content),
            acting_user=user or world.supplier_one_user,
        )


def count(report) -> int:
    with authority_scope(report.authority):
        return report.evidence.count()


# What a file is -----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "name, content, kind",
    [
        ("Register.pdf", pdf_bytes, evidence.EvidenceKind.PDF),
        ("Site photo.png", png_bytes, evidence.EvidenceKind.PNG),
        ("Site photo.JPG", lambda: JPEG, evidence.EvidenceKind.JPEG),
        ("Site photo.jpeg", lambda: JPEG, evidence.EvidenceKind.JPEG),
        ("Timesheets.xlsx", xlsx_bytes, evidence.EvidenceKind.XLSX),
        ("Timesheets.csv", lambda: CSV, evidence.EvidenceKind.CSV),
        ("Relevé.csv", lambda: CSV_BOM_SEMICOLON, evidence.EvidenceKind.CSV),
    ],
)
def test_accepted_types_are_found_from_the_content(world, report, private_storage, name, content, kind):
    added = add(world, report, name, content())
    assert added.kind == kind and added.name == name
    assert added.size == len(content()) and len(added.sha256) == 64
    [path] = stored_files(private_storage)
    assert path.read_bytes() == content() and name not in str(path)


@pytest.mark.parametrize(
    "name, content, message",
    [
        ("Timesheets.csv", EXE, "named .csv but it is a Windows program"),
        ("Register.pdf", EXE, "named .pdf but it is a Windows program"),
        ("Site photo.png", JPEG, "named .png but it is a JPEG image"),
        ("Timesheets.csv", b"just some words without separators\nmore\n", "named .csv but it is not a CSV file"),
        ("Timesheets.csv", b"a,b\n\xff\xfe not utf-8\n", "named .csv but it is not a CSV file"),
        ("Timesheets.csv", b"a,b\x00c\n", "named .csv but it is not a CSV file"),
        ("Register.PDF.exe", None, "rename it so that its name ends in .pdf"),
        ("setup.exe", EXE, "must be a PDF, PNG, JPEG, XLSX or CSV. This file is a Windows program"),
        ("Empty.pdf", b"", "The selected file is empty"),
    ],
)
def test_disguised_and_unaccepted_files_are_refused_with_nothing_stored(
    world, report, private_storage, name, content, message
):
    with pytest.raises(evidence.EvidenceRefused, match=message) as refused:
        add(world, report, name, content)
    assert refused.value.field == "file"
    assert count(report) == 0 and stored_files(private_storage) == []


def test_files_over_the_size_limit_are_refused_with_the_limit(world, report, settings, private_storage):
    settings.EVIDENCE_MAX_MB = 1
    with pytest.raises(evidence.EvidenceRefused, match="must be 1 MB or smaller"):
        add(world, report, "Big.csv", b"a,b\n" + b"1,2\n" * 300_000)
    assert count(report) == 0 and stored_files(private_storage) == []


def test_at_most_twenty_files_per_report(world, report, private_storage):
    for number in range(evidence.MAX_EVIDENCE):
        add(world, report, f"Sheet {number}.csv", CSV)
    with pytest.raises(evidence.EvidenceRefused, match="at most 20 files"):
        add(world, report, "One more.csv", CSV)
    assert count(report) == 20 and len(stored_files(private_storage)) == 20


def test_names_are_cleaned(world, report):
    added = add(world, report, "C:\\Users\\me\\Register\u202e.pdf")
    assert added.name == "Register.pdf"


# Who and when -------------------------------------------------------------------------------------------------


def test_only_the_suppliers_members_change_evidence(world, report, private_storage):
    for outsider in (world.supplier_both_user, world.resident):
        with pytest.raises(DomainError, match="Only members of"):
            add(world, report, user=outsider)
    added = add(world, report)
    with authority_scope(report.authority), pytest.raises(DomainError, match="Only members of"):
        evidence.evidence_remove(evidence=added, acting_user=world.supplier_both_user)
    assert count(report) == 1


def test_a_verified_reports_evidence_cannot_change(world, report):
    added = add(world, report)
    with authority_scope(report.authority):
        report.status = ReportStatus.VERIFIED
        report.save(update_fields=["status"])
    with pytest.raises(DomainError, match="has been verified"):
        add(world, report)
    with authority_scope(report.authority), pytest.raises(DomainError, match="has been verified"):
        evidence.evidence_remove(evidence=added, acting_user=world.supplier_one_user)
    assert count(report) == 1


def test_adding_and_removing_are_audited_with_kind_and_size_only(
    world, report, private_storage, django_capture_on_commit_callbacks
):
    added = add(world, report, "Secret partner list.csv", CSV)
    with authority_scope(report.authority), django_capture_on_commit_callbacks(execute=True):
        evidence.evidence_remove(evidence=added, acting_user=world.supplier_one_user)
        assert len(stored_files(private_storage)) == 1  # still there until the removal is committed
    assert count(report) == 0 and stored_files(private_storage) == []
    with authority_scope(report.authority):
        events = list(AuditEvent.objects.filter(verb__startswith="report.evidence_").order_by("id"))
    assert [(e.verb, e.changes) for e in events] == [
        ("report.evidence_added", {"kind": "csv", "size": len(CSV)}),
        ("report.evidence_removed", {"kind": "csv", "size": len(CSV)}),
    ]
    assert all("Secret" not in str(e.changes) and "Secret" not in e.object_repr for e in events)


def test_a_file_the_submitted_report_lists_is_kept_when_removed(
    world, contract, report, private_storage, django_capture_on_commit_callbacks
):
    added = add(world, report)
    with authority_scope(report.authority):
        services.report_submit(
            report=report,
            acting_user=world.supplier_one_user,
            lines={c.pk: ("1", "", "") for c in contract.commitments.all()},
            narrative="",
            now=AFTER_FIRST_PERIOD,
        )
        report.refresh_from_db()
        assert report.content["evidence"][0]["sha256"] == added.sha256
        with django_capture_on_commit_callbacks(execute=True):
            evidence.evidence_remove(evidence=added, acting_user=world.supplier_one_user)
    assert count(report) == 0 and len(stored_files(private_storage)) == 1
    with authority_scope(report.authority):
        assert DeliveryLine.objects.filter(report=report, verification=Verification.PENDING).count() == 2
