"""One evaluator's own scores: independent until moderation, reached only from their own panel seat."""

from decimal import Decimal

from rest_framework import exceptions, serializers
from rest_framework.response import Response

from accounts.api.foundation import paginated, validated
from accounts.api.generic import ActionMixin, Doc, ListMixin
from tenders import sealing
from tenders.models import Offer

from .. import selectors, services
from .common import READ, TAG_SCORING, WRITE
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


class OwnScores(ListMixin, MembersView):
    method_permissions = {"GET": "evaluation.score"}
    tags = TAG_SCORING
    output_serializer = OfferScoresSerializer
    docs = {
        "get": Doc(
            "evaluations_scores_list",
            "List your own scores",
            "Evaluators (`evaluation.score`), for their own place on a panel only: every offer being "
            "evaluated with the scores you have given it. Another member's scores answer 404; until you are cleared "
            "of conflicts of interest the offers stay hidden (403, with the reason).",
            responses={200: paginated(OfferScoresSerializer, "OfferScoresPage")},
            errors=WRITE,
        )
    }

    def items(self):
        member = self.get_object()
        tender = member.evaluation.tender
        offers = _staff_offers_or_refusal(sealing.offers_for_staff, tender=tender, user=self.request.user)
        # Kept for prepare_item (a view serves one request).
        self._questions = selectors.questions_for(tender)
        self._scores = {}
        for score in member.scores.filter(offer_id__in=[o.offer.pk for o in offers]):
            self._scores.setdefault(score.offer_id, {})[score.question_id] = score
        return offers

    def prepare_item(self, staff_offer) -> dict:
        return _offer_scores(staff_offer, self._questions, self._scores.get(staff_offer.offer.pk, {}))


class OfferScores(MembersView):
    """A sealed offer read through `tenders.sealing` (the URL's second object): explicit methods."""

    method_permissions = {"GET": "evaluation.score", "PUT": "evaluation.score"}
    tags = TAG_SCORING
    output_serializer = OfferScoresSerializer
    docs = {
        "get": Doc(
            "evaluations_offer_scores_retrieve",
            "Read your scores of one offer",
            "Your own scores only (another member's: 404), once you are cleared to read the offer.",
            responses={200: OfferScoresSerializer},
            errors=(*READ, 409),
        ),
        "put": Doc(
            "evaluations_offer_scores_update",
            "Score one offer",
            "Your score and rationale for one or more questions of one offer: all recorded, or (on any "
            "refusal) none. Changeable until you submit your scores; after that only moderation changes them (409).",
            request=EvaluationScoresInputSerializer,
            errors=WRITE,
        ),
    }

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

    def get(self, request, authority_slug, member_id, scored_offer_id):
        member = self.get_object()
        return Response(self._data(member, self._offer(member, scored_offer_id)))

    def put(self, request, authority_slug, member_id, scored_offer_id):
        member = self.get_object()
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


class ScoresSubmit(ActionMixin, MembersView):
    method_permissions = {"POST": "evaluation.score"}
    tags = TAG_SCORING
    action_service, output_serializer = services.scores_submit, PanelMemberSerializer
    docs = {
        "post": Doc(
            "evaluations_scores_submit",
            "Submit your scores",
            "Once you have scored every offer against every question. After this your scores change only "
            "through moderation.",
            errors=WRITE,
        )
    }

    def present(self, member) -> dict:
        return self._member_data(self.get_object())  # read again, submitted
