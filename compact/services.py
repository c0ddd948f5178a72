"""Writes for contract follow-up: contracts (from a confirmed award, or entered directly), KPIs, the supplier's
delivery reports and the contract manager's verification line by line, and ending a contract. Each is one
transaction with its audit event; a refusal raises a DomainError fit to show.

Delivery reports are receipted like offers (tenders/receipts.py): the server's time of receipt and a SHA-256 over
the canonical content, so recomputing it from the stored content proves nothing changed afterwards."""

import json
from datetime import date, datetime
from decimal import Decimal, InvalidOperation

from django.db import IntegrityError, transaction
from django.utils import timezone

from accounts.audit import audit_record
from accounts.models import (
    Authority,
    Membership,
    Organisation,
    OrganisationKind,
    OrganisationMembership,
    OrganisationMemberStatus,
    User,
)
from accounts.roles import Role
from charters.models import FROZEN_STATUSES, CharterMeasure, CharterVersion
from foundation.errors import DomainError
from tenders.models import RelevantMeasure
from tenders.receipts import canonical_bytes, receipt_hash

from .decommissioning import early_end_blocker, early_end_use
from .errors import StateConflict
from .models import (
    Contract,
    ContractCommitment,
    ContractStatus,
    DeliveryLine,
    DeliveryReport,
    Kpi,
    ReportingLevel,
    ReportStatus,
    Verification,
)
from .performance import reporting_level, reporting_schedule

# A line is flagged (never refused) when all reported against the commitment so far (this line included, rejected
# lines left out) is more than this many times its target: a likely slip of unit or digits for the manager to check.
FAR_ABOVE_TARGET = Decimal("2")


def _text(value) -> str:
    return (value or "").strip()


def _is_supplier_member(organisation: Organisation, user: User) -> bool:
    return OrganisationMembership.objects.filter(
        organisation=organisation, user=user, status=OrganisationMemberStatus.APPROVED
    ).exists()


def _is_contract_manager(authority: Authority, user: User) -> bool:
    return Membership.objects.filter(authority=authority, user=user, role=Role.CONTRACT_MANAGER).exists()


def _require_officer(authority: Authority, officer: User) -> None:
    if officer is None or not _is_contract_manager(authority, officer):
        name = (officer.full_name or officer.email) if officer is not None else "The responsible officer"
        raise DomainError(
            f"{name} is not a contract manager of this authority: choose a contract manager as the responsible officer",
            field="responsible_officer",
        )


def _require_dates(starts_on: date, ends_on: date) -> None:
    if starts_on is None:
        raise DomainError("Enter the date the contract starts", field="starts_on")
    if ends_on is None:
        raise DomainError("Enter the date the contract ends", field="ends_on")
    if ends_on < starts_on:
        raise DomainError("The contract must end on or after the day it starts", field="ends_on")


def _decimal(value, *, field: str, label: str) -> Decimal:
    try:
        number = value if isinstance(value, Decimal) else Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        raise DomainError(f"Enter {label} as a number", field=field) from None
    if not number.is_finite():
        raise DomainError(f"Enter {label} as a number", field=field)
    return number


def _reporting_level(value: Decimal, authority: Authority) -> str:
    return ReportingLevel(reporting_level(value, authority.light_touch_below).value)


def _make_contract(*, authority: Authority, reference: str, **fields) -> Contract:
    """Saves the contract and its reporting schedule (one due report per period)."""
    if Contract.objects.filter(authority=authority, reference=reference).exists():
        raise DomainError(f"Another contract already has the reference {reference}", field="reference")
    contract = Contract(
        authority=authority,
        reference=reference,
        reporting_level=_reporting_level(fields["value"], authority),
        **fields,
    )
    contract.save()
    periods = reporting_schedule(contract.value, authority.light_touch_below, contract.starts_on, contract.ends_on)
    DeliveryReport.objects.bulk_create(
        DeliveryReport(
            authority=authority,
            contract=contract,
            number=period.number,
            label=period.label[:120],
            period_start=period.start,
            period_end=period.end,
            due_on=period.due,
        )
        for period in periods
    )
    return contract


# Contracts -----------------------------------------------------------------------------------------------------


def contract_create_from_award(
    *,
    award,
    acting_user: User,
    responsible_officer: User,
    starts_on: date,
    ends_on: date,
    reference: str = "",
) -> Contract:
    """The contract for a confirmed award: supplier, value and the winning commitments as frozen at confirmation,
    each with its target and, by default, the contract's end date as its due date."""
    if award.confirmed_at is None:
        raise StateConflict("Only a confirmed award can become a contract: confirm the award after standstill first.")
    authority = award.authority
    _require_officer(authority, responsible_officer)
    _require_dates(starts_on, ends_on)
    tender = award.evaluation.tender
    terms = award.contract_terms
    reference = _text(reference) or (f"{tender.reference}-L{award.lot.number}" if award.lot else tender.reference)
    if len(reference) > 50:
        raise DomainError("The reference must be 50 characters or fewer", field="reference")
    title = f"{tender.title}, lot {award.lot.number}: {award.lot.title}" if award.lot else tender.title
    supplier = Organisation.objects.get(pk=terms["organisation_id"])
    value = _decimal(terms.get("value"), field="value", label="the contract value")
    relevant = {}
    for measure in RelevantMeasure.objects.filter(tender=tender).order_by("lot_id"):
        # The lot's own measure wins over the tender-wide one (how offers were asked: tenders.offers.measures_for).
        if measure.lot_id == award.lot_id or measure.charter_measure_id not in relevant:
            relevant[measure.charter_measure_id] = measure
    try:
        with transaction.atomic():
            if Contract.objects.filter(award_id_source=award.pk).exists():
                raise StateConflict("A contract has already been made from this award.")
            contract = _make_contract(
                authority=authority,
                reference=reference,
                award_id_source=award.pk,
                tender=tender,
                lot=award.lot,
                charter_version=tender.charter_version,
                title=title[:200],
                supplier=supplier,
                value=value,
                starts_on=starts_on,
                ends_on=ends_on,
                responsible_officer=responsible_officer,
                created_by=acting_user,
            )
            ContractCommitment.objects.bulk_create(
                ContractCommitment(
                    authority=authority,
                    contract=contract,
                    charter_measure_id=item["charter_measure_id"],
                    relevant_measure=relevant.get(item["charter_measure_id"]),
                    target=_decimal(item["quantity"], field="commitments", label="the committed quantity"),
                    place=(item.get("place") or "")[:200],
                    delivery_period=(item.get("delivery_period") or "")[:200],
                    narrative=item.get("narrative") or "",
                    due_on=ends_on,
                )
                for item in terms.get("commitments", [])
            )
            audit_record(
                authority=authority,
                actor=acting_user,
                verb="contract.created_from_award",
                obj=contract,
                changes={
                    "award": award.pk,
                    "supplier": supplier.name,
                    "value": str(value),
                    "responsible_officer": responsible_officer.email,
                    "commitments": len(terms.get("commitments", [])),
                    "reporting_level": contract.reporting_level,
                },
            )
    except IntegrityError:
        # Two managers creating contracts at the same moment: the unique award link (or reference) lets one through.
        if Contract.objects.filter(award_id_source=award.pk).exists():
            raise StateConflict("A contract has already been made from this award.") from None
        raise DomainError(f"Another contract already has the reference {reference}", field="reference") from None
    return contract


def contract_create(
    *,
    authority: Authority,
    acting_user: User,
    supplier: Organisation,
    reference: str,
    title: str,
    value,
    starts_on: date,
    ends_on: date,
    responsible_officer: User,
    charter_version: CharterVersion,
    commitments: list[tuple[CharterMeasure, object, str]],
) -> Contract:
    """A contract awarded elsewhere, entered directly: its commitments (charter measure, target, place) against the
    measures of the authority's adopted (or a superseded) charter version."""
    reference, title = _text(reference), _text(title)
    if not reference:
        raise DomainError("Enter the contract's reference", field="reference")
    if len(reference) > 50:
        raise DomainError("The reference must be 50 characters or fewer", field="reference")
    if not title:
        raise DomainError("Enter the contract's title", field="title")
    if supplier is None or supplier.kind != OrganisationKind.SUPPLIER:
        raise DomainError("Choose the supplier organisation", field="supplier")
    value = _decimal(value, field="value", label="the contract value")
    if value < 0:
        raise DomainError("The contract value cannot be negative", field="value")
    _require_dates(starts_on, ends_on)
    _require_officer(authority, responsible_officer)
    if (
        charter_version is None
        or charter_version.authority_id != authority.pk
        or charter_version.status not in FROZEN_STATUSES
    ):
        raise DomainError(
            "Choose an adopted (or superseded) version of the authority's charter", field="charter_version"
        )
    if not commitments:
        raise DomainError("Enter at least one social value commitment", field="commitments")
    rows = []
    for measure, target, place in commitments:
        if measure.version_id != charter_version.pk:
            raise DomainError(
                f"{measure.code} is not a measure of {charter_version}: choose the charter version's measures",
                field="commitments",
            )
        target = _decimal(target, field="commitments", label=f"the target for {measure.code}")
        if target < 0:
            raise DomainError(f"The target for {measure.code} cannot be negative", field="commitments")
        rows.append((measure, target, _text(place)[:200]))
    with transaction.atomic():
        contract = _make_contract(
            authority=authority,
            reference=reference,
            charter_version=charter_version,
            title=title[:200],
            supplier=supplier,
            value=value,
            starts_on=starts_on,
            ends_on=ends_on,
            responsible_officer=responsible_officer,
            created_by=acting_user,
        )
        ContractCommitment.objects.bulk_create(
            ContractCommitment(
                authority=authority,
                contract=contract,
                charter_measure=measure,
                target=target,
                place=place,
                due_on=ends_on,
            )
            for measure, target, place in rows
        )
        audit_record(
            authority=authority,
            actor=acting_user,
            verb="contract.created",
            obj=contract,
            changes={
                "supplier": supplier.name,
                "value": str(value),
                "responsible_officer": responsible_officer.email,
                "commitments": len(rows),
                "reporting_level": contract.reporting_level,
            },
        )
    return contract


def kpi_add(*, contract: Contract, acting_user: User, title: str, target: str) -> Kpi:
    title, target = _text(title), _text(target)
    if not title:
        raise DomainError("Enter what the KPI measures", field="title")
    if not target:
        raise DomainError("Enter the KPI's target", field="target")
    if len(title) > 200:
        raise DomainError("The KPI must be 200 characters or fewer", field="title")
    if len(target) > 200:
        raise DomainError("The target must be 200 characters or fewer", field="target")
    with transaction.atomic():
        kpi = Kpi.objects.create(authority=contract.authority, contract=contract, title=title, target=target)
        audit_record(
            authority=contract.authority,
            actor=acting_user,
            verb="contract.kpi_added",
            obj=contract,
            changes={"kpi": title, "target": target},
        )
    return kpi


def contract_end(*, contract: Contract, acting_user: User, status: str, ended_on: date, reason: str = "") -> Contract:
    """Records the contract as completed, or ended early (which needs the reason and a decommissioning assessment
    decided to go ahead, used up here: compact.decommissioning)."""
    if status not in (ContractStatus.COMPLETED, ContractStatus.ENDED_EARLY):
        raise DomainError("Choose whether the contract was completed or ended early", field="status")
    reason = _text(reason)
    if status == ContractStatus.ENDED_EARLY and not reason:
        raise DomainError("Enter why the contract ended early", field="reason")
    if len(reason) > 3000:
        raise DomainError("The reason must be 3,000 characters or fewer", field="reason")
    if ended_on is None:
        raise DomainError("Enter the date the contract ended", field="ended_on")
    if ended_on < contract.starts_on:
        raise DomainError("The contract cannot end before it started", field="ended_on")
    with transaction.atomic():
        contract = Contract.objects.select_for_update().get(pk=contract.pk)
        if contract.status != ContractStatus.ACTIVE:
            raise StateConflict(f"This contract has already been recorded as {contract.get_status_display().lower()}.")
        changes = {"status": status, "ended_on": ended_on.isoformat(), "reason": reason}
        if status == ContractStatus.ENDED_EARLY:
            blocker = early_end_blocker(contract)
            if blocker:
                raise DomainError(blocker, field="status")
            changes["assessment"] = early_end_use(contract, timezone.now()).pk
        contract.status, contract.ended_on, contract.end_reason = status, ended_on, reason
        contract.save(update_fields=["status", "ended_on", "end_reason"])
        audit_record(
            authority=contract.authority,
            actor=acting_user,
            verb="contract.ended",
            obj=contract,
            changes=changes,
        )
    return contract


# Delivery reports ----------------------------------------------------------------------------------------------


def report_content(report: DeliveryReport, lines: list[DeliveryLine], flags: list[dict]) -> dict:
    """What a submission freezes, in a stable shape: the receipt is computed over exactly this."""
    contract = report.contract
    return {
        "contract": contract.reference,
        "report": report.number,
        "period": {"start": report.period_start, "end": report.period_end},
        "narrative": report.narrative,
        "lines": [
            {
                "commitment": line.commitment_id,
                "measure": line.commitment.charter_measure.code,
                "unit": line.commitment.charter_measure.unit,
                "quantity": line.quantity,
                "place": line.place,
                "note": line.note,
            }
            for line in sorted(lines, key=lambda line: line.commitment_id)
        ],
        # Evidence by its digest, so the receipt proves which files were submitted.
        "evidence": [
            {"name": e.name, "kind": e.kind, "size": e.size, "sha256": e.sha256} for e in report.evidence.order_by("id")
        ],
        "flags": flags,
    }


def report_submit(
    *,
    report: DeliveryReport,
    acting_user: User,
    lines: dict,
    narrative: str,
    now: datetime | None = None,
) -> DeliveryReport:
    """The supplier's report for a period that has ended: quantities per commitment (`lines`: commitment id →
    (quantity, place, note)), a narrative, receipted. It can be submitted again, replacing the lines, until the
    contract manager has verified it."""
    now = now or timezone.now()
    contract = report.contract
    if not _is_supplier_member(contract.supplier, acting_user):
        raise DomainError(f"Only members of {contract.supplier.name} can report on this contract.")
    today = timezone.localdate(now)
    if report.period_end >= today:
        raise StateConflict(
            f"This report is for a period that ends on {report.period_end:%-d %B %Y}: a report for a future period "
            "cannot be submitted yet. Submit it from the day after the period ends."
        )
    narrative = _text(narrative)
    if len(narrative) > 10000:
        raise DomainError("The narrative must be 10,000 characters or fewer", field="narrative")
    commitments = {
        c.pk: c for c in ContractCommitment.objects.filter(contract=contract).select_related("charter_measure")
    }
    cleaned = {}
    for commitment_id, (quantity, place, note) in lines.items():
        field = f"quantity_{commitment_id}"
        commitment = commitments.get(int(commitment_id)) if str(commitment_id).isdigit() else None
        if commitment is None:
            raise DomainError("Report only against this contract's commitments", field=field)
        code = commitment.charter_measure.code
        if quantity is None or str(quantity).strip() == "":
            raise DomainError(f"Enter the quantity delivered for {code} (0 if none)", field=field)
        quantity = _decimal(quantity, field=field, label=f"the quantity for {code}")
        if quantity < 0:
            raise DomainError(f"The quantity for {code} cannot be negative: enter 0 if none was delivered", field=field)
        if quantity != quantity.quantize(Decimal("0.01")) or quantity >= Decimal("1e12"):
            raise DomainError(
                f"Enter the quantity for {code} in {commitment.charter_measure.unit}, with at most 2 decimal places",
                field=field,
            )
        place, note = _text(place), _text(note)
        if len(place) > 200:
            raise DomainError(f"The place for {code} must be 200 characters or fewer", field=f"place_{commitment_id}")
        if len(note) > 3000:
            raise DomainError(f"The note for {code} must be 3,000 characters or fewer", field=f"note_{commitment_id}")
        cleaned[commitment.pk] = (commitment, quantity, place, note)
    if not cleaned:
        raise DomainError("Enter the quantity delivered against at least one commitment", field="lines")
    with transaction.atomic():
        report = DeliveryReport.objects.select_for_update().select_related("contract").get(pk=report.pk)
        if report.status == ReportStatus.VERIFIED:
            raise StateConflict("This report has been verified: it can no longer be changed.")
        resubmitted = report.status == ReportStatus.SUBMITTED
        # Reported so far in the contract's other reports (rejected lines left out), for the far-above flag.
        earlier = {}
        others = DeliveryLine.objects.filter(commitment__contract=contract).exclude(report=report)
        for line in others.exclude(verification=Verification.REJECTED):
            earlier[line.commitment_id] = earlier.get(line.commitment_id, Decimal("0")) + line.quantity
        DeliveryLine.objects.filter(report=report).delete()
        made = DeliveryLine.objects.bulk_create(
            DeliveryLine(
                authority=report.authority,
                report=report,
                commitment=commitment,
                quantity=quantity,
                place=place,
                note=note,
            )
            for commitment, quantity, place, note in cleaned.values()
        )
        flags = []
        for line in sorted(made, key=lambda line: line.commitment_id):
            total = earlier.get(line.commitment_id, Decimal("0")) + line.quantity
            target = line.commitment.target
            if total > target * FAR_ABOVE_TARGET and total > 0:
                flags.append(
                    {
                        "kind": "far_above_target",
                        "commitment": line.commitment_id,
                        "measure": line.commitment.charter_measure.code,
                        "message": (
                            f"{line.commitment.charter_measure.code}: {format(total.normalize(), 'f')} "
                            f"{line.commitment.charter_measure.unit} reported so far against a target of "
                            f"{format(target.normalize(), 'f')}. Check the unit and the figure."
                        ),
                    }
                )
        report.narrative = narrative
        content = report_content(report, made, flags)
        report.status = ReportStatus.SUBMITTED
        report.submitted_at, report.submitted_by = now, acting_user
        report.receipt = receipt_hash(content, now)
        report.content = _stored(content, now)
        report.save(update_fields=["narrative", "content", "status", "submitted_at", "submitted_by", "receipt"])
        audit_record(
            authority=report.authority,
            actor=acting_user,
            verb="report.resubmitted" if resubmitted else "report.submitted",
            obj=report,
            changes={"receipt": report.receipt, "lines": len(made), "flags": len(flags)},
        )
    return report


def _stored(content: dict, received_at: datetime) -> dict:
    """The content as stored: decimals and dates as the receipt's canonical strings, so it recomputes exactly."""
    return json.loads(canonical_bytes(content, received_at))["content"]


def report_receipt_matches(report: DeliveryReport) -> bool:
    """Recomputes the receipt from the stored content and time of receipt."""
    return report.submitted_at is not None and receipt_hash(report.content, report.submitted_at) == report.receipt


# Verification --------------------------------------------------------------------------------------------------


def line_verify(*, line: DeliveryLine, acting_user: User, decision: str, note: str = "") -> DeliveryLine:
    """The contract manager's decision on one line: accepted, queried (with a question for the supplier) or
    rejected (with the reason). When every line is accepted or rejected, the report is verified."""
    report = line.report
    contract = report.contract
    if _is_supplier_member(contract.supplier, acting_user):
        raise DomainError(
            "You are a member of the supplier: verifying your own organisation's report is not allowed. "
            "Another contract manager must verify it."
        )
    if acting_user.pk != contract.responsible_officer_id and not _is_contract_manager(contract.authority, acting_user):
        raise DomainError("Only the contract's responsible officer or a contract manager can verify its reports.")
    if decision not in (Verification.ACCEPTED, Verification.QUERIED, Verification.REJECTED):
        raise DomainError("Choose whether to accept, query or reject the line", field="decision")
    note = _text(note)
    if decision == Verification.QUERIED and not note:
        raise DomainError("Enter the question for the supplier", field="note")
    if decision == Verification.REJECTED and not note:
        raise DomainError("Enter why the line is rejected", field="note")
    if len(note) > 3000:
        raise DomainError("The note must be 3,000 characters or fewer", field="note")
    with transaction.atomic():
        report = DeliveryReport.objects.select_for_update().get(pk=report.pk)
        if report.status == ReportStatus.DUE:
            raise StateConflict("This report has not been submitted yet.")
        if report.status == ReportStatus.VERIFIED:
            raise StateConflict("This report has already been verified.")
        line = DeliveryLine.objects.select_for_update().get(pk=line.pk)
        before = line.verification
        line.verification, line.verification_note = decision, note
        line.verified_at, line.verified_by = timezone.now(), acting_user
        if decision == Verification.QUERIED:
            line.supplier_answer = ""
        line.save(update_fields=["verification", "verification_note", "supplier_answer", "verified_at", "verified_by"])
        finished = not (
            DeliveryLine.objects.filter(report=report)
            .exclude(verification__in=[Verification.ACCEPTED, Verification.REJECTED])
            .exists()
        )
        if finished:
            report.status = ReportStatus.VERIFIED
            report.save(update_fields=["status"])
        audit_record(
            authority=report.authority,
            actor=acting_user,
            verb="report.line_verified",
            obj=report,
            changes={
                "line": line.pk,
                "verification": {"before": before, "after": decision},
                "note": note,
                "report_verified": finished,
            },
        )
    return line


def line_answer_query(*, line: DeliveryLine, acting_user: User, answer: str) -> DeliveryLine:
    """The supplier's answer to the contract manager's question: the line goes back for verification."""
    contract = line.report.contract
    if not _is_supplier_member(contract.supplier, acting_user):
        raise DomainError(f"Only members of {contract.supplier.name} can answer queries on this contract.")
    answer = _text(answer)
    if not answer:
        raise DomainError("Enter your answer to the question", field="answer")
    if len(answer) > 3000:
        raise DomainError("The answer must be 3,000 characters or fewer", field="answer")
    with transaction.atomic():
        line = DeliveryLine.objects.select_for_update().get(pk=line.pk)
        if line.verification != Verification.QUERIED:
            raise StateConflict("There is no open question on this line.")
        line.supplier_answer, line.verification = answer, Verification.PENDING
        line.save(update_fields=["supplier_answer", "verification"])
        audit_record(
            authority=line.authority,
            actor=acting_user,
            verb="report.query_answered",
            obj=line.report,
            changes={"line": line.pk, "answer": answer},
        )
    return line


# Performance ratings -------------------------------------------------------------------------------------------


def rating_confirm(
    *, contract: Contract, acting_user: User, period_end: date, rating: str, suggested: str, reason: str
):
    """The contract manager's rating for the period to `period_end`: the suggestion confirmed, or changed with the
    reason (a reason is needed whenever the rating differs from the suggestion)."""
    from .models import PerformanceRating
    from .performance import Rating

    if rating not in {r.value for r in Rating}:
        raise DomainError("Choose the rating", field="rating")
    reason = _text(reason)
    if rating != suggested and not reason:
        raise DomainError("Enter why the rating differs from the suggested one", field="reason")
    if len(reason) > 3000:
        raise DomainError("The reason must be 3,000 characters or fewer", field="reason")
    if not _is_contract_manager(contract.authority, acting_user):
        raise DomainError("Only a contract manager can confirm a performance rating.")
    with transaction.atomic():
        if PerformanceRating.objects.filter(contract=contract, period_end=period_end).exists():
            raise DomainError(f"A rating to {period_end:%-d %B %Y} has already been confirmed for this contract.")
        confirmed = PerformanceRating.objects.create(
            authority=contract.authority,
            contract=contract,
            period_end=period_end,
            rating=rating,
            suggested=suggested,
            reason=reason,
            confirmed_by=acting_user,
        )
        audit_record(
            authority=contract.authority,
            actor=acting_user,
            verb="contract.rating_confirmed",
            obj=contract,
            changes={"period_end": period_end.isoformat(), "rating": rating, "suggested": suggested, "reason": reason},
        )
    return confirmed
