"""Writes for evaluation: the panel and conflict declarations, individual scores, moderation, award and
confirmation. Each is one transaction with its audit event; a refusal raises a DomainError fit to show.

Scores are never overwritten silently: every change records the old value, the new one, who and why.

Every write locks the evaluation row first and checks the evaluation's state under that lock, so a score, a panel
change or a declaration either lands before moderation is finalised (and is seen by the finalising check) or sees
the finalised evaluation and is refused. Lock order, everywhere: the tender (only `award_confirm`, which changes
it), then the evaluation, then its panel members, scores and awards — so two writes never wait for each other in a
cycle."""

from datetime import date, datetime
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from accounts.audit import audit_record
from accounts.models import Membership, User
from accounts.roles import Role
from foundation.errors import DomainError
from tenders.models import Lot, Offer, Question, Tender, TenderStatus

from . import selectors, summaries
from .models import (
    Award,
    BankHoliday,
    ConflictDecision,
    Declaration,
    Evaluation,
    EvaluationStatus,
    ModeratedScore,
    PanelMember,
    Score,
)
from .scoring import PriceFormula, TieBreak
from .standstill import standstill_ends_on

RATIONALE_MAX = 5000


class StateRefused(DomainError):
    """Refused because of where the evaluation stands (finalised, scores submitted, award already decided), not
    because of the input: the API answers 409 for these."""


def _now(now: datetime | None) -> datetime:
    return now or timezone.now()


def _locked_evaluation(evaluation: Evaluation | int) -> Evaluation:
    """The evaluation, read again under a row lock held to the end of the transaction: the first lock every write
    takes (see the module docstring for the order)."""
    pk = evaluation if isinstance(evaluation, int) else evaluation.pk
    return Evaluation.objects.select_for_update(of=("self",)).select_related("tender").get(pk=pk)


def _locked_member(member: PanelMember, evaluation: Evaluation) -> PanelMember:
    return (
        PanelMember.objects.select_for_update(of=("self",))
        .select_related("user")
        .get(pk=member.pk, evaluation=evaluation)
    )


def _require_scoring(evaluation: Evaluation) -> None:
    if evaluation.status != EvaluationStatus.SCORING:
        raise StateRefused("Moderation has been finalised: scores can no longer change.")


# Setting up ---------------------------------------------------------------------------------------------------


def evaluation_start(
    *,
    tender: Tender,
    acting_user: User,
    price_formula: str = PriceFormula.LOWEST_RATIO,
    tie_break: str = TieBreak.QUALITY,
    commitments_share: Decimal = Decimal("50"),
) -> Evaluation:
    """Starts the evaluation of a tender whose offers have been opened."""
    if not Decimal("0") <= commitments_share <= Decimal("100"):
        raise DomainError("The share for commitments must be from 0% to 100%", field="commitments_share")
    with transaction.atomic():
        tender = Tender.objects.select_for_update().get(pk=tender.pk)  # the tender before the evaluation
        if tender.offers_opened_at is None:
            raise DomainError("Open the offers before you start the evaluation.")
        evaluation, created = Evaluation.objects.get_or_create(
            tender=tender,
            defaults={
                "authority": tender.authority,
                "price_formula": PriceFormula(price_formula),
                "tie_break": TieBreak(tie_break),
                "commitments_share": commitments_share,
                "created_by": acting_user,
            },
        )
        if not created:
            raise StateRefused("The evaluation of this tender has already started.")
        audit_record(
            authority=tender.authority,
            actor=acting_user,
            verb="evaluation.started",
            obj=evaluation,
            changes={
                "price_formula": evaluation.price_formula,
                "tie_break": evaluation.tie_break,
                "commitments_share": str(commitments_share),
            },
        )
    return evaluation


def panel_member_add(*, evaluation: Evaluation, user: User, acting_user: User) -> PanelMember:
    """Adds one of the authority's evaluators to the panel, while scoring is open."""
    if not Membership.objects.filter(authority=evaluation.authority, user=user, role=Role.EVALUATOR).exists():
        raise DomainError(f"{user.full_name or user.email} is not an evaluator of this authority", field="user")
    with transaction.atomic():
        # Under the lock, finalising either saw this member (and waited for their scores) or has already happened.
        evaluation = _locked_evaluation(evaluation)
        _require_scoring(evaluation)
        member, created = PanelMember.objects.get_or_create(
            evaluation=evaluation, user=user, defaults={"authority": evaluation.authority}
        )
        if not created:
            raise DomainError(f"{user.full_name or user.email} is already on the panel", field="user")
        audit_record(
            authority=evaluation.authority,
            actor=acting_user,
            verb="evaluation.panel_member_added",
            obj=evaluation,
            changes={"member": user.email},
        )
    return member


def moderator_set(*, evaluation: Evaluation, member: PanelMember, acting_user: User) -> Evaluation:
    if member.evaluation_id != evaluation.pk:
        raise DomainError("Choose the moderator from the panel", field="moderator")
    with transaction.atomic():
        evaluation = _locked_evaluation(evaluation)
        _require_scoring(evaluation)
        member = _locked_member(member, evaluation)  # the decision read under the lock: it may have just changed
        if member.decision == ConflictDecision.EXCLUDED:
            raise DomainError("An evaluator excluded for a conflict of interest cannot moderate", field="moderator")
        before = evaluation.moderator.email if evaluation.moderator else None
        evaluation.moderator = member.user
        evaluation.save(update_fields=["moderator"])
        audit_record(
            authority=evaluation.authority,
            actor=acting_user,
            verb="evaluation.moderator_set",
            obj=evaluation,
            changes={"moderator": {"before": before, "after": member.user.email}},
        )
    return evaluation


# Conflicts of interest ----------------------------------------------------------------------------------------


def declaration_make(
    *, member: PanelMember, acting_user: User, has_interest: bool, interest: str = "", now: datetime | None = None
) -> PanelMember:
    """The evaluator's own declaration for this tender and its bidders. Declaring an interest (again) hides the
    offers until the procurement officer decides. Open in every state of the evaluation: conflicts are kept under
    review (Procurement Act 2023 s.83), and one found late must still reach the record."""
    if acting_user.pk != member.user_id:
        raise DomainError("Only the evaluator can make their own declaration.")
    interest = interest.strip()
    if has_interest and not interest:
        raise DomainError("Describe the interest: who it involves and how", field="interest")
    with transaction.atomic():
        # The evaluation first (the lock order), so a declaration of interest and the evaluator's scores serialise.
        evaluation = _locked_evaluation(member.evaluation_id)
        member = _locked_member(member, evaluation)
        if member.decision == ConflictDecision.EXCLUDED:
            raise DomainError("You have been excluded from this panel.")
        # Otherwise an evaluator could lift the block on their own declared interest without a decision.
        if member.declaration == Declaration.DECLARED and not has_interest:
            raise DomainError(
                "You have declared an interest: it stays on the record, and only the procurement officer's decision "
                "settles it. Ask them if it no longer applies.",
                field="has_interest",
            )
        before = member.declaration
        member.declaration = Declaration.DECLARED if has_interest else Declaration.NONE
        member.interest = interest if has_interest else ""
        member.declared_at = _now(now)
        if has_interest:
            member.decision, member.decision_note, member.decided_at, member.decided_by = "", "", None, None
        member.save()
        audit_record(
            authority=member.authority,
            actor=acting_user,
            verb="evaluation.declaration_made",
            obj=evaluation,
            changes={"declaration": {"before": before, "after": member.declaration}, "interest": member.interest},
        )
    return member


def conflict_decide(
    *, member: PanelMember, acting_user: User, decision: str, note: str, now: datetime | None = None
) -> PanelMember:
    """The procurement officer's decision on a declared interest: exclude the evaluator, or allow with a
    mitigation note."""
    if decision not in (ConflictDecision.ALLOWED, ConflictDecision.EXCLUDED):
        raise DomainError("Choose whether to allow or exclude the evaluator", field="decision")
    note = note.strip()
    if not note:
        field_help = "the mitigation" if decision == ConflictDecision.ALLOWED else "why they are excluded"
        raise DomainError(f"Record {field_help}", field="note")
    with transaction.atomic():
        evaluation = _locked_evaluation(member.evaluation_id)  # so an exclusion and that evaluator's score serialise
        member = _locked_member(member, evaluation)
        if member.declaration != Declaration.DECLARED:
            raise StateRefused("There is no declared interest to decide on.")
        member.decision, member.decision_note = decision, note
        member.decided_at, member.decided_by = _now(now), acting_user
        member.save(update_fields=["decision", "decision_note", "decided_at", "decided_by"])
        audit_record(
            authority=member.authority,
            actor=acting_user,
            verb="evaluation.conflict_decided",
            obj=evaluation,
            changes={"member": member.user.email, "decision": decision, "note": note},
        )
    return member


# Individual scores --------------------------------------------------------------------------------------------


def _check_score(question: Question, score: Decimal, rationale: str) -> str:
    if score is None or score < 0 or score > question.scale_max:
        raise DomainError(f"Enter a score from 0 to {question.scale_max}", field="score")
    rationale = (rationale or "").strip()
    if not rationale:
        raise DomainError("Explain the score: the rationale is part of the record", field="rationale")
    if len(rationale) > RATIONALE_MAX:
        raise DomainError(f"The rationale must be {RATIONALE_MAX:,} characters or fewer", field="rationale")
    return rationale


def _check_offer_and_question(evaluation: Evaluation, offer: Offer, question: Question) -> None:
    if offer.tender_id != evaluation.tender_id or question.tender_id != evaluation.tender_id:
        raise DomainError("Score only the offers and questions of this tender.")
    if offer.pk not in {o.pk for o, _ in selectors.evaluable_offers(evaluation.tender)}:
        raise DomainError("This offer was not submitted, so it is not evaluated.")


def score_record(
    *, member: PanelMember, offer: Offer, question: Question, score: Decimal, rationale: str, acting_user: User
) -> Score:
    """The evaluator's own score, changeable until they submit their scores."""
    if acting_user.pk != member.user_id:
        raise DomainError("Evaluators record only their own scores.")
    rationale = _check_score(question, score, rationale)
    with transaction.atomic():
        # Every state check under the locks: finalising, an exclusion or the evaluator's own submission may have
        # committed since the caller read them.
        evaluation = _locked_evaluation(member.evaluation_id)
        _require_scoring(evaluation)
        member = _locked_member(member, evaluation)
        if not member.may_see_offers:
            raise DomainError("Declare any conflict of interest (and wait for a decision on it) before you score.")
        if member.scores_submitted_at is not None:
            raise StateRefused("You have submitted your scores; they change only through moderation.")
        _check_offer_and_question(evaluation, offer, question)
        existing = Score.objects.filter(panel_member=member, offer=offer, question=question).first()
        before = {"score": str(existing.score), "rationale": existing.rationale} if existing else None
        saved, _ = Score.objects.update_or_create(
            panel_member=member,
            offer=offer,
            question=question,
            defaults={"authority": member.authority, "score": score, "rationale": rationale, "updated_at": _now(None)},
        )
        audit_record(
            authority=member.authority,
            actor=acting_user,
            verb="evaluation.score_recorded",
            obj=evaluation,
            changes={
                "offer": offer.pk,
                "question": question.pk,
                "before": before,
                "after": {"score": str(score), "rationale": rationale},
            },
        )
    return saved


def scores_submit(*, member: PanelMember, acting_user: User, now: datetime | None = None) -> PanelMember:
    """Submits the evaluator's scores: every offer against every question must be scored."""
    if acting_user.pk != member.user_id:
        raise DomainError("Evaluators submit only their own scores.")
    with transaction.atomic():
        evaluation = _locked_evaluation(member.evaluation_id)
        _require_scoring(evaluation)
        member = _locked_member(member, evaluation)
        if member.scores_submitted_at is not None:
            raise StateRefused("You have already submitted your scores.")
        missing = selectors.missing_scores(member)
        if missing:
            raise DomainError(f"Score every offer against every question first: {missing} still to score.")
        member.scores_submitted_at = _now(now)
        member.save(update_fields=["scores_submitted_at"])
        audit_record(authority=member.authority, actor=acting_user, verb="evaluation.scores_submitted", obj=evaluation)
    return member


# Moderation ---------------------------------------------------------------------------------------------------


def moderated_score_record(
    *,
    evaluation: Evaluation,
    offer: Offer,
    question: Question,
    score: Decimal,
    rationale: str,
    acting_user: User,
) -> ModeratedScore:
    """The agreed score, recorded by the moderator once every evaluator on the panel has submitted."""
    rationale = _check_score(question, score, rationale)
    with transaction.atomic():
        evaluation = _locked_evaluation(evaluation)
        if evaluation.moderator_id != acting_user.pk:
            raise DomainError("Only the moderator records agreed scores.")
        _require_scoring(evaluation)
        waiting = selectors.members_still_scoring(evaluation)
        if waiting:
            raise StateRefused(f"Moderation starts when every evaluator has submitted their scores ({waiting} to go).")
        _check_offer_and_question(evaluation, offer, question)
        existing = (
            ModeratedScore.objects.select_for_update()
            .filter(evaluation=evaluation, offer=offer, question=question)
            .first()
        )
        before = {"score": str(existing.score), "rationale": existing.rationale} if existing else None
        saved, _ = ModeratedScore.objects.update_or_create(
            evaluation=evaluation,
            offer=offer,
            question=question,
            defaults={
                "authority": evaluation.authority,
                "score": score,
                "rationale": rationale,
                "recorded_at": _now(None),
                "recorded_by": acting_user,
            },
        )
        audit_record(
            authority=evaluation.authority,
            actor=acting_user,
            verb="evaluation.moderated_score_recorded",
            obj=evaluation,
            changes={
                "offer": offer.pk,
                "question": question.pk,
                "before": before,
                "after": {"score": str(score), "rationale": rationale},
            },
        )
    return saved


def moderation_finalise(*, evaluation: Evaluation, acting_user: User, now: datetime | None = None) -> Evaluation:
    """Fixes the moderated scores: every offer needs an agreed score against every question. The checks run under
    the evaluation's lock, which every score and panel change takes first: none can land between them and the
    finalising."""
    with transaction.atomic():
        evaluation = _locked_evaluation(evaluation)
        if evaluation.moderator_id != acting_user.pk:
            raise DomainError("Only the moderator finalises moderation.")
        _require_scoring(evaluation)
        # Someone added to the panel after moderation began has still to score.
        waiting = selectors.members_still_scoring(evaluation)
        if waiting:
            raise StateRefused(f"Every evaluator must submit their scores first ({waiting} to go).")
        missing = selectors.missing_moderated_scores(evaluation)
        if missing:
            raise DomainError(f"Record an agreed score for every offer and question first: {missing} still to do.")
        evaluation.status = EvaluationStatus.FINALISED
        evaluation.finalised_at, evaluation.finalised_by = _now(now), acting_user
        evaluation.save(update_fields=["status", "finalised_at", "finalised_by"])
        audit_record(authority=evaluation.authority, actor=acting_user, verb="evaluation.finalised", obj=evaluation)
    return evaluation


# Award --------------------------------------------------------------------------------------------------------


def holidays() -> frozenset[date]:
    return frozenset(BankHoliday.objects.values_list("date", flat=True))


def award_decide(
    *, evaluation: Evaluation, lot: Lot | None, offer: Offer, reasons: str, acting_user: User, today: date | None = None
) -> Award:
    """Records the award to the highest-ranked offer of the tender (or lot), with reasons; standstill runs for 8
    working days from today (the day of the award notice)."""
    reasons = reasons.strip()
    if not reasons:
        raise DomainError("Give the reasons for the award", field="reasons")
    today = today or timezone.localdate()
    with transaction.atomic():
        evaluation = _locked_evaluation(evaluation)
        if evaluation.status == EvaluationStatus.SCORING:
            raise StateRefused("Finalise moderation before you decide the award.")
        results = selectors.results(evaluation, lot)
        winners = {r.key for r in results.ranking if r.rank == 1}
        if offer.pk not in winners:
            raise DomainError("The award goes to the highest-ranked offer.", field="offer")
        if Award.objects.filter(evaluation=evaluation, lot=lot).exists():
            raise StateRefused("The award for this has already been decided.")
        award = Award.objects.create(
            authority=evaluation.authority,
            evaluation=evaluation,
            lot=lot,
            offer=offer,
            reasons=reasons,
            decided_by=acting_user,
            standstill_ends_on=standstill_ends_on(today, holidays()),
        )
        audit_record(
            authority=evaluation.authority,
            actor=acting_user,
            verb="evaluation.award_decided",
            obj=evaluation,
            changes={"lot": lot.number if lot else None, "offer": offer.pk, "reasons": reasons},
        )
        # Every bidder with an assessed offer is owed its assessment summary (Procurement Act 2023 s.50).
        summaries.summaries_issue(award=award, acting_user=acting_user)
    return award


def award_confirm(*, award: Award, acting_user: User, today: date | None = None) -> Award:
    """Confirms the award after standstill: freezes what the contract needs, and marks the tender awarded once
    every lot is confirmed."""
    today = today or timezone.localdate()
    if today <= award.standstill_ends_on:
        raise StateRefused(
            f"Standstill ends on {award.standstill_ends_on:%-d %B %Y}: the award can be confirmed from the day after."
        )
    with transaction.atomic():
        # The lock order: the tender (its status may change below), the evaluation, then the award.
        tender_id = Evaluation.objects.filter(pk=award.evaluation_id).values_list("tender_id", flat=True).get()
        Tender.objects.select_for_update().filter(pk=tender_id).values_list("pk", flat=True).get()
        _locked_evaluation(award.evaluation_id)
        award = Award.objects.select_for_update(of=("self",)).select_related("evaluation__tender").get(pk=award.pk)
        if award.confirmed_at is not None:
            raise StateRefused("This award has already been confirmed.")
        award.contract_terms = selectors.contract_terms(award)
        award.confirmed_at, award.confirmed_by = timezone.now(), acting_user
        award.save(update_fields=["contract_terms", "confirmed_at", "confirmed_by"])
        evaluation, tender = award.evaluation, award.evaluation.tender
        lots = list(Lot.objects.filter(tender=tender).values_list("pk", flat=True)) or [None]
        confirmed = set(
            Award.objects.filter(evaluation=evaluation, confirmed_at__isnull=False).values_list("lot_id", flat=True)
        )
        if set(lots) <= confirmed:
            evaluation.status = EvaluationStatus.AWARDED
            evaluation.save(update_fields=["status"])
            tender.status = TenderStatus.AWARDED
            tender.save(update_fields=["status"])
        audit_record(
            authority=award.authority,
            actor=acting_user,
            verb="evaluation.award_confirmed",
            obj=evaluation,
            changes={"lot": award.lot.number if award.lot else None, "offer": award.offer_id},
        )
    return award


# Scoring one offer from one form -----------------------------------------------------------------------------


class ScoreRefused(DomainError):
    """A refusal from `score_record` while recording several scores, naming the question it is about."""

    def __init__(self, message: str, *, field: str | None, question: Question):
        super().__init__(message, field=field)
        self.question = question


def offer_scores_record(*, member: PanelMember, offer: Offer, scores: dict, acting_user: User) -> int:
    """The evaluator's scores of one offer, several questions at once (`scores`: question → (score, rationale)):
    all recorded or, on any refusal, none. A score left as it was is not recorded (or audited) again. Returns how
    many scores changed."""
    changed = 0
    with transaction.atomic():
        _locked_evaluation(member.evaluation_id)  # before reading what is there, so it cannot change under us
        existing = {s.question_id: s for s in Score.objects.filter(panel_member=member, offer=offer)}
        for question, (score, rationale) in scores.items():
            before = existing.get(question.pk)
            if before is not None and before.score == score and before.rationale == (rationale or "").strip():
                continue
            try:
                score_record(
                    member=member,
                    offer=offer,
                    question=question,
                    score=score,
                    rationale=rationale,
                    acting_user=acting_user,
                )
            except StateRefused:
                raise
            except DomainError as error:
                raise ScoreRefused(error.message, field=error.field, question=question) from error
            changed += 1
    return changed


def offer_moderated_scores_record(*, evaluation: Evaluation, offer: Offer, scores: dict, acting_user: User) -> list:
    """The moderator's agreed scores of one offer, several questions at once (`scores`: question → (score,
    rationale)): all recorded or, on any refusal, none. An agreed score left as it was is not recorded (or audited)
    again. Returns (question, score before or None, score after) for each one that changed."""
    changed = []
    with transaction.atomic():
        _locked_evaluation(evaluation)  # before reading what is there, so it cannot change under us
        existing = {m.question_id: m for m in ModeratedScore.objects.filter(evaluation=evaluation, offer=offer)}
        for question, (score, rationale) in scores.items():
            before = existing.get(question.pk)
            if before is not None and before.score == score and before.rationale == (rationale or "").strip():
                continue
            try:
                moderated_score_record(
                    evaluation=evaluation,
                    offer=offer,
                    question=question,
                    score=score,
                    rationale=rationale,
                    acting_user=acting_user,
                )
            except StateRefused:
                raise
            except DomainError as error:
                raise ScoreRefused(error.message, field=error.field, question=question) from error
            changed.append((question, before.score if before else None, score))
    return changed
