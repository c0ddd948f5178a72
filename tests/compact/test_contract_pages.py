"""The staff contract pages: the list with its filters, a contract from an award, the contract page (progress, the
schedule, KPIs and the s.52 warning, ratings), adding KPIs, ending a contract, and the query count of the contract
page.

Test data is built with the ORM (build_reported_contract), so these tests do not move when services change.
"""

from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.files.base import ContentFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.models import AuditEvent
from accounts.roles import Role
from accounts.scoping import authority_scope
from compact.models import (
    Contract,
    ContractCommitment,
    ContractStatus,
    DeliveryLine,
    DeliveryReport,
    Evidence,
    Kpi,
    ReportingLevel,
    ReportStatus,
    Verification,
)
from tests.compact.makers_assessment import decided_to_end_early
from tests.evaluation.factories import build_awarded
from tests.tenders.factories import adopted_test_charter, charter_measures

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@dataclass
class Reported:
    contract: Contract
    report: DeliveryReport
    line: DeliveryLine
    evidence: Evidence


def build_reported_contract(world, authority, *, reference="C-PAGES", commitments=1, value="50000", reports=1):
    """A contract started a year ago with `commitments` commitments and `reports` quarterly reports: the first is
    submitted with one pending line per commitment and one evidence file, the others are due. Built once per
    reference."""
    version = adopted_test_charter(world, authority)
    measures = charter_measures(authority, version)
    manager = world.user(authority, Role.CONTRACT_MANAGER)
    with authority_scope(authority):
        existing = Contract.objects.filter(authority=authority, reference=reference).first()
        if existing is not None:
            report = existing.reports.order_by("number").first()
            return Reported(existing, report, report.lines.first(), report.evidence.first())
        today = timezone.localdate()
        starts_on = today - timedelta(days=365)
        contract = Contract.objects.create(
            authority=authority,
            reference=reference,
            title="Grounds maintenance",
            charter_version=version,
            supplier=world.supplier_one,
            value=Decimal(value),
            starts_on=starts_on,
            ends_on=today + timedelta(days=365),
            responsible_officer=manager,
            reporting_level=ReportingLevel.STANDARD,
        )
        made = ContractCommitment.objects.bulk_create(
            ContractCommitment(
                authority=authority,
                contract=contract,
                charter_measure=measures[index % len(measures)],
                target=Decimal("10"),
                place="Northtown",
                due_on=contract.ends_on,
            )
            for index in range(commitments)
        )
        made_reports = DeliveryReport.objects.bulk_create(
            DeliveryReport(
                authority=authority,
                contract=contract,
                number=number,
                label=f"Quarter {number}",
                period_start=starts_on + timedelta(days=91 * (number - 1)),
                period_end=starts_on + timedelta(days=91 * number - 1),
                due_on=starts_on + timedelta(days=91 * number + 29),
                status=ReportStatus.SUBMITTED if number == 1 else ReportStatus.DUE,
                submitted_at=timezone.now() if number == 1 else None,
                submitted_by=world.supplier_one_user if number == 1 else None,
            )
            for number in range(1, reports + 1)
        )
        report = made_reports[0]
        lines = DeliveryLine.objects.bulk_create(
            DeliveryLine(
                authority=authority, report=report, commitment=commitment, quantity=Decimal("3"), place="Northtown"
            )
            for commitment in made
        )
        evidence = Evidence(
            authority=authority, report=report, name="timesheets.pdf", kind="pdf", size=len(PDF), sha256="0" * 64
        )
        evidence.file.save("timesheets.pdf", ContentFile(PDF), save=False)
        evidence.save()
        return Reported(contract, report, lines[0], evidence)


def _url(name, authority, *args):
    return reverse(name, args=[authority.slug, *args])


def _client(client, world, authority, role):
    client.force_login(world.user(authority, role))
    return client


# The list -------------------------------------------------------------------------------------------------------


def test_contract_list_empty_state(client, world):
    response = _client(client, world, world.a, Role.EVALUATOR).get(_url("compact:contract-list", world.a))
    assert response.status_code == 200
    assert "There are no contracts yet" in response.text


def test_contract_list_filters_by_status_and_supplier(client, world):
    reported = build_reported_contract(world, world.a, reference="LIST-1")
    with authority_scope(world.a):
        Contract.objects.filter(pk=reported.contract.pk).update(status=ContractStatus.COMPLETED)
    build_reported_contract(world, world.a, reference="LIST-2")
    _client(client, world, world.a, Role.EVALUATOR)
    url = _url("compact:contract-list", world.a)
    page = client.get(url).text
    assert "LIST-1" in page and "LIST-2" in page
    page = client.get(url, {"status": "active"}).text
    assert "LIST-2" in page and "LIST-1" not in page
    page = client.get(url, {"supplier": "nobody such"}).text
    assert "No contracts match these filters" in page
    page = client.get(url, {"supplier": world.supplier_one.name[:6]}).text
    assert "LIST-1" in page


def test_contracts_in_navigation_for_staff(client, world):
    response = _client(client, world, world.a, Role.EVALUATOR).get(_url("accounts:authority-home", world.a))
    assert f'href="{_url("compact:contract-list", world.a)}"' in response.text


# The contract page ----------------------------------------------------------------------------------------------


def test_contract_page_shows_progress_schedule_and_links(client, world):
    reported = build_reported_contract(world, world.a, reports=2)
    with authority_scope(world.a):
        DeliveryLine.objects.filter(pk=reported.line.pk).update(verification=Verification.ACCEPTED)
    response = _client(client, world, world.a, Role.CONTRACT_MANAGER).get(
        _url("compact:contract-detail", world.a, reported.contract.pk)
    )
    assert response.status_code == 200
    page = response.text
    assert "Grounds maintenance" in page
    assert _url("compact:report-detail", world.a, reported.report.pk) in page
    # The second report is due and past its due date: overdue, said in words.
    assert "Overdue" in page
    assert "Off track" in page  # 3 of 10 accepted with half the time gone
    assert "Suggested:" in page
    assert _url("compact:thread", world.a, reported.line.commitment_id) in page
    assert _url("compact:kpi-add", world.a, reported.contract.pk) in page
    assert _url("compact:rating-confirm", world.a, reported.contract.pk) in page


def test_contract_page_warns_about_kpis_over_5m(client, world):
    reported = build_reported_contract(world, world.a, value="6000000")
    page = (
        _client(client, world, world.a, Role.EVALUATOR)
        .get(_url("compact:contract-detail", world.a, reported.contract.pk))
        .text
    )
    assert 'id="kpi-warning"' in page
    # Read-only roles get no management links.
    assert _url("compact:kpi-add", world.a, reported.contract.pk) not in page
    assert _url("compact:rating-confirm", world.a, reported.contract.pk) not in page


def _contract_page_queries(client, world, authority, commitments):
    reported = build_reported_contract(
        world, authority, reference=f"SIZE-{commitments}", commitments=commitments, reports=4
    )
    url = _url("compact:contract-detail", authority, reported.contract.pk)
    client.get(url)
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_contract_page_query_count_does_not_grow_with_commitments(client, world):
    _client(client, world, world.a, Role.CONTRACT_MANAGER)
    assert _contract_page_queries(client, world, world.a, 2) == _contract_page_queries(client, world, world.a, 20)


# KPIs and ending ------------------------------------------------------------------------------------------------


def test_kpi_add(client, world):
    reported = build_reported_contract(world, world.a)
    _client(client, world, world.a, Role.PROCUREMENT_OFFICER)
    url = _url("compact:kpi-add", world.a, reported.contract.pk)
    assert client.get(url).status_code == 200
    response = client.post(url, {"title": "Repairs on time", "target": ""})
    assert response.status_code == 422
    assert "Enter the KPI&#x27;s target" in response.text and "Repairs on time" in response.text
    response = client.post(url, {"title": "Repairs on time", "target": "95%"})
    assert response.status_code == 303
    with authority_scope(world.a):
        assert Kpi.objects.filter(contract=reported.contract, title="Repairs on time").exists()


def test_contract_end_needs_a_reason_when_early_and_is_recorded_once(client, world):
    reported = build_reported_contract(world, world.a)
    decided_to_end_early(world, reported.contract)  # ending early needs a decided decommissioning assessment
    _client(client, world, world.a, Role.CONTRACT_MANAGER)
    url = _url("compact:contract-end", world.a, reported.contract.pk)
    today = timezone.localdate()
    day = {"ended_on_day": today.day, "ended_on_month": today.month, "ended_on_year": today.year}
    response = client.post(url, {"status": "ended_early", **day, "reason": ""})
    assert response.status_code == 422
    assert "Enter why the contract ended early" in response.text
    response = client.post(url, {"status": "ended_early", **day, "reason": "The supplier went into administration"})
    assert response.status_code == 303
    with authority_scope(world.a):
        contract = Contract.objects.get(pk=reported.contract.pk)
        assert contract.status == ContractStatus.ENDED_EARLY
        assert AuditEvent.objects.filter(verb="contract.ended").exists()
    response = client.get(url)
    assert response.status_code == 200 and 'id="already-ended"' in response.text


# From an award --------------------------------------------------------------------------------------------------


def test_unconfirmed_award_explains_it_must_be_confirmed(client, world):
    award = build_awarded(world, world.a, reference="UNCONFIRMED")
    response = _client(client, world, world.a, Role.PROCUREMENT_OFFICER).get(
        _url("compact:contract-from-award", world.a, award.pk)
    )
    assert response.status_code == 200
    assert "must be confirmed first" in response.text
    assert "<form" not in response.text.split("<main", 1)[1]


def test_contract_from_confirmed_award(client, world):
    award = build_awarded(world, world.a, confirm=True)
    manager = world.user(world.a, Role.CONTRACT_MANAGER)
    _client(client, world, world.a, Role.PROCUREMENT_OFFICER)
    url = _url("compact:contract-from-award", world.a, award.pk)
    page = client.get(url).text
    assert manager.email in page or (manager.full_name and manager.full_name in page)
    bad = {"responsible_officer": manager.pk, "starts_on_day": "1", "starts_on_month": "4", "starts_on_year": "2026"}
    response = client.post(
        url, {**bad, "ends_on_day": "1", "ends_on_month": "1", "ends_on_year": "2026", "reference": "R-9"}
    )
    assert response.status_code == 422
    assert "must end on or after the day it starts" in response.text and 'value="R-9"' in response.text
    response = client.post(
        url, {**bad, "ends_on_day": "31", "ends_on_month": "3", "ends_on_year": "2027", "reference": ""}
    )
    assert response.status_code == 303
    with authority_scope(world.a):
        contract = Contract.objects.get(award_id_source=award.pk)
        assert contract.commitments.exists()
    assert response["Location"] == _url("compact:contract-detail", world.a, contract.pk)
    assert contract.responsible_officer == manager
    # A second visit links to the contract instead of making another.
    assert 'id="contract-exists"' in client.get(url).text


def test_award_page_links_to_create_the_contract(client, world):
    award = build_awarded(world, world.a, confirm=True)
    with authority_scope(world.a):
        evaluation_id = award.evaluation_id
    response = _client(client, world, world.a, Role.PROCUREMENT_OFFICER).get(
        reverse("evaluation:award", args=[world.a.slug, evaluation_id])
    )
    assert _url("compact:contract-from-award", world.a, award.pk) in response.text


def test_contract_from_award_refuses_read_only_roles(client, world):
    award = build_awarded(world, world.a, confirm=True)
    response = _client(client, world, world.a, Role.EVALUATOR).get(
        _url("compact:contract-from-award", world.a, award.pk)
    )
    assert response.status_code == 403
