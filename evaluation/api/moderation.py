"""Moderation: the moderator's grid, the agreed scores, finalisation."""

from rest_framework import exceptions, serializers
from rest_framework.response import Response

from accounts.api.foundation import paginated, validated
from accounts.api.generic import ActionMixin, Doc, ListMixin
from tenders.models import Offer

from .. import selectors, services
from ..models import EvaluationStatus
from .common import TAG_MODERATION, WRITE, person_name
from .evaluations import EvaluationDetailSerializer, EvaluationsView
from .scores import EvaluationScoresInputSerializer, refusal_field, score_items

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


def supplier_name(offer, submission) -> str:
    return (submission.content.get("supplier") if submission else "") or offer.organisation.name


def _moderation_row(grid, row) -> dict:
    lines = []
    for line in row.lines:
        scores = [
            {
                "panel_member_id": member.pk,
                "evaluator": person_name(member.user),
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
                    "recorded_by": person_name(agreed.recorded_by),
                }
                if agreed
                else None,
            }
        )
    return {
        "offer_id": row.offer.pk,
        "supplier": supplier_name(row.offer, row.submission),
        "lot": row.offer.lot.number if row.offer.lot_id else None,
        "lines": lines,
    }


class ModerationView(EvaluationsView):
    """The evaluation, for its moderator only (403 with the reason for anyone else)."""

    method_permissions = {"GET": "evaluation.score", "PUT": "evaluation.score", "POST": "evaluation.score"}
    tags = TAG_MODERATION

    def get_object(self):
        evaluation = super().get_object()
        if reason := selectors.moderator_refusal(evaluation, self.request.user):
            raise exceptions.PermissionDenied(reason)
        return evaluation

    def _still_scoring(self, evaluation):
        """409 with who is still scoring, while scoring is open and someone has not submitted."""
        if evaluation.status == EvaluationStatus.SCORING:
            waiting = selectors.panel_still_scoring(evaluation)
            if waiting:
                names = ", ".join(person_name(member.user) for member in waiting)
                raise services.StateRefused(
                    f"Moderation starts when every evaluator has submitted their scores. Still scoring: {names}."
                )


class Moderation(ListMixin, ModerationView):
    output_serializer = ModerationRowSerializer
    docs = {
        "get": Doc(
            "evaluations_moderation_list",
            "Read every score side by side",
            "The moderator only (403 with the reason for anyone else), once every evaluator on the panel "
            "has submitted (409 until then): per offer and question, each member's score and rationale, the spread "
            "(wide ones flagged) and the agreed score.",
            responses={200: paginated(ModerationRowSerializer, "ModerationRowPage")},
            errors=WRITE,
        )
    }

    def items(self):
        evaluation = self.get_object()
        self._still_scoring(evaluation)
        self._grid = selectors.moderation_grid(evaluation)  # kept for prepare_item (a view serves one request)
        return self._grid.rows

    def prepare_item(self, row) -> dict:
        return _moderation_row(self._grid, row)


class ModerationOffer(ModerationView):
    """One offer of the grid (the URL's second object), found before the input is read: an explicit method."""

    output_serializer = ModerationRowSerializer
    docs = {
        "put": Doc(
            "evaluations_moderation_update",
            "Record agreed scores for one offer",
            "The moderator, with a reason for each: all recorded or none. Unchanged ones are not recorded "
            "again; every change keeps the old score in the audit trail. 409 once moderation is finalised.",
            request=EvaluationScoresInputSerializer,
            errors=WRITE,
        )
    }

    def put(self, request, authority_slug, evaluation_id, scored_offer_id):
        evaluation = self.get_object()
        offer = Offer.objects.filter(authority=self.authority, pk=scored_offer_id, tender=evaluation.tender).first()
        if offer is None or not selectors.moderation_grid(evaluation, offer_ids={offer.pk}).rows:
            raise exceptions.NotFound("No such offer in this evaluation.")
        data = validated(EvaluationScoresInputSerializer, request.data)
        scores = score_items(data, selectors.questions_for(evaluation.tender))
        try:
            services.offer_moderated_scores_record(
                evaluation=evaluation, offer=offer, scores=scores, acting_user=request.user
            )
        except services.ScoreRefused as refusal:
            raise exceptions.ValidationError(refusal_field(data, refusal)) from refusal
        grid = selectors.moderation_grid(evaluation, offer_ids={offer.pk})
        return Response(ModerationRowSerializer(_moderation_row(grid, grid.rows[0])).data)


class Finalisation(ActionMixin, ModerationView):
    action_service = services.moderation_finalise
    output_serializer = EvaluationDetailSerializer  # the answer is the detail (the schema said the summary)
    docs = {
        "post": Doc(
            "evaluations_finalise",
            "Finalise moderation",
            "The moderator, once every offer has an agreed score against every question: the agreed scores "
            "are fixed and the results computed.",
            errors=WRITE,
        )
    }

    def act(self, evaluation, data: dict):
        self.call(self.action_service, evaluation, data)
        return self._evaluation(evaluation.pk)  # read again, finalised

    def present(self, evaluation) -> dict:
        return self._detail(evaluation)
