"""OCDS publication (publication/ocds.py): the demo data's export validates, stages become releases, sealed and
unpublished information never appears, the command, the public endpoints and their query counts."""

import io
import json
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import timezone

from accounts import demo as accounts_demo
from accounts.models import Authority, User
from accounts.roles import Role
from accounts.scoping import authority_scope
from charters import demo as charters_demo
from compact import demo as compact_demo
from compact import services as compact_services
from compact.models import Verification
from evaluation import demo as evaluation_demo
from evaluation import services as evaluation_services
from evaluation.models import Award
from publication import ocds, ocds_schema
from tenders import demo as tenders_demo
from tenders import offers as offer_services
from tenders.models import Tender
from tenders.services import tender_amend
from tests.compact.factories import build_contract_from_award
from tests.tenders.factories import build_tender

pytestmark = pytest.mark.django_db


def export(authority, **options) -> dict:
    with authority_scope(authority):
        return ocds.release_package(authority, **options)


def records(authority, ocid=None) -> dict:
    with authority_scope(authority):
        return ocds.record_package(authority, ocid)


def assert_valid(package, kind="release"):
    errors = ocds_schema.validate_package(package, kind=kind)
    assert errors == [], "\n".join(errors)


def text_of(package) -> str:
    return json.dumps(package, ensure_ascii=False)


def tags(package) -> list[str]:
    return [tag for release in package["releases"] for tag in release["tag"]]


# The demo data ------------------------------------------------------------------------------------------------


@pytest.fixture
def demo():
    """The whole demo, through each app's demo functions as `seed_demo` runs them (compact's demo contracts are
    entered directly, with no tender, so they publish nothing; the OCDS tests below build one from an award)."""
    world = accounts_demo.seed_demo()
    for module in (charters_demo, tenders_demo, evaluation_demo, compact_demo):
        module.seed_demo(world)
    return {authority.slug: authority for authority in Authority.objects.filter(slug__in=["northmoor", "eastvale"])}


def test_the_demo_datas_export_is_valid_ocds_with_every_code_in_its_codelist(demo):
    assert set(demo) == {"northmoor", "eastvale"}
    for authority in demo.values():
        package = export(authority)
        assert package["releases"], authority.slug
        assert_valid(package)
        for release in package["releases"]:
            assert ocds_schema.codelist_errors(release) == []
        assert package["extensions"] == ["http://127.0.0.1:8000/ocds/extensions/social-value/extension.json"]
        record_package = records(authority)
        assert_valid(record_package, kind="record")
        assert {record["ocid"] for record in record_package["records"]} == {
            release["ocid"] for release in package["releases"]
        }


def test_the_demo_tenders_are_published_with_buyer_items_criteria_and_social_value(demo):
    package = export(demo["northmoor"])
    (release,) = [r for r in package["releases"] if r["tender"]["id"] == "NBC-2026-014"]
    assert release["tag"] == ["tender"]
    assert release["buyer"]["name"] == "Northmoor Borough Council"
    (party,) = release["parties"]
    assert party["roles"] == ["buyer", "procuringEntity"]
    tender = release["tender"]
    assert tender["status"] == "active"
    assert tender["value"] == {"amount": 1800000, "currency": "GBP"}
    item = tender["items"][0]
    assert item["classification"]["scheme"] == "CPV"
    assert {item["classification"]["id"], *(c["id"] for c in item["additionalClassifications"])} == {
        "90610000",
        "77310000",
    }
    assert tender["awardCriteria"] == "ratedCriteria"
    assert "price 55%, quality 30%, social value 15%" in tender["awardCriteriaDetails"]
    social_value = tender["socialValue"]
    assert social_value["weighting"]["percentage"] == 15
    codes = {measure["code"]: measure for measure in social_value["relevantMeasures"]}
    assert set(codes) == {"CVC-EMP-01", "CVC-EMP-02"}
    assert codes["CVC-EMP-01"]["relevance"].startswith("The service is labour-intensive")
    assert codes["CVC-EMP-01"]["weight"] == 60
    assert {document["documentType"] for document in tender["documents"]} == {"tenderNotice", "evaluationCriteria"}


def test_demo_offers_sealed_or_unawarded_never_appear(demo):
    everything = text_of(export(demo["northmoor"])) + text_of(export(demo["eastvale"]))
    everything += text_of(records(demo["northmoor"])) + text_of(records(demo["eastvale"]))
    # Brightside bid to every demo tender, Valley to Eastvale's; Eastvale's award is decided but not confirmed.
    for marker in ("Brightside", "Valley", "Moor End jobs club", "minibus", "parents' panel", '"supplier"', '"awards"'):
        assert marker not in everything, marker
    with authority_scope(demo["eastvale"]):
        assert Award.objects.filter(confirmed_at__isnull=True).exists()


def test_the_demo_award_once_confirmed_and_delivering_validates(demo):
    """Eastvale's award confirmed after standstill, its contract made and one report verified: every stage."""
    eastvale = demo["eastvale"]
    officer = User.objects.get(email="procurement.officer@eastvale.example.org")
    manager = User.objects.get(email="contract.manager@eastvale.example.org")
    with authority_scope(eastvale):
        award = Award.objects.get(evaluation__tender__reference="EDC-2026-012")
        award = evaluation_services.award_confirm(
            award=award, acting_user=officer, today=award.standstill_ends_on + timedelta(days=1)
        )
        today = timezone.localdate()
        contract = compact_services.contract_create_from_award(
            award=award,
            acting_user=manager,
            responsible_officer=manager,
            starts_on=today - timedelta(days=200),
            ends_on=today + timedelta(days=500),
        )
        report = contract.reports.order_by("number").first()
        supplier_user = contract.supplier.memberships.first().user
        commitments = list(contract.commitments.order_by("id"))
        compact_services.report_submit(
            report=report,
            acting_user=supplier_user,
            lines={c.pk: (Decimal("1"), "", "") for c in commitments},
            narrative="Secret words from the supplier's report.",
            now=timezone.now(),
        )
        for line in report.lines.all():
            compact_services.line_verify(line=line, acting_user=manager, decision=Verification.ACCEPTED, note="")
    package = export(eastvale)
    assert_valid(package)
    assert_valid(records(eastvale), kind="record")
    assert set(tags(package)) == {"tender", "award", "contract", "implementation"}
    assert "Secret words" not in text_of(package)
    (award_release,) = [r for r in package["releases"] if r["tag"] == ["award"]]
    assert award_release["awards"][0]["suppliers"][0]["name"] == contract.supplier.name


# Every stage, built through the services ---------------------------------------------------------------------------


def deliver(world, contract, *, accepted, rejected):
    """Report 1 submitted with one line per commitment: the first accepted, the second rejected."""
    manager = world.user(contract.authority, Role.CONTRACT_MANAGER)
    supplier_user = User.objects.get(email="bidder1@example.com")
    with authority_scope(contract.authority):
        report = contract.reports.order_by("number").first()
        first, second = contract.commitments.order_by("id")[:2]
        compact_services.report_submit(
            report=report,
            acting_user=supplier_user,
            lines={first.pk: (Decimal(accepted), "Northtown", ""), second.pk: (Decimal(rejected), "", "")},
            narrative="",
            now=timezone.now(),
        )
        one, two = report.lines.order_by("commitment_id")
        compact_services.line_verify(line=one, acting_user=manager, decision=Verification.ACCEPTED, note="")
        compact_services.line_verify(
            line=two, acting_user=manager, decision=Verification.REJECTED, note="No evidence of these hours."
        )
    return report


def test_every_stage_is_a_release_and_only_verified_delivery_counts(world):
    contract = build_contract_from_award(world, world.a, starts_on=date(2025, 1, 1), ends_on=date(2026, 12, 31))
    deliver(world, contract, accepted="7", rejected="913")
    package = export(world.a)
    assert_valid(package)
    releases = package["releases"]
    assert [release["tag"] for release in releases] == [["tender"], ["award"], ["contract"], ["implementation"]]
    ocid = releases[0]["ocid"]
    assert all(release["ocid"] == ocid for release in releases)
    assert len({release["id"] for release in releases}) == 4
    assert [release["date"] for release in releases] == sorted(release["date"] for release in releases)

    award = releases[1]
    assert award["tender"]["status"] == "complete"
    (section,) = award["awards"]
    assert section["status"] == "active"
    assert section["value"] == {"amount": 200000, "currency": "GBP"}
    assert section["suppliers"][0]["name"] == "Bidder 1 Ltd"
    supplier = next(party for party in award["parties"] if party["name"] == "Bidder 1 Ltd")
    assert set(supplier["roles"]) == {"supplier", "tenderer"}
    commitments = section["socialValue"]["commitments"]
    assert [commitment["quantity"] for commitment in commitments] == [2, 2]
    assert commitments[0]["value"]["currency"] == "GBP"

    (contract_section,) = releases[2]["contracts"]
    assert contract_section["awardID"] == section["id"]
    assert contract_section["status"] == "active"

    (delivery,) = releases[3]["contracts"][0]["implementation"]["socialValue"]["delivery"]
    assert delivery["quantityVerified"] == 7
    assert delivery["place"] == "Northtown"
    # The report's period, whole London days: GMT in winter, BST (an hour ahead of UTC) in summer.
    assert delivery["period"] == {"startDate": "2025-01-01T00:00:00Z", "endDate": "2025-03-31T22:59:59Z"}
    text = text_of(package)
    assert "913" not in text  # the rejected line
    assert "Bidder 2 Ltd" not in text and "210000" not in text  # the losing bid's supplier and price
    assert "hires locally" not in text and "method." not in text  # supplier narratives and answers

    (record,) = records(world.a)["records"]
    compiled = record["compiledRelease"]
    assert compiled["tag"] == ["compiled"]
    assert compiled["tender"]["status"] == "complete"
    assert compiled["tender"]["socialValue"]["relevantMeasures"]
    assert compiled["awards"][0]["socialValue"]["commitments"]
    assert compiled["contracts"][0]["implementation"]["socialValue"]["delivery"][0]["quantityVerified"] == 7
    assert compiled["contracts"][0]["title"] == contract_section["title"]
    assert [linked["tag"] for linked in record["releases"]] == [["tender"], ["award"], ["contract"], ["implementation"]]
    assert record["releases"][0]["url"].endswith(f"/p/{world.a.slug}/ocds/releases.json#{releases[0]['id']}")
    assert_valid(records(world.a), kind="record")


def test_an_unconfirmed_award_publishes_only_the_tender(world):
    from tests.evaluation.factories import build_awarded

    build_awarded(world, world.a, confirm=False)
    package = export(world.a)
    assert_valid(package)
    assert tags(package) == ["tender"]
    assert "Bidder" not in text_of(package)


def test_amendments_are_releases_and_the_first_release_keeps_the_original_tender(world):
    tender = build_tender(world, world.a, published=True)
    original_deadline = tender.submission_deadline
    with authority_scope(world.a):
        tender_amend(
            tender=tender,
            acting_user=world.user(world.a, Role.PROCUREMENT_OFFICER),
            reason="More time for site visits.",
            title="Street cleaning, grounds and verges",
            submission_deadline=original_deadline + timedelta(days=7),
        )
    package = export(world.a)
    assert_valid(package)
    first, second = package["releases"]
    assert first["tag"] == ["tender"] and second["tag"] == ["tenderAmendment"]
    assert first["tender"]["title"] == "Street cleaning and grounds maintenance"
    assert second["tender"]["title"] == "Street cleaning, grounds and verges"
    assert first["tender"]["tenderPeriod"]["endDate"] < second["tender"]["tenderPeriod"]["endDate"]
    assert "amendments" not in first["tender"]
    (amendment,) = second["tender"]["amendments"]
    assert amendment["rationale"] == "More time for site visits."
    assert amendment["amendsReleaseID"] == first["id"]
    assert amendment["releaseID"] == second["id"]
    (record,) = records(world.a)["records"]
    assert record["compiledRelease"]["tender"]["title"] == "Street cleaning, grounds and verges"


def test_a_tender_with_offers_before_its_deadline_shows_nothing_of_them(world):
    tender = build_tender(world, world.a, published=True)
    with authority_scope(world.a):
        for organisation, user, price in (
            (world.supplier_one, world.supplier_one_user, "123456.78"),
            (world.supplier_both, world.supplier_both_user, "98765.43"),
        ):
            offer = offer_services.offer_start(tender=tender, lot=None, organisation=organisation, acting_user=user)
            offer_services.offer_update(
                offer=offer,
                acting_user=user,
                price=Decimal(price),
                commitments={
                    measure.pk: offer_services.CommitmentInput(quantity=Decimal("77"), narrative="SEALED-NARRATIVE")
                    for measure in offer_services.measures_for(tender, None)
                },
                answers={question.pk: "SEALED-ANSWER" for question in tender.questions.all()},
            )
            offer_services.offer_submit(offer=offer, acting_user=user)
    everything = text_of(export(world.a)) + text_of(records(world.a))
    for marker in (
        world.supplier_one.name,
        world.supplier_both.name,
        "123456",
        "98765",
        "SEALED-NARRATIVE",
        "SEALED-ANSWER",
        '"quantity": 77',
        "tenderers",
        "numberOfTenderers",
    ):
        assert marker not in everything, marker


def test_drafts_cancelled_future_and_other_authorities_tenders_never_appear(world):
    shown = build_tender(world, world.a, published=True, reference="SHOWN")
    build_tender(world, world.a, reference="DRAFT")
    build_tender(world, world.a, published=True, reference="LATER", now=timezone.now() + timedelta(days=3))
    cancelled = build_tender(world, world.a, published=True, reference="CANCELLED")
    with authority_scope(world.a):
        Tender.objects.filter(pk=cancelled.pk).update(status="cancelled")
    build_tender(world, world.b, published=True, reference="OTHER")
    package = export(world.a)
    assert [release["tender"]["id"] for release in package["releases"]] == ["SHOWN"]
    assert package["releases"][0]["ocid"] == shown.ocid
    assert "OTHER" not in text_of(records(world.a))
    assert records(world.a, "ocds-cvc000-tender-999999")["records"] == []


def test_the_ocid_prefix_setting_is_honoured(world, settings):
    settings.OCDS_OCID_PREFIX = "ocds-x9y8z7"
    tender = build_tender(world, world.a, published=True)
    package = export(world.a)
    assert package["releases"][0]["ocid"] == f"ocds-x9y8z7-tender-{tender.pk}"
    assert package["releases"][0]["id"].startswith("ocds-x9y8z7-tender-")
    assert_valid(package)


def test_validation_reports_schema_and_codelist_errors_readably(world):
    build_tender(world, world.a, published=True)
    package = export(world.a)
    package["releases"][0]["tender"]["awardCriteria"] = "cheapest"  # an open codelist: the schema allows it
    package["releases"][0]["tender"]["value"]["amount"] = "lots"
    del package["publisher"]
    errors = ocds_schema.validate_package(package)
    assert any("tender.awardCriteria: “cheapest” is not in the awardCriteria codelist" in e for e in errors)
    assert any("tender/value/amount" in e for e in errors)
    assert any("'publisher' is a required property" in e for e in errors)


def test_merge_follows_identifier_merge_and_replaces_other_values():
    releases = [
        {"ocid": "o", "id": "1", "date": "2026-01-01T00:00:00Z", "tag": ["tender"], "tender": {"id": "t", "x": 1}},
        {
            "ocid": "o",
            "id": "2",
            "date": "2026-02-01T00:00:00Z",
            "tag": ["award"],
            "tender": {"id": "t", "status": "complete"},
            "awards": [{"id": "a", "status": "active"}],
        },
        {"ocid": "o", "id": "3", "date": "2026-03-01T00:00:00Z", "tag": ["award"], "awards": [{"id": "b"}]},
    ]
    compiled = ocds.compile_releases(releases)
    assert compiled["tender"] == {"id": "t", "x": 1, "status": "complete"}
    assert compiled["awards"] == [{"id": "a", "status": "active"}, {"id": "b"}]
    assert compiled["date"] == "2026-03-01T00:00:00Z" and compiled["tag"] == ["compiled"]


# The command ------------------------------------------------------------------------------------------------------


def test_the_command_writes_a_valid_release_or_record_package(world, tmp_path):
    build_tender(world, world.a, published=True)
    out = tmp_path / "releases.json"
    call_command("export_ocds", "--authority", world.a.slug, "--out", str(out), stderr=io.StringIO())
    assert_valid(json.loads(out.read_text()))
    out = tmp_path / "records.json"
    call_command("export_ocds", "--authority", world.a.slug, "--out", str(out), "--records", stderr=io.StringIO())
    assert_valid(json.loads(out.read_text()), kind="record")
    stdout = io.StringIO()
    call_command("export_ocds", "--authority", world.a.slug, stdout=stdout)
    assert_valid(json.loads(stdout.getvalue()))


def test_the_command_refuses_an_unknown_slug_and_an_authority_with_nothing_public(world, tmp_path):
    with pytest.raises(CommandError, match="no authority with the slug 'nowhere'"):
        call_command("export_ocds", "--authority", "nowhere")
    with pytest.raises(CommandError, match="no public tenders"):
        call_command("export_ocds", "--authority", world.b.slug, "--out", str(tmp_path / "x.json"))
    assert not (tmp_path / "x.json").exists()


# The public endpoints --------------------------------------------------------------------------------------------


def test_the_endpoints_answer_json_with_a_cache_header(client, world):
    tender = build_tender(world, world.a, published=True)
    response = client.get(reverse("publication:ocds-releases", args=[world.a.slug]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert "max-age=300" in response["Cache-Control"] and "public" in response["Cache-Control"]
    package = response.json()
    assert_valid(package)
    assert package["uri"].endswith(f"/p/{world.a.slug}/ocds/releases.json")
    ocid = tender.ocid
    response = client.get(reverse("publication:ocds-records", args=[world.a.slug]), {"ocid": ocid})
    assert response.status_code == 200 and response["Content-Type"] == "application/json"
    assert [record["ocid"] for record in response.json()["records"]] == [ocid]
    assert_valid(response.json(), kind="record")
    records_url = reverse("publication:ocds-records", args=[world.a.slug])
    assert client.get(records_url, {"ocid": "ocds-cvc000-tender-0"}).status_code == 404
    other = build_tender(world, world.b, published=True)
    assert client.get(records_url, {"ocid": other.ocid}).status_code == 404
    assert client.get(reverse("publication:ocds-releases", args=["no-such-authority"])).status_code == 404
    assert client.get(reverse("publication:ocds-records", args=["no-such-authority"])).status_code == 404
    assert client.post(reverse("publication:ocds-releases", args=[world.a.slug])).status_code == 405
    assert client.post(reverse("publication:ocds-records", args=[world.a.slug])).status_code == 405
    assert client.post(reverse("publication:ocds-releases", args=["no-such-authority"])).status_code == 404
    assert client.head(reverse("publication:ocds-releases", args=[world.a.slug])).status_code == 200


def test_the_public_tender_page_links_to_its_open_data(client, world):
    tender = build_tender(world, world.a, published=True)
    page = client.get(reverse("tenders:tender-public", args=[world.a.slug, tender.pk])).content.decode()
    records_url = reverse("publication:ocds-records", args=[world.a.slug])
    assert f'href="{records_url}?ocid={tender.ocid}"' in page
    assert "Open data (OCDS)" in page


def _releases_queries(client, django_assert_max_num_queries, world, count, *, other_releases=0):
    for index in range(count):
        tender = build_tender(world, world.a, published=True, reference=f"Q-{count}-{index}")
        with authority_scope(world.a):
            tender_amend(
                tender=tender,
                acting_user=world.user(world.a, Role.PROCUREMENT_OFFICER),
                reason="A longer title.",
                title=f"Street cleaning {index}",
            )
    with django_assert_max_num_queries(11):
        response = client.get(reverse("publication:ocds-releases", args=[world.a.slug]))
    assert response.status_code == 200
    assert len(response.json()["releases"]) == 2 * count + other_releases


def test_the_releases_endpoint_query_count_does_not_grow_with_tenders(client, django_assert_max_num_queries, world):
    _releases_queries(client, django_assert_max_num_queries, world, 1)


def test_the_releases_endpoint_query_count_at_five_tenders_and_with_awards(
    client, django_assert_max_num_queries, world
):
    contract = build_contract_from_award(world, world.a, starts_on=date(2025, 1, 1), ends_on=date(2026, 12, 31))
    deliver(world, contract, accepted="3", rejected="1")
    _releases_queries(client, django_assert_max_num_queries, world, 5, other_releases=4)


def test_a_tender_with_lots_names_each_lots_measures_and_price_only_criteria(world):
    build_tender(world, world.a, published=True, lots=2, reference="LOTS")
    build_tender(world, world.a, published=True, reference="PRICE", weights=(100, 0, 0), justification="Goods only.")
    package = export(world.a)
    assert_valid(package)
    by_reference = {release["tender"]["id"]: release["tender"] for release in package["releases"]}
    lots = {measure.get("lot") for measure in by_reference["LOTS"]["socialValue"]["relevantMeasures"]}
    assert lots == {None, "1", "2"}
    assert by_reference["PRICE"]["awardCriteria"] == "priceOnly"
    assert by_reference["PRICE"]["socialValue"]["weighting"] == {"percentage": 0, "justification": "Goods only."}


def test_the_authority_public_page_links_to_both_packages(client, world):
    page = client.get(reverse("accounts:authority-public", args=[world.a.slug])).content.decode()
    assert f'href="{reverse("publication:ocds-releases", args=[world.a.slug])}"' in page
    assert f'href="{reverse("publication:ocds-records", args=[world.a.slug])}"' in page
