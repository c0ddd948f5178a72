"""The local authority register: reading and mapping (no database), and `manage.py import_authorities`."""

import csv
import io
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from accounts.authority_register import (
    SHIPPED_REGISTER,
    RegisterHeaderError,
    kind_for_type,
    nation_for_name,
    register_read,
    slug_for_row,
    unique_slug,
)
from accounts.models import AuditEvent, Authority, AuthorityKind, Nation
from accounts.scoping import dangerously_unscoped


def shipped_rows() -> tuple[list[str], list[dict[str, str]]]:
    with SHIPPED_REGISTER.open(newline="", encoding="utf-8") as file:
        reader = csv.DictReader(file)
        return list(reader.fieldnames or []), list(reader)


def current_rows() -> list[dict[str, str]]:
    return [row for row in shipped_rows()[1] if not row["end-date"].strip()]


def write_register(path: Path, rows: list[dict[str, str]], fieldnames: list[str] | None = None) -> Path:
    fieldnames = fieldnames or shipped_rows()[0]
    with path.open("w", newline="", encoding="utf-8") as file:
        writer = csv.DictWriter(file, fieldnames=fieldnames, extrasaction="ignore")
        writer.writeheader()
        writer.writerows(rows)
    return path


def row_with_code(code: str) -> dict[str, str]:
    return next(row for row in shipped_rows()[1] if row["local-authority-code"] == code)


def run_import(*args) -> tuple[str, str]:
    stdout, stderr = io.StringIO(), io.StringIO()
    call_command("import_authorities", *args, stdout=stdout, stderr=stderr)
    return stdout.getvalue(), stderr.getvalue()


# Reading and mapping ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("type_code", "kind"),
    [
        ("NMD", AuthorityKind.DISTRICT),
        ("NID", AuthorityKind.DISTRICT),
        ("CTY", AuthorityKind.COUNTY),
        ("UA", AuthorityKind.UNITARY),
        ("SCO", AuthorityKind.UNITARY),
        ("WPA", AuthorityKind.UNITARY),
        ("MD", AuthorityKind.METROPOLITAN_BOROUGH),
        ("LBO", AuthorityKind.LONDON_BOROUGH),
        ("COMB", AuthorityKind.COMBINED_AUTHORITY),
        ("SRA", AuthorityKind.OTHER),
        ("CC", AuthorityKind.OTHER),
        ("XYZ", AuthorityKind.OTHER),
    ],
)
def test_kind_for_type(type_code, kind):
    assert kind_for_type(type_code) == kind


def test_nation_for_name():
    assert nation_for_name("Northern Ireland") == Nation.NORTHERN_IRELAND
    assert nation_for_name(" wales ") == Nation.WALES
    with pytest.raises(ValueError, match="Atlantis"):
        nation_for_name("Atlantis")


def test_slug_prefers_the_gov_uk_slug():
    assert slug_for_row({"gov-uk-slug": "aberdeen", "nice-name": "Aberdeen City"}) == "aberdeen"
    assert slug_for_row({"gov-uk-slug": "", "nice-name": "Bournemouth, Christchurch and Poole"}) == (
        "bournemouth-christchurch-and-poole"
    )
    assert slug_for_row({"nice-name": "West Suffolk"}) == "west-suffolk"


def test_unique_slug_numbers_a_taken_slug_within_the_field_length():
    assert unique_slug("adur", set()) == "adur"
    assert unique_slug("adur", {"adur", "adur-2"}) == "adur-3"
    long = "x" * 100
    numbered = unique_slug(long, {long[:80]})
    assert numbered == "x" * 78 + "-2"


def test_the_shipped_register_reads_without_errors():
    with SHIPPED_REGISTER.open(newline="", encoding="utf-8") as file:
        read = register_read(file)
    current = current_rows()
    assert read.errors == []
    assert len(read.entries) == len(current)
    assert read.ended == len(shipped_rows()[1]) - len(current)
    assert len({entry.slug for entry in read.entries}) == len(read.entries)
    adur = next(entry for entry in read.entries if entry.gss_code == "E07000223")
    assert (adur.name, adur.slug, adur.kind, adur.nation) == (
        "Adur District Council",
        "adur",
        AuthorityKind.DISTRICT,
        Nation.ENGLAND,
    )


def test_missing_columns_are_named():
    text = "official-name,gss-code,end-date,local-authority-type\nAdur District Council,E07000223,,NMD\n"
    with pytest.raises(RegisterHeaderError) as raised:
        register_read(io.StringIO(text))
    assert '"nice-name"' in str(raised.value)
    assert '"nation"' in str(raised.value)
    assert "gss-code" not in str(raised.value)


def test_line_numbers_count_from_the_header_and_survive_multi_line_values_and_blank_lines():
    text = (
        "official-name,nice-name,gss-code,end-date,nation,local-authority-type\n"
        '"Adur District Council",Adur,E07000223,,England,NMD\n'
        '"A council whose name\nspans two lines",Two Lines,E07000999,,England,NMD\n'
        "Nowhere Council,Nowhere,E07000998,,Atlantis,NMD\n"
        "Old Council,Old,E07000997,2009-03-31,England,NMD\n"
        "\n"
        ",Nameless,E07000996,,England,NMD\n"
        "Bad Code Council,Bad Code,E0700,,England,NMD\n"
        "Again Council,Again,E07000223,,England,NMD\n"
        "Long Council,Long,E07000995,,England,NMD,extra\n"
        "Short Council,Short,E07000994,,England\n"
    )
    read = register_read(io.StringIO(text))
    assert [entry.line for entry in read.entries] == [2, 3]
    assert read.ended == 1
    assert [(error.line, error.message) for error in read.errors] == [
        (5, 'nation "Atlantis" is not one of England, Scotland, Wales, Northern Ireland'),
        (8, "official-name is empty"),
        (9, 'gss-code "E0700" is not a letter followed by 8 digits'),
        (10, "gss-code E07000223 is also on line 2"),
        (11, "the row has more values than the header has columns"),
        (12, "local-authority-type is empty"),
    ]
    assert str(read.errors[0]).startswith("Line 5: ")


# The command ------------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_shipped_file_creates_every_current_authority():
    expected = len(current_rows())
    before = Authority.objects.count()

    stdout, stderr = run_import()

    assert Authority.objects.count() - before == expected
    assert f"{expected} created, 0 updated, 0 unchanged" in stdout
    assert stderr == ""
    by_gss = {authority.gss_code: authority for authority in Authority.objects.exclude(gss_code="")}
    assert by_gss["N09000002"].kind == AuthorityKind.DISTRICT
    assert by_gss["N09000002"].nation == Nation.NORTHERN_IRELAND
    assert by_gss["S12000034"].kind == AuthorityKind.UNITARY
    assert by_gss["S12000034"].nation == Nation.SCOTLAND
    assert by_gss["E07000223"].slug == "adur"
    nations = {nation: 0 for nation in Nation}
    for authority in by_gss.values():
        nations[authority.nation] += 1
    expected_nations = {nation: 0 for nation in Nation}
    for row in current_rows():
        expected_nations[nation_for_name(row["nation"])] += 1
    assert nations == expected_nations
    with dangerously_unscoped():
        assert AuditEvent.objects.filter(verb="authority.created_from_register").count() == expected


@pytest.mark.django_db
def test_a_second_run_changes_nothing():
    expected = len(current_rows())
    run_import()
    count = Authority.objects.count()

    stdout, _ = run_import()

    assert f"0 created, 0 updated, {expected} unchanged" in stdout
    assert Authority.objects.count() == count


@pytest.mark.django_db
def test_a_renamed_authority_is_updated_not_duplicated(tmp_path):
    adur, aberdeen = row_with_code("ADU"), row_with_code("ABE")
    register = write_register(tmp_path / "register.csv", [adur, aberdeen])
    run_import(str(register))
    original = Authority.objects.get(gss_code=adur["gss-code"])

    renamed = {**adur, "official-name": "Adur and Shoreham Council", "local-authority-type": "UA"}
    write_register(register, [renamed, aberdeen])
    stdout, _ = run_import(str(register))

    assert "0 created, 1 updated, 1 unchanged" in stdout
    assert Authority.objects.filter(gss_code=adur["gss-code"]).count() == 1
    authority = Authority.objects.get(gss_code=adur["gss-code"])
    assert authority.pk == original.pk
    assert authority.slug == original.slug  # URLs keep working
    assert (authority.name, authority.kind) == ("Adur and Shoreham Council", AuthorityKind.UNITARY)
    with dangerously_unscoped():
        event = AuditEvent.objects.get(verb="authority.updated_from_register", authority=authority)
    assert event.changes["name"] == {"before": "Adur District Council", "after": "Adur and Shoreham Council"}


@pytest.mark.django_db
def test_an_authority_made_by_hand_is_matched_on_its_slug_and_gets_its_gss_code(tmp_path):
    made_by_hand = Authority.objects.create(name="Adur", slug="adur", kind=AuthorityKind.OTHER)
    register = write_register(tmp_path / "register.csv", [row_with_code("ADU")])

    stdout, _ = run_import(str(register))

    assert "0 created, 1 updated" in stdout
    made_by_hand.refresh_from_db()
    assert (made_by_hand.name, made_by_hand.gss_code, made_by_hand.kind) == (
        "Adur District Council",
        "E07000223",
        AuthorityKind.DISTRICT,
    )


@pytest.mark.django_db
def test_a_slug_taken_by_another_authority_is_numbered(tmp_path):
    other = Authority.objects.create(name="Not Adur", slug="adur", kind=AuthorityKind.OTHER, gss_code="E99999999")
    register = write_register(tmp_path / "register.csv", [row_with_code("ADU")])

    run_import(str(register))

    other.refresh_from_db()
    assert other.name == "Not Adur"
    assert Authority.objects.get(gss_code="E07000223").slug == "adur-2"


@pytest.mark.django_db
def test_missing_columns_stop_the_import_with_their_names(tmp_path):
    fieldnames = [name for name in shipped_rows()[0] if name not in {"nation", "gss-code"}]
    register = write_register(tmp_path / "register.csv", [row_with_code("ADU")], fieldnames=fieldnames)
    before = Authority.objects.count()

    with pytest.raises(CommandError) as raised:
        run_import(str(register))

    assert '"gss-code"' in str(raised.value)
    assert '"nation"' in str(raised.value)
    assert Authority.objects.count() == before


@pytest.mark.django_db
def test_a_bad_row_is_reported_by_line_number_and_the_good_rows_are_saved(tmp_path):
    bad = {**row_with_code("ABE"), "nation": "Atlantis"}
    register = write_register(tmp_path / "register.csv", [row_with_code("ADU"), bad, row_with_code("ABD")])

    stdout, stderr = run_import(str(register))

    assert "Line 3: " in stderr
    assert "Atlantis" in stderr
    assert "2 created" in stdout
    assert "1 bad rows" in stdout
    assert set(Authority.objects.values_list("gss_code", flat=True)) >= {"E07000223", "S12000034"}
    assert not Authority.objects.filter(gss_code=bad["gss-code"]).exists()


@pytest.mark.django_db
def test_a_dry_run_saves_nothing(tmp_path):
    register = write_register(tmp_path / "register.csv", [row_with_code("ADU"), row_with_code("ABE")])
    before = Authority.objects.count()

    stdout, _ = run_import(str(register), "--dry-run")

    assert "Dry run" in stdout
    assert "2 created" in stdout
    assert Authority.objects.count() == before


@pytest.mark.django_db
def test_a_missing_file_is_a_command_error(tmp_path):
    with pytest.raises(CommandError, match="no file"):
        run_import(str(tmp_path / "nowhere.csv"))
