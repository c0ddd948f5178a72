"""One evaluator's own scores: independent until moderation, reached only from their own panel seat."""

from decimal import Decimal

from drf_spectacular.utils import extend_schema
from rest_framework import exceptions, serializers
from rest_framework.response import Response

from accounts.api.foundation import PAGE_PARAMETERS, paginate, paginated, validated
from tenders import sealing
from tenders.models import Offer

from .. import selectors, services
from .common import READ_ERRORS, TAG_SCORING, WRITE_ERRORS
from .evaluations import PanelMemberSerializer
from .panels import MembersView

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


def score_items(data, questions) -> dict:
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


def refusal_field(data, refusal: services.ScoreRefused) -> dict:
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
        scores = score_items(data, selectors.questions_for(member.evaluation.tender))
        try:
            services.offer_scores_record(
                member=member, offer=staff_offer.offer, scores=scores, acting_user=request.user
            )
        except services.ScoreRefused as refusal:
            raise exceptions.ValidationError(refusal_field(data, refusal)) from refusal
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
