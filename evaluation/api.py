"""The evaluation API: evaluations and their panels, conflict declarations, each evaluator's own scores, moderation,
results, awards and the evaluation pack.

Reads go through `selectors`, writes through `services` (and `packs.pack_start`), exactly as the pages do, and offer
content only through `tenders.sealing`, so every rule holds here too: an evaluator reads no offer until cleared of
conflicts of interest; scores are independent until moderation (an evaluator reaches only their own: anyone else's
answer 404), a submitted score changes only through moderation, and results appear once moderation is finalised.
"""

from decimal import Decimal

from drf_spectacular.utils import extend_schema
from rest_framework import exceptions, serializers, status
from rest_framework.response import Response

from accounts.api.foundation import PAGE_PARAMETERS, error_responses, paginate, paginated, register_conflicts, validated
from accounts.api.views import AuthorityApiView
from accounts.models import JobStatus
from tenders import sealing
from tenders import selectors as tender_selectors
from tenders.models import Lot, Offer

from . import packs, scoring, selectors, services
from .models import Award, ConflictDecision, Declaration, EvaluationStatus, PanelMember
from .scoring import PRICE_FORMULA_TEXT, TIE_BREAK_TEXT, PriceFormula, TieBreak

register_conflicts(services.StateRefused, sealing.OffersSealed)

TAG_EVALUATIONS = ["evaluations"]
TAG_SCORING = ["evaluation scoring"]
TAG_MODERATION = ["evaluation moderation"]
TAG_AWARDS = ["awards"]

READ_ERRORS = error_responses(401, 403, 404)
WRITE_ERRORS = error_responses(400, 401, 403, 404, 409)


def _name(user) -> str:
    return (user.full_name or user.email) if user else ""


# Evaluations ----------------------------------------------------------------------------------------------------


class EvaluatorPersonSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.SerializerMethodField(help_text="Their full name, or their email address if none is given.")
    email = serializers.EmailField()

    def get_name(self, user) -> str:
        return _name(user)


class EvaluationSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    tender_id = serializers.IntegerField()
    tender_reference = serializers.CharField(source="tender.reference")
    tender_title = serializers.CharField(source="tender.title")
    status = serializers.ChoiceField(choices=EvaluationStatus.choices)
    price_formula = serializers.ChoiceField(choices=[f.value for f in PriceFormula])
    price_formula_text = serializers.SerializerMethodField(help_text="How price is scored, in words.")
    tie_break = serializers.ChoiceField(choices=[t.value for t in TieBreak])
    tie_break_text = serializers.SerializerMethodField(help_text="Which offer ranks higher on equal totals.")
    commitments_share = serializers.DecimalField(
        max_digits=5, decimal_places=2, help_text="% of the social value weighting given to the commitments."
    )
    moderator = EvaluatorPersonSerializer(allow_null=True, help_text="The panel member who moderates, once chosen.")
    panel_size = serializers.IntegerField(help_text="How many evaluators are on the panel (excluded ones too).")
    members_still_scoring = serializers.IntegerField(
        help_text="Panel members (not excluded) who have not submitted their scores yet. Never anyone's scores."
    )
    created_at = serializers.DateTimeField()
    finalised_at = serializers.DateTimeField(allow_null=True)

    def get_price_formula_text(self, evaluation) -> str:
        return PRICE_FORMULA_TEXT[PriceFormula(evaluation.price_formula)]

    def get_tie_break_text(self, evaluation) -> str:
        return TIE_BREAK_TEXT[TieBreak(evaluation.tie_break)]


class PanelMemberSerializer(serializers.Serializer):
    id = serializers.IntegerField(help_text="The panel member's id: the address of their declaration and scores.")
    user = EvaluatorPersonSerializer()
    is_moderator = serializers.SerializerMethodField()
    declaration = serializers.ChoiceField(choices=Declaration.choices)
    interest = serializers.SerializerMethodField(
        help_text="The interest declared: shown to the member and to procurement officers, empty for others."
    )
    declared_at = serializers.DateTimeField(allow_null=True)
    decision = serializers.ChoiceField(choices=ConflictDecision.choices, allow_blank=True)
    decision_note = serializers.SerializerMethodField(help_text="The mitigation or reason, as `interest` is shown.")
    decided_at = serializers.DateTimeField(allow_null=True)
    may_see_offers = serializers.BooleanField(
        help_text="Declared no conflict, or a declared interest allowed: only then does the member read offers."
    )
    scores_submitted_at = serializers.DateTimeField(allow_null=True)

    def _shown(self, member) -> bool:
        return self.context.get("can_manage") or member.user_id == self.context.get("user_id")

    def get_is_moderator(self, member) -> bool:
        return member.user_id == member.evaluation.moderator_id

    def get_interest(self, member) -> str:
        return member.interest if self._shown(member) else ""

    def get_decision_note(self, member) -> str:
        return member.decision_note if self._shown(member) else ""


class EvaluationDetailSerializer(EvaluationSerializer):
    panel = PanelMemberSerializer(source="panel_list", many=True)
    your_panel_member_id = serializers.IntegerField(
        allow_null=True, help_text="Your own place on the panel, if you sit on it."
    )
    moderated_scores_missing = serializers.IntegerField(
        allow_null=True, help_text="While scoring: offer × question pairs still without an agreed score."
    )


class EvaluationStartSerializer(serializers.Serializer):
    tender = serializers.IntegerField(help_text="The tender to evaluate: its offers must have been opened.")
    price_formula = serializers.ChoiceField(choices=[f.value for f in PriceFormula], default=PriceFormula.LOWEST_RATIO)
    tie_break = serializers.ChoiceField(choices=[t.value for t in TieBreak], default=TieBreak.QUALITY)
    commitments_share = serializers.DecimalField(
        max_digits=5,
        decimal_places=2,
        default=Decimal("50"),
        min_value=Decimal("0"),
        max_value=Decimal("100"),
        help_text="% of the social value weighting for the commitments; the rest for method statement questions.",
    )


class EvaluationsView(AuthorityApiView):
    def _evaluation(self, evaluation_id):
        evaluation = selectors.evaluation_get(self.authority, evaluation_id)
        if evaluation is None:
            raise exceptions.NotFound("No such evaluation.")
        return evaluation

    def _context(self) -> dict:
        return {"can_manage": self.can("evaluation.manage"), "user_id": self.request.user.pk}

    def _detail(self, evaluation) -> dict:
        panel = selectors.panel_for(evaluation)
        for member in panel:
            member.evaluation = evaluation
        evaluation.panel_size = len(panel)
        evaluation.members_still_scoring = sum(
            1 for m in panel if m.decision != ConflictDecision.EXCLUDED and m.scores_submitted_at is None
        )
        evaluation.panel_list = panel
        evaluation.your_panel_member_id = next((m.pk for m in panel if m.user_id == self.request.user.pk), None)
        scoring_now = evaluation.status == EvaluationStatus.SCORING
        evaluation.moderated_scores_missing = selectors.missing_moderated_scores(evaluation) if scoring_now else None
        return EvaluationDetailSerializer(evaluation, context=self._context()).data


class EvaluationList(EvaluationsView):
    method_permissions = {"GET": "evaluation.view", "POST": "evaluation.manage"}

    @extend_schema(
        operation_id="evaluations_list",
        summary="List evaluations",
        description="The authority's evaluations, newest first, with where each stands: procurement officers and "
        "evaluators (`evaluation.view`). Progress only, never a score.",
        parameters=PAGE_PARAMETERS,
        responses={200: paginated(EvaluationSerializer, "EvaluationPage"), **error_responses(401, 403, 404)},
        tags=TAG_EVALUATIONS,
    )
    def get(self, request, authority_slug):
        return paginate(self, selectors.evaluations_for(self.authority), EvaluationSerializer)

    @extend_schema(
        operation_id="evaluations_create",
        summary="Start the evaluation of a tender",
        description="Procurement officers (`evaluation.manage`), once the tender's offers have been opened. One "
        "evaluation per tender (409 if it has started). Then form the panel.",
        request=EvaluationStartSerializer,
        responses={201: EvaluationDetailSerializer, **WRITE_ERRORS},
        tags=TAG_EVALUATIONS,
    )
    def post(self, request, authority_slug):
        data = validated(EvaluationStartSerializer, request.data)
        tender = tender_selectors.tender_for_staff(self.authority, data["tender"])
        if tender is None:
            raise exceptions.ValidationError({"tender": ["Choose one of the authority's tenders"]})
        if not sealing.offers_opened(tender):
            raise exceptions.ValidationError({"tender": [sealing.sealed_message(tender)]})
        evaluation = services.evaluation_start(
            tender=tender,
            acting_user=request.user,
            price_formula=data["price_formula"],
            tie_break=data["tie_break"],
            commitments_share=data["commitments_share"],
        )
        return Response(self._detail(self._evaluation(evaluation.pk)), status=status.HTTP_201_CREATED)


class EvaluationDetail(EvaluationsView):
    method_permissions = {"GET": "evaluation.view"}

    @extend_schema(
        operation_id="evaluations_retrieve",
        summary="Read an evaluation",
        description="Its rules, its panel (each member's declaration and the decision on a declared interest, "
        "whether they have submitted) and its progress. Never anyone's scores.",
        responses={200: EvaluationDetailSerializer, **READ_ERRORS},
        tags=TAG_EVALUATIONS,
    )
    def get(self, request, authority_slug, evaluation_id):
        return Response(self._detail(self._evaluation(evaluation_id)))


# The panel -------------------------------------------------------------------------------------------------------


class PanelMemberAddSerializer(serializers.Serializer):
    user = serializers.IntegerField(help_text="The id of one of the authority's evaluators not yet on the panel.")


class ModeratorSerializer(serializers.Serializer):
    moderator = serializers.IntegerField(help_text="The panel member id of the moderator (not an excluded one).")


class Panel(EvaluationsView):
    method_permissions = {"GET": "evaluation.view", "POST": "evaluation.manage"}

    @extend_schema(
        operation_id="evaluations_panel_list",
        summary="List the panel",
        description="The panel members with their declarations and the decisions on declared interests. The text of "
        "an interest and of a decision only for procurement officers and the member.",
        responses={200: PanelMemberSerializer(many=True), **READ_ERRORS},
        tags=TAG_EVALUATIONS,
    )
    def get(self, request, authority_slug, evaluation_id):
        evaluation = self._evaluation(evaluation_id)
        panel = selectors.panel_for(evaluation)
        for member in panel:
            member.evaluation = evaluation
        return Response(PanelMemberSerializer(panel, many=True, context=self._context()).data)

    @extend_schema(
        operation_id="evaluations_panel_create",
        summary="Add an evaluator to the panel",
        description="Procurement officers (`evaluation.manage`), while scoring is open. They then declare any "
        "conflict of interest before they see an offer.",
        request=PanelMemberAddSerializer,
        responses={201: PanelMemberSerializer, **WRITE_ERRORS},
        tags=TAG_EVALUATIONS,
    )
    def post(self, request, authority_slug, evaluation_id):
        evaluation = self._evaluation(evaluation_id)
        data = validated(PanelMemberAddSerializer, request.data)
        # Chosen among the candidates, as on the page: another person's id reveals nothing about them.
        user = next((u for u in selectors.evaluators_to_add(evaluation) if u.pk == data["user"]), None)
        if user is None:
            raise exceptions.ValidationError(
                {"user": ["Choose one of the authority's evaluators who is not on the panel yet"]}
            )
        member = services.panel_member_add(evaluation=evaluation, user=user, acting_user=request.user)
        member.evaluation = evaluation
        return Response(PanelMemberSerializer(member, context=self._context()).data, status=status.HTTP_201_CREATED)


class Moderator(EvaluationsView):
    method_permissions = {"PUT": "evaluation.manage"}

    @extend_schema(
        operation_id="evaluations_moderator_update",
        summary="Choose the moderator",
        description="Procurement officers (`evaluation.manage`) choose the moderator from the panel, while scoring "
        "is open. The moderator sees everyone's scores once all have submitted.",
        request=ModeratorSerializer,
        responses={200: EvaluationDetailSerializer, **WRITE_ERRORS},
        tags=TAG_EVALUATIONS,
    )
    def put(self, request, authority_slug, evaluation_id):
        evaluation = self._evaluation(evaluation_id)
        data = validated(ModeratorSerializer, request.data)
        member = PanelMember.objects.filter(evaluation=evaluation, pk=data["moderator"]).select_related("user").first()
        if member is None:
            raise exceptions.ValidationError({"moderator": ["Choose the moderator from the panel"]})
        services.moderator_set(evaluation=evaluation, member=member, acting_user=request.user)
        return Response(self._detail(self._evaluation(evaluation_id)))


class MembersView(EvaluationsView):
    def _member(self, member_id, *, own: bool) -> PanelMember:
        """A panel member of the authority; with `own`, only the caller's own place (anyone else's: 404)."""
        member = (
            PanelMember.objects.filter(authority=self.authority, pk=member_id)
            .select_related("user", "evaluation__tender", "evaluation__moderator")
            .first()
        )
        if member is None or (own and member.user_id != self.request.user.pk):
            raise exceptions.NotFound("No such panel member.")
        return member

    def _member_data(self, member) -> dict:
        return PanelMemberSerializer(member, context=self._context()).data


class ConflictDecisionSerializer(serializers.Serializer):
    decision = serializers.ChoiceField(choices=[ConflictDecision.ALLOWED.value, ConflictDecision.EXCLUDED.value])
    note = serializers.CharField(
        max_length=3000, help_text="If allowed: the mitigation. If excluded: why. Required either way."
    )


class ConflictDecide(MembersView):
    method_permissions = {"POST": "evaluation.manage"}

    @extend_schema(
        operation_id="evaluations_conflict_decide",
        summary="Decide on a declared interest",
        description="Procurement officers (`evaluation.manage`): allow the evaluator with a mitigation note (they "
        "may then read and score the offers), or exclude them from the panel. 409 if no interest is declared.",
        request=ConflictDecisionSerializer,
        responses={200: PanelMemberSerializer, **WRITE_ERRORS},
        tags=TAG_EVALUATIONS,
    )
    def post(self, request, authority_slug, member_id):
        member = self._member(member_id, own=False)
        data = validated(ConflictDecisionSerializer, request.data)
        services.conflict_decide(member=member, acting_user=request.user, decision=data["decision"], note=data["note"])
        return Response(self._member_data(self._member(member_id, own=False)))


class DeclarationSerializer(PanelMemberSerializer):
    bidders = serializers.ListField(
        child=serializers.CharField(), help_text="The organisations whose offers are evaluated: declare against them."
    )


class DeclarationInputSerializer(serializers.Serializer):
    has_interest = serializers.BooleanField(help_text="True to declare an interest; false for no conflict.")
    interest = serializers.CharField(
        max_length=3000,
        required=False,
        allow_blank=True,
        help_text="With an interest: who it involves and how (required then).",
    )


class DeclarationView(MembersView):
    method_permissions = {"GET": "evaluation.score", "PUT": "evaluation.score"}

    def _data(self, member) -> dict:
        member.bidders = selectors.bidder_names(member.evaluation.tender)
        return DeclarationSerializer(member, context=self._context()).data

    @extend_schema(
        operation_id="evaluations_declaration_retrieve",
        summary="Read your conflict of interest declaration",
        description="Evaluators (`evaluation.score`), for their own place on a panel only (anyone else's: 404), "
        "with the bidders to declare against.",
        responses={200: DeclarationSerializer, **READ_ERRORS},
        tags=TAG_SCORING,
    )
    def get(self, request, authority_slug, member_id):
        return Response(self._data(self._member(member_id, own=True)))

    @extend_schema(
        operation_id="evaluations_declaration_update",
        summary="Declare a conflict of interest, or none",
        description="Your own declaration. Declaring an interest keeps the offers hidden from you until a "
        "procurement officer decides on it; once declared, an interest stays on the record (only the decision "
        "settles it).",
        request=DeclarationInputSerializer,
        responses={200: DeclarationSerializer, **WRITE_ERRORS},
        tags=TAG_SCORING,
    )
    def put(self, request, authority_slug, member_id):
        member = self._member(member_id, own=True)
        data = validated(DeclarationInputSerializer, request.data)
        has_interest = data["has_interest"]
        services.declaration_make(
            member=member,
            acting_user=request.user,
            has_interest=has_interest,
            interest=data.get("interest", "") if has_interest else "",
        )
        return Response(self._data(self._member(member_id, own=True)))


# One evaluator's own scores --------------------------------------------------------------------------------------


class OwnScoreSerializer(serializers.Serializer):
    question_id = serializers.IntegerField()
    score = serializers.DecimalField(max_digits=5, decimal_places=1)
    rationale = serializers.CharField()
    updated_at = serializers.DateTimeField()


class OfferScoresSerializer(serializers.Serializer):
    offer_id = serializers.IntegerField()
    supplier = serializers.CharField(help_text="The bidder, as its submitted offer names it.")
    lot = serializers.IntegerField(allow_null=True, help_text="The lot's number, or null for the tender as a whole.")
    questions = serializers.IntegerField(help_text="How many questions each offer is scored against.")
    scored = serializers.IntegerField(help_text="How many of them you have scored for this offer.")
    scores = OwnScoreSerializer(many=True, help_text="Your own scores of this offer, in question order. Only yours.")


class EvaluationScoreInputSerializer(serializers.Serializer):
    question = serializers.IntegerField(help_text="A question of the tender.")
    score = serializers.DecimalField(max_digits=5, decimal_places=1, min_value=Decimal("0"))
    rationale = serializers.CharField(max_length=services.RATIONALE_MAX, help_text="Why: part of the record.")


class EvaluationScoresInputSerializer(serializers.Serializer):
    scores = EvaluationScoreInputSerializer(many=True, help_text="One entry per question to score.")

    def validate_scores(self, scores):
        if not scores:
            raise serializers.ValidationError("Give at least one score")
        return scores


def _offer_scores(staff_offer, questions, scores: dict) -> dict:
    """One offer's row: its supplier from the submitted content, and the given scores by question id."""
    ordered = [scores[q.pk] for q in questions if q.pk in scores]
    return {
        "offer_id": staff_offer.offer.pk,
        "supplier": staff_offer.content.get("supplier") or "",
        "lot": staff_offer.content.get("lot"),
        "questions": len(questions),
        "scored": len(ordered),
        "scores": ordered,
    }


def _staff_offers_or_refusal(call, **kwargs):
    """A `tenders.sealing` read; its refusals as the API's: not cleared 403, still sealed 409."""
    try:
        return call(**kwargs)
    except sealing.OfferAccessRefused as refusal:
        raise exceptions.PermissionDenied(refusal.message) from refusal


def _score_items(data, questions) -> dict:
    """question → (score, rationale) from the input, refusing unknown or repeated questions by their field."""
    by_id = {q.pk: q for q in questions}
    chosen, errors = {}, {}
    for index, item in enumerate(data["scores"]):
        question = by_id.get(item["question"])
        if question is None:
            errors[f"scores.{index}.question"] = ["Choose one of the tender's questions"]
        elif question in chosen:
            errors[f"scores.{index}.question"] = ["Give each question once"]
        else:
            chosen[question] = (item["score"], item["rationale"])
    if errors:
        raise exceptions.ValidationError(errors)
    return chosen


def _refusal_field(data, refusal: services.ScoreRefused) -> dict:
    index = next(i for i, item in enumerate(data["scores"]) if item["question"] == refusal.question.pk)
    if refusal.field in ("score", "rationale"):
        return {f"scores.{index}.{refusal.field}": [refusal.message]}
    return {f"scores.{index}": [refusal.message]}


class OwnScores(MembersView):
    method_permissions = {"GET": "evaluation.score"}

    @extend_schema(
        operation_id="evaluations_scores_list",
        summary="List your own scores",
        description="Evaluators (`evaluation.score`), for their own place on a panel only: every offer being "
        "evaluated with the scores you have given it. Another member's scores answer 404; until you are cleared of "
        "conflicts of interest the offers stay hidden (403, with the reason).",
        parameters=PAGE_PARAMETERS,
        responses={200: paginated(OfferScoresSerializer, "OfferScoresPage"), **READ_ERRORS, **WRITE_ERRORS},
        tags=TAG_SCORING,
    )
    def get(self, request, authority_slug, member_id):
        member = self._member(member_id, own=True)
        tender = member.evaluation.tender
        offers = _staff_offers_or_refusal(sealing.offers_for_staff, tender=tender, user=request.user)
        questions = selectors.questions_for(tender)
        scores = {}
        for score in member.scores.filter(offer_id__in=[o.offer.pk for o in offers]):
            scores.setdefault(score.offer_id, {})[score.question_id] = score
        return paginate(
            self,
            offers,
            OfferScoresSerializer,
            prepare=lambda staff_offer: _offer_scores(staff_offer, questions, scores.get(staff_offer.offer.pk, {})),
        )


class OfferScores(MembersView):
    method_permissions = {"GET": "evaluation.score", "PUT": "evaluation.score"}

    def _offer(self, member, offer_id):
        # Another tender's offer is simply not here (its panel's rules are not this one's to tell).
        if not Offer.objects.filter(authority=self.authority, pk=offer_id, tender=member.evaluation.tender).exists():
            raise exceptions.NotFound("No such offer in this evaluation.")
        staff_offer = _staff_offers_or_refusal(
            sealing.offer_for_staff, authority=self.authority, offer_id=offer_id, user=self.request.user
        )
        if staff_offer is None or staff_offer.offer.tender_id != member.evaluation.tender_id:
            raise exceptions.NotFound("No such offer in this evaluation.")
        return staff_offer

    def _data(self, member, staff_offer) -> dict:
        questions = selectors.questions_for(member.evaluation.tender)
        return OfferScoresSerializer(
            _offer_scores(staff_offer, questions, selectors.own_scores(member, staff_offer.offer))
        ).data

    @extend_schema(
        operation_id="evaluations_offer_scores_retrieve",
        summary="Read your scores of one offer",
        description="Your own scores only (another member's: 404), once you are cleared to read the offer.",
        responses={200: OfferScoresSerializer, **READ_ERRORS, 409: WRITE_ERRORS[409]},
        tags=TAG_SCORING,
    )
    def get(self, request, authority_slug, member_id, scored_offer_id):
        member = self._member(member_id, own=True)
        return Response(self._data(member, self._offer(member, scored_offer_id)))

    @extend_schema(
        operation_id="evaluations_offer_scores_update",
        summary="Score one offer",
        description="Your score and rationale for one or more questions of one offer: all recorded, or (on any "
        "refusal) none. Changeable until you submit your scores; after that only moderation changes them (409).",
        request=EvaluationScoresInputSerializer,
        responses={200: OfferScoresSerializer, **WRITE_ERRORS},
        tags=TAG_SCORING,
    )
    def put(self, request, authority_slug, member_id, scored_offer_id):
        member = self._member(member_id, own=True)
        staff_offer = self._offer(member, scored_offer_id)
        data = validated(EvaluationScoresInputSerializer, request.data)
        scores = _score_items(data, selectors.questions_for(member.evaluation.tender))
        try:
            services.offer_scores_record(
                member=member, offer=staff_offer.offer, scores=scores, acting_user=request.user
            )
        except services.ScoreRefused as refusal:
            raise exceptions.ValidationError(_refusal_field(data, refusal)) from refusal
        return Response(self._data(member, staff_offer))


class ScoresSubmit(MembersView):
    method_permissions = {"POST": "evaluation.score"}

    @extend_schema(
        operation_id="evaluations_scores_submit",
        summary="Submit your scores",
        description="Once you have scored every offer against every question. After this your scores change only "
        "through moderation.",
        request=None,
        responses={200: PanelMemberSerializer, **WRITE_ERRORS},
        tags=TAG_SCORING,
    )
    def post(self, request, authority_slug, member_id):
        member = self._member(member_id, own=True)
        services.scores_submit(member=member, acting_user=request.user)
        return Response(self._member_data(self._member(member_id, own=True)))


# Moderation ------------------------------------------------------------------------------------------------------


class IndividualScoreSerializer(serializers.Serializer):
    panel_member_id = serializers.IntegerField()
    evaluator = serializers.CharField()
    score = serializers.DecimalField(max_digits=5, decimal_places=1, allow_null=True)
    rationale = serializers.CharField()


class AgreedScoreSerializer(serializers.Serializer):
    score = serializers.DecimalField(max_digits=5, decimal_places=1)
    rationale = serializers.CharField()
    recorded_at = serializers.DateTimeField()
    recorded_by = serializers.CharField()


class ModerationLineSerializer(serializers.Serializer):
    question_id = serializers.IntegerField()
    scores = IndividualScoreSerializer(many=True, help_text="Each member's score, side by side (null if missing).")
    spread = serializers.DecimalField(max_digits=5, decimal_places=1, allow_null=True)
    flagged = serializers.BooleanField(help_text="The spread is wide enough to discuss.")
    agreed = AgreedScoreSerializer(allow_null=True)


class ModerationRowSerializer(serializers.Serializer):
    offer_id = serializers.IntegerField()
    supplier = serializers.CharField()
    lot = serializers.IntegerField(allow_null=True)
    lines = ModerationLineSerializer(many=True, help_text="One per question, in the tender's order.")


def _supplier(offer, submission) -> str:
    return (submission.content.get("supplier") if submission else "") or offer.organisation.name


def _moderation_row(grid, row) -> dict:
    lines = []
    for line in row.lines:
        scores = [
            {
                "panel_member_id": member.pk,
                "evaluator": _name(member.user),
                "score": score.score if score else None,
                "rationale": score.rationale if score else "",
            }
            for member, score in zip(grid.members, line.scores, strict=True)
        ]
        agreed = line.agreed
        lines.append(
            {
                "question_id": line.question.pk,
                "scores": scores,
                "spread": line.spread,
                "flagged": line.flagged,
                "agreed": {
                    "score": agreed.score,
                    "rationale": agreed.rationale,
                    "recorded_at": agreed.recorded_at,
                    "recorded_by": _name(agreed.recorded_by),
                }
                if agreed
                else None,
            }
        )
    return {
        "offer_id": row.offer.pk,
        "supplier": _supplier(row.offer, row.submission),
        "lot": row.offer.lot.number if row.offer.lot_id else None,
        "lines": lines,
    }


class ModerationView(EvaluationsView):
    method_permissions = {"GET": "evaluation.score", "PUT": "evaluation.score", "POST": "evaluation.score"}

    def _moderated(self, evaluation_id):
        """The evaluation, for its moderator only (403 with the reason for anyone else), once everyone has
        submitted (409 with who is still scoring, while scoring is open)."""
        evaluation = self._evaluation(evaluation_id)
        if reason := selectors.moderator_refusal(evaluation, self.request.user):
            raise exceptions.PermissionDenied(reason)
        return evaluation

    def _still_scoring(self, evaluation):
        if evaluation.status == EvaluationStatus.SCORING:
            waiting = selectors.panel_still_scoring(evaluation)
            if waiting:
                names = ", ".join(_name(member.user) for member in waiting)
                raise services.StateRefused(
                    f"Moderation starts when every evaluator has submitted their scores. Still scoring: {names}."
                )


class Moderation(ModerationView):
    @extend_schema(
        operation_id="evaluations_moderation_list",
        summary="Read every score side by side",
        description="The moderator only (403 with the reason for anyone else), once every evaluator on the panel "
        "has submitted (409 until then): per offer and question, each member's score and rationale, the spread "
        "(wide ones flagged) and the agreed score.",
        parameters=PAGE_PARAMETERS,
        responses={200: paginated(ModerationRowSerializer, "ModerationRowPage"), **READ_ERRORS, **WRITE_ERRORS},
        tags=TAG_MODERATION,
    )
    def get(self, request, authority_slug, evaluation_id):
        evaluation = self._moderated(evaluation_id)
        self._still_scoring(evaluation)
        grid = selectors.moderation_grid(evaluation)
        return paginate(self, grid.rows, ModerationRowSerializer, prepare=lambda row: _moderation_row(grid, row))


class ModerationOffer(ModerationView):
    @extend_schema(
        operation_id="evaluations_moderation_update",
        summary="Record agreed scores for one offer",
        description="The moderator, with a reason for each: all recorded or none. Unchanged ones are not recorded "
        "again; every change keeps the old score in the audit trail. 409 once moderation is finalised.",
        request=EvaluationScoresInputSerializer,
        responses={200: ModerationRowSerializer, **WRITE_ERRORS},
        tags=TAG_MODERATION,
    )
    def put(self, request, authority_slug, evaluation_id, scored_offer_id):
        evaluation = self._moderated(evaluation_id)
        offer = Offer.objects.filter(authority=self.authority, pk=scored_offer_id, tender=evaluation.tender).first()
        if offer is None or not selectors.moderation_grid(evaluation, offer_ids={offer.pk}).rows:
            raise exceptions.NotFound("No such offer in this evaluation.")
        data = validated(EvaluationScoresInputSerializer, request.data)
        scores = _score_items(data, selectors.questions_for(evaluation.tender))
        try:
            services.offer_moderated_scores_record(
                evaluation=evaluation, offer=offer, scores=scores, acting_user=request.user
            )
        except services.ScoreRefused as refusal:
            raise exceptions.ValidationError(_refusal_field(data, refusal)) from refusal
        grid = selectors.moderation_grid(evaluation, offer_ids={offer.pk})
        return Response(ModerationRowSerializer(_moderation_row(grid, grid.rows[0])).data)


class Finalisation(ModerationView):
    @extend_schema(
        operation_id="evaluations_finalise",
        summary="Finalise moderation",
        description="The moderator, once every offer has an agreed score against every question: the agreed scores "
        "are fixed and the results computed.",
        request=None,
        responses={200: EvaluationSerializer, **WRITE_ERRORS},
        tags=TAG_MODERATION,
    )
    def post(self, request, authority_slug, evaluation_id):
        evaluation = self._moderated(evaluation_id)
        services.moderation_finalise(evaluation=evaluation, acting_user=request.user)
        return Response(self._detail(self._evaluation(evaluation_id)))


# Results ---------------------------------------------------------------------------------------------------------


class ResultCriterionSerializer(serializers.Serializer):
    key = serializers.CharField(help_text="`price`, `commitments`, or `q<question id>`.")
    part = serializers.ChoiceField(choices=[p.value for p in scoring.Part])
    points = serializers.DecimalField(max_digits=9, decimal_places=4, help_text="Its points out of 100.")


class ResultPartsSerializer(serializers.Serializer):
    price = serializers.DecimalField(max_digits=9, decimal_places=4)
    quality = serializers.DecimalField(max_digits=9, decimal_places=4)
    social_value = serializers.DecimalField(max_digits=9, decimal_places=4)


class ResultRowSerializer(serializers.Serializer):
    rank = serializers.IntegerField()
    tied = serializers.BooleanField(help_text="Still level with another offer after the tie-break rule.")
    offer_id = serializers.IntegerField()
    supplier = serializers.CharField()
    price = serializers.DecimalField(max_digits=14, decimal_places=2, allow_null=True)
    total = serializers.DecimalField(max_digits=9, decimal_places=4, help_text="Points out of 100.")
    parts = ResultPartsSerializer(help_text="Points per part.")
    commitments_net_gbp = serializers.DecimalField(
        max_digits=16, decimal_places=2, help_text="The commitments' monetised value, net of deflators."
    )
    below_minimum = serializers.ListField(
        child=serializers.CharField(), help_text="Measure codes committed below the tender's minimum quantity."
    )


class SensitivityMoveSerializer(serializers.Serializer):
    moved = serializers.IntegerField(help_text="Points moved to (or from) the social value weighting.")
    social_value_weight = serializers.DecimalField(max_digits=9, decimal_places=4)
    winners = serializers.ListField(child=serializers.IntegerField(), help_text="The offers ranked first.")


class SensitivitySerializer(serializers.Serializer):
    changes = serializers.BooleanField(help_text="Whether the winner changes under any of the moves.")
    moves = SensitivityMoveSerializer(many=True)


class LotResultsSerializer(serializers.Serializer):
    lot = serializers.IntegerField(allow_null=True, help_text="The lot's number, or null for the whole tender.")
    price_formula_text = serializers.CharField()
    tie_break_text = serializers.CharField()
    criteria = ResultCriterionSerializer(many=True)
    ranking = ResultRowSerializer(many=True)
    sensitivity = SensitivitySerializer(allow_null=True)
    problems = serializers.ListField(child=serializers.CharField(), help_text="Why a part could not be scored.")


class ResultsSerializer(serializers.Serializer):
    evaluation_id = serializers.IntegerField()
    lots = LotResultsSerializer(many=True)


def _lot_results(evaluation, lot) -> dict:
    results = selectors.results(evaluation, lot)
    ranking = [
        {
            "rank": row.rank,
            "tied": row.tied,
            "offer_id": row.offer.pk,
            "supplier": _supplier(row.offer, row.submission),
            "price": row.price,
            "total": row.total,
            "parts": {part.value: row.parts.get(part, Decimal("0")) for part in scoring.Part},
            "commitments_net_gbp": row.commitments_net,
            "below_minimum": row.below_minimum,
        }
        for row in results.rows
    ]
    sensitivity = None
    if results.sensitivity is not None:
        moves = [
            {
                "moved": moved,
                "social_value_weight": scoring.shifted_weights(results.part_weights, Decimal(moved))[
                    scoring.Part.SOCIAL_VALUE
                ],
                "winners": sorted(keys),
            }
            for moved, keys in sorted(results.sensitivity.winners.items())
        ]
        sensitivity = {"changes": results.sensitivity.changes, "moves": moves}
    return {
        "lot": lot.number if lot else None,
        "price_formula_text": results.price_formula_text,
        "tie_break_text": results.tie_break_text,
        "criteria": [
            {"key": c.key, "part": c.part.value, "points": results.criterion_weights[c.key]} for c in results.criteria
        ],
        "ranking": ranking,
        "sensitivity": sensitivity,
        "problems": results.problems,
    }


class Results(EvaluationsView):
    method_permissions = {"GET": "evaluation.view"}

    @extend_schema(
        operation_id="evaluations_results_retrieve",
        summary="Read the results",
        description="Once moderation is finalised (409 before): per lot, the ranking with each offer's points by "
        "part, the criteria's points, and whether the winner changes if the social value weighting moves by 5 "
        "points either way.",
        responses={200: ResultsSerializer, **READ_ERRORS, 409: WRITE_ERRORS[409]},
        tags=TAG_EVALUATIONS,
    )
    def get(self, request, authority_slug, evaluation_id):
        evaluation = self._evaluation(evaluation_id)
        if evaluation.status == EvaluationStatus.SCORING:
            raise services.StateRefused("The results appear once moderation is finalised.")
        lots = list(Lot.objects.filter(tender=evaluation.tender).order_by("number")) or [None]
        data = {"evaluation_id": evaluation.pk, "lots": [_lot_results(evaluation, lot) for lot in lots]}
        return Response(ResultsSerializer(data).data)


# Awards ----------------------------------------------------------------------------------------------------------


class EvaluationAwardSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    evaluation_id = serializers.IntegerField()
    lot = serializers.SerializerMethodField(help_text="The lot's number, or null for the whole tender.")
    offer_id = serializers.IntegerField()
    supplier = serializers.CharField(source="offer.organisation.name")
    reasons = serializers.CharField()
    decided_at = serializers.DateTimeField()
    decided_by = serializers.SerializerMethodField()
    standstill_ends_on = serializers.DateField(help_text="The award can be confirmed from the day after.")
    confirmed_at = serializers.DateTimeField(allow_null=True)
    confirmed_by = serializers.SerializerMethodField()

    def get_lot(self, award) -> int | None:
        return award.lot.number if award.lot_id else None

    def get_decided_by(self, award) -> str:
        return _name(award.decided_by)

    def get_confirmed_by(self, award) -> str:
        return _name(award.confirmed_by)


class EvaluationAwardInputSerializer(serializers.Serializer):
    lot = serializers.IntegerField(
        required=False, allow_null=True, help_text="The lot's number; leave out for a tender without lots."
    )
    offer = serializers.IntegerField(help_text="The winning offer: the highest-ranked one.")
    reasons = serializers.CharField(max_length=services.RATIONALE_MAX, help_text="Why this offer wins.")


def _awards(evaluation):
    return Award.objects.filter(evaluation=evaluation).select_related(
        "offer__organisation", "lot", "decided_by", "confirmed_by"
    )


class Awards(EvaluationsView):
    method_permissions = {"GET": "evaluation.manage", "POST": "evaluation.manage"}

    @extend_schema(
        operation_id="evaluations_awards_list",
        summary="List the awards",
        description="Procurement officers (`evaluation.manage`): the award decided for the tender or each lot.",
        responses={200: EvaluationAwardSerializer(many=True), **READ_ERRORS},
        tags=TAG_AWARDS,
    )
    def get(self, request, authority_slug, evaluation_id):
        return Response(EvaluationAwardSerializer(_awards(self._evaluation(evaluation_id)), many=True).data)

    @extend_schema(
        operation_id="evaluations_awards_create",
        summary="Decide an award",
        description="Procurement officers, once moderation is finalised (409 before): the highest-ranked offer of "
        "the tender (or lot), with reasons. Standstill runs for 8 working days; every assessed bidder's "
        "assessment summary is issued.",
        request=EvaluationAwardInputSerializer,
        responses={201: EvaluationAwardSerializer, **WRITE_ERRORS},
        tags=TAG_AWARDS,
    )
    def post(self, request, authority_slug, evaluation_id):
        evaluation = self._evaluation(evaluation_id)
        data = validated(EvaluationAwardInputSerializer, request.data)
        lots = {lot.number: lot for lot in Lot.objects.filter(tender=evaluation.tender)}
        lot = None
        if lots or data.get("lot") is not None:
            lot = lots.get(data.get("lot"))
            if lot is None:
                raise exceptions.ValidationError({"lot": ["Choose one of the tender's lots"]})
        offers = {o.pk: o for o, _ in selectors.evaluable_offers(evaluation.tender, lot, all_lots=False)}
        offer = offers.get(data["offer"])
        if offer is None:
            raise exceptions.ValidationError({"offer": ["Choose one of the offers ranked for this award"]})
        award = services.award_decide(
            evaluation=evaluation, lot=lot, offer=offer, reasons=data["reasons"], acting_user=request.user
        )
        data = EvaluationAwardSerializer(_awards(evaluation).get(pk=award.pk)).data
        return Response(data, status=status.HTTP_201_CREATED)


class AwardConfirmation(AuthorityApiView):
    method_permissions = {"POST": "evaluation.manage"}

    @extend_schema(
        operation_id="evaluations_award_confirm",
        summary="Confirm an award after standstill",
        description="Procurement officers (`evaluation.manage`), from the day after standstill ends (409 before): "
        "freezes what the contract needs; the tender is awarded once every lot is confirmed.",
        request=None,
        responses={200: EvaluationAwardSerializer, **WRITE_ERRORS},
        tags=TAG_AWARDS,
    )
    def post(self, request, authority_slug, award_id):
        found = Award.objects.filter(authority=self.authority, pk=award_id).select_related("evaluation").first()
        if found is None:
            raise exceptions.NotFound("No such award.")
        services.award_confirm(award=found, acting_user=request.user)
        return Response(EvaluationAwardSerializer(_awards(found.evaluation).get(pk=found.pk)).data)


# The evaluation pack ---------------------------------------------------------------------------------------------


class PackJobSerializer(serializers.Serializer):
    id = serializers.IntegerField(help_text="The job's id: follow it and download its file with the jobs API.")
    kind = serializers.CharField()
    status = serializers.CharField(help_text=f"One of: {', '.join(JobStatus.values)}.")
    progress = serializers.IntegerField(help_text="Per cent done.")
    created_at = serializers.DateTimeField()
    finished_at = serializers.DateTimeField(allow_null=True)


class Pack(EvaluationsView):
    method_permissions = {"GET": "evaluation.export", "POST": "evaluation.export"}

    @extend_schema(
        operation_id="evaluations_pack_list",
        summary="The latest evaluation pack's jobs",
        description="`evaluation.export`: the latest PDF, XLSX and CSV jobs of the pack (empty if none was made).",
        responses={200: PackJobSerializer(many=True), **READ_ERRORS},
        tags=TAG_EVALUATIONS,
    )
    def get(self, request, authority_slug, evaluation_id):
        return Response(PackJobSerializer(packs.pack_jobs(self._evaluation(evaluation_id)), many=True).data)

    @extend_schema(
        operation_id="evaluations_pack_create",
        summary="Make the evaluation pack",
        description="`evaluation.export`, once moderation is finalised: starts the PDF, XLSX and CSV jobs, as the "
        "pack page does. 202 with the jobs.",
        request=None,
        responses={202: PackJobSerializer(many=True), **WRITE_ERRORS},
        tags=TAG_EVALUATIONS,
    )
    def post(self, request, authority_slug, evaluation_id):
        evaluation = self._evaluation(evaluation_id)
        if refusal := packs.pack_refusal(evaluation):
            raise services.StateRefused(refusal)
        jobs = packs.pack_start(evaluation=evaluation, acting_user=request.user)
        return Response(PackJobSerializer(jobs, many=True).data, status=status.HTTP_202_ACCEPTED)
