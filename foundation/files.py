"""What a file is, read from its content (never its name or the browser's content type), and the handling every
upload shares: a clean name to show and download it under, and hashing exactly the bytes stored.

- A PDF starts with `%PDF-`; PNG and JPEG by their signatures.
- A DOCX or XLSX is a ZIP (OOXML) package whose [Content_Types].xml declares its main part: /word/document.xml as a
  Word document, /xl/workbook.xml as a workbook. Macro-enabled packages (a macro-enabled content type, or a
  vbaProject.bin part) are known as such (`macros=True`) and have no kind.
- Other common files (programs, scripts, archives, older Office files) are named (`what`) so a refusal can say what
  the file is; they have no kind.
- A ZIP that declares an absurd unpacked size (a zip bomb) raises PackageRefused: the package is opened to read one
  small part, never unpacked.

Which kinds are accepted, and the messages, belong to the caller (tenders.documents for offers' documents,
compact.evidence for delivery evidence).
"""

import hashlib
import re
import unicodedata
import zipfile
import zlib
from dataclasses import dataclass

from django.core.files.base import File

from .errors import DomainError

NAME_MAX_LENGTH = 200

# Zip bomb guard. Genuine Office files unpack to far less than this, and deflate (the only method OOXML uses) cannot
# unpack to more than about 1,032 times its packed size: a package that declares more was made to mislead.
ZIP_MAX_UNPACKED_BYTES = 500 * 1024 * 1024
ZIP_MAX_RATIO = 1100
ZIP_MAX_MEMBERS = 10_000
# [Content_Types].xml is a short list; reading more than this of it is not needed to find the main part.
CONTENT_TYPES_MAX_BYTES = 1024 * 1024


class FileKind:
    """The kinds of file recognised; the values are those of tenders.models.DocumentKind and compact's evidence
    kinds."""

    PDF = "pdf"
    DOCX = "docx"
    XLSX = "xlsx"
    PNG = "png"
    JPEG = "jpeg"


NOUNS = {
    FileKind.PDF: "a PDF",
    FileKind.DOCX: "a Word document (DOCX)",
    FileKind.XLSX: "an Excel spreadsheet (XLSX)",
    FileKind.PNG: "a PNG image",
    FileKind.JPEG: "a JPEG image",
}

# The main part of an OOXML package, by part name: its content type -> (kind if one of ours, what it is, has macros).
_MAIN_PARTS = {
    "/word/document.xml": {
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml": (
            FileKind.DOCX,
            NOUNS[FileKind.DOCX],
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
            FileKind.XLSX,
            NOUNS[FileKind.XLSX],
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

# Signatures of common files: (start of the content, kind if one of ours, what it is).
_SIGNATURES = (
    (b"\x89PNG\r\n\x1a\n", FileKind.PNG, NOUNS[FileKind.PNG]),
    (b"\xff\xd8\xff", FileKind.JPEG, NOUNS[FileKind.JPEG]),
    (b"MZ", None, "a Windows program"),
    (b"\x7fELF", None, "a Linux program"),
    (b"\xcf\xfa\xed\xfe", None, "a macOS program"),
    (b"\xfe\xed\xfa\xcf", None, "a macOS program"),
    (b"\xca\xfe\xba\xbe", None, "a macOS program"),
    (b"#!", None, "a script"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", None, "an older Office file (DOC or XLS) or a password-protected file"),
    (b"{\\rtf", None, "a rich text (RTF) document"),
    (b"GIF8", None, "a GIF image"),
    (b"Rar!", None, "a RAR archive"),
    (b"7z\xbc\xaf\x27\x1c", None, "a 7-Zip archive"),
    (b"\x1f\x8b", None, "a gzip archive"),
    (b"PK\x05\x06", None, "an empty ZIP archive"),
)

_OVERRIDE = re.compile(r"<(?:[\w.-]+:)?Override\b([^>]*)>", re.IGNORECASE)
_DEFAULT = re.compile(r"<(?:[\w.-]+:)?Default\b([^>]*)>", re.IGNORECASE)
_ATTRIBUTE = re.compile(r"([\w:.-]+)\s*=\s*(?:\"([^\"]*)\"|'([^']*)')")


class PackageRefused(DomainError):
    """A ZIP package that cannot be checked (it claims to unpack to an unreasonable size). Shown next to the file
    field."""

    def __init__(self, message: str):
        super().__init__(message, field="file")


@dataclass(frozen=True)
class Sniffed:
    kind: str | None  # a FileKind when the content is one of the kinds recognised
    what: str = ""  # what the content is, for messages ("a Windows program"); "" when not recognised
    macros: bool = False


# What a file is ------------------------------------------------------------------------------------------------


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
        raise PackageRefused(
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
    at its start. PackageRefused for a ZIP that claims an absurd unpacked size."""
    file.seek(0)
    head = file.read(16)
    file.seek(0)
    try:
        if head.startswith(b"%PDF-"):
            return Sniffed(FileKind.PDF, NOUNS[FileKind.PDF])
        if head.startswith(b"PK\x03\x04"):
            if size is None:
                size = file.seek(0, 2)
                file.seek(0)
            return _sniff_package(file, size)
        for signature, kind, what in _SIGNATURES:
            if head.startswith(signature):
                return Sniffed(kind, what)
        return Sniffed(None)
    finally:
        file.seek(0)


# Names and storing ----------------------------------------------------------------------------------------------


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
