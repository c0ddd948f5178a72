"""Moderation: the moderator's grid, the agreed scores, finalisation."""

from drf_spectacular.utils import extend_schema
from rest_framework import exceptions, serializers
from rest_framework.response import Response

from accounts.api.foundation import PAGE_PARAMETERS, paginate, paginated, validated
from tenders.models import Offer

from .. import selectors, services
from ..models import EvaluationStatus
from .common import READ_ERRORS, TAG_MODERATION, WRITE_ERRORS, person_name
from .evaluations import EvaluationSerializer, EvaluationsView
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
                names = ", ".join(person_name(member.user) for member in waiting)
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
        scores = score_items(data, selectors.questions_for(evaluation.tender))
        try:
            services.offer_moderated_scores_record(
                evaluation=evaluation, offer=offer, scores=scores, acting_user=request.user
            )
        except services.ScoreRefused as refusal:
            raise exceptions.ValidationError(refusal_field(data, refusal)) from refusal
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
