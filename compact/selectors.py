"""Reads for contract follow-up: verified delivery and each contract's progress against its commitments, judged by
compact.performance (only accepted quantities count as delivered)."""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db.models import Count, DecimalField, Q, Sum, Value
from django.db.models.functions import Coalesce

from . import performance
from .models import Contract, ContractCommitment, DeliveryLine, Verification

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
