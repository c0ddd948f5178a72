"""The UK local authority register (mySociety "UK Local Authority Names and Codes") as Authority rows.

Reading and mapping are plain functions over text, so they are tested without a database; `register_import`
writes the result. The command `manage.py import_authorities` wires the two together.

The register lists past and present authorities; a row with an empty `end-date` is a current one. Rows are
matched to existing authorities on their GSS code, else on their slug, so running an import twice changes
nothing and a renamed council keeps its id, slug and everything it owns.
"""

import csv
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from django.db import transaction
from django.utils.text import slugify

from .audit import audit_record, diff
from .models import Authority, AuthorityKind, Nation

SHIPPED_REGISTER = Path(__file__).resolve().parent / "data" / "uk_local_authorities.csv"

REQUIRED_COLUMNS = (
    "official-name",
    "nice-name",
    "gss-code",
    "end-date",
    "nation",
    "local-authority-type",
)
# Used when present; without it the slug comes from the nice name.
OPTIONAL_COLUMNS = ("gov-uk-slug",)

# The register's `local-authority-type` codes. Anything not listed (SRA: the Greater London Authority, CC: the
# City of London Corporation, and any code added later) is "other".
KIND_BY_TYPE = {
    "NMD": AuthorityKind.DISTRICT,  # non-metropolitan district
    "NID": AuthorityKind.DISTRICT,  # Northern Ireland district
    "CTY": AuthorityKind.COUNTY,
    "UA": AuthorityKind.UNITARY,
    "SCO": AuthorityKind.UNITARY,  # Scottish council area
    "WPA": AuthorityKind.UNITARY,  # Welsh principal area
    "MD": AuthorityKind.METROPOLITAN_BOROUGH,
    "LBO": AuthorityKind.LONDON_BOROUGH,
    "COMB": AuthorityKind.COMBINED_AUTHORITY,
}

NATION_BY_NAME = {nation.label.casefold(): nation for nation in Nation}

# Letter for the country, two digits for the entity type, six for the instance (e.g. E07000223).
GSS_CODE = re.compile(r"^[ENSWK]\d{8}$")

NAME_MAX_LENGTH = Authority._meta.get_field("name").max_length
SLUG_MAX_LENGTH = Authority._meta.get_field("slug").max_length


class RegisterHeaderError(ValueError):
    """The file is not in the register's format: the message names what is missing."""


@dataclass(frozen=True)
class RegisterEntry:
    """One current authority from the register, mapped to the fields of `Authority`."""

    line: int
    name: str
    slug: str
    kind: AuthorityKind
    nation: Nation
    gss_code: str = ""


@dataclass(frozen=True)
class RowError:
    line: int
    message: str

    def __str__(self):
        return f"Line {self.line}: {self.message}"


@dataclass
class RegisterRead:
    entries: list[RegisterEntry] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    ended: int = 0  # rows skipped because the authority no longer exists


@dataclass
class ImportResult:
    created: list[Authority] = field(default_factory=list)
    updated: list[Authority] = field(default_factory=list)
    unchanged: list[Authority] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)


def kind_for_type(type_code: str) -> AuthorityKind:
    return KIND_BY_TYPE.get(type_code.strip().upper(), AuthorityKind.OTHER)


def nation_for_name(name: str) -> Nation:
    try:
        return NATION_BY_NAME[name.strip().casefold()]
    except KeyError:
        known = ", ".join(nation.label for nation in Nation)
        raise ValueError(f'nation "{name}" is not one of {known}') from None


def slug_for_row(row: dict[str, str]) -> str:
    """GOV.UK's slug where the register has one (stable, and what people recognise), else the nice name's."""
    slug = slugify((row.get("gov-uk-slug") or "").strip()) or slugify(row["nice-name"].strip())
    if not slug:
        raise ValueError("neither gov-uk-slug nor nice-name gives a slug")
    return slug[:SLUG_MAX_LENGTH].strip("-")


def unique_slug(base: str, taken: set[str]) -> str:
    """`base`, or `base-2`, `base-3`... — the first not in `taken`, within the slug field's length."""
    base = base[:SLUG_MAX_LENGTH].strip("-")
    slug, number = base, 1
    while slug in taken:
        number += 1
        suffix = f"-{number}"
        slug = base[: SLUG_MAX_LENGTH - len(suffix)].rstrip("-") + suffix
    return slug


def check_header(fieldnames: Iterable[str] | None) -> None:
    present = {name.strip() for name in fieldnames or ()}
    missing = [column for column in REQUIRED_COLUMNS if column not in present]
    if missing:
        raise RegisterHeaderError(
            "The file is not in the local authority register format: it has no "
            + ", ".join(f'"{column}"' for column in missing)
            + (" column" if len(missing) == 1 else " columns")
        )


def is_current(row: dict[str, str]) -> bool:
    return not (row.get("end-date") or "").strip()


def entry_from_row(row: dict[str, str], *, line: int) -> RegisterEntry:
    """Map one register row to an entry; a ValueError's message says what is wrong with it."""
    name = (row.get("official-name") or "").strip()
    if not name:
        raise ValueError("official-name is empty")
    if len(name) > NAME_MAX_LENGTH:
        raise ValueError(f"official-name is longer than {NAME_MAX_LENGTH} characters")
    gss_code = (row.get("gss-code") or "").strip().upper()
    if gss_code and not GSS_CODE.match(gss_code):
        raise ValueError(f'gss-code "{gss_code}" is not a letter followed by 8 digits')
    type_code = (row.get("local-authority-type") or "").strip()
    if not type_code:
        raise ValueError("local-authority-type is empty")
    return RegisterEntry(
        line=line,
        name=name,
        slug=slug_for_row(row),
        kind=kind_for_type(type_code),
        nation=nation_for_name(row.get("nation") or ""),
        gss_code=gss_code,
    )


def register_read(lines: Iterable[str]) -> RegisterRead:
    """Read the register's CSV text: the current authorities, and each bad row with its line number.

    Raises RegisterHeaderError if required columns are missing. Line numbers count the header as line 1 and
    give the line a row starts on (a quoted value may span lines; blank lines are skipped but counted).
    """
    reader = csv.reader(lines)
    header = [name.strip() for name in next(reader, [])]
    check_header(header)
    result = RegisterRead()
    seen_gss: dict[str, int] = {}
    row_start = reader.line_num + 1
    for values in reader:
        line, row_start = row_start, reader.line_num + 1
        if not values:
            continue
        if len(values) > len(header):
            result.errors.append(RowError(line, "the row has more values than the header has columns"))
            continue
        row = dict(zip(header, values, strict=False))
        if not is_current(row):
            result.ended += 1
            continue
        try:
            entry = entry_from_row(row, line=line)
        except ValueError as error:
            result.errors.append(RowError(line, str(error)))
            continue
        if entry.gss_code in seen_gss:
            result.errors.append(
                RowError(line, f"gss-code {entry.gss_code} is also on line {seen_gss[entry.gss_code]}")
            )
            continue
        if entry.gss_code:
            seen_gss[entry.gss_code] = line
        result.entries.append(entry)
    return result


def register_import(*, entries: Iterable[RegisterEntry], dry_run: bool = False) -> ImportResult:
    """Create or update an authority for each entry, in one transaction (rolled back for a dry run).

    An entry matches the authority with its GSS code, else the one with its slug if that has no GSS code yet
    (an authority created by hand). A match gets the register's name, kind and nation; its slug never changes,
    because URLs use it. A new authority gets the entry's slug, numbered if another authority has it.
    """
    result = ImportResult()
    with transaction.atomic():
        existing = list(Authority.objects.select_for_update().order_by("pk"))
        by_gss = {authority.gss_code: authority for authority in existing if authority.gss_code}
        by_slug = {authority.slug: authority for authority in existing}
        taken_slugs = set(by_slug)
        matched: dict[int, int] = {}  # authority pk -> line that matched it

        for entry in entries:
            authority = by_gss.get(entry.gss_code) if entry.gss_code else None
            if authority is None:
                candidate = by_slug.get(entry.slug)
                if candidate is not None and not candidate.gss_code and candidate.pk not in matched:
                    authority = candidate
            elif authority.pk in matched:
                message = f"{authority.name} was already matched on line {matched[authority.pk]}"
                result.errors.append(RowError(entry.line, message))
                continue

            if authority is None:
                authority = Authority.objects.create(
                    name=entry.name,
                    slug=unique_slug(entry.slug, taken_slugs),
                    kind=entry.kind,
                    nation=entry.nation,
                    gss_code=entry.gss_code,
                )
                taken_slugs.add(authority.slug)
                audit_record(
                    authority=authority,
                    actor=None,
                    verb="authority.created_from_register",
                    obj=authority,
                    changes={"gss_code": entry.gss_code, "kind": entry.kind, "nation": entry.nation},
                )
                result.created.append(authority)
            elif _update_from_entry(authority, entry):
                result.updated.append(authority)
            else:
                result.unchanged.append(authority)
            matched[authority.pk] = entry.line

        if dry_run:
            transaction.set_rollback(True)
    return result


def _update_from_entry(authority: Authority, entry: RegisterEntry) -> bool:
    fields = ("name", "kind", "nation", "gss_code")
    before = {name: str(getattr(authority, name)) for name in fields}
    authority.name = entry.name
    authority.kind = entry.kind
    authority.nation = entry.nation
    authority.gss_code = authority.gss_code or entry.gss_code
    after = {name: str(getattr(authority, name)) for name in fields}
    changes = diff(before, after)
    if not changes:
        return False
    authority.save(update_fields=list(changes))
    audit_record(
        authority=authority,
        actor=None,
        verb="authority.updated_from_register",
        obj=authority,
        changes=changes,
    )
    return True
