"""Reads for contract follow-up: verified delivery and each contract's progress against its commitments, judged by
compact.performance (only accepted quantities count as delivered)."""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.core.paginator import Page, Paginator
from django.db.models import Count, DecimalField, Q, Sum, Value
from django.db.models.functions import Coalesce

from accounts.models import OrganisationKind, OrganisationMembership, OrganisationMemberStatus
from accounts.scoping import dangerously_unscoped

from . import evidence, performance
from .models import (
    CommunityCheck,
    Contract,
    ContractCommitment,
    DeliveryLine,
    DeliveryReport,
    Evidence,
    PerformanceRating,
    ReportStatus,
    Verification,
)

ZERO = Decimal("0")


def delivered(commitment: ContractCommitment) -> Decimal:
    """The verified delivery against one commitment: the sum of its accepted quantities."""
    total = DeliveryLine.objects.filter(commitment=commitment, verification=Verification.ACCEPTED).aggregate(
        total=Sum("quantity")
    )["total"]
    return total or ZERO


@dataclass(frozen=True)
class CommitmentProgress:
    commitment: ContractCommitment
    target: Decimal
    delivered: Decimal
    expected: Decimal
    status: performance.Status


@dataclass(frozen=True)
class ContractProgress:
    contract: Contract
    on: date
    commitments: list[CommitmentProgress]
    rating: performance.Suggestion
    kpi_count: int
    kpi_warning: str | None


def contract_progress(contract: Contract, on: date) -> ContractProgress:
    """Each commitment's target, verified delivery, what is expected by `on` (the target pro-rated from the
    contract's start to the commitment's due date) and its status; the suggested rating; the KPI warning. Two
    queries whatever the number of commitments."""
    commitments = list(
        ContractCommitment.objects.filter(contract=contract)
        .select_related("charter_measure")
        .annotate(
            verified=Coalesce(
                Sum("lines__quantity", filter=Q(lines__verification=Verification.ACCEPTED)),
                Value(ZERO),
                output_field=DecimalField(max_digits=16, decimal_places=2),
            )
        )
        .order_by("id")
    )
    kpi_count = Contract.objects.filter(pk=contract.pk).aggregate(n=Count("kpis"))["n"]
    rows, progress = [], []
    for commitment in commitments:
        start, end = contract.starts_on, max(commitment.due_on, contract.starts_on)
        expected = performance.expected_to_date(commitment.target, start, end, on)
        status = performance.commitment_status(commitment.verified, commitment.target, start, end, on)
        rows.append(CommitmentProgress(commitment, commitment.target, commitment.verified, expected, status))
        progress.append(performance.Progress(commitment.verified, expected, commitment.charter_measure.proxy_value_gbp))
    return ContractProgress(
        contract=contract,
        on=on,
        commitments=rows,
        rating=performance.suggested_rating(progress),
        kpi_count=kpi_count,
        kpi_warning=performance.kpi_shortfall(contract.value, kpi_count),
    )


# Lists and lookups shared by the staff pages and the API ----------------------------------------------------------


def contract_list(authority, *, status: str = "", supplier: str = ""):
    """The authority's contracts, newest first, filtered as the contract list filters them: by status, and by words
    the supplier's name contains."""
    contracts = Contract.objects.filter(authority=authority).select_related("supplier", "responsible_officer")
    if status:
        contracts = contracts.filter(status=status)
    if supplier.strip():
        contracts = contracts.filter(supplier__name__icontains=supplier.strip())
    return contracts


def contract_get(authority, contract_id) -> Contract | None:
    return (
        Contract.objects.filter(authority=authority, pk=contract_id)
        .select_related("supplier", "responsible_officer", "charter_version", "tender", "lot")
        .first()
    )


def contract_for_award(award) -> Contract | None:
    """The contract already made from the award, if any."""
    return Contract.objects.filter(authority_id=award.authority_id, award_id_source=award.pk).first()


def contracts_for_choice(authority) -> list[Contract]:
    """The authority's contracts, by reference, with just what a choice of them shows."""
    return list(
        Contract.objects.filter(authority=authority).order_by("reference", "pk").only("id", "reference", "title")
    )


def contract_community_checks(contract: Contract) -> list[CommunityCheck]:
    """What community groups said about the contract's lines on the public tracker, for the manager to answer."""
    return list(
        CommunityCheck.objects.filter(line__report__contract=contract).select_related(
            "organisation", "line__commitment__charter_measure", "line__report"
        )
    )


def contract_ratings(contract: Contract) -> list[PerformanceRating]:
    return list(PerformanceRating.objects.filter(contract=contract).select_related("confirmed_by"))


def rating_for_period(contract: Contract, period_end: date) -> PerformanceRating | None:
    return PerformanceRating.objects.filter(contract=contract, period_end=period_end).first()


def evidence_get(authority, evidence_id) -> Evidence | None:
    return Evidence.objects.filter(authority=authority, pk=evidence_id).first()


def report_is_overdue(report: DeliveryReport, today: date) -> bool:
    """A report still due after its due date."""
    return report.status == ReportStatus.DUE and report.due_on < today


def report_list(authority, *, contract_id: int | None = None, status: str = ""):
    """The authority's delivery reports with their contract and supplier, with how many lines and files each has."""
    reports = (
        DeliveryReport.objects.filter(authority=authority)
        .select_related("contract__supplier", "submitted_by")
        .annotate(line_count=Count("lines", distinct=True), evidence_count=Count("evidence", distinct=True))
    )
    if contract_id is not None:
        reports = reports.filter(contract_id=contract_id)
    if status:
        reports = reports.filter(status=status)
    return reports


def report_get(authority, report_id) -> DeliveryReport | None:
    return (
        DeliveryReport.objects.filter(authority=authority, pk=report_id)
        .select_related("contract__supplier", "submitted_by")
        .first()
    )


def report_lines(report: DeliveryReport) -> list[DeliveryLine]:
    """The report's lines, each with the far-above-target flag its submission recorded (`flag`, "" when none)."""
    lines = list(report.lines.select_related("commitment__charter_measure", "verified_by"))
    flags = {flag.get("commitment"): flag["message"] for flag in (report.content or {}).get("flags", [])}
    for line in lines:
        line.flag = flags.get(line.commitment_id, "")
    return lines


def line_get(authority, line_id) -> DeliveryLine | None:
    return (
        DeliveryLine.objects.filter(authority=authority, pk=line_id)
        .select_related("report__contract__supplier", "commitment__charter_measure")
        .first()
    )


def supplier_contract_list(authority, user):
    """The authority's contracts held by supplier organisations the person is an approved member of."""
    organisations = OrganisationMembership.objects.filter(
        user=user, status=OrganisationMemberStatus.APPROVED, organisation__kind=OrganisationKind.SUPPLIER
    ).values("organisation_id")
    return contract_list(authority).filter(supplier_id__in=organisations)


# The supplier's side (/p/ pages and the person's account) --------------------------------------------------------


def contract_get_for_supplier_member(authority, contract_id, user) -> Contract | None:
    """The authority's contract, only when the person is an approved member of the supplier organisation holding
    it: anyone else, authority staff included, gets None."""
    contract = (
        Contract.objects.filter(authority=authority, pk=contract_id).select_related("supplier", "authority").first()
    )
    if contract is None or not evidence.is_supplier_member(contract, user):
        return None
    return contract


def report_for_contract(contract: Contract, number) -> DeliveryReport | None:
    report = DeliveryReport.objects.filter(contract=contract, number=number).first()
    if report is not None:
        report.contract = contract  # already read, with its supplier and authority
    return report


def contract_commitments(contract: Contract) -> list[ContractCommitment]:
    return list(contract.commitments.select_related("charter_measure").order_by("id"))


def contract_reports(contract: Contract) -> list[DeliveryReport]:
    """The contract's reports in order, each with how many evidence files it has (`evidence_count`)."""
    return list(
        DeliveryReport.objects.filter(contract=contract).annotate(evidence_count=Count("evidence")).order_by("number")
    )


def contract_open_queries(contract: Contract) -> list[DeliveryLine]:
    """The contract's lines the contract manager has queried and the supplier has still to answer."""
    return list(
        DeliveryLine.objects.filter(report__contract=contract, verification=Verification.QUERIED)
        .select_related("report", "commitment__charter_measure")
        .order_by("report__number", "commitment_id")
    )


def contract_line_get(contract: Contract, line_id) -> DeliveryLine | None:
    line = (
        DeliveryLine.objects.filter(pk=line_id, report__contract=contract)
        .select_related("report", "commitment__charter_measure")
        .first()
    )
    if line is not None:
        line.report.contract = contract
    return line


def report_evidence_get(report: DeliveryReport, evidence_id) -> Evidence | None:
    return report.evidence.select_related("uploaded_by").filter(pk=evidence_id).first()


def dangerously_contracts_for_suppliers(organisations, page_number, *, page_size: int) -> Page:
    """One page of the contracts the given supplier organisations hold, with every authority, each with how many of
    its lines are queried (`open_queries`).

    A supplier holds contracts with many authorities, so this reads across them, unscoped: the caller passes only
    organisations the signed-in person is an approved member of. Everything the page shows is fetched before the
    unscoped block ends."""
    with dangerously_unscoped():
        contracts = (
            Contract.objects.filter(supplier__in=list(organisations))
            .select_related("authority", "supplier")
            .annotate(open_queries=Count("reports__lines", filter=Q(reports__lines__verification=Verification.QUERIED)))
            .order_by("-starts_on", "reference", "id")
        )
        page = Paginator(contracts, page_size).get_page(page_number)
        page.object_list = list(page.object_list)
    return page
