"""The contract compliance report and the annual social value report: PDFs made by jobs from the staff pages."""

import io
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from accounts.models import Job, JobStatus
from accounts.roles import Role
from accounts.scoping import authority_scope, dangerously_unscoped
from charters.monetisation import NOTHING, monetise_measure
from compact import reports
from compact.models import (
    Contract,
    ContractCommitment,
    DeliveryLine,
    DeliveryReport,
    Evidence,
    Kpi,
    PerformanceRating,
    ReportingLevel,
    ReportStatus,
    Verification,
)
from tests.tenders.factories import adopted_test_charter, charter_measures

pytestmark = pytest.mark.django_db

SHA = "ab" * 32


def _contract(world, authority, *, reference="CR-1", starts_on=date(2025, 4, 1), value="6000000"):
    """A £6m contract (so s.52 asks for 3 KPIs; it has 1) with two commitments; report 1 (ends 30 June 2025): 4
    accepted on the first, the second rejected; report 2 (ends 30 September 2025): the first queried and answered,
    the second pending; evidence on report 1; a confirmed rating."""
    version = adopted_test_charter(world, authority)
    measures = charter_measures(authority, version)
    officer = world.user(authority, Role.CONTRACT_MANAGER)
    with authority_scope(authority):
        contract = Contract.objects.create(
            authority=authority,
            charter_version=version,
            reference=reference,
            title="Street cleaning",
            supplier=world.supplier_one,
            value=Decimal(value),
            starts_on=starts_on,
            ends_on=starts_on + timedelta(days=364),
            responsible_officer=officer,
            reporting_level=ReportingLevel.STANDARD,
        )
        commitments = [
            ContractCommitment.objects.create(
                authority=authority,
                contract=contract,
                charter_measure=measure,
                target=Decimal(target),
                place=place,
                due_on=contract.ends_on,
            )
            for measure, target, place in zip(measures[:2], ("10", "5"), ("East Ward", "West Ward"), strict=True)
        ]
        first, second = (
            DeliveryReport.objects.create(
                authority=authority,
                contract=contract,
                number=number,
                label=f"Quarter {number}",
                period_start=starts_on + timedelta(days=91 * (number - 1)),
                period_end=starts_on + timedelta(days=91 * number - 1),
                due_on=starts_on + timedelta(days=91 * number + 29),
                status=status,
            )
            for number, status in ((1, ReportStatus.VERIFIED), (2, ReportStatus.SUBMITTED))
        )
        line = {"authority": authority, "verified_by": officer, "verified_at": timezone.now()}
        DeliveryLine.objects.create(
            report=first, commitment=commitments[0], quantity=Decimal("4"), verification=Verification.ACCEPTED, **line
        )
        DeliveryLine.objects.create(
            report=first,
            commitment=commitments[1],
            quantity=Decimal("9"),
            verification=Verification.REJECTED,
            verification_note="No timesheets were supplied",
            **line,
        )
        DeliveryLine.objects.create(
            report=second,
            commitment=commitments[0],
            quantity=Decimal("3"),
            verification=Verification.QUERIED,
            verification_note="Which streets were these?",
            supplier_answer="High Street and Mill Lane",
            **line,
        )
        DeliveryLine.objects.create(
            report=second, commitment=commitments[1], quantity=Decimal("2"), authority=authority
        )
        Evidence.objects.create(
            authority=authority,
            report=first,
            file="evidence/x",
            name="timesheets-q1.pdf",
            kind="pdf",
            size=2048,
            sha256=SHA,
        )
        Kpi.objects.create(authority=authority, contract=contract, title="Streets swept on time", target="95%")
        PerformanceRating.objects.create(
            authority=authority,
            contract=contract,
            period_end=starts_on + timedelta(days=182),
            rating="requires_improvement",
            suggested="inadequate",
            reason="Half of the second commitment was rejected",
            confirmed_by=officer,
        )
    return contract, measures[:2]


def _run(client, user, url, data, capture) -> Job:
    client.force_login(user)
    with capture(execute=True):
        response = client.post(url, data)
    assert response.status_code == 303
    with dangerously_unscoped():
        job = Job.objects.get(pk=int(response["Location"].rstrip("/").split("/")[-1]))
    assert response["Location"] == reverse("accounts:job-detail", args=[job.authority.slug, job.pk])
    assert job.status == JobStatus.SUCCEEDED, job.error
    return job


def _text(job) -> str:
    with authority_scope(job.authority), job.file.open("rb") as handle:
        reader = PdfReader(io.BytesIO(handle.read()))
    return " ".join(" ".join((page.extract_text() or "") for page in reader.pages).split())


def test_the_compliance_report_holds_commitments_verified_figures_evidence_queries_ratings_and_kpis(
    client, world, django_capture_on_commit_callbacks
):
    contract, measures = _contract(world, world.a)
    url = reverse("compact:compliance-report", args=[world.a.slug, contract.pk])
    client.force_login(world.user(world.a, Role.CONTRACT_MANAGER))
    page = client.get(url)
    assert page.status_code == 200 and contract.reference in page.content.decode()

    job = _run(client, world.user(world.a, Role.CONTRACT_MANAGER), url, {}, django_capture_on_commit_callbacks)
    assert job.kind == reports.COMPLIANCE_PDF and job.params == {"contract_id": contract.pk}
    text = _text(job)
    # Narrow table cells wrap long words; compare those without the spaces that wrapping leaves.
    unspaced = text.replace(" ", "")
    for measure in measures:
        assert measure.code in text
    assert "East Ward" in text and "West Ward" in text
    # Verified delivered: only the accepted 4 on the first commitment; the queried 3 and rejected 9 do not count.
    with authority_scope(world.a):
        progress = reports.compliance_content(contract, on=timezone.localdate()).progress
    assert [row.delivered for row in progress.commitments] == [Decimal("4"), Decimal("0")]
    assert "Street cleaning" in text and "Streets swept on time" in text
    assert "timesheets-q1.pdf" in unspaced and SHA in unspaced and "2.0 KB" in text
    assert "Which streets were these?" in text and "High Street and Mill Lane" in text and "Queried" in text
    assert "No timesheets were supplied" in text and "Rejected" in text
    assert "Requires improvement" in text and "Half of the second commitment was rejected" in text
    assert "Current suggestion" in text
    assert progress.kpi_warning and progress.kpi_warning.split()[0] in text


def test_the_annual_report_totals_equal_a_direct_sum_and_leave_other_years_out(
    client, world, django_capture_on_commit_callbacks
):
    _, measures = _contract(world, world.a)
    # A contract a year later: its commitments are due and its reports end after March 2026.
    _contract(world, world.a, reference="CR-LATER", starts_on=date(2026, 4, 1))
    _contract(world, world.b, reference="CR-B")
    url = reverse("compact:annual-report", args=[world.a.slug])
    job = _run(
        client, world.user(world.a, Role.PROCUREMENT_OFFICER), url, {"year": "2025"}, django_capture_on_commit_callbacks
    )
    assert job.kind == reports.ANNUAL_PDF and job.params == {"year": 2025}

    with authority_scope(world.a):
        report = reports.annual_content(world.a, year=2025)
        accepted = DeliveryLine.objects.filter(
            verification=Verification.ACCEPTED,
            report__period_end__range=(date(2025, 4, 1), date(2026, 3, 31)),
        ).select_related("commitment__charter_measure")
        delivered = sum(
            (monetise_measure(line.commitment.charter_measure, line.quantity) for line in accepted), NOTHING
        )
        due = ContractCommitment.objects.filter(due_on__range=(date(2025, 4, 1), date(2026, 3, 31)))
        committed = sum((monetise_measure(c.charter_measure, c.target) for c in due), NOTHING)
    assert delivered.gross > 0 and committed.gross > delivered.gross
    for section in report.sections:
        assert section.impact.delivered == delivered
        assert section.impact.committed == committed
    assert [c.reference for c in report.contracts] == ["CR-1"]

    text = _text(job)
    assert "2025 to 2026" in text and "CR-1" in text and "CR-LATER" not in text and "CR-B" not in text
    assert f"£{delivered.gross:,.2f}" in text and f"£{committed.net:,.2f}" in text
    for measure in measures:
        assert measure.code in text
    for heading in ("By theme", "By outcome", "By measure", "By place", "East Ward", "West Ward"):
        assert heading in text
    with authority_scope(world.a), job.file.open("rb") as handle:
        raw = handle.read()
    assert raw.startswith(b"%PDF")


def test_the_annual_report_svg_is_accessible(world):
    _contract(world, world.a)
    with authority_scope(world.a):
        report = reports.annual_content(world.a, year=2025)
        html = render_to_string("compact/reports/annual_pdf.html", {"report": report})
    assert html.count('role="img"') == 2 and '<title id="annual-theme-chart-title">' in html
    assert '<desc id="annual-outcome-chart-desc">' in html and "<table>" in html


@pytest.mark.parametrize(
    ("today", "year"),
    [(date(2026, 3, 31), 2024), (date(2026, 4, 1), 2025), (date(2026, 12, 1), 2025), (date(2027, 1, 5), 2025)],
)
def test_the_last_complete_financial_year(today, year):
    assert reports.last_complete_financial_year(today) == year
    assert reports.financial_year(year) == (date(year, 4, 1), date(year + 1, 3, 31))


def test_the_annual_form_defaults_to_the_last_complete_year_and_refuses_other_years(client, world):
    client.force_login(world.user(world.a, Role.ADMIN))
    url = reverse("compact:annual-report", args=[world.a.slug])
    page = client.get(url)
    latest = reports.last_complete_financial_year(timezone.localdate())
    assert page.status_code == 200
    assert f'value="{latest}" selected' in page.content.decode()
    refused = client.post(url, {"year": "1990"})
    assert refused.status_code == 422 and "Choose a financial year" in refused.content.decode()
    with dangerously_unscoped():
        assert not Job.objects.exists()


@pytest.mark.parametrize("role", [Role.EVALUATOR, Role.COMMISSIONER])
def test_staff_without_contracts_export_cannot_start_reports(client, world, role):
    contract, _ = _contract(world, world.a)
    client.force_login(world.user(world.a, role))
    for url in (
        reverse("compact:compliance-report", args=[world.a.slug, contract.pk]),
        reverse("compact:annual-report", args=[world.a.slug]),
    ):
        assert client.post(url, {"year": "2025"}).status_code == 403
    with dangerously_unscoped():
        assert not Job.objects.exists()


def test_another_authoritys_contract_answers_404(client, world):
    contract, _ = _contract(world, world.b, reference="CR-B")
    client.force_login(world.user(world.a, Role.CONTRACT_MANAGER))
    url = reverse("compact:compliance-report", args=[world.a.slug, contract.pk])
    assert client.get(url).status_code == 404
    assert client.post(url).status_code == 404
