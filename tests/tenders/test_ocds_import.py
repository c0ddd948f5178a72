"""Importing published notices (OCDS 1.1) as draft tenders: `tenders/ocds.py`, `manage.py import_ocds` and the
upload page. The worked examples of the OCDS standard are in fixtures/ocds/ (see ATTRIBUTION.md there)."""

import json
from datetime import UTC, date, datetime
from decimal import Decimal
from io import StringIO
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse

from accounts.models import AuditEvent
from accounts.roles import Role, has_permission
from accounts.scoping import authority_scope, dangerously_unscoped
from tenders import ocds
from tenders.models import Tender, TenderStatus
from tenders.ocds import map_release, ocds_import, read_ocds
from tenders.services import tender_create_draft

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "ocds"
LONDON = ZoneInfo("Europe/London")

CYCLE_LANES = "Tenders solicited for work to build new cycle lanes in the centre of town."
OPEN_METHOD = (
    "Procurement method in the published notice: Open (open). "
    "Rationale: An open competitive tender is required by EU Rules."
)
EXAMPLE_NOTES = [
    "Release 1 (ocds-213czf-000-00001), tender.mainProcurementCategory: missing: works was chosen from the CPV codes",
    "Release 1 (ocds-213czf-000-00001), tender.procurementMethod: written at the end of the description, as a "
    "tender here has no procurement method field",
]


@pytest.fixture(autouse=True)
def authority_a_is_the_buyer_of_the_examples(world):
    """The standard's worked examples are London Borough of Barnet's notices (GB-LAC E09000003): authority A
    holds that code, so it may import them; bare_release.json names A (as "Authority A BC")."""
    world.a.gss_code = "E09000003"
    world.a.save(update_fields=["gss_code"])


def bought_by(data: bytes, name: str) -> str:
    """A copy of a release package whose buyer is `name`, without identifiers."""
    package = json.loads(data)
    for release in package["releases"]:
        release["buyer"] = {"name": name}
        for party in release.get("parties", []):
            if "buyer" in party.get("roles", []):
                party["name"] = name
                party.pop("identifier", None)
    return json.dumps(package)


def officer(world, authority=None):
    return world.user(authority or world.a, Role.PROCUREMENT_OFFICER)


def fixture(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


def run_import(world, data, authority=None, **kwargs):
    authority = authority or world.a
    return ocds_import(authority=authority, acting_user=officer(world, authority), file=data, **kwargs)


def tenders_of(authority):
    with authority_scope(authority):
        return list(Tender.objects.filter(authority=authority).prefetch_related("cpv_codes", "lots").order_by("id"))


def cpv_of(tender) -> set[str]:
    return {cpv.code for cpv in tender.cpv_codes.all()}


def audit_events(authority, verb):
    with dangerously_unscoped():
        return list(AuditEvent.objects.filter(authority=authority, verb=verb).order_by("id"))


def release_of(**tender) -> dict:
    """A minimal valid release, with `tender` fields replaced (a value of None removes the field)."""
    base = {"id": "T-1", "title": "Cleaning", "value": {"amount": 1000, "currency": "GBP"}}
    base.update(tender)
    return {"ocid": "ocds-x-1", "id": "rel-1", "tender": {k: v for k, v in base.items() if v is not None}}


def mapped(release=None, **tender):
    data = json.loads(json.dumps(release or release_of(**tender)), parse_float=Decimal)
    return map_release(data, position=1)


# The worked examples of the standard ----------------------------------------------------------------------


def test_the_tender_example_becomes_one_draft_with_every_field(world):
    report = run_import(world, fixture("tender.json"))
    assert report.ok and report.file_kind == "release package"
    [tender] = tenders_of(world.a)
    assert tender.status == TenderStatus.DRAFT
    assert tender.reference == "ocds-213czf-000-00001-01-tender"
    assert tender.title == "Planned cycle lane improvements"
    assert tender.description == f"{CYCLE_LANES}\n\n{OPEN_METHOD}"
    assert tender.category == "works"
    assert tender.estimated_value == Decimal("1100000.00")
    assert tender.vat_rate == Decimal("20")
    assert tender.publish_at == datetime(2010, 3, 1, 9, 0, tzinfo=UTC)
    assert tender.procurement_start_date == date(2010, 3, 1)
    assert tender.submission_deadline == datetime(2011, 4, 1, 18, 0, tzinfo=UTC)
    assert tender.clarification_deadline == datetime(2010, 3, 14, 17, 30, tzinfo=UTC)
    assert tender.contract_term_months is None
    assert (tender.contact_name, tender.contact_email) == ("Procurement Team", "procurement-team@example.com")
    assert tender.source == "OCDS release ocds-213czf-000-00001-02-tender (ocds-213czf-000-00001)"
    # 45233162-2 (an additional classification) loses its check digit.
    assert cpv_of(tender) == {"45233130", "45233162"}
    assert list(tender.lots.all()) == []
    assert tender.created_by == officer(world)
    assert tender.charter_version is None and tender.published_at is None
    assert report.error_lines == []
    assert report.note_lines == EXAMPLE_NOTES
    assert report.summary() == "1 draft tender created, 0 releases skipped, 0 problems with fields"


@pytest.mark.parametrize(
    ("name", "reference", "value", "source", "extra_notes"),
    [
        (
            "tenderUpdate.json",
            "ocds-213czf-000-00001-01-tender",
            "1100000.00",
            "OCDS release ocds-213czf-000-00001-03-tenderUpdate (ocds-213czf-000-00001)",
            [],
        ),
        (
            "tenderAmendment.json",
            "ocds-213czf-000-00001-01-tender",
            "1210000.00",  # the amendment raised the value by 10%
            "OCDS release ocds-213czf-000-00001-03-tenderAmendment (ocds-213czf-000-00001)",
            [],
        ),
        (
            "award.json",
            "ocds-213czf-000-00001-01-tender",
            "1100000.00",
            "OCDS release ocds-213czf-000-00001-04-award (ocds-213czf-000-00001)",
            [
                "Release 1 (ocds-213czf-000-00001), tender.status: complete in the notice; imported as a draft "
                "all the same"
            ],
        ),
        (
            "record.json",
            "ocds-213czf-000-00001-01-tender",
            "1210000.00",
            "OCDS compiled release ocds-213czf-000-00001-06-implementation (ocds-213czf-000-00001)",
            [],
        ),
    ],
)
def test_the_other_examples_with_a_tender_section(world, name, reference, value, source, extra_notes):
    report = run_import(world, fixture(name))
    [tender] = tenders_of(world.a)
    assert tender.reference == reference
    assert tender.title == "Planned cycle lane improvements"
    assert tender.description == f"{CYCLE_LANES}\n\n{OPEN_METHOD}"
    assert tender.estimated_value == Decimal(value)
    assert tender.source == source
    assert tender.category == "works"
    assert cpv_of(tender) == {"45233130", "45233162"}
    assert tender.publish_at == datetime(2010, 3, 1, 9, 0, tzinfo=UTC)
    assert tender.submission_deadline == datetime(2011, 4, 1, 18, 0, tzinfo=UTC)
    assert tender.clarification_deadline == datetime(2010, 3, 14, 17, 30, tzinfo=UTC)
    # The record's compiled release names the buyer only (no procuring entity): its contact point is used.
    assert (tender.contact_name, tender.contact_email) == ("Procurement Team", "procurement-team@example.com")
    assert report.error_lines == []
    label = "Record 1" if name == "record.json" else "Release 1"
    expected = [line.replace("Release 1", label) for line in EXAMPLE_NOTES]
    assert sorted(report.note_lines) == sorted(expected + extra_notes)


def test_the_planning_example_becomes_a_draft_without_deadlines(world):
    report = run_import(world, fixture("planning.json"))
    [tender] = tenders_of(world.a)
    assert tender.reference == "ocds-213czf-000-00001-01-planning"
    assert tender.estimated_value == Decimal("1000000.00")
    assert tender.description.startswith("The authority plans to tender for improvements to the cycle lane")
    assert tender.description.endswith(OPEN_METHOD)
    assert tender.publish_at == datetime(2010, 2, 1, 0, 0, tzinfo=UTC)
    assert tender.procurement_start_date == date(2010, 2, 1)
    assert tender.submission_deadline is None and tender.clarification_deadline is None
    assert report.error_lines == []


def test_a_release_without_a_tender_section_imports_nothing(world):
    report = run_import(world, fixture("contract.json"))
    assert not report.ok and not report.file_errors
    assert [release.label for release in report.without_tender] == ["Release 1 (ocds-213czf-000-00001)"]
    assert report.summary() == (
        "0 draft tenders created, 0 releases skipped, 1 release without a tender, 0 problems with fields"
    )
    assert tenders_of(world.a) == []
    assert audit_events(world.a, "tender.imported_ocds") == []


def test_a_later_release_of_the_same_tender_is_refused_as_a_duplicate(world):
    run_import(world, fixture("tender.json"))
    report = run_import(world, fixture("tenderAmendment.json"))
    assert not report.ok
    assert report.error_lines == [
        "Release 1 (ocds-213czf-000-00001), tender.id: Authority A Borough Council already has a tender with the "
        "reference ocds-213czf-000-00001-01-tender"
    ]
    assert [release.skipped_line for release in report.skipped] == [
        "Release 1 (ocds-213czf-000-00001) was skipped: the reference ocds-213czf-000-00001-01-tender is already taken"
    ]
    [tender] = tenders_of(world.a)
    assert tender.estimated_value == Decimal("1100000.00")  # the first import, untouched


def test_another_authority_is_unaffected_and_may_import_the_same_notice(world):
    run_import(world, fixture("tender.json"))
    assert tenders_of(world.b) == []
    report = run_import(world, bought_by(fixture("tender.json"), "Authority B District Council"), authority=world.b)
    assert report.ok
    [tender_b] = tenders_of(world.b)
    [tender_a] = tenders_of(world.a)
    assert tender_a.pk != tender_b.pk and tender_b.reference == tender_a.reference
    assert tender_b.created_by == officer(world, world.b)
    assert len(audit_events(world.a, "tender.imported_ocds")) == 1
    assert len(audit_events(world.b, "tender.imported_ocds")) == 1


# Whose notice it is -------------------------------------------------------------------------------------


def with_buyer(reference: str, buyer=None, parties=None) -> dict:
    release = release_of(id=reference)
    release["ocid"] = f"ocds-x-{reference}"
    if buyer is not None:
        release["buyer"] = buyer
    if parties is not None:
        release["parties"] = parties
    return release


def test_a_release_another_body_bought_is_refused_naming_it_and_the_others_imported(world):
    world.a.name = "Northmoor Borough Council"
    world.a.save(update_fields=["name"])
    package = {
        "releases": [
            with_buyer("T-1", buyer={"id": "nbc", "name": "The Borough of Northmoor"}),
            with_buyer("T-2", parties=[{"id": "1", "name": "NORTHMOOR B.C.", "roles": ["buyer"]}]),
            with_buyer("T-3", buyer={"id": "GB-PPON-PXYZ-1234-ABCD", "name": "Eastvale District Council"}),
            with_buyer("T-4"),
        ]
    }
    report = run_import(world, json.dumps(package))
    assert [tender.reference for tender in tenders_of(world.a)] == ["T-1", "T-2", "T-4"]
    assert report.error_lines == [
        "Release 3 (ocds-x-T-3): the buyer is Eastvale District Council, not Northmoor Borough Council: import it there"
    ]
    assert [release.skipped_line for release in report.skipped] == [
        "Release 3 (ocds-x-T-3) was skipped: the buyer is Eastvale District Council, not Northmoor Borough Council"
    ]
    assert report.note_lines[-1] == (
        "Release 4 (ocds-x-T-4), buyer: the release names no buyer, so it could not be checked that it is "
        "Northmoor Borough Council’s"
    )
    assert not any("buyer" in line for line in report.note_lines[:-1])


def test_the_local_authority_code_decides_before_the_name(world):
    barnet = {"scheme": "GB-LAC", "id": "E09000003"}
    elsewhere = {"scheme": "GB-LAC", "id": "E09000001"}
    package = {
        "releases": [
            # Authority A holds E09000003, whatever name the notice uses.
            with_buyer("T-1", parties=[{"id": "1", "name": "Barnet", "roles": ["buyer"], "identifier": barnet}]),
            with_buyer("T-2", buyer={"id": "GB-LAC-E09000003"}),
            with_buyer("T-3", parties=[{"id": "1", "roles": ["buyer"], "identifier": elsewhere}]),
            with_buyer(
                "T-4", parties=[{"id": "1", "roles": ["buyer"], "identifier": {"scheme": "GB-PPON", "id": "P1"}}]
            ),
        ]
    }
    report = run_import(world, json.dumps(package))
    assert [tender.reference for tender in tenders_of(world.a)] == ["T-1", "T-2", "T-4"]
    assert report.error_lines == [
        "Release 3 (ocds-x-T-3): the buyer is the body with the local authority code E09000001, not Authority A "
        "Borough Council: import it there"
    ]
    assert (
        "Release 4 (ocds-x-T-4), buyer: the buyer GB-PPON-P1 could not be checked against Authority A Borough "
        "Council: make sure the notice is yours" in report.note_lines
    )


def test_a_notice_for_another_body_is_refused_in_a_dry_run_and_by_the_command(world):
    report = run_import(world, fixture("tender.json"), authority=world.b, dry_run=True)
    assert not report.ok and report.created == []
    assert report.error_lines == [
        "Release 1 (ocds-213czf-000-00001): the buyer is London Borough of Barnet, not Authority B District "
        "Council: import it there"
    ]
    with pytest.raises(CommandError):
        run_command(str(FIXTURES / "tender.json"), "--authority", world.b.slug)
    assert tenders_of(world.b) == []


# Files written for these tests -----------------------------------------------------------------------------


def test_a_bare_release_with_lots_category_method_contact_and_term(world):
    report = run_import(world, fixture("bare_release.json"))
    assert report.file_kind == "release"
    [tender] = tenders_of(world.a)
    assert tender.reference == "TDC-2026-014"
    assert tender.title == "Cleaning of council buildings"
    assert tender.description == (
        "Daily cleaning of the town hall, two libraries and the depot.\n\n"
        "Procurement method in the published notice: Selective (selective). Details: Competitive flexible procedure."
    )
    assert tender.category == "services"
    assert tender.estimated_value == Decimal("480000.50")
    assert tender.contract_term_months == 36  # 1,095 days
    assert tender.publish_at == datetime(2026, 2, 2, 9, 0, tzinfo=UTC)
    assert tender.submission_deadline == datetime(2026, 3, 16, 12, 0, tzinfo=UTC)
    assert tender.clarification_deadline == datetime(2026, 3, 6, 17, 0, tzinfo=UTC)
    # The procuring entity's contact, not the buyer's.
    assert (tender.contact_name, tender.contact_email) == ("Jo Buyer", "jo.buyer@test-district.example.org")
    assert cpv_of(tender) == {"90910000", "90911200"}
    lots = [(lot.number, lot.title, lot.description, lot.estimated_value) for lot in tender.lots.all()]
    assert lots == [
        (1, "Town hall and depot", "Two buildings in the town centre.", Decimal("300000.00")),
        (2, "Libraries", "", Decimal("180000.50")),
    ]
    label = "Release 1 (ocds-test01-cleaning-2026)"
    assert report.error_lines == [
        f"{label}, tender.lots[2].value.amount: missing",
        f"{label}, tender.lots[2]: the lot was left out because it has no usable value: add it to the draft by hand",
    ]
    assert report.note_lines == [
        f"{label}, tender.items[2].classification.scheme: UNSPSC is not CPV, so the code 76111500 was not used",
        f"{label}, tender.mainProcurementCategory: services: OCDS cannot say light-touch services, so change the "
        "category if this contract is light-touch",
        f"{label}, tender.procurementMethod: written at the end of the description, as a tender here has no "
        "procurement method field",
        f"{label}, tender.contractPeriod: the contract term of 36 months was worked out from "
        "tender.contractPeriod.durationInDays",
    ]


def test_a_package_with_good_and_bad_releases_creates_the_good_and_reports_the_rest(world):
    report = run_import(world, fixture("mixed_package.json"))
    assert report.ok
    tenders = {tender.reference: tender for tender in tenders_of(world.a)}
    assert set(tenders) == {"TDC-001", "TDC-003", "ocds-test01-008"}

    laptops = tenders["TDC-001"]
    assert laptops.category == "goods" and cpv_of(laptops) == {"30213100"}
    # A time without a zone is London time (GMT in February).
    assert laptops.publish_at == datetime(2026, 2, 1, 9, 0, tzinfo=LONDON)
    consultancy = tenders["TDC-003"]
    assert cpv_of(consultancy) == {"79411000"}  # the unknown and the malformed codes are left out
    assert consultancy.clarification_deadline is None
    meals = tenders["ocds-test01-008"]
    assert meals.category == "services"
    assert (meals.contact_name, meals.contact_email) == ("Sam", "")

    assert report.error_lines == [
        "Release 2 (ocds-test01-002), tender.value.amount: not a number",
        "Release 3 (ocds-test01-003), tender.items[2].classification.id: “7941” is not a CPV code (8 digits, "
        "like 45233130-9)",
        "Release 3 (ocds-test01-003), tender.enquiryPeriod.endDate: “next Tuesday” is not a date and time, like "
        "2026-03-01T12:00:00Z",
        "Release 3 (ocds-test01-003), tender.items[0].classification.id: 99999999 is not in the CPV 2008 list, so "
        "it was left out",
        "Release 4 (ocds-test01-004), tender.value.currency: EUR: only pounds sterling (GBP) can be imported for "
        "now; the amount was not converted",
        "Release 5 (ocds-test01-005), tender.title: missing",
        "Release 6 (ocds-test01-006), tender.id: the reference TDC-001 is also used by Release 1 (ocds-test01-001)",
        "Release 8 (ocds-test01-008), tender.mainProcurementCategory: “catering” is not goods, services or works: "
        "services was chosen; OCDS cannot say light-touch services, so change the category if this contract is "
        "light-touch",
        "Release 8 (ocds-test01-008), parties[0].contactPoint.email: “not an email” is not an email address",
    ]
    assert [release.skipped_line for release in report.skipped] == [
        "Release 2 (ocds-test01-002) was skipped: it has no usable value (tender.value)",
        "Release 4 (ocds-test01-004) was skipped: it has no usable value (tender.value)",
        "Release 5 (ocds-test01-005) was skipped: it has no title (tender.title)",
        "Release 6 (ocds-test01-006) was skipped: the reference TDC-001 is already used earlier in the file",
    ]
    assert [release.label for release in report.without_tender] == ["Release 7 (ocds-test01-007)"]
    # Notes are about drafts; a skipped release has only its problems.
    assert {line.split(",")[0] for line in report.note_lines} == {
        "Release 1 (ocds-test01-001)",
        "Release 3 (ocds-test01-003)",
        "Release 8 (ocds-test01-008)",
    }
    assert (
        "Release 1 (ocds-test01-001), tender.tenderPeriod.startDate: has no time zone: it was read as London time"
        in (report.note_lines)
    )
    assert "Release 8 (ocds-test01-008), tender.id: no usable tender id: the ocid ocds-test01-008 is the reference" in (
        report.note_lines
    )
    assert report.summary() == (
        "3 draft tenders created, 4 releases skipped, 1 release without a tender, 9 problems with fields"
    )


# File-level errors ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (fixture("malformed/empty.json"), "The file is empty"),
        (b"  \n\t ", "The file is empty"),
        (fixture("malformed/not_json.json"), "The file is not valid JSON: Unterminated string starting at (line 1, "),
        (b'{"releases": [1, 2,]}', "The file is not valid JSON: Expecting value (line 1, column 20)"),
        (fixture("malformed/wrong_shape.json"), "The file is JSON but not OCDS. It must be an OCDS release package"),
        (fixture("malformed/not_ocds.json"), "The file is JSON but not OCDS."),
        (b'"just a string"', "The file is JSON but not OCDS."),
        (fixture("malformed/not_utf8.json"), "The file is not UTF-8 text (line 1). OCDS files are JSON in UTF-8"),
        (b"PK\x03\x04rest of a zip", "The file is a zip archive or a spreadsheet, not JSON"),
        (b"<?xml version='1.0'?><releases/>", "The file looks like XML or HTML, not JSON"),
        (b'{"releases": [{"tender": {"value": {"amount": NaN}}}]}', "The file is not valid JSON: NaN is not"),
        (b"[" * 100_000 + b"]" * 100_000, "The file is not valid JSON: it is nested too deeply to read"),
        (b'{"releases": []}', "The release package has no releases"),
        (b'{"releases": {"ocid": "x"}}', "The release package’s “releases” is not a list of releases"),
        (b'{"records": []}', "The record package has no records"),
        (b'{"records": "none"}', "The record package’s “records” is not a list of records"),
    ],
)
def test_a_file_that_cannot_be_read_is_refused_with_one_clear_message(world, data, message):
    report = run_import(world, data)
    [error] = report.file_errors
    assert error.startswith(message)
    assert not report.ok and report.releases == []
    assert tenders_of(world.a) == []
    assert audit_events(world.a, "tender.imported_ocds") == []


def test_utf8_with_a_byte_order_mark_is_read(world):
    assert run_import(world, b"\xef\xbb\xbf" + fixture("tender.json")).ok


def test_a_file_over_the_size_limit_is_refused(world, monkeypatch):
    assert ocds.MAX_FILE_BYTES == 5 * 1024 * 1024
    monkeypatch.setattr(ocds, "MAX_FILE_BYTES", 1024 * 1024)
    data = fixture("tender.json")
    assert run_import(world, data + b" " * (1024 * 1024 - len(data))).ok  # at the limit
    report = run_import(world, fixture("bare_release.json") + b" " * (1024 * 1024))
    assert report.file_errors == ["The file must be smaller than 1 MB"]
    assert [tender.reference for tender in tenders_of(world.a)] == ["ocds-213czf-000-00001-01-tender"]


def test_too_many_releases_are_refused(world, monkeypatch):
    monkeypatch.setattr(ocds, "MAX_RELEASES", 2)
    data = json.dumps({"releases": [release_of(), release_of(), release_of()]}).encode()
    assert run_import(world, data).file_errors == ["The file has 3 releases: import at most 2 at a time"]


def test_read_ocds_accepts_text_and_reads_amounts_as_exact_decimals():
    parsed = read_ocds('{"ocid": "x", "tender": {"value": {"amount": 0.1}}}')
    assert parsed.kind == "release"
    [(kind, release)] = parsed.releases
    assert kind == "Release" and release["tender"]["value"]["amount"] == Decimal("0.1")


# One field at a time ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "error"),
    [
        ({"amount": "1,000", "currency": "GBP"}, "tender.value.amount: not a number"),
        ({"amount": True, "currency": "GBP"}, "tender.value.amount: not a number"),
        ({"amount": None, "currency": "GBP"}, "tender.value.amount: missing"),
        ({"currency": "GBP"}, "tender.value.amount: missing"),
        ({"amount": 0, "currency": "GBP"}, "tender.value.amount: must be more than 0"),
        ({"amount": -50, "currency": "GBP"}, "tender.value.amount: must be more than 0"),
        ({"amount": 0.001, "currency": "GBP"}, "tender.value.amount: must be more than 0"),
        ({"amount": 10**13, "currency": "GBP"}, "tender.value.amount: must be £999,999,999,999.99 or less"),
        ({"amount": 100, "currency": "USD"}, "tender.value.currency: USD: only pounds sterling (GBP) can be"),
        ({"amount": 100, "currency": 826}, "tender.value.currency: not a currency code"),
        (1000, "tender.value: not an object with an amount and a currency"),
        (None, "tender.value: missing"),
    ],
)
def test_a_bad_value_is_reported_and_the_release_skipped(value, error):
    report = mapped(value=value) if value is not None else mapped(value=None)
    assert any(line.startswith(f"Release 1 (ocds-x-1), {error}") for line in report.error_lines), report.error_lines
    assert report.skipped == "it has no usable value (tender.value)"


def test_a_value_is_rounded_to_the_penny_and_a_missing_currency_read_as_pounds():
    report = mapped(value={"amount": 1234.565})
    assert report.fields["estimated_value"] == Decimal("1234.57")
    assert report.note_lines == [
        "Release 1 (ocds-x-1), tender.mainProcurementCategory: missing: services was chosen; OCDS cannot say "
        "light-touch services, so change the category if this contract is light-touch",
        "Release 1 (ocds-x-1), tender.value.currency: missing: the amount was read as pounds sterling (GBP)",
        "Release 1 (ocds-x-1), tender.value.amount: rounded to the nearest penny: £1,234.57",
    ]
    assert mapped(value={"amount": 5, "currency": "gbp"}).fields["estimated_value"] == Decimal("5.00")


@pytest.mark.parametrize(
    ("title", "error"),
    [(None, "tender.title: missing"), ("   ", "tender.title: missing"), (["Cleaning"], "tender.title: not text")],
)
def test_a_release_without_a_title_is_skipped(title, error):
    report = mapped(title=title) if title is not None else mapped(release={"ocid": "ocds-x-1", "tender": {"id": 1}})
    assert f"Release 1 (ocds-x-1), {error}" in report.error_lines
    assert report.skipped.startswith("it has no title")


def test_a_long_title_is_shortened_and_a_long_tender_id_gives_way_to_the_ocid():
    report = mapped(title="x" * 250, id="y" * 51)
    assert report.fields["title"] == "x" * 199 + "…"
    assert report.fields["reference"] == "ocds-x-1"
    assert "Release 1 (ocds-x-1), tender.id: longer than 50 characters, so it cannot be the reference" in (
        report.error_lines
    )
    assert "Release 1 (ocds-x-1), tender.title: shortened to 200 characters" in report.note_lines
    assert not report.skipped


def test_a_release_without_any_usable_reference_is_skipped():
    release = {"ocid": "o" * 60, "tender": {"title": "T", "value": {"amount": 1, "currency": "GBP"}}}
    report = mapped(release=release)
    assert report.skipped == "it has no usable reference (tender.id, or an ocid of 50 characters or fewer)"


def test_an_integer_tender_id_is_a_reference():
    assert mapped(id=42).fields["reference"] == "42"


@pytest.mark.parametrize(
    ("category", "codes", "expected", "message"),
    [
        ("goods", [], "goods", None),
        ("Works", [], "works", None),
        (None, ["45233130"], "works", "missing: works was chosen from the CPV codes"),
        (None, ["30213100"], "goods", "missing: goods was chosen from the CPV codes"),
        (None, ["90910000", "79411000"], "services", "missing: services was chosen from the CPV codes; OCDS"),
        (None, ["45233130", "30213100"], "services", "missing: services was chosen; OCDS cannot say light-touch"),
        (None, [], "services", "missing: services was chosen; OCDS cannot say light-touch"),
        ("consultingServices", [], "services", "“consultingServices” is not goods, services or works: services"),
    ],
)
def test_the_category_is_read_or_chosen_from_the_cpv_divisions(category, codes, expected, message):
    items = [{"id": str(n), "classification": {"scheme": "CPV", "id": code}} for n, code in enumerate(codes)]
    report = mapped(mainProcurementCategory=category, items=items or None)
    assert report.fields["category"] == expected
    lines = [line for line in report.error_lines + report.note_lines if "mainProcurementCategory" in line]
    if message:
        assert len(lines) == 1 and message in lines[0]
    elif expected != "services":
        assert lines == []


@pytest.mark.parametrize(
    ("period", "field", "expected", "problem"),
    [
        ({"endDate": "2026-03-16T12:00:00Z"}, "submission_deadline", datetime(2026, 3, 16, 12, tzinfo=UTC), None),
        (
            {"endDate": "2026-07-16T12:00:00+01:00"},
            "submission_deadline",
            datetime(2026, 7, 16, 11, tzinfo=UTC),
            None,
        ),
        (
            {"endDate": "2026-07-16T12:00:00"},
            "submission_deadline",
            datetime(2026, 7, 16, 11, tzinfo=UTC),  # British Summer Time
            "tender.tenderPeriod.endDate: has no time zone: it was read as London time",
        ),
        (
            {"endDate": "2026-03-16"},
            "submission_deadline",
            None,
            "tender.tenderPeriod.endDate: “2026-03-16” is a date without a time: give a date and time, like "
            "2026-03-16T12:00:00Z",
        ),
        (
            {"startDate": "16/03/2026"},
            "publish_at",
            None,
            "tender.tenderPeriod.startDate: “16/03/2026” is not a date and time, like 2026-03-01T12:00:00Z",
        ),
        ({"startDate": 20260316}, "publish_at", None, "tender.tenderPeriod.startDate: not text"),
    ],
)
def test_dates_are_read_with_their_time_zone(period, field, expected, problem):
    report = mapped(tenderPeriod=period)
    assert report.fields.get(field) == expected
    if problem:
        assert f"Release 1 (ocds-x-1), {problem}" in report.error_lines + report.note_lines


def test_the_procurement_start_date_is_the_london_date_of_publication():
    report = mapped(tenderPeriod={"startDate": "2026-06-30T23:30:00Z"})
    assert report.fields["procurement_start_date"] == date(2026, 7, 1)


def test_deadlines_out_of_order_are_noted():
    report = mapped(
        tenderPeriod={"startDate": "2026-03-01T09:00:00Z", "endDate": "2026-02-01T09:00:00Z"},
        enquiryPeriod={"endDate": "2026-02-02T09:00:00Z"},
    )
    assert report.fields["submission_deadline"] == datetime(2026, 2, 1, 9, tzinfo=UTC)
    assert (
        "Release 1 (ocds-x-1), tender.tenderPeriod.endDate: the submission deadline is not after the publication "
        "date" in report.note_lines
    )
    assert (
        "Release 1 (ocds-x-1), tender.enquiryPeriod.endDate: the clarification deadline is after the submission "
        "deadline" in report.note_lines
    )


@pytest.mark.parametrize(
    ("period", "months", "problem"),
    [
        ({"durationInDays": 365}, 12, None),
        ({"durationInDays": 10}, 1, None),
        ({"startDate": "2026-04-01T00:00:00Z", "endDate": "2028-03-31T23:59:59Z"}, 24, None),
        ({"durationInDays": "two years"}, None, "tender.contractPeriod.durationInDays: not a whole number of days"),
        ({"durationInDays": 40000}, None, "tender.contractPeriod: a contract term of 1314 months is longer than"),
        (
            {"startDate": "2028-04-01T00:00:00Z", "endDate": "2026-03-31T00:00:00Z"},
            None,
            "tender.contractPeriod.endDate: is not after the start date",
        ),
    ],
)
def test_the_contract_term_comes_from_the_contract_period(period, months, problem):
    report = mapped(contractPeriod=period)
    assert report.fields.get("contract_term_months") == months
    if problem:
        assert any(line.startswith(f"Release 1 (ocds-x-1), {problem}") for line in report.error_lines)


def test_lots_without_titles_are_named_and_a_tender_without_a_value_takes_their_total():
    report = mapped(
        value=None,
        lots=[
            {"id": "A", "value": {"amount": 100, "currency": "GBP"}},
            {"id": "B", "title": "Second", "value": {"amount": 250.5, "currency": "GBP"}},
        ],
    )
    assert report.fields["estimated_value"] == Decimal("350.50")
    assert [lot["title"] for lot in report.lots] == ["Lot A", "Second"]
    assert "Release 1 (ocds-x-1), tender.value: missing: the total of the lots’ values, £350.50, was used" in (
        report.note_lines
    )


def test_a_tender_without_a_value_is_skipped_when_a_lot_has_none_either():
    report = mapped(value=None, lots=[{"id": "A", "title": "A", "value": {"amount": 100, "currency": "EUR"}}])
    assert report.skipped == "it has no usable value (tender.value)"
    assert report.lots == []


def test_lots_adding_up_to_more_than_the_tender_are_noted_and_bad_lots_reported():
    report = mapped(
        value={"amount": 100, "currency": "GBP"},
        lots=[{"id": "A", "title": "A", "value": {"amount": 150, "currency": "GBP"}}, "not a lot"],
    )
    assert "Release 1 (ocds-x-1), tender.lots: the lots add up to £150.00, more than the tender’s £100.00" in (
        report.note_lines
    )
    assert "Release 1 (ocds-x-1), tender.lots[1]: not an object: the lot was left out" in report.error_lines
    assert mapped(lots={"A": {}}).error_lines == ["Release 1 (ocds-x-1), tender.lots: not a list"]


def test_cpv_codes_are_collected_once_and_other_schemes_ignored():
    report = mapped(
        items=[
            {"id": "1", "classification": {"scheme": "CPV", "id": "45233130-9"}},
            {"id": "2", "classification": {"scheme": "cpv", "id": "45233130"}},
            {"id": "3", "classification": {"scheme": "CPVS", "id": "AA01"}},
            {"id": "4", "classification": "45000000"},
            "not an item",
        ]
    )
    assert report.cpv_codes == [("tender.items[0].classification.id", "45233130")]
    assert report.error_lines == [
        "Release 1 (ocds-x-1), tender.items[3].classification: not an object",
        "Release 1 (ocds-x-1), tender.items[4]: not an object",
    ]
    assert (
        "Release 1 (ocds-x-1), tender.items[2].classification.scheme: CPVS is not CPV, so the code AA01 was not used"
        in (report.note_lines)
    )


def test_the_tenders_own_classification_is_the_main_cpv_code_before_the_items():
    # As Contracts Finder and Find a Tender publish: the main code on the tender, often with no items.
    report = mapped(
        classification={"scheme": "CPV", "id": "90910000-9", "description": "Cleaning services"},
        additionalClassifications=[
            {"scheme": "CPV", "id": "90911200"},
            {"scheme": "CPV", "id": "9091"},
            {"scheme": "UNSPSC", "id": "76111500"},
        ],
        items=[
            {"id": "1", "classification": {"scheme": "CPV", "id": "90911200-8"}},
            {"id": "2", "classification": {"scheme": "CPV", "id": "90919200-4"}},
        ],
    )
    assert report.cpv_codes == [
        ("tender.classification.id", "90910000"),
        ("tender.additionalClassifications[0].id", "90911200"),
        ("tender.items[1].classification.id", "90919200"),
    ]
    assert report.error_lines == [
        "Release 1 (ocds-x-1), tender.additionalClassifications[1].id: “9091” is not a CPV code (8 digits, like "
        "45233130-9)"
    ]
    assert (
        "Release 1 (ocds-x-1), tender.additionalClassifications[2].scheme: UNSPSC is not CPV, so the code 76111500 "
        "was not used" in report.note_lines
    )
    assert mapped(classification="90910000").error_lines == [
        "Release 1 (ocds-x-1), tender.classification: not an object"
    ]
    assert mapped(additionalClassifications={"scheme": "CPV"}).error_lines == [
        "Release 1 (ocds-x-1), tender.additionalClassifications: not a list"
    ]


def test_a_classification_only_notice_imports_its_codes_and_reports_unknown_ones(world):
    release = release_of(
        classification={"scheme": "CPV", "id": "45233130-9"},
        additionalClassifications=[{"scheme": "CPV", "id": "99999999-9"}],
    )
    report = run_import(world, json.dumps(release))
    [tender] = tenders_of(world.a)
    assert cpv_of(tender) == {"45233130"}
    assert report.error_lines == [
        "Release 1 (ocds-x-1), tender.additionalClassifications[0].id: 99999999 is not in the CPV 2008 list, so it "
        "was left out"
    ]


def test_the_contact_comes_from_the_procuring_entity_then_the_buyer():
    release = release_of()
    release["parties"] = [
        {"id": "1", "roles": ["supplier"], "contactPoint": {"name": "Supplier", "email": "s@example.com"}},
        {"id": "2", "roles": ["buyer"], "contactPoint": {"name": "Buyer", "email": "b@example.com"}},
    ]
    assert mapped(release=release).fields["contact_name"] == "Buyer"
    release["parties"].append({"id": "3", "roles": ["procuringEntity"], "contactPoint": {"name": "Proc"}})
    report = mapped(release=release)
    assert report.fields["contact_name"] == "Proc" and "contact_email" not in report.fields
    release["parties"] = "everyone"
    assert mapped(release=release).error_lines == ["Release 1 (ocds-x-1), parties: not a list"]


def test_an_unknown_procurement_method_is_kept_as_written_and_noted():
    report = mapped(procurementMethod="competitive dialogue")
    assert report.fields["description"] == "Procurement method in the published notice: competitive dialogue."
    assert (
        "Release 1 (ocds-x-1), tender.procurementMethod: “competitive dialogue” is not open, selective, limited or "
        "direct" in report.note_lines
    )


def test_releases_and_records_that_are_not_objects_are_reported():
    assert mapped(release=["x"]).skipped == "it is not a release"
    report = map_release({"ocid": "o", "tender": "soon"}, position=3)
    assert report.error_lines == ["Release 3 (o), tender: not an object"]
    assert report.skipped == "its tender section cannot be read"
    record = map_release({"ocid": "o", "releases": []}, position=2, kind="Record")
    assert (
        record.skipped_line == "Record 2 (o) was skipped: it has no compiledRelease (linked releases are not fetched)"
    )


# The import as a whole ------------------------------------------------------------------------------------


def test_the_import_is_audited_with_its_counts(world):
    report = run_import(world, fixture("mixed_package.json"))
    [event] = audit_events(world.a, "tender.imported_ocds")
    assert event.actor == officer(world)
    assert event.changes == {
        "file": "",
        "file_kind": "release package",
        "releases": 8,
        "created": 3,
        "skipped": 4,
        "without_tender": 1,
        "problems": 9,
        "notes": len(report.note_lines),
        "references": "TDC-001, TDC-003, ocds-test01-008",
    }
    assert len(audit_events(world.a, "tender.created")) == 3


def test_a_dry_run_reports_and_creates_nothing(world):
    report = run_import(world, fixture("mixed_package.json"), dry_run=True)
    assert report.ok and report.dry_run
    assert [release.fields["reference"] for release in report.created] == ["TDC-001", "TDC-003", "ocds-test01-008"]
    assert report.summary().startswith("3 draft tenders would be created")
    assert tenders_of(world.a) == []
    assert audit_events(world.a, "tender.imported_ocds") == []


def test_a_crash_part_way_through_rolls_back_every_draft_from_the_file(world, monkeypatch):
    calls = []

    def failing_create(**kwargs):
        calls.append(kwargs["reference"])
        if len(calls) == 2:
            raise RuntimeError("the database went away")
        return tender_create_draft(**kwargs)

    monkeypatch.setattr(ocds, "tender_create_draft", failing_create)
    with pytest.raises(RuntimeError):
        run_import(world, fixture("mixed_package.json"))
    assert calls == ["TDC-001", "TDC-003"]
    assert tenders_of(world.a) == []
    assert audit_events(world.a, "tender.created") == []


def test_a_reference_taken_between_the_check_and_the_create_is_reported(world, monkeypatch):
    with authority_scope(world.a):
        tender_create_draft(
            authority=world.a,
            acting_user=officer(world),
            reference="TDC-001",
            title="Made by hand",
            category="goods",
            estimated_value=Decimal("1"),
        )
    monkeypatch.setattr(ocds, "_check_references", lambda authority, releases: None)
    report = run_import(world, fixture("mixed_package.json"))
    assert (
        "Release 1 (ocds-test01-001), tender.id: Authority A Borough Council already has a tender with the reference "
        "TDC-001" in report.error_lines
    )
    assert report.releases[0].skipped
    assert {tender.reference for tender in tenders_of(world.a)} >= {"TDC-001", "TDC-003"}
    assert [tender.title for tender in tenders_of(world.a) if tender.reference == "TDC-001"] == ["Made by hand"]


# The command ----------------------------------------------------------------------------------------------


def run_command(*args):
    out, err = StringIO(), StringIO()
    call_command("import_ocds", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_the_command_imports_a_file_and_prints_the_drafts_and_the_report(world):
    out, err = run_command(str(FIXTURES / "tender.json"), "--authority", world.a.slug)
    [tender] = tenders_of(world.a)
    assert tender.created_by is None
    assert out.splitlines() == [
        "tender.json: an OCDS release package with 1 release.",
        f"Created draft tender ocds-213czf-000-00001-01-tender (id {tender.pk}): Planned cycle lane improvements "
        "[Release 1 (ocds-213czf-000-00001)]",
        "Notes (check these in the drafts before publishing):",
        *(f"  {line}" for line in EXAMPLE_NOTES),
        "Imported into Authority A Borough Council: 1 draft tender created, 0 releases skipped, 0 problems with "
        "fields.",
    ]
    assert err == ""
    [event] = audit_events(world.a, "tender.imported_ocds")
    assert event.actor is None and event.actor_label == "system" and event.changes["file"] == "tender.json"


def test_the_command_reports_skipped_releases_and_problems(world):
    out, _ = run_command(str(FIXTURES / "mixed_package.json"), "--authority", world.a.slug)
    assert "Release 5 (ocds-test01-005) was skipped: it has no title (tender.title)" in out
    assert "Release 7 (ocds-test01-007) has no tender section: nothing to import." in out
    assert (
        "Problems (these values were left out):\n  Release 2 (ocds-test01-002), tender.value.amount: not a number"
        in (out)
    )
    assert out.rstrip().endswith(
        "Imported into Authority A Borough Council: 3 draft tenders created, 4 releases skipped, 1 release without "
        "a tender, 9 problems with fields."
    )


def test_the_command_dry_run_creates_nothing(world):
    out, _ = run_command(str(FIXTURES / "tender.json"), "--authority", world.a.slug, "--dry-run")
    assert "Would create draft tender ocds-213czf-000-00001-01-tender: Planned cycle lane improvements" in out
    assert "Dry run, nothing saved. Authority A Borough Council: 1 draft tender would be created" in out
    assert tenders_of(world.a) == []


@pytest.mark.parametrize(
    ("name", "stderr", "message"),
    [
        ("malformed/not_json.json", "not_json.json: The file is not valid JSON: ", "could not be read"),
        ("malformed/empty.json", "empty.json: The file is empty", "could not be read"),
        ("contract.json", "", "Nothing in contract.json could be imported."),
    ],
)
def test_the_command_exits_non_zero_when_nothing_is_imported(world, capsys, name, stderr, message):
    # A CommandError is what makes manage.py exit non-zero. (Running ManagementUtility here would also close the
    # test's database connection, as manage.py does when a command ends.)
    with pytest.raises(CommandError) as error:
        call_command("import_ocds", str(FIXTURES / name), "--authority", world.a.slug)
    output = capsys.readouterr().err + str(error.value)
    assert stderr in output and message in output
    assert tenders_of(world.a) == []


def test_the_command_exits_non_zero_for_a_duplicate_only_file(world):
    run_command(str(FIXTURES / "tender.json"), "--authority", world.a.slug)
    with pytest.raises(CommandError, match=r"Nothing in tenderUpdate\.json could be imported\."):
        run_command(str(FIXTURES / "tenderUpdate.json"), "--authority", world.a.slug)


def test_the_command_needs_a_known_authority_and_an_existing_file(world, tmp_path):
    with pytest.raises(CommandError, match="There is no authority with the slug 'nowhere'"):
        run_command(str(FIXTURES / "tender.json"), "--authority", "nowhere")
    with pytest.raises(CommandError, match="There is no file at"):
        run_command(str(tmp_path / "missing.json"), "--authority", world.a.slug)
    with pytest.raises(CommandError, match="is a folder"):
        run_command(str(tmp_path), "--authority", world.a.slug)
    with pytest.raises(CommandError, match="--authority"):
        run_command(str(FIXTURES / "tender.json"))


# The upload page ------------------------------------------------------------------------------------------


def import_url(authority):
    return reverse("tenders:ocds-import", kwargs={"authority_slug": authority.slug})


def upload(name, data=None):
    return SimpleUploadedFile(Path(name).name, data if data is not None else fixture(name), "application/json")


def test_the_page_shows_the_form(client, world):
    client.force_login(officer(world))
    response = client.get(import_url(world.a))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Import a published notice" in html and 'enctype="multipart/form-data"' in html


def test_uploading_a_good_file_creates_drafts_and_shows_the_report(client, world):
    client.force_login(officer(world))
    response = client.post(import_url(world.a), {"file": upload("mixed_package.json")})
    assert response.status_code == 303
    location = response["Location"]
    assert location.startswith(import_url(world.a) + "?report=")
    tenders = {tender.reference: tender for tender in tenders_of(world.a)}
    assert set(tenders) == {"TDC-001", "TDC-003", "ocds-test01-008"}

    response = client.get(location)
    assert response.status_code == 200
    html = response.content.decode()
    assert "3 draft tenders created" in html and "from mixed_package.json" in html
    laptop_url = reverse(
        "tenders:tender-detail", kwargs={"authority_slug": world.a.slug, "tender_id": tenders["TDC-001"].pk}
    )
    assert f'href="{laptop_url}"' in html
    assert "TDC-001: Laptops for the libraries" in html
    assert "Release 2 (ocds-test01-002), tender.value.amount: not a number" in html
    assert "Release 5 (ocds-test01-005) was skipped: it has no title (tender.title)" in html
    assert "Nothing has been published." in html
    # Refreshing shows the report again and imports nothing more.
    assert client.get(location).status_code == 200
    assert len(tenders_of(world.a)) == 3
    # Without the report's token the page is just the form.
    assert "Laptops for the libraries" not in client.get(import_url(world.a)).content.decode()
    assert len(audit_events(world.a, "tender.imported_ocds")) == 1


def test_a_file_that_cannot_be_read_is_shown_again_with_422(client, world):
    client.force_login(officer(world))
    response = client.post(import_url(world.a), {"file": upload("malformed/not_json.json")})
    assert response.status_code == 422
    html = response.content.decode()
    assert "govuk-error-summary" in html and "<title>Error: " in html
    assert "The file is not valid JSON: Unterminated string" in html
    assert tenders_of(world.a) == []

    response = client.post(import_url(world.a), {"file": upload("wrong_shape.json", b'{"x": 1}')})
    assert response.status_code == 422
    assert "The file is JSON but not OCDS." in response.content.decode()

    response = client.post(import_url(world.a), {})
    assert response.status_code == 422
    assert "Select an OCDS JSON file" in response.content.decode()


def test_a_file_with_nothing_to_import_is_shown_again_with_422_and_the_reasons(client, world):
    client.force_login(officer(world))
    data = json.dumps({"releases": [release_of(value={"amount": 5, "currency": "EUR"})]}).encode()
    response = client.post(import_url(world.a), {"file": upload("eur.json", data)})
    assert response.status_code == 422
    html = response.content.decode()
    assert "No draft tenders were made from this file." in html
    assert "Release 1 (ocds-x-1), tender.value.currency: EUR: only pounds sterling (GBP) can be imported" in html
    assert "Release 1 (ocds-x-1) was skipped: it has no usable value (tender.value)" in html
    assert tenders_of(world.a) == []


def test_only_procurement_officers_may_import(client, world):
    for role in Role:
        client.force_login(world.user(world.a, role))
        allowed = has_permission({role}, "tenders.manage")
        assert allowed == (role == Role.PROCUREMENT_OFFICER)
        get = client.get(import_url(world.a))
        post = client.post(import_url(world.a), {"file": upload("tender.json")})
        if allowed:
            assert (get.status_code, post.status_code) == (200, 303)
        else:
            assert (get.status_code, post.status_code) == (403, 403), role
    assert len(tenders_of(world.a)) == 1


def test_anonymous_people_are_sent_to_sign_in(client, world):
    response = client.post(import_url(world.a), {"file": upload("tender.json")})
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:sign-in"))
    assert tenders_of(world.a) == []


def test_another_authoritys_officer_cannot_import_into_it_and_its_reports_stay_its_own(client, world):
    client.force_login(officer(world, world.b))
    assert client.post(import_url(world.a), {"file": upload("tender.json")}).status_code == 404
    assert tenders_of(world.a) == []

    # An officer of both authorities: a report made in A is not shown under B's address.
    from tests.factories import MembershipFactory

    both = officer(world, world.a)
    MembershipFactory(authority=world.b, user=both, role=Role.PROCUREMENT_OFFICER)
    client.force_login(both)
    location = client.post(import_url(world.a), {"file": upload("tender.json")})["Location"]
    token = location.split("?report=")[1]
    html = client.get(f"{import_url(world.b)}?report={token}").content.decode()
    assert "Planned cycle lane improvements" not in html
    assert tenders_of(world.b) == []
