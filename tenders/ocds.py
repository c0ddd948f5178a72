"""Importing published notices in the Open Contracting Data Standard (OCDS 1.1) as draft tenders.

Three layers, each usable on its own:
- reading the file (`read_ocds`): bytes in, the releases it holds or one file-level error out; no database;
- mapping one release (`map_release`): a release in, the draft's fields and a per-field report out; pure;
- the import (`ocds_import`): one transaction per file; each release that maps becomes a DRAFT through
  `tender_create_draft`, the others are reported; one audit event counts what happened.

What is read: a release package (`releases`), a single release (an object with an `ocid`), or a record package
(`records`, using each record's `compiledRelease`; linked releases are never fetched). Releases without a
`tender` section are listed as having nothing to import.

Mapping (OCDS path → draft tender field):

    tender.id (the ocid when missing or over 50 characters)    → reference (new to the authority and the file)
    tender.title (required; cut to 200 characters)             → title
    tender.description                                         → description
    tender.procurementMethod, …Details, …Rationale             → a paragraph at the end of the description
    tender.value.amount + .currency (required; GBP only)       → estimated value excluding VAT (OCDS does not say)
    tender.mainProcurementCategory goods/services/works        → category (missing: from the CPV divisions when
                                                                  they agree, otherwise services)
    tender.classification and .additionalClassifications[],
      then tender.items[].classification and
      .additionalClassifications[], with scheme CPV            → CPV codes, the tender's main code first, each
                                                                  once (check digit removed: 45233162-2 → 45233162)
    tender.tenderPeriod.startDate                              → publication date; its London date is the
                                                                  procurement start date
    tender.tenderPeriod.endDate                                → submission deadline
    tender.enquiryPeriod.endDate                               → clarification deadline
    tender.contractPeriod.durationInDays, or start and end     → contract term in months (days ÷ 30.4375, rounded)
    tender.lots[] (lots extension): title, description, value  → lots, in file order
    parties[] with role procuringEntity, else buyer:
      contactPoint.name, contactPoint.email                    → contact name, contact email
    release id and ocid                                        → source: "OCDS release <id> (<ocid>)"
    buyer {id, name}, parties[] with role buyer: name,
      identifier and additionalIdentifiers (.legalName)        → not stored: whose notice it is (below)

Rules, in the words the report uses:
- A problem with one field is reported against its OCDS path ("Release 2 (ocds-213czf-000-00001),
  tender.value.amount: not a number") and that value is left out; the rest of the release is still imported.
- A release without a usable title, value or reference, or whose reference is already taken, is skipped with the
  reason. Every other release becomes a draft: valid drafts are created even when other releases fail.
- Only pounds sterling: a value in another currency is reported, never converted, so that release is skipped.
- A lot without a usable value is left out (the officer adds it by hand); the tender's other lots are kept. A tender
  without a value of its own takes the total of its lots when every lot has one.
- Codes not in our CPV 2008 table are reported and left out. Light-touch services cannot be said in OCDS: a
  services tender says so in a note, for the officer to change the category.
- Notes say what was assumed (a category chosen, a time without a zone read as London time, a title shortened):
  check them in the draft. Nothing is ever published by an import.
- A release another body bought is skipped, naming the buyer as the file gives it ("Release 3 (ocds-…): the buyer
  is Eastvale District Council, not Northmoor Borough Council: import it there"). A local authority code (scheme
  GB-LAC, or an id like GB-LAC-E09000003) equal to the authority's GSS code makes it the authority's; otherwise its
  names decide, spelt any of the ways `buyer_names.same_buyer` allows; a GB-LAC code alone that differs refuses it.
  A release with no buyer, or only identifiers we hold nothing to compare with (GB-PPON, GB-GOR), imports with a
  note that it could not be checked.
- The whole file is one transaction: if anything unexpected fails, no draft from the file is kept.
"""

import json
import re
from dataclasses import dataclass, field
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.utils import timezone

from accounts.audit import audit_record
from accounts.models import Authority, User
from accounts.scoping import authority_scope
from foundation.errors import DomainError
from foundation.formatting import money_pence

from .buyer_names import same_buyer
from .models import CpvCode, Tender, TenderCategory
from .services import tender_create_draft

MAX_FILE_BYTES = 5 * 1024 * 1024
MAX_RELEASES = 1000
MAX_AMOUNT = Decimal("999999999999.99")  # the largest value the model stores (14 digits, 2 places)
TWO_PLACES = Decimal("0.01")
DAYS_PER_MONTH = Decimal("30.4375")  # 365.25 / 12
MAX_TERM_MONTHS = 600

REFERENCE_LIMIT = 50
TITLE_LIMIT = 200
CONTACT_NAME_LIMIT = 150
SOURCE_LIMIT = 200

CATEGORIES = {"goods": TenderCategory.GOODS, "services": TenderCategory.SERVICES, "works": TenderCategory.WORKS}
# The OCDS method codelist (codelists/method.csv).
METHODS = {"open": "Open", "selective": "Selective", "limited": "Limited", "direct": "Direct"}
# tender.status values that mean the process has moved on from inviting tenders.
FINISHED_STATUSES = {"cancelled", "unsuccessful", "complete", "withdrawn"}
CPV_PATTERN = re.compile(r"(\d{8})(?:-\d)?")
DATE_TIME_PATTERN = re.compile(r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}")
DATE_ONLY_PATTERN = re.compile(r"\d{4}-\d{2}-\d{2}")
ORG_ID_PATTERN = re.compile(r"[A-Z]{2}-[A-Z]{2,}-\S")


# The report ---------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Problem:
    """One thing to tell the officer about one field of one release. A note is information; an error means the
    value (or, with `ReleaseReport.skipped`, the whole release) was left out."""

    path: str
    message: str
    is_note: bool = False


@dataclass
class ReleaseReport:
    position: int  # 1-based, in file order
    kind: str = "Release"  # "Record" for a record package's compiled release
    ocid: str = ""
    release_id: str = ""
    fields: dict = field(default_factory=dict)
    cpv_codes: list[tuple[str, str]] = field(default_factory=list)  # (OCDS path, 8-digit code)
    lots: list[dict] = field(default_factory=list)
    buyer_names: list[str] = field(default_factory=list)  # as the file gives them, the buyer's own first
    buyer_identifiers: list[tuple[str, str]] = field(default_factory=list)  # (scheme or "", id)
    problems: list[Problem] = field(default_factory=list)
    skipped: str = ""  # why no draft was (or would be) made from this release
    has_tender: bool = True
    tender: Tender | None = None

    @property
    def label(self) -> str:
        return f"{self.kind} {self.position} ({self.ocid})" if self.ocid else f"{self.kind} {self.position}"

    @property
    def importable(self) -> bool:
        return self.has_tender and not self.skipped

    def error(self, path: str, message: str) -> None:
        self.problems.append(Problem(path, message))

    def note(self, path: str, message: str) -> None:
        self.problems.append(Problem(path, message, is_note=True))

    def skip(self, reason: str) -> None:
        self.skipped = self.skipped or reason

    def line(self, problem: Problem) -> str:
        return (
            f"{self.label}, {problem.path}: {problem.message}" if problem.path else f"{self.label}: {problem.message}"
        )

    @property
    def error_lines(self) -> list[str]:
        return [self.line(problem) for problem in self.problems if not problem.is_note]

    @property
    def note_lines(self) -> list[str]:
        return [self.line(problem) for problem in self.problems if problem.is_note]

    @property
    def skipped_line(self) -> str:
        return f"{self.label} was skipped: {self.skipped}" if self.skipped else ""


@dataclass
class ImportReport:
    filename: str = ""
    file_kind: str = ""  # "release package", "release" or "record package"
    file_errors: list[str] = field(default_factory=list)
    releases: list[ReleaseReport] = field(default_factory=list)
    dry_run: bool = False

    @property
    def created(self) -> list[ReleaseReport]:
        """The releases that made a draft (in a dry run: that would make one)."""
        return [release for release in self.releases if release.importable]

    @property
    def skipped(self) -> list[ReleaseReport]:
        return [release for release in self.releases if release.has_tender and release.skipped]

    @property
    def without_tender(self) -> list[ReleaseReport]:
        return [release for release in self.releases if not release.has_tender]

    @property
    def error_lines(self) -> list[str]:
        return [line for release in self.releases for line in release.error_lines]

    @property
    def note_lines(self) -> list[str]:
        """Notes are about drafts: a skipped release's notes would only be noise."""
        return [line for release in self.created for line in release.note_lines]

    @property
    def ok(self) -> bool:
        """Something was (or in a dry run would be) imported."""
        return not self.file_errors and bool(self.created)

    def summary(self) -> str:
        created = len(self.created)
        parts = [
            f"{created} draft tender{'s' if created != 1 else ''} {'would be ' if self.dry_run else ''}created",
            f"{len(self.skipped)} release{'s' if len(self.skipped) != 1 else ''} skipped",
        ]
        if self.without_tender:
            count = len(self.without_tender)
            parts.append(f"{count} release{'s' if count != 1 else ''} without a tender")
        errors = len(self.error_lines)
        parts.append(f"{errors} problem{'s' if errors != 1 else ''} with fields")
        return ", ".join(parts)


# Reading the file ---------------------------------------------------------------------------------------------


@dataclass
class ParsedFile:
    kind: str = ""
    releases: list[tuple[str, object]] = field(default_factory=list)  # (kind, release) where kind is Release/Record
    error: str = ""


class _NotJson(ValueError):
    pass


def _refuse_constant(name: str):
    raise _NotJson(f"{name} is not a number JSON allows")


def decode_json(data: bytes | str) -> tuple[object, str]:
    """The file's JSON value, or the error explaining why it cannot be read."""
    if isinstance(data, bytes):
        if not data.strip():
            return None, "The file is empty"
        if data.startswith(b"PK\x03\x04"):
            return None, "The file is a zip archive or a spreadsheet, not JSON. Upload the OCDS JSON file itself"
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError as error:
            line = data[: error.start].count(b"\n") + 1
            return None, f"The file is not UTF-8 text (line {line}). OCDS files are JSON in UTF-8"
    else:
        text = data.removeprefix("\ufeff")
    if not text.strip():
        return None, "The file is empty"
    if text.lstrip().startswith("<"):
        return None, "The file looks like XML or HTML, not JSON. Upload an OCDS JSON file"
    try:
        return json.loads(text, parse_float=Decimal, parse_constant=_refuse_constant), ""
    except json.JSONDecodeError as error:
        return None, f"The file is not valid JSON: {error.msg} (line {error.lineno}, column {error.colno})"
    except _NotJson as error:
        return None, f"The file is not valid JSON: {error}"
    except RecursionError:
        return None, "The file is not valid JSON: it is nested too deeply to read"
    except ValueError as error:  # for example an integer too long to convert
        return None, f"The file is not valid JSON: {error}"


def read_ocds(data: bytes | str) -> ParsedFile:
    """The releases in an OCDS release package, single release or record package."""
    value, error = decode_json(data)
    if error:
        return ParsedFile(error=error)
    shape_help = (
        "It must be an OCDS release package (with a “releases” list), a single release (with an “ocid”) "
        "or a record package (with a “records” list)"
    )
    if not isinstance(value, dict):
        return ParsedFile(error=f"The file is JSON but not OCDS. {shape_help}")
    if "releases" in value:
        releases = value["releases"]
        if not isinstance(releases, list):
            return ParsedFile(error="The release package’s “releases” is not a list of releases")
        parsed = ParsedFile(kind="release package", releases=[("Release", release) for release in releases])
    elif "records" in value:
        records = value["records"]
        if not isinstance(records, list):
            return ParsedFile(error="The record package’s “records” is not a list of records")
        parsed = ParsedFile(kind="record package", releases=[("Record", record) for record in records])
    elif "ocid" in value:
        parsed = ParsedFile(kind="release", releases=[("Release", value)])
    else:
        return ParsedFile(error=f"The file is JSON but not OCDS. {shape_help}")
    if not parsed.releases:
        return ParsedFile(
            error=f"The {parsed.kind} has no {'records' if parsed.kind == 'record package' else 'releases'}"
        )
    if len(parsed.releases) > MAX_RELEASES:
        return ParsedFile(
            error=f"The file has {len(parsed.releases)} releases: import at most {MAX_RELEASES} at a time"
        )
    return parsed


# Mapping one release ------------------------------------------------------------------------------------------


def _identifier(value) -> str:
    """An OCDS id: a string or an integer."""
    if isinstance(value, bool):
        return ""
    if isinstance(value, str | int):
        return str(value).strip()
    return ""


def _text(report: ReleaseReport, container: dict, key: str, path: str) -> str | None:
    """A string field: None when missing or null; reported and None when it is not text."""
    value = container.get(key)
    if value is None:
        return None
    if not isinstance(value, str):
        report.error(path, "not text")
        return None
    return value.strip()


def _object(report: ReleaseReport, container: dict, key: str, path: str) -> dict | None:
    value = container.get(key)
    if value is None:
        return None
    if not isinstance(value, dict):
        report.error(path, "not an object")
        return None
    return value


def _shorten(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def parse_amount(report: ReleaseReport, value: object, path: str) -> Decimal | None:
    """`value` is an OCDS Value object; its amount in pounds to 2 places, or None with the problem reported."""
    if value is None:
        report.error(path, "missing")
        return None
    if not isinstance(value, dict):
        report.error(path, "not an object with an amount and a currency")
        return None
    amount = value.get("amount")
    currency = value.get("currency")
    usable = True
    if amount is None:
        report.error(f"{path}.amount", "missing")
        usable = False
    elif isinstance(amount, bool) or not isinstance(amount, int | Decimal):
        report.error(f"{path}.amount", "not a number")
        usable = False
    else:
        amount = Decimal(amount)
        if amount <= 0:
            report.error(f"{path}.amount", "must be more than 0")
            usable = False
        elif amount > MAX_AMOUNT:
            report.error(f"{path}.amount", f"must be {money_pence(MAX_AMOUNT)} or less")
            usable = False
    if currency is None:
        if usable:
            report.note(f"{path}.currency", "missing: the amount was read as pounds sterling (GBP)")
    elif not isinstance(currency, str):
        report.error(f"{path}.currency", "not a currency code")
        usable = False
    elif currency.strip().upper() != "GBP":
        report.error(
            f"{path}.currency",
            f"{currency.strip()}: only pounds sterling (GBP) can be imported for now; the amount was not converted",
        )
        usable = False
    if not usable:
        return None
    rounded = amount.quantize(TWO_PLACES, rounding=ROUND_HALF_UP)
    if rounded != amount:
        report.note(f"{path}.amount", f"rounded to the nearest penny: {money_pence(rounded)}")
        if rounded <= 0:
            report.error(f"{path}.amount", "must be more than 0")
            return None
    return rounded


def parse_date_time(report: ReleaseReport, container: dict, key: str, path: str) -> datetime | None:
    """An OCDS date-time as an aware datetime. A time without a zone is read as London time (and noted)."""
    text = _text(report, container, key, path)
    if not text:
        return None
    if DATE_ONLY_PATTERN.fullmatch(text):
        report.error(path, f"“{text}” is a date without a time: give a date and time, like {text}T12:00:00Z")
        return None
    try:
        if not DATE_TIME_PATTERN.match(text):
            raise ValueError
        moment = datetime.fromisoformat(text)
    except ValueError:
        report.error(path, f"“{_shorten(text, 40)}” is not a date and time, like 2026-03-01T12:00:00Z")
        return None
    if timezone.is_naive(moment):
        report.note(path, "has no time zone: it was read as London time")
        moment = moment.replace(tzinfo=ZoneInfo(settings.TIME_ZONE))
    return moment


def _cpv_codes(report: ReleaseReport, tender: dict) -> None:
    """The tender's own classification first (many notices give their main CPV code only there), then the
    items' codes; each code once, at the first path it appears."""
    _classifications(report, tender, "tender")
    items = tender.get("items")
    if items is None:
        return
    if not isinstance(items, list):
        report.error("tender.items", "not a list")
        return
    for index, item in enumerate(items):
        item_path = f"tender.items[{index}]"
        if not isinstance(item, dict):
            report.error(item_path, "not an object")
            continue
        _classifications(report, item, item_path)


def _classifications(report: ReleaseReport, container: dict, container_path: str) -> None:
    """The CPV codes of one `classification` and its `additionalClassifications` (of the tender or an item)."""
    classifications = [("classification", container.get("classification"))]
    additional = container.get("additionalClassifications")
    if isinstance(additional, list):
        classifications += [(f"additionalClassifications[{number}]", each) for number, each in enumerate(additional)]
    elif additional is not None:
        report.error(f"{container_path}.additionalClassifications", "not a list")
    for name, classification in classifications:
        path = f"{container_path}.{name}"
        if classification is None:
            continue
        if not isinstance(classification, dict):
            report.error(path, "not an object")
            continue
        scheme = classification.get("scheme")
        code = _identifier(classification.get("id"))
        if not isinstance(scheme, str) or scheme.strip().upper() != "CPV":
            if code:
                report.note(f"{path}.scheme", f"{scheme!s} is not CPV, so the code {code} was not used")
            continue
        match = CPV_PATTERN.fullmatch(code)
        if not match:
            report.error(f"{path}.id", f"“{_shorten(code, 20)}” is not a CPV code (8 digits, like 45233130-9)")
            continue
        if match[1] not in {existing for _, existing in report.cpv_codes}:
            report.cpv_codes.append((f"{path}.id", match[1]))


def _category_from_cpv(codes: list[str]) -> str | None:
    """The category CPV's own structure implies: division 45 is works, 03–44 and 48 are supplies (goods), 50 and
    above are services. None when the codes disagree or there are none."""
    categories = set()
    for code in codes:
        division = int(code[:2])
        if division == 45:
            categories.add(TenderCategory.WORKS)
        elif division >= 50:
            categories.add(TenderCategory.SERVICES)
        else:
            categories.add(TenderCategory.GOODS)
    return categories.pop() if len(categories) == 1 else None


LIGHT_TOUCH_NOTE = "OCDS cannot say light-touch services, so change the category if this contract is light-touch"


def _category(report: ReleaseReport, tender: dict) -> str:
    """The stated category; when missing or unknown, the one the CPV codes agree on, else services. One message."""
    path = "tender.mainProcurementCategory"
    text = _text(report, tender, "mainProcurementCategory", path)
    category = CATEGORIES.get(text.lower()) if text else None
    if category is not None:
        if category == TenderCategory.SERVICES:
            report.note(path, f"services: {LIGHT_TOUCH_NOTE}")
        return category
    inferred = _category_from_cpv([code for _, code in report.cpv_codes])
    category = inferred or TenderCategory.SERVICES
    message = f"{category.label.lower()} was chosen from the CPV codes" if inferred else "services was chosen"
    if category == TenderCategory.SERVICES:
        message += f"; {LIGHT_TOUCH_NOTE}"
    if text:
        report.error(path, f"“{_shorten(text, 40)}” is not goods, services or works: {message}")
    else:
        report.note(path, f"missing: {message}")
    return category


def _procurement_method(report: ReleaseReport, tender: dict) -> str:
    """The method, its details and rationale as a paragraph for the description (a tender has no field for them)."""
    method = _text(report, tender, "procurementMethod", "tender.procurementMethod")
    details = _text(report, tender, "procurementMethodDetails", "tender.procurementMethodDetails")
    rationale = _text(report, tender, "procurementMethodRationale", "tender.procurementMethodRationale")
    if not (method or details or rationale):
        return ""
    sentences = []
    if method:
        title = METHODS.get(method.lower())
        sentences.append(f"{title} ({method.lower()})." if title else f"{method}.")
        if title is None:
            report.note(
                "tender.procurementMethod", f"“{_shorten(method, 40)}” is not open, selective, limited or direct"
            )
    if details:
        sentences.append(f"Details: {details}" + ("" if details.endswith(".") else "."))
    if rationale:
        sentences.append(f"Rationale: {rationale}" + ("" if rationale.endswith(".") else "."))
    path = (
        "tender.procurementMethod"
        if method
        else ("tender.procurementMethodDetails" if details else "tender.procurementMethodRationale")
    )
    report.note(path, "written at the end of the description, as a tender here has no procurement method field")
    return "Procurement method in the published notice: " + " ".join(sentences)


def _contract_term(report: ReleaseReport, tender: dict) -> int | None:
    path = "tender.contractPeriod"
    period = _object(report, tender, "contractPeriod", path)
    if not period:
        return None
    days = period.get("durationInDays")
    source = f"{path}.durationInDays"
    if days is not None and (isinstance(days, bool) or not isinstance(days, int | Decimal) or days <= 0):
        report.error(source, "not a whole number of days above 0")
        days = None
    if days is None:
        start = parse_date_time(report, period, "startDate", f"{path}.startDate")
        end = parse_date_time(report, period, "endDate", f"{path}.endDate")
        if not (start and end):
            return None
        if end <= start:
            report.error(f"{path}.endDate", "is not after the start date")
            return None
        days = Decimal((end - start).total_seconds()) / 86400
        source = f"{path}.startDate and endDate"
    months = max(1, int((Decimal(days) / DAYS_PER_MONTH).to_integral_value(rounding=ROUND_HALF_UP)))
    if months > MAX_TERM_MONTHS:
        report.error(path, f"a contract term of {months} months is longer than the {MAX_TERM_MONTHS} months allowed")
        return None
    report.note(path, f"the contract term of {months} month{'s' if months != 1 else ''} was worked out from {source}")
    return months


def _contact(report: ReleaseReport, release: dict) -> dict:
    parties = release.get("parties")
    if parties is None:
        return {}
    if not isinstance(parties, list):
        report.error("parties", "not a list")
        return {}
    chosen = None
    for role in ("procuringEntity", "buyer"):
        for index, party in enumerate(parties):
            if isinstance(party, dict) and isinstance(party.get("roles"), list) and role in party["roles"]:
                chosen = (index, party)
                break
        if chosen:
            break
    if chosen is None:
        return {}
    index, party = chosen
    path = f"parties[{index}].contactPoint"
    contact_point = _object(report, party, "contactPoint", path)
    if not contact_point:
        return {}
    contact = {}
    name = _text(report, contact_point, "name", f"{path}.name")
    if name:
        if len(name) > CONTACT_NAME_LIMIT:
            report.note(f"{path}.name", f"shortened to {CONTACT_NAME_LIMIT} characters")
        contact["contact_name"] = _shorten(name, CONTACT_NAME_LIMIT)
    email = _text(report, contact_point, "email", f"{path}.email")
    if email:
        try:
            validate_email(email)
            if len(email) > 254:
                raise ValidationError("too long")
        except ValidationError:
            report.error(f"{path}.email", f"“{_shorten(email, 60)}” is not an email address")
        else:
            contact["contact_email"] = email
    return contact


def _buyer(report: ReleaseReport, release: dict) -> None:
    """Who the release says bought: `buyer` and the parties with the role buyer (names and identifiers). Read
    leniently, as they only decide whose notice it is; anything unreadable counts as not given."""
    buyer = release.get("buyer")
    candidates = [buyer] if isinstance(buyer, dict) else []
    parties = release.get("parties")
    if isinstance(parties, list):
        candidates += [
            party
            for party in parties
            if isinstance(party, dict) and isinstance(party.get("roles"), list) and "buyer" in party["roles"]
        ]
    for candidate in candidates:
        identifiers = [candidate.get("identifier")]
        if isinstance(candidate.get("additionalIdentifiers"), list):
            identifiers += candidate["additionalIdentifiers"]
        names = [candidate.get("name")] + [each.get("legalName") for each in identifiers if isinstance(each, dict)]
        for name in names:
            if isinstance(name, str) and name.strip() and name.strip() not in report.buyer_names:
                report.buyer_names.append(name.strip())
        # buyer.id is often the organisation identifier run together, like GB-LAC-E09000003.
        pairs = [("", candidate.get("id"))] + [
            (each.get("scheme"), each.get("id")) for each in identifiers if isinstance(each, dict)
        ]
        for scheme, value in pairs:
            value = _identifier(value)
            # Without a scheme, an id is an organisation identifier only in the org-id form (GB-LAC-…); else it
            # is the party's id within the file.
            if value and (scheme or ORG_ID_PATTERN.match(value)):
                report.buyer_identifiers.append((scheme.strip() if isinstance(scheme, str) else "", value))


def _lots(report: ReleaseReport, tender: dict) -> tuple[list[dict], bool]:
    """The lots that can be imported, and whether every lot in the file could be."""
    lots = tender.get("lots")
    if lots is None:
        return [], True
    if not isinstance(lots, list):
        report.error("tender.lots", "not a list")
        return [], False
    found, complete = [], True
    for index, lot in enumerate(lots):
        path = f"tender.lots[{index}]"
        if not isinstance(lot, dict):
            report.error(path, "not an object: the lot was left out")
            complete = False
            continue
        value = parse_amount(report, lot.get("value"), f"{path}.value")
        if value is None:
            report.error(path, "the lot was left out because it has no usable value: add it to the draft by hand")
            complete = False
            continue
        title = _text(report, lot, "title", f"{path}.title")
        if not title:
            lot_id = _identifier(lot.get("id"))
            title = f"Lot {lot_id or index + 1}"
            report.note(f"{path}.title", f"missing: the lot is called “{title}”")
        elif len(title) > TITLE_LIMIT:
            report.note(f"{path}.title", f"shortened to {TITLE_LIMIT} characters")
        description = _text(report, lot, "description", f"{path}.description") or ""
        found.append({"title": _shorten(title, TITLE_LIMIT), "description": description, "estimated_value": value})
    return found, complete


def map_release(release: object, *, position: int, kind: str = "Release") -> ReleaseReport:
    """The draft tender a release describes (in `fields`, `cpv_codes` and `lots`) and what could not be read.

    Pure: CPV codes are only checked for their shape here, and references for their length; `ocds_import` checks
    them against the database.
    """
    report = ReleaseReport(position=position, kind=kind)
    if kind == "Record":
        if not isinstance(release, dict):
            report.error("", "not an object, so not a record")
            report.skip("it is not a record")
            return report
        report.ocid = _identifier(release.get("ocid"))
        compiled = release.get("compiledRelease")
        if not isinstance(compiled, dict):
            report.skip("it has no compiledRelease (linked releases are not fetched)")
            return report
        release = compiled
    if not isinstance(release, dict):
        report.error("", "not an object, so not a release")
        report.skip("it is not a release")
        return report
    report.ocid = _identifier(release.get("ocid")) or report.ocid
    report.release_id = _identifier(release.get("id"))
    tender = release.get("tender")
    if tender is None:
        report.has_tender = False
        return report
    if not isinstance(tender, dict):
        report.error("tender", "not an object")
        report.skip("its tender section cannot be read")
        return report

    fields = report.fields
    reference = _identifier(tender.get("id"))
    if tender.get("id") is not None and not reference:
        report.error("tender.id", "not text or a number")
    if len(reference) > REFERENCE_LIMIT:
        report.error("tender.id", f"longer than {REFERENCE_LIMIT} characters, so it cannot be the reference")
        reference = ""
    if not reference:
        if report.ocid and len(report.ocid) <= REFERENCE_LIMIT:
            reference = report.ocid
            report.note("tender.id", f"no usable tender id: the ocid {reference} is the reference")
        else:
            report.skip(f"it has no usable reference (tender.id, or an ocid of {REFERENCE_LIMIT} characters or fewer)")
    fields["reference"] = reference

    raw_title = tender.get("title")
    title = _text(report, tender, "title", "tender.title")
    if not title:
        if raw_title is None or isinstance(raw_title, str):
            report.error("tender.title", "missing")
        report.skip("it has no title (tender.title)")
    elif len(title) > TITLE_LIMIT:
        report.note("tender.title", f"shortened to {TITLE_LIMIT} characters")
    fields["title"] = _shorten(title or "", TITLE_LIMIT)

    _cpv_codes(report, tender)
    fields["category"] = _category(report, tender)
    status = _text(report, tender, "status", "tender.status")
    if status in FINISHED_STATUSES:
        report.note("tender.status", f"{status} in the notice; imported as a draft all the same")

    lots, all_lots = _lots(report, tender)
    report.lots = lots
    if tender.get("value") is None and lots and all_lots:
        value = sum((lot["estimated_value"] for lot in lots), Decimal(0))
        report.note("tender.value", f"missing: the total of the lots’ values, {money_pence(value)}, was used")
    else:
        value = parse_amount(report, tender.get("value"), "tender.value")
    if value is None:
        report.skip("it has no usable value (tender.value)")
    else:
        fields["estimated_value"] = value
        lots_total = sum((lot["estimated_value"] for lot in lots), Decimal(0))
        if lots_total > value:
            report.note(
                "tender.lots",
                f"the lots add up to {money_pence(lots_total)}, more than the tender’s {money_pence(value)}",
            )

    description = _text(report, tender, "description", "tender.description") or ""
    method = _procurement_method(report, tender)
    fields["description"] = "\n\n".join(part for part in (description, method) if part)

    tender_period = _object(report, tender, "tenderPeriod", "tender.tenderPeriod") or {}
    publish_at = parse_date_time(report, tender_period, "startDate", "tender.tenderPeriod.startDate")
    deadline = parse_date_time(report, tender_period, "endDate", "tender.tenderPeriod.endDate")
    enquiry_period = _object(report, tender, "enquiryPeriod", "tender.enquiryPeriod") or {}
    clarification = parse_date_time(report, enquiry_period, "endDate", "tender.enquiryPeriod.endDate")
    if publish_at:
        fields["publish_at"] = publish_at
        fields["procurement_start_date"] = timezone.localtime(publish_at).date()
    if deadline:
        fields["submission_deadline"] = deadline
        if publish_at and deadline <= publish_at:
            report.note("tender.tenderPeriod.endDate", "the submission deadline is not after the publication date")
    if clarification:
        fields["clarification_deadline"] = clarification
        if deadline and clarification > deadline:
            report.note("tender.enquiryPeriod.endDate", "the clarification deadline is after the submission deadline")

    months = _contract_term(report, tender)
    if months:
        fields["contract_term_months"] = months
    fields.update(_contact(report, release))
    _buyer(report, release)
    what = "OCDS compiled release" if kind == "Record" else "OCDS release"
    fields["source"] = _shorten(f"{what} {report.release_id or '(no id)'} ({report.ocid or 'no ocid'})", SOURCE_LIMIT)
    return report


# The import ---------------------------------------------------------------------------------------------------


def _read_file(file) -> tuple[bytes | str, str]:
    """The upload's content (at most one byte over the limit) and its name."""
    if isinstance(file, bytes | str):
        return file, ""
    name = Path(getattr(file, "name", "") or "").name
    if hasattr(file, "seek"):
        file.seek(0)
    return file.read(MAX_FILE_BYTES + 1), name


LOCAL_AUTHORITY_SCHEME = "GB-LAC"  # org-id.guide: local authority codes, which are GSS codes


def _check_buyers(authority: Authority, releases: list[ReleaseReport]) -> None:
    """Refuse a release that another body bought; note one whose buyer cannot be checked.

    The GSS code decides when the release gives one (as GB-LAC); otherwise the names, through `same_buyer`."""
    gss = authority.gss_code.strip().upper()
    for release in releases:
        if not release.importable:
            continue
        local_codes = []
        for scheme, value in release.buyer_identifiers:
            value = value.upper()
            if scheme.upper() == LOCAL_AUTHORITY_SCHEME:
                local_codes.append(value)
            elif not scheme and value.startswith(f"{LOCAL_AUTHORITY_SCHEME}-"):
                local_codes.append(value.removeprefix(f"{LOCAL_AUTHORITY_SCHEME}-"))
        if gss and gss in local_codes:
            continue
        if release.buyer_names:
            if any(same_buyer(name, authority.name) for name in release.buyer_names):
                continue
            other = release.buyer_names[0]
        elif gss and local_codes:
            other = f"the body with the local authority code {local_codes[0]}"
        elif release.buyer_identifiers:
            scheme, value = release.buyer_identifiers[0]
            release.note(
                "buyer",
                f"the buyer {'-'.join(part for part in (scheme, value) if part)} could not be checked against "
                f"{authority.name}: make sure the notice is yours",
            )
            continue
        else:
            release.note(
                "buyer", f"the release names no buyer, so it could not be checked that it is {authority.name}’s"
            )
            continue
        release.error("", f"the buyer is {other}, not {authority.name}: import it there")
        release.skip(f"the buyer is {other}, not {authority.name}")


def _check_cpv_codes(releases: list[ReleaseReport]) -> None:
    wanted = {code for release in releases if release.importable for _, code in release.cpv_codes}
    known = set(CpvCode.objects.filter(code__in=wanted).values_list("code", flat=True))
    for release in releases:
        if not release.importable:
            continue  # not looked up, so not known to be unknown
        for path, code in release.cpv_codes:
            if code not in known:
                release.error(path, f"{code} is not in the CPV 2008 list, so it was left out")
        release.cpv_codes = [(path, code) for path, code in release.cpv_codes if code in known]


def _check_references(authority: Authority, releases: list[ReleaseReport]) -> None:
    candidates = [release for release in releases if release.importable]
    references = {release.fields["reference"] for release in candidates}
    taken = set(
        Tender.objects.filter(authority=authority, reference__in=references).values_list("reference", flat=True)
    )
    seen: dict[str, ReleaseReport] = {}
    for release in candidates:
        reference = release.fields["reference"]
        if reference in taken:
            release.error("tender.id", f"{authority.name} already has a tender with the reference {reference}")
            release.skip(f"the reference {reference} is already taken")
        elif reference in seen:
            release.error("tender.id", f"the reference {reference} is also used by {seen[reference].label}")
            release.skip(f"the reference {reference} is already used earlier in the file")
        else:
            seen[reference] = release


def ocds_import(*, authority: Authority, acting_user: User | None, file, dry_run: bool = False) -> ImportReport:
    """Create a draft tender from each release of an OCDS file that has a usable tender; report the rest.

    `file` is an uploaded or open file, or its bytes or text. The file is one transaction, with one
    `tender.imported_ocds` audit event when drafts were created (each draft also has its `tender.created`).
    """
    data, filename = _read_file(file)
    report = ImportReport(filename=filename, dry_run=dry_run)
    if len(data) > MAX_FILE_BYTES:
        report.file_errors.append(f"The file must be smaller than {MAX_FILE_BYTES // (1024 * 1024)} MB")
        return report
    parsed = read_ocds(data)
    if parsed.error:
        report.file_errors.append(parsed.error)
        return report
    report.file_kind = parsed.kind
    report.releases = [
        map_release(release, position=position, kind=kind)
        for position, (kind, release) in enumerate(parsed.releases, start=1)
    ]
    with authority_scope(authority), transaction.atomic():
        _check_buyers(authority, report.releases)
        _check_cpv_codes(report.releases)
        _check_references(authority, report.releases)
        if dry_run:
            return report
        for release in report.created:
            try:
                with transaction.atomic():
                    release.tender = tender_create_draft(
                        authority=authority,
                        acting_user=acting_user,
                        cpv_codes=[code for _, code in release.cpv_codes],
                        lots=release.lots,
                        **release.fields,
                    )
            except (DomainError, IntegrityError) as error:
                # Checked above; this is another import or an officer taking the reference at the same moment.
                message = error.message if isinstance(error, DomainError) else "the reference was taken meanwhile"
                path = "tender.items" if getattr(error, "field", None) == "cpv_codes" else "tender.id"
                release.error(path, message)
                release.skip(message)
        created = [release.tender for release in report.created]
        if created:
            audit_record(
                authority=authority,
                actor=acting_user,
                verb="tender.imported_ocds",
                object_type="tender",
                object_repr=f"{len(created)} draft tenders from {filename or 'an OCDS file'}",
                changes={
                    "file": filename,
                    "file_kind": report.file_kind,
                    "releases": len(report.releases),
                    "created": len(created),
                    "skipped": len(report.skipped),
                    "without_tender": len(report.without_tender),
                    "problems": len(report.error_lines),
                    "notes": len(report.note_lines),
                    "references": ", ".join(tender.reference for tender in created),
                },
            )
    return report
