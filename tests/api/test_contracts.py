"""Contracts over the API: staff reads, contracts made directly or from an award, KPIs, ending (early only on a
decided decommissioning assessment), delivery reports and their verification, the supplier's side (reports,
queries, evidence), the impact figures and the public tracker; isolation, role truth tables and query counts."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from accounts.models import AuditEvent
from accounts.roles import Role, has_permission
from accounts.scoping import authority_scope
from compact import services
from compact.models import (
    Contract,
    ContractStatus,
    DeliveryLine,
    DeliveryReport,
    Evidence,
    Kpi,
    ReportStatus,
    Verification,
)
from tests.compact.factories import build_direct_contract
from tests.compact.makers_assessment import decided_to_end_early
from tests.compact.test_evidence import EXE, pdf_bytes, use_temporary_private_storage
from tests.evaluation.factories import build_awarded
from tests.tenders.factories import adopted_test_charter, charter_measures

from .conftest import as_user, assert_error

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def private_storage(settings, tmp_path, monkeypatch):
    return use_temporary_private_storage(settings, tmp_path, monkeypatch)


def base(authority):
    return f"/api/v1/authorities/{authority.slug}"


def make_contract(world, authority=None, *, reference="C-1", supplier=None, targets=("10", "5")):
    """A contract around today: some reports' periods have ended, later ones have not."""
    today = timezone.localdate()
    return build_direct_contract(
        world,
        authority or world.a,
        supplier=supplier,
        targets=targets,
        reference=reference,
        starts_on=today - timedelta(days=300),
        ends_on=today + timedelta(days=300),
    )


def reports_of(contract):
    today = timezone.localdate()
    with authority_scope(contract.authority):
        reports = list(contract.reports.order_by("number"))
    past = [report for report in reports if report.period_end < today]
    future = [report for report in reports if report.period_end >= today]
    return past, future


def commitments_of(contract):
    with authority_scope(contract.authority):
        return list(contract.commitments.order_by("id"))


def submit(world, contract, report, quantities=("4", "2"), supplier_user=None):
    """The supplier submits `report` through the service, one line per commitment."""
    lines = {c.pk: (q, "Northtown", "Timesheets") for c, q in zip(commitments_of(contract), quantities, strict=False)}
    with authority_scope(contract.authority):
        return services.report_submit(
            report=report,
            acting_user=supplier_user or world.supplier_one_user,
            lines=lines,
            narrative="Two apprentices started.",
        )


def accept_all(world, report):
    manager = world.user(report.authority, Role.CONTRACT_MANAGER)
    with authority_scope(report.authority):
        for line in DeliveryLine.objects.filter(report=report):
            services.line_verify(line=line, acting_user=manager, decision=Verification.ACCEPTED)


def submitted(world, contract):
    past, _ = reports_of(contract)
    report = submit(world, contract, past[0])
    with authority_scope(contract.authority):
        lines = list(DeliveryLine.objects.filter(report=report).order_by("commitment_id"))
    return report, lines


def audit_count(authority):
    with authority_scope(authority):
        return AuditEvent.objects.filter(authority=authority).count()


def new_contract_body(world, authority, **changes):
    version = adopted_test_charter(world, authority)
    measures = charter_measures(authority, version)
    body = {
        "supplier": world.supplier_one.pk,
        "reference": "API-1",
        "title": "Library cleaning",
        "value": "80000",
        "starts_on": "2026-04-01",
        "ends_on": "2027-03-31",
        "responsible_officer": world.user(authority, Role.CONTRACT_MANAGER).pk,
        "charter_version": version.pk,
        "commitments": [
            {"measure": measures[0].pk, "target": "12", "place": "East Ward"},
            {"measure": measures[1].pk, "target": "3"},
        ],
    }
    return body | changes


# Staff reads ---------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("role", list(Role))
def test_every_staff_role_reads_contracts(world, api, role):
    contract = make_contract(world)
    as_user(api, world.user(world.a, role))
    body = api.get(f"{base(world.a)}/contracts/").json()
    assert body["count"] == 1
    (item,) = body["results"]
    assert item["reference"] == "C-1" and item["supplier"]["name"] == world.supplier_one.name
    assert item["responsible_officer"]["name"] == "Contract manager A"
    detail = api.get(f"{base(world.a)}/contracts/{contract.pk}/").json()
    assert [c["target"] for c in detail["commitments"]] == ["10.00", "5.00"]
    assert {c["status"] for c in detail["commitments"]} <= {"on_track", "at_risk", "off_track", "not_started"}
    assert detail["commitments"][0]["delivered"] == "0.00"
    assert detail["suggested_rating"]["rating"] in {"inadequate", "other"}
    assert detail["reports"][0]["number"] == 1 and detail["reports"][0]["status"] == "due"
    assert "decommissioning assessment" in detail["early_end_blocker"]


def test_contract_list_filters_and_ordering(world, api):
    make_contract(world, reference="C-1")
    second = make_contract(world, reference="C-2", supplier=world.supplier_both)
    with authority_scope(world.a):
        Contract.objects.filter(pk=second.pk).update(status=ContractStatus.COMPLETED)
    as_user(api, world.user(world.a, Role.EVALUATOR))
    url = f"{base(world.a)}/contracts/"
    refs = lambda query: [c["reference"] for c in api.get(url + query).json()["results"]]  # noqa: E731
    assert refs("?status=completed") == ["C-2"]
    assert refs("?supplier=both") == ["C-2"]
    assert refs("?ordering=reference") == ["C-1", "C-2"]
    assert refs("?ordering=-reference") == ["C-2", "C-1"]
    assert_error(api.get(url + "?status=finished"), 400, field="status")
    assert_error(api.get(url + "?ordering=secret"), 400, field="ordering")


def test_staff_reads_need_a_role_here(world, api):
    contract = make_contract(world)
    b_contract = make_contract(world, world.b, reference="B-1")
    url = f"{base(world.a)}/contracts/{contract.pk}/"
    assert_error(as_user(api, None).get(url), 401)
    assert_error(as_user(api, world.resident).get(url), 404)
    assert_error(as_user(api, world.supplier_one_user).get(url), 404)
    assert_error(as_user(api, world.user(world.b, Role.ADMIN)).get(url), 404)
    # A's staff asking for B's contract, report or line under A's address: 404.
    as_user(api, world.user(world.a, Role.CONTRACT_MANAGER))
    assert_error(api.get(f"{base(world.a)}/contracts/{b_contract.pk}/"), 404)
    b_report, b_lines = submitted(world, b_contract)
    assert_error(api.get(f"{base(world.a)}/reports/{b_report.pk}/"), 404)
    response = api.post(f"{base(world.a)}/lines/{b_lines[0].pk}/verification/", {"decision": "accepted"}, format="json")
    assert_error(response, 404)
    assert api.get(f"{base(world.a)}/reports/?contract={b_contract.pk}").json()["count"] == 0
    with authority_scope(world.b):
        assert DeliveryLine.objects.get(pk=b_lines[0].pk).verification == Verification.PENDING


# Writes: contracts, KPIs, ending -------------------------------------------------------------------------------


def test_manager_enters_a_contract_with_its_schedule(world, api):
    as_user(api, world.user(world.a, Role.PROCUREMENT_OFFICER))
    response = api.post(f"{base(world.a)}/contracts/", new_contract_body(world, world.a), format="json")
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["reference"] == "API-1" and body["status"] == "active"
    assert [c["target"] for c in body["commitments"]] == ["12.00", "3.00"]
    assert body["commitments"][0]["place"] == "East Ward"
    assert body["reporting_level"] == "light_touch" and len(body["reports"]) == 2
    with authority_scope(world.a):
        assert AuditEvent.objects.filter(verb="contract.created", object_id=str(body["id"])).exists()


@pytest.mark.parametrize(
    "changes, field",
    [
        ({"reference": ""}, "reference"),
        ({"value": "-1"}, "value"),
        ({"value": "lots"}, "value"),
        ({"ends_on": "2026-01-01"}, "ends_on"),
        ({"supplier": 999999}, "supplier"),
        ({"charter_version": 999999}, "charter_version"),
        ({"commitments": []}, "commitments"),
        ({"commitments": [{"measure": 999999, "target": "1"}]}, "commitments.0.measure"),
        ({"commitments": [{"target": "1"}]}, "commitments.0.measure"),
    ],
)
def test_bad_contracts_are_refused_by_field_and_nothing_is_made(world, api, changes, field):
    as_user(api, world.user(world.a, Role.CONTRACT_MANAGER))
    body = new_contract_body(world, world.a, **changes)
    before = audit_count(world.a)
    response = api.post(f"{base(world.a)}/contracts/", body, format="json")
    assert_error(response, 400, field=field)
    with authority_scope(world.a):
        assert not Contract.objects.filter(authority=world.a).exists()
    assert audit_count(world.a) == before


def test_refusals_speak_as_the_page_does(world, api):
    as_user(api, world.user(world.a, Role.CONTRACT_MANAGER))
    url = f"{base(world.a)}/contracts/"
    errors = assert_error(api.post(url, new_contract_body(world, world.a, value="-1", title=""), format="json"), 400)
    assert errors["errors"] == {
        "value": ["The contract value cannot be negative"],
        "title": ["Enter the contract's title"],
    }
    existing = make_contract(world, reference="TAKEN")
    taken = assert_error(api.post(url, new_contract_body(world, world.a, reference="TAKEN"), format="json"), 400)
    assert taken["errors"] == {"reference": ["Another contract already has the reference TAKEN"]}
    with authority_scope(world.a):
        assert list(Contract.objects.values_list("pk", flat=True)) == [existing.pk]


def test_the_responsible_officer_must_be_a_contract_manager_here(world, api):
    as_user(api, world.user(world.a, Role.CONTRACT_MANAGER))
    for officer in (world.user(world.a, Role.EVALUATOR), world.user(world.b, Role.CONTRACT_MANAGER)):
        body = new_contract_body(world, world.a, responsible_officer=officer.pk)
        response = assert_error(api.post(f"{base(world.a)}/contracts/", body, format="json"), 400)
        # Refused without naming the person: ids of people elsewhere reveal nothing.
        assert response["errors"] == {"responsible_officer": ["Choose one of the authority's contract managers"]}


def test_another_authoritys_charter_measures_are_refused(world, api):
    b_version = adopted_test_charter(world, world.b)
    b_measure = charter_measures(world.b, b_version)[0]
    as_user(api, world.user(world.a, Role.CONTRACT_MANAGER))
    body = new_contract_body(world, world.a, commitments=[{"measure": b_measure.pk, "target": "1"}])
    assert_error(api.post(f"{base(world.a)}/contracts/", body, format="json"), 400, field="commitments.0.measure")
    body = new_contract_body(world, world.a, charter_version=b_version.pk)
    assert_error(api.post(f"{base(world.a)}/contracts/", body, format="json"), 400, field="charter_version")


@pytest.mark.parametrize("role", list(Role))
def test_role_truth_table_for_contract_writes(world, api, role):
    contract = make_contract(world)
    allowed = has_permission({role}, "contracts.manage")
    as_user(api, world.user(world.a, role))
    made = api.post(f"{base(world.a)}/contracts/", new_contract_body(world, world.a), format="json")
    kpi = api.post(
        f"{base(world.a)}/contracts/{contract.pk}/kpis/", {"title": "Repairs", "target": "95%"}, format="json"
    )
    ended = api.post(
        f"{base(world.a)}/contracts/{contract.pk}/end/",
        {"status": "completed", "ended_on": timezone.localdate().isoformat()},
        format="json",
    )
    for response, success in ((made, 201), (kpi, 201), (ended, 200)):
        if allowed:
            assert response.status_code == success, response.content
        else:
            assert_error(response, 403)
    with authority_scope(world.a):
        assert Kpi.objects.filter(contract=contract).exists() == allowed
        assert Contract.objects.get(pk=contract.pk).status == (
            ContractStatus.COMPLETED if allowed else ContractStatus.ACTIVE
        )


def test_kpis_are_added_and_bad_ones_refused(world, api):
    contract = make_contract(world)
    as_user(api, world.user(world.a, Role.CONTRACT_MANAGER))
    url = f"{base(world.a)}/contracts/{contract.pk}/kpis/"
    response = api.post(url, {"title": "Repairs on time", "target": "95% within 10 working days"}, format="json")
    assert response.status_code == 201
    assert response.json()["title"] == "Repairs on time"
    assert_error(api.post(url, {"title": "", "target": "x"}, format="json"), 400, field="title")
    assert_error(api.post(url, {"title": "x" * 201, "target": "x"}, format="json"), 400, field="title")
    kpis = api.get(f"{base(world.a)}/contracts/{contract.pk}/").json()["kpis"]
    assert [k["title"] for k in kpis] == ["Repairs on time"]


def test_ending_early_needs_a_decided_assessment(world, api):
    contract = make_contract(world)
    as_user(api, world.user(world.a, Role.CONTRACT_MANAGER))
    url = f"{base(world.a)}/contracts/{contract.pk}/end/"
    today = timezone.localdate().isoformat()
    refused = assert_error(
        api.post(url, {"status": "ended_early", "ended_on": today, "reason": "Funding cut"}, format="json"), 400
    )
    assert refused["errors"]["status"] == [
        "Record a decommissioning assessment before ending the contract early: open one from the contract's page"
    ]
    assert_error(api.post(url, {"status": "ended_early", "ended_on": today}, format="json"), 400, field="reason")
    assert_error(api.post(url, {"status": "paused", "ended_on": today}, format="json"), 400, field="status")
    with authority_scope(world.a):
        assert Contract.objects.get(pk=contract.pk).status == ContractStatus.ACTIVE
    decided_to_end_early(world, contract)
    response = api.post(url, {"status": "ended_early", "ended_on": today, "reason": "Funding cut"}, format="json")
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "ended_early" and response.json()["end_reason"] == "Funding cut"
    again = assert_error(api.post(url, {"status": "completed", "ended_on": today}, format="json"), 409)
    assert again["detail"] == "This contract has already been recorded as ended early."


def test_a_contract_from_a_confirmed_award(world, api):
    award = build_awarded(world, world.a, confirm=True)
    unconfirmed = build_awarded(world, world.b)
    as_user(api, world.user(world.a, Role.CONTRACT_MANAGER))
    body = {
        "responsible_officer": world.user(world.a, Role.CONTRACT_MANAGER).pk,
        "starts_on": "2027-01-01",
        "ends_on": "2027-12-31",
    }
    url = f"{base(world.a)}/awards/{award.pk}/contract/"
    assert_error(api.post(url, {**body, "ends_on": "2026-01-01"}, format="json"), 400, field="ends_on")
    response = api.post(url, body, format="json")
    assert response.status_code == 201, response.content
    made = response.json()
    assert made["award_id"] == award.pk and made["commitments"]
    again = assert_error(api.post(url, body, format="json"), 409)
    assert again["detail"] == "A contract has already been made from this award."
    # Another authority's award: 404, and B's own manager cannot make one from an unconfirmed award.
    assert_error(api.post(f"{base(world.a)}/awards/{unconfirmed.pk}/contract/", body, format="json"), 404)
    as_user(api, world.user(world.b, Role.CONTRACT_MANAGER))
    body["responsible_officer"] = world.user(world.b, Role.CONTRACT_MANAGER).pk
    refused = assert_error(api.post(f"{base(world.b)}/awards/{unconfirmed.pk}/contract/", body, format="json"), 409)
    assert refused["detail"].startswith("Only a confirmed award can become a contract")


# Delivery reports and verification ------------------------------------------------------------------------------


def test_report_list_and_detail_with_lines_and_evidence(world, api):
    contract = make_contract(world)
    report, _ = submitted(world, contract)
    with authority_scope(world.a):
        item = Evidence(authority=world.a, report=report, name="timesheets.pdf", kind="pdf", size=3, sha256="0" * 64)
        item.file.save("timesheets.pdf", ContentFile(b"pdf"), save=False)
        item.save()
    as_user(api, world.user(world.a, Role.COMMISSIONER))
    listed = api.get(f"{base(world.a)}/reports/?contract={contract.pk}&status=submitted").json()
    assert listed["count"] == 1
    row = listed["results"][0]
    assert row["id"] == report.pk and row["line_count"] == 2 and row["evidence_count"] == 1
    assert row["contract"]["reference"] == "C-1"
    all_reports = api.get(f"{base(world.a)}/reports/?contract={contract.pk}").json()
    assert all_reports["count"] == len(reports_of(contract)[0]) + len(reports_of(contract)[1])
    assert_error(api.get(f"{base(world.a)}/reports/?contract=abc"), 400, field="contract")
    assert_error(api.get(f"{base(world.a)}/reports/?status=lost"), 400, field="status")
    detail = api.get(f"{base(world.a)}/reports/{report.pk}/").json()
    assert detail["status"] == "submitted" and detail["receipt_matches"] is True and len(detail["receipt"]) == 64
    assert [line["quantity"] for line in detail["lines"]] == ["4.00", "2.00"]
    assert detail["lines"][0]["verification"] == "pending" and detail["lines"][0]["note"] == "Timesheets"
    assert detail["evidence"] == [
        {
            "id": item.pk,
            "name": "timesheets.pdf",
            "kind": "pdf",
            "size": 3,
            "sha256": "0" * 64,
            "uploaded_at": detail["evidence"][0]["uploaded_at"],
        }
    ]


def test_verifying_lines_until_the_report_is_verified(world, api):
    contract = make_contract(world)
    report, (first, second) = submitted(world, contract)
    as_user(api, world.user(world.a, Role.CONTRACT_MANAGER))
    url = lambda line: f"{base(world.a)}/lines/{line.pk}/verification/"  # noqa: E731
    assert_error(api.post(url(first), {"decision": "queried"}, format="json"), 400, field="note")
    assert_error(api.post(url(first), {"decision": "rejected", "note": ""}, format="json"), 400, field="note")
    assert_error(api.post(url(first), {"decision": "maybe"}, format="json"), 400, field="decision")
    with authority_scope(world.a):
        assert DeliveryLine.objects.get(pk=first.pk).verification == Verification.PENDING
    queried = api.post(url(first), {"decision": "queried", "note": "Which ward?"}, format="json")
    assert queried.status_code == 200 and queried.json()["verification"] == "queried"
    assert queried.json()["verification_note"] == "Which ward?"
    assert api.post(url(first), {"decision": "accepted"}, format="json").json()["verification"] == "accepted"
    rejected = api.post(url(second), {"decision": "rejected", "note": "No evidence"}, format="json")
    assert rejected.json()["verification"] == "rejected"
    detail = api.get(f"{base(world.a)}/reports/{report.pk}/").json()
    assert detail["status"] == "verified"
    refused = assert_error(
        api.post(url(first), {"decision": "rejected", "note": "Changed my mind"}, format="json"), 409
    )
    assert refused["detail"] == "This report has already been verified."
    progress = api.get(f"{base(world.a)}/contracts/{contract.pk}/").json()["commitments"]
    assert [c["delivered"] for c in progress] == ["4.00", "0.00"]


@pytest.mark.parametrize("role", list(Role))
def test_role_truth_table_for_verification(world, api, role):
    contract = make_contract(world)
    _, (line, _) = submitted(world, contract)
    as_user(api, world.user(world.a, role))
    response = api.post(f"{base(world.a)}/lines/{line.pk}/verification/", {"decision": "accepted"}, format="json")
    if has_permission({role}, "contracts.verify"):
        assert response.status_code == 200
    else:
        assert_error(response, 403)
    with authority_scope(world.a):
        expected = Verification.ACCEPTED if has_permission({role}, "contracts.verify") else Verification.PENDING
        assert DeliveryLine.objects.get(pk=line.pk).verification == expected


# The supplier's side -------------------------------------------------------------------------------------------


def my(contract, suffix=""):
    return f"{base(contract.authority)}/my-contracts/{contract.pk}/{suffix}"


def test_the_supplier_sees_its_contracts_and_reports(world, api):
    contract = make_contract(world)
    make_contract(world, reference="C-OTHER", supplier=world.supplier_both)
    as_user(api, world.supplier_one_user)
    listed = api.get(f"{base(world.a)}/my-contracts/").json()
    assert [c["reference"] for c in listed["results"]] == ["C-1"]
    response = api.get(my(contract))
    detail = response.json()
    assert [c["target"] for c in detail["commitments"]] == ["10.00", "5.00"]
    assert detail["reports"][0]["status"] == "due"
    # As on the supplier's pages, no member of the authority's staff is named.
    assert "responsible_officer" not in detail and "responsible_officer" not in listed["results"][0]
    assert "Contract manager" not in response.content.decode()


@pytest.mark.parametrize("who", ["other supplier", "staff", "resident", "b staff"])
def test_only_the_suppliers_members_reach_its_contract(world, api, who):
    contract = make_contract(world)
    past, _ = reports_of(contract)
    user = {
        "other supplier": world.supplier_both_user,
        "staff": world.user(world.a, Role.CONTRACT_MANAGER),
        "resident": world.resident,
        "b staff": world.user(world.b, Role.ADMIN),
    }[who]
    as_user(api, user)
    assert api.get(f"{base(world.a)}/my-contracts/").json()["count"] == 0
    assert_error(api.get(my(contract)), 404)
    assert_error(api.get(my(contract, f"reports/{past[0].pk}/")), 404)
    body = {"lines": [{"commitment": commitments_of(contract)[0].pk, "quantity": "1"}]}
    assert_error(api.post(my(contract, f"reports/{past[0].pk}/submission/"), body, format="json"), 404)
    with authority_scope(world.a):
        assert DeliveryReport.objects.get(pk=past[0].pk).status == ReportStatus.DUE


def test_the_supplier_is_401_signed_out_and_404_under_another_authority(world, api):
    contract = make_contract(world)
    assert_error(api.get(my(contract)), 401)
    assert_error(api.get(f"{base(world.a)}/my-contracts/"), 401)
    as_user(api, world.supplier_one_user)
    assert_error(api.get(f"{base(world.b)}/my-contracts/{contract.pk}/"), 404)


def test_submitting_a_report_with_its_receipt(world, api):
    contract = make_contract(world)
    past, _ = reports_of(contract)
    first, second = commitments_of(contract)
    as_user(api, world.supplier_one_user)
    body = {
        "narrative": "Four apprentices started.",
        "lines": [
            {"commitment": first.pk, "quantity": "4", "place": "Northtown", "note": "Timesheets attached"},
            {"commitment": second.pk, "quantity": "0"},
        ],
    }
    response = api.post(my(contract, f"reports/{past[0].pk}/submission/"), body, format="json")
    assert response.status_code == 200, response.content
    report = response.json()
    assert report["status"] == "submitted" and report["receipt_matches"] is True
    assert [line["quantity"] for line in report["lines"]] == ["4.00", "0.00"]
    with authority_scope(world.a):
        stored = DeliveryReport.objects.get(pk=past[0].pk)
        assert stored.receipt == report["receipt"] and stored.narrative == "Four apprentices started."
        assert AuditEvent.objects.filter(verb="report.submitted").count() == 1
    # Until verified it may be sent again, replacing its lines.
    body["lines"][0]["quantity"] = "5"
    again = api.post(my(contract, f"reports/{past[0].pk}/submission/"), body, format="json")
    assert again.status_code == 200 and again.json()["lines"][0]["quantity"] == "5.00"
    assert api.get(my(contract, f"reports/{past[0].pk}/")).json()["receipt"] == again.json()["receipt"]


def test_a_future_period_and_a_verified_report_are_refused(world, api):
    contract = make_contract(world)
    past, future = reports_of(contract)
    first = commitments_of(contract)[0]
    body = {"lines": [{"commitment": first.pk, "quantity": "1"}]}
    as_user(api, world.supplier_one_user)
    early = assert_error(api.post(my(contract, f"reports/{future[-1].pk}/submission/"), body, format="json"), 409)
    assert "a report for a future period cannot be submitted yet" in early["detail"]
    report = submit(world, contract, past[0])
    accept_all(world, report)
    twice = assert_error(api.post(my(contract, f"reports/{past[0].pk}/submission/"), body, format="json"), 409)
    assert twice["detail"] == "This report has been verified: it can no longer be changed."
    with authority_scope(world.a):
        assert DeliveryReport.objects.get(pk=future[-1].pk).status == ReportStatus.DUE
        assert [line.quantity for line in DeliveryLine.objects.filter(report=report)] == [Decimal("4"), Decimal("2")]


@pytest.mark.parametrize(
    "line, field",
    [
        ({"quantity": "-1"}, "lines.0.quantity"),
        ({"quantity": "lots"}, "lines.0.quantity"),
        ({"quantity": "1.234"}, "lines.0.quantity"),
        ({"quantity": ""}, "lines.0.quantity"),
        ({"quantity": "1", "place": "x" * 201}, "lines.0.place"),
        ({"quantity": "1", "commitment": 999999}, "lines.0.quantity"),
    ],
)
def test_bad_reports_are_refused_by_field_and_nothing_changes(world, api, line, field):
    contract = make_contract(world)
    past, _ = reports_of(contract)
    line = {"commitment": commitments_of(contract)[0].pk} | line
    as_user(api, world.supplier_one_user)
    before = audit_count(world.a)
    response = api.post(my(contract, f"reports/{past[0].pk}/submission/"), {"lines": [line]}, format="json")
    assert_error(response, 400, field=field)
    assert_error(api.post(my(contract, f"reports/{past[0].pk}/submission/"), {"lines": []}, format="json"), 400)
    with authority_scope(world.a):
        assert DeliveryReport.objects.get(pk=past[0].pk).status == ReportStatus.DUE
        assert not DeliveryLine.objects.filter(report_id=past[0].pk).exists()
    assert audit_count(world.a) == before


def test_answering_a_query_sends_the_line_back(world, api):
    contract = make_contract(world)
    _, (line, _) = submitted(world, contract)
    manager = world.user(world.a, Role.CONTRACT_MANAGER)
    url = my(contract, f"lines/{line.pk}/answer/")
    as_user(api, world.supplier_one_user)
    nothing_asked = assert_error(api.post(url, {"answer": "East Ward"}, format="json"), 409)
    assert nothing_asked["detail"] == "There is no open question on this line."
    with authority_scope(world.a):
        services.line_verify(line=line, acting_user=manager, decision=Verification.QUERIED, note="Which ward?")
    assert_error(api.post(url, {"answer": ""}, format="json"), 400, field="answer")
    response = api.post(url, {"answer": "East Ward"}, format="json")
    assert response.status_code == 200
    assert response.json()["verification"] == "pending" and response.json()["supplier_answer"] == "East Ward"
    as_user(api, world.supplier_both_user)
    assert_error(api.post(url, {"answer": "Not mine"}, format="json"), 404)


def test_evidence_upload_and_removal(world, api, private_storage):
    contract = make_contract(world)
    past, _ = reports_of(contract)
    url = my(contract, f"reports/{past[0].pk}/evidence/")
    as_user(api, world.supplier_one_user)
    response = api.post(url, {"file": SimpleUploadedFile("register.pdf", pdf_bytes())}, format="multipart")
    assert response.status_code == 201, response.content
    added = response.json()
    assert added["name"] == "register.pdf" and added["kind"] == "pdf"
    refused = api.post(url, {"file": SimpleUploadedFile("tool.pdf", EXE)}, format="multipart")
    assert_error(refused, 400, field="file")
    assert_error(api.post(url, {}, format="multipart"), 400, field="file")
    as_user(api, world.supplier_both_user)
    assert_error(api.delete(f"{url}{added['id']}/"), 404)
    as_user(api, world.supplier_one_user)
    assert api.delete(f"{url}{added['id']}/").status_code == 204
    with authority_scope(world.a):
        assert not Evidence.objects.filter(report_id=past[0].pk).exists()
    # Once the report is verified its evidence is frozen.
    accept_all(world, submit(world, contract, past[0]))
    frozen = assert_error(api.post(url, {"file": SimpleUploadedFile("late.pdf", pdf_bytes())}, format="multipart"), 409)
    assert frozen["detail"] == "This report has been verified: its evidence can no longer be changed."
    with authority_scope(world.a):
        assert not Evidence.objects.filter(report_id=past[0].pk).exists()


def test_a_due_report_cannot_be_verified(world, api):
    contract = make_contract(world)
    past, _ = reports_of(contract)
    submit(world, contract, past[0])
    with authority_scope(world.a):
        line = DeliveryLine.objects.filter(report=past[0]).first()
        DeliveryReport.objects.filter(pk=past[0].pk).update(status=ReportStatus.DUE)
    as_user(api, world.user(world.a, Role.CONTRACT_MANAGER))
    response = api.post(f"{base(world.a)}/lines/{line.pk}/verification/", {"decision": "accepted"}, format="json")
    assert assert_error(response, 409)["detail"] == "This report has not been submitted yet."


# Impact and the tracker ----------------------------------------------------------------------------------------


def test_impact_counts_accepted_delivery_only(world, api):
    contract = make_contract(world)
    _, (first, _) = submitted(world, contract)
    manager = world.user(world.a, Role.CONTRACT_MANAGER)
    with authority_scope(world.a):
        services.line_verify(line=first, acting_user=manager, decision=Verification.ACCEPTED)
    as_user(api, world.user(world.a, Role.EVALUATOR))
    body = api.get(f"{base(world.a)}/impact/?group_by=measure").json()
    assert body["dimension"] == "measure" and body["dimension_label"] == "Measure"
    rows = {group["label"]: group["measures"][0] for group in body["groups"]}
    codes = sorted(rows)
    assert rows[codes[0]]["committed_quantity"] == "10.00" and rows[codes[0]]["delivered_quantity"] == "4.00"
    assert rows[codes[1]]["delivered_quantity"] == "0.00"  # pending: counts for nothing
    assert Decimal(body["committed"]["gross"]) >= Decimal(body["delivered"]["gross"]) > 0
    by_supplier = api.get(f"{base(world.a)}/impact/?group_by=supplier").json()
    assert [g["label"] for g in by_supplier["groups"]] == [world.supplier_one.name]
    assert by_supplier["groups"][0]["key"] == str(world.supplier_one.pk)
    assert api.get(f"{base(world.a)}/impact/?status=completed").json()["groups"] == []


@pytest.mark.parametrize(
    "query, field",
    [
        ("group_by=colour", "group_by"),
        ("theme=Nothing+like+it", "theme"),
        ("supplier=999999", "supplier"),
        ("date_from=yesterday", "date_from"),
        ("date_from=2026-05-01&date_to=2026-04-01", "date_to"),
    ],
)
def test_impact_refuses_bad_filters_as_the_dashboard_does(world, api, query, field):
    make_contract(world)
    as_user(api, world.user(world.a, Role.ADMIN))
    assert_error(api.get(f"{base(world.a)}/impact/?{query}"), 400, field=field)


def test_impact_is_staff_only(world, api):
    make_contract(world)
    assert_error(api.get(f"{base(world.a)}/impact/"), 401)
    assert_error(as_user(api, world.supplier_one_user).get(f"{base(world.a)}/impact/"), 404)
    b_only = as_user(api, world.user(world.b, Role.ADMIN)).get(f"{base(world.b)}/impact/").json()
    assert b_only["groups"] == []  # A's contracts never count in B's figures


def test_the_tracker_is_public_verified_only_and_impersonal(world, api):
    contract = make_contract(world)
    ended = make_contract(world, reference="C-ENDED")
    _, (first, _) = submitted(world, contract)
    manager = world.user(world.a, Role.CONTRACT_MANAGER)
    with authority_scope(world.a):
        services.line_verify(line=first, acting_user=manager, decision=Verification.ACCEPTED)
        Contract.objects.filter(pk=ended.pk).update(status=ContractStatus.ENDED_EARLY)
    listed = api.get(f"{base(world.a)}/tracker/")
    assert listed.status_code == 200
    body = listed.json()
    assert [c["reference"] for c in body["results"]] == ["C-1"]
    item = body["results"][0]
    assert item["supplier"] == world.supplier_one.name
    assert [c["verified"] for c in item["commitments"]] == ["4.00", "0.00"]
    assert [(d["place"], d["quantity"]) for d in item["delivery"]] == [("Northtown", "4.00")]
    detail = api.get(f"{base(world.a)}/tracker/{contract.pk}/").json()
    assert [line["id"] for line in detail["lines"]] == [first.pk]  # the pending line is not public
    text = listed.content.decode() + api.get(f"{base(world.a)}/tracker/{contract.pk}/").content.decode()
    for private in ("Timesheets", "Two apprentices", "@", "Contract manager", world.supplier_one_user.full_name):
        assert private not in text
    assert_error(api.get(f"{base(world.a)}/tracker/{ended.pk}/"), 404)
    assert_error(api.get(f"{base(world.b)}/tracker/{contract.pk}/"), 404)
    assert api.get(f"{base(world.b)}/tracker/").json()["count"] == 0


# Query counts --------------------------------------------------------------------------------------------------

MAX_QUERIES = 12


def _grow(world, size):
    for number in range(size):
        contract = make_contract(world, reference=f"Q{size}-{number}")
        report, _ = submitted(world, contract)
        if number % 2:
            accept_all(world, report)


@pytest.mark.parametrize(
    "path, who",
    [
        ("contracts/", Role.ADMIN),
        ("reports/", Role.CONTRACT_MANAGER),
        ("impact/?group_by=place", Role.EVALUATOR),
        ("impact/?group_by=theme", Role.EVALUATOR),
        ("tracker/", None),
        ("my-contracts/", "supplier"),
    ],
)
def test_list_endpoints_read_a_fixed_number_of_queries(world, api, django_assert_max_num_queries, path, who):
    user = world.supplier_one_user if who == "supplier" else (world.user(world.a, who) if who else None)
    as_user(api, user)
    api.get("/api/v1/authorities/")  # the token's first use notes the time: one write, not counted below
    counts, sizes = [], []
    for size in (2, 6):
        _grow(world, size)
        with django_assert_max_num_queries(MAX_QUERIES) as captured:
            response = api.get(f"{base(world.a)}/{path}")
        assert response.status_code == 200, response.content
        body = response.json()
        sizes.append(body.get("count", len(body.get("groups", []))))
        counts.append(len(captured.captured_queries))
    assert counts[0] == counts[1], counts
    if "impact" not in path:
        assert sizes[0] < sizes[1]


def test_the_contract_and_report_pages_read_a_fixed_number_of_queries(world, api, django_assert_max_num_queries):
    as_user(api, world.user(world.a, Role.CONTRACT_MANAGER))
    api.get("/api/v1/authorities/")
    counts = []
    for size, targets in ((1, ("1",)), (2, ("1", "2", "3", "4"))):
        contract = make_contract(world, reference=f"D-{size}", targets=targets)
        report, _ = submitted(world, contract)
        with django_assert_max_num_queries(20) as contract_queries:
            assert api.get(f"{base(world.a)}/contracts/{contract.pk}/").status_code == 200
        with django_assert_max_num_queries(20) as report_queries:
            assert api.get(f"{base(world.a)}/reports/{report.pk}/").status_code == 200
        counts.append((len(contract_queries.captured_queries), len(report_queries.captured_queries)))
    assert counts[0] == counts[1], counts
