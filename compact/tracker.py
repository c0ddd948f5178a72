"""The public delivery tracker and community checks.

The tracker shows the public what each active or completed contract committed to and what has been delivered — only
quantities the contract manager has accepted, and nothing personal: no people's names or email addresses and no text
typed by suppliers (their narratives and notes may name people). A signed-in member of an approved community group
can confirm or question an accepted delivery line; the contract's responsible officer, or a contract manager,
answers it publicly.
"""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.core.paginator import Page, Paginator
from django.db import transaction
from django.db.models import DecimalField, Prefetch, Q, QuerySet, Sum, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from accounts.audit import audit_record
from accounts.models import Authority, Organisation, OrganisationKind, OrganisationMemberStatus, User
from accounts.roles import Role
from charters.models import Unit
from foundation.errors import DomainError

from . import performance
from .models import (
    CommunityCheck,
    CommunityVerdict,
    Contract,
    ContractCommitment,
    ContractStatus,
    DeliveryLine,
    Verification,
)

PAGE_SIZE = 10
PUBLIC_STATUSES = (ContractStatus.ACTIVE, ContractStatus.COMPLETED)
CHECK_MAX_LENGTH = 3000
ZERO = Decimal("0")


# Selectors --------------------------------------------------------------------------------------------------------


def _verified_sum():
    return Coalesce(
        Sum("lines__quantity", filter=Q(lines__verification=Verification.ACCEPTED)),
        Value(ZERO),
        output_field=DecimalField(max_digits=16, decimal_places=2),
    )


def commitments_with_verified() -> QuerySet[ContractCommitment]:
    return (
        ContractCommitment.objects.select_related("charter_measure__outcome__theme")
        .annotate(verified=_verified_sum())
        .order_by("id")
    )


def tracker_contracts(authority: Authority) -> QuerySet[Contract]:
    """The authority's active and completed contracts, newest first, with their commitments and verified totals."""
    return (
        Contract.objects.filter(authority=authority, status__in=PUBLIC_STATUSES)
        .select_related("supplier")
        .prefetch_related(Prefetch("commitments", queryset=commitments_with_verified()))
    )


@dataclass(frozen=True)
class PlaceDelivery:
    theme: str
    place: str
    measure_code: str
    measure_title: str
    unit: str
    unit_label: str
    quantity: Decimal


def delivery_by_theme_and_place(authority: Authority, contract_ids) -> dict[int, list[PlaceDelivery]]:
    """Accepted quantities per contract, theme, place and measure (quantities of different measures are in different
    units, so they are never added together). A line's place is where the supplier says it was delivered, or the
    commitment's place when it names none."""
    rows = (
        DeliveryLine.objects.filter(
            authority=authority, commitment__contract_id__in=list(contract_ids), verification=Verification.ACCEPTED
        )
        .values(
            "commitment__contract_id",
            "commitment__charter_measure__outcome__theme__title",
            "commitment__charter_measure__code",
            "commitment__charter_measure__title",
            "commitment__charter_measure__unit",
            "commitment__place",
            "place",
        )
        .annotate(total=Sum("quantity"))
    )
    merged: dict[int, dict[tuple, PlaceDelivery]] = {}
    for row in rows:
        place = row["place"] or row["commitment__place"] or "Not stated"
        key = (
            row["commitment__charter_measure__outcome__theme__title"],
            place,
            row["commitment__charter_measure__code"],
        )
        found = merged.setdefault(row["commitment__contract_id"], {})
        previous = found.get(key)
        found[key] = PlaceDelivery(
            theme=key[0],
            place=place,
            measure_code=key[2],
            measure_title=row["commitment__charter_measure__title"],
            unit=row["commitment__charter_measure__unit"],
            unit_label=Unit(row["commitment__charter_measure__unit"]).label,
            quantity=row["total"] + (previous.quantity if previous else ZERO),
        )
    return {contract_id: [found[key] for key in sorted(found)] for contract_id, found in merged.items()}


@dataclass(frozen=True)
class TrackerEntry:
    contract: Contract
    delivery: list[PlaceDelivery]


def tracker_page(authority: Authority, page_number) -> tuple[Page, list[TrackerEntry]]:
    """One page of the public tracker: the contracts and, for each, its verified delivery by theme and place."""
    page = Paginator(tracker_contracts(authority), PAGE_SIZE).get_page(page_number)
    contracts = list(page.object_list)
    delivery = delivery_by_theme_and_place(authority, [contract.pk for contract in contracts])
    return page, [TrackerEntry(contract, delivery.get(contract.pk, [])) for contract in contracts]


def tracker_contract_get(authority: Authority, contract_id) -> Contract | None:
    return (
        Contract.objects.filter(authority=authority, status__in=PUBLIC_STATUSES, pk=contract_id)
        .select_related("supplier")
        .first()
    )


@dataclass(frozen=True)
class CommitmentRow:
    commitment: ContractCommitment
    target: Decimal
    verified: Decimal
    status: performance.Status


def tracker_commitments(contract: Contract, *, on: date | None = None) -> list[CommitmentRow]:
    """The contract's commitments with their verified delivery and status on `on` (today by default)."""
    on = on or timezone.localdate()
    rows = []
    for commitment in commitments_with_verified().filter(contract=contract):
        end = max(commitment.due_on, contract.starts_on)
        status = performance.commitment_status(commitment.verified, commitment.target, contract.starts_on, end, on)
        rows.append(CommitmentRow(commitment, commitment.target, commitment.verified, status))
    return rows


def tracker_lines(contract: Contract) -> list[DeliveryLine]:
    """The contract's accepted delivery lines, by period, with their community checks (newest first)."""
    checks = CommunityCheck.objects.select_related("organisation").order_by("-created_at", "id")
    return list(
        DeliveryLine.objects.filter(commitment__contract=contract, verification=Verification.ACCEPTED)
        .select_related("report", "commitment__charter_measure")
        .prefetch_related(Prefetch("community_checks", queryset=checks))
        .order_by("report__number", "commitment_id")
    )


def tracker_line_get(contract: Contract, line_id) -> DeliveryLine | None:
    """An accepted line of a public contract; anything pending, queried or rejected is not public."""
    return (
        DeliveryLine.objects.filter(commitment__contract=contract, verification=Verification.ACCEPTED, pk=line_id)
        .select_related("report", "commitment__charter_measure")
        .first()
    )


def community_groups_for(user: User) -> list[Organisation]:
    """The community groups the person is an approved member of: the groups they can check deliveries for."""
    if not user.is_authenticated:
        return []
    return list(
        Organisation.objects.filter(
            kind=OrganisationKind.COMMUNITY_GROUP,
            memberships__user=user,
            memberships__status=OrganisationMemberStatus.APPROVED,
        ).order_by("name")
    )


def community_check_get_for_staff(authority: Authority, check_id) -> CommunityCheck | None:
    return (
        CommunityCheck.objects.filter(authority=authority, pk=check_id)
        .select_related("organisation", "line__report", "line__commitment__charter_measure", "line__report__contract")
        .first()
    )


def can_answer(check: CommunityCheck, user: User, roles) -> bool:
    """The contract's responsible officer answers its community checks; any contract manager may stand in."""
    contract = check.line.report.contract
    return user.pk == contract.responsible_officer_id or Role.CONTRACT_MANAGER in set(roles)


# Services ---------------------------------------------------------------------------------------------------------


def _text(value: str, *, empty: str, what: str, field: str) -> str:
    value = (value or "").strip()
    if not value:
        raise DomainError(empty, field=field)
    if len(value) > CHECK_MAX_LENGTH:
        raise DomainError(f"{what} must be {CHECK_MAX_LENGTH:,} characters or fewer", field=field)
    return value


def community_check_create(
    *, line: DeliveryLine, acting_user: User, organisation: Organisation, verdict: str, comment: str
) -> CommunityCheck:
    """A member of an approved community group confirms or questions an accepted delivery line, for the group.
    Shown on the public tracker with the group's name (never the person's)."""
    if verdict not in CommunityVerdict.values:
        raise DomainError("Choose whether you confirm or question this delivery", field="verdict")
    comment = _text(comment, empty="Enter your comment", what="Your comment", field="comment")
    if organisation is None or organisation.pk not in {group.pk for group in community_groups_for(acting_user)}:
        raise DomainError(
            "You can only check deliveries for a community group you are an approved member of", field="organisation"
        )
    with transaction.atomic():
        line = DeliveryLine.objects.select_for_update().select_related("report__contract").get(pk=line.pk)
        contract = line.report.contract
        if line.verification != Verification.ACCEPTED or contract.status not in PUBLIC_STATUSES:
            raise DomainError("Only deliveries shown on the public tracker can be checked")
        check = CommunityCheck.objects.create(
            authority=line.authority,
            line=line,
            user=acting_user,
            organisation=organisation,
            verdict=verdict,
            comment=comment,
        )
        audit_record(
            authority=line.authority,
            actor=acting_user,
            verb="community_check.created",
            obj=check,
            changes={
                "contract": contract.reference,
                "line": line.pk,
                "group": organisation.name,
                "verdict": verdict,
                "comment": comment,
            },
        )
    return check


def community_check_answer(*, check: CommunityCheck, acting_user: User, roles, answer: str) -> CommunityCheck:
    """The responsible officer's (or a contract manager's) public answer; a later edit replaces it, and the audit
    trail keeps what it said before."""
    answer = _text(answer, empty="Enter your answer", what="The answer", field="answer")
    with transaction.atomic():
        check = (
            CommunityCheck.objects.select_for_update()
            .select_related("line__report__contract")
            .get(pk=check.pk, authority=check.authority)
        )
        if not can_answer(check, acting_user, roles):
            raise DomainError("Only the contract's responsible officer or a contract manager can answer this check")
        before = check.answer
        check.answer = answer
        check.answered_at = timezone.now()
        check.answered_by = acting_user
        check.save(update_fields=["answer", "answered_at", "answered_by"])
        audit_record(
            authority=check.authority,
            actor=acting_user,
            verb="community_check.answered",
            obj=check,
            changes={"answer": {"before": before, "after": answer}},
        )
    return check
