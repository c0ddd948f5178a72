"""Reads for evaluation: the offers being evaluated (their submitted versions, never drafts), what is still to
score, and the results per lot — computed by evaluation/scoring.py from the moderated scores, the prices and the
monetised commitments, in a fixed number of queries."""

from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, Q

from accounts.models import AuditEvent
from charters.monetisation import monetise_measure
from tenders.models import Lot, Offer, OfferStatus, OfferSubmission, Question, QuestionKind, RelevantMeasure, Tender
from tenders.offers import measures_for

from . import scoring
from .models import (
    AssessmentSummary,
    Award,
    ConflictDecision,
    Declaration,
    Evaluation,
    ModeratedScore,
    PanelMember,
    Score,
)
from .scoring import Criterion, Part

HUNDRED = Decimal("100")
COMMITMENTS = "commitments"
PRICE = "price"


def evaluation_get(authority, evaluation_id) -> Evaluation | None:
    return (
        Evaluation.objects.filter(authority=authority, pk=evaluation_id)
        .select_related("tender", "moderator", "finalised_by")
        .first()
    )


def evaluation_for_tender(tender: Tender) -> Evaluation | None:
    """The tender's evaluation (a tender has at most one), or None while it has not been started."""
    return (
        Evaluation.objects.filter(authority_id=tender.authority_id, tender=tender)
        .select_related("tender", "moderator")
        .first()
    )


def evaluated_offer_get(authority, offer_id) -> Offer | None:
    """An offer of the authority's, for the scoring and moderation pages (which then check its evaluation)."""
    return (
        Offer.objects.filter(authority=authority, pk=offer_id).select_related("tender", "organisation", "lot").first()
    )


def moderated_score_history(offer: Offer) -> dict:
    """Earlier agreed scores per question, from the audit trail (the record of every change: old and new)."""
    events = (
        AuditEvent.objects.filter(verb="evaluation.moderated_score_recorded", changes__offer=offer.pk)
        .select_related("actor")
        .order_by("created_at", "pk")
    )
    found = {}
    for event in events:
        before = event.changes.get("before")
        if before:
            found.setdefault(event.changes.get("question"), []).append(
                {"before": before, "after": event.changes.get("after"), "event": event}
            )
    return found


def evaluations_for(authority):
    """The authority's evaluations, newest first, with their tender, moderator and how many members (not excluded)
    are still scoring: the progress anyone following evaluations may see, never a score."""
    active = ~Q(panel__decision=ConflictDecision.EXCLUDED)
    return (
        Evaluation.objects.filter(authority=authority)
        .select_related("tender", "moderator")
        .annotate(
            panel_size=Count("panel", distinct=True),
            members_still_scoring=Count("panel", filter=active & Q(panel__scores_submitted_at__isnull=True)),
        )
        .order_by("-created_at", "-id")
    )


def moderator_refusal(evaluation: Evaluation, user) -> str:
    """Why this person may not moderate the evaluation ("" when they may): only the moderator, on the panel, with no
    undecided or excluding conflict of interest, sees everyone's scores."""
    member = PanelMember.objects.filter(evaluation=evaluation, user=user).first()
    if member is None:
        return "You are not on the panel for this evaluation, so you cannot see its scores."
    if evaluation.moderator_id != user.pk:
        moderator = evaluation.moderator
        if moderator is None:
            return "No moderator has been chosen for this evaluation yet. The procurement officer chooses one."
        who = moderator.full_name or moderator.email
        return f"Only the moderator, {who}, moderates this evaluation. You can see your own scores only."
    if member.decision == ConflictDecision.EXCLUDED:
        return "You have been excluded from this panel because of a conflict of interest, so you cannot moderate."
    if member.declaration == Declaration.PENDING:
        return "Declare any conflict of interest for this tender and its bidders before you moderate."
    if not member.may_see_offers:
        return "You have declared an interest. You can moderate once the procurement officer has decided on it."
    return ""


def question_key(question_id: int) -> str:
    return f"q{question_id}"


def evaluable_offers(tender: Tender, lot: Lot | None = None, *, all_lots: bool = True) -> list:
    """(offer, submission) for each submitted offer: the latest version not withdrawn. With `all_lots=False`, only
    the offers for `lot` (None: the tender as a whole)."""
    submissions = (
        OfferSubmission.objects.filter(
            offer__tender=tender, offer__status=OfferStatus.SUBMITTED, withdrawn_at__isnull=True
        )
        .select_related("offer__organisation", "offer__lot")
        .order_by("offer__organisation__name", "offer_id", "-number")
    )
    if not all_lots:
        submissions = submissions.filter(offer__lot=lot)
    latest = {}
    for submission in submissions:
        latest.setdefault(submission.offer_id, submission)
    return [(submission.offer, submission) for submission in latest.values()]


def questions_for(tender: Tender) -> list[Question]:
    return list(Question.objects.filter(tender=tender).order_by("kind", "position", "id"))


def _active_members(evaluation: Evaluation):
    return PanelMember.objects.filter(evaluation=evaluation).exclude(decision=ConflictDecision.EXCLUDED)


def missing_scores(member: PanelMember) -> int:
    """How many offer × question scores the evaluator has still to record."""
    tender = member.evaluation.tender
    offers = {offer.pk for offer, _ in evaluable_offers(tender)}
    questions = {question.pk for question in questions_for(tender)}
    done = set(
        Score.objects.filter(panel_member=member, offer_id__in=offers, question_id__in=questions).values_list(
            "offer_id", "question_id"
        )
    )
    return len(offers) * len(questions) - len(done)


def members_still_scoring(evaluation: Evaluation) -> int:
    return _active_members(evaluation).filter(scores_submitted_at__isnull=True).count()


def missing_moderated_scores(evaluation: Evaluation) -> int:
    tender = evaluation.tender
    offers = {offer.pk for offer, _ in evaluable_offers(tender)}
    questions = {question.pk for question in questions_for(tender)}
    done = set(
        ModeratedScore.objects.filter(
            evaluation=evaluation, offer_id__in=offers, question_id__in=questions
        ).values_list("offer_id", "question_id")
    )
    return len(offers) * len(questions) - len(done)


def part_weights_for(tender: Tender, lot: Lot | None) -> dict:
    own = (lot.price_weight, lot.quality_weight, lot.social_value_weight) if lot else (None,)
    price, quality, social = (
        own
        if None not in own
        else (
            tender.price_weight,
            tender.quality_weight,
            tender.social_value_weight,
        )
    )
    return {
        Part.PRICE: Decimal(price or 0),
        Part.QUALITY: Decimal(quality or 0),
        Part.SOCIAL_VALUE: Decimal(social or 0),
    }


def criteria_for(evaluation: Evaluation, questions: list[Question]) -> list[Criterion]:
    """Price; each quality question by its weight within quality; the social value part shared between the
    commitments (`commitments_share`) and the method statements by their weights. With no method statements the
    commitments carry the whole social value part."""
    criteria = [Criterion(PRICE, Part.PRICE, HUNDRED)]
    quality = [q for q in questions if q.kind == QuestionKind.QUALITY]
    method = [q for q in questions if q.kind == QuestionKind.SOCIAL_VALUE]
    criteria += [Criterion(question_key(q.pk), Part.QUALITY, Decimal(q.weight)) for q in quality]
    commitments_share = Decimal(evaluation.commitments_share) if method else HUNDRED
    criteria.append(Criterion(COMMITMENTS, Part.SOCIAL_VALUE, commitments_share))
    criteria += [
        Criterion(question_key(q.pk), Part.SOCIAL_VALUE, Decimal(q.weight) * (HUNDRED - commitments_share) / HUNDRED)
        for q in method
    ]
    return criteria


@dataclass
class OfferResult:
    offer: object
    submission: OfferSubmission
    price: Decimal
    measure_values: dict  # relevant measure id → net monetised value
    commitments_net: Decimal
    below_minimum: list  # measure codes whose committed quantity is below the tender's minimum
    fractions: dict = field(default_factory=dict)
    parts: dict = field(default_factory=dict)
    total: Decimal = Decimal("0")
    rank: int = 0
    tied: bool = False


@dataclass
class Results:
    lot: Lot | None
    criteria: list
    part_weights: dict
    criterion_weights: dict
    rows: list  # OfferResult, ranked
    sensitivity: scoring.Sensitivity | None
    price_formula_text: str
    tie_break_text: str
    quantitative_text: str = scoring.QUANTITATIVE_TEXT
    problems: list = field(default_factory=list)

    @property
    def ranking(self):
        return [scoring.Ranked(row.offer.pk, row.total, row.rank, row.tied) for row in self.rows]


def _commitment_values(submission: OfferSubmission, measures: dict) -> tuple[dict, list]:
    values, below = {}, []
    for commitment in submission.content.get("commitments", []):
        measure = measures.get(commitment["measure"])
        if measure is None:
            continue
        quantity = Decimal(commitment["quantity"])
        values[measure.pk] = monetise_measure(measure.charter_measure, quantity).net
        if measure.quantity_kind == "minimum" and measure.quantity is not None and quantity < measure.quantity:
            below.append(measure.charter_measure.code)
    return values, below


def results(evaluation: Evaluation, lot: Lot | None) -> Results:
    """The tender's (or lot's) results from the moderated scores: fractions, totals, ranking and sensitivity."""
    tender = evaluation.tender
    questions = questions_for(tender)
    criteria = criteria_for(evaluation, questions)
    weights = part_weights_for(tender, lot)
    measures = {m.charter_measure.code: m for m in measures_for(tender, lot)}
    offers = evaluable_offers(tender, lot, all_lots=False)
    moderated = {
        (m.offer_id, m.question_id): m.score
        for m in ModeratedScore.objects.filter(evaluation=evaluation, offer_id__in=[o.pk for o, _ in offers])
    }
    rows, problems = [], []
    for offer, submission in offers:
        values, below = _commitment_values(submission, measures)
        price = Decimal(submission.content["price"]) if submission.content.get("price") else None
        rows.append(OfferResult(offer, submission, price, values, sum(values.values(), Decimal("0")), below))
    prices = {row.offer.pk: row.price for row in rows}
    try:
        price_fractions = scoring.price_fractions(prices, scoring.PriceFormula(evaluation.price_formula))
    except scoring.ScoringError as error:
        problems.append(str(error))
        price_fractions = dict.fromkeys(prices, Decimal("0"))
    commitment_fractions = scoring.quantitative_fractions(
        {row.offer.pk: row.measure_values for row in rows},
        {m.pk: Decimal(m.weight) for m in measures.values()},
    )
    for row in rows:
        row.fractions = {PRICE: price_fractions[row.offer.pk], COMMITMENTS: commitment_fractions[row.offer.pk]}
        for question in questions:
            score = moderated.get((row.offer.pk, question.pk))
            row.fractions[question_key(question.pk)] = (
                scoring.scale_fraction(score, question.scale_max) if score is not None else Decimal("0")
            )
    fractions = {row.offer.pk: row.fractions for row in rows}
    totals = scoring.totals(criteria, weights, fractions)
    parts = scoring.part_totals(criteria, weights, fractions)
    tie_break = scoring.TieBreak(evaluation.tie_break)
    ranking = scoring.rank(totals, scoring.tie_break_values(tie_break, parts))
    by_offer = {row.offer.pk: row for row in rows}
    ranked_rows = []
    for ranked in ranking:
        row = by_offer[ranked.key]
        row.total, row.rank, row.tied, row.parts = ranked.total, ranked.rank, ranked.tied, parts[ranked.key]
        ranked_rows.append(row)
    return Results(
        lot=lot,
        criteria=criteria,
        part_weights=weights,
        criterion_weights=scoring.criterion_weights(weights, criteria),
        rows=ranked_rows,
        sensitivity=scoring.sensitivity(criteria, weights, fractions, tie_break) if rows else None,
        price_formula_text=scoring.PRICE_FORMULA_TEXT[scoring.PriceFormula(evaluation.price_formula)],
        tie_break_text=scoring.TIE_BREAK_TEXT[tie_break],
        problems=problems,
    )


def contract_terms(award) -> dict:
    """What contract follow-up needs from the winning offer, as submitted."""
    submission = next(
        submission for offer, submission in evaluable_offers(award.evaluation.tender) if offer.pk == award.offer_id
    )
    relevant = {
        m.charter_measure.code: m
        for m in RelevantMeasure.objects.filter(tender=award.evaluation.tender).select_related("charter_measure")
    }
    return {
        "supplier": award.offer.organisation.name,
        "organisation_id": award.offer.organisation_id,
        "lot": award.lot.number if award.lot else None,
        "value": submission.content.get("price"),
        "receipt": submission.receipt,
        "commitments": [
            {**commitment, "charter_measure_id": relevant[commitment["measure"]].charter_measure_id}
            for commitment in submission.content.get("commitments", [])
            if commitment["measure"] in relevant
        ],
    }


# Moderation ----------------------------------------------------------------------------------------------------


def panel_still_scoring(evaluation: Evaluation) -> list[PanelMember]:
    """The members (not excluded) who have not submitted their scores yet: who moderation is waiting for."""
    return list(
        _active_members(evaluation)
        .filter(scores_submitted_at__isnull=True)
        .select_related("user")
        .order_by("user__full_name", "user__email")
    )


@dataclass
class ModerationLine:
    """One offer against one question: each member's score (None where missing), the spread and the agreed one."""

    question: Question
    scores: list  # Score or None, in the order of ModerationGrid.members
    agreed: ModeratedScore | None
    spread: Decimal | None = None
    flagged: bool = False


@dataclass
class ModerationRow:
    offer: object
    submission: OfferSubmission
    lines: list  # ModerationLine, in question order

    @property
    def agreed_count(self) -> int:
        return sum(1 for line in self.lines if line.agreed is not None)


@dataclass
class ModerationGrid:
    members: list  # PanelMember (not excluded), with their users
    questions: list
    rows: list  # ModerationRow, one per evaluable offer

    @property
    def missing(self) -> list:
        """(offer row, question) pairs without an agreed score."""
        return [(row, line.question) for row in self.rows for line in row.lines if line.agreed is None]


def moderation_grid(evaluation: Evaluation, offer_ids=None) -> ModerationGrid:
    """Every individual score side by side with the spread and the agreed score, per offer and question, in a fixed
    number of queries. Only for the moderator once everyone has submitted: it shows everyone's scores."""
    tender = evaluation.tender
    questions = questions_for(tender)
    offers = evaluable_offers(tender)
    if offer_ids is not None:
        offers = [(offer, submission) for offer, submission in offers if offer.pk in offer_ids]
    members = list(_active_members(evaluation).select_related("user").order_by("user__full_name", "user__email"))
    offer_pks = [offer.pk for offer, _ in offers]
    scores = {
        (s.panel_member_id, s.offer_id, s.question_id): s
        for s in Score.objects.filter(panel_member__in=[m.pk for m in members], offer_id__in=offer_pks)
    }
    agreed = {
        (m.offer_id, m.question_id): m
        for m in ModeratedScore.objects.filter(evaluation=evaluation, offer_id__in=offer_pks).select_related(
            "recorded_by"
        )
    }
    rows = []
    for offer, submission in offers:
        lines = []
        for question in questions:
            given = [scores.get((member.pk, offer.pk, question.pk)) for member in members]
            values = [s.score for s in given if s is not None]
            line = ModerationLine(question, given, agreed.get((offer.pk, question.pk)))
            if values:
                line.spread = max(values) - min(values)
                line.flagged = scoring.spread_flagged(values, question.scale_max)
            lines.append(line)
        rows.append(ModerationRow(offer, submission, lines))
    return ModerationGrid(members, questions, rows)


# The panel, and one evaluator's own scoring ------------------------------------------------------------------


def panel_for(evaluation: Evaluation) -> list[PanelMember]:
    """The panel with each member's user and who decided on their declared interest (never their scores)."""
    return list(
        PanelMember.objects.filter(evaluation=evaluation)
        .select_related("user", "decided_by")
        .order_by("user__full_name", "user__email")
    )


def panel_member_get(authority, member_id) -> PanelMember | None:
    return (
        PanelMember.objects.filter(authority=authority, pk=member_id)
        .select_related("user", "decided_by", "evaluation__tender")
        .first()
    )


def panel_member_for(evaluation: Evaluation, user) -> PanelMember | None:
    return PanelMember.objects.filter(evaluation=evaluation, user=user).select_related("user").first()


def evaluators_to_add(evaluation: Evaluation) -> list:
    """The authority's evaluators who are not on the panel yet."""
    from accounts.models import Membership
    from accounts.roles import Role

    on_panel = PanelMember.objects.filter(evaluation=evaluation).values("user_id")
    memberships = (
        Membership.objects.filter(authority=evaluation.authority, role=Role.EVALUATOR)
        .exclude(user_id__in=on_panel)
        .select_related("user")
        .order_by("user__full_name", "user__email")
    )
    return [membership.user for membership in memberships]


def bidder_names(tender: Tender) -> list[str]:
    """The organisations whose offers are evaluated: what an evaluator declares their interests against."""
    return sorted({offer.organisation.name for offer, _ in evaluable_offers(tender)}, key=str.casefold)


@dataclass
class OfferProgress:
    offer: object
    submission: OfferSubmission
    scored: int
    questions: int

    @property
    def to_do(self) -> int:
        return self.questions - self.scored

    @property
    def complete(self) -> bool:
        return self.to_do == 0


@dataclass
class ScoringProgress:
    questions: list
    offers: list  # OfferProgress, in the order of evaluable_offers

    @property
    def total(self) -> int:
        return len(self.offers) * len(self.questions)

    @property
    def scored(self) -> int:
        return sum(progress.scored for progress in self.offers)

    @property
    def missing(self) -> int:
        return self.total - self.scored

    @property
    def incomplete(self) -> list:
        return [progress for progress in self.offers if not progress.complete]


def scoring_progress(member: PanelMember) -> ScoringProgress:
    """How far one evaluator has got: per offer, how many questions they have scored. Counts only their own
    scores, in a fixed number of queries."""
    tender = member.evaluation.tender
    questions = questions_for(tender)
    offers = evaluable_offers(tender)
    done = {}
    for offer_id in Score.objects.filter(
        panel_member=member, offer_id__in=[offer.pk for offer, _ in offers], question_id__in=[q.pk for q in questions]
    ).values_list("offer_id", flat=True):
        done[offer_id] = done.get(offer_id, 0) + 1
    return ScoringProgress(
        questions,
        [OfferProgress(offer, submission, done.get(offer.pk, 0), len(questions)) for offer, submission in offers],
    )


def own_scores(member: PanelMember, offer) -> dict:
    """The evaluator's own scores of one offer, by question id."""
    return {score.question_id: score for score in Score.objects.filter(panel_member=member, offer=offer)}


def supplier_name(offer, submission) -> str:
    """The bidder's name as submitted with the offer, or its organisation's name when the submission has none."""
    return (submission.content.get("supplier") if submission else "") or offer.organisation.name


# Awards ----------------------------------------------------------------------------------------------------------


def award_get(authority, award_id) -> Award | None:
    return (
        Award.objects.filter(pk=award_id, authority=authority)
        .select_related("evaluation__tender", "lot", "offer__organisation", "confirmed_by")
        .first()
    )


def awards_by_lot(evaluation: Evaluation) -> dict:
    """The evaluation's awards by lot id (None for a tender without lots)."""
    return {
        award.lot_id: award
        for award in Award.objects.filter(evaluation=evaluation).select_related(
            "offer__organisation", "lot", "decided_by", "confirmed_by"
        )
    }


def award_summaries(award: Award) -> list[AssessmentSummary]:
    return list(
        AssessmentSummary.objects.filter(award=award)
        .select_related("organisation", "job")
        .order_by("organisation__name")
    )
