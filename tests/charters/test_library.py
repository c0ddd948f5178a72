"""The measure library: CSV parsing and validation, import and export, history, audit, the pages and the admin."""

import csv
import io
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.models import AuditEvent, User
from accounts.roles import Role
from accounts.scoping import authority_scope, dangerously_unscoped
from charters import library
from charters.library import CSV_COLUMNS, measure_import, measures_export_csv, parse_unit, read_measures_csv
from charters.models import LocalMeasure, Measure, Unit

STARTER_CSV = Path(library.__file__).resolve().parent / "data" / "starter_measures.csv"

GOOD = {
    "code": "T-01",
    "title": "Local people employed",
    "unit": "fte",
    "theme": "Tackling economic inequality",
    "outcome": "Create new businesses, new jobs and new skills",
    "proxy_value_gbp": "",
    "proxy_source": "",
    "proxy_year": "",
    "deadweight_pct": "",
    "attribution_pct": "",
    "displacement_pct": "",
    "dropoff_pct": "",
    "evidence": "Payroll extract",
}


def make_csv(*rows: dict, header=CSV_COLUMNS) -> str:
    """CSV text: the header, then one line per row (each a dict of changes to a good row)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(header)
    for number, changes in enumerate(rows, start=1):
        row = {**GOOD, "code": f"T-{number:02d}", **changes}
        writer.writerow([row.get(column, "") for column in header])
    return out.getvalue()


def messages_for(text) -> list[str]:
    return [str(error) for error in read_measures_csv(text).errors]


def import_codes(authority=None):
    if authority is None:
        return set(Measure.objects.filter(code__startswith="T-").values_list("code", flat=True))
    with authority_scope(authority):
        return set(LocalMeasure.objects.values_list("code", flat=True))


def audit_events(authority, verb):
    with dangerously_unscoped():
        return list(AuditEvent.objects.filter(authority=authority, verb=verb))


# Units --------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "unit"),
    [
        ("people", "people"),
        ("PEOPLE", "people"),
        ("FTE", "fte"),
        ("full-time equivalent jobs (FTE)", "fte"),
        ("weeks", "weeks"),
        ("Hours", "hours"),
        ("gbp", "gbp"),
        ("£", "gbp"),
        ("tco2e", "tco2e"),
        ("tonnes CO2e", "tco2e"),
        ("Tonnes  co2e", "tco2e"),
        ("count", "count"),
        ("%", "percent"),
        ("percent", "percent"),
    ],
)
def test_units_are_read_from_codes_and_labels_in_any_case(text, unit):
    assert parse_unit(text) == unit


@pytest.mark.parametrize("text", ["", "furlongs", "tonnes", "££"])
def test_unknown_units_are_not_read(text):
    assert parse_unit(text) is None


# Parsing and validation ---------------------------------------------------------------------------------------


def test_a_good_file_gives_typed_values():
    parsed = read_measures_csv(
        make_csv(
            {"unit": "£", "proxy_value_gbp": "£1,250.5", "proxy_source": "A published study", "proxy_year": "2024"},
            {
                "unit": "%",
                "deadweight_pct": "25%",
                "attribution_pct": "12.5",
                "displacement_pct": "0",
                "dropoff_pct": "100",
            },
        )
    )
    assert parsed.errors == []
    first, second = (row.values for row in parsed.rows)
    assert [row.line for row in parsed.rows] == [2, 3]
    assert first["unit"] == "gbp"
    assert first["proxy_value_gbp"] == Decimal("1250.50")
    assert first["proxy_year"] == 2024
    assert first["evidence_guidance"] == "Payroll extract"
    assert second["unit"] == "percent"
    assert second["deadweight_pct"] == Decimal("25.00")
    assert second["attribution_pct"] == Decimal("12.50")
    assert second["dropoff_pct"] == Decimal("100.00")
    assert second["proxy_value_gbp"] is None


def test_the_starter_library_passes_the_import_checks():
    parsed = read_measures_csv(STARTER_CSV.read_bytes())
    assert parsed.errors == []
    assert 20 <= len(parsed.rows) <= 30
    assert all(row.values["code"].startswith("CVC-") for row in parsed.rows)


def test_the_starter_library_serves_the_social_value_model_themes_and_outcomes():
    from charters.templates_svm import template_themes

    outcomes = {(theme["title"], outcome["title"]) for theme in template_themes() for outcome in theme["outcomes"]}
    for row in read_measures_csv(STARTER_CSV.read_bytes()).rows:
        assert (row.values["theme"], row.values["outcome"]) in outcomes, row.values["code"]


def test_the_starter_library_ships_no_proxy_values_except_pounds():
    # National TOMs proxies are licensed CC BY-NC-ND: only "spend is its own value" for £ measures is shipped.
    for row in read_measures_csv(STARTER_CSV.read_bytes()).rows:
        if row.values["proxy_value_gbp"] is not None:
            assert row.values["unit"] == Unit.GBP
            assert row.values["proxy_value_gbp"] == Decimal("1.00")
            assert row.values["proxy_source"]


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"code": ""}, "Line 2, column code: Enter a code"),
        ({"code": "X" * 31}, "Line 2, column code: The code must be 30 characters or fewer"),
        ({"title": "  "}, "Line 2, column title: Enter a title"),
        ({"title": "T" * 201}, "Line 2, column title: The title must be 200 characters or fewer"),
        ({"unit": ""}, "Line 2, column unit: Enter a unit"),
        (
            {"unit": "furlongs"},
            "Line 2, column unit: “furlongs” is not a unit. Use one of: people, fte (full-time equivalent jobs "
            "(FTE)), weeks, hours, gbp (£), tco2e (tonnes CO2e), count, percent (%)",
        ),
        (
            {"proxy_value_gbp": "lots", "proxy_source": "x"},
            "Line 2, column proxy_value_gbp: The proxy value must be a number, like 12.50",
        ),
        (
            {"proxy_value_gbp": "NaN", "proxy_source": "x"},
            "Line 2, column proxy_value_gbp: The proxy value must be a number, like 12.50",
        ),
        (
            {"proxy_value_gbp": "-1", "proxy_source": "x"},
            "Line 2, column proxy_value_gbp: The proxy value must be £0 or more",
        ),
        (
            {"proxy_value_gbp": "1000000.01", "proxy_source": "x"},
            "Line 2, column proxy_value_gbp: The proxy value must be £1,000,000 or less. Check it is the value of "
            "one unit",
        ),
        (
            {"proxy_value_gbp": "12.345", "proxy_source": "x"},
            "Line 2, column proxy_value_gbp: The proxy value must have no more than 2 decimal places",
        ),
        (
            {"proxy_value_gbp": "12.50"},
            "Line 2, column proxy_source: Enter the source of the proxy value, so others can check it",
        ),
        ({"proxy_year": "1989"}, "Line 2, column proxy_year: The proxy year must be between 1990 and 2100"),
        ({"proxy_year": "2101"}, "Line 2, column proxy_year: The proxy year must be between 1990 and 2100"),
        ({"proxy_year": "last year"}, "Line 2, column proxy_year: The proxy year must be a year, like 2024"),
        ({"proxy_year": "2024.5"}, "Line 2, column proxy_year: The proxy year must be a year, like 2024"),
        ({"deadweight_pct": "-1"}, "Line 2, column deadweight_pct: The deadweight must be between 0% and 100%"),
        ({"attribution_pct": "100.01"}, "Line 2, column attribution_pct: The attribution must be between 0% and 100%"),
        ({"displacement_pct": "some"}, "Line 2, column displacement_pct: The displacement must be a number, like 25"),
        ({"dropoff_pct": "101%"}, "Line 2, column dropoff_pct: The drop-off must be between 0% and 100%"),
    ],
)
def test_each_bad_value_is_reported_with_its_line_and_column(changes, message):
    assert messages_for(make_csv(changes)) == [message]


def test_duplicate_codes_are_reported_on_the_later_line():
    text = make_csv({"code": "DUP-1"}, {}, {"code": "DUP-1"})
    assert messages_for(text) == ["Line 4, column code: The code DUP-1 is also on line 2. Each code must appear once"]


def test_every_error_is_reported_in_line_then_column_order():
    text = make_csv({}, {"unit": "", "code": ""}, {}, {"proxy_year": "1800", "title": ""})
    assert messages_for(text) == [
        "Line 3, column code: Enter a code",
        "Line 3, column unit: Enter a unit",
        "Line 5, column title: Enter a title",
        "Line 5, column proxy_year: The proxy year must be between 1990 and 2100",
    ]


def test_a_header_missing_columns_names_them():
    header = [column for column in CSV_COLUMNS if column not in ("proxy_year", "evidence")]
    assert messages_for(make_csv({}, header=header)) == [
        "Line 1: The header is missing the columns proxy_year, evidence",
        "Line 1: The header must be: " + ",".join(CSV_COLUMNS),
    ]


def test_a_header_with_unknown_or_repeated_columns_names_them():
    header = [*CSV_COLUMNS, "colour", "code"]
    assert messages_for(make_csv({}, header=header)) == [
        "Line 1: The header has unknown column colour",
        "Line 1: The header repeats the column code",
        "Line 1: The header must be: " + ",".join(CSV_COLUMNS),
    ]


def test_header_order_case_and_spaces_do_not_matter():
    header = [f" {column.upper()} " for column in reversed(CSV_COLUMNS)]
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(header)
    writer.writerow([GOOD[column] for column in reversed(CSV_COLUMNS)])
    parsed = read_measures_csv(out.getvalue())
    assert parsed.errors == []
    assert parsed.rows[0].values["title"] == GOOD["title"]


def test_empty_columns_left_by_a_spreadsheet_are_ignored():
    good = make_csv({}).splitlines()
    text = f"{good[0]},,\n{good[1]},,\n"
    assert read_measures_csv(text).errors == []
    text = f"{good[0]},\n{good[1]},oops\n"
    assert messages_for(text) == ["Line 2: This row has a value in a column with no name in the header"]


@pytest.mark.parametrize("data", [b"", b"   \n\n", ""])
def test_an_empty_file_is_refused(data):
    assert messages_for(data) == ["The file is empty"]


def test_a_file_with_only_a_header_is_refused():
    assert messages_for(make_csv()) == ["The file has no measures: add one row per measure under the header"]


def test_a_file_that_is_not_utf8_is_refused_with_the_line():
    text = make_csv({}, {"title": "Spend £"})
    assert messages_for(text.encode("cp1252")) == [
        "Line 3: The file is not UTF-8 text. Save it as “CSV UTF-8” from your spreadsheet and upload it again"
    ]


def test_utf8_with_a_byte_order_mark_is_read():
    parsed = read_measures_csv("\ufeff".encode() + make_csv({"title": "Spend £"}).encode())
    assert parsed.errors == []
    assert parsed.rows[0].values["code"] == "T-01"
    assert parsed.rows[0].values["title"] == "Spend £"


def test_a_spreadsheet_workbook_is_refused():
    assert messages_for(b"PK\x03\x04rest of a zip") == [
        "The file is a spreadsheet workbook, not CSV. Save it as “CSV UTF-8” and upload that file"
    ]


def test_a_row_with_the_wrong_number_of_cells_is_reported():
    text = make_csv({}) + "T-09,Too short,hours\n"
    assert messages_for(text) == [
        "Line 3: This row has 3 cells but the header has 13. Check for a missing or extra comma: text containing "
        "commas must be inside double quotes"
    ]


def test_line_numbers_count_physical_lines_with_blank_lines_and_multiline_cells():
    text = (
        make_csv({"evidence": "First line\nsecond line\nthird line"}, {})
        + "\n"
        + make_csv({"code": ""}).split("\n", 1)[1]
    )
    # Line 1 header; the first row spans lines 2-4; the second is line 5; line 6 is blank; the bad row is line 7.
    assert messages_for(text) == ["Line 7, column code: Enter a code"]


def test_text_guarded_against_spreadsheet_formulas_round_trips():
    assert library.guard_text("=SUM(A1)") == "'=SUM(A1)"
    assert library.guard_text("Plain") == "Plain"
    parsed = read_measures_csv(make_csv({"title": "'=1+1", "evidence": "'-10 tonnes"}))
    assert parsed.rows[0].values["title"] == "=1+1"
    assert parsed.rows[0].values["evidence_guidance"] == "-10 tonnes"


# Import: all or nothing, create or update, history, audit -----------------------------------------------------


def test_a_file_with_one_bad_row_saves_nothing(world):
    text = make_csv({}, {}, {"unit": "furlongs"}, {})
    result = measure_import(file=text.encode())
    assert not result.ok
    assert str(result.errors[0]).startswith("Line 4, column unit:")
    assert import_codes() == set()
    assert audit_events(None, "measures.imported") == []

    result = measure_import(authority=world.a, file=text.encode())
    assert not result.ok
    assert import_codes(world.a) == set()


def test_import_creates_platform_measures_with_history_and_audit(world):
    text = make_csv({}, {"unit": "£", "proxy_value_gbp": "1", "proxy_source": "Spend is its own value"})
    result = measure_import(file=SimpleUploadedFile("library.csv", text.encode()))
    assert result.ok
    assert result.created == ["T-01", "T-02"]
    measure = Measure.objects.get(code="T-02")
    assert measure.unit == Unit.GBP
    assert measure.proxy_value_gbp == Decimal("1.00")
    [entry] = measure.history
    assert entry["by"] == "import"
    assert entry["changes"]["proxy_value_gbp"] == {"before": None, "after": "1.00"}
    assert entry["changes"]["code"] == {"before": None, "after": "T-02"}
    [event] = audit_events(None, "measures.imported")
    assert event.changes["created"] == 2
    assert event.changes["updated"] == 0
    assert event.changes["file"] == "library.csv"


def test_reimporting_the_same_file_changes_nothing(world):
    text = make_csv({}, {"proxy_value_gbp": "10", "proxy_source": "Study", "deadweight_pct": "20"})
    measure_import(file=text)
    before = {m.code: (m.history, m.updated_at) for m in Measure.objects.filter(code__startswith="T-")}
    result = measure_import(file=text)
    assert (result.created, result.updated, result.unchanged) == ([], [], ["T-01", "T-02"])
    after = {m.code: (m.history, m.updated_at) for m in Measure.objects.filter(code__startswith="T-")}
    assert after == before


def test_an_update_appends_history_with_before_and_after(world):
    admin = world.user(world.a, Role.COMMISSIONER)
    measure_import(file=make_csv({"title": "Old title"}))
    result = measure_import(acting_user=admin, file=make_csv({"title": "New title", "dropoff_pct": "10"}))
    assert result.updated == ["T-01"]
    measure = Measure.objects.get(code="T-01")
    assert measure.title == "New title"
    assert len(measure.history) == 2
    latest = measure.history[-1]
    assert latest["by"] == admin.email
    assert latest["changes"] == {
        "title": {"before": "Old title", "after": "New title"},
        "dropoff_pct": {"before": None, "after": "10.00"},
    }
    assert latest["at"]
    [_, event] = sorted(audit_events(None, "measures.imported"), key=lambda e: e.pk)
    assert event.actor == admin
    assert event.changes["updated"] == 1


def test_a_dry_run_reports_and_saves_nothing(world):
    measure_import(file=make_csv({}))
    result = measure_import(file=make_csv({"title": "Changed"}, {}), dry_run=True)
    assert result.ok
    assert (result.created, result.updated) == (["T-02"], ["T-01"])
    assert import_codes() == {"T-01"}
    assert Measure.objects.get(code="T-01").title == GOOD["title"]
    assert len(audit_events(None, "measures.imported")) == 1


def test_a_file_over_the_size_limit_is_refused(world, monkeypatch):
    monkeypatch.setattr(library, "MAX_IMPORT_BYTES", 100)
    result = measure_import(file=make_csv({}, {}).encode())
    assert [str(error) for error in result.errors] == ["The file must be smaller than 5 MB"]


def test_local_import_belongs_to_the_authority_alone(world):
    commissioner = world.user(world.a, Role.COMMISSIONER)
    result = measure_import(authority=world.a, acting_user=commissioner, file=make_csv({}, {}))
    assert result.ok
    assert import_codes(world.a) == {"T-01", "T-02"}
    assert import_codes(world.b) == set()
    assert import_codes() == set()  # nothing went into the platform library
    [event] = audit_events(world.a, "local_measures.imported")
    assert event.changes["created"] == 2
    # The same codes may be used by another authority.
    assert measure_import(authority=world.b, file=make_csv({})).ok
    assert import_codes(world.b) == {"T-01"}


def test_local_codes_must_differ_from_platform_codes(world):
    measure_import(file=make_csv({"code": "SHARED-1"}))
    result = measure_import(authority=world.a, file=make_csv({}, {"code": "SHARED-1"}))
    assert [str(error) for error in result.errors] == [
        "Line 3, column code: SHARED-1 is the code of a measure in the platform library. Use a code of your own"
    ]
    assert import_codes(world.a) == set()


def test_export_then_import_changes_nothing(world):
    rows = [
        {"proxy_value_gbp": "12.5", "proxy_source": "Study, 2024 edition", "proxy_year": "2024"},
        {
            "unit": "%",
            "deadweight_pct": "33.33",
            "attribution_pct": "0",
            "displacement_pct": "100",
            "dropoff_pct": "5.5",
        },
        {"title": '=HYPERLINK("x")', "evidence": "Line one\nLine two, with a comma and “quotes”"},
        {"theme": "", "outcome": "", "evidence": ""},
    ]
    for authority, prefix in ((None, "T-"), (world.a, "L-")):
        local_rows = [{"code": f"{prefix}{number:02d}", **row} for number, row in enumerate(rows, start=1)]
        assert measure_import(authority=authority, file=make_csv(*local_rows)).ok
        exported = measures_export_csv(authority=authority)
        assert exported.splitlines()[0] == ",".join(CSV_COLUMNS)
        result = measure_import(authority=authority, file=exported)
        assert result.ok
        assert result.created == [] and result.updated == []
        assert set(result.unchanged) >= {f"{prefix}{number:02d}" for number in range(1, 5)}
        assert measures_export_csv(authority=authority) == exported
    assert "'=HYPERLINK" in measures_export_csv(authority=world.a)


def test_the_starter_library_is_loaded_by_the_migrations(db):
    rows = read_measures_csv(STARTER_CSV.read_bytes()).rows
    codes = {row.values["code"] for row in rows}
    assert Measure.objects.filter(code__startswith="CVC-").count() == len(rows)
    assert set(Measure.objects.filter(code__in=codes).values_list("code", flat=True)) == codes
    measure = Measure.objects.get(code=rows[0].values["code"])
    assert measure.title == rows[0].values["title"]
    assert measure.history and measure.history[0]["by"] == "starter library"
    # Importing the starter file again finds every measure as it is.
    result = measure_import(file=STARTER_CSV.read_bytes())
    assert len(result.unchanged) == len(rows)


def test_the_starter_migration_is_idempotent(db):
    from importlib import import_module

    from django.apps import apps

    migration = import_module("charters.migrations.0003_starter_measure_library")
    before = {m.code: (m.title, len(m.history)) for m in Measure.objects.all()}
    migration.load_starter_measures(apps, None)
    assert {m.code: (m.title, len(m.history)) for m in Measure.objects.all()} == before
    # A measure changed since is put back to the shipped values, with a history entry saying so.
    Measure.objects.filter(code="CVC-EMP-01").update(title="Changed")
    migration.load_starter_measures(apps, None)
    measure = Measure.objects.get(code="CVC-EMP-01")
    assert measure.title == before["CVC-EMP-01"][0]
    assert measure.history[-1]["changes"]["title"]["before"] == "Changed"


# Local measure services ---------------------------------------------------------------------------------------


def test_local_measure_create_and_update_record_history_and_audit(world):
    commissioner = world.user(world.a, Role.COMMISSIONER)
    values, errors = library.clean_measure_values({"code": "LOC-1", "title": "Hours of mentoring", "unit": "Hours"})
    assert errors == {}
    with authority_scope(world.a):
        measure = library.local_measure_create(authority=world.a, acting_user=commissioner, values=values)
        assert measure.history[0]["changes"]["unit"] == {"before": None, "after": "hours"}
        changed = library.local_measure_update(
            authority=world.a, acting_user=commissioner, local_measure=measure, values={**values, "title": "Mentoring"}
        )
        assert changed
        unchanged = library.local_measure_update(
            authority=world.a, acting_user=commissioner, local_measure=measure, values={**values, "title": "Mentoring"}
        )
        assert not unchanged
        measure.refresh_from_db()
    assert len(measure.history) == 2
    assert measure.history[1]["changes"] == {"title": {"before": "Hours of mentoring", "after": "Mentoring"}}
    assert [e.verb for e in audit_events(world.a, "local_measure.updated")] == ["local_measure.updated"]
    assert len(audit_events(world.a, "local_measure.created")) == 1


# Pages --------------------------------------------------------------------------------------------------------


def _url(name, authority, **kwargs):
    return reverse(f"charters:{name}", kwargs={"authority_slug": authority.slug, **kwargs})


def _local(authority, code="LOC-1", **fields):
    with authority_scope(authority):
        return LocalMeasure.objects.create(
            authority=authority, code=code, title=fields.pop("title", f"Local {code}"), unit="hours", **fields
        )


def test_the_library_lists_platform_and_own_local_measures(client, world):
    _local(world.a, "A-LOCAL-1", title="Hours of mentoring in Ayton")
    _local(world.b, "B-LOCAL-1", title="Hours of mentoring in Beeton")
    client.force_login(world.user(world.a, Role.EVALUATOR))
    response = client.get(_url("measure-list", world.a))
    assert response.status_code == 200
    html = response.content.decode()
    total = Measure.objects.filter(is_active=True).count() + 1
    assert f"{total} measures" in html
    assert "Hours of mentoring in Ayton" in html and ">Local<" in html
    assert "B-LOCAL-1" not in html and "Beeton" not in html
    assert "CVC-EMP-01" in html
    assert "Add a local measure" not in html  # an evaluator reads the library but does not change it


def test_the_library_searches_by_text_theme_and_unit(client, world):
    _local(world.a, "A-LOCAL-1", title="Hours of befriending", theme="Wellbeing")
    client.force_login(world.user(world.a, Role.COMMISSIONER))
    html = client.get(_url("measure-list", world.a), {"q": "befriending"}).content.decode()
    assert "A-LOCAL-1" in html and "CVC-EMP-01" not in html
    assert "1 measure matching the search" in html

    html = client.get(_url("measure-list", world.a), {"theme": "Fighting climate change"}).content.decode()
    assert "CVC-ENV-01" in html and "CVC-EMP-01" not in html and "A-LOCAL-1" not in html

    html = client.get(_url("measure-list", world.a), {"unit": "tco2e"}).content.decode()
    assert "CVC-ENV-01" in html and "CVC-EMP-01" not in html

    response = client.get(_url("measure-list", world.a), {"q": "no such thing at all"})
    assert "No measures match this search." in response.content.decode()

    response = client.get(_url("measure-list", world.a), {"unit": "furlongs"})
    assert response.status_code == 422
    assert "Select a unit from the list" in response.content.decode()


def test_the_library_paginates_50_a_page_with_a_steady_number_of_queries(client, world):
    client.force_login(world.user(world.a, Role.COMMISSIONER))
    platform = Measure.objects.filter(is_active=True).count()

    def queries(url):
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url).status_code == 200
        return len(captured)

    for number in range(5):
        _local(world.a, f"ZZ-{number:03d}")
    small = queries(_url("measure-list", world.a))
    for number in range(5, 80):
        _local(world.a, f"ZZ-{number:03d}")
    assert queries(_url("measure-list", world.a)) <= small

    total = platform + 80
    html = client.get(_url("measure-list", world.a)).content.decode()
    assert f"{total} measures" in html
    assert html.count('class="govuk-table__row"') == 50 + 1  # the header row too
    last_page = (total + 49) // 50
    html = client.get(_url("measure-list", world.a), {"page": last_page}).content.decode()
    assert html.count('class="govuk-table__row"') == total - 50 * (last_page - 1) + 1
    assert "ZZ-079" in html


def test_a_platform_measure_page_shows_every_field(client, world):
    measure_import(
        file=make_csv(
            {
                "code": "SHOW-1",
                "unit": "£",
                "proxy_value_gbp": "2.50",
                "proxy_source": "A published study",
                "proxy_year": "2023",
                "deadweight_pct": "20",
                "evidence": "Keep invoices",
            }
        )
    )
    measure = Measure.objects.get(code="SHOW-1")
    client.force_login(world.user(world.a, Role.CONTRACT_MANAGER))
    html = client.get(_url("measure-detail", world.a, measure_id=measure.pk)).content.decode()
    for text in ("SHOW-1", GOOD["title"], "£2.50", "A published study", "2023", "20%", "Keep invoices", GOOD["theme"]):
        assert text in html
    assert 'id="measure-history"' in html
    # The same platform measure, under authority B's slug, for B's staff.
    client.force_login(world.user(world.b, Role.EVALUATOR))
    assert client.get(_url("measure-detail", world.b, measure_id=measure.pk)).status_code == 200


def test_another_authoritys_local_measure_is_not_found(client, world):
    theirs = _local(world.b, "B-LOCAL-1")
    client.force_login(world.user(world.a, Role.COMMISSIONER))
    for name in ("local-measure-detail", "local-measure-edit"):
        assert client.get(_url(name, world.a, local_measure_id=theirs.pk)).status_code == 404
        assert client.post(_url(name, world.a, local_measure_id=theirs.pk), {"code": "X"}).status_code == 404


def _form_data(**changes):
    data = {
        "code": "LOC-EMP-01",
        "title": "Care leavers employed",
        "description": "",
        "unit": "people",
        "theme": "Equal opportunity",
        "outcome": "Tackle workforce inequality",
        "proxy_value_gbp": "",
        "proxy_source": "",
        "proxy_year": "",
        "deadweight_pct": "",
        "attribution_pct": "",
        "displacement_pct": "",
        "dropoff_pct": "",
        "evidence_guidance": "Anonymised list",
    }
    return {**data, **changes}


def test_adding_a_local_measure_with_errors_answers_422_and_keeps_the_input(client, world):
    client.force_login(world.user(world.a, Role.COMMISSIONER))
    response = client.post(
        _url("local-measure-add", world.a),
        _form_data(code="", unit="", proxy_value_gbp="-3", proxy_year="1900", deadweight_pct="120", title="Kept title"),
    )
    assert response.status_code == 422
    html = response.content.decode()
    assert "<title>Error: " in html
    for field, message in (
        ("code", "Enter a code"),
        ("unit", "Select a unit"),
        ("proxy_value_gbp", "The proxy value must be £0 or more"),
        ("proxy_year", "The proxy year must be between 1990 and 2100"),
        ("deadweight_pct", "The deadweight must be between 0% and 100%"),
    ):
        assert f'<a href="#id_{field}">{message}</a>' in html  # in the error summary
        assert f'<span class="govuk-visually-hidden">Error:</span> {message}</p>' in html  # next to the field
    assert 'value="Kept title"' in html
    assert 'value="-3"' in html
    with authority_scope(world.a):
        assert not LocalMeasure.objects.exists()


def test_adding_a_local_measure_needs_a_source_for_a_proxy(client, world):
    client.force_login(world.user(world.a, Role.COMMISSIONER))
    response = client.post(_url("local-measure-add", world.a), _form_data(proxy_value_gbp="20"))
    assert response.status_code == 422
    assert "Enter the source of the proxy value" in response.content.decode()


def test_adding_a_local_measure_saves_it_with_history_and_audit(client, world):
    commissioner = world.user(world.a, Role.COMMISSIONER)
    client.force_login(commissioner)
    assert client.get(_url("local-measure-add", world.a)).status_code == 200
    response = client.post(
        _url("local-measure-add", world.a),
        _form_data(proxy_value_gbp="£1,500", proxy_source="Our own study", proxy_year="2025", dropoff_pct="10%"),
    )
    assert response.status_code == 303
    with authority_scope(world.a):
        measure = LocalMeasure.objects.get(code="LOC-EMP-01")
    assert response["Location"] == _url("local-measure-detail", world.a, local_measure_id=measure.pk)
    assert measure.proxy_value_gbp == Decimal("1500.00")
    assert measure.dropoff_pct == Decimal("10.00")
    assert measure.history[0]["by"] == commissioner.email
    [event] = audit_events(world.a, "local_measure.created")
    assert event.actor == commissioner

    html = client.get(response["Location"]).content.decode()
    assert "Local measure LOC-EMP-01 added." in html
    assert "£1,500.00" in html and "Our own study" in html and "10%" in html

    # The same code again is refused, next to the code field.
    response = client.post(_url("local-measure-add", world.a), _form_data())
    assert response.status_code == 422
    assert "Your library already has a local measure with the code LOC-EMP-01" in response.content.decode()
    # A platform library code is refused too.
    response = client.post(_url("local-measure-add", world.a), _form_data(code="CVC-EMP-01"))
    assert response.status_code == 422
    assert "CVC-EMP-01 is the code of a measure in the platform library" in response.content.decode()


def test_editing_a_local_measure_appends_history(client, world):
    commissioner = world.user(world.a, Role.COMMISSIONER)
    measure = _local(world.a, "LOC-1", title="Old title")
    client.force_login(commissioner)
    url = _url("local-measure-edit", world.a, local_measure_id=measure.pk)
    html = client.get(url).content.decode()
    assert 'value="Old title"' in html

    response = client.post(url, _form_data(code="LOC-1", title="New title", unit="hours", theme="", outcome=""))
    assert response.status_code == 303
    measure.refresh_from_db()
    assert measure.title == "New title"
    assert measure.history[-1]["changes"]["title"] == {"before": "Old title", "after": "New title"}
    [event] = audit_events(world.a, "local_measure.updated")
    assert event.changes["title"] == {"before": "Old title", "after": "New title"}

    html = client.get(_url("local-measure-detail", world.a, local_measure_id=measure.pk)).content.decode()
    assert "New title" in html and "Old title" in html  # the history shows the change
    assert commissioner.email in html

    response = client.post(url, _form_data(code="LOC-1", title="", unit="hours"))
    assert response.status_code == 422
    assert "Enter a title" in response.content.decode()

    response = client.post(url, _form_data(code="LOC-1", title="New title", unit="hours", theme="", outcome=""))
    assert response.status_code == 303
    assert "Nothing changed." in client.get(response["Location"]).content.decode()


def test_only_measure_managers_may_change_local_measures(client, world):
    measure = _local(world.a, "LOC-1")
    client.force_login(world.user(world.a, Role.PROCUREMENT_OFFICER))
    assert client.get(_url("local-measure-detail", world.a, local_measure_id=measure.pk)).status_code == 200
    for name, kwargs in (
        ("local-measure-add", {}),
        ("local-measure-edit", {"local_measure_id": measure.pk}),
        ("measure-import", {}),
        ("measure-export", {}),
    ):
        assert client.get(_url(name, world.a, **kwargs)).status_code == 403
        assert client.post(_url(name, world.a, **kwargs)).status_code == 403


def test_the_import_page_imports_a_good_file(client, world):
    client.force_login(world.user(world.a, Role.COMMISSIONER))
    upload = SimpleUploadedFile("ours.csv", make_csv({}, {}).encode(), content_type="text/csv")
    response = client.post(_url("measure-import", world.a), {"file": upload})
    assert response.status_code == 303
    assert response["Location"] == _url("measure-list", world.a)
    assert import_codes(world.a) == {"T-01", "T-02"}
    html = client.get(response["Location"]).content.decode()
    assert "Local measures imported: 2 added, 0 changed, 0 unchanged." in html


def test_the_import_page_lists_every_error_and_saves_nothing(client, world):
    client.force_login(world.user(world.a, Role.COMMISSIONER))
    text = make_csv({}, {"unit": "furlongs"}, {}, {"proxy_value_gbp": "-5", "proxy_source": "x"})
    response = client.post(_url("measure-import", world.a), {"file": SimpleUploadedFile("bad.csv", text.encode())})
    assert response.status_code == 422
    html = response.content.decode()
    assert "govuk-error-summary" in html
    assert "Line 3, column unit: “furlongs” is not a unit." in html
    assert "Line 5, column proxy_value_gbp: The proxy value must be £0 or more" in html
    assert import_codes(world.a) == set()

    response = client.post(_url("measure-import", world.a), {})
    assert response.status_code == 422
    assert "Select a CSV file" in response.content.decode()


def test_the_import_page_shows_the_first_100_errors_and_counts_the_rest(client, world):
    client.force_login(world.user(world.a, Role.COMMISSIONER))
    text = make_csv(*({"unit": ""} for _ in range(130)))
    response = client.post(_url("measure-import", world.a), {"file": SimpleUploadedFile("bad.csv", text.encode())})
    assert response.status_code == 422
    html = response.content.decode()
    assert "Line 101, column unit" in html and "Line 102, column unit" not in html
    assert "The file has 30 more problems not listed here." in html


def test_export_downloads_the_authoritys_local_measures_only(client, world):
    _local(world.a, "A-LOCAL-1", title="Ours")
    _local(world.b, "B-LOCAL-1", title="Theirs")
    client.force_login(world.user(world.a, Role.COMMISSIONER))
    response = client.get(_url("measure-export", world.a))
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith('attachment; filename="authority-a-local-measures-')
    text = response.content.decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(text)))
    assert [row["code"] for row in rows] == ["A-LOCAL-1"]
    assert rows[0]["title"] == "Ours" and rows[0]["unit"] == "hours"
    # What was downloaded imports back unchanged.
    result = measure_import(authority=world.a, file=response.content)
    assert result.unchanged == ["A-LOCAL-1"]


# The operator's admin -----------------------------------------------------------------------------------------


@pytest.fixture
def operator(db):
    return User.objects.create_superuser(email="operator@example.org", password="x-long-password", full_name="Op")


def test_admin_lists_measures_with_import_and_export_links(client, world, operator):
    client.force_login(operator)
    response = client.get(reverse("admin:charters_measure_changelist"), {"q": "CVC-ENV"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "CVC-ENV-01" in html and "CVC-EMP-01" not in html
    assert reverse("admin:charters_measure_import") in html
    assert reverse("admin:charters_measure_export") in html
    _local(world.a, "A-LOCAL-1")
    assert "A-LOCAL-1" in client.get(reverse("admin:charters_localmeasure_changelist")).content.decode()


def test_admin_edit_appends_history_and_audits(client, world, operator):
    client.force_login(operator)
    measure = Measure.objects.get(code="CVC-EMP-01")
    url = reverse("admin:charters_measure_change", args=[measure.pk])
    html = client.get(url).content.decode()
    assert "starter library" in html  # the edit history, read-only
    data = {
        "code": measure.code,
        "title": "Local people employed (FTE)",
        "description": "",
        "unit": measure.unit,
        "theme": measure.theme,
        "outcome": measure.outcome,
        "proxy_value_gbp": "",
        "proxy_source": "",
        "proxy_year": "",
        "deadweight_pct": "",
        "attribution_pct": "",
        "displacement_pct": "",
        "dropoff_pct": "",
        "evidence_guidance": measure.evidence_guidance,
        "is_active": "on",
    }
    response = client.post(url, {**data, "proxy_value_gbp": "5"})
    assert response.status_code == 200  # re-shown with the error
    assert "Enter the source of the proxy value" in response.content.decode()
    response = client.post(url, data)
    assert response.status_code == 302
    measure.refresh_from_db()
    assert measure.title == "Local people employed (FTE)"
    assert measure.history[-1]["by"] == operator.email
    assert measure.history[-1]["via"] == "admin"
    assert list(measure.history[-1]["changes"]) == ["title"]
    [event] = audit_events(None, "measure.updated")
    assert event.actor == operator


def test_admin_import_shows_row_errors_and_imports_good_files(client, world, operator):
    client.force_login(operator)
    url = reverse("admin:charters_measure_import")
    assert client.get(url).status_code == 200
    bad = SimpleUploadedFile("bad.csv", make_csv({}, {"proxy_year": "3000"}).encode())
    response = client.post(url, {"file": bad})
    assert response.status_code == 422
    assert "Line 3, column proxy_year: The proxy year must be between 1990 and 2100" in response.content.decode()
    assert import_codes() == set()

    good = SimpleUploadedFile("good.csv", make_csv({}, {}).encode())
    response = client.post(url, {"file": good, "dry_run": "on"})
    assert response.status_code == 200
    assert "2 created, 0 updated, 0 unchanged" in response.content.decode()
    assert import_codes() == set()

    good = SimpleUploadedFile("good.csv", make_csv({}, {}).encode())
    response = client.post(url, {"file": good})
    assert response.status_code == 302
    assert import_codes() == {"T-01", "T-02"}

    # Into an authority's local measures.
    good = SimpleUploadedFile("licensed.csv", make_csv({"code": "LIC-1"}).encode())
    response = client.post(url, {"file": good, "authority": world.b.pk})
    assert response.status_code == 302
    assert import_codes(world.b) == {"LIC-1"}


def test_admin_exports_the_library(client, world, operator):
    client.force_login(operator)
    response = client.get(reverse("admin:charters_measure_export"))
    assert response.status_code == 200
    rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert len(rows) == Measure.objects.count()
    selected = Measure.objects.filter(code__in=["CVC-EMP-01", "CVC-ENV-01"])
    response = client.post(
        reverse("admin:charters_measure_changelist"),
        {"action": "export_selected", "_selected_action": [m.pk for m in selected]},
    )
    assert response.status_code == 200
    rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert [row["code"] for row in rows] == ["CVC-EMP-01", "CVC-ENV-01"]


def test_non_operators_cannot_reach_the_admin_import(client, world):
    client.force_login(world.user(world.a, Role.COMMISSIONER))
    response = client.get(reverse("admin:charters_measure_import"))
    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]
