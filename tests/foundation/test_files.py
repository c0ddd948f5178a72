"""What a file is, from its content (foundation/files.py), and the clean names uploads are shown under. The
offers' and the evidence's rules on top of it are tested in tests/tenders/test_documents.py and
tests/compact/test_evidence.py, with real DOCX, XLSX and PDF files."""

import io
import struct
import zipfile

import pytest

from foundation import files
from foundation.files import FileKind


def _zip(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in members.items():
            archive.writestr(name, content)
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("content", "kind", "what"),
    [
        (b"%PDF-1.7\n...", FileKind.PDF, "a PDF"),
        (b"\x89PNG\r\n\x1a\n....", FileKind.PNG, "a PNG image"),
        (b"\xff\xd8\xff\xe0....", FileKind.JPEG, "a JPEG image"),
        (b"MZ\x90\x00", None, "a Windows program"),
        (b"#!/bin/sh\n", None, "a script"),
        (b"Just some words", None, ""),
    ],
)
def test_the_kind_comes_from_the_first_bytes(content, kind, what):
    found = files.sniff(io.BytesIO(content))
    assert (found.kind, found.what, found.macros) == (kind, what, False)


def test_a_zip_without_office_content_types_is_a_zip_archive():
    assert files.sniff(io.BytesIO(_zip({"notes.txt": b"hello"}))) == files.Sniffed(None, "a ZIP archive")


def test_a_zip_that_claims_an_absurd_size_is_refused_without_unpacking():
    # A 2 GB part declared in the central directory, as a zip bomb's is, so the test needs no gigabytes.
    bomb = bytearray(_zip({"[Content_Types].xml": b"<Types/>", "big.bin": b"small"}))
    at = bomb.find(b"PK\x01\x02")
    while at != -1:
        bomb[at + 24 : at + 28] = struct.pack("<I", 0x7FFFFFFF)  # the entry's uncompressed size
        at = bomb.find(b"PK\x01\x02", at + 4)
    with pytest.raises(files.PackageRefused, match="claims to unpack to an unreasonable size") as refused:
        files.sniff(io.BytesIO(bytes(bomb)))
    assert refused.value.field == "file"


def test_sniffing_leaves_the_file_at_its_start():
    file = io.BytesIO(b"%PDF-1.7 and the rest")
    file.seek(5)
    files.sniff(file)
    assert file.tell() == 0


@pytest.mark.parametrize(
    ("uploaded", "shown"),
    [
        ("C:\\Users\\bo\\Desktop\\Plan.pdf", "Plan.pdf"),
        ("../../etc/Plan.pdf", "Plan.pdf"),
        ("Plan\x00\r\n.pdf", "Plan.pdf"),
        ("report\u202efdp.exe", "reportfdp.exe"),  # the right-to-left override that disguises names is dropped
        ("  Delivery   plan .pdf  ", "Delivery plan .pdf"),
        ("Caf\u0065\u0301 plan.pdf", "Café plan.pdf"),
        ("a" * 300 + ".xlsx", "a" * 195 + ".xlsx"),
        ("b" * 300, "b" * 200),
    ],
)
def test_names_are_cleaned_for_display(uploaded, shown):
    assert files.clean_name(uploaded) == shown
    assert len(files.clean_name(uploaded)) <= files.NAME_MAX_LENGTH
