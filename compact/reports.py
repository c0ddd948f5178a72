"""Contract follow-up reports as PDFs made by background jobs (accounts/jobs.py), behind `contracts.export`:

- `contract_compliance_pdf` (params `{"contract_id": id}`): each commitment's target, verified delivery (accepted
  lines only), what is expected to date and its status; the evidence (name, kind, size, SHA-256); the lines the
  contract manager queried or rejected, with the supplier's answers and the outcome; confirmed performance ratings
  and the current suggestion; the KPIs with the Procurement Act s.52 warning; the decommissioning assessments
  (compact/decommissioning.py) with their responses, answers and decisions.
- `annual_social_value_pdf` (params `{"year": 2025}` for the financial year 1 April 2025 to 31 March 2026): every
  contract of the authority, and committed against verified delivered by theme, outcome, measure and place,
  monetised gross and net. The figures are the impact dashboard's (compact.impact), filtered to the year the same
  way: a commitment counts in the year it is due, a delivery in the year its report's period ends.

Handlers run inside the job's authority scope.
"""

from dataclasses import dataclass, field
from datetime import date

from django.db.models import Prefetch, Q
from django.template.loader import render_to_string
from django.utils import timezone

from accounts.jobs import register_job_kind, register_job_starter
from foundation.errors import DomainError
from foundation.pdf import html_to_pdf

from . import impact, performance, selectors
from .models import (
    AssessmentResponse,
    Contract,
    DecommissioningAssessment,
    DeliveryLine,
    Evidence,
    Kpi,
    PerformanceRating,
    Verification,
)

COMPLIANCE_PDF = "contract_compliance_pdf"
ANNUAL_PDF = "annual_social_value_pdf"
PERMISSION = "contracts.export"
ANNUAL_DIMENSIONS = ("theme", "outcome", "measure", "place")
# The dimensions drawn as charts as well as tables; measures and places are too many to read as bars.
CHARTED = ("theme", "outcome")


# Financial years ----------------------------------------------------------------------------------------------


def financial_year(year: int) -> tuple[date, date]:
    """The financial year starting in April of `year`: 1 April to 31 March."""
    return date(year, 4, 1), date(year + 1, 3, 31)


def financial_year_label(year: int) -> str:
    return f"{year} to {year + 1}"


def last_complete_financial_year(today: date) -> int:
    """The latest financial year that has ended by `today` (on 31 March 2026, 2024 to 2025 is the last complete)."""
    return today.year - 2 if today.month < 4 else today.year - 1


ANNUAL_YEARS_BACK = 10  # how many financial years back the annual report can be asked for


def annual_report_years(today: date) -> list[int]:
    """The financial years the annual report can be made for, newest first: the current one (the year so far), then
    the last complete one (the default) and those before it."""
    latest = last_complete_financial_year(today) + 1
    return list(range(latest, latest - ANNUAL_YEARS_BACK, -1))


# The compliance report ----------------------------------------------------------------------------------------


@dataclass
class ComplianceReport:
    contract: Contract
    progress: selectors.ContractProgress
    evidence: list[Evidence]
    queries: list[DeliveryLine]
    ratings: list[PerformanceRating]
    kpis: list[Kpi]
    generated_at: object
    requested_by: object
    assessments: list[DecommissioningAssessment] = field(default_factory=list)

    @property
    def rating_label(self) -> str:
        return self.progress.rating.rating.label


def compliance_content(contract: Contract, *, on: date, requested_by=None) -> ComplianceReport:
    queries = list(
        DeliveryLine.objects.filter(report__contract=contract)
        .filter(
            Q(verification__in=[Verification.QUERIED, Verification.REJECTED])
            | ~Q(verification_note="")
            | ~Q(supplier_answer="")
        )
        .select_related("report", "commitment__charter_measure", "verified_by")
        .order_by("report__number", "commitment_id")
    )
    ratings = []
    for rating in PerformanceRating.objects.filter(contract=contract).select_related("confirmed_by"):
        rating.rating_label = _rating_label(rating.rating)
        rating.suggested_label = _rating_label(rating.suggested) if rating.suggested else ""
        ratings.append(rating)
    return ComplianceReport(
        contract=contract,
        progress=selectors.contract_progress(contract, on),
        evidence=list(Evidence.objects.filter(report__contract=contract).select_related("report")),
        queries=queries,
        ratings=ratings,
        kpis=list(Kpi.objects.filter(contract=contract)),
        generated_at=timezone.now(),
        requested_by=requested_by,
        assessments=list(
            DecommissioningAssessment.objects.filter(contract=contract)
            .order_by("opened_at", "id")
            .prefetch_related(Prefetch("responses", queryset=AssessmentResponse.objects.select_related("organisation")))
        ),
    )


def _rating_label(value: str) -> str:
    try:
        return performance.Rating(value).label
    except ValueError:
        return value


def compliance_pdf_bytes(report: ComplianceReport) -> bytes:
    html = render_to_string(
        "compact/reports/compliance_pdf.html",
        {
            "report": report,
            "authority": report.contract.authority,
            "status_text": performance.STATUS_TEXT,
            "rating_text": performance.RATING_TEXT,
        },
    )
    return html_to_pdf(html)


@register_job_kind(COMPLIANCE_PDF, label="Contract compliance report (PDF)", permission=PERMISSION)
def contract_compliance_pdf(job, report_progress):
    contract = Contract.objects.select_related("supplier", "responsible_officer", "authority").get(
        pk=job.params["contract_id"], authority=job.authority
    )
    report = compliance_content(contract, on=timezone.localdate(job.created_at), requested_by=job.requested_by)
    report_progress(1, 2)
    stamp = timezone.localtime(job.created_at).strftime("%Y%m%d-%H%M%S")
    return f"compliance-{_safe(contract.reference)}-{stamp}.pdf", compliance_pdf_bytes(report)


def _safe(reference: str) -> str:
    return "".join(c if c.isalnum() or c in "-_" else "-" for c in reference).strip("-") or "contract"


# The annual social value report ---------------------------------------------------------------------------------


@dataclass
class AnnualSection:
    impact: impact.Impact
    chart: str


@dataclass
class AnnualReport:
    authority: object
    year: int
    starts_on: date
    ends_on: date
    contracts: list[Contract]
    sections: list[AnnualSection]
    generated_at: object
    requested_by: object

    @property
    def label(self) -> str:
        return financial_year_label(self.year)

    @property
    def totals(self) -> impact.Impact:
        return self.sections[0].impact


def annual_content(authority, *, year: int, requested_by=None) -> AnnualReport:
    starts_on, ends_on = financial_year(year)
    filters = impact.ImpactFilters(date_from=starts_on, date_to=ends_on)
    sections = []
    for dimension in ANNUAL_DIMENSIONS:
        summary = impact.impact_summary(authority, dimension=dimension, filters=filters)
        chart = ""
        if dimension in CHARTED and summary.groups:
            chart = impact.impact_chart_svg(summary, chart_id=f"annual-{dimension}-chart")
        sections.append(AnnualSection(impact=summary, chart=chart))
    contracts = list(
        Contract.objects.filter(authority=authority)
        .select_related("supplier")
        .order_by("reference")
        .filter(starts_on__lte=ends_on)
    )
    return AnnualReport(
        authority=authority,
        year=year,
        starts_on=starts_on,
        ends_on=ends_on,
        contracts=contracts,
        sections=sections,
        generated_at=timezone.now(),
        requested_by=requested_by,
    )


def annual_pdf_bytes(report: AnnualReport) -> bytes:
    return html_to_pdf(render_to_string("compact/reports/annual_pdf.html", {"report": report}))


@register_job_kind(ANNUAL_PDF, label="Annual social value report (PDF)", permission=PERMISSION)
def annual_social_value_pdf(job, report_progress):
    year = int(job.params["year"])
    report = annual_content(job.authority, year=year, requested_by=job.requested_by)
    report_progress(1, 2)
    stamp = timezone.localtime(job.created_at).strftime("%Y%m%d-%H%M%S")
    return f"social-value-{job.authority.slug}-{year}-{year + 1}-{stamp}.pdf", annual_pdf_bytes(report)


# Starting the reports by name (the API), with the checks the report pages make -----------------------------------


@register_job_starter(COMPLIANCE_PDF)
def compliance_report_start(*, authority, acting_user, kind: str, params: dict):
    from accounts.services import job_start

    contract_id = params.get("contract_id")
    contract = None
    if isinstance(contract_id, int) or str(contract_id or "").isdigit():
        contract = Contract.objects.filter(authority=authority, pk=int(contract_id)).first()
    if contract is None:
        raise DomainError("Choose one of the authority's contracts", field="contract_id")
    return job_start(authority=authority, acting_user=acting_user, kind=kind, params={"contract_id": contract.pk})


@register_job_starter(ANNUAL_PDF)
def annual_report_start(*, authority, acting_user, kind: str, params: dict):
    from accounts.services import job_start

    year = params.get("year")
    years = annual_report_years(timezone.localdate())
    if not (isinstance(year, int) or str(year or "").isdigit()) or int(year) not in years:
        raise DomainError(
            f"Choose a financial year from {years[-1]} to {years[0]} (the year it starts in April)", field="year"
        )
    return job_start(authority=authority, acting_user=acting_user, kind=kind, params={"year": int(year)})
