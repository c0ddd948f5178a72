"""Decommissioning assessments (the local Compact): before a contract is ended early or its scope or value reduced,
the authority assesses the impact on beneficiaries, service users and volunteers and the social value still
outstanding, tells the supplier and its Compact partner groups, answers each of their responses, and records the
decision with reasons. Ending early (compact.services.contract_end) and reducing (`contract_reduce`) each use up one
decided assessment.

- Outstanding social value, per commitment: remaining = max(target − verified delivery, 0), where verified delivery
  is the accepted lines only, monetised with the charter measure's proxy and deflators by
  charters.monetisation.monetise_measure, exactly as the impact dashboard does.
- Responses are open until the end of `responses_due_on` (the server's date); the decision can be recorded from the
  day after, and only when every response has been answered.
- Who was told is kept in `notified` by organisation, kind, channel, date and number of recipients: never names or
  email addresses, so the public page can show it.
"""

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.db import transaction
from django.db.models import Count, Prefetch, Q, QuerySet
from django.urls import reverse
from django.utils import timezone

from accounts.audit import audit_record
from accounts.emails import send_templated_email
from accounts.models import (
    Authority,
    Membership,
    Organisation,
    OrganisationMembership,
    OrganisationMemberStatus,
    User,
)
from accounts.roles import has_permission
from charters.models import Unit
from charters.monetisation import NOTHING, Monetised, monetise_measure
from foundation.errors import DomainError
from foundation.formatting import money_pence

from .models import (
    AssessmentDecision,
    AssessmentKind,
    AssessmentResponse,
    AssessmentStatus,
    CompactPartner,
    Contract,
    ContractStatus,
    DecommissioningAssessment,
)
from .partners import partner_organisations
from .tracker import commitments_with_verified

ZERO = Decimal("0")
TEXT_MAX_LENGTH = 5000
GO_AHEAD = (AssessmentDecision.PROCEED, AssessmentDecision.PROCEED_CHANGED)
REDUCTIONS = (AssessmentKind.REDUCE_VALUE, AssessmentKind.REDUCE_SCOPE)
SUPPLIER, PARTNER = "supplier", "partner"
EMAIL = "email"

# Outstanding social value ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class OutstandingRow:
    code: str
    title: str
    unit: str
    unit_label: str
    remaining: Decimal
    gross: Decimal
    net: Decimal


@dataclass(frozen=True)
class Outstanding:
    rows: list[OutstandingRow]
    total: Monetised

    @property
    def gross(self) -> Decimal:
        return self.total.gross

    @property
    def net(self) -> Decimal:
        return self.total.net


def _unit_label(unit: str) -> str:
    return Unit(unit).label if unit in Unit.values else unit


def outstanding_rows(items) -> Outstanding:
    """The rule on (measure, target, verified) triples: what is left of each target, never below zero, monetised
    with the measure's proxy; the total is the sum of the rows."""
    rows, total = [], NOTHING
    for measure, target, verified in items:
        remaining = max(Decimal(target) - Decimal(verified), ZERO)
        money = monetise_measure(measure, remaining)
        rows.append(
            OutstandingRow(
                code=measure.code,
                title=measure.title,
                unit=measure.unit,
                unit_label=_unit_label(measure.unit),
                remaining=remaining,
                gross=money.gross,
                net=money.net,
            )
        )
        total += money
    return Outstanding(rows=rows, total=total)


def outstanding_social_value(contract: Contract) -> Outstanding:
    """The social value still to be delivered on the contract, per commitment, in one query."""
    commitments = commitments_with_verified().filter(contract=contract)
    return outstanding_rows((c.charter_measure, c.target, c.verified) for c in commitments)


def _snapshot(outstanding: Outstanding) -> list[dict]:
    # Stored as strings, so the JSON keeps every penny exactly.
    return [
        {
            "code": row.code,
            "title": row.title,
            "unit": row.unit,
            "unit_label": row.unit_label,
            "remaining": str(row.remaining),
            "gross": str(row.gross),
            "net": str(row.net),
        }
        for row in outstanding.rows
    ]


def snapshot_net_total(assessment: DecommissioningAssessment) -> Decimal:
    """The net outstanding value when the assessment was opened (the gross is `outstanding_value`)."""
    return sum((Decimal(row["net"]) for row in assessment.outstanding), ZERO)


# Who may act -------------------------------------------------------------------------------------------------------


def _can_manage(authority: Authority, user: User) -> bool:
    if user is None or not user.is_authenticated:
        return False
    roles = Membership.objects.filter(authority=authority, user=user).values_list("role", flat=True)
    return has_permission(set(roles), "contracts.manage")


def _require_manager(authority: Authority, user: User) -> None:
    if not _can_manage(authority, user):
        raise DomainError("Only a procurement officer or a contract manager of the authority can do this.")


def responder_organisations(user: User, assessment: DecommissioningAssessment) -> list[Organisation]:
    """The organisations the person can respond for: the contract's supplier, if they are an approved member, and
    the authority's Compact partner groups they are an approved member of."""
    if not user.is_authenticated:
        return []
    supplier = assessment.contract.supplier
    found = []
    if OrganisationMembership.objects.filter(
        organisation=supplier, user=user, status=OrganisationMemberStatus.APPROVED
    ).exists():
        found.append(supplier)
    found += [group for group in partner_organisations(user, assessment.authority) if group.pk != supplier.pk]
    return found


def responses_open(assessment: DecommissioningAssessment, today: date | None = None) -> bool:
    today = today or timezone.localdate()
    return assessment.status == AssessmentStatus.OPEN and today <= assessment.responses_due_on


def decision_blocker(assessment: DecommissioningAssessment, today: date | None = None) -> str:
    """Why the decision cannot be recorded yet, in words fit to show; empty when it can."""
    today = today or timezone.localdate()
    if assessment.status != AssessmentStatus.OPEN:
        return "The decision has already been recorded."
    if today <= assessment.responses_due_on:
        return (
            f"You can record the decision from {assessment.responses_due_on + timedelta(days=1):%-d %B %Y}, "
            f"after responses close on {assessment.responses_due_on:%-d %B %Y}."
        )
    unanswered = AssessmentResponse.objects.filter(assessment=assessment, answer="").count()
    if unanswered:
        return (
            f"Answer every response before recording the decision: {unanswered} "
            f"{'response is' if unanswered == 1 else 'responses are'} not answered yet."
        )
    return ""


# Notifications -----------------------------------------------------------------------------------------------------


def _told(authority: Authority, contract: Contract) -> list[tuple[Organisation, str, list[str]]]:
    """(organisation, kind, approved members' emails) for the supplier and every Compact partner group."""
    organisations = [(contract.supplier, SUPPLIER)] + [
        (partner.organisation, PARTNER)
        for partner in CompactPartner.objects.filter(authority=authority)
        .select_related("organisation")
        .exclude(organisation=contract.supplier)
    ]
    emails: dict[int, list[str]] = {}
    rows = OrganisationMembership.objects.filter(
        organisation_id__in=[org.pk for org, _ in organisations],
        status=OrganisationMemberStatus.APPROVED,
        user__is_active=True,
    ).values_list("organisation_id", "user__email")
    for organisation_id, email in rows.order_by("user__email"):
        emails.setdefault(organisation_id, []).append(email)
    return [(org, kind, emails.get(org.pk, [])) for org, kind in organisations]


def _notify(assessment: DecommissioningAssessment, *, about: str, today: date) -> list[dict]:
    """Emails every approved member of the supplier and of each partner group (one email each, so no one sees
    another's address) after the transaction commits; returns the record of who was told."""
    contract = assessment.contract
    authority = assessment.authority
    told = _told(authority, contract)
    context = {
        "authority_name": authority.name,
        "contract": contract,
        "assessment": assessment,
        "kind": assessment.get_kind_display(),
        "decision": assessment.get_decision_display() if assessment.decision else "",
        "public_url": settings.SITE_URL + reverse("compact:assessment-public", args=[authority.slug, assessment.pk]),
    }
    template = "assessment_opened" if about == "opened" else "assessment_decided"
    recipients = [email for _, _, emails in told for email in emails]

    def send():
        for email in recipients:
            send_templated_email(to=[email], template=template, context=context)

    transaction.on_commit(send)
    return [
        {
            "organisation": org.name,
            "kind": kind,
            "about": about,
            "channel": EMAIL,
            "on": today.isoformat(),
            "on_text": f"{today:%-d %B %Y}",
            "recipients": len(emails),
        }
        for org, kind, emails in told
    ]


# Services ----------------------------------------------------------------------------------------------------------


def _text(value, *, field: str, empty: str, what: str) -> str:
    value = (value or "").strip()
    if not value:
        raise DomainError(empty, field=field)
    if len(value) > TEXT_MAX_LENGTH:
        raise DomainError(f"{what} must be {TEXT_MAX_LENGTH:,} characters or fewer", field=field)
    return value


def _money(value, *, field: str, label: str) -> Decimal | None:
    if value is None or str(value).strip() == "":
        return None
    try:
        number = value if isinstance(value, Decimal) else Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        raise DomainError(f"Enter {label} as a number, like 50000", field=field) from None
    if not number.is_finite() or number < 0:
        raise DomainError(f"Enter {label} as a number of pounds, 0 or more", field=field)
    if number != number.quantize(Decimal("0.01")):
        raise DomainError(f"Enter {label} in pounds and pence", field=field)
    return number


def _open_of_kind(contract: Contract, kind: str) -> QuerySet[DecommissioningAssessment]:
    """Assessments of this kind still in play: undecided, or decided to go ahead and not yet used."""
    return DecommissioningAssessment.objects.filter(contract=contract, kind=kind, applied_at__isnull=True).filter(
        Q(status=AssessmentStatus.OPEN) | Q(decision__in=GO_AHEAD)
    )


def assessment_open(
    *,
    contract: Contract,
    acting_user: User,
    kind: str,
    proposal: str,
    takes_effect_on: date | None,
    proposed_value,
    impact_beneficiaries: str,
    impact_service_users: str,
    impact_volunteers: str,
    responses_due_on: date | None,
    now: datetime | None = None,
) -> DecommissioningAssessment:
    """Opens an assessment on an active contract, snapshots the outstanding social value and tells the supplier and
    the Compact partner groups, who can respond until `responses_due_on`."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    authority = contract.authority
    _require_manager(authority, acting_user)
    if kind not in AssessmentKind.values:
        raise DomainError(
            "Choose what is proposed: ending the contract early, or reducing its value or scope", field="kind"
        )
    proposal = _text(proposal, field="proposal", empty="Enter what is proposed and why", what="The proposal")
    impacts = {
        name: _text(value, field=name, empty=f"Enter the impact on {who}", what=f"The impact on {who}")
        for name, value, who in (
            ("impact_beneficiaries", impact_beneficiaries, "beneficiaries"),
            ("impact_service_users", impact_service_users, "service users"),
            ("impact_volunteers", impact_volunteers, "volunteers"),
        )
    }
    if responses_due_on is None:
        raise DomainError("Enter the date responses are due by", field="responses_due_on")
    if responses_due_on <= today:
        raise DomainError("The date responses are due by must be in the future", field="responses_due_on")
    if takes_effect_on is None:
        raise DomainError("Enter the date the change would take effect", field="takes_effect_on")
    if takes_effect_on < responses_due_on:
        raise DomainError(
            "The change cannot take effect before responses are due: choose a date on or after "
            f"{responses_due_on:%-d %B %Y}",
            field="takes_effect_on",
        )
    if not contract.starts_on <= takes_effect_on <= contract.ends_on:
        raise DomainError(
            f"The change must take effect while the contract runs, between {contract.starts_on:%-d %B %Y} and "
            f"{contract.ends_on:%-d %B %Y}",
            field="takes_effect_on",
        )
    proposed_value = _money(proposed_value, field="proposed_value", label="the proposed contract value")
    if kind == AssessmentKind.REDUCE_VALUE:
        if proposed_value is None:
            raise DomainError("Enter the proposed contract value", field="proposed_value")
        if proposed_value >= contract.value:
            raise DomainError(
                f"The proposed value must be lower than the contract's value now, {money_pence(contract.value)}",
                field="proposed_value",
            )
    elif proposed_value is not None:
        raise DomainError("Only a reduction in value has a proposed value: leave it empty", field="proposed_value")
    with transaction.atomic():
        contract = Contract.objects.select_for_update().select_related("supplier", "authority").get(pk=contract.pk)
        if contract.status != ContractStatus.ACTIVE:
            raise DomainError(
                f"This contract is {contract.get_status_display().lower()}: only an active contract can be assessed."
            )
        if _open_of_kind(contract, kind).exists():
            raise DomainError(
                f"This contract already has an assessment for {AssessmentKind(kind).label.lower()} that has not been "
                "used: finish that one first",
                field="kind",
            )
        outstanding = outstanding_social_value(contract)
        assessment = DecommissioningAssessment.objects.create(
            authority=authority,
            contract=contract,
            kind=kind,
            proposal=proposal,
            takes_effect_on=takes_effect_on,
            proposed_value=proposed_value,
            outstanding_value=outstanding.gross,
            outstanding=_snapshot(outstanding),
            responses_due_on=responses_due_on,
            opened_at=now,
            opened_by=acting_user,
            **impacts,
        )
        assessment.notified = _notify(assessment, about="opened", today=today)
        assessment.save(update_fields=["notified"])
        audit_record(
            authority=authority,
            actor=acting_user,
            verb="assessment.opened",
            obj=assessment,
            changes={
                "contract": contract.reference,
                "kind": kind,
                "takes_effect_on": takes_effect_on.isoformat(),
                "proposed_value": None if proposed_value is None else str(proposed_value),
                "responses_due_on": responses_due_on.isoformat(),
                "outstanding_value": str(outstanding.gross),
                "notified": [f"{entry['organisation']} ({entry['recipients']})" for entry in assessment.notified],
            },
        )
    return assessment


def response_add(
    *,
    assessment: DecommissioningAssessment,
    acting_user: User,
    organisation: Organisation | None,
    text: str,
    now: datetime | None = None,
) -> AssessmentResponse:
    """A response for the supplier or a Compact partner group, while responses are open. Published with the
    organisation's name, never the person's."""
    now = now or timezone.now()
    if organisation is None or organisation.pk not in {
        org.pk for org in responder_organisations(acting_user, assessment)
    }:
        raise DomainError(
            "Only approved members of the supplier or of one of the authority's Compact partner groups can respond",
            field="organisation",
        )
    text = _text(text, field="text", empty="Enter your response", what="Your response")
    with transaction.atomic():
        assessment = DecommissioningAssessment.objects.select_for_update().get(pk=assessment.pk)
        if assessment.status != AssessmentStatus.OPEN:
            raise DomainError("The decision has been recorded: responses are closed.")
        if timezone.localdate(now) > assessment.responses_due_on:
            raise DomainError(f"Responses closed on {assessment.responses_due_on:%-d %B %Y}.")
        response = AssessmentResponse.objects.create(
            authority=assessment.authority,
            assessment=assessment,
            organisation=organisation,
            author=acting_user,
            text=text,
            created_at=now,
        )
        # The response is public with its organisation's name: the event says who for, not the person's address.
        audit_record(
            authority=assessment.authority,
            actor=acting_user,
            verb="assessment.response_added",
            obj=assessment,
            changes={"response": response.pk, "organisation": organisation.name, "text": text},
        )
    return response


def response_answer(
    *, response: AssessmentResponse, acting_user: User, answer: str, now: datetime | None = None
) -> AssessmentResponse:
    """The authority's public answer to a response; it can be changed until the decision is recorded (the audit
    trail keeps what it said before)."""
    _require_manager(response.authority, acting_user)
    answer = _text(answer, field="answer", empty="Enter your answer", what="The answer")
    with transaction.atomic():
        assessment = DecommissioningAssessment.objects.select_for_update().get(pk=response.assessment_id)
        if assessment.status != AssessmentStatus.OPEN:
            raise DomainError("The decision has been recorded: answers can no longer be changed.")
        response = AssessmentResponse.objects.select_for_update().get(pk=response.pk, assessment=assessment)
        before = response.answer
        response.answer, response.answered_at, response.answered_by = answer, now or timezone.now(), acting_user
        response.save(update_fields=["answer", "answered_at", "answered_by"])
        audit_record(
            authority=assessment.authority,
            actor=acting_user,
            verb="assessment.response_answered",
            obj=assessment,
            changes={"response": response.pk, "answer": {"before": before, "after": answer}},
        )
    return response


def assessment_decide(
    *,
    assessment: DecommissioningAssessment,
    acting_user: User,
    decision: str,
    reasons: str,
    now: datetime | None = None,
) -> DecommissioningAssessment:
    """Records the decision with reasons, from the day after responses close and once every response is answered;
    the supplier and the partner groups are told."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    _require_manager(assessment.authority, acting_user)
    if decision not in AssessmentDecision.values:
        raise DomainError("Choose the decision", field="decision")
    reasons = _text(reasons, field="reasons", empty="Enter the reasons for the decision", what="The reasons")
    with transaction.atomic():
        assessment = (
            DecommissioningAssessment.objects.select_for_update()
            .select_related("contract__supplier", "authority")
            .get(pk=assessment.pk)
        )
        blocker = decision_blocker(assessment, today)
        if blocker:
            raise DomainError(blocker)
        assessment.status = AssessmentStatus.DECIDED
        assessment.decision, assessment.decision_reasons = decision, reasons
        assessment.decided_at, assessment.decided_by = now, acting_user
        assessment.notified = [*assessment.notified, *_notify(assessment, about="decision", today=today)]
        assessment.save(
            update_fields=["status", "decision", "decision_reasons", "decided_at", "decided_by", "notified"]
        )
        audit_record(
            authority=assessment.authority,
            actor=acting_user,
            verb="assessment.decided",
            obj=assessment,
            changes={"decision": decision, "reasons": reasons},
        )
    return assessment


def early_end_blocker(contract: Contract) -> str:
    """Why the contract cannot be ended early now, in words fit to show; empty when a decided assessment allows it.
    Read inside contract_end's transaction, after the contract row is locked."""
    assessments = list(
        DecommissioningAssessment.objects.filter(
            contract=contract, kind=AssessmentKind.END_EARLY, applied_at__isnull=True
        ).order_by("-opened_at", "-id")
    )
    if any(a.status == AssessmentStatus.DECIDED and a.decision in GO_AHEAD for a in assessments):
        return ""
    if any(a.status == AssessmentStatus.OPEN for a in assessments):
        return (
            "The decommissioning assessment for ending this contract early is still open: record its decision "
            "before ending the contract early"
        )
    if assessments:
        return (
            "The decommissioning assessment decided not to end this contract early: open a new assessment if the "
            "situation has changed"
        )
    return "Record a decommissioning assessment before ending the contract early: open one from the contract's page"


def end_early_assessment(contract: Contract) -> DecommissioningAssessment | None:
    """The contract's latest assessment for ending it early that has not been used, to link to."""
    return (
        DecommissioningAssessment.objects.filter(
            contract=contract, kind=AssessmentKind.END_EARLY, applied_at__isnull=True
        )
        .order_by("-opened_at", "-id")
        .first()
    )


def early_end_use(contract: Contract, now: datetime) -> DecommissioningAssessment:
    """Marks the decided END_EARLY assessment as used; call inside contract_end's transaction."""
    assessment = (
        DecommissioningAssessment.objects.select_for_update()
        .filter(
            contract=contract,
            kind=AssessmentKind.END_EARLY,
            status=AssessmentStatus.DECIDED,
            decision__in=GO_AHEAD,
            applied_at__isnull=True,
        )
        .order_by("-decided_at", "-id")
        .first()
    )
    if assessment is None:
        raise DomainError(early_end_blocker(contract), field="status")
    assessment.applied_at = now
    assessment.save(update_fields=["applied_at"])
    return assessment


def reduction_ready(assessment: DecommissioningAssessment) -> bool:
    """A decided value or scope reduction that may go ahead and has not been applied yet."""
    return (
        assessment.kind in REDUCTIONS
        and assessment.status == AssessmentStatus.DECIDED
        and assessment.decision in GO_AHEAD
        and assessment.applied_at is None
    )


def reductions_ready(contract: Contract) -> list[DecommissioningAssessment]:
    """The contract's decided value or scope reductions that may go ahead and have not been applied yet."""
    return list(
        DecommissioningAssessment.objects.filter(
            contract=contract,
            kind__in=REDUCTIONS,
            status=AssessmentStatus.DECIDED,
            decision__in=GO_AHEAD,
            applied_at__isnull=True,
        ).order_by("-decided_at", "-id")
    )


def contract_reduce(
    *, contract: Contract, assessment: DecommissioningAssessment, acting_user: User, new_value=None
) -> Contract:
    """Applies a decided reduction: a value reduction sets the new, lower value; a scope reduction may lower it too.
    The assessment is used up."""
    _require_manager(contract.authority, acting_user)
    if assessment is None or assessment.contract_id != contract.pk or assessment.kind not in REDUCTIONS:
        raise DomainError("Choose one of this contract's decided reductions", field="assessment")
    new_value = _money(new_value, field="new_value", label="the new contract value")
    with transaction.atomic():
        contract = Contract.objects.select_for_update().get(pk=contract.pk)
        assessment = DecommissioningAssessment.objects.select_for_update().get(pk=assessment.pk)
        if contract.status != ContractStatus.ACTIVE:
            raise DomainError(f"This contract is {contract.get_status_display().lower()}: it can no longer be reduced.")
        if assessment.applied_at is not None:
            raise DomainError("This assessment has already been applied to the contract.", field="assessment")
        if assessment.status != AssessmentStatus.DECIDED:
            raise DomainError("Record the assessment's decision before reducing the contract", field="assessment")
        if assessment.decision not in GO_AHEAD:
            raise DomainError("The assessment decided not to go ahead: the contract cannot be reduced on it")
        if assessment.kind == AssessmentKind.REDUCE_VALUE and new_value is None:
            raise DomainError("Enter the new contract value", field="new_value")
        if new_value is not None and new_value >= contract.value:
            raise DomainError(
                f"The new value must be lower than the contract's value now, {money_pence(contract.value)}",
                field="new_value",
            )
        before = contract.value
        if new_value is not None:
            contract.value = new_value
            contract.save(update_fields=["value"])
        assessment.applied_at = timezone.now()
        assessment.save(update_fields=["applied_at"])
        audit_record(
            authority=contract.authority,
            actor=acting_user,
            verb="contract.reduced",
            obj=contract,
            changes={
                "assessment": assessment.pk,
                "kind": assessment.kind,
                "value": {"before": str(before), "after": str(contract.value)},
            },
        )
    return contract


# Selectors ---------------------------------------------------------------------------------------------------------


def _with_counts(queryset):
    # Newest first, said again: Django leaves Meta.ordering out of a query that aggregates.
    return queryset.annotate(
        response_count=Count("responses", distinct=True),
        unanswered_count=Count("responses", filter=Q(responses__answer=""), distinct=True),
    ).order_by("-opened_at", "-id")


def contract_for_assessment(authority: Authority, contract_id) -> Contract | None:
    """The contract an assessment is opened on (any status: the service refuses those no longer active)."""
    return Contract.objects.filter(authority=authority, pk=contract_id).select_related("supplier", "authority").first()


def assessments_for_contract(contract: Contract) -> list[DecommissioningAssessment]:
    return list(_with_counts(DecommissioningAssessment.objects.filter(contract=contract)))


def assessment_list(authority: Authority) -> QuerySet[DecommissioningAssessment]:
    """Every assessment of the authority, newest first, with its contract and response counts (paginate it)."""
    return _with_counts(
        DecommissioningAssessment.objects.filter(authority=authority).select_related("contract__supplier")
    )


def assessment_get(authority: Authority, assessment_id) -> DecommissioningAssessment | None:
    """One assessment with its responses and their organisations, for the staff page."""
    responses = AssessmentResponse.objects.select_related("organisation", "answered_by").order_by("created_at", "id")
    return (
        DecommissioningAssessment.objects.filter(authority=authority, pk=assessment_id)
        .select_related("contract__supplier", "opened_by", "decided_by")
        .prefetch_related(Prefetch("responses", queryset=responses))
        .first()
    )


# Only what the public may read: no people (opened_by, decided_by, authors and answerers are left out).
PUBLIC_FIELDS = (
    "id",
    "authority_id",
    "contract_id",
    "contract__reference",
    "contract__title",
    "contract__status",
    "contract__supplier__name",
    "kind",
    "proposal",
    "takes_effect_on",
    "proposed_value",
    "impact_beneficiaries",
    "impact_service_users",
    "impact_volunteers",
    "outstanding_value",
    "outstanding",
    "responses_due_on",
    "status",
    "notified",
    "opened_at",
    "decision",
    "decision_reasons",
    "decided_at",
    "applied_at",
)


def public_assessments(authority: Authority) -> QuerySet[DecommissioningAssessment]:
    """The authority's assessments for the public Compact pages, newest first: two queries whatever their number
    (the contracts and suppliers are joined; response counts are aggregated)."""
    return (
        DecommissioningAssessment.objects.filter(authority=authority)
        .select_related("contract__supplier")
        .only(*PUBLIC_FIELDS)
        .annotate(response_count=Count("responses"))
        .order_by("-opened_at", "-id")
    )


def public_assessment_get(authority: Authority, assessment_id) -> DecommissioningAssessment | None:
    """One assessment for the public page, with its responses by organisation (never by person)."""
    responses = (
        AssessmentResponse.objects.select_related("organisation")
        .only(
            "id",
            "assessment_id",
            "organisation__name",
            "organisation__kind",
            "text",
            "created_at",
            "answer",
            "answered_at",
        )
        .order_by("created_at", "id")
    )
    return (
        DecommissioningAssessment.objects.filter(authority=authority, pk=assessment_id)
        .select_related("contract__supplier")
        .only(*PUBLIC_FIELDS)
        .prefetch_related(Prefetch("responses", queryset=responses))
        .first()
    )
