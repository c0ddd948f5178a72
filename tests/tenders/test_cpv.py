"""CPV codes (tenders/cpv.py): the loaded vocabulary, parsing, search, the division roll-up, works detection, the
picker's search page and the operator's read-only admin."""

import csv
import importlib
from pathlib import Path

import pytest
from django.apps import apps as django_apps
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from hypothesis import given
from hypothesis import strategies as st

from accounts.models import User
from tenders.cpv import (
    CpvDivision,
    cpv_search,
    division_of,
    divisions_for,
    is_works,
    normalise_cpv_code,
    parse_cpv_codes,
    validate_cpv_codes,
)
from tenders.models import CpvCode, Threshold

load_migration = importlib.import_module("tenders.migrations.0003_load_cpv_codes")
CSV_FILE = Path(__file__).resolve().parents[2] / "tenders" / "data" / "cpv_2008_codes_en.csv"

codes = st.from_regex(r"\A\d{8}\Z", fullmatch=True)


# Pure helpers -------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("45000000", "45000000"),
        (" 45000000-7 ", "45000000"),
        ("03111000", "03111000"),
        ("4500000", None),
        ("450000000", None),
        ("45000000-", None),
        ("45000000-77", None),
        ("abc", None),
        ("", None),
    ],
)
def test_normalise_cpv_code(text, code):
    assert normalise_cpv_code(text) == code


def test_parse_cpv_codes_splits_on_commas_spaces_and_lines_without_repeats():
    assert parse_cpv_codes("45000000, 90910000;\n45000000-7  bad") == ["45000000", "90910000", "45000000-7", "bad"]
    assert parse_cpv_codes("") == [] and parse_cpv_codes(None) == []


@given(codes, st.integers(min_value=0, max_value=9))
def test_division_of_is_the_first_two_digits_with_or_without_check_digit(code, check):
    assert division_of(code) == code[:2]
    assert division_of(f"{code}-{check}") == code[:2]


def test_division_of_refuses_what_is_not_a_code():
    with pytest.raises(ValueError):
        division_of("45")


@given(st.lists(codes, max_size=8))
def test_is_works_means_any_code_in_division_45(some_codes):
    assert is_works(some_codes) == any(code.startswith("45") for code in some_codes)


def test_is_works_accepts_check_digits_and_objects_and_skips_bad_codes():
    assert is_works(["90910000", "45210000-2"])
    assert is_works([CpvCode(code="45000000", description="Construction work", division="45")])
    assert not is_works(["4500", "", "90910000"])
    assert not is_works([])


# The loaded vocabulary --------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_migration_loaded_the_whole_file():
    with CSV_FILE.open(encoding="utf-8") as lines:
        rows = list(csv.DictReader(lines))
    assert CpvCode.objects.count() == len(rows) == 9454
    assert CpvCode.objects.values("division").distinct().count() == 45
    assert CpvCode.objects.get(code="45000000").description == "Construction work"
    assert CpvCode.objects.get(code="03111000").division == "03"
    divisions = set(CpvCode.objects.values_list("division", flat=True))
    assert set(CpvCode.objects.filter(code__endswith="000000").values_list("division", flat=True)) == divisions


@pytest.mark.django_db
def test_the_load_is_idempotent_repairs_changes_and_reverses():
    CpvCode.objects.filter(code="45000000").update(description="Changed")
    CpvCode.objects.filter(code="90910000").delete()
    load_migration.load_cpv_codes(django_apps, None)
    assert CpvCode.objects.count() == 9454
    assert CpvCode.objects.get(code="45000000").description == "Construction work"
    assert CpvCode.objects.filter(code="90910000").exists()
    load_migration.unload_cpv_codes(django_apps, None)
    assert CpvCode.objects.count() == 0
    load_migration.load_cpv_codes(django_apps, None)
    assert CpvCode.objects.count() == 9454


# Validation and roll-up -------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_validate_cpv_codes_keeps_order_and_reports_what_is_missing(django_assert_num_queries):
    with django_assert_num_queries(1):
        found, missing = validate_cpv_codes(["90910000", "45000000-7", "99999999", "45", "", "90910000", "4500x"])
    assert [cpv.code for cpv in found] == ["90910000", "45000000"]
    assert missing == ["99999999", "45", "4500x"]  # as typed, in order


@pytest.mark.django_db
def test_validate_nothing_asks_nothing(django_assert_num_queries):
    with django_assert_num_queries(0):
        assert validate_cpv_codes([]) == ([], [])
        assert validate_cpv_codes(["nonsense"]) == ([], ["nonsense"])


@pytest.mark.django_db
def test_divisions_for_rolls_codes_up_to_their_divisions(django_assert_num_queries):
    with django_assert_num_queries(1):
        divisions = divisions_for(["90910000", "45210000", "45000000-7", "bad", "03111000"])
    assert divisions == [
        CpvDivision("03", "03000000", "Agricultural, farming, fishing, forestry and related products"),
        CpvDivision("45", "45000000", "Construction work"),
        CpvDivision("90", "90000000", "Sewage, refuse, cleaning and environmental services"),
    ]
    assert divisions_for([]) == []


@pytest.mark.django_db
def test_divisions_for_accepts_cpv_code_objects():
    assert [d.division for d in divisions_for(CpvCode.objects.filter(code__startswith="4521")[:3])] == ["45"]


# Search -----------------------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_search_by_code_prefix_broadest_first(django_assert_num_queries):
    with django_assert_num_queries(1):
        results = cpv_search("4521", limit=200)
    assert len(results) == 100  # capped
    assert all(cpv.code.startswith("4521") for cpv in results)
    assert results[0].code == "45210000"
    assert [cpv.code for cpv in cpv_search("45210000-2")] == ["45210000"]


@pytest.mark.django_db
def test_search_by_words_puts_divisions_first_and_ignores_case():
    results = cpv_search("construction", limit=10)
    assert [cpv.code for cpv in results[:4]] == ["43000000", "44000000", "45000000", "71000000"]
    assert [cpv.code for cpv in cpv_search("CONSTRUCTION", limit=10)] == [cpv.code for cpv in results]
    results = cpv_search("cleaning", limit=100)
    levels = [_level(cpv.code) for cpv in results]
    assert levels == sorted(levels)  # broadest first
    assert [cpv.code for cpv in results[:2]] == ["39000000", "90000000"]  # the divisions


def _level(code):
    for level, zeros in enumerate(("000000", "00000", "0000", "000")):
        if code.endswith(zeros):
            return level
    return 4


@pytest.mark.django_db
def test_search_needs_every_word():
    results = cpv_search("cleaning machines", limit=50)
    assert results
    for cpv in results:
        assert "cleaning" in cpv.description.lower() and "machines" in cpv.description.lower()


@pytest.mark.django_db
def test_search_limits_and_empty_queries():
    assert len(cpv_search("services", limit=5)) == 5
    assert cpv_search("") == [] and cpv_search("   ") == []
    assert cpv_search("no such words here") == []


# The picker's search page -----------------------------------------------------------------------------------------

URL = "/cpv/search/"


def test_the_route_is_named():
    assert reverse("tenders:cpv-search") == URL


@pytest.mark.django_db
def test_without_javascript_the_page_has_a_form_and_the_matches(client):
    response = client.get(URL, {"q": "building construction"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "<html" in html and '<form method="get"' in html and 'name="q"' in html
    assert "45210000" in html and "Building construction work" in html
    assert "data-cpv-code" not in html  # no buttons that need JavaScript
    assert response["Vary"].lower().count("hx-request") == 1


@pytest.mark.django_db
def test_the_empty_page_asks_for_a_search(client):
    response = client.get(URL)
    assert response.status_code == 200
    assert 'id="cpv-options"' not in response.content.decode()


@pytest.mark.django_db
def test_htmx_gets_the_fragment_with_a_button_per_option(client):
    response = client.get(URL, {"q": "4521", "target": "id_cpv_codes"}, headers={"HX-Request": "true"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "<html" not in html and "<form" not in html
    assert html.strip().startswith('<div id="cpv-results"')
    assert html.count("<li ") == 20
    assert 'data-cpv-code="45210000"' in html and 'data-cpv-target="id_cpv_codes"' in html
    assert "The first 20 codes" in html


@pytest.mark.django_db
def test_a_target_that_is_not_an_element_id_is_ignored(client):
    html = client.get(URL, {"q": "45000000", "target": '"><script>'}, headers={"HX-Request": "true"}).content
    assert b"data-cpv-target" not in html and b"<script>" not in html


@pytest.mark.django_db
def test_no_matches_are_said_plainly(client):
    html = client.get(URL, {"q": "zzzz"}, headers={"HX-Request": "true"}).content.decode()
    assert "No CPV codes match" in html


@pytest.mark.django_db
def test_an_overlong_search_is_refused_with_a_message(client):
    response = client.get(URL, {"q": "x" * 101})
    assert response.status_code == 422
    html = response.content.decode()
    assert "<title>Error: " in html and "govuk-error-summary" in html
    assert html.count("100 characters or fewer") == 2  # the summary and the field


@pytest.mark.django_db
@pytest.mark.parametrize("htmx", [False, True])
def test_search_queries_do_not_grow_with_matches(client, htmx):
    headers = {"HX-Request": "true"} if htmx else {}
    with CaptureQueriesContext(connection) as few:
        client.get(URL, {"q": "45210000"}, headers=headers)
    with CaptureQueriesContext(connection) as many:
        client.get(URL, {"q": "services"}, headers=headers)
    assert len(few) == len(many) <= 2


@pytest.mark.django_db
def test_signed_in_search_stays_bounded(client, django_assert_max_num_queries):
    user = User.objects.create_user("officer@example.org", "pw", full_name="Officer")
    client.force_login(user)
    with django_assert_max_num_queries(6):
        assert client.get(URL, {"q": "services"}).status_code == 200


# The operator's admin ---------------------------------------------------------------------------------------------


@pytest.fixture
def operator_client(client, db):
    client.force_login(User.objects.create_superuser("operator@example.org", "pw", full_name="Operator"))
    return client


def test_operators_filter_and_edit_thresholds(operator_client):
    changelist = reverse("admin:tenders_threshold_changelist")
    response = operator_client.get(changelist, {"regime__exact": "pa2023", "buyer_type__exact": "sub_central"})
    assert response.status_code == 200
    assert "214,904" in response.content.decode() or "214904" in response.content.decode()
    threshold = Threshold.objects.get(
        regime="pa2023", buyer_type="sub_central", category="goods_services", effective_to__isnull=True
    )
    url = reverse("admin:tenders_threshold_change", args=[threshold.pk])
    assert operator_client.get(url).status_code == 200
    data = {
        "regime": "pa2023",
        "buyer_type": "sub_central",
        "category": "goods_services",
        "value": "210000.00",
        "vat_basis": "inclusive",
        "effective_from": "2026-01-01",
        "effective_to": "",
        "source": threshold.source,
        "confirmed": "on",
    }
    assert operator_client.post(url, data).status_code == 302
    threshold.refresh_from_db()
    assert str(threshold.value) == "210000.00"
    # A period that ends before it starts is refused.
    response = operator_client.post(url, {**data, "effective_to": "2025-01-01"})
    assert response.status_code == 200 and Threshold.objects.get(pk=threshold.pk).effective_to is None


def test_operators_search_cpv_codes_but_cannot_change_them(operator_client):
    response = operator_client.get(reverse("admin:tenders_cpvcode_changelist"), {"q": "construction work"})
    assert response.status_code == 200 and "45000000" in response.content.decode()
    assert operator_client.get(reverse("admin:tenders_cpvcode_add")).status_code == 403
    change = reverse("admin:tenders_cpvcode_change", args=["45000000"])
    assert operator_client.get(change).status_code == 200
    operator_client.post(change, {"code": "45000000", "description": "Changed", "division": "45"})
    assert CpvCode.objects.get(code="45000000").description == "Construction work"
    assert operator_client.get(reverse("admin:tenders_cpvcode_delete", args=["45000000"])).status_code == 403


@pytest.mark.django_db
def test_an_overlong_search_from_htmx_says_why_in_the_fragment(client):
    response = client.get(URL, {"q": "x" * 101}, headers={"HX-Request": "true"})
    assert response.status_code == 422  # htmx is configured to swap 422 responses
    html = response.content.decode()
    assert "<html" not in html and html.count("100 characters or fewer") == 1
